"""Proof of ownership: what in an output folder this tool wrote, and so may replace or remove.

The tool replaces or removes an entry of an output folder only when it can prove it wrote it:

* a results folder (a scenario's, or ``comparison/``): a real folder, not a symbolic link, whose
  ``manifest.json`` is a regular file of at most :data:`MANIFEST_MAX_BYTES` holding a JSON object
  with ``"tool": "beijing-scenarios"`` (:data:`model.core.files.TOOL`); folders written by earlier
  versions, whose manifests have no ``tool`` but a ``run`` and a ``scenario`` (a scenario's) or
  ``scenarios`` (the comparison's), are accepted too;
* ``summary.md``, ``report.html`` and ``results.xlsx``: a regular file, not a link, that reads as the
  tool's (the summary's ``Run `<id>``` line, the report's title, the workbook's ``contents`` and
  ``scorecards`` sheets), looked for in a bounded prefix only.

Anything else is *in the way*: :func:`in_the_way` says why, and the caller refuses to touch it.  Reading
never follows a link, never blocks on a FIFO and never reads more than a bounded number of bytes.
"""
from __future__ import annotations

import json
import os
import re
import stat
import zipfile
from pathlib import Path

from ..core.files import MANIFEST, REPORT, SUMMARY, TOOL, WORKBOOK

MANIFEST_MAX_BYTES = 16 << 20      # a scenario's manifest is tens of kB
HEAD_BYTES = 64 << 10              # how much of a summary or report is read to recognise it
SUMMARY_MARK = re.compile(rb"^(?:Run `(?P<run>[0-9a-f]{12})`: |# Run `[0-9a-f]{12}` in progress)", re.M)
REPORT_MARKS = (f'<meta name="generator" content="{TOOL}">'.encode(),       # and earlier versions' title:
                b"<title>Beijing scenario model: results against the plan&#x27;s targets (run ")
WORKBOOK_SHEETS = (b'name="contents"', b'name="scorecards"')


def _open_regular(path: Path) -> int | None:
    """A file descriptor of ``path`` opened for reading, or ``None`` if it is not a regular file (a
    link, a folder, a FIFO, a device) or cannot be opened: no link followed, no wait on a FIFO."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def _read_regular(path: Path, limit: int) -> bytes | None:
    """At most ``limit + 1`` bytes of the regular file ``path`` (more than ``limit``: it is larger), or
    ``None`` (see :func:`_open_regular`)."""
    fd = _open_regular(path)
    if fd is None:
        return None
    try:
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def read_manifest(folder: Path) -> dict | None:
    """``folder/manifest.json`` as a dict; ``None`` unless it is a regular file (not a link, FIFO or
    device) of at most :data:`MANIFEST_MAX_BYTES` holding a JSON object."""
    data = _read_regular(Path(folder) / MANIFEST, MANIFEST_MAX_BYTES)
    if data is None or len(data) > MANIFEST_MAX_BYTES:
        return None
    try:
        record = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return record if isinstance(record, dict) else None


def tool_manifest(record: dict | None) -> bool:
    """Whether a manifest is one this tool wrote: marked ``"tool": "beijing-scenarios"``, or one of an
    earlier version (a ``run`` with a ``scenario``, or with the comparison's ``scenarios``)."""
    if not isinstance(record, dict):
        return False
    if record.get("tool") == TOOL:
        return True
    return "tool" not in record and "run" in record and ("scenario" in record or "scenarios" in record)


def _folder_problem(path: Path) -> str | None:
    mode = os.lstat(path).st_mode
    if stat.S_ISLNK(mode):
        return "is a symbolic link"
    if not stat.S_ISDIR(mode):
        return "is a file, not a results folder"
    if not tool_manifest(read_manifest(path)):
        return f"has no {MANIFEST} of this tool (not a results folder it wrote)"
    return None


def _file_problem(path: Path) -> str | None:
    mode = os.lstat(path).st_mode
    if stat.S_ISLNK(mode):
        return "is a symbolic link"
    if not stat.S_ISREG(mode):
        return "is not a regular file"
    if path.name == WORKBOOK:
        ours = _workbook_is_ours(path)
    else:
        head = _read_regular(path, HEAD_BYTES)
        ours = head is not None and (SUMMARY_MARK.search(head) is not None if path.name == SUMMARY
                                     else any(mark in head for mark in REPORT_MARKS))
    return None if ours else "is not a file this tool wrote"


def _workbook_is_ours(path: Path) -> bool:
    fd = _open_regular(path)
    if fd is None:
        return False
    try:
        with os.fdopen(fd, "rb") as fh, zipfile.ZipFile(fh) as archive:
            info = archive.getinfo("xl/workbook.xml")
            if info.file_size > HEAD_BYTES:
                return False
            book = archive.read(info)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, RuntimeError, EOFError):
        return False
    return all(sheet in book for sheet in WORKBOOK_SHEETS)


def in_the_way(path: Path) -> str | None:
    """Why the tool may not replace or remove ``path``; ``None`` when nothing is there or it is the
    tool's own (see the module's description): ``summary.md``, ``report.html`` and ``results.xlsx`` are
    checked as files, anything else as a results folder."""
    path = Path(path)
    try:
        if path.name in (SUMMARY, REPORT, WORKBOOK):
            return _file_problem(path)
        return _folder_problem(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot be examined ({exc.strerror or exc})"


def run_of(folder: Path) -> str | None:
    """The run id recorded in ``folder/manifest.json`` (``None``: none, or not a results folder of this tool)."""
    record = read_manifest(folder)
    run = record.get("run") if tool_manifest(record) else None
    return run if isinstance(run, str) else None


def summary_run(path: Path) -> str | None:
    """The run a finished ``summary.md`` of this tool names (``None``: none, or not the tool's summary)."""
    head = _read_regular(Path(path), HEAD_BYTES)
    found = SUMMARY_MARK.search(head) if head is not None else None
    return found["run"].decode("ascii") if found is not None and found["run"] else None

"""Writing without losing anything: whole folders and files swapped in when complete, a lock on the
output folder, and the recovery of what an interrupted run left.

The tool replaces or removes only what it can prove it wrote (:mod:`model.output.owned`); anything
else in the way raises :class:`NotOurs` and is left as it is.  Its own temporary names carry a
marker, ``bsm`` (Beijing scenario model), that nothing else uses:

* a scenario's folder is written into ``.<name>.bsm-tmp-XXXXXXXX`` and swapped in at the end (the old
  folder goes to ``.<name>.bsm-old-PID`` for the moment of the swap), so an interrupted or failed run
  never leaves a half-overwritten folder (:func:`write_atomically`);
* the batch's outputs (``comparison/``, ``summary.md``, ``report.html``, ``results.xlsx``) are built
  in ``.batch-outputs.bsm-tmp-XXXXXXXX`` (:func:`stage`) and swapped in together at the end
  (:func:`commit`): the staging folder is renamed ``.batch-outputs.bsm-swap-PID`` (from then on the
  new set is decided), each old entry is moved into it and each new one out of it, and it is removed;
* :func:`recover` removes unfinished temporary entries, restores a folder left aside by a run killed
  between the two renames of a swap, and finishes a decided batch swap.  It acts on nothing else.

A batch holds a lock on the output folder (:func:`locked`).  Files and folders get the user's umask.
"""
from __future__ import annotations

import errno
import json
import os
import re
import shutil
import stat
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..core.files import LOCK, TOOL
from .owned import in_the_way, read_manifest, tool_manifest

MARK = "bsm"                                   # in every temporary name of the tool, and in no other
OLD = re.compile(rf"\.(?P<name>.+)\.{MARK}-old-(?P<pid>\d+)")          # a folder moved aside during a swap
TMP = re.compile(rf"\.(?P<name>.+)\.{MARK}-tmp-[A-Za-z0-9_]+")        # a folder or file being written
BATCH = "batch-outputs"                                               # the batch's staging folder's name
SWAP = re.compile(rf"\.{BATCH}\.{MARK}-swap-(?P<pid>\d+)")             # a decided batch swap
PLAN = "swap.json"                                                    # a batch swap's plan, in its folder


# Errors of the output device: every later write would fail alike, so a batch stops at the first.
DEVICE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG, errno.EIO})


class OutputError(Exception):
    """The output folder's device refused a write (full, read-only, failing): the batch stopped there."""


def device_error(exc: OSError, where: Path) -> OutputError | None:
    """The :class:`OutputError` of ``exc`` if it is an error of the output device (:data:`DEVICE_ERRORS`)."""
    if exc.errno in DEVICE_ERRORS:
        return OutputError(f"cannot write to {where}: {exc.strerror or exc}")
    return None


class NotOurs(Exception):
    """An entry of the output folder is in the place of something the tool would write, and the tool
    cannot prove it wrote it (:func:`model.output.owned.in_the_way`): it is left untouched."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path} {reason}")
        self.path, self.reason = Path(path), reason


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _as_umask_says(path: Path, directory: bool) -> None:
    """Give ``path`` the permissions a plain ``mkdir``/``open`` would (``tempfile`` makes them private)."""
    os.chmod(path, (0o777 if directory else 0o666) & ~_umask())


def _not_removable(folder: Path) -> str | None:
    """The first folder inside ``folder`` (itself included) whose entries cannot be deleted, if any."""
    for here, _, _ in os.walk(folder):
        if not os.access(here, os.W_OK | os.X_OK):
            return here
    return None


def _exists(path: Path) -> bool:
    return os.path.lexists(path)


def check_replaceable(path: Path) -> None:
    """Raise :class:`NotOurs` if something the tool did not write is at ``path``."""
    reason = in_the_way(path)
    if reason is not None:
        raise NotOurs(path, reason)


def write_atomically(folder: Path, fill: Callable[[Path], None]) -> None:
    """Create ``folder`` by letting ``fill`` write into a temporary sibling, then swap it in.

    Only a folder the tool wrote is replaced (:class:`NotOurs` otherwise, before anything is
    written and again before the swap).  An old ``folder`` that could not be deleted (read-only) is
    refused before anything is swapped, so the swap either happens completely or not at all.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    check_replaceable(folder)
    if _exists(folder):
        stuck = _not_removable(folder)
        if stuck is not None:
            raise PermissionError(f"{stuck} is read-only, so the old results in {folder} cannot be replaced; "
                                  "make it writable (chmod -R u+w) or remove it")
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.{MARK}-tmp-", dir=folder.parent))
    try:
        _as_umask_says(tmp, directory=True)
        fill(tmp)
        check_replaceable(folder)             # nothing else took its place while it was computed
        old = None
        if _exists(folder):
            old = folder.with_name(f".{folder.name}.{MARK}-old-{os.getpid()}")
            os.replace(folder, old)
        os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        _discard(old)


def _discard(path: Path) -> None:
    """Remove a folder of the tool's: first renamed to a temporary name, so that a run killed while
    deleting it leaves an entry :func:`recover` removes (not a half-deleted folder without its manifest)."""
    gone = path.with_name(f".{path.name.lstrip('.')}.{MARK}-tmp-gone{uuid.uuid4().hex[:8]}")
    os.replace(path, gone)
    remove(gone)


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


# ---------------------------------------------------------------- the batch's outputs, swapped as one set
def stage(out_dir: Path) -> Path:
    """A fresh staging folder for the batch's outputs in ``out_dir`` (removed by :func:`recover` if the
    run is killed before :func:`commit`)."""
    folder = Path(tempfile.mkdtemp(prefix=f".{BATCH}.{MARK}-tmp-", dir=out_dir))
    _as_umask_says(folder, directory=True)
    return folder


def commit(out_dir: Path, staged: Path, names: Iterable[str]) -> None:
    """Swap the batch's outputs built in ``staged`` into ``out_dir`` as one set.

    Each of ``names`` that ``staged`` holds replaces its namesake in ``out_dir``; each that it does
    not hold is removed from ``out_dir`` (it belonged to an earlier run).  Every entry replaced or
    removed must be the tool's: otherwise :class:`NotOurs` is raised before anything is moved.  Once
    the staging folder is renamed to its swap name the new set is decided, and a run killed after
    that has its swap finished by :func:`recover`.
    """
    out_dir, staged = Path(out_dir), Path(staged)
    names = list(names)
    write = [n for n in names if _exists(staged / n)]
    plan = {"tool": TOOL, "write": write, "remove": [n for n in names if n not in write]}
    for name in names:
        check_replaceable(out_dir / name)
    (staged / PLAN).write_text(json.dumps(plan, indent=2) + "\n", encoding="utf-8")
    swap = out_dir / f".{BATCH}.{MARK}-swap-{os.getpid()}"
    os.replace(staged, swap)                  # the new set is decided
    _finish(out_dir, swap)


def swap_decided(out_dir: Path | None) -> bool:
    """Whether this process has decided a batch swap in ``out_dir`` and not finished it (:func:`commit`)."""
    return out_dir is not None and _exists(Path(out_dir) / f".{BATCH}.{MARK}-swap-{os.getpid()}")


def _finish(out_dir: Path, swap: Path) -> list[str]:
    """Carry out the decided swap in ``swap`` (see :func:`commit`); what was left as it was, if anything."""
    plan = json.loads((swap / PLAN).read_text(encoding="utf-8"))
    old = swap / "old"
    old.mkdir(exist_ok=True)
    skipped = []
    for name in plan["write"] + plan["remove"]:
        target, new = out_dir / name, swap / name
        if name in plan["write"] and not _exists(new):
            continue                          # already swapped in
        if _exists(target):
            if in_the_way(target) is not None:
                skipped.append(name)
                continue
            os.replace(target, old / name)
        if name in plan["write"]:
            os.replace(new, target)
    _discard(swap)
    return skipped


# ---------------------------------------------------------------- recovery
def recover(out_dir: Path) -> list[str]:
    """Restore, finish or remove what an interrupted run left in ``out_dir``; one message per action.

    Only entries with the tool's marker are touched: a decided batch swap
    (``.batch-outputs.bsm-swap-PID`` with its plan) is finished; a folder moved aside
    (``.<name>.bsm-old-PID``) that carries the tool's manifest goes back to ``<name>`` when that is
    missing (the run was killed between the two renames of a swap), else it is removed; unfinished
    temporary folders and files (``.<name>.bsm-tmp-XXXXXXXX``) are removed.  Call it holding the lock.
    """
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return []
    notes = []
    entries = sorted(out_dir.iterdir())
    for p in entries:
        if not SWAP.fullmatch(p.name):
            continue
        try:
            if not (p.is_dir() and not p.is_symlink() and _is_plan(p / PLAN)):
                notes.append(f"left {p.name} as it is: it has no swap plan of this tool")
                continue
            skipped = _finish(out_dir, p)
            notes.append("finished swapping in the comparison, summary, report and workbook of an interrupted run"
                         + (f" (left {', '.join(skipped)} as it is: not written by this tool)" if skipped else ""))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            notes.append(f"could not finish the swap {p.name} left by an interrupted run: {exc}")
    for p in entries:
        m = OLD.fullmatch(p.name)
        if m is None or not _exists(p):
            continue
        target = out_dir / m["name"]
        if p.is_symlink() or not p.is_dir() or not tool_manifest(read_manifest(p)):
            notes.append(f"left {p.name} as it is: not a results folder of this tool")
            continue
        try:
            if _exists(target):
                _discard(p)
                notes.append(f"removed {p.name}, the old copy of {m['name']}/ left by an interrupted run")
            else:
                os.replace(p, target)
                notes.append(f"restored {m['name']}/ from {p.name}: an earlier run was interrupted while "
                             "replacing it")
        except OSError as exc:
            notes.append(f"could not clean up {p.name} left by an interrupted run: {exc}")
    for p in entries:
        if TMP.fullmatch(p.name) and _exists(p):
            try:
                remove(p)
                notes.append(f"removed {p.name}, unfinished output of an interrupted run")
            except OSError as exc:
                notes.append(f"could not remove {p.name} left by an interrupted run: {exc}")
    return notes


def _is_plan(path: Path) -> bool:
    """Whether ``path`` is a batch swap's plan written by this tool (a small regular JSON file)."""
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > 1 << 16:
            return False
        plan = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (isinstance(plan, dict) and plan.get("tool") == TOOL
            and all(isinstance(plan.get(k), list) and all(_plain_name(n) for n in plan[k])
                    for k in ("write", "remove")))


def _plain_name(name: object) -> bool:
    """A name of an entry of the folder itself (no path)."""
    return isinstance(name, str) and name not in ("", ".", "..") and "/" not in name and "\\" not in name


# ---------------------------------------------------------------- the lock
class OutputLocked(RuntimeError):
    """Another run is writing into the same output folder."""


def _open_lock(path: Path) -> int:
    """The lock file opened for writing, never through a symbolic link, and only if it is a regular file
    with one name (truncating it then harms nothing else)."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) \
        | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as exc:
        if os.path.islink(path):
            raise OSError(exc.errno, f"{path} is a symbolic link; the lock is never opened through one: "
                                     "remove it") from None
        raise
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1:
        os.close(fd)
        what = "not a regular file" if not stat.S_ISREG(st.st_mode) else f"a file with {st.st_nlink} names (hard links)"
        raise OSError(f"{path} is {what}, not the tool's lock file: remove it")
    return fd


@contextmanager
def locked(out_dir: Path, wait: float = 10.0) -> Iterator[None]:
    """Hold an exclusive lock on ``out_dir`` (file ``.lock``); wait up to ``wait`` seconds for
    another run to finish, then raise :class:`OutputLocked`.  Released on exit, even when killed."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:          # no advisory locks on this platform
        yield
        return
    fd = _open_lock(out_dir / LOCK)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
                    raise OutputLocked(f"another run (process {holder}) is writing into {out_dir}; waited "
                                       f"{wait:g} s: try again when it has finished, or use another --out") from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)             # closing releases the lock


def write_file(path: Path, content: bytes) -> Path:
    """Write ``path`` through a temporary file beside it, swapped in when complete (never half written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{MARK}-tmp-", dir=path.parent)
    try:
        _as_umask_says(Path(tmp), directory=False)
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path

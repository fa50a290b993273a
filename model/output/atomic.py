"""Writing without losing anything: whole folders and files swapped in when complete, a lock on the
output folder, and the recovery of what an interrupted run left.

Each scenario's folder is written into a temporary sibling (``.<name>.XXXX.tmp``) and swapped in at
the end (the old folder goes to ``.<name>.old-PID`` for the moment of the swap), so an interrupted or
failed run never leaves a half-overwritten folder; :func:`recover` restores or removes what a killed
run left.  A batch holds a lock on the output folder (:func:`locked`).  Files and folders get the
user's umask.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from ..core.files import LOCK

OLD = re.compile(r"\.(?P<name>.+)\.old-(?P<pid>\d+)")             # a folder moved aside during a swap
TMP = re.compile(r"\.(?P<name>.+)\.[A-Za-z0-9_]+\.tmp")           # a folder or file being written


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


def write_atomically(folder: Path, fill: Callable[[Path], None]) -> None:
    """Create ``folder`` by letting ``fill`` write into a temporary sibling, then swap it in.

    An old ``folder`` that could not be deleted (read-only) is refused before anything is
    swapped, so the swap either happens completely or not at all.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    if folder.is_dir() and not folder.is_symlink():
        stuck = _not_removable(folder)
        if stuck is not None:
            raise PermissionError(f"{stuck} is read-only, so the old results in {folder} cannot be replaced; "
                                  "make it writable (chmod -R u+w) or remove it")
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        _as_umask_says(tmp, directory=True)
        fill(tmp)
        old = None
        if folder.exists() or folder.is_symlink():
            old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
            os.replace(folder, old)
        os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        remove(old)


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def recover(out_dir: Path) -> list[str]:
    """Restore or remove what an interrupted run left in ``out_dir``; one message per action.

    A folder moved aside (``.<name>.old-PID``) goes back to ``<name>`` when that is missing
    (the run was killed between the two renames of a swap), else it is removed; unfinished
    temporary folders and files (``.<name>.XXXX.tmp``) are removed.  Call it holding the lock.
    """
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return []
    notes = []
    entries = sorted(out_dir.iterdir())
    for p in entries:
        m = OLD.fullmatch(p.name)
        if m is None:
            continue
        target = out_dir / m["name"]
        try:
            if target.exists() or target.is_symlink():
                remove(p)
                notes.append(f"removed {p.name}, the old copy of {m['name']}/ left by an interrupted run")
            else:
                os.replace(p, target)
                notes.append(f"restored {m['name']}/ from {p.name}: an earlier run was interrupted while "
                             "replacing it")
        except OSError as exc:
            notes.append(f"could not clean up {p.name} left by an interrupted run: {exc}")
    for p in entries:
        if TMP.fullmatch(p.name) and (p.exists() or p.is_symlink()):
            try:
                remove(p)
                notes.append(f"removed {p.name}, unfinished output of an interrupted run")
            except OSError as exc:
                notes.append(f"could not remove {p.name} left by an interrupted run: {exc}")
    return notes


class OutputLocked(RuntimeError):
    """Another run is writing into the same output folder."""


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
    fd = os.open(out_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o666)
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
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        _as_umask_says(Path(tmp), directory=False)
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path

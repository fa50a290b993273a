"""Solutions of the calibration's numerical problems, kept on disk between runs.

Editing a scenario seldom changes what the baseline is calibrated on, yet every run in a fresh
process solves the same least-squares and SLSQP problems again, and imports ``scipy.optimize`` to do
it.  :func:`solution` keeps each solution vector in a small content-addressed store: the key is a
SHA-256 of the problem's name, every input (the arrays' bytes, the settings' text), the model's own
source code and the numpy and scipy versions, so that any change of data, code or solver gives a new
key.  The stored vector is the solver's output, bit for bit (``.npy``), so a run from the store
writes the same files, byte for byte, as a run that solves.

Where: ``$BEIJING_SCENARIOS_CACHE`` when set (``off`` turns the store off), else
``$XDG_CACHE_HOME/beijing-scenarios`` (default ``~/.cache/beijing-scenarios``).  A store that cannot
be written is skipped (the problem is solved, nothing is kept); an entry that cannot be read is solved
again and replaced.  At most :data:`MAX_ENTRIES` entries are kept (the least recently used go).
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

log = logging.getLogger(__name__)

#: The environment variable naming the store's folder (``off``: no store).
ENV = "BEIJING_SCENARIOS_CACHE"
#: Entries kept at most; a few hundred bytes each.
MAX_ENTRIES = 2000
_OFF = {"off", "0", "no", "false", "none"}
_switched_off = False


@contextlib.contextmanager
def switched_off():
    """No store inside this block (the command line's ``--no-cache``): every problem is solved."""
    global _switched_off
    before, _switched_off = _switched_off, True
    try:
        yield
    finally:
        _switched_off = before


def folder() -> Path | None:
    """The store's folder, or ``None`` when the store is off."""
    if _switched_off:
        return None
    given = os.environ.get(ENV)
    if given is not None:
        return None if given.strip().lower() in _OFF or not given.strip() else Path(given).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "beijing-scenarios"


@functools.lru_cache(maxsize=None)
def code_fingerprint() -> str:
    """A SHA-256 of the model package's Python sources (every ``*.py`` under ``model/``, by path) and
    of the numpy and scipy versions: a solution is reused only by the code and solvers that made it."""
    import scipy  # the package's version only: its solvers are not imported
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256(f"numpy {np.__version__}; scipy {scipy.__version__}\n".encode())
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def key(problem: str, inputs: Iterable[np.ndarray | str | float]) -> str:
    """The store's key of ``problem`` with these ``inputs`` (arrays by dtype, shape and bytes; other
    values by their ``repr``) under this code (:func:`code_fingerprint`)."""
    h = hashlib.sha256(f"{problem}\0{code_fingerprint()}\0".encode())
    for x in inputs:
        if isinstance(x, np.ndarray):
            a = np.ascontiguousarray(x)
            h.update(f"{a.dtype.str}{a.shape}".encode() + a.tobytes())
        else:
            h.update(repr(x).encode())
        h.update(b"\0")
    return h.hexdigest()


def solution(problem: str, inputs: Iterable[np.ndarray | str | float], solve: Callable[[], np.ndarray]) -> np.ndarray:
    """The solution vector of ``problem`` at ``inputs``: read from the store when it holds it, else
    ``solve()`` (a float64 vector) and kept.  ``problem`` names the problem (letters, digits, ``_``)."""
    where = folder()
    if where is None:
        return np.asarray(solve(), dtype=float)
    path = where / f"{problem}-{key(problem, inputs)}.npy"
    stored = _read(path)
    if stored is not None:
        return stored
    x = np.asarray(solve(), dtype=float)
    _write(path, x)
    return x


def _read(path: Path) -> np.ndarray | None:
    try:
        with open(path, "rb") as f:
            x = np.load(f, allow_pickle=False)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError) as exc:          # truncated or not an array: solved again
        log.debug("solution store: %s unreadable (%s); solving again", path, exc)
        return None
    if x.dtype != np.float64 or x.ndim != 1:
        log.debug("solution store: %s holds a %s array of shape %s; solving again", path, x.dtype, x.shape)
        return None
    try:
        os.utime(path)                          # recently used: kept when the store is trimmed
    except OSError:
        pass
    return x


def _write(path: Path, x: np.ndarray) -> None:
    """Keep ``x`` at ``path`` through a temporary file (a reader never sees half an entry); any
    failure to write leaves the store as it was."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                np.save(f, x, allow_pickle=False)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        _trim(path.parent)
    except OSError as exc:
        log.debug("solution store: %s not written (%s)", path, exc)


def _trim(where: Path) -> None:
    """At most :data:`MAX_ENTRIES` entries: the least recently used beyond that are removed."""
    entries = list(where.glob("*.npy"))
    if len(entries) <= MAX_ENTRIES:
        return
    by_age = sorted(entries, key=lambda p: p.stat().st_mtime)
    for p in by_age[:len(entries) - MAX_ENTRIES // 2]:
        try:
            p.unlink()
        except OSError:
            pass

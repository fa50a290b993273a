"""Work done in a forked process while this one goes on (an analysis beside another, the workbook beside
the report, a scenario's folder beside the comparison).

:func:`start` runs ``work`` in a child forked from this process (it sees everything computed so far,
copied on write) and :meth:`Pending.join` waits for it and returns what ``work`` returned (pickled
back), or raises the child's exception as it was raised there (an ``OSError`` keeps its ``errno``, so a
full device is still a full device), or as a ``RuntimeError`` with its traceback's last line when it
cannot be carried over.  :meth:`Pending.stop` kills the child and waits for it.  :func:`alongside` does
the same for a block: the child is waited for when the block ends, or killed if the block raises (an
error, Ctrl-C), and the block's exception goes on.  Without ``fork``, or when told not to
(``parallel=False``: ``--jobs 1`` is one process in all, and a worker of a pool already has its core),
the work is done here, at once, with the same result.

The child ignores Ctrl-C (the parent decides), and SIGTERM and SIGHUP end it; the stopping signals are
held across the fork (:func:`fork`), so that the parent's handlers never run in a child.  This module imports
nothing of the model.
"""
from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import pickle
import signal
import traceback
from typing import Callable, Iterator

_NOTHING = object()


#: In a worker of a process pool (:mod:`model.pool`), a function that says how many of the pool's workers
#: are computing a task at this moment; ``None`` elsewhere.
pool_busy: Callable[[], int] | None = None


def may_fork() -> bool:
    """Whether this process may start work beside it: it can fork, it may run on more than one core,
    and it is not a worker of a process pool, or it is one while a core is spare (the pool's other workers
    have no task left: its last tasks then use the cores the others leave)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if not hasattr(os, "fork") or cores < 2:
        return False
    if multiprocessing.parent_process() is None:
        return True
    return pool_busy is not None and pool_busy() < cores


class Pending:
    """Work started by :func:`start`: :meth:`join` waits for it and returns its value, :meth:`stop` ends it."""

    def __init__(self, pid: int | None = None, read_end: int | None = None, value: object = _NOTHING,
                 error: BaseException | None = None):
        self._pid, self._read_end, self._value, self._error = pid, read_end, value, error

    def join(self) -> object:
        """Wait for the work; its return value, or its exception raised here."""
        if self._pid is not None:
            pipe, self._read_end = os.fdopen(self._read_end, "rb"), None   # closed with ``pipe``, whatever happens
            with pipe:
                message = pipe.read()
            _, status = os.waitpid(self._pid, 0)
            self._pid = None
            self._value, self._error = _received(message, status)
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        return None if self._value is _NOTHING else self._value

    def stop(self) -> None:
        """End the work now (killed, and waited for) and forget its outcome."""
        if self._pid is not None:
            _stop(self._pid, self._read_end)
            self._pid = None
        self._value, self._error = _NOTHING, None


def start(work: Callable[[], object], parallel: bool = True) -> Pending:
    """``work()`` started in a forked child (see the module's text); without ``fork``, or not
    ``parallel``, done here and now (its value or exception kept for :meth:`Pending.join`)."""
    if not parallel or not hasattr(os, "fork"):
        try:
            return Pending(value=work())
        except Exception as exc:                           # noqa: BLE001 - raised by join, as from a child
            return Pending(error=exc)
    read_end, write_end = os.pipe()
    pid, mask = fork()
    if pid == 0:                                           # the child: work, report, leave at once
        code = 0
        try:
            child_signals(mask)
            os.close(read_end)
            _send(write_end, ("value", work()))
        except BaseException as exc:                       # noqa: BLE001 - every failure goes to the parent
            code = 1
            _send(write_end, ("error", exc))
        finally:
            os._exit(code)
    os.close(write_end)
    return Pending(pid, read_end)


#: The signals that stop a run (Ctrl-C, SIGTERM, SIGHUP where there is one).
STOPPING = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n))


def fork() -> tuple[int, set]:
    """``os.fork()`` with the stopping signals held across it: ``(pid, the signal mask before)``.  The
    parent's mask is restored at once; the child starts with them held, so that no handler of the parent
    (the command line's raises an exception) runs in it before :func:`child_signals` sets its own: a child
    must never run its parent's code.

    The child's garbage collector leaves alone every object it inherits (:func:`gc.freeze` across the
    fork, undone in the parent unless something was frozen there already): a collection that scanned
    them would write to each one's header, and so copy every page of the parent's heap that the child
    shares (the Python documentation's advice for processes that fork without exec)."""
    frozen = gc.get_freeze_count()
    gc.freeze()
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)
    try:
        pid = os.fork()
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        if not frozen:
            gc.unfreeze()
        raise
    if pid != 0:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        if not frozen:
            gc.unfreeze()
    return pid, mask


def child_signals(mask: set, on_term=signal.SIG_DFL) -> None:
    """In a child of :func:`fork`: Ctrl-C ignored (the parent decides), SIGTERM to ``on_term`` and SIGHUP
    ending it, then the signals released (the parent's ``mask``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)


@contextlib.contextmanager
def alongside(work: Callable[[], object], parallel: bool = True) -> Iterator[None]:
    """Run ``work()`` in a forked child during the block (see the module's text)."""
    pending = start(work, parallel)
    try:
        yield
    except BaseException:
        pending.stop()
        raise
    pending.join()


def _send(fd: int, message: tuple[str, object]) -> None:
    try:
        data = pickle.dumps(message)
        if message[0] == "error":
            pickle.loads(data)                             # an exception must come back whole, or as text
    except Exception:                                      # noqa: BLE001 - not picklable: a line instead
        kind, what = message
        if kind == "value":
            what = RuntimeError(f"the result of the work beside this process cannot be sent back "
                                f"({type(what).__name__})")
        last = "".join(traceback.format_exception_only(type(what), what)).strip().splitlines()[-1]
        data = pickle.dumps(("error", RuntimeError(last)))
    try:
        while data:
            data = data[os.write(fd, data):]
    except OSError:
        pass


def _received(message: bytes, status: int) -> tuple[object, BaseException | None]:
    """The child's ``(value, None)`` or ``(_NOTHING, exception)`` from its message and exit status."""
    try:
        kind, what = pickle.loads(message)
    except Exception:                                      # noqa: BLE001 - killed, or the message cut short
        kind, what = None, None
    if status == 0 and kind == "value":
        return what, None
    if kind == "error" and isinstance(what, BaseException):
        return _NOTHING, what
    return _NOTHING, RuntimeError(f"the process working beside this one ended with status {status} before it "
                                  "finished")


def _stop(pid: int, read_end: int | None) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    if read_end is not None:                               # None: closed by a join that was interrupted
        os.close(read_end)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass

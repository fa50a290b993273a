"""One piece of writing done in a forked process while this one goes on (e.g. the workbook beside the report).

:func:`alongside` runs ``work`` in a child forked from this process (it sees every result computed so
far, copied on write) and, when the block ends, waits for it: the child's exception, if any, is raised
here as it was raised there (an ``OSError`` keeps its ``errno``, so a full device is still a full device),
or as a ``RuntimeError`` with its traceback's last line when it cannot be carried over.  If the block
itself raises (an error, Ctrl-C), the child is killed and waited for, and the block's exception goes on.
Without ``fork``, or when told not to (``parallel=False``: ``--jobs 1`` is one process in all), the work
runs here, first, with the same effect.  :func:`start` and :class:`Pending` do the same across functions
(a scenario's folder written while the batch goes on).
"""
from __future__ import annotations

import contextlib
import os
import pickle
import signal
import traceback
from typing import Callable, Iterator


class Pending:
    """Work started by :func:`start`: :meth:`join` waits for it, :meth:`stop` ends it."""

    def __init__(self, pid: int | None = None, read_end: int | None = None, error: BaseException | None = None):
        self._pid, self._read_end, self._error = pid, read_end, error

    def join(self) -> None:
        """Wait for the work; raise its exception, if it raised one (once: a second join returns)."""
        if self._pid is not None:
            with os.fdopen(self._read_end, "rb") as pipe:
                message = pipe.read()
            _, status = os.waitpid(self._pid, 0)
            self._pid = None
            if status != 0:
                self._error = _received(message, status)
        error, self._error = self._error, None
        if error is not None:
            raise error

    def stop(self) -> None:
        """End the work now (killed, and waited for) and forget its outcome."""
        if self._pid is not None:
            _stop(self._pid, self._read_end)
            self._pid = None
        self._error = None


def start(work: Callable[[], object], parallel: bool = True) -> Pending:
    """``work()`` started in a forked child (see the module's text); without ``fork``, or not
    ``parallel``, done here and now (its exception kept for :meth:`Pending.join`)."""
    if not parallel or not hasattr(os, "fork"):
        try:
            work()
        except Exception as exc:                           # noqa: BLE001 - raised by join, as from a child
            return Pending(error=exc)
        return Pending()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:                                           # the child: work, report, leave at once
        os.close(read_end)
        code = 0
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)   # the parent decides on Ctrl-C; SIGTERM and
            signal.signal(signal.SIGTERM, signal.SIG_DFL)  # SIGHUP end the child (the parent's handlers
            signal.signal(signal.SIGHUP, signal.SIG_DFL)   # would raise in it)
            work()
        except BaseException as exc:                       # noqa: BLE001 - every failure goes to the parent
            code = 1
            _send(write_end, exc)
        finally:
            os._exit(code)
    os.close(write_end)
    return Pending(pid, read_end)


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


def _send(fd: int, exc: BaseException) -> None:
    try:
        data = pickle.dumps(exc)
        pickle.loads(data)                                 # it must come back whole, or as text
    except Exception:                                      # noqa: BLE001 - not picklable: its text instead
        last = "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()[-1]
        data = pickle.dumps(RuntimeError(last))
    try:
        while data:
            data = data[os.write(fd, data):]
    except OSError:
        pass


def _received(message: bytes, status: int) -> BaseException:
    try:
        exc = pickle.loads(message)
    except Exception:                                      # noqa: BLE001 - killed, or the message cut short
        exc = None
    if isinstance(exc, BaseException):
        return exc
    return RuntimeError(f"the process writing beside this one ended with status {status} before it finished")


def _stop(pid: int, read_end: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    os.close(read_end)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass

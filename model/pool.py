"""Tasks run side by side, each in a process of its own, for a batch of scenarios (:mod:`model.batch`).

Each task runs in a child forked from the batch's process when a place is free (at most ``workers`` at
once), so it starts with everything the batch has read and imported; it sends what it has to say
(progress, log records, a result) through a pipe, and ends.  One process per task keeps tasks apart:
a task whose process dies (killed, crashed, out of memory) is reported as that task's death
(:class:`Died`), and the others run on.  The children ignore SIGINT (Ctrl-C at a terminal reaches the
whole process group): the batch's process decides, and stops them (SIGTERM, then SIGKILL) when it is
stopped itself.

Needs ``fork`` (Linux, the BSDs, macOS); :func:`can_fork` says whether it is there.  This module knows
nothing of the model.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Hashable, Iterator, Sequence

from .core.forked import STOPPING

__all__ = ["Died", "Task", "can_fork", "cpu_count", "run_tasks"]

GRACE = 5.0          # seconds a stopped child has to end after SIGTERM before it is killed
_RECEIVING: set = set()      # the parent's ends of the pipes of running children (a new child closes them)


def cpu_count() -> int:
    """The cores this process may run on (its CPU affinity where the system says it), at least 1."""
    counted = getattr(os, "process_cpu_count", None)         # Python 3.13
    if counted is not None:
        return max(1, counted() or 1)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


@dataclass(frozen=True)
class Task:
    """``run(send, *args)`` in a child; ``send(message)`` passes a message (any picklable object) to
    the parent's ``on_message`` as it comes; what ``run`` returns is the task's result."""

    key: Hashable
    run: Callable[..., Any]
    args: tuple = ()


@dataclass(frozen=True)
class Died:
    """A task's process ended without a result: ``exitcode`` (negative: killed by that signal), or the
    exception ``run`` raised (``error``, as text)."""

    exitcode: int | None
    error: str | None = None

    def __str__(self) -> str:
        if self.error:
            return f"its worker process failed ({self.error})"
        if self.exitcode is not None and self.exitcode < 0:
            try:
                name = signal.Signals(-self.exitcode).name
            except ValueError:
                name = f"signal {-self.exitcode}"
            return f"its worker process was killed by {name}"
        return f"its worker process ended with exit code {self.exitcode} before it finished"


_RESULT, _MESSAGE, _ERROR, _LOG = "result", "message", "error", "log"


class _PipeLog(logging.Handler):
    """In a child: every log record goes to the parent, which hands it to its own handlers."""

    def __init__(self, conn: Connection):
        super().__init__()
        self.conn = conn

    def emit(self, record: logging.LogRecord) -> None:
        try:
            record.msg, record.args = record.getMessage(), None        # picklable whatever the args
            if record.exc_info:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
            self.conn.send((_LOG, record))
        except Exception:            # the parent is gone: nothing to tell
            pass


def _child(conn: Connection, task: Task) -> None:
    """The body of a child: signals as a worker's, logging to the parent, the task, its result; then
    the process ends here (``os._exit``), running none of the parent's clean-ups (locks, temporary
    folders) that the fork copied.  It holds no reading end of any pipe, so that if the parent is gone
    its next message fails (and it ends) rather than waiting for a reader."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for sig in STOPPING:
            if sig != signal.SIGINT:
                signal.signal(sig, signal.SIG_DFL)
        _unblock()                             # blocked by the parent around the fork
        for other in list(_RECEIVING):
            other.close()
        _RECEIVING.clear()
        root = logging.getLogger()
        root.handlers = [_PipeLog(conn)]
        try:
            result = task.run(lambda message: conn.send((_MESSAGE, message)), *task.args)
            conn.send((_RESULT, result))
        except BaseException as exc:           # noqa: BLE001 - reported to the parent as the task's failure
            conn.send((_ERROR, f"{type(exc).__name__}: {exc}"))
            code = 1
    except BaseException:                      # noqa: BLE001 - the pipe is gone: the exit code tells
        code = 2
    finally:
        try:
            conn.close()
        finally:
            os._exit(code)


def run_tasks(tasks: Sequence[Task], workers: int, on_message: Callable[[Hashable, Any], None]
              ) -> Iterator[tuple[Hashable, Any]]:
    """Run ``tasks``, at most ``workers`` at once, started in their order; yield ``(key, result)`` as
    each ends, the result a :class:`Died` for a task whose process died or whose ``run`` raised.
    Messages go to ``on_message(key, message)`` in the parent, log records to the parent's loggers.
    Leaving early (an exception here, a generator closed) stops the children still running."""
    context = multiprocessing.get_context("fork")
    pending = list(tasks)
    running: dict[Connection, list] = {}           # the parent's end of each pipe -> [task, process, outcome]
    try:
        while pending or running:
            while pending and len(running) < max(1, workers):
                task = pending.pop(0)
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=_child, args=(send, task), name=f"worker {task.key}", daemon=True)
                # a signal (Ctrl-C) waits until the child is known, so that stopping finds every child
                _block()
                try:
                    _RECEIVING.add(receive)
                    running[receive] = [task, process, None]
                    process.start()
                finally:
                    _unblock()
                send.close()                   # the child's end: EOF here when the child has ended
            for conn in wait(list(running)):
                slot = running[conn]
                try:
                    kind, payload = conn.recv()
                except (EOFError, OSError):    # the child has ended
                    del running[conn]
                    _RECEIVING.discard(conn)
                    conn.close()
                    slot[1].join()
                    ended = slot[2] if slot[2] is not None else Died(slot[1].exitcode)
                    yield slot[0].key, ended.value if isinstance(ended, _Result) else ended
                    continue
                if kind == _MESSAGE:
                    on_message(slot[0].key, payload)
                elif kind == _LOG:
                    logger = logging.getLogger(payload.name)
                    if logger.isEnabledFor(payload.levelno):
                        logger.handle(payload)
                elif kind == _RESULT:
                    slot[2] = _Result(payload)
                elif kind == _ERROR:
                    slot[2] = Died(None, payload)
    finally:
        _stop([slot[1] for slot in running.values()])
        for conn in running:
            _RECEIVING.discard(conn)
            conn.close()


@dataclass(frozen=True)
class _Result:
    value: Any


def _block() -> None:
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)


def _unblock() -> None:
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPPING)


def _stop(processes: list) -> None:
    processes = [p for p in processes if p.pid is not None]       # started
    for p in processes:
        if p.is_alive():
            p.terminate()
    for p in processes:
        p.join(GRACE)
        if p.is_alive():
            p.kill()
            p.join()

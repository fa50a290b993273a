"""Tasks run side by side on worker processes, for a batch of scenarios (:mod:`model.batch`).

At most ``workers`` workers are forked from the batch's process, so each starts with everything the
batch has read and imported; the batch hands each a task at a time (its number: the tasks themselves
were inherited) and a worker runs them one after another, keeping what it has computed (the caches of
pure computations, matplotlib's fonts) rather than starting again in a fresh process for every task.
A worker sends what it has to say (progress, log records, an :class:`Interim` value, a result) through
its pipe.  A task whose worker dies (killed, crashed, out of memory) is reported as that task's death
(:class:`Died`), and a new worker takes the tasks left; so does a task that raises (its worker ends after
reporting it).  The workers ignore SIGINT (Ctrl-C at a terminal reaches the whole process group): the
batch's process decides, and stops them (SIGTERM, then SIGKILL) when it is stopped itself.

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

from .core import forked
from .core.forked import STOPPING

__all__ = ["Died", "Interim", "Task", "can_fork", "cpu_count", "run_tasks"]

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
class Interim:
    """A message a task sends (``send(Interim(value))``) that :func:`run_tasks` yields to its caller as
    ``(key, Interim(value))`` when it comes, rather than handing it to ``on_message``: what the caller may
    use before the task ends (a result computed, while the task goes on to write it)."""

    value: Any


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


def _worker(conn: Connection, tasks: Sequence[Task]) -> None:
    """The body of a worker: signals as a worker's, logging to the parent; then, for each task number the
    parent sends, the task and its result, until the parent closes the pipe.  A task
    that raises is reported and ends the worker (the next task gets a fresh one); the process ends here
    (``os._exit``), running none of the parent's clean-ups (locks, temporary folders) that the fork
    copied.  It holds no end of another worker's pipe, so that if the parent is gone its next message
    fails (and it ends) rather than waiting for a reader."""
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
        while True:
            try:
                index = conn.recv()
            except EOFError:                   # no more tasks
                break
            task = tasks[index]
            try:
                result = task.run(lambda message: conn.send((_MESSAGE, message)), *task.args)
            except BaseException as exc:       # noqa: BLE001 - reported to the parent as the task's failure
                conn.send((_ERROR, f"{type(exc).__name__}: {exc}"))
                code = 1
                break
            conn.send((_RESULT, result))
    except BaseException:                      # noqa: BLE001 - the pipe is gone: the exit code tells
        code = 2
    finally:
        try:
            conn.close()
        finally:
            os._exit(code)


def run_tasks(tasks: Sequence[Task], workers: int, on_message: Callable[[Hashable, Any], None]
              ) -> Iterator[tuple[Hashable, Any]]:
    """Run ``tasks`` on at most ``workers`` worker processes, started in their order; yield ``(key,
    result)`` as each ends, the result a :class:`Died` for a task whose process died or whose ``run``
    raised, and ``(key, Interim(...))`` for each :class:`Interim` a task sends, as it comes.  A worker
    runs one task after another (each with what the worker kept of the ones before: the caches of a pure
    computation); one whose task died or raised is replaced for the tasks left.  Other messages go to
    ``on_message(key, message)`` in the parent, log records to the parent's loggers.  While the caller
    holds the generator (between two values), the workers go on with their tasks; what they send waits in
    their pipes, and a worker that ends its task waits for the next.  Leaving early (an exception here, a
    generator closed) stops the workers."""
    context = multiprocessing.get_context("fork")
    busy = context.RawValue("i", 0)            # the workers computing a task, read by each (forked.may_fork)
    forked.pool_busy = lambda: busy.value
    pending = list(range(len(tasks)))
    live: dict[Connection, list] = {}   # the parent's end of each worker's pipe -> [process, task, outcome, tasks done]
    try:
        while pending or any(slot[1] is not None for slot in live.values()):
            idle = sum(1 for slot in live.values() if slot[1] is None)
            while pending and len(live) < max(1, workers) and idle < len(pending):
                mine, theirs = context.Pipe(duplex=True)
                process = context.Process(target=_worker, args=(theirs, tasks), name="worker", daemon=True)
                # a signal (Ctrl-C) waits until the child is known, so that stopping finds every child
                _block()
                try:
                    _RECEIVING.add(mine)
                    live[mine] = [process, None, None, 0]
                    process.start()
                finally:
                    _unblock()
                theirs.close()                 # the worker's end: EOF here when the worker has ended
                idle += 1
            for conn, slot in live.items():    # each idle worker its next task
                if slot[1] is None and pending:
                    index = pending.pop(0)
                    try:
                        conn.send(index)
                    except OSError:            # the worker is gone (its end is read below): one that has
                        if slot[3]:            # done tasks leaves this one to the next worker; one that
                            pending.insert(0, index)      # could not start fails it (no endless restarts)
                            continue
                    slot[1], slot[2] = index, None
                    busy.value += 1
            for conn in wait(list(live)):
                slot = live[conn]
                try:
                    kind, payload = conn.recv()
                except (EOFError, OSError):    # the worker has ended
                    del live[conn]
                    _RECEIVING.discard(conn)
                    conn.close()
                    slot[0].join()
                    if slot[1] is not None:
                        busy.value -= 1
                        yield tasks[slot[1]].key, slot[2] if slot[2] is not None else Died(slot[0].exitcode)
                    continue
                if kind == _LOG:
                    logger = logging.getLogger(payload.name)
                    if logger.isEnabledFor(payload.levelno):
                        logger.handle(payload)
                elif kind == _MESSAGE:
                    if isinstance(payload, Interim):
                        yield tasks[slot[1]].key, payload
                    else:
                        on_message(tasks[slot[1]].key, payload)
                elif kind == _RESULT:
                    key, slot[1] = tasks[slot[1]].key, None      # free for the next task
                    slot[3] += 1
                    busy.value -= 1
                    yield key, payload
                elif kind == _ERROR:
                    slot[2] = Died(None, payload)   # reported when the worker has ended
    finally:
        forked.pool_busy = None
        for conn in live:                      # no more tasks: idle workers end at once
            conn.close()
            _RECEIVING.discard(conn)
        _stop([slot[0] for slot in live.values()])


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

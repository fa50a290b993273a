"""The pool of worker processes (model/pool.py): a worker runs one task after another; a task that raises or
whose worker dies is that task's failure, and a new worker takes the tasks left."""
import os
import time

import pytest

from model import pool

pytestmark = pytest.mark.skipif(not pool.can_fork(), reason="the workers are forked")


def ran(tasks, workers=2):
    return dict(pool.run_tasks(tasks, workers, lambda key, message: None))


def test_two_workers_run_every_task_one_after_another():
    results = ran([pool.Task(k, lambda send, k=k: (k, os.getpid())) for k in range(6)])
    assert sorted(results) == list(range(6)) and all(results[k][0] == k for k in range(6))
    workers = {pid for _, pid in results.values()}
    assert len(workers) <= 2 and os.getpid() not in workers


def test_a_task_that_raises_is_its_failure_and_the_next_task_gets_a_fresh_worker():
    def boom(send):
        raise ValueError("no such series")
    tasks = [pool.Task("bad", boom), pool.Task("after", lambda send: os.getpid())]
    results = ran(tasks, workers=1)
    assert isinstance(results["bad"], pool.Died) and results["bad"].error == "ValueError: no such series"
    assert isinstance(results["after"], int)


def test_a_worker_that_dies_fails_its_task_only_and_the_others_run_on():
    tasks = [pool.Task("ends", lambda send: os._exit(3))] + [pool.Task(k, lambda send, k=k: k * k) for k in range(4)]
    results = ran(tasks, workers=1)
    assert isinstance(results["ends"], pool.Died) and results["ends"].exitcode == 3
    assert [results[k] for k in range(4)] == [0, 1, 4, 9]


def test_messages_reach_the_parent_with_their_task():
    seen = []
    list(pool.run_tasks([pool.Task(k, lambda send, k=k: send(f"from {k}")) for k in "ab"], 2,
                        lambda key, message: seen.append((key, message))))
    assert sorted(seen) == [("a", "from a"), ("b", "from b")]


def test_an_interim_value_reaches_the_caller_before_its_task_ends(tmp_path):
    """A task sends an interim value, then waits until the caller has seen it (a file the caller writes): the
    caller gets it first, then the task's result."""
    seen = tmp_path / "seen"

    def task(send):
        send(pool.Interim("computed"))
        send("progress")                        # an ordinary message still goes to on_message
        deadline = time.monotonic() + 30
        while not seen.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        return "written" if seen.exists() else "the caller never saw the interim value"
    messages, events = [], []
    for key, value in pool.run_tasks([pool.Task("a", task)], 2, lambda key, message: messages.append(message)):
        events.append((key, value))
        if isinstance(value, pool.Interim):
            seen.touch()
    assert events == [("a", pool.Interim("computed")), ("a", "written")] and messages == ["progress"]


def test_no_worker_is_left_when_the_tasks_are_done():
    results = ran([pool.Task(k, lambda send: os.getpid()) for k in range(3)])
    for pid in set(results.values()):
        with pytest.raises((ProcessLookupError, ChildProcessError)):
            os.kill(pid, 0)
            os.waitpid(pid, os.WNOHANG)


def test_a_worker_that_cannot_start_fails_its_tasks_rather_than_being_started_again_and_again(monkeypatch):
    def broken(conn, tasks):
        os._exit(2)
    monkeypatch.setattr(pool, "_worker", broken)
    results = ran([pool.Task(k, lambda send: None) for k in range(3)], workers=2)
    assert sorted(results) == [0, 1, 2] and all(isinstance(r, pool.Died) and r.exitcode == 2
                                                for r in results.values())


@pytest.mark.skipif(len(os.sched_getaffinity(0)) != 2, reason="counts the spare cores of a two-core machine")
def test_a_worker_may_use_the_cores_only_while_the_others_have_no_task(tmp_path):
    import time

    from model.core import forked

    def wait_for(test):
        deadline = time.monotonic() + 30
        while not test() and time.monotonic() < deadline:
            time.sleep(0.01)

    def both_running(send, name):
        wait_for(lambda: forked.pool_busy() == 2)
        answer = forked.may_fork()
        (tmp_path / name).touch()             # neither ends before both have asked
        wait_for(lambda: (tmp_path / "a").exists() and (tmp_path / "b").exists())
        return answer
    assert ran([pool.Task(k, both_running, (k,)) for k in "ab"]) == {"a": False, "b": False}   # both cores in use
    assert ran([pool.Task("alone", lambda send: forked.may_fork())]) == {"alone": True}   # the other is spare
    assert forked.pool_busy is None and forked.may_fork()         # the batch's own process, as before

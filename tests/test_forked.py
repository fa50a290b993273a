"""Writing in a forked process beside this one (model/output/forked.py): its files are there when the block
ends, its failure is raised here as it was there, and a block that fails stops it."""
import errno
import os
import signal
import time

import pytest

from model.core import forked
from tests.batches import children

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the work is forked")


def test_the_work_is_done_when_the_block_ends(tmp_path):
    target = tmp_path / "workbook"
    with forked.alongside(lambda: (time.sleep(0.05), target.write_text("written"))):
        (tmp_path / "report").write_text("meanwhile")
    assert target.read_text() == "written" and (tmp_path / "report").read_text() == "meanwhile"


def test_the_work_runs_in_another_process():
    pids = []
    with forked.alongside(lambda: pids.append(os.getpid())):     # appended in the child's copy only
        pass
    assert pids == []
    with forked.alongside(lambda: pids.append(os.getpid()), parallel=False):
        pass
    assert pids == [os.getpid()]


def test_an_os_error_comes_back_with_its_errno(tmp_path):
    def work():
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "results.xlsx"))
    with pytest.raises(OSError) as caught:
        with forked.alongside(work):
            pass
    assert caught.value.errno == errno.ENOSPC and caught.value.filename == str(tmp_path / "results.xlsx")


def test_an_exception_that_cannot_travel_comes_back_as_its_last_line():
    class Local(Exception):           # defined in a function: cannot be pickled
        pass

    def work():
        raise Local("the workbook's sheet is too wide")
    with pytest.raises(RuntimeError, match="the workbook's sheet is too wide"):
        with forked.alongside(work):
            pass


@pytest.mark.parametrize("end", [lambda: os._exit(3), lambda: os.kill(os.getpid(), signal.SIGKILL)])
def test_a_child_that_dies_is_a_runtime_error(end):
    with pytest.raises(RuntimeError, match="ended with status"):
        with forked.alongside(end):
            pass


def test_a_failing_block_stops_the_work_and_its_own_error_goes_on(tmp_path):
    before = children()
    started = time.monotonic()
    with pytest.raises(KeyError):
        with forked.alongside(lambda: time.sleep(30)):
            raise KeyError("the comparison failed")
    assert time.monotonic() - started < 10          # the sleeping child was killed, not waited for
    assert children() - before == set()             # and reaped: no child is left


def test_the_value_of_the_work_comes_back():
    import pandas as pd
    frame = pd.DataFrame({"target": ["hightech_share"], "gap": [-1.25]})
    pending = forked.start(lambda: (os.getpid(), frame.assign(gap=frame["gap"] * 2)))
    pid, value = pending.join()
    assert pid != os.getpid() and value["gap"].tolist() == [-2.5]
    assert forked.start(lambda: 7, parallel=False).join() == 7


def test_a_value_that_cannot_travel_is_an_error_that_says_so():
    with pytest.raises(RuntimeError, match="cannot be sent back"):
        forked.start(lambda: (lambda: None)).join()


def test_a_large_value_comes_back_whole():
    import numpy as np
    values = np.arange(2_000_000, dtype=float)         # 16 MB: more than a pipe holds at once
    assert np.array_equal(forked.start(lambda: values * 2).join(), values * 2)


def test_a_list_of_problems_comes_back_as_the_same_error_with_its_problems():
    from model.baseline.data import DataError
    from model.core.problems import Problem, ScenarioError
    for error in (ScenarioError([Problem("my.yaml", 4, "growth.ict", "a rate above 50 %/yr")]),
                  DataError([Problem("figures.csv", 12, "value", "not a number")])):
        def work(error=error):
            raise error
        with pytest.raises(type(error)) as caught:
            forked.start(work).join()
        assert caught.value.problems == error.problems and str(caught.value) == str(error)


def test_a_join_interrupted_then_stopped_leaves_no_child(monkeypatch):
    """Ctrl-C while waiting for the child (its value larger than a pipe holds, so it is still writing):
    stopping it afterwards kills and reaps it."""
    import numpy as np
    before = children()
    pending = forked.start(lambda: np.zeros(1_000_000))          # 8 MB: the child blocks on the pipe

    def interrupted(*args):
        raise KeyboardInterrupt
    monkeypatch.setattr(forked.os, "waitpid", interrupted)
    with pytest.raises(KeyboardInterrupt):
        pending.join()
    monkeypatch.undo()
    pending.stop()
    assert children() - before == set()


def test_a_signal_right_after_the_fork_never_runs_the_parents_code_in_the_child():
    """The command line's handlers raise on SIGTERM; a child stopped at once after its fork (a drawer
    stopped as soon as started, work stopped as soon as started) must end, not run its parent's code on:
    the stopping signals are held across the fork until the child's own handlers are set."""
    import subprocess
    import sys
    import textwrap
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    program = textwrap.dedent(f"""
        import os, signal, sys, time
        sys.path.insert(0, {root!r})
        from model.core import forked
        from model.output import drawer
        class Stopped(KeyboardInterrupt):
            pass
        def raising(*args):
            raise Stopped()
        signal.signal(signal.SIGTERM, raising)
        me = os.getpid()
        for i in range(25):
            drawer.start()
            drawer.stop()
            forked.start(lambda: time.sleep(5)).stop()
        print("done", os.getpid() == me, flush=True)
    """)
    proc = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines() == ["done True"]


def scanned(obj) -> bool:
    """Whether the garbage collector scans ``obj`` (frozen objects are in none of its generations)."""
    import gc
    return any(o is obj for o in gc.get_objects())


def test_a_child_leaves_what_it_inherits_to_its_parent_and_the_parent_collects_as_before():
    inherited = [[]]                                   # a tracked object made before the fork
    assert scanned(inherited)
    assert forked.start(lambda: scanned(inherited)).join() is False   # frozen there: never scanned
    assert scanned(inherited)                          # the parent's collector scans it as before


def test_a_fork_inside_a_frozen_block_leaves_the_block_frozen():
    import gc
    inherited = [[]]
    gc.freeze()
    try:
        assert forked.start(lambda: scanned(inherited)).join() is False
        assert not scanned(inherited)                  # still frozen: the block unfreezes, not the fork
    finally:
        gc.unfreeze()
    assert scanned(inherited)

"""The drawing process made ready while the model computes (model/output/drawer.py): it draws what it is
asked, the same bytes as drawing here; a failure comes back as one line; without it, or once it is gone,
the figures are drawn here; it ends with the run."""
import functools
import os
import subprocess
import sys
import textwrap
import time

import pytest

from model.output import drawer
from model.output.figure_files import FigureJob
from tests.batches import results_files

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the drawer is forked")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _figure(text):
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(3, 2), layout="constrained")
    ax.plot([2020, 2025], [1, 2])
    ax.set_title(text)
    return fig


def _pid_figure():
    return _figure(f"drawn by {os.getpid()}")


def _failing():
    raise ValueError("no such panel")


def _slow(pid_file, group):
    """A figure that takes a minute in the drawer's processes (a process group of their own; each writes
    its pid first), and no time in the test's (``group``)."""
    if os.getpgid(0) != group:
        with open(pid_file, "a") as f:
            f.write(f"{os.getpid()}\n")
        time.sleep(60)
    return _figure("drawn here")


def jobs(kind="plain", pid_file=None, group=None):
    """The jobs of a test folder (module-level: the drawer unpickles this function by name)."""
    if kind == "pid":
        return [FigureJob("pid", _pid_figure)]
    if kind == "slow":                  # two figures: drawn by the request's process and the one it forks
        return [FigureJob("a", functools.partial(_slow, pid_file, group)),
                FigureJob("b", functools.partial(_slow, pid_file, group))]
    if kind == "failing":
        return [FigureJob("fine", functools.partial(_figure, "fine")), FigureJob("broken", _failing)]
    return [FigureJob("shares", functools.partial(_figure, "shares")),       # PNG and SVG
            FigureJob("tornado", functools.partial(_figure, "tornado"), dpi=110)]


@pytest.fixture
def running():
    assert drawer.start() and drawer.running()
    yield
    drawer.stop()
    assert not drawer.running()


def files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_the_drawer_draws_the_same_bytes_as_this_process(tmp_path, running):
    (tmp_path / "there").mkdir()
    (tmp_path / "here").mkdir()
    drawer.draw(functools.partial(jobs), tmp_path / "there")
    drawer.draw(functools.partial(jobs), tmp_path / "here", processes=1)        # one process: drawn here
    there, here = files(tmp_path / "there"), files(tmp_path / "here")
    assert sorted(there) == ["shares.png", "shares.svg", "tornado.png"]
    assert there == here


def test_the_drawing_is_done_by_another_process(tmp_path, running):
    drawer.draw(functools.partial(jobs, "pid"), tmp_path)
    drawn_there = (tmp_path / "pid.png").read_bytes()
    (tmp_path / "pid.png").unlink()
    drawer.stop()
    drawer.draw(functools.partial(jobs, "pid"), tmp_path)                    # no drawer: drawn here
    assert (tmp_path / "pid.png").read_bytes() != drawn_there                    # another pid in the title


def test_a_figure_that_fails_comes_back_as_its_last_line(tmp_path, running):
    with pytest.raises(RuntimeError, match="ValueError: no such panel"):
        drawer.draw(functools.partial(jobs, "failing"), tmp_path)
    assert list(tmp_path.iterdir()) == []                                     # nothing half written


def test_a_drawer_that_is_gone_leaves_the_drawing_to_this_process(tmp_path, running):
    os.kill(drawer._drawer.pid, 9)
    os.waitpid(drawer._drawer.pid, 0)
    drawer.draw(functools.partial(jobs), tmp_path)
    assert sorted(files(tmp_path)) == ["shares.png", "shares.svg", "tornado.png"]


def test_jobs_that_cannot_travel_are_drawn_here(tmp_path, running):
    drawer.draw(lambda: [FigureJob("local", functools.partial(_figure, "local"))], tmp_path)
    assert sorted(files(tmp_path)) == ["local.png"]


def test_stopping_the_drawer_ends_what_it_is_drawing(tmp_path):
    """Stopped while it draws (the run interrupted), the drawer ends the processes drawing for it."""
    import threading
    pid_file = tmp_path / "pids"
    assert drawer.start()
    asking = threading.Thread(target=drawer.draw, args=(functools.partial(jobs, "slow", str(pid_file), os.getpgid(0)),
                                                            tmp_path))
    asking.start()
    deadline = time.monotonic() + 60
    while (not pid_file.exists() or len(pid_file.read_text().split()) < 2) and time.monotonic() < deadline:
        time.sleep(0.05)
    pids = [int(p) for p in pid_file.read_text().split()]
    assert len(pids) == 2
    drawer.stop()
    asking.join(timeout=30)
    assert not asking.is_alive()                              # the caller is not left waiting: it draws here
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["a.png", "b.png"]
    assert not [pid for pid in pids if alive(pid)]


def alive(pid):
    """Whether process ``pid`` still runs (a zombie waiting for its parent to reap it does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def test_the_drawer_ends_with_the_process_that_started_it(tmp_path):
    """A process that starts a drawer and ends without stopping it: the drawer sees its lifeline close
    and ends too."""
    program = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {ROOT!r})
        from model.output import drawer
        drawer.start()
        print(drawer._drawer.pid, flush=True)
    """)
    pid = int(subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True,
                             timeout=60).stdout.split()[0])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if not alive(pid):
            return
        time.sleep(0.1)
    pytest.fail(f"the drawer {pid} outlived the process that started it")


@pytest.mark.slow
def test_a_scenario_run_alone_draws_without_matplotlib_in_the_run_and_writes_the_same_files(tmp_path):
    """A run of one scenario with figures: its process never imports matplotlib (the drawer, started by the
    command line before the model is imported, draws), the drawer is stopped at the end, and the files are
    those of ``--jobs 1`` (one process in all), byte for byte (manifests but their command)."""
    program = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {ROOT!r})
        import run
        code = run.main([{os.path.join(ROOT, "scenarios", "baseline.yaml")!r}, "--out", sys.argv[1], "-q",
                         *sys.argv[2:]])
        from model.output import drawer
        print(code, "matplotlib" in sys.modules, drawer.running())
    """)
    outs = {}
    for name, extra in (("drawer", []), ("one", ["--jobs", "1"])):
        proc = subprocess.run([sys.executable, "-c", program, str(tmp_path / name), *extra], capture_output=True,
                              text=True, timeout=600)
        outs[name] = proc.stdout.split()
    assert outs == {"drawer": ["0", "False", "False"], "one": ["0", "True", "False"]}   # the drawer stopped
    drawn, one = results_files(tmp_path / "drawer"), results_files(tmp_path / "one")
    assert sorted(drawn) == sorted(one) and sum(name.endswith(".png") for name in drawn) >= 10
    assert [name for name in drawn if drawn[name] != one[name]] == []


def test_a_drawer_that_cannot_start_leaves_the_drawing_here(tmp_path, monkeypatch):
    """A temporary folder whose path is too long for a socket: no drawer, no error, the figures drawn here."""
    long = tmp_path / ("x" * 120)
    long.mkdir()
    monkeypatch.setenv("TMPDIR", str(long))
    monkeypatch.setattr("tempfile.tempdir", None)
    assert drawer.start() is False and not drawer.running()
    drawer.draw(functools.partial(jobs), tmp_path)
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["shares.png", "tornado.png"]
    assert not any(long.iterdir())                     # its temporary folder removed

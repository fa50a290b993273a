"""A batch on several processes: the same files as on one, a worker that dies fails its scenario
only, a signal stops the workers and says what is kept, memory stays within the bound, and a scenario's
scorecard is on screen before its analyses."""
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import run
from model import batch, cli, pool
from model.analysis import run as scenario_run
from model.analysis.memory import MEMORY_BOUND, PROCESS_BYTES, sobol_peak_bytes
from tests.batches import children, scenarios

pytestmark = pytest.mark.skipif(not pool.can_fork(), reason="the worker processes are forked")


def tree(folder):
    """Every file under ``folder`` (but the lock, which holds the process id) and its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".lock"}


THREE = {"a": "name: a\n", "b": "name: b\ngrowth: {ict: 9}\n", "c": "extends: a\nname: c\nvaccine_unwind: 50\n"}


def test_two_jobs_write_the_same_bytes_as_one(tmp_path):
    paths = scenarios(tmp_path, **THREE)
    options = batch.RunOptions(figures=False)            # with the analyses: the attribution reads a parent
    one = batch.run_batch(paths, tmp_path / "one", ["test"], options, jobs=1)
    two = batch.run_batch(paths, tmp_path / "two", ["test"], options, jobs=2)
    assert [o.ok for o in one] == [o.ok for o in two] == [True] * 3
    assert [(o.name, o.warnings, o.folder.name) for o in one] == [(o.name, o.warnings, o.folder.name) for o in two]
    first, second = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert sorted(first) == sorted(second) and len(first) > 30
    assert [name for name in first if first[name] != second[name]] == []


def test_a_worker_that_dies_fails_its_scenario_only(tmp_path, quick, monkeypatch):
    """One worker ends itself (``os._exit``), one is killed as by the out-of-memory killer (SIGKILL), one
    raises: each is that scenario's failure; the others are written and compared."""
    paths = scenarios(tmp_path, good="name: good\n", exits="name: exits\n", killed="name: killed\n",
                      other="name: other\n")
    real = batch.run_scenario

    def run_scenario(scenario, *args, **kwargs):
        if scenario.name == "exits":
            os._exit(3)
        if scenario.name == "killed":
            os.kill(os.getpid(), signal.SIGKILL)
        return real(scenario, *args, **kwargs)
    monkeypatch.setattr(batch, "run_scenario", run_scenario)
    good, exits, killed, other = batch.run_batch(paths, tmp_path / "out", ["test"], quick, jobs=2)
    assert good.ok and other.ok and not exits.ok and not killed.ok
    assert exits.problems == [f"{paths[1]}: internal error: its worker process ended with exit code 3 before it "
                              "finished; the other scenarios ran on; please report it"]
    assert killed.problems == [f"{paths[2]}: internal error: its worker process was killed by SIGKILL; the other "
                               "scenarios ran on; please report it"]
    written = sorted(p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith("."))
    assert written == ["comparison", "good", "other", "report.html", "results.xlsx", "summary.md"]
    summary = (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")
    assert "exits.yaml" in summary and "killed.yaml" in summary


def test_an_error_in_a_worker_is_reported_as_on_one_process(tmp_path, quick, monkeypatch):
    paths = scenarios(tmp_path, good="name: good\n", bad="name: bad\n")
    real = scenario_run.evaluate

    def evaluate(table, targets):
        if set(table["scenario"]) == {"bad"}:
            raise ZeroDivisionError("boom")
        return real(table, targets)
    monkeypatch.setattr(scenario_run, "evaluate", evaluate)
    outcomes = {jobs: batch.run_batch(paths, tmp_path / f"out{jobs}", ["test"], quick, jobs=jobs) for jobs in (1, 2)}
    assert [o.problems for o in outcomes[1]] == [o.problems for o in outcomes[2]] == [
        [], [f"{paths[1]}: internal error in scorecard (ZeroDivisionError: boom); please report it"]]


def test_the_pool_is_sized_by_the_cores_the_scenarios_and_the_memory_bound():
    options = batch.RunOptions()
    assert batch.cpu_count() >= 1
    assert batch.pool_size(1, 12, options) == 1 and batch.pool_size(8, 1, options) == 1
    assert batch.pool_size(2, 12, options) == 2
    assert batch.pool_size(64, 64, options) * max(sobol_peak_bytes(0), 1) <= MEMORY_BOUND     # never past the bound
    big = 1 << 14
    assert sobol_peak_bytes(big) > (MEMORY_BOUND - PROCESS_BYTES) // 2
    assert batch.pool_size(8, 12, batch.RunOptions(sobol=big)) == 1        # one such worker fills the bound


def test_the_workers_peak_memory_stays_within_the_bound(tmp_path, quick):
    paths = scenarios(tmp_path, **THREE)
    assert all(o.ok for o in batch.run_batch(paths, tmp_path / "out", ["test"], quick, jobs=2))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024       # KiB on Linux: the largest child
    assert 0 < peak * 2 < MEMORY_BOUND


DRIVER = """
import os, signal, sys, time
sys.path.insert(0, {root!r})
import run
from model import batch
main = os.getpid()
real = batch.run_scenario
def run_scenario(scenario, *args, **kwargs):
    with open({pids!r}, "a") as f:
        f.write(str(os.getpid()) + "\\n")
    if scenario.name == "b":
        deadline = time.monotonic() + 30
        while len(open({pids!r}).read().split()) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)       # a's worker has started too (else the signal may come before it)
        os.kill(main, signal.{signal})
        time.sleep(60)             # the batch's process stops this worker
    return real(scenario, *args, **kwargs)
batch.run_scenario = run_scenario
sys.exit(run.main(sys.argv[1:]))
"""


@pytest.mark.parametrize("name,code", [("SIGINT", 130), ("SIGTERM", 143)])
def test_a_signal_to_the_batch_stops_its_workers_and_keeps_the_previous_outputs(tmp_path, name, code):
    a, b = scenarios(tmp_path, a="name: a\n", b="name: b\n")
    out = tmp_path / "out"
    assert run.main([str(a), str(b), "--out", str(out), "--no-figures", "--no-analyses"]) == 0
    summary = (out / "summary.md").read_bytes()
    a.write_text("name: a\ngrowth: {ict: 9}\n", encoding="utf-8")
    pids = tmp_path / "pids"
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", DRIVER.format(root=str(run.ROOT), signal=name, pids=str(pids)),
                           str(a), str(b), "--out", str(out), "--no-figures", "--no-analyses", "--jobs", "2"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == code, proc.stderr
    assert time.monotonic() - started < 50                # not waiting for the sleeping worker
    what = "interrupted (Ctrl-C)" if name == "SIGINT" else f"stopped by {name}"
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith(f"{what}: kept the previous comparison/")
    assert (out / "summary.md").read_bytes() == summary
    workers = [int(p) for p in pids.read_text().split()]
    assert len(set(workers)) == 2                         # a and b, each in a worker of its own
    for pid in workers:                                   # every worker is gone
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


DURING_COMPARISON = """
import json, os, signal, sys, time
sys.path.insert(0, {root!r})
import run
from model import batch
from model.output import batch_set
main = os.getpid()
real_write, real_comparison = batch.write_scenario, batch_set.write_comparison
def write_scenario(out_dir, computed, *args, **kwargs):
    if computed.scenario.name == "b":
        with open({pids!r}, "a") as f:
            f.write(str(os.getpid()) + "\\n")
        time.sleep(60)             # still writing when the batch is stopped: its process stops this worker
    return real_write(out_dir, computed, *args, **kwargs)
def a_written():
    try:
        return json.load(open({a_manifest!r}))["run"] != {before!r}
    except (OSError, ValueError):
        return False
def write_comparison(*args, **kwargs):
    deadline = time.monotonic() + 30
    while not (os.path.exists({pids!r}) and a_written()) and time.monotonic() < deadline:
        time.sleep(0.01)           # b's worker is writing, a's folder is this run's
    os.kill(main, signal.SIGINT)
    return real_comparison(*args, **kwargs)
batch.write_scenario, batch_set.write_comparison = write_scenario, write_comparison
sys.exit(run.main(sys.argv[1:]))
"""


def test_ctrl_c_while_the_comparison_is_made_beside_the_last_folders_says_which_folders_are_this_runs(tmp_path):
    """On a pool the comparison is made while the last folders are written: Ctrl-C then stops the worker still
    writing (``b``) and keeps the previous batch outputs; the message names the folders this run wrote (``a``,
    complete, though the batch had not yet heard that its worker was done) and not ``b``."""
    a, b = scenarios(tmp_path, a="name: a\n", b="name: b\n")
    out = tmp_path / "out"
    assert run.main([str(a), str(b), "--out", str(out), "--no-figures", "--no-analyses"]) == 0
    summary, before = (out / "summary.md").read_bytes(), json.loads((out / "b" / "manifest.json").read_text())
    driver = DURING_COMPARISON.format(root=str(run.ROOT), pids=str(tmp_path / "pids"), before=before["run"],
                                      a_manifest=str(out / "a" / "manifest.json"))
    a.write_text("name: a\ngrowth: {ict: 9}\n", encoding="utf-8")
    b.write_text("name: b\ngrowth: {ict: 8}\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", driver, str(a), str(b), "--out", str(out), "--no-figures",
                           "--no-analyses", "--jobs", "2"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("interrupted (Ctrl-C): kept the previous ")
    run_id = json.loads((out / "a" / "manifest.json").read_text())["run"]
    assert f"scenario folders already replaced by this run (complete; each manifest.json names run {run_id}): a/;" \
        in proc.stderr
    assert json.loads((out / "b" / "manifest.json").read_text()) == before      # b's folder is the earlier run's
    assert (out / "summary.md").read_bytes() == summary
    with pytest.raises(ProcessLookupError):                                     # b's worker is gone
        os.kill(int((tmp_path / "pids").read_text().split()[0]), 0)


def test_the_scorecard_is_on_screen_before_the_analyses(tmp_path, monkeypatch, capsys):
    a, = scenarios(tmp_path, a="name: a\n")
    seen = []
    real = scenario_run._analyses
    monkeypatch.setattr(scenario_run, "_analyses", lambda *args: seen.append(capsys.readouterr().out) or real(*args))
    assert run.main([str(a), "--out", str(tmp_path / "out"), "--no-figures"]) == 0
    before = seen[0]
    assert before.startswith("a: plan14: ") and " met, " in before.splitlines()[0]
    assert "hightech_share" in before and "ok " not in before
    ok = capsys.readouterr().out
    assert ok.startswith("ok      a") and before.splitlines()[0].removeprefix("a: ") in ok   # the ok line's verdict
    b, = scenarios(tmp_path, b="name: b\n")
    assert run.main([str(a), str(b), "--out", str(tmp_path / "two"), "--no-figures", "--no-analyses"]) == 0
    out = capsys.readouterr().out                            # a batch: the scorecards are in the summary
    assert "hightech_share" not in out and all(line.startswith(("ok ", "2 of 2", "summary:")) for line in
                                               out.splitlines())


def test_the_terminal_scorecard_counts_every_status():
    card = scenario_run.run_scenario(*_plan()).scorecard
    text = cli.scorecard_text("plan", card)
    head, _, *rows = text.splitlines()
    met, missed = int((card["status"] == "met").sum()), int((card["status"] == "missed").sum())
    assert head.startswith(f"plan: plan14: {met} met, {missed} missed")
    assert len(rows) == len(card) and all(r.split()[0] == t for r, t in zip(rows, card["target"]))


def _plan():
    from model.analysis.inputs import read_inputs
    from model.scenario.loader import load_scenario
    scenario = load_scenario(run.ROOT / "scenarios" / "plan.yaml")
    inputs = read_inputs({scenario.targets})
    return scenario, inputs.sets[scenario.targets], batch.RunOptions(analyses=False, figures=False), inputs.published


@pytest.mark.parametrize("names", [("a", "b"), ("a",)], ids=["in a worker", "a scenario alone, written aside"])
def test_a_full_device_while_writing_a_folder_stops_the_batch_with_one_line(tmp_path, monkeypatch, capsys, names):
    """Two scenarios are written by the pool's workers; a scenario run alone by a process forked beside the
    batch's: either way a full device is the batch's one line, and the earlier batch outputs stay whole."""
    import errno
    paths = scenarios(tmp_path, **{name: f"name: {name}\n" for name in names})
    out = tmp_path / "out"
    assert run.main([str(paths[0]), "--out", str(out), "--no-figures", "--no-analyses"]) == 0
    summary = (out / "summary.md").read_bytes()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(batch, "write_scenario", full)
    capsys.readouterr()
    assert run.main([*map(str, paths), "--out", str(out), "--no-figures", "--no-analyses", "--jobs", "2"]) == \
        cli.OUTPUT_ERROR
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("output error: cannot write to ") and "No space left" in err
    assert (out / "summary.md").read_bytes() == summary


@pytest.mark.parametrize("failure", ["denied", "bug"])
def test_a_scenario_alone_whose_folder_fails_aside_is_compared_without_it(tmp_path, monkeypatch, failure):
    """The comparison is built while the folder is written; when the folder fails, the set is built again
    without the scenario, which is reported as failed (as when the folder is written in the batch's process)."""
    a, = scenarios(tmp_path, a="name: a\n")

    def fails(*args, **kwargs):
        if failure == "denied":
            raise PermissionError(13, "Permission denied")
        raise ZeroDivisionError("a bug of ours")
    monkeypatch.setattr(batch, "write_scenario", fails)
    outcomes = {}
    for jobs in (1, 2):
        out = tmp_path / f"jobs{jobs}"
        outcomes[jobs] = batch.run_batch([a], out, ["test"], batch.RunOptions(analyses=False, figures=False),
                                         jobs=jobs)
        (outcome,) = outcomes[jobs]
        assert not outcome.ok and outcome.folder is None
        summary = (out / "summary.md").read_text(encoding="utf-8")
        assert "0 of 1" in summary or "no scenario" in summary.lower(), summary[:400]
        assert not (out / "a").exists() and not (out / "comparison").exists()
    assert [p.replace("jobs1", "jobs2") for p in outcomes[1][0].problems] == outcomes[2][0].problems
    assert ("Permission denied" if failure == "denied" else "internal error in writing (ZeroDivisionError") \
        in outcomes[2][0].problems[0]


@pytest.mark.parametrize("failure", ["denied", "bug", "killed"])
def test_on_a_pool_a_folder_that_fails_once_the_comparison_is_begun_is_left_out_of_it(tmp_path, monkeypatch,
                                                                                      failure):
    """On a pool the scenarios are compared while their last folders are being written: ``b``'s folder is held
    until the comparison has begun, then fails (refused, a bug of ours, its worker killed).  The set is built
    again without ``b``, reported as failed as with one job; ``a`` is compared and kept; no folder of this run
    is called another run's."""
    from model.output import batch_set
    a, b = scenarios(tmp_path, a="name: a\n", b="name: b\ngrowth: {ict: 9}\n")
    begun = tmp_path / "comparison begun"
    real_write, real_comparison = batch.write_scenario, batch_set.write_comparison

    def write_scenario(out_dir, computed, *args, **kwargs):
        if computed.scenario.name != "b":
            return real_write(out_dir, computed, *args, **kwargs)
        deadline = time.monotonic() + 30
        while not begun.exists() and time.monotonic() < deadline and os.getpid() != main:
            time.sleep(0.01)
        if failure == "killed" and os.getpid() != main:
            os.kill(os.getpid(), signal.SIGKILL)
        if failure == "denied":
            raise PermissionError(13, "Permission denied")
        raise ZeroDivisionError("a bug of ours")

    def write_comparison(*args, **kwargs):
        begun.touch()
        return real_comparison(*args, **kwargs)
    main = os.getpid()
    monkeypatch.setattr(batch, "write_scenario", write_scenario)
    monkeypatch.setattr(batch_set, "write_comparison", write_comparison)
    options = batch.RunOptions(analyses=False, figures=False)
    outcomes = {}
    for jobs in (1, 2):
        begun.unlink(missing_ok=True)              # b's worker waits for this run's comparison
        outcomes[jobs] = batch.run_batch([a, b], tmp_path / f"jobs{jobs}", ["test"], options, jobs=jobs)
        assert begun.exists()
    for jobs, (good, bad) in outcomes.items():
        out = tmp_path / f"jobs{jobs}"
        assert good.ok and not bad.ok and bad.folder is None
        assert (out / "a" / "manifest.json").exists() and not (out / "b").exists()
        assert sorted(pd.read_csv(out / "comparison" / "scorecard_matrix.csv")["scenario"]) == ["a"]
        summary = (out / "summary.md").read_text(encoding="utf-8")
        assert "b.yaml" in summary and "Not part of this run" not in summary
    problem = outcomes[2][1].problems[0]
    if failure == "killed":
        assert problem == f"{b}: internal error: its worker process was killed by SIGKILL; the other scenarios " \
                          "ran on; please report it"
    else:
        assert [p.replace("jobs1", "jobs2") for p in outcomes[1][1].problems] == outcomes[2][1].problems
        assert ("Permission denied" if failure == "denied" else "internal error in writing (ZeroDivisionError") \
            in problem


@pytest.mark.parametrize("names", [("a",), ("a", "b")], ids=["a scenario alone, written aside", "on a pool"])
def test_a_run_again_after_an_edit_does_not_call_its_own_folders_stale(tmp_path, monkeypatch, names):
    """The folders still being written while the batch compares them (held here until the comparison has
    begun) are this run's, not "left from earlier runs"."""
    from model.output import batch_set
    paths = scenarios(tmp_path, **{name: f"name: {name}\n" for name in names})
    out, begun = tmp_path / "out", tmp_path / "comparison begun"
    real_write, real_comparison = batch.write_scenario, batch_set.write_comparison

    def write_scenario(*args, **kwargs):
        deadline = time.monotonic() + 30
        while not begun.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        return real_write(*args, **kwargs)

    def write_comparison(*args, **kwargs):
        begun.touch()
        return real_comparison(*args, **kwargs)
    monkeypatch.setattr(batch, "write_scenario", write_scenario)
    monkeypatch.setattr(batch_set, "write_comparison", write_comparison)
    options = batch.RunOptions(analyses=False, figures=False)
    assert all(o.ok for o in batch.run_batch(paths, out, ["test"], options, jobs=2))
    for path in paths:                             # an edit: another run
        path.write_text(path.read_text(encoding="utf-8") + "growth: {ict: 9}\n", encoding="utf-8")
    begun.unlink()
    assert all(o.ok for o in batch.run_batch(paths, out, ["test"], options, jobs=2))
    run_id = json.loads((out / "comparison" / "manifest.json").read_text(encoding="utf-8"))["run"]
    assert all(json.loads((out / name / "manifest.json").read_text(encoding="utf-8"))["run"] == run_id
               for name in names)
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert f"Run `{run_id}`" in summary and "Not part of this run" not in summary
    assert 'id="not-in-run"' not in (out / "report.html").read_text(encoding="utf-8")


def test_interleaved_progress_of_two_workers_keeps_each_steps_rate():
    import io

    from model.batch import Progress
    now = [0.0]
    stream = io.StringIO()
    line = cli.ProgressLine(stream, clock=lambda: now[0], interval=0.0)
    line(Progress(1, 2, "a", "Monte Carlo", 0, 10_000))
    now[0] = 1.0
    line(Progress(2, 2, "b", "Monte Carlo", 0, 10_000))
    now[0] = 2.0
    line(Progress(1, 2, "a", "Monte Carlo", 4_000, 10_000))     # 4,000 draws in 2 s since a's step began
    assert stream.getvalue().rsplit("\r", 1)[-1].startswith("[1/2] a: Monte Carlo 4,000 of 10,000 draws (40 %), "
                                                            "2,000 draws/s, 0:00:03 left")


@pytest.mark.slow            # draws every figure of two batches
def test_one_job_draws_the_figures_in_one_process_and_a_scenario_alone_on_the_cores(tmp_path, monkeypatch):
    """``--jobs 1`` is one process in all (the baseline of the speed-up); a batch of one scenario computes
    it in the batch's process, writes its folder in a forked one while the comparison is written, and the
    figures of both are drawn on the cores by the drawer (model/output/drawer.py), not by the batch's
    process."""
    from model.output import drawer
    log, draw = tmp_path / "drawn", drawer.draw_all

    def logged(jobs, folder, n=None):          # a line per call, from whichever process draws
        with open(log, "a") as f:
            f.write(f"{os.getpid()} {folder.parent.name if folder.name.startswith('.') else folder.name} {n}\n")
        return draw(jobs, folder, n)

    def calls():
        lines = log.read_text().splitlines()
        log.unlink()
        return [line.split() for line in lines]
    monkeypatch.setattr(drawer, "draw_all", logged)
    paths = scenarios(tmp_path, a="name: a\n")
    options = batch.RunOptions(analyses=False)
    assert all(o.ok for o in batch.run_batch(paths, tmp_path / "one", ["test"], options, jobs=1))
    one = calls()
    assert [n for _, _, n in one] == ["1", "1"] and {pid for pid, _, _ in one} == {str(os.getpid())}
    assert all(o.ok for o in batch.run_batch(paths, tmp_path / "two", ["test"], options, jobs=2))
    two = calls()
    assert [n for _, _, n in two] == ["None", "None"]       # the scenario's and the comparison's figures
    assert len({pid for pid, _, _ in two}) == 2 and str(os.getpid()) not in {pid for pid, _, _ in two}
    assert tree(tmp_path / "one").keys() == tree(tmp_path / "two").keys()


def test_the_analyses_computed_beside_the_run_are_the_same():
    """With ``parallel``, the goal-seeking and the lever maps are computed by a forked process: the same
    analyses, table for table, as in one process."""
    scenario, targets, _, published = _plan()
    options = batch.RunOptions(figures=False)
    alone = scenario_run.run_scenario(scenario, targets, options, published).analyses
    beside = scenario_run.run_scenario(scenario, targets, options, published, parallel=True).analyses
    for stem, table in alone.tables().items():
        pd.testing.assert_frame_equal(beside.tables()[stem], table)
    assert [m.name for m in beside.lever_maps] == [m.name for m in alone.lever_maps] and alone.lever_maps
    for a, b in zip(alone.lever_maps, beside.lever_maps):
        pd.testing.assert_frame_equal(a.table(), b.table())


def test_a_goal_seeking_that_fails_beside_the_run_fails_the_scenario_in_its_words(monkeypatch):
    scenario, targets, _, published = _plan()

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug of ours")
    monkeypatch.setattr(scenario_run, "goal_seek", broken)
    failures = []
    for parallel in (False, True):
        with pytest.raises(scenario_run.RunFailed) as caught:
            scenario_run.run_scenario(scenario, targets, batch.RunOptions(figures=False), published, parallel=parallel)
        failures.append((caught.value.kind, caught.value.problems))
    assert failures[0] == failures[1]
    assert failures[0][0] == "internal" and "ZeroDivisionError: a bug of ours" in failures[0][1][0]


def test_a_scenario_alone_that_fails_after_its_scorecard_leaves_no_process_and_no_workbook(tmp_path, monkeypatch):
    """Its workbook is made from the scorecard on (beside the analyses); when the analyses then fail, that
    work is stopped: no workbook names the failed scenario, and no process is left."""
    a, = scenarios(tmp_path, a="name: a\n")

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug of ours")
    monkeypatch.setattr(scenario_run, "tornado", broken)
    before = children()
    cards = []
    (outcome,) = batch.run_batch([a], tmp_path / "out", ["test"], batch.RunOptions(figures=False), jobs=2,
                                 scored=lambda name, card: cards.append(name))
    assert cards == ["a"] and not outcome.ok and "ZeroDivisionError" in outcome.problems[0]
    assert not (tmp_path / "out" / "results.xlsx").exists()
    assert children() - before == set()


def test_the_pool_starts_the_largest_scenarios_first_and_reports_them_in_file_order(tmp_path, monkeypatch):
    from model.scenario.loader import load_scenario
    shipped = {n: load_scenario(f"scenarios/{n}.yaml") for n in ("baseline_2030", "baseline", "robotics_2030")}
    ranked = sorted(shipped, key=lambda n: batch._work_guess(shipped[n]), reverse=True)
    assert ranked[0] == "baseline"                  # from 2020: its backtest too, the largest
    started = []
    real = batch.run_tasks

    def recording(tasks, workers, on_message):
        started.extend(t.args[2].name for t in tasks)
        return real(tasks, workers, on_message)
    monkeypatch.setattr(batch, "run_tasks", recording)
    paths = [Path("scenarios") / f"{n}.yaml" for n in ("baseline_2030", "baseline")]
    outcomes = batch.run_batch(paths, tmp_path, ["test"], scenario_run.RunOptions(figures=False, draws=200), jobs=2)
    assert started == ["baseline", "baseline_2030"]
    assert [o.name for o in outcomes] == ["baseline_2030", "baseline"] and all(o.ok for o in outcomes)


def test_the_comparison_figures_are_drawn_beside_the_batch_while_it_writes_the_tables(tmp_path, monkeypatch):
    from model.output import figure_files, write
    pids = tmp_path / "pids"
    real = write.comparison_figures

    def recorded(*args, **kwargs):
        jobs = real(*args, **kwargs)

        def drawn_by(job):
            def draw():
                with open(pids, "a") as f:
                    f.write(f"{os.getpid()}\n")
                return job.draw()
            return draw
        return [figure_files.FigureJob(j.stem, drawn_by(j), j.dpi, j.cost) for j in jobs]
    monkeypatch.setattr(write, "comparison_figures", recorded)
    paths = [Path("scenarios") / f"{n}.yaml" for n in ("baseline_2030", "robotics_2030")]
    outcomes = batch.run_batch(paths, tmp_path / "out", ["test"], scenario_run.RunOptions(draws=200), jobs=2)
    assert all(o.ok for o in outcomes)
    drawers = pids.read_text().split()
    assert len(drawers) == 2 and str(os.getpid()) not in drawers     # the batch's process wrote the tables
    assert (tmp_path / "out" / "comparison" / "revenues_by_scenario.png").exists()

"""The batch: one scenario's failure stays its own; outputs belong to one run; interrupted runs recover."""
import json
import os

import pandas as pd
import pytest

import run
from model import batch
from model.analysis import run as scenario_run
from model.output import atomic, write
from tests.batches import scenarios


def test_an_unexpected_error_in_one_scenario_fails_only_that_one(tmp_path, quick, monkeypatch):
    paths = scenarios(tmp_path, good="name: good\n", bad="name: bad\n")
    real = scenario_run.evaluate

    def evaluate(table, targets):
        if set(table["scenario"]) == {"bad"}:
            raise ZeroDivisionError("boom")
        return real(table, targets)
    monkeypatch.setattr(scenario_run, "evaluate", evaluate)
    good, bad = batch.run_batch(paths, tmp_path / "out", ["test"], quick)
    assert good.ok and not bad.ok
    assert bad.problems == [f"{paths[1]}: internal error in scorecard (ZeroDivisionError: boom); please report it"]
    assert pd.read_csv(tmp_path / "out" / "comparison" / "scorecard_matrix.csv")["scenario"].tolist() == ["good"]
    assert "bad.yaml" in (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")


def test_an_unexpected_error_while_loading_fails_only_that_file(tmp_path, quick, monkeypatch):
    paths = scenarios(tmp_path, good="name: good\n", bad="name: bad\n")
    real = batch.load_scenario
    monkeypatch.setattr(batch, "load_scenario",
                        lambda p: (_ for _ in ()).throw(RecursionError("deep")) if "bad" in str(p) else real(p))
    good, bad = batch.run_batch(paths, tmp_path / "out", ["test"], quick)
    assert good.ok and bad.problems == [f"{paths[1]}: internal error in loading the file (RecursionError: deep); "
                                        "please report it"]


def test_hostile_files_in_a_batch(tmp_path, quick, capsys):
    os.mkfifo(tmp_path / "fifo.yaml")
    paths = scenarios(tmp_path, good="name: good\n", deep="growth: " + "[" * 500 + "]" * 500 + "\n",
                      unhashable="shocks: [{name: [a]}]\n", nul='extends: "a\\0b"\n',
                      long="extends: " + "é" * 200 + "\n")
    os.symlink("loop.yaml", tmp_path / "loop.yaml")
    code = run.main([*map(str, paths), str(tmp_path / "fifo.yaml"), str(tmp_path / "loop.yaml"), "/dev/zero",
                     "--out", str(tmp_path / "out"), "--no-analyses", "--no-figures"])
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" not in captured.err and "internal error" not in captured.err
    assert captured.err.count("FAILED") == 7
    assert "1 of 8 scenarios written" in captured.out
    assert (tmp_path / "out" / "comparison" / "manifest.json").exists()


def test_keyboard_interrupt_is_one_line_and_code_130(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(batch, "run_batch", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
    path, = scenarios(tmp_path, a="name: a\n")
    assert run.main([str(path), "--out", str(tmp_path / "out")]) == 130
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("interrupted")


@pytest.mark.parametrize("flag,fragment", [
    ("--draws=100000001", "uncertainty.draws"), ("--seed=4294967296", "uncertainty.seed"),
    ("--chunk=100000000", "gigabytes"), ("--draws=1e12", "not a whole number")])
def test_command_line_obeys_the_limits_of_the_files(flag, fragment, capsys):
    with pytest.raises(SystemExit) as info:
        run.main([flag])
    assert info.value.code == 2 and fragment in capsys.readouterr().err


# ---------------------------------------------------------------- one run, recoverable
def manifest(folder):
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def test_outputs_name_their_run_and_stale_folders_are_listed(tmp_path, quick):
    a, b = scenarios(tmp_path, a="name: a\n", b="name: b\ngrowth: {ict: 9}\n")
    out = tmp_path / "out"
    batch.run_batch([a, b], out, ["test"], quick)
    first = manifest(out / "a")["run"]
    assert first and manifest(out / "b")["run"] == manifest(out / "comparison")["run"] == first
    batch.run_batch([a], out, ["test"], quick)
    second = manifest(out / "a")["run"]
    assert second != first and manifest(out / "comparison")["run"] == second
    assert set(manifest(out / "comparison")["scenarios"]) == {"a"}
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert f"Run `{second}`" in summary
    assert "**Not part of this run**" in summary and f"`b/` (run `{first}`)" in summary


def test_a_batch_where_everything_fails_keeps_no_old_comparison(tmp_path, quick):
    good, = scenarios(tmp_path, good="name: good\n")
    out = tmp_path / "out"
    batch.run_batch([good], out, ["test"], quick)
    good.write_text("horizon: 1999\n", encoding="utf-8")
    (outcome,) = batch.run_batch([good], out, ["test"], quick)
    assert not outcome.ok and not (out / "comparison").exists()
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "No scenario ran" in summary and "`good/` (run `" in summary


def test_a_second_run_into_the_same_folder_is_refused(tmp_path, quick):
    path, = scenarios(tmp_path, a="name: a\n")
    out = tmp_path / "out"
    with atomic.locked(out, wait=0):
        with pytest.raises(atomic.OutputLocked, match="another run"):
            batch.run_batch([path], out, ["test"], quick, lock_wait=0)
    assert not (out / "a").exists()
    assert batch.run_batch([path], out, ["test"], quick, lock_wait=0)[0].ok     # released


def results_folder(path):
    """A folder as the tool writes it: with a manifest.json that says so."""
    path.mkdir(parents=True)
    (path / "manifest.json").write_text(json.dumps({"tool": "beijing-scenarios", "run": "0123456789ab",
                                                    "scenario": {"name": path.name}}), encoding="utf-8")
    return path


def test_recover_restores_a_folder_killed_between_the_renames(tmp_path):
    results_folder(tmp_path / ".case.bsm-old-4242")
    (tmp_path / ".case.bsm-old-4242" / "timeseries.csv").write_text("old", encoding="utf-8")
    (tmp_path / ".case.bsm-tmp-k3x_9").mkdir()
    notes = atomic.recover(tmp_path)
    assert (tmp_path / "case" / "timeseries.csv").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case"]
    assert len(notes) == 2 and "restored case/" in notes[0] and "removed .case.bsm-tmp-k3x_9" in notes[1]


def test_recover_removes_leftovers_beside_a_complete_folder(tmp_path):
    results_folder(tmp_path / "case")
    results_folder(tmp_path / ".case.bsm-old-4242")
    (tmp_path / ".summary.md.bsm-tmp-ab12").write_text("half", encoding="utf-8")
    notes = atomic.recover(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case"] and len(notes) == 2


def test_the_next_run_cleans_up_and_says_so(tmp_path, quick, caplog):
    path, = scenarios(tmp_path, a="name: a\n")
    out = tmp_path / "out"
    results_folder(out / ".a.bsm-old-1")
    batch.run_batch([path], out, ["test"], quick)
    assert not [p for p in out.iterdir() if p.name.startswith(".") and p.name != ".lock"]
    assert "restored a/" in caplog.text


def test_a_read_only_old_folder_is_refused_before_the_swap(tmp_path, monkeypatch):
    folder = results_folder(tmp_path / "case")
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "old.csv").write_text("old", encoding="utf-8")
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p).endswith("sub") else real(p, mode))
    with pytest.raises(PermissionError, match="read-only"):
        atomic.write_atomically(folder, lambda tmp: (tmp / "new.csv").write_text("new", encoding="utf-8"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case"]
    assert (folder / "sub" / "old.csv").read_text(encoding="utf-8") == "old"


def test_outputs_follow_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        atomic.write_atomically(tmp_path / "case", lambda tmp: (tmp / "x.csv").write_text("x", encoding="utf-8"))
        write.write_summary(tmp_path, "text")
    finally:
        os.umask(old)
    assert (tmp_path / "case").stat().st_mode & 0o777 == 0o750
    assert (tmp_path / "case" / "x.csv").stat().st_mode & 0o777 == 0o640
    assert (tmp_path / "summary.md").stat().st_mode & 0o777 == 0o640


def test_calibrations_are_shared_across_scenarios_and_batches(tmp_path, quick, monkeypatch):
    from model.baseline import baselines, calibration
    baselines._baseline_of.cache_clear()
    built = []
    real = calibration.build_baseline
    monkeypatch.setattr(baselines, "build_baseline",
                        lambda overrides=None, fig=None: built.append(dict(overrides)) or real(overrides, fig))
    paths = scenarios(tmp_path, a="name: a\n", b="name: b\ngrowth: {all: 3}\n")
    assert all(o.ok for o in batch.run_batch(paths, tmp_path / "one", ["test"], quick))
    assert built == [calibration.assumption_values()]          # a and b share the central assumptions
    assert batch.run_batch(paths[:1], tmp_path / "two", ["test"], quick)[0].ok
    assert len(built) == 1                       # a second batch in the process calibrates nothing again
    assert baselines.baseline_for({"va.industry_2020": 4800}).assumptions["va.industry_2020"] == 4800
    assert len(built) == 2

"""The output folder: the tool replaces or removes only what it can prove it wrote, its batch outputs are
swapped in as one set, and the lock and the manifests are read without following links."""
import json
import os
import threading

import pytest

import run
from model import batch
from model.output import atomic, batch_set
from tests.batches import scenarios


def snapshot(folder):
    """Every file under ``folder`` (links not followed) with its bytes."""
    out = {}
    for here, _, files in os.walk(folder):
        for f in files:
            p = os.path.join(here, f)
            out[os.path.relpath(p, folder)] = os.readlink(p) if os.path.islink(p) else open(p, "rb").read()
    return out


# ---------------------------------------------------------------- what a scenario may replace
def test_a_scenario_does_not_replace_what_the_tool_did_not_write(tmp_path, quick):
    out = tmp_path / "out"
    (out / "notes").mkdir(parents=True)
    (out / "notes" / "ideas.txt").write_text("mine", encoding="utf-8")
    (out / "README.md").write_text("my notes on the results", encoding="utf-8")
    src = tmp_path / "src"
    src.mkdir()
    paths = scenarios(src, good="name: good\n", notes="# a comment\nname: notes\n", readme="name: README.md\n")
    good, notes, readme = batch.run_batch(paths, out, ["test"], quick)
    assert good.ok and not notes.ok and not readme.ok
    assert notes.problems == [f"{paths[1]}:2: name: 'notes' would replace {out / 'notes'}, which has no "
                              "manifest.json of this tool (not a results folder it wrote); the tool replaces only "
                              "results folders it wrote: rename the scenario, or move that entry away"]
    assert readme.problems[0].startswith(f"{paths[2]}:1: name: 'README.md' would replace {out / 'README.md'}, "
                                         "which is a file, not a results folder")
    assert (out / "notes" / "ideas.txt").read_text(encoding="utf-8") == "mine"
    assert (out / "README.md").read_text(encoding="utf-8") == "my notes on the results"
    assert (out / "comparison" / "scorecards.csv").exists()


def test_a_linked_results_folder_is_not_followed(tmp_path, quick):
    theirs = tmp_path / "elsewhere"
    theirs.mkdir()
    (theirs / "manifest.json").write_text(json.dumps({"tool": "beijing-scenarios", "run": "x", "scenario": {}}),
                                          encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "a").symlink_to(theirs, target_is_directory=True)
    path, = scenarios(tmp_path, a="name: a\n")
    (outcome,) = batch.run_batch([path], out, ["test"], quick)
    assert not outcome.ok and "is a symbolic link" in outcome.problems[0]
    assert (out / "a").is_symlink() and sorted(p.name for p in theirs.iterdir()) == ["manifest.json"]


def test_folders_of_earlier_versions_are_replaced(tmp_path, quick):
    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)
    (out / "a" / "manifest.json").write_text(json.dumps({"run": "0123456789ab", "scenario": {"name": "a"}}),
                                             encoding="utf-8")
    (out / "a" / "stale.csv").write_text("old", encoding="utf-8")
    path, = scenarios(tmp_path, a="name: a\n")
    (outcome,) = batch.run_batch([path], out, ["test"], quick)
    assert outcome.ok and not (out / "a" / "stale.csv").exists()
    assert json.loads((out / "a" / "manifest.json").read_text(encoding="utf-8"))["tool"] == "beijing-scenarios"


@pytest.mark.parametrize("name", ["baseline.yaml", "Plan.YML"])
def test_a_name_like_a_scenario_file_is_refused_where_it_is_declared(tmp_path, name):
    """With --out in the scenarios folder, such a scenario's folder would take the file's place."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "baseline.yaml").write_text("name: base\n", encoding="utf-8")
    (folder / "x.yaml").write_text(f"description: d\nname: {name}\n", encoding="utf-8")
    code = run.main([str(folder / "x.yaml"), "--out", str(folder), "--no-figures", "--no-analyses"])
    assert code == 1
    assert (folder / "baseline.yaml").read_text(encoding="utf-8") == "name: base\n"
    from model.core.problems import ScenarioError
    from model.scenario.loader import load_scenario
    with pytest.raises(ScenarioError, match=rf"x.yaml:2: name: '{name}' ends like a scenario file"):
        load_scenario(folder / "x.yaml")


def test_names_that_differ_only_in_case_clash_with_their_line(tmp_path, quick):
    first, second = scenarios(tmp_path, a="name: Case\n", b="description: d\nname: case\n")
    _, clash = batch.run_batch([first, second], tmp_path / "out", ["test"], quick)
    assert clash.problems == [f"{second}:2: name: 'case' is also the name of {first}:1; names must differ, "
                              "ignoring case (they name the output folders)"]


# ---------------------------------------------------------------- recovery acts on the tool's own names only
def test_recovery_leaves_look_alike_names_alone(tmp_path):
    for name in (".cache.x.tmp", ".photos.old-123", ".photos.bsm-old-123"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "keep.txt").write_text(name, encoding="utf-8")
    (tmp_path / ".notes.ab12.tmp").write_text("mine", encoding="utf-8")
    before = snapshot(tmp_path)
    notes = atomic.recover(tmp_path)
    assert snapshot(tmp_path) == before and not (tmp_path / "photos").exists()
    assert notes == ["left .photos.bsm-old-123 as it is: not a results folder of this tool"]


def test_recovery_restores_only_a_folder_with_the_tools_manifest(tmp_path):
    aside = tmp_path / ".case.bsm-old-77"
    aside.mkdir()
    (aside / "manifest.json").write_text(json.dumps({"tool": "beijing-scenarios", "run": "r", "scenario": {}}),
                                         encoding="utf-8")
    atomic.recover(tmp_path)
    assert (tmp_path / "case" / "manifest.json").exists() and not aside.exists()


# ---------------------------------------------------------------- the lock and the manifests
def test_the_lock_does_not_follow_a_link(tmp_path, quick, capsys):
    precious = tmp_path / "precious.txt"
    precious.write_text("do not truncate", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / ".lock").symlink_to(precious)
    path, = scenarios(tmp_path, a="name: a\n")
    assert run.main([str(path), "--out", str(out), "--no-figures", "--no-analyses"]) == 2
    assert precious.read_text(encoding="utf-8") == "do not truncate"
    assert "is a symbolic link; the lock is never opened through one" in capsys.readouterr().err


def test_the_lock_is_not_a_file_with_other_names(tmp_path):
    precious = tmp_path / "precious.txt"
    precious.write_text("do not truncate", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    os.link(precious, out / ".lock")
    with pytest.raises(OSError, match="hard links"):
        with atomic.locked(out, wait=0):
            pass
    assert precious.read_text(encoding="utf-8") == "do not truncate"


def test_a_fifo_named_manifest_does_not_hang_the_run(tmp_path):
    (tmp_path / "sub").mkdir()
    os.mkfifo(tmp_path / "sub" / "manifest.json")
    found = []
    worker = threading.Thread(target=lambda: found.append(batch.stale_folders(tmp_path, "r")), daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive() and found == [[]]


@pytest.mark.parametrize("target", ["/dev/zero", "fifo", "big"])
def test_a_manifest_is_read_only_from_a_bounded_regular_file(tmp_path, target):
    from model.output import owned
    folder = tmp_path / "a"
    folder.mkdir()
    if target == "fifo":
        os.mkfifo(folder / "manifest.json")
    elif target == "big":
        with open(folder / "manifest.json", "wb") as fh:
            fh.write(b'{"run": "' + b"x" * (owned.MANIFEST_MAX_BYTES + 10) + b'", "scenario": {}}')
    else:
        (folder / "manifest.json").symlink_to(target)
    assert owned.read_manifest(folder) is None and owned.in_the_way(folder) is not None


# ---------------------------------------------------------------- the batch's outputs, one set
def batch_outputs(out):
    return {name: snapshot(out / name) if (out / name).is_dir() else (out / name).read_bytes()
            for name in ("comparison", "summary.md", "report.html", "results.xlsx")}


def test_an_interrupted_rerun_keeps_the_previous_batch_outputs(tmp_path, quick, monkeypatch):
    a, b = scenarios(tmp_path, a="name: a\n", b="name: b\n")
    out = tmp_path / "out"
    batch.run_batch([a, b], out, ["test"], quick)
    first = json.loads((out / "comparison" / "manifest.json").read_text(encoding="utf-8"))["run"]
    before = batch_outputs(out)
    real = batch.run_scenario

    def interrupted(scenario, *args, **kwargs):
        if scenario.name == "b":
            raise KeyboardInterrupt
        return real(scenario, *args, **kwargs)
    monkeypatch.setattr(batch, "run_scenario", interrupted)
    a.write_text("name: a\ngrowth: {ict: 9}\n", encoding="utf-8")
    journal = batch.Journal()
    with pytest.raises(KeyboardInterrupt):
        batch.run_batch([a, b], out, ["test"], quick, journal=journal)
    assert batch_outputs(out) == before
    second = json.loads((out / "a" / "manifest.json").read_text(encoding="utf-8"))["run"]
    assert second != first
    assert journal.kept() == (f"kept the previous comparison/, summary.md, report.html and results.xlsx (run {first});"
                              f" scenario folders already replaced by this run (complete; each manifest.json names "
                              f"run {second}): a/; the next run into {out} removes what this one left unfinished")
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [".lock"]


@pytest.mark.parametrize("jobs", [1, 2])      # with 2, the workbook is written by a forked process
def test_a_failure_while_writing_the_batch_outputs_keeps_the_previous_ones(tmp_path, quick, monkeypatch, jobs):
    a, = scenarios(tmp_path, a="name: a\n")
    out = tmp_path / "out"
    batch.run_batch([a], out, ["test"], quick)
    before = batch_outputs(out)
    monkeypatch.setattr(batch_set, "write_workbook", lambda *a: (_ for _ in ()).throw(PermissionError(13, "denied")))
    outcomes = batch.run_batch([a], out, ["test"], quick, jobs=jobs)
    assert outcomes[-1].kind == "batch" and "denied" in outcomes[-1].problems[0]
    assert batch_outputs(out) == before
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [".lock"]


def test_a_summary_the_tool_did_not_write_is_left_alone(tmp_path, capsys):
    a, = scenarios(tmp_path, a="name: a\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.md").write_text("# my own summary\n", encoding="utf-8")
    assert run.main([str(a), "--out", str(out), "--no-figures", "--no-analyses"]) == 1
    printed = capsys.readouterr()
    assert (out / "a" / "timeseries.csv").exists()
    assert "1 of 1 scenarios written" in printed.out          # the batch's outputs are not a scenario
    assert "summary:" not in printed.out                      # the summary there is not this run's
    assert f"FAILED  comparison\n  the comparison, summary, report and workbook of this run were not written: " \
           f"{out / 'summary.md'} is not a file this tool wrote" in printed.err
    assert (out / "summary.md").read_text(encoding="utf-8") == "# my own summary\n"
    assert not (out / "comparison").exists() and not (out / "report.html").exists()


@pytest.mark.parametrize("dies_after", [0, 1, 2, 3])
def test_a_batch_swap_killed_at_any_step_leaves_a_whole_set(tmp_path, monkeypatch, dies_after):
    """Killed before the swap is decided: the old set after recovery; after: the new one."""
    out = tmp_path / "out"
    out.mkdir()
    old = {"summary.md": b"# s\n\nRun `aaaaaaaaaaaa`: old\n", "report.html": b'<meta name="generator" '
           b'content="beijing-scenarios">old'}
    for name, data in old.items():
        (out / name).write_bytes(data)
    (out / "comparison").mkdir()
    (out / "comparison" / "manifest.json").write_text(json.dumps({"tool": "beijing-scenarios", "run": "a"}),
                                                      encoding="utf-8")
    staged = atomic.stage(out)
    (staged / "summary.md").write_bytes(b"# s\n\nRun `bbbbbbbbbbbb`: new\n")
    (staged / "comparison").mkdir()
    (staged / "comparison" / "manifest.json").write_text(json.dumps({"tool": "beijing-scenarios", "run": "b"}),
                                                         encoding="utf-8")
    real, calls = os.replace, []

    def replace(src, dst):
        if len(calls) == dies_after:
            raise SystemExit("killed")        # the process dies here: nothing after it runs
        calls.append(dst)
        real(src, dst)
    monkeypatch.setattr(atomic.os, "replace", replace)
    with pytest.raises(SystemExit):
        atomic.commit(out, staged, ["comparison", "summary.md", "report.html", "results.xlsx"])
    monkeypatch.setattr(atomic.os, "replace", real)
    atomic.recover(out)
    names = sorted(p.name for p in out.iterdir())
    summary = (out / "summary.md").read_bytes()
    if dies_after == 0:        # before the staging folder became the decided swap
        assert names == ["comparison", "report.html", "summary.md"] and b"old" in summary
        assert (out / "report.html").read_bytes() == old["report.html"]
    else:
        assert names == ["comparison", "summary.md"] and b"new" in summary
        assert json.loads((out / "comparison" / "manifest.json").read_text(encoding="utf-8"))["run"] == "b"


def test_a_run_killed_while_deleting_an_old_folder_leaves_nothing_behind(tmp_path, monkeypatch):
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"tool": "beijing-scenarios", "run": "r", "scenario": {}}),
                                          encoding="utf-8")
    monkeypatch.setattr(atomic, "remove", lambda path: (_ for _ in ()).throw(SystemExit("killed")))
    with pytest.raises(SystemExit):
        atomic.write_atomically(folder, lambda tmp: (tmp / "manifest.json").write_text(
            json.dumps({"tool": "beijing-scenarios", "run": "new", "scenario": {}}), encoding="utf-8"))
    monkeypatch.undo()
    atomic.recover(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case"]
    assert json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["run"] == "new"

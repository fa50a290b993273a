"""The command line as a careless or hostile user meets it: numbers in other scripts, an empty folder
name, signals, closed or full outputs, memory bounds, file names that are not UTF-8, and the count of
scenarios."""
import errno
import json
import os
import subprocess
import sys

import pytest

import run
from model import batch, cli
from tests.batches import children, scenarios


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    """A one-line scenario, with the current folder a fresh one: an option read wrongly runs nothing big
    and writes nowhere else (``--show`` prints the scenario and runs nothing)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scenarios").mkdir()
    path = tmp_path / "scenarios" / "a.yaml"
    path.write_text("name: a\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("flag", ["--draws", "--seed", "--chunk", "--sobol"])
def test_numbers_take_ascii_digits_only(flag, tiny, capsys):
    with pytest.raises(SystemExit) as info:
        run.main([flag, "١٠٠", "--show", str(tiny)])          # Arabic-Indic digits: int() reads 100
    assert info.value.code == 2 and "not a whole number (digits 0-9)" in capsys.readouterr().err


def test_goal_from_takes_ascii_digits_only(tiny, capsys):
    with pytest.raises(SystemExit) as info:
        run.main(["--goal-from", "٢٠٢١", "--show", str(tiny)])
    assert info.value.code == 2 and "neither 2021 nor 2022" in capsys.readouterr().err


def test_an_empty_output_folder_is_refused(tiny, capsys):
    with pytest.raises(SystemExit) as info:
        run.main(["--out", "", "--show", str(tiny)])
    assert info.value.code == 2 and "--out . for the current one" in capsys.readouterr().err


def manifest_run(folder):
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["run"]


# ---------------------------------------------------------------- Ctrl-C, SIGTERM, SIGHUP
def test_ctrl_c_says_what_is_kept(tmp_path, monkeypatch, capsys):
    a, = scenarios(tmp_path, a="name: a\n")
    out = tmp_path / "out"
    assert run.main([str(a), "--out", str(out), "--no-figures", "--no-analyses"]) == 0
    first = manifest_run(out / "comparison")
    monkeypatch.setattr(batch, "stale_folders", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
    capsys.readouterr()
    before = children()
    assert run.main([str(a), "--out", str(out), "--no-figures", "--no-analyses"]) == 130
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(
        f"interrupted (Ctrl-C): kept the previous comparison/, summary.md, report.html and results.xlsx (run {first}); "
        "scenario folders already replaced by this run")
    # the processes working beside the run (its folder, its workbook) are stopped, and the lock is free
    assert children() - before == set()
    assert run.main([str(a), "--out", str(out), "--no-figures", "--no-analyses"]) == 130


@pytest.mark.parametrize("step", ["parse_args", "_terminal"])
def test_ctrl_c_at_the_very_start_is_one_line(step, tiny, monkeypatch, capsys):
    """Before the run: while the arguments are read, matplotlib is imported, the terminal is set up."""
    monkeypatch.setattr(cli, step, lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        code = run.main([str(tiny), "--show"])
    except KeyboardInterrupt:
        code = "a traceback"
    err = capsys.readouterr().err
    assert code == 130 and err == "interrupted (Ctrl-C): nothing was written\n"


DRIVER = """
import os, signal, sys
sys.path.insert(0, {root!r})
import run
from model import batch
real = batch.run_scenario
def run_scenario(scenario, *args, **kwargs):
    if scenario.name == "b":
        os.kill(os.getpid(), signal.{signal})
    return real(scenario, *args, **kwargs)
batch.run_scenario = run_scenario
sys.exit(run.main(sys.argv[1:]))
"""


@pytest.mark.parametrize("name,code", [("SIGTERM", 143), ("SIGHUP", 129)])
def test_sigterm_and_sighup_stop_the_run_like_ctrl_c(tmp_path, name, code):
    a, b = scenarios(tmp_path, a="name: a\n", b="name: b\n")
    out = tmp_path / "out"
    assert run.main([str(a), str(b), "--out", str(out), "--no-figures", "--no-analyses"]) == 0
    first, summary = manifest_run(out / "comparison"), (out / "summary.md").read_bytes()
    a.write_text("name: a\ngrowth: {ict: 9}\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", DRIVER.format(root=str(run.ROOT), signal=name), str(a), str(b),
                           "--out", str(out), "--no-figures", "--no-analyses", "--jobs", "1"], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == code, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"stopped by {name}: kept the previous comparison/, summary.md, report.html and "
                                  f"results.xlsx (run {first}); scenario folders already replaced by this run")
    assert proc.stderr.rstrip().endswith(f": a/; the next run into {out} removes what this one left unfinished")
    assert manifest_run(out / "comparison") == first and (out / "summary.md").read_bytes() == summary
    assert manifest_run(out / "a") != first and manifest_run(out / "b") == first


# ---------------------------------------------------------------- outputs that cannot be written
def test_a_closed_pipe_on_stdout_is_one_line(tiny):
    read, write = os.pipe()
    os.close(read)                           # nobody reads: the first write fails (EPIPE)
    try:
        proc = subprocess.run([sys.executable, str(run.ROOT / "run.py"), "--show", str(tiny)], stdout=write,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write)
    assert proc.returncode == cli.OUTPUT_ERROR, proc.stderr
    assert proc.stderr == "output error: cannot write to standard output: Broken pipe\n"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_a_full_stdout_is_one_line(tiny):
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, str(run.ROOT / "run.py"), "--show", str(tiny)], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    assert proc.returncode == cli.OUTPUT_ERROR, proc.stderr
    assert proc.stderr == "output error: cannot write to standard output: No space left on device\n"


def test_a_full_device_stops_the_batch_with_one_line(tmp_path, monkeypatch, capsys):
    a, b = scenarios(tmp_path, a="name: a\n", b="name: b\n")
    out = tmp_path / "out"
    assert run.main([str(a), "--out", str(out), "--no-figures", "--no-analyses"]) == 0
    first = manifest_run(out / "comparison")
    tried = []

    def full(out_dir, computed, *args, **kwargs):
        tried.append(computed.name)
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(batch, "write_scenario", full)
    capsys.readouterr()
    assert run.main([str(a), str(b), "--out", str(out), "--no-figures", "--no-analyses", "--jobs", "1"]) == \
        cli.OUTPUT_ERROR
    err = capsys.readouterr().err
    assert tried == ["a"] and err.count("\n") == 1
    assert err.startswith(f"output error: cannot write to {out / 'a'}: No space left on device; kept the previous "
                          f"comparison/, summary.md, report.html and results.xlsx (run {first}); no scenario folder "
                          "was replaced")


# ---------------------------------------------------------------- file names, counts
def test_a_failing_scenario_with_a_file_name_that_is_not_utf8(tmp_path, capsys):
    good, = scenarios(tmp_path, good="name: good\n")
    bad = os.fsdecode(bytes(tmp_path) + b"/bad\xff.yaml")
    with open(bad, "w", encoding="utf-8") as fh:
        fh.write("horizon: 1999\n")
    out = tmp_path / "out"
    assert run.main([str(good), bad, "--out", str(out), "--no-figures", "--no-analyses"]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "internal error" not in captured.err
    assert "1 of 2 scenarios written" in captured.out
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "bad\\xff.yaml" in summary and "in progress" not in summary
    assert (out / "comparison" / "scorecards.csv").exists()


# ---------------------------------------------------------------- a memory bound, stated and enforced
def test_a_sobol_sample_above_the_memory_bound_is_refused(tiny, capsys):
    from model.analysis import memory
    with pytest.raises(SystemExit) as info:
        run.main(["--sobol", "65536", "--show", str(tiny)])     # the documented maximum used to take 3.7 GB
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert f"above the bound of 2.0 GiB: at most {memory.largest_sobol():,}" in err
    with pytest.raises(ValueError, match="above the bound of 2.0 GiB"):
        batch.RunOptions(sobol=65536)


def test_the_bound_holds_for_every_size_it_lets_through():
    from model.analysis import memory
    largest = memory.largest_sobol()
    assert 1 << 15 <= largest < 1 << 16
    assert all(memory.sobol_peak_bytes(largest, h) <= memory.MEMORY_BOUND for h in range(2021, 2061))
    assert any(memory.sobol_peak_bytes(largest + 1, h) > memory.MEMORY_BOUND for h in range(2021, 2061))
    assert all(memory.monte_carlo_peak_bytes(batch.MAX_CHUNK, h) <= memory.MEMORY_BOUND for h in range(2021, 2061))


def test_the_sobol_sample_runs_in_chunks_with_the_same_gaps(monkeypatch):
    import numpy as np

    from model.analysis import sensitivity
    from model.baseline.baselines import baseline_for
    from model.scenario.loader import scenario_from_dict
    from model.targets.sets import load_set
    scenario, baseline = scenario_from_dict({"name": "s"}), baseline_for({})
    targets = [t for t in load_set("plan14") if t.modelled]
    inputs = sensitivity.sobol_inputs()
    values = np.random.default_rng(1).uniform([x.low for x in inputs], [x.high for x in inputs], (50, len(inputs)))
    whole = sensitivity.sample_gaps(scenario, baseline, inputs, values, targets, {})
    monkeypatch.setattr(sensitivity, "chunk_size", lambda requested, horizon: 7)
    cut = sensitivity.sample_gaps(scenario, baseline, inputs, values, targets, {})
    assert whole.keys() == cut.keys() and all(np.array_equal(whole[k], cut[k]) for k in whole)


MEASURE = """
import resource, sys
sys.path.insert(0, {root!r})
from model.analysis.sensitivity import sobol_indices
from model.baseline.baselines import baseline_for
from model.scenario.loader import scenario_from_dict
from model.targets.sets import load_set
scenario = scenario_from_dict({{"name": "s", "horizon": {horizon}}})
sobol_indices(scenario, baseline_for({{}}), load_set("plan14"), n={n}, seed=1)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


@pytest.mark.slow
@pytest.mark.parametrize("n,horizon", [(4096, 2025), (2048, 2060)])
def test_a_sobol_run_stays_within_its_estimate(n, horizon):
    pytest.importorskip("SALib")
    from model.analysis import memory
    proc = subprocess.run([sys.executable, "-c", MEASURE.format(root=str(run.ROOT), n=n, horizon=horizon)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout.split()[-1]) <= memory.sobol_peak_bytes(n, horizon)


# ---------------------------------------------------------------- the docs say what the code does
def test_the_docs_state_the_exit_codes_and_the_memory_bound():
    import re

    from model.analysis import memory
    cli_page = (run.ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    documented = re.findall(r"^\| (\d+) \|", cli_page, re.M)
    assert documented == re.findall(r"^  (\d+) ", cli.EXIT_CODES, re.M)
    assert {str(c) for c in (*cli.STOPPING.values(), cli.OUTPUT_ERROR)} <= set(documented)
    largest = f"{memory.largest_sobol():,}"
    for page in ("cli.md", "uncertainty.md"):
        assert largest in (run.ROOT / "docs" / page).read_text(encoding="utf-8"), page
    assert "2 GiB" in (run.ROOT / "README.md").read_text(encoding="utf-8")

"""The command line's own options: --version, --help, progress, -q/-v, a missing optional package, the
last line; the entry points (run.py, python -m model).

Most tests replace the batch by a stand-in that reports progress, logs and writes a summary the way
the real one does, so they check what the command prints, fast; one slow test runs the real batch.
"""
import io
import logging
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import model
import run
from model import batch, cli
from model.analysis import montecarlo
from model.batch import Outcome, Progress
from model.scenario.loader import scenario_from_dict
from model.targets.definitions import load_targets


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self):
        return True


# ---------------------------------------------------------------- entry points, --version, --help
def test_run_py_is_the_package_command():
    assert run.main is cli.main and run.parse_args is cli.parse_args and run.ROOT == cli.ROOT
    assert len((cli.ROOT / "run.py").read_text(encoding="utf-8").splitlines()) <= 7


def test_version_names_the_package_version_and_the_commit(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["--version"])
    assert info.value.code == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith(f"beijing-scenarios {model.__version__}")
    head = subprocess.run(["git", "-C", str(cli.ROOT), "rev-parse", "--short=12", "HEAD"], capture_output=True,
                          text=True)
    if head.returncode == 0:
        assert re.fullmatch(rf"beijing-scenarios \S+ \(git {head.stdout.strip()}\+?\)", out)


def test_version_outside_a_checkout_has_no_commit(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "ROOT", tmp_path)
    assert cli.version_text() == f"beijing-scenarios {model.__version__}"


def test_the_names_in_messages_are_those_of_pyproject():
    text = (cli.ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^name = "(.+)"$', text, re.M).group(1) == cli.DIST
    assert re.search(r'^beijing-scenarios = "model\.cli:run"$', text, re.M)
    assert re.search(r"^sensitivity = \[.*SALib", text, re.M)


def test_help_has_examples_and_exit_codes(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and "beijing-scenarios --show scenarios/plan.yaml" in out
    codes = out[out.index("exit codes:"):]
    for code in ("0", "1", "2", "130"):
        assert re.search(rf"^  {code} +\S", codes, re.M), code


def test_python_m_model_is_the_command():
    proc = subprocess.run([sys.executable, "-m", "model", "--help"], cwd=cli.ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: python -m model") and "exit codes:" in proc.stdout


def test_verbose_and_quiet_exclude_each_other(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["-v", "-q"])
    assert info.value.code == 2 and "not allowed with" in capsys.readouterr().err


# ---------------------------------------------------------------- default scenarios
def test_default_scenarios_are_those_of_the_current_folder(tmp_path):
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "mine.yaml").write_text("name: mine\n", encoding="utf-8")
    assert cli.default_scenarios(tmp_path) == [tmp_path / "scenarios" / "mine.yaml"]


def test_default_scenarios_elsewhere_are_the_shipped_ones(tmp_path, monkeypatch):
    assert cli.default_scenarios(tmp_path) == sorted((cli.ROOT / "scenarios").glob("*.yaml"))   # a checkout
    packaged = tmp_path / "site" / "model" / "shipped_scenarios"
    packaged.mkdir(parents=True)
    (packaged / "baseline.yaml").write_text("name: baseline\n", encoding="utf-8")
    monkeypatch.setattr(cli, "SHIPPED", packaged)                                               # a wheel
    assert cli.default_scenarios(tmp_path) == [packaged / "baseline.yaml"]


# ---------------------------------------------------------------- progress, as text
def test_progress_text_of_a_step():
    assert cli.progress_text(Progress(3, 8, "plan", "scorecard"), 1.0) == "[3/8] plan: scorecard"


def test_progress_text_of_draws_has_rate_and_time_left():
    text = cli.progress_text(Progress(2, 8, "plan", "Monte Carlo", 5_000, 20_000), 2.0)
    assert text == "[2/8] plan: Monte Carlo 5,000 of 20,000 draws (25 %), 2,500 draws/s, 0:00:06 left"
    long = cli.progress_text(Progress(1, 1, "a", "Monte Carlo", 1, 10_000), 1.0)
    assert long.endswith("1 draws/s, 2:46:39 left")


def test_progress_line_rewrites_one_line_and_is_throttled():
    clock = iter([0.0, 0.05, 0.1, 0.3, 0.31, 0.32])
    stream = Terminal()
    line = cli.ProgressLine(stream, clock=lambda: next(clock), interval=0.2)
    line(Progress(1, 1, "a", "Monte Carlo", 0, 300))
    line(Progress(1, 1, "a", "Monte Carlo", 100, 300))    # 0.05 s later: not shown
    line(Progress(1, 1, "a", "Monte Carlo", 200, 300))    # 0.1 s: not shown
    line(Progress(1, 1, "a", "Monte Carlo", 250, 300))    # 0.3 s: shown
    line(Progress(1, 1, "a", "Monte Carlo", 300, 300))    # the last chunk: always shown
    line(Progress(1, 1, "a", "writing"))                  # a new step: always shown
    writes = stream.getvalue().split("\r")[1:]
    assert [w.split(":", 1)[1].strip()[:22] for w in writes] == [
        "Monte Carlo 0 of 300 d", "Monte Carlo 250 of 300", "Monte Carlo 300 of 300", "writing\x1b[K"]
    line.clear()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_a_broken_terminal_does_not_stop_the_run():
    stream = Terminal()
    stream.close()
    line = cli.ProgressLine(stream)
    line(Progress(1, 1, "a", "writing"))
    line.clear()


# ---------------------------------------------------------------- the command with a stand-in batch
@pytest.fixture
def debug_logger():
    """Set a logger to DEBUG for one test (as a debug configuration of the root would)."""
    saved = []

    def set_debug(name):
        logger = logging.getLogger(name)
        saved.append((logger, logger.level))
        logger.setLevel(logging.DEBUG)
        return logger
    yield set_debug
    for logger, level in saved:
        logger.setLevel(level)


@pytest.fixture
def fake_batch(monkeypatch, tmp_path, debug_logger):
    """``batch.run_batch`` replaced: reports a Monte Carlo in four chunks and a step, logs as the
    model and as matplotlib do, warns, writes the summary; one scenario, ok, with one warning
    (or failed, with ``fail``).  Python warnings are printed on stderr, as outside pytest."""
    state = {"fail": False, "calls": []}
    font = debug_logger("matplotlib.font_manager")
    warnings.simplefilter("always")          # pytest restores the filters after the test
    monkeypatch.setattr(warnings, "showwarning", lambda message, category, *a, **k:
                        sys.stderr.write(f"{category.__name__}: {message}\n"))

    def run_batch(paths, out_dir, command, options, lock_wait=10.0, progress=None, journal=None, **_):
        state["calls"].append(command)
        for done in (0, 2_500, 5_000, 7_500, 10_000):
            if progress is not None:
                progress(Progress(1, 1, "case", "Monte Carlo", done, 10_000))
        if progress is not None:
            progress(Progress(1, 1, "case", "writing"))
        logging.getLogger("model.batch").info("[1/1] case: writing")
        logging.getLogger("model.batch").warning("out: restored case/")
        font.debug("findfont: Matching sans-serif")
        warnings.warn("a numerical warning", RuntimeWarning, stacklevel=1)
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        (Path(out_dir) / "summary.md").write_text("# summary\n\nRun `0123456789ab`: 1 scenario folder(s)\n",
                                                  encoding="utf-8")
        if state["fail"]:
            return [Outcome(file="case.yaml", problems=["case.yaml:2: growth.x: unknown key"])]
        return [Outcome(file="case.yaml", name="case", folder=Path(out_dir) / "case",
                        warnings=["case.yaml:3: growth.finance: 30 is implausible"])]

    monkeypatch.setattr(batch, "run_batch", run_batch)
    scenario = tmp_path / "case.yaml"
    scenario.write_text("name: case\n", encoding="utf-8")
    state["argv"] = [str(scenario), "--out", str(tmp_path / "out")]
    state["out"] = tmp_path / "out"
    return state


def on_terminal(monkeypatch, capsys, argv):
    """Run ``argv`` with a stderr that is a terminal (200 columns): (exit code, stdout, stderr)."""
    monkeypatch.setenv("COLUMNS", "200")
    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    code = cli.main(argv)
    return code, capsys.readouterr().out, err.getvalue()


def test_progress_on_a_terminal(fake_batch, monkeypatch, capsys):
    code, out, err = on_terminal(monkeypatch, capsys, fake_batch["argv"])
    assert code == 0
    assert "\r[1/1] case: Monte Carlo 10,000 of 10,000 draws (100 %)" in err and "draws/s" in err
    assert "left" in err and "\r[1/1] case: writing" in err
    assert err.index("\r\x1b[KWARNING model.batch: out: restored case/") > err.index("draws/s")  # line cleared


def test_no_progress_when_piped(fake_batch, capsys):
    assert cli.main(fake_batch["argv"]) == 0
    err = capsys.readouterr().err
    assert "\r" not in err and "draws" not in err and "Monte Carlo" not in err
    assert "warning: case.yaml:3: growth.finance" in err and "RuntimeWarning: a numerical warning" in err


def test_progress_option_overrides_the_terminal_test(fake_batch, monkeypatch, capsys):
    assert cli.main([*fake_batch["argv"], "--progress"]) == 0
    assert "\r[1/1] case: Monte Carlo" in capsys.readouterr().err
    _, _, err = on_terminal(monkeypatch, capsys, [*fake_batch["argv"], "--no-progress"])
    assert "\r" not in err and "Monte Carlo" not in err


def test_quiet_prints_nothing_when_all_ran(fake_batch, monkeypatch, capsys):
    code, out, err = on_terminal(monkeypatch, capsys, [*fake_batch["argv"], "-q"])
    assert code == 0 and out == "" and err == ""


def test_quiet_still_prints_errors(fake_batch, capsys):
    fake_batch["fail"] = True
    assert cli.main([*fake_batch["argv"], "--quiet"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "FAILED  case.yaml\n  case.yaml:2: growth.x: unknown key\n"


def test_verbose_shows_the_model_log_not_matplotlib(fake_batch, capsys):
    assert cli.main([*fake_batch["argv"], "-v"]) == 0
    err = capsys.readouterr().err
    assert "INFO model.batch: [1/1] case: writing" in err
    assert "findfont" not in err


def test_default_shows_model_warnings_not_its_info(fake_batch, capsys):
    assert cli.main(fake_batch["argv"]) == 0
    err = capsys.readouterr().err
    assert "WARNING model.batch: out: restored case/" in err and "INFO" not in err


def test_logging_is_restored_after_a_run(fake_batch):
    handlers, level = list(logging.getLogger().handlers), logging.getLogger("model").level
    cli.main([*fake_batch["argv"], "-v"])
    assert logging.getLogger().handlers == handlers and logging.getLogger("model").level == level


def test_last_line_names_the_summary_and_the_report_that_exist(fake_batch, capsys):
    out_dir = fake_batch["out"]
    assert cli.main(fake_batch["argv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2] == f"1 of 1 scenarios written to {out_dir}"
    assert lines[-1] == f"summary: {out_dir / 'summary.md'}"
    (out_dir / "report.html").write_text('<html><meta name="generator" content="beijing-scenarios"></html>',
                                         encoding="utf-8")
    assert cli.main(fake_batch["argv"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (f"summary: {out_dir / 'summary.md'}; "
                                                        f"report: {out_dir / 'report.html'}")


def test_the_manifest_records_the_command_as_typed(fake_batch):
    cli.main(fake_batch["argv"], prog="run.py")
    cli.main(fake_batch["argv"])
    assert fake_batch["calls"] == [["run.py", *fake_batch["argv"]], ["beijing-scenarios", *fake_batch["argv"]]]


def test_missing_salib_names_the_extra(fake_batch, monkeypatch, capsys):
    for name in [m for m in sys.modules if m == "SALib" or m.startswith("SALib.")] + ["SALib"]:
        monkeypatch.setitem(sys.modules, name, None)          # import SALib now fails
    assert cli.main([*fake_batch["argv"], "--sobol", "64"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'beijing-scenarios[sensitivity]'" in err and "internal error" not in err
    assert fake_batch["calls"] == []                          # refused before running anything


# ---------------------------------------------------------------- the model's progress callback
def test_monte_carlo_reports_each_chunk_and_computes_the_same(baseline):
    s = scenario_from_dict({"name": "u", "uncertainty": {"draws": 1000, "seed": 3,
                                                         "growth": {"all": {"dist": "normal", "sd": 1}}}})
    targets = load_targets()
    calls = []
    watched = montecarlo.run(s, baseline, targets, chunk=300, progress=lambda done, n: calls.append((done, n)))
    assert calls == [(300, 1000), (600, 1000), (900, 1000), (1000, 1000)]
    plain = montecarlo.run(s, baseline, targets, chunk=300)
    assert watched.targets.equals(plain.targets) and watched.fan.equals(plain.fan)


# ---------------------------------------------------------------- the real batch on a terminal
@pytest.mark.slow
def test_a_real_run_on_a_terminal(tmp_path, monkeypatch, capsys, debug_logger):
    scenario = tmp_path / "mc.yaml"
    scenario.write_text("name: mc\nuncertainty:\n  draws: 2000\n  seed: 1\n  growth:\n"
                        "    all: {dist: normal, mean: 0, sd: 1.0}\n", encoding="utf-8")
    debug_logger("matplotlib")
    out_dir = tmp_path / "out"
    code, out, err = on_terminal(monkeypatch, capsys, [str(scenario), "--out", str(out_dir), "--chunk", "500", "-v"])
    assert code == 0, err
    assert "\r[1/1] mc: Monte Carlo 2,000 of 2,000 draws (100 %)" in err and "draws/s" in err
    assert "\r[1/1] mc.yaml: loading" in err                  # named by its file until it is read
    for step in ("calibration", "projection", "scorecard", "Monte Carlo", "writing"):
        assert f"\r[1/1] mc: {step}" in err, step
        assert f"INFO model.batch: [1/1] mc: {step}" in err, step
    assert "\r[1/1] comparison: backtest and comparison" in err
    assert "findfont" not in err and "Traceback" not in err
    last = out.splitlines()[-1]
    assert last.startswith(f"summary: {out_dir / 'summary.md'}")
    assert ("report: " in last) == (out_dir / "report.html").exists()


def test_each_ok_line_says_the_scenarios_verdict(fake_batch, capsys):
    """The verdict read from the scorecard the scenario's folder holds: its set, then its counts."""
    folder = fake_batch["out"] / "case"
    folder.mkdir(parents=True)
    statuses = ["met"] * 2 + ["missed"] * 9 + ["not modelled"] * 2
    (folder / "scorecard.csv").write_text("target,status,target_set\n" + "".join(
        f"t{i},{s},plan14\n" for i, s in enumerate(statuses)), encoding="utf-8")
    assert cli.main(fake_batch["argv"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("ok"))
    assert line == f"ok      {'case':24s} -> {folder}  (plan14: 2 met, 9 missed, 2 not modelled)"
    (folder / "scorecard.csv").unlink()                    # no scorecard to read: the line without a verdict
    assert cli.main(fake_batch["argv"]) == 0
    assert f"ok      {'case':24s} -> {folder}\n" in capsys.readouterr().out


@pytest.mark.parametrize("entry", [["run.py"], ["-m", "model"]])
def test_the_entry_point_leaves_with_the_exit_code_and_every_line_written(tmp_path, entry):
    """The command leaves at once after its run (no clean-up of the heap), its exit code and its output
    whole: here a scenario that fails (1, its problem on stderr, the count on stdout, through pipes, so
    block-buffered) and ``--version`` (0)."""
    import subprocess
    import sys
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: broken\ngrowth: {ict: fast}\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, *entry, str(broken), "--out", str(tmp_path / "out"), "--no-figures"],
                          capture_output=True, text=True, cwd=cli.ROOT, timeout=120)
    assert proc.returncode == 1
    assert "broken.yaml:2" in proc.stderr and "growth.ict" in proc.stderr
    assert "0 of 1 scenarios written" in proc.stdout and proc.stdout.rstrip().splitlines()[-1].startswith("summary: ")
    version = subprocess.run([sys.executable, *entry, "--version"], capture_output=True, text=True, cwd=cli.ROOT,
                             timeout=60)
    assert version.returncode == 0 and version.stdout.startswith(cli.DIST)

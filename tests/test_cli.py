"""run.py end to end, in-process, into temporary folders (the slow set: ``-m 'not slow'`` leaves it out).

The shipped scenarios are run once for the whole session, every figure drawn (the ``shipped``
fixture of ``conftest.py``): the tests of what a full run writes, figures included, read that
run.  A test that needs another run makes its own, of small files, and with ``--no-figures``
where it checks tables and messages only; tests that can share a run share a module fixture.
"""
import contextlib
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import run
from model.core.iamc import IAMC_COLUMNS

SCENARIOS = sorted((run.ROOT / "scenarios").glob("*.yaml"))
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def script_run(tmp_path_factory):
    """The shipped baseline run again, by the real entry point in a process of its own."""
    out = tmp_path_factory.mktemp("script")
    baseline = next(p for p in SCENARIOS if p.name == "baseline.yaml")
    proc = subprocess.run([sys.executable, str(run.ROOT / "run.py"), str(baseline), "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    return proc, out


def test_shipped_scenarios_run(shipped):
    code, out = shipped
    assert code == 0
    assert SCENARIOS
    for path in SCENARIOS:
        import yaml
        name = yaml.safe_load(path.read_text(encoding="utf-8")).get("name", path.stem)
        folder = out / name
        resolved = json.loads((folder / "manifest.json").read_text())["resolved_parameters"]
        calibrated = ("calibration_2021.csv",) if resolved["base"] == 2020 else ()   # 2025 base: no 2021 fit
        for f in ("timeseries.csv", "scorecard.csv", "shares.png", "shares.svg", "manifest.json", "base_year.csv",
                  "trend_fit.csv") + calibrated:
            assert (folder / f).stat().st_size > 0, f
        assert_every_figure_drawn(folder)
        df = pd.read_csv(folder / "timeseries.csv")
        assert tuple(df.columns) == IAMC_COLUMNS
        assert set(df["scenario"]) == {name}
        assert_complete_and_finite(df, resolved["horizon"], resolved["base"])


def assert_every_figure_drawn(folder):
    """A full run draws each figure of its tables, as PNG and SVG: shares, tornado, backtest, the
    headline waterfalls, every lever map, and the fan chart where a Monte Carlo ran."""
    from model.output.plots_attribution import HEADLINE_TARGETS
    attributed = set(pd.read_csv(folder / "attribution.csv")["target"])
    stems = ["shares", "tornado", *(f"waterfall_{t}" for t in HEADLINE_TARGETS if t in attributed),
             *pd.read_csv(folder / "levers.csv")["map"].unique()]
    if (folder / "backtest.csv").exists():      # a 2025-base scenario has nothing to backtest
        stems.append("backtest")
    if (folder / "uncertainty.csv").exists():
        stems.append("fan")
    for stem in stems:
        for suffix in (".png", ".svg"):
            assert (folder / (stem + suffix)).stat().st_size > 1_000, (folder.name, stem + suffix)


def tables_only(*args) -> int:
    """``run.main`` with ``--no-figures``: for the tests that check tables and messages only."""
    return run.main([*map(str, args), "--no-figures"])


def assert_complete_and_finite(df, horizon, base=2020):
    """Every variable has a finite value in every year from the base year (growth rates from the year
    after, the five-year average from five years after): no row left out."""
    import numpy as np
    assert np.isfinite(df["value"]).all()
    for variable, years in df.groupby("variable")["year"]:
        first = base + 5 if variable.startswith("Growth (5-year average)|") else (
            base + 1 if variable.startswith("Growth|") else base)
        assert sorted(years) == list(range(first, horizon + 1)), variable


def test_manifest_records_inputs(shipped):
    _, out = shipped
    record = json.loads((out / "baseline" / "manifest.json").read_text())
    assert len(record["scenario"]["sha256"]) == 64
    assert set(record["data_files"]) >= {"figures.csv", "assumptions.csv", "targets.yaml"}
    assert record["resolved_parameters"]["horizon"] == 2025
    assert "numpy" in record["packages"]


def test_outputs_are_deterministic(shipped, script_run):
    _, out = shipped
    proc, again = script_run                # another process: nothing cached in this one is shared
    assert proc.returncode == 0, proc.stderr
    assert_same_outputs(out / "baseline", again / "baseline")


def assert_same_outputs(folder, again):
    """Every file of ``again`` has the bytes of ``folder``'s; manifests differ only in the command."""
    assert sorted(p.name for p in again.iterdir()) == sorted(p.name for p in folder.iterdir())
    for f in sorted(folder.iterdir()):
        if f.name == "manifest.json":       # records the command line, whose --out differs here, and the run
            first, second = json.loads(f.read_text()), json.loads((again / f.name).read_text())
            assert first.pop("command") != second.pop("command")
            first.pop("run"), second.pop("run")
            assert first == second
        else:
            assert (again / f.name).read_bytes() == f.read_bytes(), f.name


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """One tables-only batch of a good file beside a misspelt key, a refused horizon and a
    duplicate name: ``(exit code, output folder, stderr, input folder)``."""
    folder = tmp_path_factory.mktemp("mixed")
    for name, text in (("good", "name: good\n"), ("broken", "name: broken\ngrowth:\n  finanse: 5\n"),
                       ("bad", "name: bad\nhorizon: 1999\n"), ("dup", "name: good\n")):
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = tables_only(*(folder / f"{n}.yaml" for n in ("good", "broken", "bad", "dup")), "--out", folder / "out")
    return code, folder / "out", err.getvalue(), folder


def test_broken_scenario_reported_others_still_run(mixed):
    code, out, err, folder = mixed
    assert code == 1
    assert f"{folder / 'broken.yaml'}:3: growth.finanse: unknown key 'finanse'; did you mean 'finance'?" in err
    assert "Traceback" not in err
    assert (out / "good" / "timeseries.csv").exists()
    assert not (out / "broken").exists()


def test_failure_keeps_earlier_results(tmp_path):
    out = tmp_path / "out"
    good = tmp_path / "case.yaml"
    good.write_text("name: case\n", encoding="utf-8")
    assert tables_only(good, "--out", out) == 0
    before = (out / "case" / "timeseries.csv").read_bytes()
    good.write_text("name: case\nhorizon: 1999\n", encoding="utf-8")
    assert tables_only(good, "--out", out) == 1
    assert (out / "case" / "timeseries.csv").read_bytes() == before
    assert not [p for p in out.iterdir() if p.name.startswith(".") and p.name != ".lock"]


def test_duplicate_names_in_one_batch(mixed):
    code, _, err, folder = mixed
    assert code == 1
    line = next(i for i, text in enumerate((folder / "dup.yaml").read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("name:"))
    assert (f"{folder / 'dup.yaml'}:{line}: name: 'good' is also the name of {folder / 'good.yaml'}:1; names must "
            "differ") in err


def test_assumption_override_changes_partition(tmp_path):
    s = tmp_path / "hi.yaml"
    s.write_text("name: hi\nassumptions:\n  va.industry_2020: 4800\n", encoding="utf-8")
    assert tables_only(s, "--out", tmp_path) == 0
    df = pd.read_csv(tmp_path / "hi" / "timeseries.csv")
    row = df[(df.variable == "Value Added|Construction") & (df.year == 2020)]
    assert row["value"].item() == pytest.approx(5716.4 - 4800)


def test_bad_command_line(capsys):
    with pytest.raises(SystemExit) as info:
        run.main(["--no-such-flag"])
    assert info.value.code == 2


def test_command_line_script(script_run):
    """The real entry point, as a user runs it."""
    proc, _ = script_run
    assert proc.returncode == 0, proc.stderr
    assert "1 of 1 scenarios written" in proc.stdout
    card = pd.read_csv(next(Path(line.split(" -> ")[1].split("  (")[0]) for line in proc.stdout.splitlines()
                            if line.startswith("ok")) / "scorecard.csv")
    counts = card["status"].value_counts()
    verdict = f"{card['target_set'].iloc[0]}: {counts.get('met', 0)} met, {counts.get('missed', 0)} missed"
    assert re.search(rf"^ok .* -> .*  \({re.escape(verdict)}(, \d+ not modelled)?\)$", proc.stdout, re.M), proc.stdout


def test_show_prints_resolved_parameters_and_differences(capsys):
    assert run.main(["--show", str(run.ROOT / "scenarios" / "finance_deepening.yaml")]) == 0
    out = capsys.readouterr().out
    assert "Differences from baseline:" in out
    assert "growth.finance 2022-2025:" in out
    assert "finance_deepening.yaml <- " in out


def test_show_gives_a_falling_path_in_year_order(tmp_path, capsys):
    """The differences from the parent read in year order (a falling path is not sorted into a rising one);
    a rate repeated in consecutive years is written once."""
    s = tmp_path / "falling.yaml"
    s.write_text("extends: baseline\ngrowth:\n  finance: {2022: 9, 2023: 7, 2024: 5, 2025: 5}\n", encoding="utf-8")
    shutil.copy(run.ROOT / "scenarios" / "baseline.yaml", tmp_path / "baseline.yaml")
    assert run.main(["--show", str(s)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.strip().startswith("growth.finance 2022-2025:"))
    assert line.rstrip().endswith("-> 9.00/7.00/5.00 %/yr"), line


def test_show_of_a_broken_file(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("horizon: 1999\n", encoding="utf-8")
    assert run.main(["--show", str(bad)]) == 1
    assert "cannot be shown" in capsys.readouterr().out


def test_warnings_are_printed_and_recorded(tmp_path, capsys):
    s = tmp_path / "wild.yaml"
    s.write_text("growth:\n  finance: 30\n", encoding="utf-8")
    assert tables_only(s, "--out", tmp_path / "out") == 0
    assert "wild.yaml:2: growth.finance" in capsys.readouterr().err
    record = json.loads((tmp_path / "out" / "wild" / "manifest.json").read_text())
    assert any("finance" in w for w in record["warnings"])
# ---------------------------------------------------------------- targets across scenarios
TINY = {"steady": "name: steady\ngrowth: {all: 3}\n",
        "digital": "name: digital\ngrowth: {ict: 20}\n",
        "short": "name: short\nhorizon: 2023\n"}


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny")
    paths = []
    for name, text in TINY.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
        paths.append(str(folder / f"{name}.yaml"))
    out = folder / "out"
    return run.main([*paths, "--out", str(out)]), out


def test_scorecard_per_scenario(compared):
    from model.targets.definitions import load_targets
    from model.targets.scorecard import RECORD_COLUMNS, SCORECARD_COLUMNS
    code, out = compared
    assert code == 0
    card = pd.read_csv(out / "digital" / "scorecard.csv")
    assert tuple(card.columns) == SCORECARD_COLUMNS + ("p_met",) + RECORD_COLUMNS
    assert card["target"].tolist() == [t.id for t in load_targets()]
    status = dict(zip(card["target"], card["status"]))
    assert status["new_advanced_manufacturers"] == status["icv_l2_share"] == "not modelled"
    assert status["software_revenue"] == "met"           # ICT growing 20 %/yr


def test_target_beyond_horizon_is_not_projected(compared):
    _, out = compared
    card = pd.read_csv(out / "short" / "scorecard.csv")
    modelled = card[card["comparator"] != "not_modelled"]
    assert set(modelled["status"]) == {"not projected"}


def test_comparison_matrix_has_every_scenario_and_target(compared):
    from model.targets.definitions import load_targets
    from model.targets.scorecard import STATUSES
    _, out = compared
    matrix = pd.read_csv(out / "comparison" / "scorecard_matrix.csv")
    assert matrix["scenario"].tolist() == ["digital", "short", "steady"]
    assert list(matrix.columns[1:]) == [t.id for t in load_targets()]
    assert set(matrix.iloc[:, 1:].to_numpy().ravel()) <= set(STATUSES)
    gaps = pd.read_csv(out / "comparison" / "gap_matrix.csv").set_index("scenario")
    steady = pd.read_csv(out / "steady" / "scorecard.csv").set_index("target")
    assert gaps.loc["steady", "hightech_share"] == pytest.approx(steady.loc["hightech_share", "gap"])


def test_comparison_figures_written(compared):
    _, out = compared
    for stem in ("scorecard_matrix", "shares_by_scenario", "revenues_by_scenario"):
        for suffix in (".png", ".svg"):
            assert (out / "comparison" / (stem + suffix)).stat().st_size > 10_000, stem + suffix


def test_summary_lists_scenarios_and_links_existing_figures(compared):
    import re
    _, out = compared
    text = (out / "summary.md").read_text(encoding="utf-8")
    for name in TINY:
        assert f"## {name}" in text
    links = re.findall(r"\]\(([^)]+)\)", text)
    assert "comparison/scorecard_matrix.png" in links
    for link in links:
        assert (out / link).exists(), link
    assert "| target | unit | target value | projected | gap | status" in text


def test_comparison_skips_failed_scenarios_and_summary_reports_them(mixed):
    _, out, _, _ = mixed
    matrix = pd.read_csv(out / "comparison" / "scorecard_matrix.csv")
    assert matrix["scenario"].tolist() == ["good"]
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "## Failed scenarios" in summary
    assert "bad.yaml" in summary and "broken.yaml" in summary and "dup.yaml" in summary


def test_no_figures_writes_tables_only_and_the_summary_says_so(mixed):
    import re
    _, out, _, _ = mixed
    assert (out / "good" / "backtest.csv").exists() and (out / "comparison" / "scorecard_matrix.csv").exists()
    assert not [p for p in out.rglob("*") if p.suffix in (".png", ".svg")]
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "Skipped: this run was made with `--no-figures`" in summary
    for link in re.findall(r"\]\(([^)]+)\)", summary):
        assert (out / link).exists(), link


def test_comparison_is_a_reserved_name(tmp_path, capsys):
    s = tmp_path / "c.yaml"
    s.write_text("name: comparison\n", encoding="utf-8")
    assert run.main([str(s), "--out", str(tmp_path / "out")]) == 1
    assert "reserved" in capsys.readouterr().err


def test_run_record_hashes_every_data_file(compared):
    import hashlib

    from model.core.files import DATA_DIR
    _, out = compared
    record = json.loads((out / "steady" / "manifest.json").read_text())
    expected = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                for p in DATA_DIR.iterdir() if p.suffix in (".csv", ".yaml")}
    assert record["data_files"] == expected
    assert "revenue_links.csv" in expected
    assert record["revenue_links_used"]["software_info.elasticity"] == 1.0
    comparison = json.loads((out / "comparison" / "manifest.json").read_text())
    assert comparison["data_files"] == expected
    assert set(comparison["scenarios"]) == set(TINY)


def test_comparison_and_summary_are_deterministic(compared, tmp_path):
    _, out = compared
    paths = [str(p) for p in sorted(out.parent.glob("*.yaml"))]
    assert run.main([*paths, "--out", str(tmp_path)]) == 0
    assert (tmp_path / "summary.md").read_bytes() == (out / "summary.md").read_bytes()
    assert (tmp_path / "report.html").read_bytes() == (out / "report.html").read_bytes()
    assert_same_outputs(out / "comparison", tmp_path / "comparison")


def without_figures(summary: str) -> str:
    """A summary's text less its figures: the tornado links and the embedded comparison figures."""
    import re
    text = re.sub(r", tornado \[`[^`]+`\]\([^)]+\)", "", summary)
    head, _, rest = text.partition("## Figures\n")
    return head + "## Figures\n" + rest[rest.index("Tables: "):]


def test_no_figures_changes_no_table(compared, tmp_path):
    """``--no-figures`` leaves out the PNG and SVG files and nothing else: every other file has the
    bytes of the full run's, the run id included (the manifests differ in the command only)."""
    _, out = compared
    paths = sorted(out.parent.glob("*.yaml"))
    assert tables_only(*paths, "--out", tmp_path) == 0
    for folder in [*TINY, "comparison"]:
        full, tables = out / folder, tmp_path / folder
        figures = {p.name for p in full.iterdir() if p.suffix in (".png", ".svg")}
        assert figures, folder
        assert sorted(p.name for p in tables.iterdir()) == sorted(p.name for p in full.iterdir()
                                                                    if p.name not in figures)
        for f in sorted(tables.iterdir()):
            if f.name == "manifest.json":
                first, second = json.loads((full / f.name).read_text()), json.loads(f.read_text())
                assert first.pop("command") != second.pop("command")
                assert first == second
            else:
                assert f.read_bytes() == (full / f.name).read_bytes(), (folder, f.name)
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    full_summary = (out / "summary.md").read_text(encoding="utf-8")
    assert ".png" not in summary and ".png" in full_summary
    assert without_figures(summary).replace(
        "Skipped: this run was made with `--no-figures` (tables only); run again without it to draw them.\n\n",
        "") == without_figures(full_summary)


def test_monte_carlo_outputs_and_command_line_seed(tmp_path):
    s = tmp_path / "mc.yaml"
    s.write_text("uncertainty:\n  draws: 500\n  growth:\n    ict: {dist: normal, sd: 2}\n", encoding="utf-8")
    assert tables_only(s, "--out", tmp_path / "a", "--seed", "7", "--draws", "300") == 0
    folder = tmp_path / "a" / "mc"
    for f in ("uncertainty.csv", "fan.csv"):       # the fan chart: test_shipped_scenarios_run
        assert (folder / f).stat().st_size > 0, f
    mc = pd.read_csv(folder / "uncertainty.csv")
    assert (mc["draws"] == 300).all()
    record = json.loads((folder / "manifest.json").read_text())
    assert record["seed"] == 7 and record["monte_carlo"]["draws"] == 300
    card = pd.read_csv(folder / "scorecard.csv")
    assert card.loc[card["status"] == "met", "p_met"].notna().all()
    assert tables_only(s, "--out", tmp_path / "b", "--seed", "7", "--draws", "300", "--chunk", "64") == 0
    assert (tmp_path / "b" / "mc" / "uncertainty.csv").read_bytes() == (folder / "uncertainty.csv").read_bytes()


@pytest.mark.parametrize("flag", ["--draws=0", "--seed=-1", "--chunk=x"])
def test_bad_monte_carlo_flags(flag, capsys):
    with pytest.raises(SystemExit) as info:
        run.main([flag])
    assert info.value.code == 2


def test_goal_seek_sensitivity_and_sobol_outputs(tmp_path):
    s = tmp_path / "small.yaml"
    s.write_text("growth:\n  finance: 6\n", encoding="utf-8")
    assert tables_only(s, "--out", tmp_path, "--sobol", "64") == 0
    folder = tmp_path / "small"
    for f in ("goalseek.csv", "sensitivity_oat.csv", "sobol.csv"):     # the tornado: test_shipped_scenarios_run
        assert (folder / f).stat().st_size > 0, f
    goals = pd.read_csv(folder / "goalseek.csv")
    card = pd.read_csv(folder / "scorecard.csv")
    missed = set(card.loc[card["status"] == "missed", "target"])
    assert set(goals.loc[goals["status"] != "met already", "target"]) == missed
    assert "what it would take" in (tmp_path / "summary.md").read_text()
    sobol = pd.read_csv(folder / "sobol.csv")
    assert {"S1", "ST", "N", "adequate"} <= set(sobol.columns) and (sobol["N"] == 64).all()


def test_goal_from_flag(tmp_path):
    s = tmp_path / "g.yaml"
    s.write_text("name: g\n", encoding="utf-8")
    assert tables_only(s, "--out", tmp_path, "--goal-from", "2021") == 0
    notes = pd.read_csv(tmp_path / "g" / "goalseek.csv")["note"]
    assert notes.str.contains("over 2021-2025").any()
    with pytest.raises(SystemExit):
        run.main([str(s), "--goal-from", "2020"])


def test_short_horizon_with_uncertainty_runs(tmp_path):
    """A horizon before the targets' year: every target 'not projected', nothing breaks."""
    (tmp_path / "baseline.yaml").write_bytes((run.ROOT / "scenarios" / "baseline.yaml").read_bytes())
    s = tmp_path / "short.yaml"
    s.write_text("extends: baseline\nname: short\nhorizon: 2021\n", encoding="utf-8")
    assert tables_only(s, "--out", tmp_path, "--draws", "200") == 0
    card = pd.read_csv(tmp_path / "short" / "scorecard.csv")
    assert set(card["status"]) <= {"not projected", "not modelled"}
    assert pd.read_csv(tmp_path / "short" / "uncertainty.csv").empty


# ---------------------------------------------------------------- the backtest in a run
def _names(backtested: bool = True):
    """Names of the shipped scenarios; ``backtested``: only those from the 2020 base (a 2025-base
    scenario starts from the record and has nothing to backtest)."""
    from model.scenario.loader import load_scenario
    loaded = [load_scenario(p) for p in SCENARIOS]          # the base is inherited: resolve each chain
    return [s.name for s in loaded if not backtested or s.base == 2020]


def test_no_backtest_for_a_2025_base_scenario(shipped):
    _, out = shipped
    rebased = sorted(set(_names(backtested=False)) - set(_names()))
    assert rebased
    for name in rebased:
        assert (out / name / "timeseries.csv").exists() and not (out / name / "backtest.csv").exists()
        # by design, so not a warning: warnings are kept for what a reader must look at
        warnings = json.loads((out / name / "manifest.json").read_text())["warnings"]
        assert not any("backtest" in w for w in warnings), warnings


def test_backtest_written_for_every_shipped_scenario(shipped):
    from model.analysis import backtest
    _, out = shipped
    for name in _names():
        table = pd.read_csv(out / name / "backtest.csv")
        assert tuple(table.columns) == backtest.BACKTEST_COLUMNS
        assert set(table["scenario"]) == {name}
        assert "growth.gdp" in set(table["series"])
        for suffix in (".png", ".svg"):
            assert (out / name / f"backtest{suffix}").stat().st_size > 0


def test_each_evaluation_reads_one_census_vintage(shipped):
    from model.analysis import backtest
    _, out = shipped
    for name in _names():
        t = pd.read_csv(out / name / "backtest.csv")
        assert set(t["evaluation"]) == set(backtest.EVALUATIONS)
        for evaluation, basis in backtest.EVALUATIONS.items():
            assert set(t.loc[t["evaluation"] == evaluation, "census_basis"]) == {basis}, (name, evaluation)
        assert not t["method"].str.contains("ratio-linked|proportional").any()
        # approximate: partial-year shares only, never in an aggregate metric
        approximate = t[t["approximate"]]
        assert set(approximate["measure"]) <= {"share"} and (approximate["period"] != "annual").all()
        latest = t[(t["evaluation"] == backtest.LATEST) & t["series"].str.startswith("share.")
                   & (t["period"] == "annual") & t["projected"].notna()]
        # restated through the bridges, or already on the 5th basis (census: 5th)
        assert len(latest) and latest["method"].str.contains("census bridge|own 5th-census basis").all()
        assert latest[["error_bridge_low", "error_bridge_high"]].notna().all().all()


def test_batch_backtest_metrics_cover_every_scenario_the_benchmarks_and_both_evaluations(shipped):
    from model.analysis import backtest, backtest_metrics
    from model.analysis.naive import NAIVE_FLAT_2019, NAIVE_FROZEN_SHARES, NAIVE_SECTOR_AVERAGE
    _, out = shipped
    m = pd.read_csv(out / "comparison" / "backtest_metrics.csv", keep_default_na=False)
    assert tuple(m.columns) == backtest_metrics.METRIC_COLUMNS
    naive = {NAIVE_SECTOR_AVERAGE, NAIVE_FROZEN_SHARES, NAIVE_FLAT_2019}
    assert set(m["scenario"]) == set(_names()) | naive | {backtest_metrics.COMBINATION}
    every = {"growth.gdp", backtest_metrics.ANNUAL_RATES, backtest_metrics.LEVELS_AND_SHARES}
    for who, g in m.groupby(["scenario", "evaluation"]):
        assert every <= set(g["series"]), who
    assert set(m["evaluation"]) == set(backtest.EVALUATIONS)
    shares = m[(m["evaluation"] == backtest.LATEST) & (m["metric"] == backtest_metrics.BRIDGE_LOW)
               & m["series"].isin(("share.finance", "share.ict")) & (m["years"] == "2025")]
    assert len(shares) == 2 * m["scenario"].nunique()
    v = pd.read_csv(out / "comparison" / "backtest_verdicts.csv")
    assert tuple(v.columns) == backtest_metrics.VERDICT_COLUMNS
    assert set(v["candidate"]) == {backtest_metrics.BASELINE}
    assert set(v["rival"]) == {backtest_metrics.OLD_DESIGN, backtest_metrics.COMBINATION} | naive
    assert set(v["evaluation"]) == set(backtest.EVALUATIONS)


def test_realized_rows_sit_beside_the_projections_in_one_iamc_file(shipped):
    from model.core.iamc import SCENARIO_4TH, SCENARIO_5TH, STATISTICS_MODEL
    _, out = shipped
    df = pd.read_csv(out / "comparison" / "timeseries.csv")
    assert tuple(df.columns) == IAMC_COLUMNS
    real = df[df["model"] == STATISTICS_MODEL]
    assert set(real["scenario"]) == {SCENARIO_4TH, SCENARIO_5TH}
    assert set(df.loc[df["model"] != STATISTICS_MODEL, "scenario"]) == set(_names(backtested=False))   # every one
    assert not df.duplicated(["model", "scenario", "region", "variable", "unit", "year"]).any()
    wide = df.pivot_table(index=["model", "scenario", "region", "variable", "unit"], columns="year", values="value")
    growth = wide.loc[(STATISTICS_MODEL, SCENARIO_4TH, "Beijing", "Growth|Real GDP", "%")]
    assert growth[2021] == pytest.approx(8.5)
    assert (STATISTICS_MODEL, SCENARIO_5TH, "Beijing", "Share of GDP|Finance", "%") in wide.index


def test_summary_shows_the_backtest_table(shipped):
    from model.analysis import backtest
    _, out = shipped
    text = (out / "summary.md").read_text(encoding="utf-8")
    part = text[text.index("## Backtest against the realized outcomes"):]
    m = pd.read_csv(out / "comparison" / "backtest_metrics.csv", keep_default_na=False)
    for evaluation, label in ((backtest.REAL_TIME, "| real-time: real GDP growth"),
                              (backtest.LATEST, "| latest: real GDP growth")):
        mae = m[(m["scenario"] == "baseline") & (m["evaluation"] == evaluation) & (m["metric"] == "MAE")
                & (m["series"] == "growth.gdp")]
        row = next(line for line in part.splitlines() if line.startswith(label))
        assert f"{mae['years'].item()}, MAE" in row and row.split("|")[2].strip() == f"{mae['value'].item():.2f}"


# docs/backtest.md's tables (generated blocks): block -> row label (start) -> (evaluation, metric, series, years) of
# each number; years None: the one window of the metrics
BACKTEST_TABLES = {
    "backtest-real-time": {
        "real GDP growth": [("MAE", "growth.gdp", None), ("bias", "growth.gdp", None)],
        "every annual rate": [("MAE", "all annual rates", None)],
        "every partial-year rate": [("MAE", "all partial-year rates", None)],
        "value added levels and shares": [("MAPE", "value added levels and shares", None)],
        "ICT share of GDP 2023": [("error", "share.ict", "2023")],
        "finance nominal growth": [("error", "va.finance", "2022-2024 Q1-Q3")],
    },
    "backtest-latest": {
        "real GDP growth": [("MAE", "growth.gdp", None), ("bias", "growth.gdp", None)],
        "average real GDP growth 2021–2025": [("error", "growth5y.gdp", "2021-2025")],
        "every annual rate": [("MAE", "all annual rates", None)],
        "finance share of GDP 2025": [("error", "share.finance", "2025"),
                                      ("error, bridge low", "share.finance", "2025"),
                                      ("error, bridge high", "share.finance", "2025")],
        "ICT share of GDP 2025": [("error", "share.ict", "2025"), ("error, bridge low", "share.ict", "2025"),
                                  ("error, bridge high", "share.ict", "2025")],
    },
}
EVALUATION_OF_BLOCK = {"backtest-real-time": "real-time (4th census)", "backtest-latest": "latest (5th census)"}
BACKTEST_COLUMNS = ("baseline", "baseline_constant_trend", "naive: sector averages 2015-2019",
                    "naive: shares frozen at 2020", "naive: flat at the 2019 rates",
                    "combination: baseline and naive forecasts averaged")


def docs_backtest_table(block: str) -> dict[str, list[str]]:
    """A backtest table of docs/backtest.md (its generated block): row label -> cells."""
    text = (run.ROOT / "docs" / "backtest.md").read_text(encoding="utf-8")
    part = text[text.index(f"<!-- generated: {block} -->"):text.index(f"<!-- end generated: {block}")]
    rows = [line for line in part.splitlines() if line.startswith("| ") and not line.startswith("| metric")]
    return {cells[0]: cells[1:] for cells in ([c.strip() for c in r.strip("|").split("|")] for r in rows)}


def test_docs_backtest_tables_agree_with_the_written_metrics(shipped):
    import re
    _, out = shipped
    m = pd.read_csv(out / "comparison" / "backtest_metrics.csv", keep_default_na=False)
    get = m.set_index(["scenario", "evaluation", "metric", "series", "years"])
    for block, rows in BACKTEST_TABLES.items():
        evaluation, table = EVALUATION_OF_BLOCK[block], docs_backtest_table(block)
        for start, keys in rows.items():
            label = next(k for k in table if k.startswith(start))
            window = m[(m["scenario"] == "baseline") & (m["evaluation"] == evaluation) & (m["metric"] == keys[0][0])
                       & (m["series"] == keys[0][1])]["years"]
            if keys[0][2] is None:      # a window: its years in the label
                assert window.item().replace("-", "–") in label, label
            keys = [(metric, series, years or window.item()) for metric, series, years in keys]
            counts = re.findall(r"\((\d+)", label)
            if counts:      # the number of comparisons stated in the label
                assert int(counts[0]) == get["n"][("baseline", evaluation, *keys[0])], label
            for scenario, cell in zip(BACKTEST_COLUMNS, table[label], strict=True):
                numbers = [float(x.replace("−", "-")) for x in re.findall(r"[+−-]?\d+\.\d+", cell)]
                assert numbers == pytest.approx([round(float(get["value"][(scenario, evaluation, *k)]), 2)
                                                 for k in keys], abs=0.0051), (block, label, scenario)


def test_broken_realized_file_stops_the_run_before_any_scenario(tmp_path, monkeypatch, capsys):
    from model.baseline import realized
    from model.core.problems import Problem

    def broken():
        raise realized.RealizedDataError([Problem("realized.csv", 7, "value", "got 'x'; expected a finite number")])
    monkeypatch.setattr(realized, "realized_table", broken)
    code = tables_only(run.ROOT / "scenarios" / "baseline.yaml", "--out", tmp_path / "out", "--draws", "50")
    assert code == 1
    printed = capsys.readouterr()
    assert "realized.csv:7: value: got 'x'; expected a finite number" in printed.err
    assert "not run: a data file of the model cannot be used" in printed.err
    assert not (tmp_path / "out").exists()

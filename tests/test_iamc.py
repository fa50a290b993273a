"""The IAMC variable tree, the workbook, and the results read by pyam, the IAMC community's client.

pyam comes with the ``iamc`` extra, which ``make test`` installs and requires (``REQUIRE_PYAM=1``):
there a missing pyam fails these tests instead of skipping them.  The tests on the shipped run use
the session's ``shipped`` fixture (``conftest.py``) and are in the slow set with it.
"""
import io
import os

import numpy as np
import pandas as pd
import pytest

from model.baseline.baselines import baseline_for
from model.core import iamc as ind
from model.core.files import COMPARISON, WORKBOOK
from model.core.iamc import IAMC_COLUMNS, SCENARIO_4TH, SCENARIO_5TH
from model.core.iamc import STATISTICS_MODEL as REALIZED_MODEL
from model.core.sectors import LEVEL1, PARENTS
from model.core.target_sets import DEFAULT_SET
from model.output import workbook
from model.projection.results import timeseries
from model.projection.simulate import project
from model.scenario.loader import load_scenario
from model.targets.scorecard import evaluate
from model.targets.sets import load_set

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
ID = ["model", "scenario", "region", "variable", "unit"]
XLSX_PRECISION = 1e-15          # openpyxl writes 16 significant digits: at most a unit of the 17th is lost


@pytest.fixture(scope="module")
def pyam():
    """pyam, or a skip where it is not installed; a failure where the test set-up requires it."""
    try:
        import pyam
    except ImportError as exc:
        if os.environ.get("REQUIRE_PYAM") == "1":
            pytest.fail(f"REQUIRE_PYAM=1 but pyam cannot be imported ({exc}); "
                        "install the iamc extra: pip install -e '.[test,iamc]'")
        pytest.skip("pyam is not installed (the iamc extra; `make test` installs and requires it)")
    return pyam


@pytest.fixture(scope="module")
def tables():
    """Two projections, in memory: the baseline and a scenario with projects."""
    out = {}
    for name in ("baseline", "manufacturing_revival"):
        s = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        out[name] = timeseries(project(s, baseline_for(s.assumptions)), s.name, s.revenue_links)
    return out


@pytest.fixture(scope="module")
def both(tables):
    return pd.concat(tables.values(), ignore_index=True)


# ------------------------------------------------------------------ the tree, without pyam
def test_every_share_of_gdp_of_the_partition_adds_to_100(both):
    """Before, the cross-cutting shares sat under ``Share of GDP|`` too and its children added to 175 %."""
    shares = both[both["variable"].str.startswith(ind.SHARE_OF_GDP + "|")]
    total = shares.groupby(["scenario", "year"])["value"].sum()
    np.testing.assert_allclose(total, 100.0, rtol=1e-12)
    assert set(shares["variable"]) == {ind.share_of_gdp(v) for v in LEVEL1}


def test_every_value_added_of_the_partition_adds_to_gdp(both):
    level1 = both[both["variable"].str.match(r"^Value Added\|[^|]+$")]
    assert set(level1["variable"]) == set(LEVEL1)
    total = level1.groupby(["scenario", "year"])["value"].sum()
    gdp = both[both["variable"] == ind.GDP].set_index(["scenario", "year"])["value"]
    np.testing.assert_allclose(total, gdp.loc[total.index], rtol=1e-12)


def test_every_parent_in_the_tree_is_the_sum_of_its_children(both):
    """pyam's rule, checked here without it: a variable with children (``X|…`` one level down)
    equals their sum.  Before, pharmaceutical manufacturing was a child of medicine and health."""
    names = set(both["variable"])
    parents = {v for v in names if any(c.startswith(v + "|") for c in names)}
    assert parents == set(PARENTS) | {ind.real(p) for p in PARENTS}
    for parent in parents:
        children = [c for c in names if c.startswith(parent + "|") and "|" not in c[len(parent) + 1:]]
        total = both[both["variable"].isin(children)].groupby(["scenario", "year"])["value"].sum()
        value = both[both["variable"] == parent].set_index(["scenario", "year"])["value"]
        np.testing.assert_allclose(total, value.loc[total.index], rtol=1e-12, err_msg=parent)


def test_cross_cutting_and_project_series_are_under_their_own_roots(tables):
    names = set(tables["manufacturing_revival"]["variable"])
    assert {ind.HIGHTECH_VALUE_ADDED, ind.NEW_ECONOMY_VALUE_ADDED, ind.HIGHTECH_SHARE, ind.NEW_ECONOMY_SHARE} <= names
    assert {ind.PROJECT_VALUE_ADDED + "|ev_plant_phase1", ind.PROJECT_GROSS_OUTPUT + "|ev_plant_phase1"} <= names
    roots = {v.split("|", 1)[0] for v in names}
    assert roots == {"GDP", "Real GDP", "Price Index", "Price Index (Group)", "Growth", "Growth (5-year average)",
                     "Value Added", "Real Value Added", "Value Added (Cross-cutting)", "Share of GDP",
                     "Share of GDP (Cross-cutting)", "Value Added (Project)", "Gross Output (Project)", "Revenue",
                     "Gross Output", "Clusters"}


def test_every_variable_is_one_the_codelist_declares(tables):
    """The codelist (model/definitions, the docs' variable table) declares every variable of a
    projection with projects; tests/test_codelist.py validates every output with nomenclature."""
    from model.core.codelist import variable
    for v in sorted(set(tables["manufacturing_revival"]["variable"])):
        assert variable(v) is not None, v


# ------------------------------------------------------------------ pyam on the projections
def test_pyam_reads_a_projection_and_its_aggregates_hold(pyam, tables):
    df = pyam.IamDataFrame(tables["manufacturing_revival"])
    assert df.check_aggregate(ind.GDP, components=list(LEVEL1)) is None
    assert df.check_aggregate(ind.REAL_GDP, components=[ind.real(v) for v in LEVEL1]) is None
    for parent in PARENTS:                               # manufacturing over its two parts, nominal and real
        assert len(df.filter(variable=parent + "|*", level=0).variable) == 2
        assert df.check_aggregate(parent) is None
        assert df.check_aggregate(ind.real(parent)) is None
    assert df.check_internal_consistency() is None


def test_pyam_check_finds_a_broken_aggregate(pyam, tables):
    """The checks above can fail: GDP or manufacturing off the sum of its parts is reported."""
    manufacturing = next(iter(PARENTS))
    for variable, components in ((ind.GDP, list(LEVEL1)), (manufacturing, None)):
        t = tables["baseline"].copy()
        t.loc[(t["variable"] == variable) & (t["year"] == 2024), "value"] *= 0.99
        df = pyam.IamDataFrame(t)
        assert df.check_aggregate(variable, components=components) is not None
        assert (df.check_internal_consistency() is not None) == (components is None)


def test_pyam_wildcards_keep_the_partition_apart(pyam, tables):
    df = pyam.IamDataFrame(tables["baseline"])
    assert set(df.filter(variable=ind.SHARE_OF_GDP + "|*").variable) == {ind.share_of_gdp(v) for v in LEVEL1}
    assert set(df.filter(variable=ind.CROSS_CUTTING_SHARE + "|*").variable) == {ind.HIGHTECH_SHARE,
                                                                                 ind.NEW_ECONOMY_SHARE}


# ------------------------------------------------------------------ the workbook
@pytest.fixture(scope="module")
def book(both):
    cards = {name: evaluate(t, load_set(DEFAULT_SET)) for name, t in both.groupby("scenario")}
    return both, cards, workbook.workbook_bytes(both, cards, "run-id")


def test_workbook_sheets_load_back_with_pandas(book):
    table, cards, data = book
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None)
    assert list(sheets) == ["contents", "data", "variables", "scorecards", "status matrix", "gap matrix", "assumptions",
                            "revenue links", "figures", "published"]
    assert not [s for s in sheets if s.lower().startswith("data") and s != "data"]     # pyam reads data*
    wide = sheets["data"]
    years = sorted(table["year"].unique())
    assert list(wide.columns) == ID + years
    back = wide.melt(id_vars=ID, var_name="year", value_name="value").dropna(subset=["value"])
    merged = table.merge(back.astype({"year": int}), on=ID + ["year"], how="outer", suffixes=("", "_xlsx"))
    assert len(merged) == len(table)
    np.testing.assert_allclose(merged["value"], merged["value_xlsx"], rtol=XLSX_PRECISION)
    assert "run-id" in set(sheets["contents"]["content"])
    gaps = sheets["gap matrix"]
    assert "hightech_share [pp]" in gaps.columns and "software_revenue [100 million CNY]" in gaps.columns
    assert list(sheets["scorecards"]["scenario"].unique()) == sorted(cards)
    assumptions = sheets["assumptions"]
    assert {"key", "low [unit column]", "high [unit column]", "unit"} <= set(assumptions.columns)
    assert {"publisher", "url", "vintage"} <= set(sheets["figures"].columns)
    assert {"census_basis", "definition", "url"} <= set(sheets["published"].columns)


def test_workbook_headers_are_frozen_and_columns_sized(book):
    from openpyxl import load_workbook
    wb = load_workbook(io.BytesIO(book[2]))
    assert wb["data"].freeze_panes == "F2"
    for ws in wb.worksheets:
        assert ws.freeze_panes is not None and ws.freeze_panes.endswith("2"), ws.title
        assert ws["A1"].font.bold
        widths = [ws.column_dimensions[c].width for c in "AB"]
        assert all(workbook.MIN_WIDTH <= w <= workbook.MAX_WIDTH for w in widths), ws.title


def test_workbook_bytes_are_the_same_for_the_same_tables(book):
    table, cards, data = book
    assert workbook.workbook_bytes(table, cards, "run-id") == data


def test_pyam_reads_the_workbook_to_the_same_numbers(pyam, book, tmp_path):
    table, _, data = book
    path = tmp_path / WORKBOOK
    path.write_bytes(data)
    back = pyam.IamDataFrame(path).as_pandas()[list(IAMC_COLUMNS)]
    back = back.dropna(subset=["value"])          # pyam keeps the empty cells of the wide sheet as NaN
    merged = table.merge(back, on=ID + ["year"], how="outer", suffixes=("", "_pyam"))
    assert len(merged) == len(table)
    np.testing.assert_allclose(merged["value"], merged["value_pyam"], rtol=XLSX_PRECISION)


def test_a_batch_writes_the_workbook_and_a_later_batch_without_results_removes_it(tmp_path, monkeypatch):
    from model import batch
    quick = batch.RunOptions(analyses=False, figures=False)   # goal-seeking, figures: tested elsewhere
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text("name: good\n", encoding="utf-8")
    bad.write_text("name: [\n", encoding="utf-8")
    out = tmp_path / "out"
    (outcome,) = batch.run_batch([good], out, ["test"], quick)
    assert outcome.ok
    data = pd.read_excel(out / WORKBOOK, sheet_name="data")
    csv = pd.read_csv(out / "comparison" / "timeseries.csv")
    assert set(zip(data["model"], data["scenario"])) == set(zip(csv["model"], csv["scenario"]))
    assert "good" in set(data["scenario"]) and REALIZED_MODEL in set(data["model"])
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    (failed,) = batch.run_batch([bad], out, ["test"], quick)
    assert not failed.ok
    assert not (out / WORKBOOK).exists()                    # it would belong to another run


# ------------------------------------------------------------------ pyam on the shipped run (slow set)
def _names(out):
    return sorted(p.name for p in out.iterdir() if (p / "timeseries.csv").exists() and p.name != COMPARISON)


@pytest.mark.slow
def test_every_scenario_loads_in_pyam_and_passes_its_checks(pyam, shipped):
    code, out = shipped
    assert code == 0
    frames = [pyam.IamDataFrame(pd.read_csv(out / name / "timeseries.csv")) for name in _names(out)]
    assert len(frames) == len(SCENARIOS)
    df = pyam.concat(frames)                         # all scenarios, one frame
    assert sorted(df.scenario) == _names(out)
    assert df.check_aggregate(ind.GDP, components=list(LEVEL1)) is None
    assert df.check_aggregate(ind.REAL_GDP, components=[ind.real(v) for v in LEVEL1]) is None
    for parent in PARENTS:
        assert df.check_aggregate(parent) is None and df.check_aggregate(ind.real(parent)) is None
    assert df.check_internal_consistency() is None


@pytest.mark.slow
def test_the_comparison_timeseries_holds_the_realized_series_beside_the_scenarios(pyam, shipped):
    _, out = shipped
    df = pyam.IamDataFrame(out / "comparison" / "timeseries.csv")
    assert set(df.model) == {"Beijing Scenario Model", REALIZED_MODEL}
    assert set(df.filter(model=REALIZED_MODEL).scenario) == {SCENARIO_4TH, SCENARIO_5TH}
    # the model scenario `realized` is the model's run only, not the published record too
    assert set(df.filter(scenario="realized").model) == {"Beijing Scenario Model"}
    assert set(df.filter(model="Beijing Scenario Model").scenario) == set(_names(out))
    realized = df.filter(model=REALIZED_MODEL, scenario=SCENARIO_4TH, variable=ind.REAL_GDP_GROWTH)
    assert realized.timeseries().loc[:, 2021].item() == pytest.approx(8.5)
    # the published series keep the model's names where the model has the series
    assert ind.HIGHTECH_SHARE in df.filter(model=REALIZED_MODEL).variable
    assert df.check_internal_consistency() is None


@pytest.mark.slow
def test_the_batch_workbook_reads_back_to_the_comparison_timeseries(pyam, shipped):
    _, out = shipped
    path = out / WORKBOOK
    csv = pd.read_csv(out / "comparison" / "timeseries.csv")
    back = pyam.IamDataFrame(path).as_pandas()[list(IAMC_COLUMNS)].dropna(subset=["value"])
    merged = csv.merge(back, on=ID + ["year"], how="outer", suffixes=("", "_xlsx"))
    assert len(merged) == len(csv)
    np.testing.assert_allclose(merged["value"], merged["value_xlsx"], rtol=1e-11)     # the CSV has 12 digits
    sheets = pd.read_excel(path, sheet_name=None)
    cards = pd.read_csv(out / "comparison" / "scorecards.csv")
    assert len(sheets["scorecards"]) == len(cards)
    assert list(sheets["status matrix"]["scenario"]) == _names(out)


@pytest.mark.slow
def test_libreoffice_opens_the_shipped_batch_workbook(shipped, soffice, tmp_path):
    """The shipped batch's workbook, opened by LibreOffice Calc (headless) and saved again as xlsx
    without an error, keeps every sheet and the numbers of its data sheet."""
    _, out = shipped
    soffice("--convert-to", "xlsx", "--outdir", str(tmp_path), str(out / WORKBOOK))
    before = pd.read_excel(out / WORKBOOK, sheet_name=None)
    after = pd.read_excel(tmp_path / WORKBOOK, sheet_name=None)
    assert list(after) == list(before)
    pd.testing.assert_frame_equal(after["data"], before["data"])
    assert after["scorecards"].shape == before["scorecards"].shape


@pytest.mark.slow
def test_nomenclature_validates_every_file_of_the_shipped_run(pyam, shipped):
    """Every scenario's timeseries.csv, the comparison's (the published rows with them) and the
    workbook's data sheet, against the codelist of model/definitions with nomenclature's own check
    (one scenario at a time: a variable has one unit per scenario, the base year's)."""
    nomenclature = pytest.importorskip("nomenclature", reason="nomenclature-iamc (the iamc extra, Python >= 3.11)")
    from model.core.codelist import DEFINITIONS
    dsd = nomenclature.DataStructureDefinition(DEFINITIONS)
    _, out = shipped
    files = [out / name / "timeseries.csv" for name in _names(out)]
    files += [out / "comparison" / "timeseries.csv", out / WORKBOOK]
    for path in files:
        df = pyam.IamDataFrame(path)
        for scenario in df.scenario:
            assert dsd.validate(df.filter(scenario=scenario)) is None, (path, scenario)
    assert len(files) == len(SCENARIOS) + 2

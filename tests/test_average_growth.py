"""The five-year average real GDP growth (``Growth (5-year average)|Real GDP``) and the 15th plan's
target on it, ``gdp_growth_avg_2026_2030`` (at least 4.5 %/yr over 2026-2030; the outline says 4.5-5)."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.analysis import goalseek, montecarlo
from model.baseline.baselines import baseline_for
from model.core.iamc import REAL_GDP, REAL_GDP_GROWTH_5Y
from model.projection.indicators import PLAN_PERIOD_YEARS, Indicators, average_growth_percent
from model.projection.results import timeseries
from model.projection.simulate import project
from model.scenario.loader import load_scenario, scenario_from_dict
from model.targets.definitions import parse_targets
from model.targets.scorecard import MET, MISSED, NOT_PROJECTED, evaluate
from model.targets.sets import load_set
from tests.test_target_sets import ROOT

TARGET = "gdp_growth_avg_2026_2030"


def _series(table: pd.DataFrame, variable: str) -> pd.Series:
    return table[table["variable"] == variable].set_index("year")["value"]


# ---------------------------------------------------------------- the equation
@settings(max_examples=50, deadline=None)
@given(g=st.floats(-20, 30), level=st.floats(1, 1e5), n=st.integers(6, 15))
def test_constant_growth_for_five_years_averages_exactly_that_growth(g, level, n):
    levels = level * (1 + g / 100) ** np.arange(n)
    avg = average_growth_percent(levels, 5)
    assert np.isnan(avg[:5]).all()
    np.testing.assert_allclose(avg[5:], g, rtol=1e-9, atol=1e-9)


def test_a_known_path_gives_its_compound_average_not_the_mean_of_its_rates():
    levels = np.array([100.0, 110.0, 99.0, 120.0, 130.0, 150.0, 150.0])
    avg = average_growth_percent(levels, 5)
    assert avg[5] == pytest.approx(100 * (1.5 ** 0.2 - 1))             # 8.447 %/yr
    assert avg[6] == pytest.approx(100 * ((150 / 110) ** 0.2 - 1))
    rates = 100 * (levels[1:6] / levels[:5] - 1)
    assert avg[5] != pytest.approx(rates.mean())                        # 8.87: the arithmetic mean differs


def test_rows_before_the_first_row_of_the_projection_are_never_used():
    levels = np.arange(1.0, 11.0)
    avg = average_growth_percent(levels, 5, first_row=3)
    assert np.isnan(avg[:8]).all()                                       # row 7 would need row 2
    assert avg[8] == pytest.approx(100 * ((9 / 4) ** 0.2 - 1))


def test_the_average_works_over_a_leading_draw_axis():
    levels = np.array([[100.0] * 6, 100.0 * 1.03 ** np.arange(6)])
    np.testing.assert_allclose(average_growth_percent(levels, 5)[:, 5], [0.0, 3.0])


# ---------------------------------------------------------------- in projections
def test_a_base_2020_run_to_2025_has_the_2020_2025_average_and_no_earlier_row(baseline):
    p = project(scenario_from_dict({"name": "s", "horizon": 2025}), baseline)
    table = timeseries(p, "s")
    avg, real = _series(table, REAL_GDP_GROWTH_5Y), _series(table, REAL_GDP)
    assert list(avg.index) == [2025]
    assert avg[2025] == pytest.approx(100 * ((real[2025] / real[2020]) ** (1 / PLAN_PERIOD_YEARS) - 1))
    assert table.loc[table["variable"] == REAL_GDP_GROWTH_5Y, "unit"].tolist() == ["%"]


def test_a_2025_base_run_averages_from_the_base_year_only():
    scenario = scenario_from_dict({"name": "r", "base": 2025, "horizon": 2030})
    p = project(scenario, baseline_for(scenario.assumptions, 2025))
    values = Indicators(p).value(REAL_GDP_GROWTH_5Y)
    assert np.isnan(values[:-1]).all()                # 2026-2029 would reach into the rows before 2025
    table = timeseries(p, "r")
    real = _series(table, REAL_GDP)
    assert _series(table, REAL_GDP_GROWTH_5Y).to_dict() == pytest.approx(
        {2030: 100 * ((real[2030] / real[2025]) ** 0.2 - 1)})


def test_a_2025_base_run_ending_before_2030_has_no_average():
    scenario = scenario_from_dict({"name": "r", "base": 2025, "horizon": 2029})
    table = timeseries(project(scenario, baseline_for(scenario.assumptions, 2025)), "r")
    assert REAL_GDP_GROWTH_5Y not in set(table["variable"])


# ---------------------------------------------------------------- the target
@pytest.fixture(scope="module")
def baseline_2030():
    scenario = load_scenario(ROOT / "scenarios" / "baseline_2030.yaml")
    baseline = baseline_for(scenario.assumptions, scenario.base)
    projection = project(scenario, baseline)
    table = timeseries(projection, scenario.name, scenario.revenue_links)
    return scenario, baseline, projection, table


def test_the_target_is_a_modelled_floor_on_the_average():
    t = {t.id: t for t in load_set("plan15")}[TARGET]
    assert t.modelled and t.variable == REAL_GDP_GROWTH_5Y and t.comparator.symbol == ">="
    assert (t.comparator.value, t.year) == (4.5, 2030)


def test_the_target_is_scored_in_the_2030_baseline(baseline_2030):
    scenario, _, _, table = baseline_2030
    row = evaluate(table, load_set("plan15"), base_year=scenario.base).set_index("target").loc[TARGET]
    real = _series(table, REAL_GDP)
    expected = 100 * ((real[2030] / real[2025]) ** 0.2 - 1)
    assert row["status"] in (MET, MISSED) and row["projected_value"] == pytest.approx(expected)
    assert row["status"] == (MET if expected >= 4.5 else MISSED)
    assert row["target_value"] == "4.5"


@pytest.mark.parametrize("value, status, gap", [(4.2, MISSED, -0.3), (4.5, MET, 0.0), (5.0, MET, 0.5),
                                                (5.4, MET, 0.9)])
def test_below_the_floor_is_missed_and_above_the_outlines_range_exceeds_it(value, status, gap):
    table = pd.DataFrame({"model": "m", "scenario": "s", "region": "r", "variable": REAL_GDP_GROWTH_5Y, "unit": "%",
                          "year": [2030], "value": [value]})
    target = [t for t in load_set("plan15") if t.id == TARGET]
    row = evaluate(table, target, base_year=2025).set_index("target").loc[TARGET]
    assert (row["status"], row["gap"]) == (status, pytest.approx(gap))


def test_a_base_2020_run_to_2025_does_not_project_the_2030_average(baseline):
    scenario = scenario_from_dict({"name": "s", "horizon": 2025, "targets": "plan15"})
    table = timeseries(project(scenario, baseline), "s")
    row = evaluate(table, load_set("plan15")).set_index("target").loc[TARGET]
    assert row["status"] == NOT_PROJECTED and np.isnan(row["projected_value"])
    assert "after the horizon 2025" in row["note"]


def test_a_target_year_where_the_average_is_undefined_is_not_projected_not_missed(baseline):
    entry = {"id": "avg_2023", "description": "d", "comparator": "range", "low": 4.5, "high": 5, "unit": "%",
             "year": 2023, "publisher": "p", "document": "d", "url": "u", "variable": REAL_GDP_GROWTH_5Y,
             "levers": ["ict"]}
    table = timeseries(project(scenario_from_dict({"name": "s", "horizon": 2025}), baseline), "s")
    row = evaluate(table, parse_targets([entry])).set_index("target").loc["avg_2023"]
    assert row["status"] == NOT_PROJECTED
    assert row["note"] == f"{REAL_GDP_GROWTH_5Y} is not defined in 2023: it needs years before 2020; not evaluated"


# ---------------------------------------------------------------- the analyses
def test_monte_carlo_gives_the_target_a_probability(baseline_2030):
    scenario, baseline, _, table = baseline_2030
    plan15 = load_set("plan15")
    mc = montecarlo.run(scenario, baseline, plan15, draws=400, seed=3)
    row = mc.targets.set_index("target").loc[TARGET]
    assert 0.0 < row["p_met"] < 1.0
    assert row["deterministic_value"] == pytest.approx(_series(table, REAL_GDP_GROWTH_5Y)[2030])
    assert row["value_p10"] < row["value_p50"] < row["value_p90"]


def test_goal_seeking_finds_the_growth_that_reaches_the_low_end(baseline_2030):
    scenario, baseline, _, _ = baseline_2030
    slow = scenario_from_dict({"name": "slow", "base": 2025, "horizon": 2030, "growth": {"all": "-1pp"}})
    target = [t for t in load_set("plan15") if t.id == TARGET]
    found = goalseek.goal_seek(slow, baseline, target, first_year=2026).set_index("target").loc[TARGET]
    assert found["status"] == goalseek.REACHABLE
    levers = list(target[0].levers)
    again = project(goalseek.with_lever_growth(slow, levers, found["needed_growth_pct"] / 100, 2030, 2026),
                    baseline)
    assert _series(timeseries(again, "x"), REAL_GDP_GROWTH_5Y)[2030] == pytest.approx(4.5, abs=1e-6)
    assert found["needed_growth_pct"] == pytest.approx(4.5, abs=1e-6)     # every sector: the average itself


@pytest.mark.parametrize("name", ["baseline_2030", "ict_ai_push_2030"])
def test_attribution_splits_both_growth_targets_exactly_by_sector_and_by_input(name):
    from model.analysis.attribution import attribute
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    baseline = baseline_for(scenario.assumptions, scenario.base)
    plan15 = load_set("plan15")
    table = attribute(scenario, baseline, plan15)
    sums = table.groupby(["target", "kind"])["contribution"].sum()
    for target in ("gdp_growth_2026", TARGET):
        assert np.isfinite(table.loc[table["target"] == target, "contribution"]).all()
        assert sums[(target, "sector")] == pytest.approx(sums[(target, "input")], abs=1e-10)
    own = _series(timeseries(project(scenario, baseline), name), REAL_GDP_GROWTH_5Y)[2030]
    if scenario.parent is None:                          # against the frozen base year: the rate itself
        reference = 0.0
    else:
        parent = scenario.parent
        reference = _series(timeseries(project(parent, baseline_for(parent.assumptions, parent.base)), "p"),
                            REAL_GDP_GROWTH_5Y)[2030]
    assert sums[(TARGET, "sector")] == pytest.approx(own - reference, abs=1e-10)


def test_a_sector_that_grows_as_in_the_parent_contributes_nothing_to_the_average(write_yaml):
    from model.analysis.attribution import attribute
    write_yaml("base: 2025\nhorizon: 2030\n", "parent.yaml")
    child = load_scenario(write_yaml("extends: parent\ngrowth:\n  finance: \"+1pp\"\n", "child.yaml"))
    table = attribute(child, baseline_for(child.assumptions, 2025), load_set("plan15"))
    rows = table[(table["target"] == TARGET) & (table["kind"] == "sector")].set_index("component")["contribution"]
    assert rows["finance"] > 0
    assert (rows.drop("finance") == 0).all()

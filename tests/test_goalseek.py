"""Goal-seeking: the lever growth that meets a missed target, plugged back in, meets it exactly."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.analysis import goalseek
from model.analysis.goalseek import (
    IMPOSSIBLE,
    MET_ALREADY,
    REACHABLE,
    assumed_lever_growth,
    goal_seek,
    solve_rate,
    with_lever_growth,
)
from model.core.sectors import INDEX
from model.equations.revenue import SERIES, TRILLION_YUAN
from model.projection.results import timeseries
from model.projection.simulate import project, stated_growth
from model.scenario.loader import load_scenario, scenario_from_dict
from model.targets.comparators import Within
from model.targets.definitions import load_targets, parse_targets
from model.targets.scorecard import MET, evaluate

SCENARIOS = "scenarios"
SOURCE = {"publisher": "P", "document": "D", "url": "https://example.invalid", "year": 2025}


@pytest.fixture(scope="module")
def shipped_baseline():
    return load_scenario(f"{SCENARIOS}/baseline.yaml")


@pytest.fixture(scope="module")
def baseline_answers(shipped_baseline, baseline):
    return goal_seek(shipped_baseline, baseline)


def scorecard_row(scenario, baseline, t) -> pd.Series:
    table = timeseries(project(scenario, baseline), scenario.name, revenue_links=scenario.revenue_links)
    return evaluate(table, [t]).iloc[0], table


def test_every_missed_target_of_the_baseline_is_sought_and_every_met_one_is_not(baseline_answers, shipped_baseline,
                                                                                 baseline):
    card = evaluate(timeseries(project(shipped_baseline, baseline), "b"), load_targets())
    modelled = card[card["status"].isin(["met", "missed"])]
    assert baseline_answers["target"].tolist() == modelled["target"].tolist()
    status = dict(zip(baseline_answers["target"], baseline_answers["status"]))
    for r in modelled.itertuples():
        expected = MET_ALREADY if r.status == "met" else IMPOSSIBLE if r.target == "trillion_clusters" else REACHABLE
        assert status[r.target] == expected, r.target


def test_four_clusters_cannot_be_sought_from_three_modelled_ones(baseline_answers):
    """On the plan's grouping the model has three clusters (new-generation IT including software, medicine
    and health, sci-tech services): the 4-5 of the plan is out of reach whatever the levers do."""
    row = baseline_answers.set_index("target").loc["trillion_clusters"]
    assert row["status"] == IMPOSSIBLE and np.isnan(row["needed_growth_pct"])
    assert row["note"].startswith("the model counts at most 3 clusters (new-generation IT including software, "
                                  "medicine and health, science and technology services), so no lever growth "
                                  "meets 4-5")


def test_a_count_within_the_modelled_clusters_is_sought_on_the_plans_grouping(shipped_baseline, baseline):
    t = parse_targets([{"id": "three_clusters", "description": "d", "variable": "Clusters|Trillion-yuan",
                        "comparator": "range", "low": 3, "high": 5, "unit": "count",
                        "levers": ["ict", "mfg_hightech", "scitech"], **SOURCE}])[0]
    out = goal_seek(shipped_baseline, baseline, targets=[t]).iloc[0]
    assert out["status"] == REACHABLE
    row, table = scorecard_row(with_lever_growth(shipped_baseline, t.levers, out["needed_growth_pct"] / 100, 2025),
                               baseline, t)
    assert row["status"] == MET and row["gap"] == 0
    level = table[(table["year"] == 2025)].set_index("variable")["value"]
    clusters = [max(level[v] for v in (SERIES[0].variable, SERIES[1].variable)),     # new-generation IT incl. software
                level["Revenue|Medicine and Health"], level["Revenue|Science and Technology Services"]]
    assert sorted(clusters)[0] == pytest.approx(TRILLION_YUAN, rel=1e-6)       # the third cluster, just reached


def test_needed_rate_plugged_back_meets_each_target_on_its_boundary(baseline_answers, shipped_baseline, baseline):
    targets = {t.id: t for t in load_targets()}
    reachable = baseline_answers[baseline_answers["status"] == REACHABLE]
    assert len(reachable) >= 6
    for r in reachable.itertuples():
        t = targets[r.target]
        sought = with_lever_growth(shipped_baseline, t.levers, r.needed_growth_pct / 100.0, r.year)
        row, table = scorecard_row(sought, baseline, t)
        assert row["status"] == MET, r.target
        assert not isinstance(t.comparator, Within)     # the count is out of reach (test below)
        reference = row["projected_value"] - row["gap"]
        assert abs(row["gap"]) <= 1e-6 * abs(reference), r.target


def test_needed_manufacturing_growth_agrees_with_the_plan_scenario(baseline_answers):
    # plan.yaml states the rate, rounded up to 0.1, at which both manufacturing sectors bring the 2025 share
    # just above the centre 13: the goal-seeking answer lies within that rounding below it
    from model.core.yamlio import read_yaml
    plan, _ = read_yaml((Path(__file__).resolve().parents[1] / "scenarios" / "plan.yaml").read_bytes())
    stated = plan["growth"]["mfg_other"]
    row = baseline_answers.set_index("target").loc["manufacturing_share"]
    assert stated - 0.1 < row["needed_growth_pct"] < stated
    assert row["extra_pp"] == pytest.approx(row["needed_growth_pct"] - row["assumed_growth_pct"])
    assert row["note"] == (f"needs {row['needed_growth_pct']:.1f} %/yr, assumes {row['assumed_growth_pct']:.1f} %/yr "
                           f"({row['extra_pp']:+.1f} pp) over 2022-2025")


def test_car_output_assumes_other_manufacturing_trend(baseline_answers, baseline):
    row = baseline_answers.set_index("target").loc["car_output"]
    path = baseline.trend_paths["converging"][1:5, INDEX["mfg_other"]]       # 2022-2025 of the default trend
    assert row["assumed_growth_pct"] == pytest.approx(100 * (np.prod(1 + path) ** (1 / len(path)) - 1))


def test_a_tiny_lever_for_a_huge_target_is_impossible_within_bounds(shipped_baseline, baseline):
    t = {"id": "farm_half", "description": "agriculture half of GDP", "variable": "Share of GDP|Agriculture",
         "comparator": ">=", "value": 50, "unit": "%", "levers": ["agriculture"], **SOURCE}
    out = goal_seek(shipped_baseline, baseline, targets=parse_targets([t])).iloc[0]
    assert out["status"] == IMPOSSIBLE
    assert np.isnan(out["needed_growth_pct"]) and np.isnan(out["extra_pp"])
    assert "no constant rate of -50 to 100 %/yr meets it: at 100 %/yr" in out["note"]


def test_met_targets_are_not_sought(shipped_baseline, baseline, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a met target was goal-sought")
    monkeypatch.setattr(goalseek, "solve_rate", refuse)
    met = [t for t in load_targets() if t.id in ("hightech_share", "software_revenue")]
    out = goal_seek(shipped_baseline, baseline, targets=met)
    assert out["status"].tolist() == [MET_ALREADY, MET_ALREADY]
    assert out["needed_growth_pct"].isna().all()


def test_a_target_overshot_from_above_needs_slower_levers(shipped_baseline, baseline):
    # the baseline has manufacturing at 8.6 % of GDP in 2025; "about 5 %" needs it to grow less
    t = {"id": "small_mfg", "description": "d", "variable": "Share of GDP|Manufacturing", "comparator": "~",
         "value": 5, "tolerance": 1, "unit": "%", "levers": ["mfg_hightech", "mfg_other"], **SOURCE}
    out = goal_seek(shipped_baseline, baseline, targets=parse_targets([t])).iloc[0]
    assert out["status"] == REACHABLE
    assert out["needed_growth_pct"] < out["assumed_growth_pct"]
    row, _ = scorecard_row(with_lever_growth(shipped_baseline, t["levers"], out["needed_growth_pct"] / 100, 2025),
                           baseline, parse_targets([t])[0])
    assert row["projected_value"] == pytest.approx(5, rel=1e-6)


def test_nothing_is_sought_when_no_target_is_modelled(shipped_baseline, baseline):
    not_modelled = [t for t in load_targets() if not t.modelled]
    assert goal_seek(shipped_baseline, baseline, targets=not_modelled).empty


# ---------------------------------------------------------------- the pieces
def test_with_lever_growth_sets_only_lever_cells_from_2022_to_the_year(baseline):
    scenario = scenario_from_dict({"horizon": 2027, "growth": {"ict": "+2pp", "finance": 3}}, "t.yaml")
    sought = with_lever_growth(scenario, ["ict", "mfg_other"], 0.2, 2025)
    before, after = stated_growth(scenario, baseline), stated_growth(sought, baseline)
    years = scenario.path_years
    lever = np.zeros_like(before, dtype=bool)
    lever[np.ix_((years >= 2022) & (years <= 2025), [INDEX["ict"], INDEX["mfg_other"]])] = True
    assert np.all(after[lever] == 0.2)                   # the +2 pp change is replaced, not added
    assert np.array_equal(after[~lever], before[~lever])  # 2021, 2026-27 and other sectors untouched
    assert np.isnan(scenario.growth.set[1, INDEX["ict"]])  # the input is not modified


def test_vaccine_unwind_still_applies_on_top_of_the_lever_rate(baseline):
    scenario = scenario_from_dict({}, "t.yaml")
    sought = project(with_lever_growth(scenario, ["mfg_hightech"], 0.1, 2025), baseline)
    h = INDEX["mfg_hightech"]
    assert sought.growth_real[1, h] < 0.0               # 2022: the vaccine level unwinds
    assert sought.growth_real[2:, h] == pytest.approx(0.1)


def test_assumed_growth_of_equal_constant_rates_is_that_rate(baseline):
    plan = load_scenario(f"{SCENARIOS}/plan.yaml")
    # plan.yaml's rate
    assert assumed_lever_growth(plan, baseline, ["mfg_hightech", "mfg_other"], 2025) == pytest.approx(0.136)


def test_assumed_growth_weights_sectors_by_real_value_added(baseline):
    scenario = scenario_from_dict({"growth": {"ict": 10, "finance": 0}}, "t.yaml")
    va = project(scenario, baseline).va_real
    a, b = va[1:5, INDEX["ict"]], va[1:5, INDEX["finance"]]
    expected = np.prod(1 + 0.10 * a / (a + b)) ** 0.25 - 1
    assert assumed_lever_growth(scenario, baseline, ["ict", "finance"], 2025) == pytest.approx(expected)


def test_solve_rate_finds_an_analytic_root():
    assert solve_rate(lambda r: (1 + r) ** 4 - 2.0, side=1.0) == pytest.approx(2 ** 0.25 - 1, abs=1e-11)


def test_solve_rate_lands_on_the_meeting_side():
    # decreasing in r, met where f <= 0 (side -1): the answer must not be below the root
    r = solve_rate(lambda r: 0.3 - r, side=-1.0)
    assert 0.3 - r <= 0.0 and r == pytest.approx(0.3, abs=1e-9)


def test_solve_rate_without_a_sign_change_is_nan():
    assert np.isnan(solve_rate(lambda r: 1.0 + r * r, side=1.0))
    assert np.isnan(solve_rate(lambda r: r - 0.1, side=1.0, bounds=(0.2, 0.5)))


def test_goal_seek_from_2021_replaces_the_calibrated_year(shipped_baseline, baseline):
    answers = goal_seek(shipped_baseline, baseline, first_year=2021)
    targets = {t.id: t for t in load_targets()}
    row = answers.set_index("target").loc["manufacturing_share"]
    assert row["status"] == REACHABLE and row["note"].endswith("over 2021-2025")
    t = targets["manufacturing_share"]
    sought = with_lever_growth(shipped_baseline, t.levers, row["needed_growth_pct"] / 100.0, 2025, first_year=2021)
    assert sought.vaccine_unwind == 0.0                 # no vaccine surge left to unwind
    card, _ = scorecard_row(sought, baseline, t)
    assert card["status"] == MET and abs(card["gap"]) <= 1e-6 * 13
    # the assumed rate is the projected one (unwind included), not the stated 2021 surge
    assert row["assumed_growth_pct"] < 15


# ---------------------------------------------------------------- what the caller already holds
def test_goal_seeking_computes_only_the_variables_its_target_reads(shipped_baseline, baseline, monkeypatch):
    from model.projection.indicators import Indicators
    targets = [t for t in load_targets() if t.id == "manufacturing_share"]
    card = evaluate(timeseries(project(shipped_baseline, baseline), "b"), targets)
    read = set()
    original = Indicators.__getitem__

    def spy(self, variable):
        read.add(variable)
        return original(self, variable)

    monkeypatch.setattr(Indicators, "__getitem__", spy)
    out = goal_seek(shipped_baseline, baseline, targets=targets, scorecard=card).iloc[0]
    assert out["status"] == REACHABLE
    assert "Share of GDP|Manufacturing" in read
    assert not [v for v in read if v.startswith(("Revenue|", "Clusters|", "Gross Output|", "Real ",
                                                  "Share of GDP (Cross-cutting)|"))]


def test_goal_seeking_reuses_the_projection_and_scorecard_it_is_given(shipped_baseline, baseline, baseline_answers,
                                                                      monkeypatch):
    projection = project(shipped_baseline, baseline)
    card = evaluate(timeseries(projection, "b", revenue_links=shipped_baseline.revenue_links), load_targets())
    real_project = goalseek.project

    def only_sought_paths(scenario, *args, **kwargs):
        assert scenario is not shipped_baseline, "the scenario's own projection was computed again"
        return real_project(scenario, *args, **kwargs)

    monkeypatch.setattr(goalseek, "project", only_sought_paths)
    out = goal_seek(shipped_baseline, baseline, scorecard=card, projection=projection)
    pd.testing.assert_frame_equal(out, baseline_answers)

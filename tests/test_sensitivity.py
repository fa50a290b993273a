"""Sensitivity: draw-safe target series, one-at-a-time swings, Sobol indices, the tornado figure."""
import dataclasses

import numpy as np
import pandas as pd
import pytest

from model.analysis import sensitivity as S
from model.baseline.baselines import baseline_for
from model.output.plots_sensitivity import plot_tornado
from model.projection.indicators import indicators
from model.projection.results import timeseries
from model.projection.simulate import Draws, project
from model.scenario.loader import load_scenario
from model.targets.definitions import load_targets
from model.targets.scorecard import evaluate

SHIPPED = ("baseline", "plan", "manufacturing_revival", "downside", "hightech_push", "finance_deepening")


@pytest.fixture(scope="module")
def scenario():
    return load_scenario("scenarios/baseline.yaml")


@pytest.fixture(scope="module")
def oat(scenario, baseline):
    return S.tornado(scenario, baseline)


def row(table, target, parameter):
    r = table[(table["target"] == target) & (table["parameter"] == parameter)]
    assert len(r) == 1
    return r.iloc[0]


# ---------------------------------------------------------------- target series
@pytest.mark.parametrize("name", SHIPPED)
def test_target_variables_equal_the_indicators_of_one_projection(name, baseline):
    scenario = load_scenario(f"scenarios/{name}.yaml")
    p = project(scenario, baseline)
    ours, theirs = S.target_variables(p, scenario.revenue_links), indicators(p, scenario.revenue_links)
    assert len(ours) > 20
    for variable, values in ours.items():
        np.testing.assert_allclose(values, theirs[variable][1], rtol=1e-12, err_msg=variable)


def test_target_variables_of_each_draw_equal_that_draw_alone(baseline):
    scenario = load_scenario("scenarios/manufacturing_revival.yaml")    # projects, one feeding car output
    rng = np.random.default_rng(5)
    n = 3
    draws = Draws(n=n, growth=rng.normal(0, 0.02, (n, 5, 10)), deflator=rng.normal(0, 0.01, (n, 5, 10)),
                  vaccine_unwind=np.array([0.5, 0.8, 1.0]))
    p = project(scenario, baseline, draws)
    batch = S.target_variables(p, scenario.revenue_links)
    for i in range(n):
        one = dataclasses.replace(p, growth_real=p.growth_real[i], deflator_growth=p.deflator_growth[i],
                                  va_real=p.va_real[i], price_index=p.price_index[i], va_nominal=p.va_nominal[i])
        reference = indicators(one, scenario.revenue_links)
        for variable, values in batch.items():
            np.testing.assert_allclose(values[i], reference[variable][1], rtol=1e-12, err_msg=variable)


# ---------------------------------------------------------------- one at a time
def test_tornado_base_gap_is_the_scorecard_gap(oat, scenario, baseline):
    card = evaluate(timeseries(project(scenario, baseline), "b"), load_targets()).set_index("target")
    for target, gap in oat.groupby("target")["base_gap"].first().items():
        assert gap == pytest.approx(card.loc[target, "gap"], rel=1e-12)


def test_tornado_covers_every_input_and_sorts_by_swing(oat):
    n_inputs = len(S.oat_inputs())
    # data assumptions (4 + the trend half-life and floor + the price half-life and manufacturing drift),
    # links (17 of the 14th plan's series, 7 of the two new clusters'; a weight fixed at 1 is no input), growth,
    # other
    assert n_inputs == 8 + 17 + 7 + 10 + 2
    for _, block in oat.groupby("target", sort=False):
        assert len(block) == n_inputs
        assert block["swing"].is_monotonic_decreasing
    np.testing.assert_allclose(oat["swing"], (oat["gap_high"] - oat["gap_low"]).abs())


def test_an_input_that_cannot_affect_a_target_has_zero_swing(oat):
    assert row(oat, "software_revenue", "revenue_links.cars.elasticity")["swing"] == 0.0
    assert row(oat, "car_output", "growth.ict")["swing"] == 0.0
    # a deflator shift common to all sectors moves a share of GDP only through the compounding of the sectors'
    # relative drifts (a share of a few thousandths of a point); with one deflator it would not move at all
    assert row(oat, "manufacturing_share", "deflator.all")["swing"] == pytest.approx(0.0, abs=0.01)


def test_faster_manufacturing_raises_its_share_and_faster_finance_lowers_it(oat):
    mfg = row(oat, "manufacturing_share", "growth.mfg_other")
    assert mfg["gap_low"] < mfg["base_gap"] < mfg["gap_high"]
    fin = row(oat, "manufacturing_share", "growth.finance")
    assert fin["gap_high"] < fin["base_gap"] < fin["gap_low"]


def test_the_scenarios_own_vaccine_unwind_lies_inside_its_range(oat, scenario):
    r = row(oat, "manufacturing_share", "vaccine_unwind")
    assert (r["low_value"], r["high_value"]) == (50.0, 100.0)
    assert r["low_value"] < 100 * scenario.vaccine_unwind < r["high_value"]
    assert r["gap_high"] < r["base_gap"] < r["gap_low"]   # a half-kept vaccine level keeps manufacturing larger


def test_assumption_ends_recalibrate_the_baseline(oat, baseline):
    low = baseline_for({"va.industry_2020": 4000.0})
    assert baseline_for({"va.industry_2020": 4000}) is low          # built once
    assert not np.allclose(low.va_2020, baseline.va_2020)
    r = row(oat, "manufacturing_share", "va.industry_2020")
    assert r["gap_low"] < r["base_gap"] < r["gap_high"]                # a larger industry, a larger share


def test_drawn_inputs_refuse_inputs_that_need_a_new_baseline(scenario):
    assumption = next(x for x in S.oat_inputs() if x.kind == "assumption")
    with pytest.raises(ValueError, match="cannot be drawn; it needs a new baseline"):
        S.draws_for(scenario, [assumption], np.zeros((1, 1)))


# ---------------------------------------------------------------- Sobol
@pytest.fixture(scope="module")
def sobol(scenario, baseline):
    return S.sobol_indices(scenario, baseline, n=256, seed=7)


def test_sobol_reports_its_sample_size(sobol):
    assert set(sobol["N"]) == {256}
    assert set(sobol["evaluations"]) == {256 * (len(S.sobol_inputs()) + 2)}
    estimated = sobol.dropna(subset=["S1", "ST"])
    assert len(estimated) > 50
    assert estimated["adequate"].map(type).eq(bool).all()
    for _, g in estimated.groupby("target"):
        outside = ((g["S1"] + g["S1_conf"] < 0) | (g["S1"] - g["S1_conf"] > 1)
                   | (g["ST"] + g["ST_conf"] < 0) | (g["ST"] - g["ST_conf"] > 1)).any()
        expected = bool(g["max_conf"].iloc[0] <= S.SOBOL_CONF_MAX and not outside)
        assert (g["adequate"] == expected).all(), g["target"].iloc[0]
        assert g["note"].str.contains("increase N").all() == (not expected)
    assert sobol.loc[sobol["S1"].isna(), "adequate"].isna().all()


def test_sobol_adequacy_flags_indices_outside_the_unit_interval_and_wide_intervals():
    tight = [0.05] * 2
    assert S.sobol_adequacy([0.3, 0.6], tight, [0.35, 0.7], tight)[1] is True
    _, ok, note = S.sobol_adequacy([-24.0, 0.5], tight, [86.0, 0.6], tight)
    assert ok is False and "outside [0, 1]" in note and "increase N" in note
    _, ok, note = S.sobol_adequacy([0.3, 0.6], [0.05, 0.3], [0.35, 0.7], tight)
    assert ok is False and "half-width up to 0.30" in note
    assert S.sobol_adequacy([np.nan], [np.nan], [np.nan], [np.nan])[1] is None


def test_sobol_refuses_a_sample_too_small(scenario, baseline, capsys):
    with pytest.raises(ValueError, match=f"too small.*at least {S.SOBOL_MIN_N}"):
        S.sobol_indices(scenario, baseline, n=1)
    import run
    with pytest.raises(SystemExit) as exc:
        run.parse_args(["--sobol", "1"])
    assert exc.value.code == 2
    assert f"at least {S.SOBOL_MIN_N}" in capsys.readouterr().err
    assert run.parse_args(["--sobol", "0"]).sobol == 0


def test_first_order_indices_do_not_exceed_total_indices(sobol):
    ok = sobol.dropna(subset=["S1", "ST"])
    assert len(ok) > 50
    assert (ok["S1"] <= ok["ST"] + ok["S1_conf"] + ok["ST_conf"] + 1e-9).all()
    sums = ok.groupby("target")["S1"].sum()
    assert (sums <= 1.0 + 0.2).all()


def test_a_target_driven_by_one_input_is_dominated_by_it(sobol):
    car = sobol[sobol["target"] == "car_output"].set_index("parameter")
    assert car["S1"].idxmax() == "growth.mfg_other"
    assert car.loc["growth.mfg_other", "S1"] > 0.5
    # finance growth does not enter car output at all
    assert car.loc["growth.finance", "ST"] == pytest.approx(0.0, abs=1e-12)


def test_sobol_is_reproducible_with_a_seed(scenario, baseline, sobol):
    again = S.sobol_indices(scenario, baseline, n=256, seed=7)
    assert again[["S1", "ST", "S1_conf"]].equals(sobol[["S1", "ST", "S1_conf"]])


def test_a_gap_that_does_not_vary_has_no_indices(scenario, baseline):
    finance_only = [x for x in S.sobol_inputs() if x.parameter == "growth.finance"]
    cars = [t for t in load_targets() if t.id == "car_output"]
    out = S.sobol_indices(scenario, baseline, targets=cars, n=64, seed=1, inputs=finance_only).iloc[0]
    assert np.isnan(out["S1"]) and np.isnan(out["ST"])
    assert "does not vary" in out["note"]


# ---------------------------------------------------------------- figure
def test_tornado_figure_draws_the_largest_swings_with_the_unit(oat):
    ax = plot_tornado(oat, "car_output", top=3)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 3
    assert labels[0].startswith("Car industry (gross output): 2020 level")       # the input in words
    assert "100 million CNY" in ax.get_xlabel()
    assert "car_output" in ax.get_title()
    assert len(ax.patches) == 6                        # a low and a high bar per input


def test_tornado_figure_leaves_out_inputs_without_a_swing(oat):
    ax = plot_tornado(oat, "software_revenue", top=50)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert not any(label.startswith("Car industry") for label in labels)
    assert "percentage points" not in ax.get_xlabel()


def test_tornado_figure_of_an_unknown_target_is_refused(oat):
    with pytest.raises(KeyError, match="no target 'nope'"):
        plot_tornado(oat, "nope")


def test_tornado_reuses_the_projection_and_scorecard_it_is_given(oat, scenario, baseline, monkeypatch):
    projection = project(scenario, baseline)
    card = evaluate(timeseries(projection, "b", revenue_links=scenario.revenue_links), load_targets())
    real_project = S.project

    def not_the_scenarios_own(s, b, draws=None):
        assert not (s is scenario and b is baseline and draws is None), "the projection was computed again"
        return real_project(s, b, draws)

    def refuse(*args, **kwargs):
        raise AssertionError("the scorecard was computed again")

    monkeypatch.setattr(S, "project", not_the_scenarios_own)
    monkeypatch.setattr(S, "evaluate", refuse)
    again = S.tornado(scenario, baseline, scorecard=card, projection=projection)
    pd.testing.assert_frame_equal(again, oat)

"""The satellite series (R&D spending, budget revenue), their fits, the digital economy's weights, the two new
cluster revenues and the Monte Carlo's parameter draws (model/equations/satellite.py,
model/baseline/satellites.py, model/analysis/parameter_draws.py)."""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from model.analysis import montecarlo, parameter_draws
from model.baseline import data
from model.baseline import satellites as sat
from model.baseline.baselines import baseline_for
from model.baseline.calibration import AssumptionsError
from model.baseline.data import DataError, read_history
from model.baseline.realized import realized_table
from model.core.iamc import (
    BUDGET_REVENUE,
    BUDGET_REVENUE_GROWTH,
    DIGITAL_ECONOMY_SHARE,
    DIGITAL_ECONOMY_VALUE_ADDED,
    GDP,
    RD_EXPENDITURE,
    RD_INTENSITY,
)
from model.core.sectors import INDEX, N_SECTORS
from model.equations.satellite import fit_through_origin, growth_percent, linked_level, triangular, truncated_normal
from model.output.comparison import scored_first
from model.projection.indicators import Indicators
from model.projection.results import timeseries
from model.projection.simulate import project
from model.scenario.loader import scenario_from_dict
from model.targets.sets import load_set


@pytest.fixture(scope="module")
def jump_off():
    scenario = scenario_from_dict({"name": "s", "base": 2025, "horizon": 2030,
                                   "uncertainty": {"draws": 600, "seed": 5,
                                                   "growth": {"all": {"dist": "normal", "sd": 1.0}}}})
    baseline = baseline_for(scenario.assumptions, 2025)
    return scenario, baseline, project(scenario, baseline)


# ---------------------------------------------------------------- the equations
def test_a_linked_level_starts_from_its_level_and_follows_its_link_with_its_elasticity():
    link = np.array([100.0, 110.0, 121.0])
    x = linked_level(50.0, link, 100.0, 1.5)
    assert x[0] == 50.0
    assert x[2] == pytest.approx(50.0 * 1.21 ** 1.5)
    drawn = linked_level(50.0, link, 100.0, np.array([[1.0], [2.0]]), np.array([[1.0], [0.5]]))
    assert drawn.shape == (2, 3)
    assert drawn[0] == pytest.approx(0.5 * link) and drawn[1, 1] == pytest.approx(0.5 * 50.0 * 1.1 ** 2)


def test_growth_percent_is_the_inverse_of_compounding():
    levels = 100.0 * np.cumprod([1.0, 1.04, 1.05, 0.98])
    g = growth_percent(levels)
    assert np.isnan(g[0]) and g[1:] == pytest.approx([4.0, 5.0, -2.0])


def test_the_fit_through_the_origin_recovers_a_known_elasticity_and_its_standard_error():
    x = np.array([0.05, 0.08, 0.03, 0.10])
    exact = fit_through_origin(x, 1.3 * x)
    assert exact.coefficient == pytest.approx(1.3) and exact.standard_error == pytest.approx(0.0, abs=1e-12)
    y = 1.3 * x + np.array([0.01, -0.01, 0.005, -0.002])
    f = fit_through_origin(x, y)
    b, res, *_ = np.linalg.lstsq(x[:, None], y, rcond=None)
    assert f.coefficient == pytest.approx(b[0])
    assert f.standard_error == pytest.approx(np.sqrt(res[0] / 3) / np.sqrt(x @ x))
    assert f.fitted + f.residuals == pytest.approx(y)


def test_a_fit_needs_two_observations():
    with pytest.raises(ValueError, match="two or more"):
        fit_through_origin(np.array([0.1]), np.array([0.1]))


def test_truncated_draws_stay_in_their_range_and_a_triangle_peaks_at_its_mode():
    u = np.linspace(0.0, 0.999999, 1001)
    x = truncated_normal(1.2, 0.15, 0.7, 1.7, u)
    assert (x >= 0.7).all() and (x <= 1.7).all() and np.all(np.diff(x) >= 0)
    assert truncated_normal(1.2, 0.15, 0.7, 1.7, np.array([0.5]))[0] == pytest.approx(1.2, abs=0.01)
    t = triangular(0.4, 1.0, 2.0, u)
    assert t[0] == pytest.approx(0.4) and t[-1] == pytest.approx(2.0, abs=2e-3)
    assert triangular(0.4, 1.0, 2.0, np.array([0.6 / 1.6]))[0] == pytest.approx(1.0)
    assert (triangular(1.0, 1.0, 1.0, u) == 1.0).all()


# ---------------------------------------------------------------- the fits
@pytest.mark.parametrize("name", ["rd", "budget"])
def test_each_fitted_relation_reproduces_its_history_within_its_residuals(name):
    f = sat.fits()[name]
    rows = pd.DataFrame(f.rows)
    implied = np.log1p(rows["link_pct"].to_numpy() / 100.0) * f.coefficient
    assert np.expm1(implied) * 100.0 == pytest.approx(rows["model_pct"].to_numpy())
    residual = np.log1p(rows["published_pct"].to_numpy() / 100.0) - implied
    assert residual * 100.0 == pytest.approx(rows["residual_pp"].to_numpy())
    assert (np.abs(residual) <= 3.0 * f.residual_sd).all()
    assert f.r_squared > 0.8


def test_the_fitted_values_are_those_of_the_data_file():
    params = data.satellites()
    assert sat.check_fits(params, sat.fits()) == []
    for f in sat.fits().values():
        assert params[f.key].status == "fitted"
        assert params[f.key].low < f.coefficient < params[f.key].high


def test_a_data_file_that_drifts_from_the_fit_is_refused():
    params = dict(data.satellites())
    params["rd.elasticity"] = dataclasses.replace(params["rd.elasticity"], value=1.5)
    problems = sat.check_fits(params, sat.fits())
    assert len(problems) == 1 and problems[0].startswith("rd.elasticity is 1.5")
    with pytest.raises(DataError, match="rd.elasticity is 1.5"):
        sat.satellites_2025(np.ones(N_SECTORS), realized_table(), params=params)


def test_a_fit_year_never_mixes_a_published_gdp_with_an_implied_one():
    published, implied = sat.gdp_levels()
    for f in sat.fits().values():
        for r in f.rows:
            y = r["year"]
            basis = r["source"].rsplit(", ", 1)[1].split()[0]
            levels = published if "published" in r["source"] else implied
            assert r["link_pct"] == pytest.approx(100 * (levels[(y, basis)] / levels[(y - 1, basis)] - 1))


def test_the_budget_fit_leaves_the_policy_years_out_and_rd_pairs_share_a_basis():
    assert not set(sat.fits()["budget"].years) & set(sat.BUDGET_POLICY_YEARS)
    intensity = {f.year: f.census_basis for f in data.history() if f.key == "rd.intensity"}
    for y in sat.fits()["rd"].years:
        assert intensity[y] == intensity[y - 1]


def test_the_history_file_is_checked_with_every_problem_at_its_line(tmp_path):
    path = tmp_path / "satellite_history.csv"
    text = (data.SATELLITE_HISTORY_FILE.read_text(encoding="utf-8").splitlines()[0] + "\n"
            "rd.spending,2011,H1,1,100 million CNY,p,d (2012),https://x.gov.cn,,v,n,n/a\n"
            "rd.spending,2011,annual,1,100 million CNY,p,d (2012),https://x.gov.cn,,v,n,6th\n")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_history(path)
    lines = [p.line for p in info.value.problems]
    assert lines == [2, 3]
    assert "annual figures only" in info.value.problems[0].message and "6th" in info.value.problems[1].message


def test_the_history_repeats_the_gdp_levels_of_the_other_data_files():
    figures = {(f.year, f.value) for f in data.figures().select("va.gdp") if f.key == "va.gdp"}
    realized = {(o.year, o.census_basis, o.value) for o in realized_table().select("va.gdp")}
    for f in data.history():
        if f.key == "va.gdp":
            assert (f.year, f.value) in figures or (f.year, f.census_basis, f.value) in realized, f.year


# ---------------------------------------------------------------- the jump-off
def test_the_satellites_start_from_their_2025_levels(jump_off):
    _, baseline, p = jump_off
    ind = Indicators(p)
    row = p.base_year - p.years[0]
    assert ind.value(BUDGET_REVENUE)[row] == pytest.approx(6680.6)
    history = {f.key: f for f in data.history() if f.year == 2024 and f.key == "rd.intensity"}
    gdp = sat.gdp_levels()[0]
    rd_2025 = history["rd.intensity"].value / 100 * gdp[(2024, "5th")] * (
        gdp[(2025, "5th")] / gdp[(2024, "5th")]) ** baseline.satellites["rd"].elasticity
    assert ind.value(RD_EXPENDITURE)[row] == pytest.approx(rd_2025)
    assert ind.value(RD_INTENSITY)[row] == pytest.approx(100 * rd_2025 / ind.value(GDP)[row])


def test_budget_revenue_growth_is_nominal_gdp_growth_at_the_fitted_elasticity(jump_off):
    _, baseline, p = jump_off
    ind = Indicators(p)
    gdp = ind.value(GDP)
    eps = baseline.satellites["budget"].elasticity
    expected = 100 * ((gdp[1:] / gdp[:-1]) ** eps - 1)
    assert ind.value(BUDGET_REVENUE_GROWTH)[1:] == pytest.approx(expected)


def test_the_digital_economy_weights_reproduce_the_published_level_on_the_2025_partition(jump_off):
    _, baseline, p = jump_off
    level, _ = sat.digital_economy_level_2025(realized_table(), float(baseline.va_2020.sum()))
    row = p.base_year - p.years[0]
    ind = Indicators(p)
    assert ind.value(DIGITAL_ECONOMY_VALUE_ADDED)[row] == pytest.approx(level)
    assert ind.value(DIGITAL_ECONOMY_SHARE)[row] == pytest.approx(100 * level / baseline.va_2020.sum())
    # the latest 5th-census level ("over 2.2 trillion" in 2024) grown by the published 2025 growth
    assert level == pytest.approx(22000 * 1.087)
    w = baseline.digital_economy_weights
    assert w[INDEX["ict"]] == 1.0 and w[INDEX["agriculture"]] == 0.0 and 0 < w[INDEX["finance"]] < 1


def test_a_digital_economy_level_no_weights_can_reach_is_refused():
    va = np.full(N_SECTORS, 100.0)
    with pytest.raises(AssumptionsError, match="digital-economy fraction"):
        sat.digital_economy_weights(va, 5000.0, {"digital_economy.weight.ict": 1.0})


def test_a_run_from_2020_has_no_satellites_and_scores_their_targets_as_not_projected():
    from model.baseline.baselines import baseline_for as b_for
    scenario = scenario_from_dict({"name": "s", "horizon": 2030, "targets": "plan15"})
    table = timeseries(project(scenario, b_for(scenario.assumptions, 2020)), "s")
    assert not {RD_INTENSITY, BUDGET_REVENUE, DIGITAL_ECONOMY_SHARE} & set(table["variable"])
    from model.targets.scorecard import NOT_PROJECTED, evaluate
    card = evaluate(table, load_set("plan15")).set_index("target")
    assert card.at["rd_intensity_2030", "status"] == NOT_PROJECTED
    assert "2025 jump-off" in card.at["rd_intensity_2030", "note"]


def test_the_ai_series_starts_from_its_published_2025_level(jump_off):
    _, baseline, p = jump_off
    row = p.base_year - p.years[0]
    assert Indicators(p).value("Revenue|Artificial Intelligence")[row] == pytest.approx(4500.0)
    assert "ai" in baseline.revenue_anchors and "green_energy" not in baseline.revenue_anchors


# ---------------------------------------------------------------- the Monte Carlo's parameter draws
def test_the_parameters_drawn_are_declared_once_in_their_data_files(jump_off):
    _, _, p = jump_off
    from model.projection.indicators import checked_revenue_links
    keys = [d.key for d in parameter_draws.declared(p, checked_revenue_links())]
    assert keys == ["rd.elasticity", "rd.level_factor", "budget.elasticity", "ai.elasticity", "ai.level_factor",
                    "green_energy.elasticity", "green_energy.level_factor"]


def test_a_run_from_2020_draws_no_parameter(baseline):
    from model.projection.indicators import checked_revenue_links
    p = project(scenario_from_dict({"name": "s"}), baseline)
    assert parameter_draws.declared(p, checked_revenue_links()) == ()


def test_parameter_draws_stay_in_range_and_do_not_depend_on_the_chunks(jump_off):
    _, _, p = jump_off
    from model.projection.indicators import checked_revenue_links
    declared = parameter_draws.declared(p, checked_revenue_links({"ai.elasticity": 2.5}))
    whole = parameter_draws.draw(declared, 100, parameter_draws.generator(7))
    rng = parameter_draws.generator(7)
    parts = [parameter_draws.draw(declared, n, rng) for n in (40, 60)]
    for d in declared:
        assert np.concatenate([parts[0][d.key], parts[1][d.key]]) == pytest.approx(whole[d.key])
        assert (whole[d.key] >= d.low).all() and (whole[d.key] <= d.high).all()
    ai = next(d for d in declared if d.key == "ai.elasticity")
    assert ai.centre == 2.5                     # centred on the scenario's value


def test_the_parameter_draws_leave_the_growth_draws_and_their_targets_as_they_were(jump_off, monkeypatch):
    scenario, baseline, _ = jump_off
    targets = [t for t in load_set("plan15") if t.year > 2025]
    with_draws = montecarlo.run(scenario, baseline, targets, chunk=250)
    monkeypatch.setattr(parameter_draws, "declared", lambda *a: ())
    without = montecarlo.run(scenario, baseline, targets, chunk=250)
    a, b = (r.targets.set_index("target")["p_met"] for r in (with_draws, without))
    for t in ("gdp_growth_2026", "gdp_growth_avg_2026_2030", "hightech_share_2030", "manufacturing_share_2030"):
        assert a[t] == b[t]                     # these read no drawn parameter
    assert with_draws.parameters and not without.parameters
    # the AI elasticity and level drawn widen the cluster's spread
    q = {name: r.targets.set_index("target").loc["ai_trillion_cluster_2030"] for name, r in
         (("with", with_draws), ("without", without))}
    assert q["with"]["value_p90"] - q["with"]["value_p10"] > q["without"]["value_p90"] - q["without"]["value_p10"]


# ---------------------------------------------------------------- the report's order
def test_the_scored_targets_come_first():
    stacked = pd.DataFrame({"scenario": ["a"] * 4, "target": ["x", "y", "z", "w"],
                            "status": ["not modelled", "met", "not projected", "missed"]})
    assert scored_first(stacked) == ["y", "w", "z", "x"]


def test_the_tornado_of_a_2025_base_swings_each_satellite_parameter_over_its_range(jump_off):
    from model.analysis.sensitivity import oat_inputs, tornado
    from model.output.plots_sensitivity import parameter_description
    scenario, baseline, _ = jump_off
    keys = {x.key for x in oat_inputs(2025) if x.kind == "satellite"}
    assert keys == {"rd.elasticity", "rd.level_factor", "budget.elasticity", "ai.level_factor",
                    "green_energy.level_factor"}
    assert not any(x.kind == "satellite" for x in oat_inputs())
    oat = tornado(scenario, baseline, [t for t in load_set("plan15") if t.id in ("rd_intensity_2030",
                                                                                "gdp_growth_2026")])
    swing = oat.set_index(["target", "parameter"])["swing"]
    assert swing["rd_intensity_2030", "satellites.rd.elasticity"] > 0
    assert swing["gdp_growth_2026", "satellites.rd.elasticity"] == 0
    assert parameter_description("satellites.rd.elasticity") == "R&D spending: elasticity to nominal GDP"

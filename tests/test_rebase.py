"""The 2025 jump-off (`base: 2025`): realized levels reproduced, years before the base refused,
the trend re-fitted with the same design, targets of the base year not scored."""

from pathlib import Path

import numpy as np
import pytest

from model.baseline import calibration, rebase
from model.baseline.calibration import baseline_for
from model.baseline.realized import realized
from model.baseline.sectors import GROUPS, INDEX, KEYS, SECTORS, mask
from model.projection.results import timeseries
from model.projection.simulate import project, shifted_draws
from model.projection.years import level_row, step_row
from model.scenario.scenario import ScenarioError, load_scenario, scenario_from_dict
from model.targets.targets import MET, MISSED, NOT_PROJECTED, evaluate, load_targets

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
VARIABLE = {s.key: s.variable for s in SECTORS}


def _rebased(horizon=2030, **more):
    return scenario_from_dict({"name": "r", "base": 2025, "horizon": horizon, **more})


@pytest.fixture(scope="module")
def run_2025():
    scenario = _rebased()
    baseline = baseline_for(scenario.assumptions, 2025)
    projection = project(scenario, baseline)
    return scenario, baseline, projection, timeseries(projection, scenario.name)


def _value(table, variable, year):
    rows = table[(table["variable"] == variable) & (table["year"] == year)]
    assert len(rows) == 1
    return float(rows["value"].iloc[0])


# ------------------------------------------------------------------ the realized 2025 economy reproduced
def test_every_published_2025_level_is_the_projection_2025_value(run_2025):
    """Each published 2025 level equals the projection's 2025 value to the rounding of the release
    (0.05); GDP is the sum of three rounded parts, so it is within 0.15."""
    _, _, p, table = run_2025
    pub = rebase.published_levels_2025()
    va = p.va_nominal[level_row(2025)]
    for key in ("agriculture", "finance", "ict"):
        assert _value(table, VARIABLE[key], 2025) == pytest.approx(pub[key].value, abs=0.05), key
    for group in ("secondary", "tertiary"):
        assert va[mask(group)].sum() == pytest.approx(pub[group].value, abs=0.05), group
    assert va.sum() == pytest.approx(pub["gdp"].value, abs=0.15)
    assert p.price_index[level_row(2025)] == pytest.approx(np.ones(len(KEYS)))
    assert p.va_real[level_row(2025)] == pytest.approx(va)          # constant 2025 prices


def test_published_levels_are_the_latest_fifth_census_releases():
    table = realized()
    for key, o in rebase.published_levels_2025(table).items():
        assert o.year == 2025 and o.period == "annual" and o.census_basis == "5th", key
    assert rebase.published_levels_2025(table)["gdp"].value == 52073.4


def test_partition_labels_every_sector_and_sums_to_the_published_sectors():
    va, rows = rebase.partition_2025()
    pub = rebase.published_levels_2025()
    assert [r["sector"] for r in rows] == list(KEYS)
    status = {r["sector"]: r["status"] for r in rows}
    assert {k for k, s in status.items() if s == "published"} == {"agriculture", "finance", "ict"}
    assert status["scitech"] == "derived" and status["wholesale_retail"] == "assumption"
    assert va.sum() == pytest.approx(pub["agriculture"].value + pub["secondary"].value + pub["tertiary"].value)
    sci_h1, ter_h1 = realized().latest("va.scitech", 2025, "H1"), realized().latest("va.tertiary", 2025, "H1")
    assert va[INDEX["scitech"]] == pytest.approx(pub["tertiary"].value * sci_h1.value / ter_h1.value)
    assert (va > 0).all()


def test_partition_follows_its_assumptions():
    assume = {"share.industry_in_secondary_2025": 76.0, "share.hightech_mfg_in_industry_2025": 30.0,
              "share.wholesale_retail_in_tertiary_2025": 10.0}
    va, _ = rebase.partition_2025(assume=assume, mining_share_pct=10.0)
    pub = rebase.published_levels_2025()
    industry = va[mask("industry")].sum()
    assert industry == pytest.approx(0.76 * pub["secondary"].value)
    assert va[INDEX["mfg_hightech"]] == pytest.approx(0.30 * industry)
    assert va[INDEX["mining_utilities"]] == pytest.approx(0.10 * industry)
    assert va[INDEX["wholesale_retail"]] == pytest.approx(0.10 * pub["tertiary"].value)


def test_table_starts_in_the_base_year_with_2025_units(run_2025):
    _, _, _, table = run_2025
    assert table["year"].min() == 2025
    rates = table[table["unit"] == "%"].groupby("variable")["year"].min()
    growth = [v for v in rates.index if v.startswith("Growth|")]
    assert growth and all(rates[v] == 2026 for v in growth)       # no rate in the base year
    assert rates["Growth (5-year average)|Real GDP"] == 2030      # five years after it
    assert "100 million CNY/yr (2025 prices)" in set(table["unit"])
    assert not any("2020" in u for u in table["unit"].unique())


def test_default_base_is_2020_and_unchanged(baseline):
    s = scenario_from_dict({"name": "d"})
    assert s.base == 2020
    b = baseline_for(s.assumptions, s.base)
    assert b.base_year == 2020 and b.va_2020 == pytest.approx(baseline.va_2020)
    assert timeseries(project(s, b), "d")["year"].min() == 2020


# ------------------------------------------------------------------ years before the base are refused
@pytest.mark.parametrize("body, where, line, message", [
    ("growth:\n  ict:\n    2024: 9\n", "growth.ict", 6, "year 2024 is not after the base year 2025"),
    ("deflator:\n  all:\n    2025-2027: 1\n", "deflator.all", 6, "year 2025 is not after the base year 2025"),
    ("shocks:\n  - name: s\n    year: 2025\n    growth_loss: 2\n", "shocks", 5,
     "shock year 2025 is not after the base year 2025"),
    ("projects:\n  - name: p\n    sector: ict\n    start: 2024\n    gross_output: 10\n    value_added_ratio: 30\n",
     "projects", 5, "project start 2024 is not after the base year 2025"),
])
def test_a_year_before_the_base_is_a_located_error(write_yaml, body, where, line, message):
    path = write_yaml("name: early\nbase: 2025\nhorizon: 2030\n" + body)
    with pytest.raises(ScenarioError, match=message) as info:
        load_scenario(path)
    (p,) = info.value.problems
    assert p.file.endswith("scenario.yaml") and p.line == line and p.path.startswith(where)


def test_an_inherited_year_before_the_base_is_an_error(write_yaml):
    write_yaml("name: parent\nhorizon: 2030\ngrowth:\n  ict:\n    2024: 9\n", "parent.yaml")
    child = write_yaml("name: child\nextends: parent\nbase: 2025\n", "child.yaml")
    with pytest.raises(ScenarioError, match="year 2024 is not after the base year 2025") as info:
        load_scenario(child)
    assert info.value.problems[0].file.endswith("parent.yaml")


def test_horizon_not_after_the_base_is_an_error(write_yaml):
    with pytest.raises(ScenarioError, match="horizon 2025 is not after the base year 2025"):
        load_scenario(write_yaml("name: short\nbase: 2025\nhorizon: 2025\n"))


def test_unknown_base_is_an_error(write_yaml):
    with pytest.raises(ScenarioError, match="base: got 2030; the base year is one of 2020, 2025"):
        load_scenario(write_yaml("name: b\nbase: 2030\nhorizon: 2035\n"))


def test_base_is_inherited(write_yaml):
    write_yaml("name: parent\nbase: 2025\nhorizon: 2030\n", "parent.yaml")
    assert load_scenario(write_yaml("name: child\nextends: parent\n", "child.yaml")).base == 2025


# ------------------------------------------------------------------ changes start after the base
def test_a_plain_growth_number_applies_from_the_year_after_the_base(run_2025):
    s = _rebased(growth={"ict": 10})
    b = baseline_for(s.assumptions, 2025)
    p = project(s, b)
    ict = INDEX["ict"]
    assert np.isnan(s.growth.set[:step_row(2026), ict]).all()
    assert p.growth_real[step_row(2026):, ict] == pytest.approx(0.10)
    assert p.va_nominal[level_row(2025)] == pytest.approx(run_2025[2].va_nominal[level_row(2025)])


def test_drawn_shifts_start_after_the_base():
    d = shifted_draws(3, 2030, growth={"all": np.ones(3)}, deflator={"ict": np.ones(3)}, base=2025)
    assert (d.growth[:, :step_row(2026)] == 0).all() and (d.growth[:, step_row(2026):] == 1).all()
    assert (d.deflator[:, :step_row(2026)] == 0).all()
    old = shifted_draws(3, 2030, growth={"all": np.ones(3)})
    assert (old.growth[:, step_row(2022):] == 1).all() and (old.growth[:, :step_row(2022)] == 0).all()


# ------------------------------------------------------------------ the trend: same design, new inputs
def test_trend_is_the_converging_design_on_the_record_to_2025(run_2025):
    _, b, _, _ = run_2025
    assert rebase.converging_trend is calibration.converging_trend
    assert rebase.solve_trend is calibration.solve_trend and rebase.fit_line is calibration.fit_line
    assume = dict(b.assumptions)
    t = rebase.refit_trend(b.va_2020, calibration.default_figures(), realized(), assume)
    _, again = calibration.converging_trend(b.va_2020, t["trend"], b.va_2020 / b.va_2020.sum(), t["aggregate"],
                                            assume["trend.half_life_years"], assume["trend.aggregate_floor"] / 100,
                                            np.arange(2026, calibration.TREND_LAST_YEAR + 1))
    path = b.trend_paths["converging"]
    assert path[2026 - calibration.TREND_FIRST_YEAR:] == pytest.approx(again)
    assert (path[:2026 - calibration.TREND_FIRST_YEAR] == 0).all()        # nothing before the base moves
    fitted_years = {r["year"] for r in b.trend_fit}
    assert fitted_years == set(rebase.TREND_YEARS_2025)
    assert not fitted_years & {2020, 2021, 2022}


def test_aggregate_line_is_fitted_on_both_windows():
    fig, table = calibration.default_figures(), realized()
    obs = [fig.get("growth.gdp", y) for y in calibration.TREND_YEARS] + \
        [table.latest("growth.gdp", y) for y in rebase.RECORD_YEARS_2025]
    line, _ = calibration.fit_line(obs)
    rates = np.array([f.value for f in obs]) / 100
    years = np.array([f.year for f in obs], float)
    slope, intercept = np.polyfit(years - years.mean(), rates, 1)
    assert line["slope"] == pytest.approx(slope) and line["intercept"] == pytest.approx(intercept)
    b = baseline_for({}, 2025)
    _, rows = calibration.fit_line(obs)
    assert {r["year"] for r in rows} <= {r["year"] for r in b.trend_fit}
    aggregate = {r["sector"]: r["value"] for r in b.provenance}
    assert aggregate["trend_aggregate_slope"] == pytest.approx(slope)


def test_2020_trend_fit_is_unchanged_by_the_refactoring(baseline):
    fig = calibration.default_figures()
    assume = dict(baseline.assumptions)
    obs = calibration.trend_observations(fig.select("growth."), calibration.TREND_YEARS,
                                         calibration.aggregation_weights_2017(fig, assume))
    gdp_mean = np.mean([fig.value("growth.gdp", y) for y in calibration.TREND_YEARS]) / 100
    g, _ = calibration.solve_trend(obs, gdp_mean)
    assert g == pytest.approx(baseline.trend_growth, abs=0)
    assert {f.year for f, _, _ in obs} <= set(calibration.TREND_YEARS)


def test_trend_deflator_is_the_mean_implied_2021_2025():
    d = rebase.implied_deflators_2025(calibration.default_figures(), realized())
    assert sorted(d) == [2021, 2022, 2023, 2024, 2025]
    assert d[2025] == pytest.approx(52073.4 / 49843.1 / 1.054 - 1)
    assert d[2023] == pytest.approx(43760.7 / 41610.9 / 1.052 - 1)      # one release's basis, not mixed
    assert baseline_for({}, 2025).trend_deflator == pytest.approx(np.mean(list(d.values())))


def test_kept_layers_are_listed_with_their_status():
    rows = {r["sector"]: r for r in baseline_for({}, 2025).provenance}
    for name in ("hightech_weights", "new_economy_weights", "revenue_layer"):
        assert rows[name]["status"] == "kept"


def test_revenue_layer_is_carried_from_its_2020_anchors(run_2025, baseline):
    """From the 2025 base the revenue anchors still refer to the 2020 levels, so a series' 2025 value
    is its 2020 anchor times its link's growth from 2020 to 2025 (not the 2020 anchor itself)."""
    _, b, p, _ = run_2025
    assert b.revenue_reference == pytest.approx(baseline.va_2020)
    from model.equations import revenue
    from model.projection.indicators import revenue_link_parameters
    params = revenue_link_parameters()
    s = revenue.SERIES[0]
    w = revenue.link_weights(params, s.key)
    level = revenue.revenues(p.va_nominal, params, b.revenue_reference)[s.key][level_row(2025)]
    expected = params[f"{s.key}.base_2020"] * ((p.va_nominal[level_row(2025)] @ w) / (baseline.va_2020 @ w)) \
        ** params[f"{s.key}.elasticity"]
    assert level == pytest.approx(expected)
    assert level != pytest.approx(params[f"{s.key}.base_2020"])


# ------------------------------------------------------------------ targets of the base year are not scored
def test_a_target_of_the_base_year_is_not_projected(run_2025):
    _, _, _, table = run_2025
    targets = [t for t in load_targets() if t.modelled and t.year == 2025]
    assert targets
    silent = evaluate(table, targets)                      # without the base: scored on the base year's data
    assert set(silent["status"]) <= {MET, MISSED} and silent["projected_value"].notna().all()
    card = evaluate(table, targets, base_year=2025)
    assert (card["status"] == NOT_PROJECTED).all()
    assert card["projected_value"].isna().all()
    assert (card["first_year_met"].dropna() > 2025).all()     # met, if ever, only in a projected year


# ------------------------------------------------------------------ the shipped 2030 scenarios
@pytest.mark.parametrize("name", ["baseline_2030", "ict_ai_push_2030", "green_energy_2030",
                                  "manufacturing_recovery_2030"])
def test_shipped_2030_scenarios(name):
    s = load_scenario(SCENARIOS / f"{name}.yaml")
    assert s.base == 2025 and s.horizon == 2030
    p = project(s, baseline_for(s.assumptions, s.base))
    assert p.va_nominal[level_row(2025)].sum() == pytest.approx(52073.4, abs=0.15)
    assert (p.va_nominal[level_row(2030)] > 0).all()
    if name != "baseline_2030":
        assert s.parent is not None and s.parent.name == "baseline_2030"
        changed = s.growth.touched()
        assert not changed[:step_row(2026)].any() and changed[step_row(2026):].any()


def test_groups_used_by_the_partition_exist():
    assert {"industry", "secondary", "tertiary"} <= set(GROUPS)


def test_show_starts_after_the_base(run_2025):
    from model.output.show import describe
    scenario, baseline, _, _ = run_2025
    text = describe(scenario, baseline)
    assert "base 2025; horizon 2030" in text and "no effect from this base" in text
    header = next(line for line in text.splitlines() if line.strip().startswith("sector"))
    assert header.split()[1:] == [str(y) for y in range(2026, 2031)]


@pytest.fixture(scope="module")
def targets_2030(tmp_path_factory):
    """The plan's targets moved to 2030: a stand-in for a target set of the 15th plan."""
    import yaml
    from model.targets.targets import TARGETS_FILE, read_targets
    raw = yaml.safe_load(TARGETS_FILE.read_text(encoding="utf-8"))
    for t in raw:
        t["year"] = 2030
    path = tmp_path_factory.mktemp("targets") / "targets_2030.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return read_targets(path)


def test_attribution_of_a_2030_target_adds_up_by_sector_and_by_input(targets_2030):
    """The sector split reads the revenue anchors' 2020 levels, as the projection does."""
    from model.analysis.attribution import attribute
    s = load_scenario(SCENARIOS / "ict_ai_push_2030.yaml")
    b = baseline_for(s.assumptions, s.base)
    table = attribute(s, b, targets_2030, project(s, b))
    sums = table.groupby(["target", "kind"])["contribution"].sum().unstack()
    assert (sums["input"] - sums["sector"]).abs().max() < 1e-6
    assert sums.loc["software_revenue", "input"] > 0            # the ICT push lifts software revenue


def test_goal_seeking_a_2030_target_moves_rates_from_2026(targets_2030):
    from model.analysis.goalseek import goal_seek
    s = load_scenario(SCENARIOS / "baseline_2030.yaml")
    b = baseline_for(s.assumptions, s.base)
    p = project(s, b)
    card = evaluate(timeseries(p, s.name), targets_2030, base_year=2025)
    out = goal_seek(s, b, targets=targets_2030, scorecard=card, first_year=2026, projection=p)
    assert set(out["year"]) == {2030} and (out["status"] == "reachable").any()

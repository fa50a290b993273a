"""The 2025 jump-off (`base: 2025`): realized levels reproduced, years before the base refused,
the trend re-fitted with the same design, targets of the base year not scored."""

from pathlib import Path

import numpy as np
import pytest

from model.baseline import calibration, rebase
from model.baseline.baselines import baseline_for
from model.baseline.realized import realized_table
from model.core.sectors import GROUPS, INDEX, KEYS, SECTORS, mask
from model.core.years import level_row, step_row
from model.projection.results import timeseries
from model.projection.simulate import project, shifted_draws
from model.scenario.loader import ScenarioError, load_scenario, scenario_from_dict
from model.targets.definitions import load_targets
from model.targets.scorecard import MET, MISSED, NOT_PROJECTED, evaluate

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
    table = realized_table()
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
    table = realized_table()
    sci_h1, ter_h1 = table.latest("va.scitech", 2025, "H1"), table.latest("va.tertiary", 2025, "H1")
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
    t = rebase.refit_trend(b.va_2020, calibration.default_figures(), realized_table(), assume)
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
    fig, table = calibration.default_figures(), realized_table()
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


def test_trend_deflator_is_the_mean_implied_2023_2025_each_within_one_release():
    from model.baseline.vintage import implied_gdp_deflators
    d = {y: v for y, (v, _) in implied_gdp_deflators(calibration.default_figures(), realized_table()).items()}
    assert sorted(d) == [2021, 2022, 2023, 2024, 2025]
    assert d[2025] == pytest.approx(52073.4 / 49670.2 / 1.054 - 1)     # over the final 2024 level, as the rate
    assert d[2024] == pytest.approx(49843.1 / 47353.7 / 1.052 - 1)     # the level of the rate's own release
    assert d[2023] == pytest.approx(43760.7 / 41610.9 / 1.052 - 1)     # a first-release rate: 4th-census levels
    assert d[2021] == pytest.approx(40269.6 / 36102.6 / 1.085 - 1)     # not the restated 44,350.7 / 38,503.6
    assert baseline_for({}, 2025).trend_deflator == pytest.approx(np.mean([d[y] for y in rebase.PRICE_YEARS_2025]))


# ------------------------------------------------------------------ the revenue layer anchored to the record
def _table_with(tmp_path, *rows):
    """The project's realized table with ``rows`` (dicts of the columns that differ) appended, loaded from a copy."""
    import csv

    from model.baseline.realized import REALIZED_FILE_COLUMNS as COLUMNS
    from model.baseline.realized import load_realized
    from model.core.files import REALIZED_FILE
    with open(REALIZED_FILE, newline="", encoding="utf-8") as fh:
        kept = list(csv.DictReader(fh))
    common = {"period": "annual", "unit": "100 million CNY", "publisher": "Test publisher", "document": "test repost",
              "url": "https://example.org/release", "vintage": "preliminary: test release, Feb 2026",
              "note": "test row", "census_basis": "5th", "status": "preliminary", "definition": "same"}
    path = tmp_path / "realized.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(kept + [{**common, **r} for r in rows])
    return load_realized(path)


def _run_with(table):
    scenario = _rebased()
    b = rebase.build_rebased(2025, baseline_for({}), table=table)
    p = project(scenario, b)
    return b, p, timeseries(p, scenario.name)


def _carried_2025(b, series, params):
    from model.equations import revenue
    w = revenue.link_weights(params, series)
    link_growth = (b.va_2020 @ w) / (b.revenue_reference @ w)       # va_2020 holds the 2025 levels after 2025
    return params[f"{series}.base_2020"] * link_growth ** params[f"{series}.elasticity"]


def test_every_published_2025_revenue_level_is_reproduced_exactly(tmp_path):
    """Generic over realized.csv: each series with a 2025 level on its definition starts from it
    exactly; two added 2025 rows make sure the check has something to check."""
    from model.equations.revenue import SERIES
    table = _table_with(tmp_path, {"key": "revenue.ic", "year": "2025", "value": "3210.5"},
                        {"key": "output.cars", "year": "2025", "value": "5555.5"})
    _, _, out = _run_with(table)
    checked = 0
    for s in SERIES:
        o, _ = rebase.revenue_evidence(table, s.key)
        if o is not None and o.year == 2025 and o.period == "annual" and o.definition == "same":
            assert _value(out, s.variable, 2025) == o.value, s.key
            checked += 1
    assert checked >= 2


def test_a_level_of_an_earlier_year_is_carried_by_its_link_growth(run_2025):
    """Every series anchored at an earlier year's level: R_2025 = A (L_2025 / L_Y)^eps, the link of year Y
    taken at that year's sector levels (published where the record has them, else the GDP growth)."""
    from model.equations import revenue
    from model.projection.indicators import revenue_link_parameters
    _, b, p, table = run_2025
    params, fig = revenue_link_parameters(), calibration.default_figures()
    evidence = {s.key: rebase.revenue_evidence(realized_table(), s.key) for s in revenue.SERIES}
    def carried(s, o):          # a figure of year o.year carried to 2025 by the link of series s
        w = revenue.link_weights(params, s.key)
        va_year, _ = rebase.sector_levels_in(o.year, b.va_2020, fig, realized_table())
        return o.value * ((b.va_2020 @ w) / (va_year @ w)) ** params[f"{s.key}.elasticity"]

    earlier = [s for s in revenue.SERIES if (o := evidence[s.key][0]) is not None and o.period == "annual"
               and o.year < 2025 and all(carried(s, f) < carried(s, o) for f in evidence[s.key][1])]
    assert earlier                      # today: medicine and health (2024; its 2025 bound, 10,000, binds not)
    for s in earlier:
        expected = carried(s, evidence[s.key][0])
        assert _value(table, s.variable, 2025) == pytest.approx(expected, rel=1e-12), s.key
        assert expected != pytest.approx(_carried_2025(b, s.key, params), rel=1e-3), s.key


def test_the_gdp_growth_of_the_record_reproduces_one_basis_levels():
    """The link's fallback growth from 2023 and 2024 to 2025 equals the ratio of the 5th-census GDP levels."""
    t = realized_table()
    for year in (2023, 2024):
        ratio = t.latest("va.gdp", 2025, basis="5th").value / t.latest("va.gdp", year, basis="5th").value
        assert rebase.nominal_gdp_factor(calibration.default_figures(), t, year) == pytest.approx(ratio, rel=1e-12)


def test_medicine_and_health_starts_at_least_at_its_published_2024_level(run_2025):
    """The carried 2020 anchor put 2025 below the published 2024 level; anchored, it is above it."""
    _, _, _, table = run_2025
    published = realized_table().latest("revenue.medicine_health", 2024)
    assert published is not None and published.definition == "same"
    assert _value(table, "Revenue|Medicine and Health", 2025) >= published.value
    assert _value(table, "Revenue|Medicine and Health", 2030) > _value(table, "Revenue|Medicine and Health", 2025)


def test_a_lower_bound_raises_the_carried_level_but_never_lowers_it(tmp_path):
    from model.projection.indicators import revenue_link_parameters
    params = revenue_link_parameters()
    b0 = rebase.build_rebased(2025, baseline_for({}))
    carried = _carried_2025(b0, "ic", params)
    bound = "lower bound of the same measure ('over X')"
    above = _table_with(tmp_path, {"key": "revenue.ic", "year": "2025", "value": f"{carried * 1.5:.1f}",
                                   "definition": bound})
    b, _, out = _run_with(above)
    assert _value(out, "Revenue|Integrated Circuits", 2025) == pytest.approx(round(carried * 1.5, 1), rel=1e-12)
    row = next(r for r in b.provenance if r["sector"] == "revenue.ic")
    assert row["status"] == "derived" and row["derivation"].startswith("lower bound")
    below = _table_with(tmp_path, {"key": "revenue.ic", "year": "2025", "value": f"{carried * 0.5:.1f}",
                                   "definition": bound})
    b, _, out = _run_with(below)
    assert _value(out, "Revenue|Integrated Circuits", 2025) == pytest.approx(carried, rel=1e-12)
    assert next(r for r in b.provenance if r["sector"] == "revenue.ic")["status"] == "carried"


def test_a_bound_of_another_measure_or_scope_anchors_nothing(tmp_path):
    from model.projection.indicators import revenue_link_parameters
    table = _table_with(tmp_path,
                        {"key": "revenue.ic", "year": "2025", "value": "99999",
                         "definition": "lower bound of output value"},
                        {"key": "revenue.scitech", "year": "2025", "value": "99999", "period": "H1",
                         "vintage": "preliminary: test release, Aug 2025", "definition": "approximate"},
                        {"key": "revenue.pharma_mfg", "year": "2025", "value": "99999", "definition": "wider scope"})
    b, _, out = _run_with(table)
    params = revenue_link_parameters()
    for key, variable in (("ic", "Revenue|Integrated Circuits"), ("scitech", "Revenue|Science and Technology Services"),
                          ("pharma_mfg", "Revenue|Medicine and Health, of which Pharmaceutical Manufacturing")):
        assert _value(out, variable, 2025) == pytest.approx(_carried_2025(b, key, params), rel=1e-12), key
        assert key not in b.revenue_anchors


def test_a_partial_year_of_the_same_measure_is_annualized_as_the_2020_software_base(tmp_path):
    """Ten months of cumulative revenue stand for the year at 12/10 (months weighted equally, the rule
    of the 2020 software level); the figure itself stays a floor."""
    table = _table_with(tmp_path, {"key": "revenue.ic", "year": "2025", "value": "4000", "period": "Jan-Oct",
                                   "vintage": "preliminary: test release, Nov 2025"})
    b, _, out = _run_with(table)
    assert _value(out, "Revenue|Integrated Circuits", 2025) == pytest.approx(4000 * 12 / 10, rel=1e-12)
    row = next(r for r in b.provenance if r["sector"] == "revenue.ic")
    assert row["status"] == "derived" and "annualized x 12/10" in row["derivation"]


def test_a_short_partial_year_only_bounds_the_level_from_below(tmp_path):
    """Fewer than six months are too seasonal to scale up: a Q1 figure raises the level to itself when
    it is above the level otherwise used, and changes nothing when below."""
    from model.projection.indicators import revenue_link_parameters
    params = revenue_link_parameters()
    carried = _carried_2025(rebase.build_rebased(2025, baseline_for({})), "ic", params)
    high, low = round(carried * 1.3, 1), round(carried * 0.2, 1)
    for value, expected in ((high, high), (low, carried)):
        table = _table_with(tmp_path, {"key": "revenue.ic", "year": "2025", "value": str(value), "period": "Q1",
                                       "vintage": "preliminary: test release, May 2025"})
        _, _, out = _run_with(table)
        assert _value(out, "Revenue|Integrated Circuits", 2025) == pytest.approx(expected, rel=1e-12)


def test_every_2025_revenue_level_respects_every_published_lower_bound(run_2025):
    """The software level carried from 2021 fell short of the 3 trillion yuan published for January to October
    2025 alone; no series may start below a figure the record says it exceeds (carried by its link growth)."""
    from model.equations import revenue
    from model.projection.indicators import revenue_link_parameters
    _, b, _, table = run_2025
    params, fig, t = revenue_link_parameters(), calibration.default_figures(), realized_table()
    checked = 0
    for s in revenue.SERIES:
        w, eps = revenue.link_weights(params, s.key), params[f"{s.key}.elasticity"]
        for o in rebase.revenue_evidence(t, s.key)[1]:
            va_year, _ = rebase.sector_levels_in(o.year, b.va_2020, fig, t)
            assert _value(table, s.variable, 2025) >= o.value * ((b.va_2020 @ w) / (va_year @ w)) ** eps - 1e-9, \
                (s.key, o.year, o.period)
            checked += 1
    assert checked            # today: the software revenue of Jan-May 2024 and Jan-Oct 2025
    software = _value(table, "Revenue|Software and Information Services", 2025)
    assert software >= t.latest("revenue.software_info", 2025, "Jan-Oct").value


def test_every_revenue_series_has_a_provenance_row_with_its_2025_level(run_2025):
    from model.equations.revenue import SERIES
    _, b, _, table = run_2025
    rows = {r["sector"]: r for r in b.provenance}
    for s in SERIES:
        row = rows[f"revenue.{s.key}"]
        assert row["status"] in ("published", "derived", "carried") and row["year"] == 2025
        assert row["value"] == pytest.approx(_value(table, s.variable, 2025), rel=1e-12), s.key
        assert (s.key not in b.revenue_anchors) <= (row["status"] == "carried"), s.key
        assert (row["status"] == "carried") == row["derivation"].startswith("carried"), s.key
        if row["status"] != "carried":
            assert "http" in row["derivation"], s.key            # the source of the anchor
    assert rows["revenue.medicine_health"]["status"] == "derived"


def test_revenue_levels_after_2025_follow_the_link_from_the_2025_level(run_2025):
    """R_t = R_2025 (L_t / L_2025)^eps for every series, anchored or carried."""
    from model.equations import revenue
    from model.projection.indicators import revenue_link_parameters
    _, _, p, table = run_2025
    params = revenue_link_parameters()
    for s in revenue.SERIES:
        w = revenue.link_weights(params, s.key)
        growth = (p.va_nominal[level_row(2030)] @ w) / (p.va_nominal[level_row(2025)] @ w)
        assert _value(table, s.variable, 2030) == pytest.approx(
            _value(table, s.variable, 2025) * growth ** params[f"{s.key}.elasticity"], rel=1e-9), s.key


def test_the_2020_base_has_no_anchors():
    b = baseline_for({})
    assert b.base_year == 2020 and not b.revenue_anchors and b.revenue_reference is None


# ------------------------------------------------------------------ base_2020 overrides from base 2025
def test_a_base_2020_override_of_an_anchored_series_is_refused_with_its_line(tmp_path):
    anchored = rebase.anchored_series()
    assert anchored
    key = f"{anchored[0]}.base_2020"
    path = tmp_path / "s.yaml"
    path.write_text(f"base: 2025\nhorizon: 2030\nrevenue_links:\n  {key}: {_low(key)}\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=rf"s.yaml:4: revenue_links.{key}: .*no effect from base 2025"):
        load_scenario(path)


def test_a_base_2020_override_is_refused_when_inherited_into_base_2025(tmp_path):
    key = f"{rebase.anchored_series()[0]}.base_2020"
    (tmp_path / "p.yaml").write_text(f"revenue_links:\n  {key}: {_low(key)}\n", encoding="utf-8")
    assert load_scenario(tmp_path / "p.yaml").revenue_links[key] == _low(key)       # fine from base 2020
    (tmp_path / "c.yaml").write_text("extends: p\nbase: 2025\nhorizon: 2030\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=rf"p.yaml:2: revenue_links.{key}"):
        load_scenario(tmp_path / "c.yaml")


def test_a_base_2020_override_of_a_carried_series_moves_its_2025_level(run_2025):
    from model.equations.revenue import SERIES
    carried = next(s for s in SERIES if s.key not in run_2025[1].revenue_anchors)
    _, b, p, table = run_2025
    s = _rebased(revenue_links={f"{carried.key}.base_2020": 1.1 * _links()[f"{carried.key}.base_2020"]})
    out = timeseries(project(s, b), s.name, revenue_links=s.revenue_links)
    assert _value(out, carried.variable, 2025) == pytest.approx(1.1 * _value(table, carried.variable, 2025), rel=1e-12)


def _low(key):
    from model.baseline.data import revenue_links
    return revenue_links()[key].low


def _links():
    from model.projection.indicators import revenue_link_parameters
    return revenue_link_parameters()


# ------------------------------------------------------------------ cross-cutting weights
def test_the_latest_published_shares_are_reproduced_on_the_partition_of_their_year(run_2025, baseline):
    """Nothing on the high-tech definition after 2021: the 2021 share re-solves the services fraction on the
    2021 levels of the 2020 calibration (not on 2025's structure), and the new economy keeps the 2021 share
    the calibration targeted (its latest published figure is of H1 2021), over those weights."""
    _, b, p, table = run_2025
    va_2021 = rebase.partition_2021(baseline)
    published = realized_table().latest("share.hightech", 2021)
    assert 100 * b.hightech_weights @ va_2021 / va_2021.sum() == pytest.approx(published.value, rel=1e-12)
    assert 100 * baseline.hightech_weights @ va_2021 / va_2021.sum() != pytest.approx(published.value, abs=0.05)
    target = next(m["target"] for m in baseline.moments if m["moment"] == "share.new_economy")
    assert 100 * b.new_economy_weights @ va_2021 / va_2021.sum() == pytest.approx(target, rel=1e-12)
    assert np.all(b.new_economy_weights >= b.hightech_weights)
    gdp = p.va_nominal[level_row(2025)].sum()
    assert _value(table, "Share of GDP (Cross-cutting)|High-tech", 2025) == pytest.approx(
        100 * b.hightech_weights @ p.va_nominal[level_row(2025)] / gdp, rel=1e-12)
    rows = {r["sector"]: r for r in b.provenance}
    assert rows["hightech_services_fraction"]["status"] == "derived"
    assert "30.1 %" in rows["hightech_services_fraction"]["derivation"]
    assert rows["new_economy_fraction"]["status"] == "derived"


@pytest.mark.parametrize("row, share", [
    ({"key": "share.hightech", "year": "2025", "value": "31.5", "unit": "%"}, lambda gdp: 31.5),
    ({"key": "share.hightech", "year": "2023", "value": "29.0", "unit": "%", "census_basis": "4th",
      "vintage": "preliminary: test release, Mar 2024"}, lambda gdp: 29.0),
    ({"key": "va.hightech", "year": "2025", "value": "16000"}, lambda gdp: 100 * 16000 / gdp),
])
def test_a_newer_hightech_share_is_reproduced_on_the_2025_partition(tmp_path, row, share):
    b, p, out = _run_with(_table_with(tmp_path, row))
    gdp = p.va_nominal[level_row(2025)].sum()
    assert _value(out, "Share of GDP (Cross-cutting)|High-tech", 2025) == pytest.approx(share(gdp), rel=1e-12)
    assert np.all(b.new_economy_weights >= b.hightech_weights)          # new economy contains high-tech
    assert next(r for r in b.provenance if r["sector"] == "hightech_services_fraction")["status"] == "derived"


def test_a_share_the_2025_partition_cannot_reproduce_names_its_line(tmp_path):
    table = _table_with(tmp_path, {"key": "share.hightech", "year": "2025", "value": "60", "unit": "%"})
    line = next(o.line for o in table.select("share.hightech") if o.year == 2025)
    with pytest.raises(ValueError, match=rf"realized.csv:{line}: share.hightech 2025 = 60 .*outside \[0, 1\]"):
        rebase.build_rebased(2025, baseline_for({}), table=table)


def test_a_run_reports_a_share_it_cannot_reproduce_at_its_line_and_the_other_scenarios_still_run(tmp_path,
                                                                                                  monkeypatch):
    """Bad data behind a 2025-base scenario: a located problem of that scenario, no traceback, and the
    2020-base scenario of the same batch is written."""
    from model import batch
    from model.baseline import baselines
    table = _table_with(tmp_path, {"key": "share.hightech", "year": "2025", "value": "60", "unit": "%"})
    line = next(o.line for o in table.select("share.hightech") if o.year == 2025)
    monkeypatch.setattr(rebase, "default_realized", lambda: table)
    baselines._rebased_of.cache_clear()
    try:
        (tmp_path / "late.yaml").write_text("name: late\nbase: 2025\nhorizon: 2027\n", encoding="utf-8")
        (tmp_path / "early.yaml").write_text("name: early\nhorizon: 2022\n", encoding="utf-8")
        outcomes = {o.name or o.file: o for o in batch.run_batch(
            [tmp_path / "late.yaml", tmp_path / "early.yaml"], tmp_path / "out", ["test"],
            batch.RunOptions(figures=False))}
    finally:
        baselines._rebased_of.cache_clear()
    late = next(o for o in outcomes.values() if o.file.endswith("late.yaml"))
    assert not late.ok and len(late.problems) == 1
    assert f"realized.csv:{line}: share.hightech 2025 = 60 cannot be reproduced" in late.problems[0]
    assert "base 2025 cannot be built from the data" in late.problems[0] and "Traceback" not in late.problems[0]
    assert next(o for o in outcomes.values() if o.file.endswith("early.yaml")).ok


def test_a_newer_new_economy_share_is_reproduced_on_the_2025_partition(tmp_path):
    b, p, out = _run_with(_table_with(tmp_path, {"key": "share.new_economy", "year": "2024", "value": "45.0",
                                                  "unit": "%", "vintage": "preliminary: test release, Mar 2025"}))
    assert _value(out, "Share of GDP (Cross-cutting)|New Economy", 2025) == pytest.approx(45.0, rel=1e-12)
    assert b.hightech_weights == pytest.approx(rebase.build_rebased(2025, baseline_for({})).hightech_weights, abs=0)


def test_the_2020_cross_cutting_solve_still_reproduces_the_2020_levels(baseline):
    fig = calibration.default_figures()
    va = baseline.va_2020
    assert baseline.hightech_weights @ va == pytest.approx(fig.value("va.hightech", 2020), rel=1e-12)
    assert baseline.new_economy_weights @ va == pytest.approx(fig.value("va.new_economy", 2020), rel=1e-12)


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

    from model.targets.definitions import TARGETS_FILE, read_targets
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

"""Accounting identities and behaviour of the projection."""
import numpy as np
import pytest

from model.core.iamc import (
    HIGHTECH_SHARE,
    HIGHTECH_VALUE_ADDED,
    IAMC_COLUMNS,
    PROJECT_GROSS_OUTPUT,
    PROJECT_VALUE_ADDED,
)
from model.core.sectors import INDEX, LEVEL1, PARENTS, SECTORS, mask
from model.core.years import BASE_YEAR
from model.projection.results import series, timeseries
from model.projection.simulate import growth_paths, project
from model.scenario.loader import scenario_from_dict


def scenario(**raw):
    return scenario_from_dict(raw, "test.yaml")


@pytest.fixture(scope="module")
def table(baseline):
    return timeseries(project(scenario(horizon=2030), baseline), "test")


def test_columns_and_years(table):
    assert tuple(table.columns) == IAMC_COLUMNS
    assert set(table["year"]) == set(range(2020, 2031))
    assert set(table["region"]) == {"Beijing"}
    assert not table.duplicated(["variable", "year"]).any()


def test_level1_sectors_sum_to_gdp_every_year(table):
    level1 = table[table["variable"].str.match(r"^Value Added\|[^|]+$")]
    assert set(level1["variable"]) == set(LEVEL1)
    total = level1.groupby("year")["value"].sum()
    np.testing.assert_allclose(total, series(table, "GDP").loc[total.index], rtol=1e-12)


def test_real_sectors_sum_to_real_gdp(table):
    level1 = table[table["variable"].str.match(r"^Real Value Added\|[^|]+$")]
    total = level1.groupby("year")["value"].sum()
    np.testing.assert_allclose(total, series(table, "Real GDP").loc[total.index], rtol=1e-12)


def test_children_sum_to_parent(table):
    for parent in PARENTS:
        children = table[table["variable"].str.startswith(parent + "|")]
        assert children["variable"].nunique() == 2
        total = children.groupby("year")["value"].sum()
        np.testing.assert_allclose(total, series(table, parent).loc[total.index], rtol=1e-12)


def test_shares_of_partition_sum_to_100(table):
    names = ["Share of GDP|" + v.split("|", 1)[1] for v in LEVEL1]
    shares = table[table["variable"].isin(names)].groupby("year")["value"].sum()
    np.testing.assert_allclose(shares, 100.0, rtol=1e-12)


def test_required_variables_present(table):
    for v in ("GDP", "Real GDP", "Value Added|Manufacturing", "Value Added|Finance", HIGHTECH_VALUE_ADDED,
              HIGHTECH_SHARE, "Share of GDP|Manufacturing", "Share of GDP|Finance"):
        assert v in set(table["variable"]), v
    units = dict(zip(table["variable"], table["unit"]))
    assert units["GDP"] == "100 million CNY/yr"
    assert units[HIGHTECH_SHARE] == "%"


def test_base_year_row_is_published(table):
    assert series(table, "GDP")[BASE_YEAR] == pytest.approx(36102.6, abs=1e-9)
    assert series(table, "Value Added|Finance")[BASE_YEAR] == 7188.0
    assert series(table, HIGHTECH_SHARE)[BASE_YEAR] == pytest.approx(27.38, abs=0.01)
    assert series(table, "Real GDP")[BASE_YEAR] == pytest.approx(36102.6, abs=1e-9)


def test_no_negative_value_added(table):
    assert (table[table["variable"].str.contains("Value Added")]["value"] > 0).all()


def test_zero_growth_and_zero_inflation_keep_levels(baseline):
    s = scenario(growth={"all": 0}, deflator={"all": 0}, vaccine_unwind=0, horizon=2030)
    p = project(s, baseline)
    # from 2022 on nothing moves: 2021 is the calibrated year
    np.testing.assert_allclose(p.va_nominal[2:], np.tile(p.va_nominal[1], (len(p.years) - 2, 1)), rtol=1e-14)


def test_constant_growth_reproduces_geometric_path(baseline):
    s = scenario(growth={"all": 4}, deflator={"all": 2}, vaccine_unwind=0)
    p = project(s, baseline)
    t = np.arange(len(p.years) - 1)
    np.testing.assert_allclose(p.va_real[1:] / p.va_real[1], (1.04 ** t)[:, None] * np.ones(len(SECTORS)), rtol=1e-12)
    np.testing.assert_allclose(p.price_index[:, 0], 1.02 ** np.arange(len(p.years)), rtol=1e-12)


def test_sector_override_beats_all(baseline):
    s = scenario(growth={"all": 3, "finance": 9})
    _, g, _ = growth_paths(s, baseline)
    assert np.all(g[1:, INDEX["finance"]] == pytest.approx(0.09))
    assert np.all(g[1:, INDEX["ict"]] == pytest.approx(0.03))
    np.testing.assert_array_equal(g[0], baseline.growth_2021)


def test_deflator_moves_nominal_not_real(baseline):
    low = project(scenario(deflator={"all": 0}), baseline)
    high = project(scenario(deflator={"all": 5}), baseline)
    np.testing.assert_array_equal(low.va_real, high.va_real)
    assert np.all(high.va_nominal[1:] > low.va_nominal[1:])


def test_vaccine_unwind(baseline):
    h = INDEX["mfg_hightech"]
    full = project(scenario(vaccine_unwind=100), baseline)
    none = project(scenario(vaccine_unwind=0), baseline)
    trend = baseline.trend_paths["converging"][:, h]       # the default design's path, 2021 first
    trend_level_2022 = baseline.va_2020[h] * (1 + trend[0]) * (1 + trend[1])
    assert full.va_real[2, h] == pytest.approx(trend_level_2022)
    assert none.growth_real[1, h] == pytest.approx(trend[1])


def test_horizon_2035(baseline):
    p = project(scenario(horizon=2035), baseline)
    assert p.years[-1] == 2035 and p.va_real.shape == (16, len(SECTORS))


def test_industry_2021_close_to_later_official_level(baseline):
    """Out of sample: 2021 industry value added (published in 2022) within 5 %."""
    p = project(scenario(), baseline)
    industry_2021 = p.va_nominal[1, mask("industry")].sum()
    assert industry_2021 == pytest.approx(5692.5, rel=0.05)


# ---------------------------------------------------------------- shocks
def no_shock(**raw):
    return scenario(vaccine_unwind=0, growth={"all": 5}, **raw)


def shocked(loss, recovery_years=0, recovered=100, sectors="all"):
    return no_shock(shocks=[{"name": "s", "year": 2022, "sectors": sectors, "growth_loss": loss,
                             "recovery_years": recovery_years, "recovered": recovered}])


def test_shock_takes_exactly_its_points_in_its_year(baseline):
    base = growth_paths(no_shock(), baseline)[1]
    g = growth_paths(shocked(3), baseline)[1]
    np.testing.assert_allclose(g[1], base[1] - 0.03, atol=1e-14)
    np.testing.assert_allclose(g[2:], base[2:], atol=1e-14)     # permanent level loss, growth resumes


def test_full_recovery_returns_to_the_unshocked_level(baseline):
    base = project(no_shock(), baseline).va_real
    p = project(shocked(4, recovery_years=2), baseline).va_real
    assert np.all(p[2] < base[2]) and np.all(p[3] < base[3])
    np.testing.assert_allclose(p[4:], base[4:], rtol=1e-12)


def test_partial_recovery_keeps_part_of_the_loss(baseline):
    base = project(no_shock(), baseline).va_real
    lost = 1 - project(shocked(4, recovery_years=2, recovered=0), baseline).va_real[-1] / base[-1]
    half = 1 - project(shocked(4, recovery_years=2, recovered=50), baseline).va_real[-1] / base[-1]
    np.testing.assert_allclose(np.log(1 - half), 0.5 * np.log(1 - lost), rtol=1e-12)


def test_shock_touches_only_its_sectors(baseline):
    base = growth_paths(no_shock(), baseline)[1]
    g = growth_paths(shocked(3, sectors=["finance"]), baseline)[1]
    others = np.ones(len(SECTORS), bool)
    others[INDEX["finance"]] = False
    np.testing.assert_allclose(g[:, others], base[:, others], rtol=0, atol=1e-14)
    assert g[1, INDEX["finance"]] == pytest.approx(base[1, INDEX["finance"]] - 0.03)


def test_a_shock_without_sectors_hits_every_sector(baseline):
    base = growth_paths(no_shock(), baseline)[1]
    silent = no_shock(shocks=[{"name": "s", "year": 2022, "growth_loss": 3}])
    assert silent.shocks[0].sectors == tuple(s.key for s in SECTORS)
    g = growth_paths(silent, baseline)[1]
    np.testing.assert_allclose(g[1], base[1] - 0.03, atol=1e-14)
    np.testing.assert_array_equal(g, growth_paths(shocked(3), baseline)[1])


def test_a_child_replacing_a_shock_without_sectors_hits_every_sector(write_yaml, baseline):
    from model.output.show import describe
    from model.scenario.loader import load_scenario
    # the parent's shock has no `sectors:` (all); the child changes its loss only and
    # inherits the rest field by field, `all` included
    write_yaml("shocks:\n  - name: s\n    year: 2022\n    growth_loss: 2\n", "parent.yaml")
    child = load_scenario(write_yaml("extends: parent\nshocks:\n  - name: s\n    year: 2022\n"
                                     "    growth_loss: 3\n", "child.yaml"))
    assert child.shocks[0].sectors == tuple(s.key for s in SECTORS)
    g = growth_paths(child, baseline)[1]
    unshocked = growth_paths(load_scenario(write_yaml("horizon: 2025\n", "plain.yaml")), baseline)[1]
    assert (g[1] < unshocked[1] - 0.02).all()
    text = describe(child, baseline)
    assert "lost in all sectors" in text and "a, l, l" not in text


# ---------------------------------------------------------------- projects
def with_project(**extra):
    entry = {"name": "plant", "sector": "mfg_other", "start": 2023, "gross_output": 300,
             "value_added_ratio": 20, "ramp_years": 3, **extra}
    return no_shock(projects=[entry], deflator={"all": 2})


def test_project_ramp_and_value_added(baseline):
    p = project(with_project(), baseline)
    (output,) = p.project_output_real
    np.testing.assert_allclose(output, [0, 0, 0, 100, 200, 300])
    np.testing.assert_allclose(p.project_va_real[0], 0.2 * output)
    plain = project(no_shock(deflator={"all": 2}), baseline)
    added = p.va_real - plain.va_real
    np.testing.assert_allclose(added[:, INDEX["mfg_other"]], 0.2 * output, atol=1e-9)
    assert np.abs(np.delete(added, INDEX["mfg_other"], axis=1)).max() < 1e-9


def test_project_series_are_nominal_and_counted_in_gdp(baseline):
    p = project(with_project(), baseline)
    table = timeseries(p, "t")
    va = series(table, PROJECT_VALUE_ADDED + "|plant")
    np.testing.assert_allclose(va.values, 0.2 * p.project_output_real[0] * 1.02 ** np.arange(6), rtol=1e-12)
    plain = timeseries(project(no_shock(deflator={"all": 2}), baseline), "t")
    np.testing.assert_allclose(series(table, "GDP") - series(plain, "GDP"), va, rtol=1e-9)


def test_project_hightech_share(baseline):
    plain = timeseries(project(no_shock(deflator={"all": 2}), baseline), "t")
    full = timeseries(project(with_project(hightech_share=100), baseline), "t")
    sector = timeseries(project(with_project(), baseline), "t")
    va = series(full, PROJECT_VALUE_ADDED + "|plant")
    np.testing.assert_allclose(series(full, HIGHTECH_VALUE_ADDED) - series(plain, HIGHTECH_VALUE_ADDED),
                               va, rtol=1e-9, atol=1e-9)
    w = baseline.hightech_weights[INDEX["mfg_other"]]
    np.testing.assert_allclose(series(sector, HIGHTECH_VALUE_ADDED) - series(plain, HIGHTECH_VALUE_ADDED),
                               w * va, rtol=1e-9, atol=1e-9)


def test_scenario_warnings_for_implausible_growth(baseline):
    from model.projection.plausibility import warnings
    s = scenario_from_dict({"growth": {"finance": 25, "ict": 14}, "deflator": {"all": 15}}, "w.yaml")
    found = warnings(s, baseline)
    texts = [w.message for w in found]
    assert len(found) == 2, texts
    assert any("finance" in t and "25.0" in t for t in texts)
    assert any("deflator of" in t for t in texts)


def test_project_gross_output_feeds_its_revenue_series_once(baseline):
    plain = timeseries(project(no_shock(deflator={"all": 2}), baseline), "t")
    linked = timeseries(project(with_project(), baseline), "t")
    direct = timeseries(project(with_project(revenue_series="cars"), baseline), "t")
    output = series(direct, PROJECT_GROSS_OUTPUT + "|plant")
    np.testing.assert_allclose(series(direct, "Gross Output|Cars") - series(plain, "Gross Output|Cars"), output,
                               rtol=1e-9, atol=1e-9)
    # without the key, the plant moves car output only through other manufacturing's value added
    gain = series(linked, "Gross Output|Cars") - series(plain, "Gross Output|Cars")
    assert 0 < gain[2025] < output[2025]
    # other series are unaffected by the choice
    np.testing.assert_allclose(series(direct, "Revenue|Integrated Circuits"),
                               series(linked, "Revenue|Integrated Circuits"))


def test_unknown_revenue_series(write_yaml):
    from model.scenario.loader import ScenarioError, load_scenario
    text = ("projects:\n  - name: p\n    sector: mfg_other\n    start: 2023\n    gross_output: 10\n"
            "    value_added_ratio: 20\n    revenue_series: car\n")
    with pytest.raises(ScenarioError, match="unknown series 'car'; did you mean 'cars'"):
        load_scenario(write_yaml(text))


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st

rates = st.floats(-50, 50, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(horizon=st.integers(2021, 2035), growth=st.dictionaries(st.sampled_from(["all", *[s.key for s in SECTORS]]),
                                                              rates, max_size=4),
       deflator=st.floats(-5, 10), loss=st.floats(-20, 60), recovery=st.integers(0, 5), recovered=st.floats(0, 100),
       output=st.floats(1, 5000), ratio=st.floats(1, 100))
def test_identities_hold_on_random_scenarios(baseline, horizon, growth, deflator, loss, recovery, recovered,
                                             output, ratio):
    raw = {"horizon": horizon, "growth": growth, "deflator": {"all": deflator},
           "shocks": [{"name": "s", "year": 2021, "growth_loss": loss, "recovery_years": recovery,
                       "recovered": recovered}],
           "projects": [{"name": "p", "sector": "mfg_other", "start": 2021, "gross_output": output,
                         "value_added_ratio": ratio, "revenue_series": "cars"}]}
    table = timeseries(project(scenario(**raw), baseline), "r")
    assert np.isfinite(table["value"]).all()
    # no row left out: every variable has every year (growth from the year after the base year)
    counts = table.groupby("variable")["year"].agg(["min", "max", "count"])
    first = np.select([counts.index == "Growth|Real GDP", counts.index == "Growth (5-year average)|Real GDP"],
                      [BASE_YEAR + 1, BASE_YEAR + 5], BASE_YEAR)
    assert (counts["min"] == first).all() and (counts["max"] == horizon).all()
    assert ("Growth (5-year average)|Real GDP" in counts.index) == (horizon >= BASE_YEAR + 5)
    assert (counts["count"] == horizon - first + 1).all()
    level1 = table[table["variable"].str.match(r"^Value Added\|[^|]+$")].groupby("year")["value"].sum()
    np.testing.assert_allclose(level1, series(table, "GDP").loc[level1.index], rtol=1e-10)
    assert (table[table["variable"].str.startswith("Value Added|")]["value"] > 0).all()     # the sectors
    shares = table[table["variable"].isin(["Share of GDP|" + v.split("|", 1)[1] for v in LEVEL1])]
    np.testing.assert_allclose(shares.groupby("year")["value"].sum(), 100.0, rtol=1e-10)


# ---------------------------------------------------------------- out of the model's domain
def test_a_pp_change_that_takes_growth_below_minus_100_is_a_located_error(write_yaml, baseline):
    from model.scenario.loader import ScenarioError, load_scenario
    path = write_yaml("horizon: 2025\ngrowth:\n  ict: \"-150pp\"\n")
    with pytest.raises(ScenarioError, match=r"scenario.yaml:3: growth.ict: the growth rate of ict resolves to "
                                            r"-1[34]\d.* in 2022-2025; a resolved rate must be in \(-100, 300\]"):
        project(load_scenario(path), baseline)


def test_a_pp_change_of_a_deflator_is_bounded_like_a_level(write_yaml, baseline):
    from model.scenario.loader import ScenarioError, load_scenario
    path = write_yaml("deflator:\n  finance:\n    2023: \"-1000pp\"\n")
    with pytest.raises(ScenarioError, match=r"scenario.yaml:3: deflator.finance.2023: the deflator rate of finance "
                                            r"resolves to .* in 2023; a resolved rate must be in \(-100, 100\]"):
        project(load_scenario(path), baseline)


def test_the_change_that_first_leaves_the_bounds_is_named_even_if_a_child_returns(write_yaml, baseline):
    from model.scenario.loader import ScenarioError, load_scenario
    write_yaml("growth:\n  ict: \"-150pp\"\n", "parent.yaml")
    child = write_yaml("extends: parent\ngrowth:\n  ict: \"+100pp\"\n", "child.yaml")
    with pytest.raises(ScenarioError, match=r"parent.yaml:2: growth.ict: the growth rate of ict"):
        project(load_scenario(child), baseline)


def test_a_shock_larger_than_its_year_growth_is_a_located_error(write_yaml, baseline):
    from model.scenario.loader import ScenarioError, load_scenario
    path = write_yaml("growth:\n  finance: -60\nshocks:\n  - name: s\n    year: 2023\n    sectors: [finance]\n"
                      "    growth_loss: 50\n")
    with pytest.raises(ScenarioError, match=r"scenario.yaml:4: shocks.0: real value added of finance is -.* in 2023; "
                                            r"levels must be positive and finite"):
        project(load_scenario(path), baseline)


def test_the_table_refuses_non_finite_values_instead_of_dropping_rows(baseline):
    import dataclasses
    p = project(scenario(), baseline)
    va = p.va_real.copy()
    va[3, INDEX["ict"]] = np.nan
    with pytest.raises(ValueError, match=r"in 2023: the table holds finite values only"):
        timeseries(dataclasses.replace(p, va_real=va, va_nominal=va * p.price_index), "x")

"""Accounting identities and behaviour of the projection."""
import numpy as np
import pytest

from model import BASE_YEAR
from model.results import COLUMNS, series, timeseries
from model.scenario import validate
from model.sectors import INDEX, LEVEL1, PARENTS, SECTORS, mask
from model.simulate import growth_paths, project


def scenario(**raw):
    return validate(raw, {}, "test.yaml", "test")


@pytest.fixture(scope="module")
def table(baseline):
    return timeseries(project(scenario(horizon=2030), baseline), "test")


def test_columns_and_years(table):
    assert tuple(table.columns) == COLUMNS
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
    for v in ("GDP", "Real GDP", "Value Added|Manufacturing", "Value Added|Finance", "High-tech|Value Added",
              "Share of GDP|High-tech", "Share of GDP|Manufacturing", "Share of GDP|Finance"):
        assert v in set(table["variable"]), v
    units = dict(zip(table["variable"], table["unit"]))
    assert units["GDP"] == "100 million CNY"
    assert units["Share of GDP|High-tech"] == "%"


def test_base_year_row_is_published(table):
    assert series(table, "GDP")[BASE_YEAR] == pytest.approx(36102.6, abs=1e-9)
    assert series(table, "Value Added|Finance")[BASE_YEAR] == 7188.0
    assert series(table, "Share of GDP|High-tech")[BASE_YEAR] == pytest.approx(27.38, abs=0.01)
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
    trend_level_2022 = baseline.va_2020[h] * np.prod(1 + baseline.trend_growth[h] * np.ones(2))
    assert full.va_real[2, h] == pytest.approx(trend_level_2022)
    assert none.growth_real[1, h] == pytest.approx(baseline.trend_growth[h])


def test_horizon_2035(baseline):
    p = project(scenario(horizon=2035), baseline)
    assert p.years[-1] == 2035 and p.va_real.shape == (16, len(SECTORS))


def test_industry_2021_close_to_later_official_level(baseline):
    """Out of sample: 2021 industry value added (published in 2022) within 5 %."""
    p = project(scenario(), baseline)
    industry_2021 = p.va_nominal[1, mask("industry")].sum()
    assert industry_2021 == pytest.approx(5692.5, rel=0.05)

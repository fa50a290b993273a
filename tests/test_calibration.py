"""The base year reproduces the published figures; the fits do what they claim."""
import numpy as np
import pytest

from model.baseline import baselines, calibration
from model.baseline.data import Figure, Figures, figures
from model.core.sectors import INDEX, KEYS, mask

FIG = figures()


def published(key, year=2020, period="annual"):
    return FIG.value(key, year, period)


def test_partition_sums_to_published_gdp(baseline):
    assert baseline.va_2020.sum() == pytest.approx(published("va.gdp"), abs=1e-9)
    assert np.all(baseline.va_2020 > 0)


@pytest.mark.parametrize("sector,key", [("agriculture", "va.primary"), ("finance", "va.finance"),
                                        ("ict", "va.ict"), ("scitech", "va.scitech"),
                                        ("wholesale_retail", "va.wholesale_retail")])
def test_published_sectors_exact(baseline, sector, key):
    assert baseline.va_2020[INDEX[sector]] == published(key)


@pytest.mark.parametrize("group,key", [("secondary", "va.secondary"), ("tertiary", "va.tertiary"),
                                       ("primary", "va.primary")])
def test_published_groups_exact(baseline, group, key):
    assert baseline.va_2020[mask(group)].sum() == pytest.approx(published(key), abs=1e-9)


def test_industry_level_is_the_assumption(baseline):
    assert baseline.va_2020[mask("industry")].sum() == pytest.approx(baseline.assumptions["va.industry_2020"])


def test_hightech_and_new_economy_reproduced(baseline):
    va = baseline.va_2020
    hightech = baseline.hightech_weights @ va
    new_economy = baseline.new_economy_weights @ va
    assert hightech == pytest.approx(published("va.hightech"), abs=1e-9)
    assert new_economy == pytest.approx(published("va.new_economy"), abs=1e-9)
    # published shares are rounded to one decimal
    assert round(100 * hightech / va.sum(), 1) == published("share.hightech")
    assert round(100 * new_economy / va.sum(), 1) == published("share.new_economy")
    assert np.all((baseline.hightech_weights >= 0) & (baseline.hightech_weights <= 1))
    assert np.all(baseline.new_economy_weights >= baseline.hightech_weights)


def test_hightech_mfg_share_of_industry(baseline):
    va = baseline.va_2020
    share = 100 * va[INDEX["mfg_hightech"]] / va[mask("industry")].sum()
    assert share == pytest.approx(published("share.hightech_mfg_in_industry"))


def test_every_assumption_end_gives_a_valid_partition():
    from model.baseline.data import assumptions
    for key, a in assumptions().items():
        for value in (a.low, a.high):
            b = calibration.build_baseline({key: value})
            assert b.va_2020.sum() == pytest.approx(published("va.gdp"), abs=1e-9), key
            assert np.all(b.va_2020 > 0), key


def test_impossible_industry_is_refused():
    with pytest.raises(ValueError, match="below the secondary sector"):
        calibration.build_baseline({"va.industry_2020": 6000.0})


def test_impossible_hightech_weights_are_refused(baseline):
    va = np.array(baseline.va_2020)
    va[[INDEX["ict"], INDEX["scitech"]]] = 100.0       # far too small to hold 9,885.8 of high-tech
    with pytest.raises(ValueError, match="high-tech services fraction"):
        calibration.cross_cutting_weights(va, FIG, calibration.assumption_values())


def _synthetic(true_g):
    """Figures whose 2015-2019 growth observations follow exactly from ``true_g``."""
    s = calibration.aggregation_weights_2017(FIG, calibration.assumption_values())
    rows = [f for f in FIG.all if not f.key.startswith("growth.")]
    subjects = ["gdp", "secondary", "tertiary", *KEYS]
    for subject in subjects:
        m = mask(subject)
        value = 100 * float(s[m] @ true_g[m] / s[m].sum())
        for year in calibration.TREND_YEARS:
            rows.append(Figure(f"growth.{subject}", year, "annual", value, "%", "p", "d", "http://x", "v", "n"))
    return Figures(tuple(rows))


def test_trend_fit_recovers_known_growth_rates():
    true_g = np.array([-0.04, 0.10, 0.02, 0.05, 0.06, 0.08, 0.15, 0.08, 0.05, 0.06])
    g, fit = calibration.fit_trend_growth(_synthetic(true_g), calibration.assumption_values())
    np.testing.assert_allclose(g, true_g, atol=0.003)
    for row in fit:
        assert row["model_pct"] == pytest.approx(row["published_pct"], abs=0.3)


def test_trend_fit_ignores_the_covid_year(baseline):
    used = {(r["observation"], r["year"]) for r in baseline.trend_fit}
    assert all(2015 <= year <= 2019 for _, year in used)
    assert ("growth.gdp", 2019) in used


def test_trend_fit_matches_gdp_history(baseline):
    gdp_rows = [r for r in baseline.trend_fit if r["observation"] == "growth.gdp"]
    mean_published = np.mean([r["published_pct"] for r in gdp_rows])
    assert gdp_rows[0]["model_pct"] == pytest.approx(mean_published, abs=0.2)


def test_two_year_average_conversion():
    # two years at 4.8 % over a year that grew 1.2 %
    assert calibration.two_year_to_annual(4.8, 1.2) == pytest.approx(1.048 ** 2 / 1.012 - 1)
    assert calibration.two_year_to_annual(5.0, 5.0) == pytest.approx(0.05)


def test_calibration_hits_every_moment(baseline):
    assert len(baseline.moments) >= 8
    recomputed = calibration.moment_values(np.asarray(baseline.growth_2021), baseline.va_2020,
                                           baseline.new_economy_weights)
    for m in baseline.moments:
        assert m["within_tolerance"], m["moment"]
        assert recomputed[m["moment"]] == pytest.approx(m["model"])
        if m["kind"] == "equal":
            assert abs(m["model"] - m["target"]) <= m["tolerance"] + 1e-9
        else:
            assert m["model"] >= m["target"] - 1e-9


def test_gdp_moment_uses_two_year_average(baseline):
    m = next(m for m in baseline.moments if m["moment"] == "growth.gdp")
    avg = FIG.value("growth_2yr_avg.gdp", 2021, "H1")
    assert m["target"] == pytest.approx((1 + avg / 100) ** 2 / (1 + published("growth.gdp") / 100) - 1)
    # the inflated H1 y/y rate is not the target
    assert abs(m["target"] - FIG.value("growth.gdp", 2021, "H1") / 100) > 0.03


def test_implied_deflators():
    d = calibration.implied_deflators(FIG)
    assert d[2020] == pytest.approx((36102.6 / 35371.3) / 1.012 - 1)
    assert all(-0.02 < v < 0.05 for v in d.values())


def test_baseline_arrays_are_read_only(baseline):
    with pytest.raises(ValueError):
        baseline.va_2020[0] = 1.0


def test_one_baseline_per_set_of_assumption_values():
    from model.baseline.data import assumptions
    central = assumptions()["va.industry_2020"].value
    default = baselines.baseline_for()
    assert baselines.baseline_for({}) is default
    assert baselines.baseline_for({"va.industry_2020": central}) is default     # restating a central value
    moved = baselines.baseline_for({"va.industry_2020": 4000})
    assert baselines.baseline_for({"va.industry_2020": 4000.0}) is moved
    assert moved is not default and moved.assumptions["va.industry_2020"] == 4000.0
    np.testing.assert_array_equal(moved.va_2020, calibration.build_baseline({"va.industry_2020": 4000.0}).va_2020)


def test_a_refused_assumption_is_refused_every_time():
    for _ in range(2):           # an error is not cached as a baseline
        with pytest.raises(ValueError, match="below the secondary sector"):
            baselines.baseline_for({"va.industry_2020": 6000.0})

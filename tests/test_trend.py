"""The converging trend: its analytic cases, its fit, the design switch, and its ignorance of outcomes."""
import builtins
import io
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.baseline import calibration
from model.baseline.data import Figure, Figures, figures
from model.core.files import REALIZED_FILE
from model.core.sectors import N_SECTORS
from model.equations import growth
from model.projection.simulate import project, stated_growth
from model.scenario.loader import ScenarioError, scenario_from_dict

rates = st.floats(-0.05, 0.2, allow_nan=False)


# ---------------------------------------------------------------- the equations
def test_zero_differentials_put_every_sector_on_the_aggregate():
    aggregate = np.array([0.06, 0.055, 0.05])
    g = growth.anchored_growth(np.array([1.0, 5.0, 2.0]), aggregate, np.zeros((3, 3)))
    np.testing.assert_allclose(g, np.repeat(aggregate[:, None], 3, axis=1))


@settings(max_examples=50, deadline=None)
@given(st.lists(rates, min_size=4, max_size=4), st.lists(st.floats(0.1, 10), min_size=4, max_size=4),
       st.lists(rates, min_size=3, max_size=3))
def test_level_weighted_sum_equals_the_aggregate_every_year(diff, level0, aggregate):
    d = growth.decaying_differentials(np.array(diff), len(aggregate), 3.0)
    g = growth.anchored_growth(np.array(level0), np.array(aggregate), d)
    levels = growth.compound(np.array(level0), g)                  # (n_years + 1, n_sectors)
    np.testing.assert_allclose(growth.aggregate_growth(levels[:-1], g), aggregate, atol=1e-12)
    # the sum of the sectors grows at the aggregate rate, as the model's real GDP does
    np.testing.assert_allclose(growth.growth_rates(levels.sum(axis=1)[:, None])[:, 0], aggregate, atol=1e-12)


def test_sector_gaps_are_kept_around_the_aggregate():
    d = growth.decaying_differentials(np.array([0.04, -0.01, 0.0]), 2, 5.0)
    g = growth.anchored_growth(np.array([1.0, 1.0, 2.0]), np.array([0.05, 0.05]), d)
    np.testing.assert_allclose(g[:, 0] - g[:, 1], d[:, 0] - d[:, 1])
    np.testing.assert_allclose(g[:, 0] - g[:, 2], d[:, 0] - d[:, 2])


@pytest.mark.parametrize("half_life", [1.0, 4.0, 10.0])
def test_differentials_halve_every_half_life(half_life):
    d0 = np.array([0.08, -0.02, 0.0])
    n = int(2 * half_life) + 1
    d = growth.decaying_differentials(d0, n, half_life)
    np.testing.assert_array_equal(d[0], d0)
    np.testing.assert_allclose(d[int(half_life)], d0 / 2)
    np.testing.assert_allclose(d[int(2 * half_life)], d0 / 4)


def test_linear_trend_path_continues_the_line_down_to_the_floor():
    years = np.arange(2015, 2061)
    path = growth.linear_trend_path(years, 0.066, -0.002, 2017.0, 0.03)
    assert path[years == 2017][0] == pytest.approx(0.066)
    assert path[years == 2022][0] == pytest.approx(0.056)
    assert path.min() == 0.03 and np.all(np.diff(path) <= 0)
    assert path[years == 2035][0] == pytest.approx(0.030)          # 0.066 - 0.036 = 0.030, the floor
    assert np.all(path[years > 2035] == 0.03)


# ---------------------------------------------------------------- the fit
def _gdp_figures(rates_pct: dict[int, float]) -> Figures:
    return Figures(tuple(Figure("growth.gdp", y, "annual", v, "%", "p", "d", "https://x", "v", "n")
                         for y, v in rates_pct.items()))


def test_aggregate_fit_recovers_an_exact_line():
    fig = _gdp_figures({y: 7.0 - 0.25 * (y - 2015) for y in range(2015, 2020)})
    params, rows = calibration.fit_aggregate_trend(fig)
    assert params["slope"] == pytest.approx(-0.0025)
    assert params["intercept"] == pytest.approx(0.065) and params["centre"] == 2017
    assert params["slope_se"] == pytest.approx(0.0, abs=1e-12)
    assert [r["model_pct"] for r in rows] == pytest.approx([r["published_pct"] for r in rows])


def test_aggregate_fit_on_the_record_is_the_published_slowdown():
    params, _ = calibration.fit_aggregate_trend(figures())
    published = np.array([figures().value("growth.gdp", y) for y in range(2015, 2020)]) / 100
    assert params["intercept"] == pytest.approx(published.mean())
    assert params["slope"] == pytest.approx(np.polyfit(np.arange(2015, 2020), published, 1)[0])
    assert params["slope"] < 0


def test_differentials_average_to_zero_with_the_fit_weights():
    trend = np.linspace(-0.05, 0.15, N_SECTORS)
    w = np.linspace(1, 2, N_SECTORS)
    d = calibration.trend_differentials(trend, w)
    assert (w / w.sum()) @ d == pytest.approx(0.0, abs=1e-15)
    np.testing.assert_allclose(np.diff(d), np.diff(trend))


# ---------------------------------------------------------------- the baseline
def test_constant_design_is_the_fitted_sector_rates(baseline):
    path = baseline.trend_paths["constant"]
    np.testing.assert_array_equal(path, np.tile(baseline.trend_growth, (len(path), 1)))


def test_converging_path_adds_up_to_the_continued_slowdown(baseline):
    path = baseline.trend_paths["converging"]
    years = np.arange(calibration.TREND_FIRST_YEAR, calibration.TREND_LAST_YEAR + 1)
    assert path.shape == (len(years), N_SECTORS)
    params, _ = calibration.fit_aggregate_trend(figures())
    floor = baseline.assumptions["trend.aggregate_floor"] / 100
    expected = np.maximum(floor, params["intercept"] + params["slope"] * (years - params["centre"]))
    levels = growth.compound(baseline.va_2020, path)
    np.testing.assert_allclose(growth.aggregate_growth(levels[:-1], path), expected, atol=1e-12)


def test_converging_gaps_shrink_by_the_half_life(baseline):
    path = baseline.trend_paths["converging"]
    h = int(baseline.assumptions["trend.half_life_years"])
    spread = path.max(axis=1) - path.min(axis=1)
    assert spread[h] == pytest.approx(spread[0] / 2)


def test_the_design_is_chosen_by_the_scenario(baseline):
    constant = stated_growth(scenario_from_dict({"trend": "constant"}, "c.yaml"), baseline)
    default = stated_growth(scenario_from_dict({}, "d.yaml"), baseline)
    np.testing.assert_array_equal(constant[1:], np.tile(baseline.trend_growth, (len(constant) - 1, 1)))
    np.testing.assert_array_equal(default[1:], baseline.trend_paths["converging"][1:len(default)])
    np.testing.assert_array_equal(constant[0], default[0])             # 2021 is calibrated in both


def test_unknown_trend_design_is_a_located_error():
    with pytest.raises(ScenarioError, match=r"trend: unknown trend design 'constnat'; did you mean 'constant'"):
        scenario_from_dict({"trend": "constnat"}, "t.yaml")


def test_trend_design_is_inherited(write_yaml):
    from model.scenario.loader import load_scenario
    write_yaml("trend: constant\n", "parent.yaml")
    child = load_scenario(write_yaml("extends: parent\n", "child.yaml"))
    assert child.trend == "constant"


def test_default_baseline_growth_does_not_drift_up(baseline):
    """The reason for the redesign: real GDP growth 2023-2025 no longer rises with the composition."""
    def gdp_growth(spec):
        real = project(scenario_from_dict(spec, "s.yaml"), baseline).va_real.sum(axis=1)
        return growth.growth_rates(real[:, None])[2:5, 0]             # 2023, 2024, 2025
    assert np.all(np.diff(gdp_growth({})) < 0)
    assert np.all(np.diff(gdp_growth({"trend": "constant"})) > 0)


# ---------------------------------------------------------------- ex ante: no outcome enters
def test_calibration_reads_no_realized_file(monkeypatch):
    """Every file opened while the baseline is built, recorded: only the sourced mid-2021 data (besides the
    store of the calibration's solutions, whose key reads the model's own source code)."""
    from model.baseline import data
    from model.core import cache
    store, package = cache.folder().resolve(), Path(calibration.__file__).resolve().parents[1]
    opened = []
    real_open, real_io_open = builtins.open, io.open

    def spy(file, *args, **kwargs):
        path = Path(str(file)).resolve()
        if path.parent != store and not (path.suffix == ".py" and package in path.parents):
            opened.append(path.name)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    monkeypatch.setattr(io, "open", spy)
    for cached in (data.figures, data.assumptions, data.revenue_links):
        cached.cache_clear()
    try:
        calibration.build_baseline()
    finally:
        monkeypatch.setattr(builtins, "open", real_open)
        monkeypatch.setattr(io, "open", real_io_open)
        for cached in (data.figures, data.assumptions, data.revenue_links):
            cached.cache_clear()
    assert opened, "the spy saw no file: it does not work"
    assert set(opened) <= {"figures.csv", "assumptions.csv"}
    assert not any("realized" in name for name in opened)


def test_editing_the_realized_file_leaves_the_baseline_unchanged(monkeypatch, tmp_path, baseline):
    """A copy of the realized outcomes with every value changed, put where the loader looks."""
    realized = pytest.importorskip("model.baseline.realized")
    source = Path(REALIZED_FILE)
    if not source.exists():
        pytest.skip("no realized.csv in this checkout")
    lines = source.read_text(encoding="utf-8").splitlines()
    import csv
    rows = list(csv.reader(lines))
    value = rows[0].index("value")
    for row in rows[1:]:
        row[value] = str(float(row[value]) * 1.5 + 1.0)
    edited = tmp_path / "realized.csv"
    with open(edited, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    monkeypatch.setattr(realized, "REALIZED_FILE", edited)
    rebuilt = calibration.build_baseline()
    for name in ("va_2020", "trend_growth", "growth_2021", "hightech_weights"):
        np.testing.assert_array_equal(getattr(rebuilt, name), getattr(baseline, name))
    for design, path in baseline.trend_paths.items():
        np.testing.assert_array_equal(rebuilt.trend_paths[design], path)

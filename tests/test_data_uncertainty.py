"""Data uncertainty in the Monte Carlo: the revenue layer's bases (and elasticities) drawn within their
documented ranges, split triangular around the central value; from the 2025 jump-off the anchors' rounding
and the census bridges.  The draws reproduce the central case at their centre, scale the revenue paths as
the equations say, and keep the engine's promises (same seed, same output; the chunk size changes nothing)."""
from dataclasses import replace

import numpy as np
import pytest
from scipy import stats

from model.analysis import montecarlo
from model.analysis.sampling import DataRanges, chunks, data_ranges, sample, split_triangular_ppf
from model.baseline import data
from model.baseline.baselines import baseline_for
from model.baseline.precision import figure_range, precision
from model.core.sectors import N_SECTORS
from model.equations.revenue import SERIES, RevenueDraws
from model.projection.indicators import DRAWN_REVENUE_SERIES, Indicators
from model.projection.simulate import project
from model.scenario.loader import load_scenario, scenario_from_dict
from model.targets.definitions import load_targets

# the series this block draws: the 15th plan's two new clusters are drawn by model.analysis.parameter_draws
DATA_SERIES = tuple(s for s in SERIES if s.key not in DRAWN_REVENUE_SERIES)

LINKS = data.revenue_links()
TARGETS = load_targets()
BASES = {"name": "d", "uncertainty": {"draws": 2000, "seed": 5, "revenue_bases": True}}


def with_data(scenario, **flags):
    return replace(scenario, uncertainty=replace(scenario.uncertainty, **flags))


# ---------------------------------------------------------------- the distribution
def test_split_triangular_has_its_mode_as_median_and_its_range_as_support():
    low, mode, high = np.array([1.0, 0.0]), np.array([2.0, 0.0]), np.array([5.0, 4.0])
    u = np.linspace(0, 1, 100_001)[:, None]
    x = split_triangular_ppf(u, low, mode, high)
    np.testing.assert_array_equal(x[0], low)
    np.testing.assert_array_equal(x[-1], high)
    np.testing.assert_array_equal(split_triangular_ppf(np.full((1, 2), 0.5), low, mode, high)[0], mode)
    assert np.all(np.diff(x, axis=0) >= 0)
    # each half is a triangle falling to zero at its end: the left half's mean is a + 2/3 (m - a)
    left = x[u[:, 0] < 0.5, 0]
    assert left.mean() == pytest.approx(1.0 + 2.0 / 3.0, rel=1e-3)
    assert np.all(x[u[:, 0] < 0.5, 1] == 0.0)           # a side of zero width: its half on the mode


def test_split_triangular_of_a_symmetric_range_is_the_triangular_distribution():
    u = np.linspace(0.001, 0.999, 99)[:, None]
    expected = stats.triang(0.5, loc=2.0, scale=4.0).ppf(u[:, 0])
    np.testing.assert_allclose(split_triangular_ppf(u, np.array([2.0]), np.array([4.0]), np.array([6.0]))[:, 0],
                               expected, rtol=1e-12)


# ---------------------------------------------------------------- the 2020 base
def test_the_2020_bases_are_drawn_within_their_ranges_around_the_scenarios_values(baseline):
    s = scenario_from_dict({**BASES, "revenue_links": {"cars.base_2020": 5000}}, "t.yaml")
    ranges = data_ranges(s, baseline, s.revenue_links.parameters)
    assert ranges.names == tuple(f"{r.key}.base_2020" for r in DATA_SERIES)
    assert ranges.central[ranges.names.index("cars.base_2020")] == 5000           # the scenario's value
    d = sample(s, 20_000, np.random.default_rng(1), ranges).revenue
    for name, lo, mid, hi in zip(ranges.names, ranges.low, ranges.central, ranges.high):
        x = d.params[name]
        assert (LINKS[name].low, LINKS[name].high) == (lo, hi)
        assert lo <= x.min() and x.max() <= hi, name
        assert np.median(x) == pytest.approx(mid, rel=0.01), name
    assert d.reference is None and not d.figures


def test_elasticities_are_drawn_only_when_asked(baseline):
    s = scenario_from_dict({"uncertainty": {"revenue_elasticities": True}}, "t.yaml")
    assert data_ranges(s, baseline, s.revenue_links.parameters).names == tuple(f"{r.key}.elasticity"
                                                                              for r in DATA_SERIES)
    off = scenario_from_dict({"uncertainty": {"revenue_bases": False, "draws": 10}}, "t.yaml")
    assert data_ranges(off, baseline, off.revenue_links.parameters) is None
    assert sample(off, 10, np.random.default_rng(1)).revenue is None


def test_a_base_drawn_at_its_ends_scales_the_revenue_path(baseline):
    p = project(scenario_from_dict({}, "t.yaml"), baseline)
    central = Indicators(p)
    ends = {f"{s.key}.base_2020": np.array([LINKS[f"{s.key}.base_2020"].low, LINKS[f"{s.key}.base_2020"].high])
            for s in SERIES}
    both = project(scenario_from_dict({}, "t.yaml"), baseline,
                   replace(sample(scenario_from_dict(BASES, "t.yaml"), 2, np.random.default_rng(0)),
                           revenue=RevenueDraws(ends)))
    drawn = Indicators(both)
    for s in SERIES:
        base = LINKS[f"{s.key}.base_2020"]
        path = central.value(s.variable)
        got = drawn.value(s.variable)
        assert got[:, 0].tolist() == [base.low, base.high]
        # the draws shift growth too: compare with the same draws' paths at the central base
        at_centre = Indicators(replace(both, revenue_draws=None)).value(s.variable)
        np.testing.assert_allclose(got[0], at_centre[0] * base.low / base.value, rtol=1e-12)
        np.testing.assert_allclose(got[1], at_centre[1] * base.high / base.value, rtol=1e-12)
        assert path[0] == base.value


def test_the_monte_carlo_at_the_data_centre_is_the_deterministic_projection(baseline, monkeypatch):
    s = scenario_from_dict({"name": "z", "uncertainty": {"draws": 300, "revenue_bases": True,
                                                          "revenue_elasticities": True}}, "t.yaml")
    real = data_ranges(s, baseline, s.revenue_links.parameters)
    centred = DataRanges(real.names, real.central, real.central, real.central)
    monkeypatch.setattr(montecarlo, "data_ranges", lambda *a: centred)
    mc = montecarlo.run(s, baseline, TARGETS, revenue_links=s.revenue_links).targets
    for r in mc.itertuples():
        assert r.value_p10 == r.value_p50 == r.value_p90 == r.deterministic_value, r.target
        assert r.p_met in (0.0, 1.0)


def test_same_seed_same_output_and_the_chunk_size_changes_nothing(baseline):
    s = scenario_from_dict({**BASES, "uncertainty": {**BASES["uncertainty"], "revenue_elasticities": True,
                                                     "growth": {"all": {"dist": "normal", "sd": 1}}}}, "t.yaml")
    a = montecarlo.run(s, baseline, TARGETS, chunk=2000, revenue_links=s.revenue_links)
    b = montecarlo.run(s, baseline, TARGETS, chunk=2000, revenue_links=s.revenue_links)
    c = montecarlo.run(s, baseline, TARGETS, chunk=333, revenue_links=s.revenue_links)
    assert a.targets.equals(b.targets) and a.fan.equals(b.fan)
    counts = ["draws", "p_met", "value_p10", "value_p50", "value_p90", "gap_p10", "gap_p50", "gap_p90"]
    assert a.targets[counts].equals(c.targets[counts])
    ranges = data_ranges(s, baseline, s.revenue_links.parameters)
    parts = chunks(s, 2000, np.random.default_rng(5), 333, ranges)
    draws = [d.revenue.params["software_info.base_2020"] for d in parts]
    whole = sample(s, 2000, np.random.default_rng(5), ranges)
    np.testing.assert_array_equal(np.concatenate(draws), whole.revenue.params["software_info.base_2020"])


def test_without_data_the_stream_is_what_it_was(baseline):
    s = scenario_from_dict({"uncertainty": {"draws": 50, "growth": {"all": {"dist": "normal", "sd": 1}}}}, "t.yaml")
    assert data_ranges(s, baseline, s.revenue_links.parameters) is None
    z = np.random.default_rng(3).standard_normal((50, 1))
    np.testing.assert_array_equal(sample(s, 50, np.random.default_rng(3)).growth[:, 1, 0], z[:, 0] / 100.0)


def test_drawn_bases_spread_the_revenue_targets_but_leave_value_added_alone(baseline):
    s = load_scenario("scenarios/baseline.yaml")
    assert s.uncertainty.revenue_bases and not s.uncertainty.revenue_elasticities      # the shipped default
    on = montecarlo.run(s, baseline, TARGETS, draws=3000, revenue_links=s.revenue_links).targets.set_index("target")
    off = montecarlo.run(with_data(s, revenue_bases=False), baseline, TARGETS, draws=3000,
                         revenue_links=s.revenue_links).targets.set_index("target")
    spread = on["value_p90"] - on["value_p10"]
    assert spread["medicine_health_revenue"] > 1.5 * (off["value_p90"] - off["value_p10"])["medicine_health_revenue"]
    assert on.loc["medicine_health_revenue", "p_met"] > off.loc["medicine_health_revenue", "p_met"]


# ---------------------------------------------------------------- the 2025 jump-off
def test_published_figures_stand_for_their_rounding_or_the_reach_of_their_bound():
    assert [precision(x) for x in (10600, 22000, 30000, 8916, 4400, 14906.1)] == [100, 1000, 1000, 1, 100, 0.1]
    assert figure_range(10600, "same") == (10550, 10650)
    assert figure_range(4400, "lower bound ('over 440 billion')") == (4400, 4500)


def test_from_2025_the_anchors_and_the_bridged_2020_levels_are_drawn():
    b = baseline_for(base=2025)
    s = scenario_from_dict({"base": 2025, "horizon": 2030, "uncertainty": {"revenue_bases": True}}, "t.yaml")
    ranges = data_ranges(s, b, s.revenue_links.parameters)
    ref = [n for n in ranges.names if n.startswith("reference.")]
    assert len(ref) == N_SECTORS
    figures = {n.split(".")[1] for n in ranges.names if n.startswith("figure.")}
    assert figures == set(b.revenue_anchors) - set(DRAWN_REVENUE_SERIES)
    d = sample(s, 5000, np.random.default_rng(2), ranges).revenue
    np.testing.assert_allclose(d.reference.sum(axis=1), b.revenue_reference.sum(), rtol=1e-12)   # published GDP
    low, high = b.revenue_reference_range
    assert np.all(d.reference > 0.9 * low) and np.all(d.reference < 1.1 * high)
    for key, anchor in b.revenue_anchors.items():
        if key in DRAWN_REVENUE_SERIES:
            continue
        for i, f in enumerate(anchor.figures()):
            x = d.figures[key][:, i]
            assert f.low <= x.min() and x.max() <= f.high, (key, i)


def test_from_2025_a_figure_drawn_higher_lifts_its_series_and_a_carried_base_scales_it():
    b = baseline_for(base=2025)
    s = scenario_from_dict({"base": 2025, "horizon": 2030}, "t.yaml")
    p = project(s, b)
    central = Indicators(p)
    medicine = b.revenue_anchors["medicine_health"]
    level = medicine.figures()[0]
    figures = np.array([[f.value for f in medicine.figures()]] * 2)
    figures[1, 0] = level.high                                  # the 2024 level at the top of its rounding
    cars = LINKS["cars.base_2020"]
    drawn = RevenueDraws({"cars.base_2020": np.array([cars.value, cars.high])}, None, {"medicine_health": figures})
    two = replace(p, va_nominal=np.stack([p.va_nominal] * 2), va_real=np.stack([p.va_real] * 2),
                  price_index=np.stack([p.price_index] * 2), revenue_draws=drawn)
    ind = Indicators(two)
    med = central.value("Revenue|Medicine and Health")
    np.testing.assert_array_equal(ind.value("Revenue|Medicine and Health")[0], med)
    np.testing.assert_allclose(ind.value("Revenue|Medicine and Health")[1], med * level.high / level.value, rtol=1e-12)
    car = central.value("Gross Output|Cars")
    np.testing.assert_allclose(ind.value("Gross Output|Cars")[1], car * cars.high / cars.value, rtol=1e-12)


# ---------------------------------------------------------------- the record against the ex-ante P(met)
def test_no_target_the_record_shows_met_has_p_met_of_zero_unless_the_docs_say_why(baseline):
    """The baseline's own Monte Carlo (its draws and seed, data drawn): every target the published record
    shows met has P(met) above 0, or is listed with the reason nothing published by mid-2021 supported it
    (``ZERO_ALLOWED`` of docs/generate.py, shown in docs/uncertainty.md)."""
    import importlib.util
    from pathlib import Path

    from model.projection.results import timeseries
    from model.targets.scorecard import MET, evaluate, with_realized

    spec = importlib.util.spec_from_file_location("docs_generate", Path(__file__).parents[1] / "docs" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    s = load_scenario("scenarios/baseline.yaml")
    mc = montecarlo.run(s, baseline, TARGETS, revenue_links=s.revenue_links)
    card = montecarlo.with_probabilities(
        with_realized(evaluate(timeseries(project(s, baseline), s.name, revenue_links=s.revenue_links), TARGETS),
                      TARGETS), mc)
    met = card[card["realized_status"] == MET]
    assert {"software_revenue", "medicine_health_revenue"} <= set(met["target"])
    for r in met.itertuples():
        assert r.p_met > 0 or r.target in generate.ZERO_ALLOWED, (r.target, r.p_met)
    assert set(generate.ZERO_ALLOWED) <= set(met["target"])           # no stale reason

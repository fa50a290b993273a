"""Monte Carlo: exact without spread, reproducible, chunk-independent, right against analytic cases."""
import numpy as np
import pytest
from scipy import stats

from model.analysis import montecarlo
from model.projection.results import series, timeseries
from model.projection.simulate import project
from model.scenario.loader import scenario_from_dict
from model.targets.comparators import AtLeast
from model.targets.definitions import Target, load_targets
from model.targets.scorecard import evaluate

TARGETS = load_targets()


def test_zero_variance_gives_the_deterministic_result_exactly(baseline):
    raw = {"name": "z", "growth": {"ict": 12},
           "shocks": [{"name": "s", "year": 2022, "growth_loss": 2, "recovery_years": 2}],
           "uncertainty": {"draws": 500, "growth": {"all": {"dist": "normal", "sd": 0}},
                           "deflator": {"finance": {"dist": "uniform", "low": 0, "high": 0}},
                           "vaccine_unwind": {"dist": "triangular", "low": 100, "mode": 100, "high": 100},
                           "shocks": {"s": {"growth_loss": {"dist": "normal", "mean": 2, "sd": 0}}}}}
    s = scenario_from_dict(raw)
    table = timeseries(project(s, baseline), "z")
    card = evaluate(table, TARGETS).set_index("target")
    mc = montecarlo.run(s, baseline, TARGETS, chunk=128).targets.set_index("target")
    for target, row in mc.iterrows():
        assert row["value_p10"] == row["value_p50"] == row["value_p90"] == card.loc[target, "projected_value"], target
        assert row["p_met"] == (1.0 if card.loc[target, "status"] == "met" else 0.0), target
    fan = montecarlo.run(s, baseline, TARGETS).fan
    for var in montecarlo.HEADLINE:
        rows = fan[fan["variable"] == var].set_index("year")
        assert (rows["p05"] == series(table, var)).all() and (rows["p95"] == series(table, var)).all()


UNCERTAIN = {"name": "u", "uncertainty": {"draws": 3000, "seed": 11,
                                          "growth": {"all": {"dist": "normal", "sd": 1},
                                                     "ict": {"dist": "triangular", "low": -3, "mode": 0, "high": 2}},
                                          "vaccine_unwind": {"dist": "uniform", "low": 50, "high": 100}}}


def test_seeded_runs_are_reproducible_and_seeds_matter(baseline):
    s = scenario_from_dict(UNCERTAIN)
    a = montecarlo.run(s, baseline, TARGETS)
    b = montecarlo.run(s, baseline, TARGETS)
    c = montecarlo.run(s, baseline, TARGETS, seed=12)
    assert a.seed == 11 and c.seed == 12
    assert a.targets.equals(b.targets) and a.fan.equals(b.fan)
    assert not a.targets.equals(c.targets)


def test_chunking_does_not_change_results(baseline):
    s = scenario_from_dict(UNCERTAIN)
    whole = montecarlo.run(s, baseline, TARGETS, chunk=3000)
    parts = montecarlo.run(s, baseline, TARGETS, chunk=257)
    counts = ["draws", "p_met", "value_p10", "value_p50", "value_p90", "gap_p10", "gap_p50", "gap_p90"]
    assert whole.targets[counts].equals(parts.targets[counts])
    for col in ("value_mean", "expected_shortfall_if_missed"):          # float sums: order only
        np.testing.assert_allclose(whole.targets[col], parts.targets[col], rtol=1e-12)


SD = 0.01          # 1 pp of growth


def one_normal_rate(baseline, seed: int, value_factor: float):
    """Every sector grows 5 % + d, d ~ N(0, 1 pp): real GDP 2025 = real GDP 2021 x (1.05 + d)^4.

    Returns the Monte Carlo row of the target ``Real GDP 2025 >= real GDP 2021 x value_factor``
    and real GDP 2021."""
    s = scenario_from_dict({"name": "a", "vaccine_unwind": 0, "growth": {"all": 5},
                            "uncertainty": {"draws": 20_000, "seed": seed,
                                            "growth": {"all": {"dist": "normal", "sd": 100 * SD}}}})
    real_2021 = series(timeseries(project(s, baseline), "a"), "Real GDP")[2021]
    target = Target(id="real_gdp", variable="Real GDP", comparator=AtLeast(real_2021 * value_factor),
                    unit="100 million CNY (2020 prices)", year=2025)
    return montecarlo.run(s, baseline, (target,)).targets.iloc[0], real_2021


def test_probability_against_a_normal_growth_rate(baseline):
    result, real_2021 = one_normal_rate(baseline, 3, 1.055 ** 4)     # needs d >= 0.5 pp: P = 1 - Phi(0.5)
    expected = 1 - stats.norm.cdf(0.005 / SD)
    assert abs(result["p_met"] - expected) < 4 * np.sqrt(expected * (1 - expected) / 20_000)
    # the median of the projected value is the value at the median draw, within sampling error
    sd_value = real_2021 * 1.05 ** 4 * 4 * SD / 1.05
    assert result["value_p50"] == pytest.approx(real_2021 * 1.05 ** 4, abs=4 * 1.2533 * sd_value / np.sqrt(20_000))


def test_expected_shortfall_when_missed(baseline):
    row, real_2021 = one_normal_rate(baseline, 5, 1.05 ** 4)
    assert row["p_met"] == pytest.approx(0.5, abs=0.02)
    # E[(T - X) | X < T] with X = R (1.05 + d)^4 ~ R 1.05^4 (1 + 4 d / 1.05): a half-normal mean
    scale = real_2021 * 1.05 ** 4 * 4 * SD / 1.05
    assert row["expected_shortfall_if_missed"] == pytest.approx(scale * np.sqrt(2 / np.pi), rel=0.05)


def test_streaming_quantiles_are_within_half_a_bin():
    values = np.random.default_rng(0).normal(20, 3, 100_001)
    st = montecarlo.StreamingStats()
    for part in np.array_split(values, 7):
        st.add(part)
    for q in (0.1, 0.5, 0.9):
        assert abs(st.quantile(q) - np.quantile(values, q)) <= st.step / 2
    assert st.min == values.min() and st.max == values.max()
    assert st.mean == pytest.approx(values.mean())


def test_scorecard_gets_probabilities(baseline):
    s = scenario_from_dict(UNCERTAIN)
    card = evaluate(timeseries(project(s, baseline), "u"), TARGETS)
    with_p = montecarlo.with_probabilities(card, montecarlo.run(s, baseline, TARGETS))
    modelled = with_p["status"].isin(["met", "missed"])
    assert with_p.loc[modelled, "p_met"].between(0, 1).all()
    assert with_p.loc[~modelled, "p_met"].isna().all()
    assert montecarlo.with_probabilities(card, None)["p_met"].isna().all()


def test_draws_without_distributions_give_the_deterministic_status(baseline):
    s = scenario_from_dict({"name": "d", "uncertainty": {"draws": 100}})
    card = evaluate(timeseries(project(s, baseline), "d"), TARGETS).set_index("target")
    mc = montecarlo.run(s, baseline, TARGETS).targets.set_index("target")
    assert len(mc) > 5
    for target, row in mc.iterrows():
        assert row["p_met"] == (1.0 if card.loc[target, "status"] == "met" else 0.0), target
        assert row["value_p50"] == card.loc[target, "projected_value"], target


def test_a_shock_distribution_alone_runs_and_moves_the_results(baseline):
    raw = {"name": "k", "shocks": [{"name": "s", "year": 2022, "growth_loss": 3}],
           "uncertainty": {"draws": 400, "seed": 2,
                           "shocks": {"s": {"growth_loss": {"dist": "uniform", "low": 0, "high": 10}}}}}
    mc = montecarlo.run(scenario_from_dict(raw), baseline, TARGETS).targets.set_index("target")
    assert mc.loc["software_revenue", "value_p10"] < mc.loc["software_revenue", "value_p90"]
    assert (mc["draws"] == 400).all()


# ---------------------------------------------------------------- centring, domain, exact quantiles
def test_deterministic_values_sit_beside_the_quantiles(baseline):
    s = scenario_from_dict(UNCERTAIN)
    table = timeseries(project(s, baseline), "u")
    card = evaluate(table, TARGETS).set_index("target")
    mc = montecarlo.run(s, baseline, TARGETS, draws=500)
    for r in mc.targets.itertuples():
        assert r.deterministic_value == card.loc[r.target, "projected_value"], r.target
    for var in montecarlo.HEADLINE:
        rows = mc.fan[mc.fan["variable"] == var].set_index("year")
        assert (rows["deterministic"] == series(table, var)).all()


def test_a_distribution_not_centred_on_the_scenario_is_a_visible_warning(write_yaml):
    from model.scenario.loader import load_scenario
    off = load_scenario(write_yaml("vaccine_unwind: 100\nuncertainty:\n  vaccine_unwind: {dist: uniform, low: 50, "
                                   "high: 100}\n  growth:\n    ict: {dist: normal, mean: 1, sd: 1}\n"))
    found = {w.path: w for w in off.warnings}
    assert set(found) == {"uncertainty.growth.ict", "uncertainty.vaccine_unwind"}
    ict, unwind = found["uncertainty.growth.ict"], found["uncertainty.vaccine_unwind"]
    assert ict.line == 5 and ict.message.startswith("the scenario's change of growth of ict (pp) is 0 but the "
                                                    "distribution's median is 1 ")
    assert unwind.line == 3 and unwind.message.startswith(
        "the scenario's vaccine_unwind (%) is 100 but the distribution's median is 75 (interquartile range "
        "62.5-87.5, the scenario's value outside it)")
    centred = load_scenario(write_yaml("vaccine_unwind: 75\nuncertainty:\n  vaccine_unwind: {dist: uniform, low: 50, "
                                       "high: 100}\n", "centred.yaml"))
    assert centred.warnings == ()


def test_the_shipped_scenarios_are_centred():
    from pathlib import Path

    from model.scenario.loader import load_scenario
    for path in sorted(Path("scenarios").glob("*.yaml")):
        s = load_scenario(path)
        assert not [w for w in s.warnings if "not centred" in w.message], path


def test_the_fan_warns_when_the_scenario_lies_outside_its_interquartile_range(baseline):
    raw = {"name": "w", "vaccine_unwind": 100,
           "uncertainty": {"draws": 2000, "vaccine_unwind": {"dist": "uniform", "low": 0, "high": 50}}}
    mc = montecarlo.run(scenario_from_dict(raw), baseline, TARGETS)
    assert any("Share of GDP|Manufacturing in 2025" in w and "outside the draws' interquartile range" in w
               for w in mc.warnings)


def test_draws_outside_a_parameter_range_are_left_out_and_counted(baseline):
    from model.analysis.sampling import chunks
    raw = {"name": "x", "uncertainty": {"draws": 4000, "seed": 5,
                                        "vaccine_unwind": {"dist": "normal", "mean": 75, "sd": 50}}}
    s = scenario_from_dict(raw)
    mc = montecarlo.run(s, baseline, TARGETS, chunk=1000)
    drawn = np.concatenate([d.vaccine_unwind for d in chunks(s, 4000, np.random.default_rng(5), 1000)])
    outside = int(((drawn < 0) | (drawn > 1)).sum())
    assert 0.3 < outside / 4000 < 0.45          # P(z < -1.5) + P(z > 0.5) = 0.375
    assert (mc.targets["draws_excluded"] == outside).all() and mc.excluded == outside
    assert (mc.targets["share_excluded"] == outside / 4000).all()
    assert any(f"{outside:,} of 4,000 draws" in w for w in mc.warnings)
    # the kept draws are the truncated distribution: their unwind ranges over [0, 100] only
    kept = drawn[(drawn >= 0) & (drawn <= 1)]
    assert kept.min() < 0.05 and kept.max() > 0.95


def test_paths_leaving_the_domain_are_left_out_and_counted(baseline):
    from model.analysis.sampling import chunks
    from model.projection.simulate import stated_deflator
    raw = {"name": "y", "uncertainty": {"draws": 3000, "seed": 8,
                                        "deflator": {"all": {"dist": "normal", "mean": -50, "sd": 20}}}}
    s = scenario_from_dict(raw)
    mc = montecarlo.run(s, baseline, TARGETS)
    d = np.concatenate([c.deflator for c in chunks(s, 3000, np.random.default_rng(8))])
    out = int(((stated_deflator(s, baseline) + d) <= -1.0).any(axis=(1, 2)).sum())
    assert out > 0
    assert mc.excluded == out and (mc.targets["draws_excluded"] == out).all()
    assert np.isfinite(mc.targets[["value_p10", "value_p50", "value_p90"]].to_numpy()).all()


@pytest.mark.parametrize("raw", [
    {"growth": {"ict": 200}, "uncertainty": {"draws": 3000, "seed": 1, "growth": {"ict": {"dist": "normal", "sd": 5}}}},
    {"growth": {"all": -60}, "uncertainty": {"draws": 3000, "seed": 2,
                                             "growth": {"all": {"dist": "uniform", "low": -30, "high": 50}},
                                             "deflator": {"finance": {"dist": "normal", "sd": 20}}}},
    {"horizon": 2040, "uncertainty": {"draws": 2000, "seed": 3, "timing": "yearly",
                                      "growth": {"ict": {"dist": "triangular", "low": -50, "mode": 0, "high": 50}}}},
])
def test_streamed_quantiles_match_exact_quantiles_on_extreme_scenarios(baseline, raw):
    from model.analysis.sampling import sample
    from model.projection.indicators import Indicators
    s = scenario_from_dict({"name": "e", **raw})
    u = s.uncertainty
    mc = montecarlo.run(s, baseline, TARGETS, chunk=700)
    assert mc.excluded == 0
    ind = Indicators(project(s, baseline, sample(s, u.draws, np.random.default_rng(u.seed))))
    rows = mc.targets.set_index("target")
    for t in TARGETS:
        if t.id not in rows.index:
            continue
        exact = np.quantile(ind.value(t.variable)[:, t.year - 2020], [0.1, 0.5, 0.9])
        got = rows.loc[t.id, ["value_p10", "value_p50", "value_p90"]].to_numpy(dtype=float)
        assert np.all(np.abs(got - exact) <= rows.loc[t.id, "resolution"] / 2 * (1 + 1e-9)), t.id
    fan = mc.fan[mc.fan["year"] == s.horizon].set_index("variable")
    for var in montecarlo.HEADLINE:
        exact = np.quantile(ind.value(var)[:, -1], montecarlo.QUANTILES)
        got = fan.loc[var, [f"p{int(round(q * 100)):02d}" for q in montecarlo.QUANTILES]].to_numpy(dtype=float)
        spread = ind.value(var)[:, -1].max() - ind.value(var)[:, -1].min()
        assert np.all(np.abs(got - exact) <= spread / (montecarlo.BINS - 1)), var


@pytest.mark.parametrize("values", [
    np.random.default_rng(0).lognormal(0, 4, 50_000),
    np.concatenate([np.full(20_000, 5.0), np.random.default_rng(1).normal(5, 1e6, 1000)]),
    np.concatenate([np.random.default_rng(2).normal(-1e9, 1, 3000), np.random.default_rng(3).normal(1e9, 1, 3000)]),
    np.array([1.0, 1e6, 3.0]),
    np.random.default_rng(4).integers(0, 5, 30_000).astype(float),
])
def test_streaming_quantiles_are_within_half_a_bin_of_numpy_for_any_values(values):
    results = []
    for parts in (1, 7, 333):
        st = montecarlo.StreamingStats()
        for part in np.array_split(values, parts):
            st.add(part)
        qs = np.array([st.quantile(q) for q in (0, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 1)])
        exact = np.quantile(values, [0, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 1])
        assert np.all(np.abs(qs - exact) <= st.resolution / 2 * (1 + 1e-12))
        assert st.resolution <= 2 * (values.max() - values.min()) / (montecarlo.BINS - 1)
        results.append(qs)
    assert all(np.array_equal(results[0], r) for r in results)     # the chunking does not matter


def test_chunks_are_cut_for_late_horizons_without_changing_results(baseline):
    assert montecarlo.chunk_size(16_384, 2025) == 16_384
    late = montecarlo.chunk_size(16_384, 2060)
    assert late < 16_384
    assert late * 41 * montecarlo.BYTES_PER_DRAW_YEAR <= montecarlo.CHUNK_BYTES
    s = scenario_from_dict({"name": "l", "horizon": 2060, "uncertainty": {
        "draws": 2 * late + 5, "growth": {"all": {"dist": "normal", "sd": 1}}}})
    a = montecarlo.run(s, baseline, TARGETS)
    b = montecarlo.run(s, baseline, TARGETS, chunk=977)
    assert a.chunk == late and b.chunk == 977
    cols = ["p_met", "value_p10", "value_p50", "value_p90"]
    assert a.targets[cols].equals(b.targets[cols])

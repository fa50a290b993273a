"""Monte Carlo: exact without spread, reproducible, chunk-independent, right against analytic cases."""
import numpy as np
import pytest
from scipy import stats

from model import montecarlo
from model.results import series, timeseries
from model.scenario import scenario_from_dict
from model.simulate import project
from model.targets import evaluate, load_targets

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
    target = {"id": "real_gdp", "variable": "Real GDP", "comparator": ">=", "value": real_2021 * value_factor,
              "unit": "100 million CNY (2020 prices)", "year": 2025}
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

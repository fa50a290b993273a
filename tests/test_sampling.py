"""Sampling: marginals, copula, reproducibility, chunk independence, validation of the block."""
import numpy as np
import pytest
from scipy import stats

from model.analysis.sampling import chunks, quantile, sample
from model.analysis.sensitivity import draws_for, sobol_inputs
from model.core.sectors import INDEX, N_SECTORS
from model.core.years import step_row
from model.projection.simulate import shifted_draws
from model.scenario.loader import ScenarioError, load_scenario, scenario_from_dict
from model.scenario.spec import Distribution, Problem

HERE = Problem("f", None, "", "")


def dist(kind, *params):
    return Distribution(kind, tuple(float(p) for p in params), HERE)


@pytest.mark.parametrize("d,frozen", [
    (dist("normal", 1.0, 2.0), stats.norm(1.0, 2.0)),
    (dist("uniform", -1.0, 3.0), stats.uniform(-1.0, 4.0)),
    (dist("triangular", 0.0, 1.0, 4.0), stats.triang(0.25, 0.0, 4.0)),
    (dist("triangular", 0.0, 0.0, 4.0), stats.triang(0.0, 0.0, 4.0)),
])
def test_quantile_matches_scipy(d, frozen):
    z = np.linspace(-3, 3, 41)
    np.testing.assert_allclose(quantile(d, z), frozen.ppf(stats.norm.cdf(z)), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("d", [dist("normal", 0.7, 0.0), dist("uniform", 0.7, 0.7), dist("triangular", 0.7, 0.7, 0.7)])
def test_zero_width_is_exact(d):
    assert np.all(quantile(d, np.linspace(-5, 5, 11)) == 0.7)


UNCERTAIN = {"name": "u", "shocks": [{"name": "s", "year": 2022, "growth_loss": 3}],
             "uncertainty": {"growth": {"all": {"dist": "normal", "sd": 1}, "ict": {"dist": "normal", "sd": 2},
                                        "scitech": {"dist": "uniform", "low": -1, "high": 1}},
                             "correlation": {"ict-scitech": 0.6},
                             "deflator": {"finance": {"dist": "uniform", "low": 0, "high": 2}},
                             "vaccine_unwind": {"dist": "uniform", "low": 50, "high": 100},
                             "shocks": {"s": {"growth_loss": {"dist": "triangular", "low": 1, "mode": 3, "high": 5}}}}}


def test_sample_shapes_and_marginals():
    d = sample(scenario_from_dict(UNCERTAIN), 100_000, np.random.default_rng(7))
    g = d.growth
    assert g.shape == (100_000, 5, 10)
    assert np.all(g[:, 0] == 0)                                   # 2021 stays calibrated
    common = g[:, 1, INDEX["finance"]]                            # finance only has the economy-wide draw
    assert common.std() == pytest.approx(0.01, rel=0.02)
    np.testing.assert_array_equal(g[:, 1:, INDEX["finance"]], np.repeat(common[:, None], 4, axis=1))
    own = g[:, 1, INDEX["ict"]] - common
    assert own.std() == pytest.approx(0.02, rel=0.02)
    assert np.all(d.deflator[:, :, INDEX["finance"]] >= 0) and np.all(d.deflator[:, :, INDEX["finance"]] <= 0.02)
    assert d.vaccine_unwind.mean() == pytest.approx(0.75, abs=0.005)
    assert d.shock_loss["s"].mean() == pytest.approx(0.03, abs=0.0005)


def test_copula_correlation():
    g = sample(scenario_from_dict(UNCERTAIN), 200_000, np.random.default_rng(1)).growth
    common = g[:, 1, INDEX["finance"]]
    ict, sci = g[:, 1, INDEX["ict"]] - common, g[:, 1, INDEX["scitech"]] - common
    rho_s = stats.spearmanr(ict, sci)[0]
    # Spearman correlation of a Gaussian copula with rho = 0.6
    assert rho_s == pytest.approx(6 / np.pi * np.arcsin(0.3), abs=0.01)


def test_same_seed_same_draws_and_chunking_does_not_matter():
    s = scenario_from_dict(UNCERTAIN)
    whole = sample(s, 1000, np.random.default_rng(3))
    again = sample(s, 1000, np.random.default_rng(3))
    parts = list(chunks(s, 1000, np.random.default_rng(3), chunk=300))
    assert [p.n for p in parts] == [300, 300, 300, 100]
    np.testing.assert_array_equal(whole.growth, again.growth)
    np.testing.assert_array_equal(whole.growth, np.concatenate([p.growth for p in parts]))
    np.testing.assert_array_equal(whole.shock_loss["s"], np.concatenate([p.shock_loss["s"] for p in parts]))
    other = sample(s, 1000, np.random.default_rng(4))
    assert not np.array_equal(whole.growth, other.growth)


def test_yearly_draws_are_independent_across_years():
    s = scenario_from_dict({"name": "y", "uncertainty": {"timing": "yearly",
                                                         "growth": {"ict": {"dist": "normal", "sd": 1}}}})
    g = sample(s, 50_000, np.random.default_rng(2)).growth[:, :, INDEX["ict"]]
    assert abs(np.corrcoef(g[:, 1], g[:, 2])[0, 1]) < 0.02
    assert g[:, 1].std() == pytest.approx(0.01, rel=0.03)



# ---------------------------------------------------------------- the one builder of draws
def test_shifts_enter_from_the_years_a_plain_number_in_a_file_starts():
    d = shifted_draws(2, 2025, growth={"all": np.array([0.01, 0.02]), "ict": np.array([0.1, 0.2])},
                      deflator={"finance": np.array([0.03, 0.04])})
    assert d.growth.shape == d.deflator.shape == (2, 5, N_SECTORS)
    assert np.all(d.growth[:, step_row(2021)] == 0)                      # 2021 is calibrated
    np.testing.assert_array_equal(d.growth[:, step_row(2022):, INDEX["finance"]], [[0.01] * 4, [0.02] * 4])
    np.testing.assert_allclose(d.growth[:, step_row(2022):, INDEX["ict"]], [[0.11] * 4, [0.22] * 4])
    np.testing.assert_array_equal(d.deflator[:, step_row(2021):, INDEX["finance"]], [[0.03] * 5, [0.04] * 5])
    assert np.count_nonzero(d.deflator) == 2 * 5                           # no other sector moves


def test_a_shift_per_year_keeps_its_rows():
    per_year = np.arange(10.0).reshape(2, 5)
    d = shifted_draws(2, 2025, growth={"ict": per_year}, deflator={"all": per_year})
    np.testing.assert_array_equal(d.growth[:, :, INDEX["ict"]], np.where(np.arange(5) >= step_row(2022), per_year, 0))
    np.testing.assert_array_equal(d.deflator, np.repeat(per_year[:, :, None], N_SECTORS, axis=2))


def test_no_shift_keeps_the_stated_paths():
    d = shifted_draws(3, 2025, growth={}, vaccine_unwind=np.full(3, 0.5))
    assert d.growth is None and d.deflator is None
    assert d.n == 3 and d.vaccine_unwind.tolist() == [0.5] * 3


def test_sampling_and_sensitivity_place_the_same_shift_in_the_same_cells():
    scenario = scenario_from_dict({"name": "s", "uncertainty": {
        "growth": {"ict": {"dist": "normal", "mean": 1.5, "sd": 0}},
        "deflator": {"all": {"dist": "normal", "mean": -0.5, "sd": 0}}}})
    sampled = sample(scenario, 1, np.random.default_rng(0))
    inputs = [x for x in sobol_inputs() if x.parameter in ("growth.ict", "deflator.all")]
    set_ = draws_for(scenario, inputs, np.array([[1.5 if x.kind == "growth" else -0.5 for x in inputs]]))
    np.testing.assert_array_equal(sampled.growth, set_.growth)
    np.testing.assert_array_equal(sampled.deflator, set_.deflator)


def test_uncertainty_inherits_key_by_key(tmp_path):
    (tmp_path / "p.yaml").write_text("uncertainty:\n  seed: 5\n  growth:\n    ict: {dist: normal, sd: 1}\n",
                                     encoding="utf-8")
    (tmp_path / "c.yaml").write_text("extends: p\nuncertainty:\n  growth:\n    finance: {dist: normal, sd: 2}\n",
                                     encoding="utf-8")
    u = load_scenario(tmp_path / "c.yaml").uncertainty
    assert u.seed == 5 and set(u.growth) == {"ict", "finance"} and u.draws == 10_000


def problems(write_yaml, text):
    with pytest.raises(ScenarioError) as info:
        load_scenario(write_yaml(text))
    return info.value.problems


@pytest.mark.parametrize("text,fragment", [
    ("uncertainty:\n  draws: 0\n", "whole number in [1, 100,000,000]"),
    ("uncertainty:\n  sed: 3\n", "did you mean 'seed'"),
    ("uncertainty:\n  timing: sometimes\n", "'persistent' or 'yearly'"),
    ("uncertainty:\n  growth:\n    ict: 2\n", "expected a distribution"),
    ("uncertainty:\n  growth:\n    ict: {dist: gaussian, sd: 1}\n", "unknown distribution"),
    ("uncertainty:\n  growth:\n    ict: {dist: normal, sd: -1}\n", "got -1; expected a number in [0, 20]"),
    ("uncertainty:\n  growth:\n    ict: {dist: normal, sd: 1000000}\n", "expected a number in [0, 20]"),
    ("uncertainty:\n  growth:\n    ict: {dist: uniform, low: -1000000, high: 0}\n",
     "got -1000000; expected a number in [-50, 50] (percentage points)"),
    ("uncertainty:\n  deflator:\n    all: {dist: normal, mean: 99, sd: 1}\n", "expected a number in [-50, 50]"),
    ("uncertainty:\n  vaccine_unwind: {dist: uniform, low: -10, high: 100}\n", "expected a number in [0, 100]"),
    ("shocks:\n  - {name: s, year: 2022, growth_loss: 3}\nuncertainty:\n  shocks:\n    s:\n"
     "      growth_loss: {dist: uniform, low: -100, high: 5}\n", "expected a number in (-100, 100]"),
    ("shocks:\n  - {name: s, year: 2022, growth_loss: 3}\nuncertainty:\n  shocks:\n    s:\n"
     "      recovered: {dist: normal, mean: 50, sd: 80}\n", "expected a number in [0, 50]"),
    ("uncertainty:\n  growth:\n    ict: {dist: normal, sd: 1, skew: 2}\n", "unknown key 'skew'"),
    ("uncertainty:\n  growth:\n    ict: {dist: uniform, low: 1}\n", "needs high"),
    ("uncertainty:\n  growth:\n    ict: {dist: triangular, low: 1, mode: 0, high: 2}\n", "low <= mode <= high"),
    ("uncertainty:\n  growth:\n    icts: {dist: normal, sd: 1}\n", "did you mean 'ict'"),
    ("uncertainty:\n  shocks:\n    nope:\n      growth_loss: {dist: normal, sd: 1}\n", "no shock named 'nope'"),
    ("uncertainty:\n  growth:\n    ict: {dist: normal, sd: 1}\n  correlation:\n    ict-finance: 0.5\n",
     "finance has no growth distribution"),
    ("uncertainty:\n  correlation:\n    ict+finance: 0.5\n", "two different sectors"),
    ("uncertainty:\n  revenue_bases: yes please\n", "got 'yes please'; expected true or false"),
    ("uncertainty:\n  growth:\n    ict: {dist: normal, sd: 1}\n    finance: {dist: normal, sd: 1}\n"
     "    scitech: {dist: normal, sd: 1}\n  correlation:\n    ict-finance: 0.99\n    ict-scitech: 0.99\n"
     "    finance-scitech: -0.99\n", "positive definite"),
])
def test_uncertainty_errors(write_yaml, text, fragment):
    (p,) = problems(write_yaml, text)
    assert fragment in p.message and p.path.startswith("uncertainty")

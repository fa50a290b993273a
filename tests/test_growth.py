"""Equations against analytical answers."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from model.equations import growth


def test_zero_growth_keeps_levels():
    level0 = np.array([1.0, 20.0, 300.0])
    path = growth.compound(level0, np.zeros((5, 3)))
    assert path.shape == (6, 3)
    np.testing.assert_array_equal(path, np.tile(level0, (6, 1)))


def test_constant_growth_is_geometric():
    g = 0.065
    path = growth.compound(np.array([100.0]), np.full((5, 1), g))
    np.testing.assert_allclose(path[:, 0], 100.0 * (1 + g) ** np.arange(6), rtol=1e-14)


@settings(max_examples=50, deadline=None)
@given(arrays(float, (4, 3), elements=st.floats(-0.5, 1.5)))
def test_growth_rates_invert_compound(rates):
    path = growth.compound(np.array([5.0, 7.0, 11.0]), rates)
    np.testing.assert_allclose(growth.growth_rates(path), rates, atol=1e-12)


def test_compound_broadcasts_over_draws_and_does_not_mutate():
    rates = np.full((2, 3, 4), 0.1)
    level0 = np.ones((2, 4))
    before = rates.copy()
    path = growth.compound(level0, rates)
    assert path.shape == (2, 4, 4)
    np.testing.assert_array_equal(rates, before)


def test_identical_sectors_behave_like_one():
    r = np.array([[0.05], [0.02], [-0.01]])
    one = growth.compound(np.array([10.0]), r)
    two = growth.compound(np.array([4.0, 6.0]), np.hstack([r, r]))
    np.testing.assert_allclose(growth.total(two), one[:, 0], rtol=1e-14)
    np.testing.assert_allclose(growth.aggregate_growth(np.array([4.0, 6.0]), np.array([0.05, 0.05])), 0.05)


def test_aggregate_growth_weights_by_level():
    assert growth.aggregate_growth(np.array([1.0, 3.0]), np.array([0.10, 0.02])) == pytest.approx(0.04)


def test_contribution_share():
    level = np.array([1.0, 3.0])
    rates = np.array([0.30, 0.10])
    assert growth.contribution_share(level, rates, np.array([True, False])) == pytest.approx(0.5)
    assert np.isnan(growth.contribution_share(level, np.zeros(2), np.array([True, False])))


def test_weighted_sum_and_share():
    va = np.array([[10.0, 30.0], [20.0, 20.0]])
    part = growth.weighted_sum(va, np.array([1.0, 0.5]))
    np.testing.assert_allclose(part, [25.0, 30.0])
    np.testing.assert_allclose(growth.share_percent(part, growth.total(va)), [62.5, 75.0])


@pytest.mark.parametrize("share", [0.0, 0.3, 1.0])
def test_reversal_returns_share_of_excess(share):
    trend, shock = 0.05, 0.80
    g_next = growth.reversal_growth(trend, shock, trend, share)
    level = (1 + shock) * (1 + g_next)
    on_trend = (1 + trend) ** 2
    excess = (1 + shock) / (1 + trend)
    assert level / on_trend == pytest.approx(excess ** (1 - share))

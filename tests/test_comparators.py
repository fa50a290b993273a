"""Comparators as objects: one evaluation on any array shape, their boundaries and descriptions,
and a new comparator added in one place."""
from dataclasses import FrozenInstanceError, dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from model.analysis import montecarlo
from model.analysis.goalseek import boundary_distance
from model.output.plots import plot_by_scenario
from model.targets.comparators import COMPARATORS, About, AtLeast, Comparator, Largest, NotModelled, Within
from model.targets.definitions import load_targets, parse_targets
from model.targets.scorecard import MET, MISSED, evaluate

SOURCE = {"publisher": "P", "document": "D", "url": "https://example.invalid", "unit": "%", "year": 2025}


def entry(**fields) -> dict:
    return {"id": "t", "description": "a target", **SOURCE, **fields}


def one(**fields):
    return parse_targets([entry(levers=["ict"], **fields)])[0]


# ---------------------------------------------------------------- evaluation over a draw axis
def test_rank_evaluates_each_draw_against_its_own_others():
    t = one(variable="a", comparator="rank", among=["a", "b", "c"])
    values = {"a": np.array([5.0, 5.0, 1.0]), "b": np.array([4.0, 6.0, 0.0]), "c": np.array([5.0, 0.0, 2.0])}
    e = t.evaluate(values)
    assert e.met.tolist() == [True, False, False]          # a tie counts
    assert e.gap.tolist() == [0.0, -1.0, -1.0]
    assert e.shortfall.tolist() == [0.0, 1.0, 1.0]
    assert t.variables == ("a", "b", "c")


def test_shortfall_of_about_is_the_distance_to_the_band():
    e = About(13.0, 1.0).evaluate(np.array([[10.0, 12.5], [14.0, 15.5]]))
    assert e.met.tolist() == [[False, True], [True, False]]
    assert e.gap.tolist() == [[-3.0, -0.5], [1.0, 2.5]]
    assert e.shortfall.tolist() == [[2.0, 0.0], [0.0, 1.5]]


def test_range_shortfall_and_gap_pct_from_the_nearest_bound():
    e = Within(4.0, 5.0).evaluate(np.array([2.0, 4.5, 6.0]))
    assert e.shortfall.tolist() == [2.0, 0.0, 1.0]
    assert e.gap_pct.tolist() == [-50.0, 0.0, 20.0]


whole = st.integers(-10**6, 10**6)          # whole numbers: the arithmetic is exact, so the property is too


@given(st.lists(whole, min_size=1, max_size=20), whole, st.integers(0, 1000), whole, st.integers(0, 1000))
def test_met_exactly_where_the_shortfall_is_zero(xs, value, tolerance, low, width):
    x = np.array(xs, dtype=float)
    for c in (AtLeast(value), About(value, tolerance), Within(low, low + width)):
        e = c.evaluate(x)
        assert np.all(e.shortfall >= 0), c.symbol
        assert np.array_equal(e.met, e.shortfall == 0), c.symbol


def test_gap_pct_of_a_zero_reference_is_nan():
    assert np.isnan(AtLeast(0.0).evaluate(np.array([1.0])).gap_pct[0])


def test_gap_from_value_holds_for_every_comparator_that_claims_it():
    x = np.linspace(-10.0, 30.0, 401)
    for c in (AtLeast(3.0), About(13.0, 1.0), Within(4.0, 5.0)):
        assert c.gap_from_value
        assert np.all(np.diff(c.gap_at(x)) >= 0), c.symbol       # non-decreasing in the value
    assert not Largest(("b",)).gap_from_value


# ---------------------------------------------------------------- goal-seeking's boundary
def test_boundaries_goal_seeking_aims_at():
    assert AtLeast(30.0).boundary({}, 20.0) == (30.0, 1.0)
    assert About(13.0, 1.0).boundary({}, 9.0) == (13.0, 0.0)
    assert Within(4.0, 5.0).boundary({}, 3.0) == (4.0, 1.0)
    assert Within(4.0, 5.0).boundary({}, 6.0) == (5.0, -1.0)
    assert Largest(("b", "c")).boundary({"b": 7.0, "c": 9.0}, 1.0) == (9.0, 1.0)
    t = one(variable="a", comparator="rank", among=["a", "b", "c"])
    assert boundary_distance(t, {"a": 8.0, "b": 7.0, "c": 9.0}, 8.0) == (-1.0, 1.0)


# ---------------------------------------------------------------- descriptions
def test_comparators_describe_themselves():
    assert [c.text() for c in (AtLeast(30.0), About(13.0, 1.0), Within(4.0, 5.0), Largest(("b",)),
                               NotModelled(500.0))] == ["30", "13 ± 1", "4-5", "largest", "500"]
    assert AtLeast(30.0).label("%") == "≥ 30 %"
    assert About(13.0, 1.0).label("%") == "≈ 13 %"
    assert Within(4.0, 5.0).label() == "4-5"
    assert (AtLeast(30.0).level, AtLeast(30.0).band) == (30.0, None)
    assert (About(13.0, 1.0).level, About(13.0, 1.0).band) == (13.0, (12.0, 14.0))
    assert (Within(4.0, 5.0).level, Within(4.0, 5.0).band) == (None, (4.0, 5.0))
    assert (Largest(("b",)).level, Largest(("b",)).band) == (None, None)


def test_a_not_modelled_target_refuses_to_be_evaluated():
    t = next(t for t in load_targets() if not t.modelled)
    assert t.variables == ()
    with pytest.raises(ValueError, match="is not modelled"):
        t.evaluate({})


def test_targets_are_frozen_and_loaded_once():
    t = load_targets()[0]
    with pytest.raises(FrozenInstanceError):
        t.year = 2030
    with pytest.raises(FrozenInstanceError):
        t.comparator.value = 1.0
    assert load_targets() is load_targets()
    assert all(isinstance(t.levers, tuple) for t in load_targets())


# ---------------------------------------------------------------- a new comparator touches one place
@dataclass(frozen=True)
class AtMost(Comparator):
    """``<=``: met at or below ``value``."""

    value: float
    symbol: ClassVar[str] = "<="
    fields: ClassVar[tuple[str, ...]] = ("value",)
    numbers: ClassVar[tuple[str, ...]] = ("value",)

    def _reference_and_met(self, x, values):
        return np.full_like(x, self.value), x <= self.value

    def boundary(self, values, projected):
        return self.value, -1.0

    def text(self):
        return f"{self.value:g}"

    def label(self, unit=""):
        return f"≤ {self.value:g}" + (f" {unit}" if unit else "")

    @property
    def level(self):
        return self.value


def test_a_new_comparator_works_in_the_scorecard_monte_carlo_and_figures(monkeypatch, baseline):
    monkeypatch.setitem(COMPARATORS, "<=", AtMost)
    t = parse_targets([entry(variable="Share of GDP|Finance", comparator="<=", value=25, levers=["finance"])])[0]
    rows = [{"model": "m", "scenario": "s", "region": "r", "variable": "Share of GDP|Finance", "unit": "%",
             "year": y, "value": v} for y, v in ((2024, 20.0), (2025, 24.0))]
    card = evaluate(pd.DataFrame(rows), [t]).iloc[0]
    assert (card["comparator"], card["target_value"], card["status"], card["gap"]) == ("<=", "25", MET, -1.0)
    assert evaluate(pd.DataFrame(rows).assign(value=[30.0, 26.0]), [t]).iloc[0]["status"] == MISSED
    ax = plot_by_scenario(pd.DataFrame(rows), "Share of GDP|Finance", [t])
    assert [a.get_text() for a in ax.texts] == ["2025 target ≤ 25"]
    from model.scenario.loader import scenario_from_dict
    s = scenario_from_dict({"name": "u", "uncertainty": {"draws": 50, "growth": {"all": {"dist": "normal", "sd": 1}}}})
    row = montecarlo.run(s, baseline, [t]).targets.iloc[0]
    assert row["comparator"] == "<=" and 0.0 <= row["p_met"] <= 1.0

"""Gap attribution: the Shapley value and log mean, exact additivity, the analytic cases."""
import dataclasses
import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.analysis.attribution import (
    BASE_REFERENCE,
    INPUT,
    INPUT_GROUPS,
    SECTOR,
    attribute,
    attributed_value,
    contributor_notes,
    differences,
    frozen,
    input_worths,
    largest_contributors,
)
from model.baseline.calibration import build_baseline
from model.core.sectors import INDEX
from model.equations.attribution_math import log_mean, shapley
from model.projection.indicators import Indicators
from model.projection.simulate import project
from model.scenario.loader import Layered, load_scenario
from model.targets.definitions import load_targets

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
TARGETS = load_targets()
BY_ID = {t.id: t for t in TARGETS}


def shipped(name):
    s = load_scenario(SCENARIOS / f"{name}.yaml")
    return s, build_baseline(s.assumptions)


def with_growth_change(scenario, sector: str, pp: float):
    """``scenario`` with ``pp`` percentage points more real growth of ``sector`` in every year from 2022."""
    add = np.array(scenario.growth.add)
    add[1:, INDEX[sector]] += pp / 100.0
    add.setflags(write=False)
    return dataclasses.replace(scenario, name="changed", growth=Layered(scenario.growth.set, add), parent=scenario)


def sums(table):
    return table.groupby(["target", "kind"])["contribution"].sum().unstack()


# ---------------------------------------------------------------- the two decompositions
def permutation_shapley(worth, k):
    """The definition: each player's marginal worth averaged over every order of arrival."""
    phi = np.zeros(k)
    orders = list(itertools.permutations(range(k)))
    for order in orders:
        coalition = 0
        for i in order:
            phi[i] += worth[coalition | (1 << i)] - worth[coalition]
            coalition |= 1 << i
    return phi / len(orders)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 5).flatmap(lambda k: st.lists(st.floats(-100, 100), min_size=2 ** k, max_size=2 ** k)))
def test_shapley_equals_the_average_over_orders_of_arrival(worth):
    worth = np.array(worth)
    k = int(round(math.log2(len(worth))))
    phi = shapley(worth)
    np.testing.assert_allclose(phi, permutation_shapley(worth, k), atol=1e-9)
    assert phi.sum() == pytest.approx(worth[-1] - worth[0], abs=1e-9)


def test_shapley_gives_a_dummy_nothing_and_symmetric_players_the_same():
    # v(S) = (number of players 0 and 1 in S)^2; player 2 changes nothing
    worth = np.array([bin(m & 0b011).count("1") ** 2 for m in range(8)], dtype=float)
    np.testing.assert_allclose(shapley(worth), [2.0, 2.0, 0.0])


def test_shapley_refuses_a_count_that_is_not_a_power_of_two():
    with pytest.raises(ValueError, match="2\\*\\*k"):
        shapley(np.zeros(6))


def test_log_mean_of_equal_values_is_the_value_and_turns_log_changes_into_changes():
    assert log_mean(3.0, 3.0) == 3.0
    assert log_mean(2.0, 8.0) * math.log(8.0 / 2.0) == pytest.approx(8.0 - 2.0, rel=1e-15)


# ---------------------------------------------------------------- exact additivity
@pytest.mark.parametrize("name", ["baseline", "downside", "manufacturing_revival", "plan"])
def test_each_kind_sums_to_the_scenario_value_minus_the_reference_value(name):
    s, b = shipped(name)
    p = project(s, b)
    table = attribute(s, b, TARGETS, p)
    if s.parent is None:
        expected = differences(s, b, TARGETS, p, p, reference_row=0)
    else:
        rb = build_baseline(s.parent.assumptions)
        expected = differences(s, b, TARGETS, p, project(s.parent, rb), reference_links=s.parent.revenue_links)
    got = sums(table)
    for target, diff in expected.items():
        scale = max(1.0, abs(diff))
        assert got.loc[target, SECTOR] == pytest.approx(diff, abs=1e-10 * scale), target
        assert got.loc[target, INPUT] == pytest.approx(diff, abs=1e-10 * scale), target


def test_every_input_group_is_listed_once_per_target():
    s, b = shipped("downside")
    table = attribute(s, b, TARGETS)
    inputs = table[table["kind"] == INPUT]
    listed = inputs.groupby("target")["component"].apply(list)
    assert len(listed) == inputs["target"].nunique() > 0
    assert all(components == list(INPUT_GROUPS) for components in listed)


def test_the_reference_of_a_scenario_without_parent_is_the_base_year():
    s, b = shipped("baseline")
    table = attribute(s, b, TARGETS)
    assert set(table["reference"]) == {BASE_REFERENCE}
    levels = project(frozen(s), b).va_nominal
    np.testing.assert_allclose(levels, np.broadcast_to(levels[0], levels.shape), rtol=1e-14)


# ---------------------------------------------------------------- analytic cases
def test_identical_scenarios_attribute_zero_everywhere():
    s, b = shipped("manufacturing_revival")
    table = attribute(s, b, TARGETS, reference=s, reference_baseline=b)
    assert len(table) and (table["contribution"] == 0.0).all()


@pytest.mark.parametrize("target, components", [
    ("hightech_share", {"ict (numerator)", "ict (GDP)"}),
    ("software_revenue", {"ict (link)"}),
    ("ngit_revenue", {"ict (link)"}),
])
def test_one_sector_changed_puts_the_whole_change_on_that_sector(target, components):
    s, b = shipped("baseline")
    changed = with_growth_change(s, "ict", 2.0)
    table = attribute(changed, b, [BY_ID[target]], reference=s, reference_baseline=b)
    diff = differences(changed, b, [BY_ID[target]], project(changed, b), project(s, b))[target]
    assert diff != 0.0
    by_sector = table[table["kind"] == SECTOR].set_index("component")["contribution"]
    assert by_sector[~by_sector.index.isin(components)].eq(0.0).all()
    assert by_sector[list(components)].sum() == pytest.approx(diff, rel=1e-12)
    by_input = table[table["kind"] == INPUT].set_index("component")["contribution"]
    assert by_input.drop("real growth").eq(0.0).all()
    assert by_input["real growth"] == pytest.approx(diff, rel=1e-12)


def test_a_changed_leader_puts_the_whole_lead_change_on_the_leader():
    s, b = shipped("baseline")
    changed = with_growth_change(s, "finance", 1.0)
    table = attribute(changed, b, [BY_ID["finance_first_pillar"]], reference=s, reference_baseline=b)
    by_sector = table[table["kind"] == SECTOR].set_index("component")["contribution"]
    lead = Indicators(project(changed, b)).value("Value Added|Finance")[-1] - \
        Indicators(project(s, b)).value("Value Added|Finance")[-1]
    assert by_sector["finance (leader)"] == pytest.approx(lead, rel=1e-12)
    assert by_sector.drop("finance (leader)").eq(0.0).all()


def test_a_changed_runner_up_takes_the_lead_change_through_the_runner_up():
    s, b = shipped("baseline")
    changed = with_growth_change(s, "ict", 1.0)        # ICT is the largest other sector in 2025
    table = attribute(changed, b, [BY_ID["finance_first_pillar"]], reference=s, reference_baseline=b)
    by_sector = table[table["kind"] == SECTOR].set_index("component")["contribution"]
    assert by_sector["ict (runner-up)"] < 0
    assert by_sector.drop("ict (runner-up)").eq(0.0).all()


def test_a_share_split_in_numerator_and_gdp_by_log_mean_divisia():
    s, b = shipped("baseline")
    changed = with_growth_change(s, "mfg_other", 3.0)
    table = attribute(changed, b, [BY_ID["manufacturing_share"]], reference=s, reference_baseline=b)
    rows = table[table["kind"] == SECTOR].set_index("component")["contribution"]
    p, q = project(changed, b), project(s, b)
    i, row = INDEX["mfg_other"], -1
    m_s, m_r = p.va_nominal[row, [1, 2]].sum(), q.va_nominal[row, [1, 2]].sum()
    g_s, g_r = p.va_nominal[row].sum(), q.va_nominal[row].sum()
    scale = log_mean(100 * m_s / g_s, 100 * m_r / g_r)
    dv = p.va_nominal[row, i] - q.va_nominal[row, i]
    assert rows["mfg_other (numerator)"] == pytest.approx(scale / log_mean(m_s, m_r) * dv, rel=1e-12)
    assert rows["mfg_other (GDP)"] == pytest.approx(-scale / log_mean(g_s, g_r) * dv, rel=1e-12)


# ---------------------------------------------------------------- inputs as draws
def test_a_mixed_coalition_evaluated_as_a_draw_equals_the_hybrid_scenario_run_alone():
    s, b = shipped("downside")
    ref = s.parent
    groups = ["real growth", "shocks"]
    worths = input_worths(s, b, ref, b, [BY_ID["hightech_share"], BY_ID["car_output"]], groups)
    hybrid = dataclasses.replace(ref, shocks=s.shocks)           # shocks on (bit 1), growth at the reference
    ind = Indicators(project(hybrid, b), hybrid.revenue_links)
    expected = [attributed_value(BY_ID["hightech_share"], ind), attributed_value(BY_ID["car_output"], ind)]
    np.testing.assert_allclose(worths[0b10], expected, rtol=1e-12)
    own = Indicators(project(s, b), s.revenue_links)
    np.testing.assert_allclose(worths[0b11], [attributed_value(BY_ID["hightech_share"], own),
                                              attributed_value(BY_ID["car_output"], own)], rtol=1e-12)


def test_largest_contributors_are_the_largest_in_size_of_each_kind():
    s, b = shipped("downside")
    table = attribute(s, b, TARGETS)
    top = largest_contributors(table, "software_revenue", 2)
    for kind, rows in top.groupby("kind"):
        everything = table[(table["target"] == "software_revenue") & (table["kind"] == kind)]
        assert len(rows) == 2
        assert rows["contribution"].abs().min() >= everything["contribution"].abs().nlargest(2).min()


def test_largest_contributors_keep_table_order_on_ties_and_put_a_missing_contribution_last():
    import pandas as pd
    table = pd.DataFrame({"target": "t", "reference": "baseline", "unit": "%",
                          "kind": [INPUT, INPUT, INPUT, SECTOR, SECTOR, INPUT],
                          "component": ["nan", "a", "b", "s1", "s2", "c"],
                          "contribution": [np.nan, -0.5, 0.5, 0.1, -0.2, 0.25]})
    top = largest_contributors(pd.concat([table, table.assign(target="other")], ignore_index=True), "t", 2)
    assert top["component"].tolist() == ["a", "b", "s2", "s1"]      # |a| == |b|: table order
    assert top.index.tolist() == [1, 2, 4, 3]                        # the table's own rows
    assert largest_contributors(table, "t", 4)["component"].tolist()[:4] == ["a", "b", "c", "s2"]
    assert largest_contributors(table, "t", 5)["component"].tolist()[-1] == "nan"


def test_contributor_notes_name_the_largest_contributors_of_each_kind_in_order():
    s, b = shipped("downside")
    table = attribute(s, b, TARGETS)
    note = contributor_notes(table, ["manufacturing_share", "no_such_target"])
    assert list(note) == ["manufacturing_share"]
    top = largest_contributors(table, "manufacturing_share", 2)
    for kind in (INPUT, SECTOR):
        names = top.loc[top["kind"] == kind, "component"].tolist()
        text = note["manufacturing_share"].split(f"by {kind}: ")[1]
        assert text.index(names[0]) < text.index(names[1])
    total = table.loc[(table["target"] == "manufacturing_share") & (table["kind"] == INPUT), "contribution"].sum()
    assert note["manufacturing_share"].startswith(f"change from baseline {total:+.3g} pp; by input: ")


def test_the_summary_names_the_largest_contributors_of_each_missed_target_only():
    from model.output.comparison import stack, summary_markdown
    from model.projection.results import timeseries
    from model.targets.scorecard import MET, MISSED, evaluate

    s, b = shipped("downside")
    p = project(s, b)
    card = evaluate(timeseries(p, s.name, revenue_links=s.revenue_links), TARGETS)
    table = attribute(s, b, TARGETS, p)
    text = summary_markdown(stack({s.name: card}), {}, {}, attributions={s.name: table})
    text = text.replace("\n    ", " ")            # a list item's lines wrapped at 120 characters, joined again
    notes = contributor_notes(table, card["target"].tolist())
    missed = card.loc[card["status"] == MISSED, "target"].tolist()
    met = card.loc[card["status"] == MET, "target"].tolist()
    assert missed and met
    for t in missed:
        assert f"  - `{t}` {notes[t]}" in text
    for t in met:
        assert f"  - `{t}` {notes[t]}" not in text


def test_changed_assumptions_and_revenue_links_add_up_and_land_on_their_groups():
    from types import MappingProxyType

    s, b = shipped("downside")
    child = dataclasses.replace(
        s, name="child", parent=s,
        assumptions=MappingProxyType({**s.assumptions, "va.industry_2020": 4600.0, "hightech_weight.mfg_other": 45.0}),
        revenue_links=MappingProxyType({**s.revenue_links, "software_info.elasticity": 1.3,
                                        "ngit.base_2020": 8000.0}))
    cb = build_baseline(child.assumptions)
    p, q = project(child, cb), project(s, b)
    table = attribute(child, cb, TARGETS, p, reference_baseline=b, reference_projection=q)
    expected = differences(child, cb, TARGETS, p, q, reference_links=s.revenue_links)
    got = sums(table)
    for target, diff in expected.items():
        assert got.loc[target, SECTOR] == pytest.approx(diff, abs=1e-10 * max(1.0, abs(diff))), target
        assert got.loc[target, INPUT] == pytest.approx(diff, abs=1e-10 * max(1.0, abs(diff))), target
    inputs = table[table["kind"] == INPUT].set_index(["target", "component"])["contribution"]
    assert inputs.loc[("software_revenue", "revenue links")] != 0.0
    assert inputs.loc[("hightech_share", "base year")] != 0.0
    assert inputs.loc[("hightech_share", "revenue links")] == 0.0        # shares do not read the revenue layer
    for group in ("real growth", "prices", "shocks", "projects", "vaccine unwind"):
        assert (inputs.xs(group, level="component") == 0.0).all(), group


def test_every_field_an_equation_reads_switches_with_an_input_group():
    from model.analysis.attribution import _BASELINE_FIELDS, _METADATA
    from model.baseline.calibration import Baseline

    covered = {f for fields in _BASELINE_FIELDS.values() for f in fields} | set(_METADATA)
    assert {f.name for f in dataclasses.fields(Baseline)} == covered


def test_a_changed_trend_design_lands_on_the_trend_group():
    s, b = shipped("baseline")
    other = next(d for d in b.trend_paths if d != s.trend)
    child = dataclasses.replace(s, name="child", parent=s, trend=other)
    p, q = project(child, b), project(s, b)
    table = attribute(child, b, TARGETS, p, reference_baseline=b, reference_projection=q)
    expected = differences(child, b, TARGETS, p, q)
    inputs = table[table["kind"] == INPUT].set_index(["target", "component"])["contribution"]
    for target, diff in expected.items():
        assert inputs.loc[(target, "trend")] == pytest.approx(diff, abs=1e-10 * max(1.0, abs(diff))), target
    assert expected["hightech_share"] != 0.0

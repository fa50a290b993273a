"""The plan's targets: definitions, comparator semantics at their boundaries, scorecards."""
import numpy as np
import pandas as pd
import pytest

from model.targets.comparators import about, at_least, is_largest, within
from model.targets.definitions import Target, load_targets, parse_targets
from model.targets.scorecard import MET, MISSED, NOT_MODELLED, NOT_PROJECTED, SCORECARD_COLUMNS, evaluate

SOURCE = {"publisher": "P", "document": "D", "url": "https://example.invalid", "unit": "%", "year": 2025}


def target(**fields) -> dict:
    return {"id": "t", "description": "a target", **SOURCE, **fields}


def build(**fields) -> Target:
    """A checked target from an entry's fields (levers added on a modelled one)."""
    levers = {} if fields.get("comparator") == "not_modelled" else {"levers": ["ict"]}
    return parse_targets([target(**levers, **fields)])[0]


def table(values: dict[str, list[float]], years=range(2020, 2026)) -> pd.DataFrame:
    """A one-scenario tidy table from ``variable -> values by year``."""
    rows = [{"model": "m", "scenario": "s", "region": "r", "variable": v, "unit": "u", "year": y, "value": x}
            for v, xs in values.items() for y, x in zip(years, xs)]
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- semantics
def test_at_least_includes_its_boundary():
    assert at_least(np.array([29.999, 30.0, 30.001]), 30).tolist() == [False, True, True]


def test_about_includes_both_ends_of_the_band():
    x = np.array([11.99, 12.0, 13.0, 14.0, 14.01])
    assert about(x, 13, 1).tolist() == [False, True, True, True, False]


def test_about_with_zero_tolerance_is_equality():
    assert about(np.array([13.0, 13.0001]), 13, 0).tolist() == [True, False]


def test_within_includes_both_bounds():
    x = np.array([3.0, 4.0, 4.5, 5.0, 6.0])
    assert within(x, 4, 5).tolist() == [False, True, True, True, False]


def test_is_largest_counts_a_tie_and_rejects_a_larger_other():
    others = np.array([[5.0, 3.0], [5.0, 6.0], [4.0, 1.0]])
    assert is_largest(np.array([5.0, 5.0, 4.5]), others).tolist() == [True, False, True]


# ---------------------------------------------------------------- evaluation
def test_at_least_scorecard_gap_status_and_first_year():
    df = table({"x": [20, 25, 29, 30, 31, 32]})
    row = evaluate(df, [build(variable="x", comparator=">=", value=30)]).iloc[0]
    assert row["status"] == MET
    assert row["projected_value"] == 32
    assert row["gap"] == pytest.approx(2)
    assert row["gap_pct"] == pytest.approx(100 * 2 / 30)
    assert row["first_year_met"] == 2023          # reached exactly on the boundary


def test_about_scorecard_missed_outside_the_band():
    df = table({"x": [13, 13, 13, 13, 13, 11.5]})
    row = evaluate(df, [build(variable="x", comparator="~", value=13, tolerance=1)]).iloc[0]
    assert row["status"] == MISSED
    assert row["gap"] == pytest.approx(-1.5)
    assert row["target_value"] == "13 ± 1"
    assert row["first_year_met"] == 2020


def test_range_gap_is_distance_to_the_nearest_bound():
    df = table({"n": [2, 2, 3, 3, 6, 6]})
    card = evaluate(df, [build(variable="n", comparator="range", low=4, high=5)])
    assert card.loc[0, "status"] == MISSED
    assert card.loc[0, "gap"] == pytest.approx(1)          # above the band by one
    assert card.loc[0, "gap_pct"] == pytest.approx(20)
    assert pd.isna(card.loc[0, "first_year_met"])


def test_range_met_inside_has_zero_gap():
    df = table({"n": [2, 2, 3, 4, 5, 5]})
    row = evaluate(df, [build(variable="n", comparator="range", low=4, high=5)]).iloc[0]
    assert (row["status"], row["gap"], row["first_year_met"]) == (MET, 0, 2023)


def test_rank_gap_is_lead_over_the_largest_other():
    df = table({"fin": [10, 10, 10, 10, 10, 10], "ict": [5, 6, 8, 10, 11, 12], "other": [1] * 6})
    row = evaluate(df, [build(variable="fin", comparator="rank", among=["fin", "ict", "other"])]).iloc[0]
    assert row["status"] == MISSED
    assert row["gap"] == pytest.approx(-2)
    assert row["projected_value"] == 10
    assert row["first_year_met"] == 2020


def test_rank_ignores_variables_not_listed():
    df = table({"fin": [10] * 6, "ict": [5] * 6, "residual": [50] * 6})
    row = evaluate(df, [build(variable="fin", comparator="rank", among=["fin", "ict"])]).iloc[0]
    assert row["status"] == MET


def test_not_modelled_target_is_listed_not_dropped():
    df = table({"x": [1] * 6})
    card = evaluate(df, [build(id="firms", comparator="not_modelled", value=500, unit="count")])
    assert card["target"].tolist() == ["firms"]
    assert card.loc[0, "status"] == NOT_MODELLED
    assert card.loc[0, "target_value"] == "500"
    assert pd.isna(card.loc[0, "projected_value"])


def test_target_after_the_horizon_is_not_projected():
    df = table({"x": [31, 32]}, years=[2020, 2021])
    row = evaluate(df, [build(variable="x", comparator=">=", value=30)]).iloc[0]
    assert row["status"] == NOT_PROJECTED
    assert row["first_year_met"] == 2020
    assert pd.isna(row["gap"])


def test_scorecard_columns():
    card = evaluate(table({"x": [1] * 6}), [build(variable="x", comparator=">=", value=1)])
    assert tuple(card.columns) == SCORECARD_COLUMNS


# ---------------------------------------------------------------- definitions
def test_shipped_targets_cover_the_plan():
    ids = {t.id for t in load_targets()}
    assert ids == {"hightech_share", "trillion_clusters", "manufacturing_share", "manufacturing_share_stretch",
                   "software_revenue", "ngit_revenue", "medicine_health_revenue", "pharma_revenue", "ic_revenue",
                   "car_output", "finance_first_pillar", "new_advanced_manufacturers", "icv_l2_share"}


def test_not_modelled_targets_are_declared():
    not_modelled = {t.id for t in load_targets() if t.comparator.symbol == "not_modelled"}
    assert not_modelled == {"new_advanced_manufacturers", "icv_l2_share"}


def test_shipped_targets_have_sources_and_plain_units():
    for t in load_targets():
        assert t.url.startswith(("http://", "https://")), t.id
        assert t.year == 2025
        assert "亿" not in t.unit


def test_revenue_targets_in_100_million_cny():
    values = {t.id: t.comparator.value for t in load_targets()
              if t.unit == "100 million CNY" and hasattr(t.comparator, "value")}
    assert values == {"software_revenue": 30000, "ngit_revenue": 25000, "medicine_health_revenue": 10000,
                      "pharma_revenue": 4000, "ic_revenue": 3000, "car_output": 7000}


def test_every_modelled_target_variable_is_in_the_results(baseline):
    from model.projection.results import timeseries
    from model.projection.simulate import project
    from model.scenario.loader import scenario_from_dict
    variables = set(timeseries(project(scenario_from_dict({}, "t.yaml"), baseline), "t")["variable"])
    for t in load_targets():
        if t.modelled:
            assert t.variable in variables, t.id
            assert set(t.variables) <= variables, t.id


def test_unknown_comparator_is_refused():
    with pytest.raises(ValueError, match=r"comparator '<' not in"):
        parse_targets([target(variable="x", comparator="<", value=1)])


def test_missing_tolerance_is_refused():
    with pytest.raises(ValueError, match=r"target 0 \(t\): lacks 'tolerance'"):
        parse_targets([target(variable="x", comparator="~", value=13)])


def test_inverted_range_is_refused():
    with pytest.raises(ValueError, match="low 5 above high 4"):
        parse_targets([target(variable="x", comparator="range", low=5, high=4)])


def test_rank_variable_must_be_among_the_compared():
    with pytest.raises(ValueError, match="is not one of `among`"):
        parse_targets([target(variable="x", comparator="rank", among=["y", "z"])])


def test_duplicate_target_ids_are_refused():
    with pytest.raises(ValueError, match="duplicate id 't'"):
        parse_targets([target(variable="x", comparator=">=", value=1)] * 2)


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValueError) as info:
        parse_targets([target(variable="x", comparator=">=", value="ten"), target(id="u", comparator="?")])
    assert "value 'ten' is not a number" in str(info.value)
    assert "target 1 (u)" in str(info.value)


# ---------------------------------------------------------------- levers (goal-seeking)
def test_every_modelled_shipped_target_names_known_levers():
    from model.core.sectors import KEYS
    for t in load_targets():
        if not t.modelled:
            assert not t.levers, t.id
        else:
            assert t.levers and set(t.levers) <= set(KEYS), t.id


def test_modelled_target_without_levers_is_refused():
    with pytest.raises(ValueError, match=r"target 0 \(t\): lacks 'levers'"):
        parse_targets([target(variable="x", comparator=">=", value=1)])


def test_unknown_lever_sector_is_refused():
    with pytest.raises(ValueError, match="levers: unknown sector 'steel'"):
        parse_targets([target(variable="x", comparator=">=", value=1, levers=["ict", "steel"])])


def test_empty_levers_are_refused():
    with pytest.raises(ValueError, match=r"levers \[\] is not a non-empty list"):
        parse_targets([target(variable="x", comparator=">=", value=1, levers=[])])


def test_levers_that_are_not_sector_names_are_refused():
    with pytest.raises(ValueError, match=r"levers \[\['ict'\]\] is not a non-empty list"):
        parse_targets([target(variable="x", comparator=">=", value=1, levers=[["ict"]])])


def test_a_lever_listed_twice_is_refused():
    with pytest.raises(ValueError, match="sector 'ict' is listed twice"):
        parse_targets([target(variable="x", comparator=">=", value=1, levers=["ict", "ict"])])


def test_levers_on_a_not_modelled_target_are_refused():
    with pytest.raises(ValueError, match="levers given on a not_modelled target"):
        parse_targets([target(comparator="not_modelled", value=1, levers=["ict"])])


def test_well_formed_levers_pass():
    assert parse_targets([target(variable="x", comparator=">=", value=1, levers=["ict", "finance"])])


def test_gap_values_agree_with_the_scorecard_for_every_comparator():
    df = table({"x": [1, 2, 3, 4, 5, 6], "y": [2, 2, 2, 7, 7, 5.5]})
    cases = [build(variable="x", comparator=">=", value=4.5), build(variable="x", comparator="~", value=13,
                                                                    tolerance=1),
             build(variable="x", comparator="range", low=2, high=3), build(variable="x", comparator="rank",
                                                                           among=["x", "y"])]
    wide = df.pivot(index="year", columns="variable", values="value")
    for t in cases:
        gaps = t.evaluate({v: wide[v].to_numpy() for v in t.variables}).gap
        assert gaps[-1] == pytest.approx(evaluate(df, [t]).iloc[0]["gap"]), t.comparator.symbol
    # on arrays with a leading draw axis, element by element
    x = np.array([[1.0, 5.0], [2.5, 3.5]])
    assert cases[2].comparator.gap_at(x).tolist() == [[-1.0, 2.0], [0.0, 0.5]]


# ---------------------------------------------------------------- problems of the file, with their lines
BROKEN = """\
- id: a
  description: fine
  variable: x
  comparator: "~"
  value: 13
  tolerance: -1
  levers: [ict]
  unit: "%"
  year: 2025
  publisher: P
  document: D
  url: https://example.invalid
- id: a
  description: typo and a wrong year
  variable: x
  comparator: ">="
  value: 1
  levers: [ict]
  unit: "%"
  yeer: 2025
  publisher: P
  document: D
  url: https://example.invalid
"""


def test_every_problem_of_the_file_is_reported_with_its_line(tmp_path):
    from model.targets.definitions import TargetsError, read_targets
    path = tmp_path / "targets.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(TargetsError) as info:
        read_targets(path)
    found = {(p.line, p.path, p.message) for p in info.value.problems}
    assert (6, "target 0 (a)", "tolerance -1 is negative") in found
    assert (13, "target 1 (a)", "duplicate id 'a' (also target 0)") in found
    assert (13, "target 1 (a)", "lacks 'year'") in found                 # placed at the entry
    assert (20, "target 1 (a)", "unknown key 'yeer'; did you mean 'year'?") in found
    assert str(info.value).splitlines()[0] == "targets.yaml:6: target 0 (a): tolerance -1 is negative"


def test_a_yaml_error_in_the_targets_file_is_located(tmp_path):
    from model.targets.definitions import TargetsError, read_targets
    path = tmp_path / "targets.yaml"
    path.write_text("- id: a\n  id: b\n", encoding="utf-8")
    with pytest.raises(TargetsError, match=r"targets.yaml:2: key '0.id' is given twice"):
        read_targets(path)


def test_a_variable_on_a_not_modelled_target_is_refused():
    with pytest.raises(ValueError, match="variable given on a not_modelled target"):
        parse_targets([target(comparator="not_modelled", value=1, variable="x")])


def test_a_year_must_be_a_whole_number():
    with pytest.raises(ValueError, match="year '2025' is not a whole number"):
        parse_targets([target(variable="x", comparator=">=", value=1, levers=["ict"], year="2025")])


def test_rank_needs_a_list_of_variables():
    with pytest.raises(ValueError, match="among 'x' is not a list of at least two variables"):
        parse_targets([target(variable="x", comparator="rank", among="x", levers=["ict"])])


def test_a_broken_targets_file_is_reported_once_not_as_a_scenarios_assumptions(tmp_path, monkeypatch):
    from model import batch
    from model.analysis import inputs
    from model.targets.definitions import TARGETS_FILE, read_targets
    path = tmp_path / "targets.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    monkeypatch.setattr(inputs, "load_set", lambda name: read_targets(path))
    outcomes = batch.run_batch(["scenarios/baseline.yaml"], tmp_path / "out", ["test"])
    assert [o.file for o in outcomes] == [str(TARGETS_FILE)]
    assert outcomes[0].problems[0] == "targets.yaml:6: target 0 (a): tolerance -1 is negative"
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------- scope notes
def test_a_scope_is_shown_in_the_scorecards_note():
    t = build(variable="x", comparator=">=", value=5, scope="the model's x is a narrower measure")
    card = evaluate(table({"x": [1, 2, 3, 4, 5, 6]}), [t])
    assert card.loc[0, "note"] == "scope: the model's x is a narrower measure"
    assert card.loc[0, "status"] == MET


def test_a_scope_stays_in_the_note_of_a_target_not_projected():
    t = build(variable="x", comparator=">=", value=5, year=2030, scope="narrower")
    note = evaluate(table({"x": [1, 2, 3, 4, 5, 6]}), [t]).loc[0, "note"]
    assert note == "target year 2030 is after the horizon 2025: not evaluated; scope: narrower"


def test_a_scope_on_a_target_not_modelled_is_refused():
    with pytest.raises(ValueError, match="scope given on a not_modelled target"):
        parse_targets([target(comparator="not_modelled", value=1, scope="x")])


def test_an_empty_scope_is_refused():
    with pytest.raises(ValueError, match="scope '' is not a non-empty text"):
        build(variable="x", comparator=">=", value=5, scope="")


def test_every_target_whose_published_figures_are_of_another_scope_says_so(baseline):
    """A revenue, output or count target needs a ``scope`` when a published figure of its series is of another
    scope or measure (``revenue_bases_2020.csv``, ``realized.csv``); the scorecard of the shipped baseline
    carries it in ``note``."""
    import csv
    from pathlib import Path

    from model.baseline import data
    from model.baseline.realized import load_realized, realized_key, same_measure
    from model.core.iamc import CLUSTER_VARIABLE
    from model.equations.revenue import SERIES
    from model.projection.results import timeseries
    from model.projection.simulate import project
    from model.scenario.loader import load_scenario

    by_variable = {s.variable: s for s in SERIES}
    path = Path(data.__file__).resolve().parents[1] / "data" / "revenue_bases_2020.csv"
    with open(path, encoding="utf-8", newline="") as f:
        other = {r["series"] for r in csv.DictReader(f) if r["kind"] == "other scope"}
    record = load_realized()
    needing = set()
    for t in load_targets():
        s = by_variable.get(t.variable)
        if t.variable == CLUSTER_VARIABLE:
            needing.add(t.id)                        # the modelled clusters are not all the plan's
        elif s is not None and (s.key in other or any(not same_measure(o.definition)
                                                      for o in record.select(realized_key(s.key), None))):
            needing.add(t.id)
    assert needing >= {"trillion_clusters", "ngit_revenue", "car_output"}
    scenario = load_scenario("scenarios/baseline.yaml")
    card = evaluate(timeseries(project(scenario, baseline), "b"), load_targets()).set_index("target")
    for t in load_targets():
        if t.id in needing:
            assert t.scope and card.loc[t.id, "note"] == f"scope: {t.scope}", t.id

"""Target sets: the 14th and 15th plans' targets, selected by the scenario or the command line,
never mixed up (a target after the horizon is not projected; the set is named in every output)."""
import hashlib
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import run
from model import batch
from model.core.target_sets import DEFAULT_SET, SETS, set_file
from model.output.comparison import matrix, realized_matrix, stack
from model.scenario.loader import ScenarioError, load_scenario, scenario_from_dict
from model.targets.definitions import TargetsError, load_targets, parse_targets
from model.targets.scorecard import MET, NOT_MODELLED, NOT_PROJECTED, evaluate
from model.targets.sets import TargetSet, load_set

ROOT = Path(__file__).resolve().parents[1]


def table(values: dict[str, list[float]], years) -> pd.DataFrame:
    """A one-scenario tidy table from ``variable -> values by year`` (the five-year average real GDP
    growth, if not given, at 4.7 % in every year)."""
    values = {"Growth (5-year average)|Real GDP": [4.7] * len(list(years)), **values}
    return pd.DataFrame([{"model": "m", "scenario": "s", "region": "r", "variable": v, "unit": "u", "year": y,
                          "value": x} for v, xs in values.items() for y, x in zip(years, xs)])


def write(folder: Path, **texts) -> list[Path]:
    paths = []
    for name, text in texts.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
        paths.append(folder / f"{name}.yaml")
    return paths


# ---------------------------------------------------------------- the registry and the files
def test_the_default_set_is_the_14th_plans_unchanged_file():
    plan14 = load_set(DEFAULT_SET)
    assert (DEFAULT_SET, set_file(DEFAULT_SET).name) == ("plan14", "targets.yaml")
    assert tuple(plan14) == load_targets()
    assert plan14.sha256 == hashlib.sha256(set_file("plan14").read_bytes()).hexdigest()


def test_the_15th_plans_set_loads_with_its_name_and_hash():
    plan15 = load_set("plan15")
    assert isinstance(plan15, TargetSet) and plan15.name == "plan15"
    assert plan15.file.name == "targets_plan15.yaml"
    assert plan15.sha256 == hashlib.sha256(plan15.file.read_bytes()).hexdigest()
    assert load_set("plan15") is plan15                   # read once


def test_the_sets_have_no_target_id_in_common():
    assert not {t.id for t in load_set("plan14")} & {t.id for t in load_set("plan15")}


def test_every_15th_plan_target_is_of_2026_to_2030_and_sourced():
    for t in load_set("plan15"):
        assert 2026 <= t.year <= 2030, t.id
        assert t.publisher and t.document and t.url.startswith("http"), t.id


# What the 15th plan's set scores: every target a production-side model can honestly score, the
# three continuity indicators of the 14th plan included; and why each of the others is left out.
SCORED_15 = {"gdp_growth_2026", "gdp_growth_avg_2026_2030", "rd_intensity_2030", "ai_trillion_cluster_2030",
             "green_energy_trillion_cluster_2030", "budget_revenue_growth_2026", "hightech_share_2030",
             "manufacturing_share_2030", "finance_first_pillar_2030"}
NOT_MODELLED_15 = {"ai_agent_penetration_2030": "adoption rate", "service_trade_growth_2030": "expenditure-side",
                   "investment_trillion_2030": "expenditure-side", "unemployment_2030": "labour-market",
                   "unemployment_2026": "labour-market", "new_urban_jobs_2026": "labour-market",
                   "cpi_2026": "consumer prices", "pm25_2026": "air-quality",
                   "digital_economy_benchmark": "stated in words",
                   "manufacturing_upgrade": "manufacturing share of GDP for 2030"}


def test_the_15th_plan_scores_every_target_a_production_side_model_can():
    targets = load_set("plan15")
    assert {t.id for t in targets if t.modelled} == SCORED_15
    assert {t.id for t in targets if not t.modelled} == set(NOT_MODELLED_15)


@pytest.mark.parametrize("ident", sorted(NOT_MODELLED_15))
def test_each_15th_plan_target_left_out_says_why(ident):
    t = {t.id: t for t in load_set("plan15")}[ident]
    assert NOT_MODELLED_15[ident] in t.reason


def test_the_continuity_indicators_say_so_and_carry_the_14th_plans_values():
    plan14 = {t.id: t for t in load_set("plan14")}
    plan15 = {t.id: t for t in load_set("plan15")}
    for old, new in (("hightech_share", "hightech_share_2030"), ("manufacturing_share", "manufacturing_share_2030"),
                     ("finance_first_pillar", "finance_first_pillar_2030")):
        a, b = plan14[old], plan15[new]
        assert "Continuity indicator" in b.description and "Continuity indicator" in b.document
        assert (b.variable, b.comparator.text(), b.year) == (a.variable, a.comparator.text(), 2030)


def test_a_reason_is_refused_on_a_modelled_target():
    entry = {"id": "a", "description": "d", "comparator": ">=", "value": 1, "unit": "%", "year": 2030,
             "publisher": "p", "document": "d", "url": "u", "variable": "x", "levers": ["ict"], "reason": "r"}
    with pytest.raises(TargetsError, match="unknown key 'reason'"):
        parse_targets([entry])


def test_a_qualitative_target_takes_no_value():
    entry = {"id": "q", "description": "d", "comparator": "qualitative", "unit": "none", "year": 2030,
             "publisher": "p", "document": "d", "url": "u", "value": 3}
    with pytest.raises(TargetsError, match="unknown key 'value'"):
        parse_targets([entry])


def test_a_not_modelled_range_needs_its_high_end_above_its_value():
    entry = {"id": "g", "description": "d", "comparator": "not_modelled", "unit": "%", "year": 2030,
             "publisher": "p", "document": "d", "url": "u", "value": 5, "high": 4.5}
    with pytest.raises(TargetsError, match="high 4.5 below value 5"):
        parse_targets([entry])


# ---------------------------------------------------------------- the scorecard
def test_a_15th_plan_target_after_the_horizon_is_not_projected_not_judged_on_2025():
    years = range(2020, 2026)
    card = evaluate(table({"Growth|Real GDP": [5.0] * 6}, years), load_set("plan15")).set_index("target")
    row = card.loc["gdp_growth_2026"]
    assert row["status"] == NOT_PROJECTED               # 2025's 5.0 would meet "about 5": it is not used
    assert np.isnan(row["projected_value"]) and np.isnan(row["gap"])
    assert row["note"] == "target year 2026 is after the horizon 2025: not evaluated"


def test_a_15th_plan_target_within_the_horizon_is_judged_on_its_year():
    years = range(2020, 2031)
    growth = [5.0] * 6 + [9.0] + [5.0] * 4              # 2026 far from "about 5"
    row = evaluate(table({"Growth|Real GDP": growth}, years), load_set("plan15")).set_index("target").loc[
        "gdp_growth_2026"]
    assert (row["status"], row["projected_value"]) == ("missed", 9.0)


def test_every_target_of_the_set_is_listed_the_unscored_with_their_reason():
    plan15 = load_set("plan15")
    card = evaluate(table({"Growth|Real GDP": [5.0] * 11}, range(2020, 2031)), plan15)
    assert card["target"].tolist() == [t.id for t in plan15]
    unscored = card[card["target"].isin([t.id for t in plan15 if not t.modelled])]
    assert (unscored["status"] == NOT_MODELLED).all() and unscored["note"].str.len().gt(0).all()
    assert card.set_index("target").at["digital_economy_benchmark", "target_value"] == "qualitative"
    assert card.set_index("target").at["gdp_growth_avg_2026_2030", "target_value"] == "4.5"
    assert card.set_index("target").at["gdp_growth_avg_2026_2030", "status"] == MET       # 4.7 in 2030


def test_the_scorecard_names_the_set_and_its_hash():
    plan15 = load_set("plan15")
    card = evaluate(table({"Growth|Real GDP": [5.0] * 7}, range(2020, 2027)), plan15)
    assert set(card["target_set"]) == {"plan15"} and set(card["target_set_sha256"]) == {plan15.sha256}


# ---------------------------------------------------------------- choosing the set
def test_a_scenario_names_its_set_and_the_default_is_the_14th_plan():
    assert scenario_from_dict({"name": "a"}).targets == "plan14"
    assert scenario_from_dict({"name": "b", "targets": "plan15"}).targets == "plan15"


def test_a_child_inherits_its_parents_set_and_may_change_it(tmp_path):
    write(tmp_path, parent="targets: plan15\n", child="extends: parent\n", other="extends: parent\ntargets: plan14\n")
    assert load_scenario(tmp_path / "child.yaml").targets == "plan15"
    assert load_scenario(tmp_path / "other.yaml").targets == "plan14"


def test_an_unknown_set_is_refused_with_its_line_and_a_did_you_mean(tmp_path):
    write(tmp_path, s="name: s\ntargets: plan16\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "s.yaml")
    p = info.value.problems[0]
    assert (p.line, p.path) == (2, "targets")
    assert "unknown target set 'plan16'; did you mean" in p.message and "'plan15'" in p.message


def test_the_command_line_takes_a_registered_set():
    assert run.parse_args(["--targets", "plan15"]).targets == "plan15"
    assert run.parse_args([]).targets is None


def test_the_command_line_refuses_an_unknown_set_with_a_did_you_mean(capsys):
    with pytest.raises(SystemExit) as info:
        run.parse_args(["--targets", "plan5"])
    assert info.value.code == 2
    assert "unknown target set 'plan5'; did you mean" in capsys.readouterr().err


def test_the_command_line_passes_the_set_to_the_batch(monkeypatch, tmp_path):
    seen = {}
    monkeypatch.setattr(batch, "run_batch",
                        lambda paths, out, command, options, **_: seen.setdefault("o", options) and [])
    run.main([str(ROOT / "scenarios" / "baseline.yaml"), "--targets", "plan15", "--out", str(tmp_path)])
    assert seen["o"].targets == "plan15"


def test_the_command_line_overrides_the_scenarios_set(tmp_path, quick):
    paths = write(tmp_path, a="name: a\n")
    outcomes = batch.run_batch(paths, tmp_path / "out", ["test"], replace(quick, targets="plan15"))
    assert all(o.ok for o in outcomes)
    card = pd.read_csv(tmp_path / "out" / "a" / "scorecard.csv")
    assert card["target"].tolist() == [t.id for t in load_set("plan15")]
    assert card.set_index("target").at["gdp_growth_2026", "status"] == NOT_PROJECTED    # horizon 2025


def test_a_broken_set_file_fails_the_batch_before_anything_is_written(tmp_path, monkeypatch):
    broken = tmp_path / "targets_plan15.yaml"
    broken.write_text("- id: a\n", encoding="utf-8")
    from model.analysis import inputs
    from model.targets.definitions import read_targets
    monkeypatch.setattr(inputs, "load_set", lambda name: read_targets(broken))
    paths = write(tmp_path, a="name: a\ntargets: plan15\n")
    outcomes = batch.run_batch(paths, tmp_path / "out", ["test"])
    assert [o.file for o in outcomes] == [str(set_file("plan15"))]
    assert outcomes[0].problems and not (tmp_path / "out").exists()


# ---------------------------------------------------------------- sets kept apart across scenarios
def _card(ids, set_name, status):
    return pd.DataFrame({"target": ids, "year": 2030, "target_value": "1", "unit": "%", "status": status,
                         "gap": 0.0, "target_set": set_name, "realized_status": "not published",
                         "realized_value": np.nan, "realized_source": "", "realized_note": ""})


def test_scenarios_scored_against_different_sets_never_share_a_target_row_or_column():
    stacked = stack({"a": _card(["x", "y"], "plan14", MET), "b": _card(["x"], "plan15", NOT_PROJECTED)})
    m = matrix(stacked, "status").set_index("scenario")
    assert list(m.columns) == ["plan14/x", "plan14/y", "plan15/x"]
    assert m.at["a", "plan14/x"] == MET and pd.isna(m.at["a", "plan15/x"])
    assert m.at["b", "plan15/x"] == NOT_PROJECTED and pd.isna(m.at["b", "plan14/x"])
    r = realized_matrix(stacked).set_index("target")
    assert list(r.index) == ["plan14/x", "plan14/y", "plan15/x"]
    assert r.at["plan15/x", "projected (b)"] == NOT_PROJECTED and pd.isna(r.at["plan15/x", "projected (a)"])


def test_one_set_keeps_the_plain_target_ids():
    stacked = stack({"a": _card(["x"], "plan14", MET), "b": _card(["x"], "plan14", MET)})
    assert list(matrix(stacked, "status").columns) == ["scenario", "x"]


# ---------------------------------------------------------------- the docs
TARGETS_PAGE = ROOT / "docs" / "targets.md"


def test_the_docs_list_every_15th_plan_target():
    text = TARGETS_PAGE.read_text(encoding="utf-8")
    section = text[text.index("## The 15th Five-Year period's targets"):]
    for t in load_set("plan15"):
        assert f"`{t.id}`" in section, t.id


def test_every_registered_set_is_named_in_the_docs():
    text = TARGETS_PAGE.read_text(encoding="utf-8")
    section = text[text.index("## Target sets"):]
    for name, info in SETS.items():
        assert f"`{name}`" in section and info.file in section


# ---------------------------------------------------------------- end to end
@pytest.mark.slow
def test_a_2030_scenario_scored_against_the_15th_plan_runs_end_to_end(tmp_path):
    paths = write(tmp_path, p15="name: p15\nhorizon: 2030\ntargets: plan15\n")
    outcomes = batch.run_batch(paths, tmp_path / "out", ["test"])
    assert all(o.ok for o in outcomes), [o.problems for o in outcomes]
    folder = tmp_path / "out" / "p15"
    card = pd.read_csv(folder / "scorecard.csv").set_index("target")
    assert card.at["gdp_growth_2026", "status"] in ("met", "missed")
    assert card.at["gdp_growth_2026", "year"] == 2026
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    plan15 = load_set("plan15")
    assert manifest["target_set"]["name"] == "plan15" and manifest["target_set"]["sha256"] == plan15.sha256
    assert manifest["data_files"]["targets_plan15.yaml"] == plan15.sha256
    goals = pd.read_csv(folder / "goalseek.csv")
    assert set(goals["target"]) <= {t.id for t in plan15}
    compared = json.loads((tmp_path / "out" / "comparison" / "manifest.json").read_text(encoding="utf-8"))
    assert list(compared["target_sets"]) == ["plan15"]


def test_the_summary_names_the_sets_when_not_only_the_14th_plan():
    from model.output.comparison import summary_markdown
    text = summary_markdown(stack({"b": _card(["x"], "plan15", NOT_PROJECTED)}), {}, {})
    assert text.startswith("# Scenario results against the plans' targets")
    assert "Target sets: `plan15`" in text and "14th Five-Year" not in text

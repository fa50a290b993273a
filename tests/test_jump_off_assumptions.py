"""The 2025 jump-off's assumptions (``model/data/assumptions_2025.csv``) overridden from a scenario
file's ``assumptions:``: validated where they are written, refused without ``base: 2025``, flowing
into the 2025 partition and into the tornado of a 2025-base scenario."""
import numpy as np
import pytest

from model.analysis import sensitivity
from model.baseline import data, rebase
from model.baseline.baselines import baseline_for
from model.core.sectors import INDEX, mask
from model.output.plots_sensitivity import parameter_description
from model.projection.results import timeseries
from model.projection.simulate import project
from model.scenario.loader import ScenarioError, load_scenario, scenario_from_dict
from model.targets.definitions import parse_targets
from model.targets.sets import load_set
from tests.test_target_sets import ROOT

INDUSTRY = "share.industry_in_secondary_2025"
HIGHTECH = "share.hightech_mfg_in_industry_2025"
WHOLESALE = "share.wholesale_retail_in_tertiary_2025"


def _published():
    pub = rebase.published_levels_2025()
    return {k: o.value for k, o in pub.items()}


# ---------------------------------------------------------------- into the partition
def test_the_jump_off_assumptions_are_the_three_of_the_file():
    assert set(data.assumptions_2025()) == {INDUSTRY, HIGHTECH, WHOLESALE}
    assert not set(data.assumptions_2025()) & set(data.assumptions())


def test_an_override_splits_2025_as_the_formula_says_and_keeps_published_gdp():
    b = baseline_for({INDUSTRY: 84.0, HIGHTECH: 31.0, WHOLESALE: 7.5}, 2025)
    va, pub = np.asarray(b.va_2020), _published()
    industry = va[mask("industry")].sum()
    assert industry == pytest.approx(0.84 * pub["secondary"])
    assert va[INDEX["construction"]] == pytest.approx(0.16 * pub["secondary"])
    assert va[INDEX["mfg_hightech"]] == pytest.approx(0.31 * industry)
    assert va[INDEX["wholesale_retail"]] == pytest.approx(0.075 * pub["tertiary"])
    assert va.sum() == pytest.approx(pub["agriculture"] + pub["secondary"] + pub["tertiary"], abs=1e-9)
    assert va.sum() == pytest.approx(pub["gdp"], abs=0.15)         # published GDP, to the release's rounding
    central = np.asarray(baseline_for(None, 2025).va_2020)
    for key in ("finance", "ict", "agriculture", "scitech"):          # published or derived without them
        assert va[INDEX[key]] == central[INDEX[key]]
    assert va[INDEX["construction"]] != central[INDEX["construction"]]


def test_the_baseline_records_the_values_it_used():
    assert baseline_for({WHOLESALE: 9.0}, 2025).assumptions[WHOLESALE] == 9.0
    central = baseline_for(None, 2025).assumptions
    assert {k: central[k] for k in data.assumptions_2025()} == {k: a.value for k, a in data.assumptions_2025().items()}
    assert baseline_for({WHOLESALE: 8.5}, 2025) is baseline_for(None, 2025)     # a restated central value


def test_a_scenario_files_override_reaches_the_projections_2025_levels(write_yaml):
    path = write_yaml(f"name: s\nbase: 2025\nhorizon: 2027\nassumptions:\n  {INDUSTRY}: 77\n")
    scenario = load_scenario(path)
    assert scenario.assumptions == {INDUSTRY: 77.0}
    table = timeseries(project(scenario, baseline_for(scenario.assumptions, scenario.base)), scenario.name)
    construction = table[(table["variable"] == "Value Added|Construction") & (table["year"] == 2025)]["value"]
    assert float(construction.iloc[0]) == pytest.approx(0.23 * _published()["secondary"])


def test_a_child_inherits_and_may_change_the_override(write_yaml):
    write_yaml(f"base: 2025\nhorizon: 2030\nassumptions:\n  {INDUSTRY}: 77\n", "parent.yaml")
    child = load_scenario(write_yaml(f"extends: parent\nassumptions:\n  {HIGHTECH}: 30\n", "child.yaml"))
    assert child.assumptions == {INDUSTRY: 77.0, HIGHTECH: 30.0}


# ---------------------------------------------------------------- refused
def test_a_value_outside_its_range_is_a_located_error(write_yaml):
    path = write_yaml(f"name: s\nbase: 2025\nhorizon: 2030\nassumptions:\n  {INDUSTRY}: 90\n")
    with pytest.raises(ScenarioError, match=rf"scenario.yaml:5: assumptions.{INDUSTRY}: got 90; expected a number "
                                            r"in \[76, 86\]"):
        load_scenario(path)


def test_an_override_without_base_2025_is_a_located_error_naming_the_base(write_yaml):
    path = write_yaml(f"name: s\nhorizon: 2025\nassumptions:\n  trend.half_life_years: 12\n  {WHOLESALE}: 9\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert len(info.value.problems) == 1
    p = info.value.problems[0]
    assert (p.line, p.path) == (5, f"assumptions.{WHOLESALE}")
    assert "without effect from the base year 2020: it needs base: 2025" in p.message


def test_a_child_going_back_to_base_2020_is_refused_where_the_override_is_written(write_yaml):
    write_yaml(f"base: 2025\nhorizon: 2030\nassumptions:\n  {INDUSTRY}: 77\n", "parent.yaml")
    with pytest.raises(ScenarioError, match=rf"parent.yaml:4: assumptions.{INDUSTRY}: .*it needs base: 2025"):
        load_scenario(write_yaml("extends: parent\nbase: 2020\nhorizon: 2025\n", "child.yaml"))


def test_in_memory_scenarios_are_checked_the_same_way():
    with pytest.raises(ScenarioError, match="it needs base: 2025"):
        scenario_from_dict({"name": "s", "assumptions": {HIGHTECH: 30}})


def test_the_baseline_cache_refuses_them_from_2020():
    with pytest.raises(ValueError, match="no effect from the base year 2020"):
        baseline_for({HIGHTECH: 30.0})


# ---------------------------------------------------------------- the tornado
def test_the_inputs_of_a_2025_base_include_them_and_those_of_2020_do_not():
    names = {x.parameter for x in sensitivity.oat_inputs(2025)}
    assert set(data.assumptions_2025()) <= names
    assert not set(data.assumptions_2025()) & {x.parameter for x in sensitivity.oat_inputs()}
    for x in sensitivity.oat_inputs(2025):
        assert parameter_description(x.parameter) != x.parameter, x.parameter


def test_the_tornado_of_the_2030_baseline_swings_them():
    scenario = load_scenario(ROOT / "scenarios" / "baseline_2030.yaml")
    baseline = baseline_for(scenario.assumptions, scenario.base)
    share = {"id": "hightech_share", "description": "d", "comparator": ">=", "value": 40, "unit": "%", "year": 2030,
             "publisher": "p", "document": "d", "url": "u", "variable": "Share of GDP (Cross-cutting)|High-tech",
             "levers": ["mfg_hightech"]}
    targets = (*load_set("plan15"), *parse_targets([share]))
    table = sensitivity.tornado(scenario, baseline, targets)
    rows = table[table["target"] == "hightech_share"].set_index("parameter")
    for key, a in data.assumptions_2025().items():
        assert (rows.at[key, "low_value"], rows.at[key, "high_value"]) == (a.low, a.high)
    assert rows.at[INDUSTRY, "swing"] > 0.1 and rows.at[HIGHTECH, "swing"] > 0.1      # pp of GDP
    assert rows.at[HIGHTECH, "gap_high"] > rows.at[HIGHTECH, "gap_low"]
    # the converging trend recentres the sectors on the aggregate GDP path: the 2025 split cannot
    # move real GDP growth (docs/jump-off-2025.md)
    growth = table[table["target"].isin(["gdp_growth_2026", "gdp_growth_avg_2026_2030"])
                   & table["parameter"].isin(list(data.assumptions_2025()))]
    assert len(growth) == 6 and (growth["swing"] < 1e-9).all()

"""The JSON Schema of scenario files: generated from the registry, shipped up to date, every
shipped scenario valid against it, every parameter in it, and the broken files the loader refuses
refused by it too, where a schema can say so (the others listed in model.scenario.schema.NOT_EXPRESSED)."""
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import test_scenario
import yaml

from model.baseline import data
from model.core.parameters import PARAMETERS, PROJECT_FIELDS, SHOCK_FIELDS, UNCERTAINTY_FIELDS
from model.core.sectors import KEYS
from model.core.target_sets import SETS
from model.scenario import schema as scenario_schema
from model.scenario.loader import load_scenario
from model.scenario.spec import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = scenario_schema.scenario_schema()
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)


def as_an_editor_reads(text: str):
    """A file as a YAML language server hands it to the schema: keys as text."""
    def keys(x):
        if isinstance(x, dict):
            return {str(k): keys(v) for k, v in x.items()}
        return [keys(i) for i in x] if isinstance(x, list) else x
    return keys(yaml.safe_load(text))


def schema_refuses(text: str) -> bool:
    return any(True for _ in VALIDATOR.iter_errors(as_an_editor_reads(text)))


def test_the_schema_is_valid_draft_7_and_the_shipped_file_is_up_to_date():
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    assert scenario_schema.SHIPPED.read_text(encoding="utf-8") == scenario_schema.schema_text(), \
        "run: python -m model.scenario.schema model/scenario/scenario.schema.json"


def test_the_module_prints_and_writes_it(tmp_path):
    printed = subprocess.run([sys.executable, "-m", "model.scenario.schema"], capture_output=True, text=True,
                             cwd=ROOT, check=True).stdout
    assert json.loads(printed) == SCHEMA
    subprocess.run([sys.executable, "-m", "model.scenario.schema", str(tmp_path / "s.json")], cwd=ROOT, check=True)
    assert (tmp_path / "s.json").read_text(encoding="utf-8") == printed


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_scenario_is_valid(path):
    errors = list(VALIDATOR.iter_errors(as_an_editor_reads(path.read_text(encoding="utf-8"))))
    assert errors == [], [f"{'.'.join(map(str, e.path))}: {e.message}" for e in errors]


def test_every_parameter_of_the_registry_is_in_it_with_its_meaning():
    props = SCHEMA["properties"]
    assert list(props) == [p.name for p in PARAMETERS] and SCHEMA["additionalProperties"] is False
    for p in PARAMETERS:
        assert p.meaning.split(":")[0] in props[p.name]["description"]
    for key, fields in (("shocks", SHOCK_FIELDS), ("projects", PROJECT_FIELDS)):
        entry = props[key]["items"]
        assert list(entry["properties"]) == [f.name for f in fields] and entry["additionalProperties"] is False
    uncertainty = props["uncertainty"]["anyOf"][1]
    assert list(uncertainty["properties"]) == [f.name for f in UNCERTAINTY_FIELDS]
    assert set(props["assumptions"]["properties"]) == {*data.assumptions(), *data.assumptions_2025()}
    assert set(props["revenue_links"]["properties"]) == set(data.revenue_links())
    for path in ("growth", "deflator"):
        assert list(props[path]["properties"]) == ["all", *KEYS]
        assert all(v["description"] for v in props[path]["properties"].values())      # each sector's label
    assert props["targets"]["enum"] == list(SETS)
    assert props["trend"]["enum"] == ["converging", "constant"]


def test_units_and_bounds_come_from_the_declarations():
    props = SCHEMA["properties"]
    assert "Unit: %" in props["vaccine_unwind"]["description"]
    assert (props["vaccine_unwind"]["minimum"], props["vaccine_unwind"]["maximum"]) == (0.0, 100.0)
    rate = SCHEMA["definitions"]["growth_rate"]["anyOf"][0]
    assert rate["exclusiveMinimum"] == -100.0 and rate["maximum"] == 300.0
    industry = props["assumptions"]["properties"]["va.industry_2020"]
    a = data.assumptions()["va.industry_2020"]
    assert (industry["minimum"], industry["maximum"]) == (a.low, a.high) and a.unit in industry["description"]


def test_inheritance_is_allowed():
    assert not schema_refuses("extends: baseline\nname: mine\ngrowth:\n  ict: '+1pp'\n")
    assert not schema_refuses("extends: sub/parent.yaml\nshocks:\n  - name: lockdown\n    growth_loss: 6\n")


# ---------------------------------------------------------------- broken files
# Problems of the loader that a schema of one file cannot state (model.scenario.schema.NOT_EXPRESSED), by a
# fragment of the loader's message: the schema lets these files through, and says so in the docs.
NOT_EXPRESSIBLE = ("runs backwards", "overlap", "ambiguous", "after the horizon", "already the name",
                   "missing key 'growth_loss'", "lies outside", "reserved")
# Problems of the YAML text itself (the editor's YAML parser marks them; a schema sees only parsed data).
YAML_LEVEL = ("empty", "aliases", "not allowed", "given twice", "YAML syntax", "nested")


def broken_cases():
    """The broken files of tests/test_scenario.py (its parametrized cases), with the loader's message
    fragment; and a few of the uncertainty block."""
    marks = {f.__name__: f.pytestmark[0] for f in (
        test_scenario.test_malicious_or_broken_yaml, test_scenario.test_path_errors, test_scenario.test_entry_errors,
        test_scenario.test_revenue_links_errors, test_scenario.test_part_of_a_sector_name_gets_a_suggestion,
        test_scenario.test_horizon_bounds_and_type, test_scenario.test_names_that_cannot_name_a_folder,
        test_scenario.test_extends_that_is_refused)}
    cases = []
    for name, mark in marks.items():
        for values in mark.args[1]:
            values = values if isinstance(values, tuple) else (values,)
            if name == "test_horizon_bounds_and_type":
                cases.append((f"horizon: {values[0]}\n", "horizon"))
            elif name == "test_names_that_cannot_name_a_folder":
                cases.append((f"name: {values[0]}\n", "reserved" if "." in values[0] or values[0][0].isupper()
                              and values[0].isalpha() else "name"))
            elif name == "test_extends_that_is_refused":
                cases.append((f"extends: {values[0]}\n", values[1]))
            else:
                cases.append((values[0], values[-1]))
    cases += [
        ("uncertainty:\n  draws: 0\n", "draws"),
        ("uncertainty:\n  timing: weekly\n", "timing"),
        ("uncertainty:\n  growth:\n    ict: {dist: lognormal, sd: 1}\n", "distribution"),
        ("uncertainty:\n  growth:\n    ict: {dist: normal, sd: 30}\n", "sd"),
        ("uncertainty:\n  growth:\n    ict: {dist: uniform, low: 1}\n", "needs high"),
        ("uncertainty:\n  vaccine_unwind: {dist: normal, mean: 50, sd: 5, mode: 3}\n", "unknown key"),
        ("uncertainty:\n  correlation:\n    ict-ict: 0.5\n", "pair"),
        ("uncertainty:\n  correlation:\n    all: 1.5\n", "correlation"),
        ("uncertainty:\n  revenue_bases: maybe\n", "flag"),
        ("lever_pairs: [[finance]]\n", "pair"),
        ("trend: linear\n", "trend"),
        ("targets: plan99\n", "target set"),
        ("census: 6th\n", "census"),
        ("base: 2030\n", "base"),
        ("horizon: 2061\nprojects:\n  - name: p\n    sector: ict\n    start: 2023\n    gross_output: 5\n"
         "    value_added_ratio: 30\n    revenue_series: tractors\n", "series"),
    ]
    return cases


CASES = broken_cases()


def test_the_cases_are_the_loaders_to_refuse(tmp_path):
    assert len(CASES) > 50
    for i, (text, _) in enumerate(CASES):
        path = tmp_path / f"case{i}.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ScenarioError):
            load_scenario(path)


@pytest.mark.parametrize("text,fragment", CASES)
def test_a_file_the_loader_refuses_is_refused_by_the_schema_where_a_schema_can_say_it(text, fragment):
    try:
        as_an_editor_reads(text)
    except yaml.YAMLError:
        assert fragment in YAML_LEVEL        # the editor's YAML parser marks it, before any schema
        return
    if fragment in YAML_LEVEL:
        return                               # what YAML allows and the loader refuses (aliases, tags, keys twice)
    if any(n in fragment for n in NOT_EXPRESSIBLE):
        assert not schema_refuses(text), "the schema now refuses this: take it off NOT_EXPRESSIBLE and the docs"
        return
    assert schema_refuses(text), text


def test_what_the_schema_cannot_say_is_listed():
    listed = " ".join(what for what, _ in scenario_schema.NOT_EXPRESSED)
    for word in ("overlap", "backwards", "same name", "+5", "required key", "horizon", "positive definite",
                 "reserved", "same sector twice", "does not exist"):       # NOT_EXPRESSIBLE's, and more
        assert word in listed
    docs = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    assert "yaml-language-server: $schema=" in docs and "yaml.schemas" in docs
    assert all(what.split("(")[0].split("`")[0].strip()[:25] in docs for what, _ in scenario_schema.NOT_EXPRESSED)

"""Scenario files: every validation path gives a clear, located error."""
import math

import pytest
from hypothesis import given, settings, strategies as st

from model.scenario import Scenario, ScenarioError, load_scenario


def problems(path):
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value.problems


def test_valid_file(write_yaml):
    s = load_scenario(write_yaml("name: good\nhorizon: 2030\ngrowth:\n  finance: 6.5\n  all: 5\n"
                                 "deflator:\n  all: 1\nvaccine_unwind: 50\n"))
    assert isinstance(s, Scenario)
    assert s.name == "good" and s.horizon == 2030
    assert s.growth["finance"] == pytest.approx(0.065)
    assert s.deflator["all"] == pytest.approx(0.01)
    assert s.vaccine_unwind == 0.5
    assert len(s.sha256) == 64


def test_name_defaults_to_file_stem(write_yaml):
    assert load_scenario(write_yaml("horizon: 2025\n", "my_case.yaml")).name == "my_case"


def test_scenario_is_immutable(write_yaml):
    s = load_scenario(write_yaml("growth:\n  finance: 5\n"))
    with pytest.raises(TypeError):
        s.growth["finance"] = 1.0
    with pytest.raises(AttributeError):
        s.horizon = 2030


def test_unknown_top_level_key_with_suggestion(write_yaml):
    (p,) = problems(write_yaml("name: x\nhorizn: 2030\n"))
    assert p.line == 2 and p.path == "horizn"
    assert "did you mean 'horizon'" in p.message


def test_unknown_sector_with_suggestion(write_yaml):
    (p,) = problems(write_yaml("growth:\n  finanse: 5\n"))
    assert p.line == 2 and p.path == "growth.finanse"
    assert "did you mean 'finance'" in p.message


def test_growth_of_minus_100_or_less(write_yaml):
    (p,) = problems(write_yaml("growth:\n  ict: -100\n"))
    assert p.line == 2 and p.path == "growth.ict"
    assert "-100" in p.message and "(-100, 300]" in p.message


def test_nan_growth(write_yaml):
    (p,) = problems(write_yaml("growth:\n  ict: .nan\n"))
    assert p.path == "growth.ict" and "nan" in p.message


def test_wrong_type_growth(write_yaml):
    (p,) = problems(write_yaml("growth:\n  ict: fast\n"))
    assert "'fast'" in p.message and "expected a number" in p.message


def test_boolean_is_not_a_number(write_yaml):
    (p,) = problems(write_yaml("vaccine_unwind: yes\n"))
    assert p.path == "vaccine_unwind" and "True" in p.message


def test_growth_must_be_a_mapping(write_yaml):
    (p,) = problems(write_yaml("growth: 5\n"))
    assert p.path == "growth" and "mapping" in p.message


def test_vaccine_unwind_bounds(write_yaml):
    (p,) = problems(write_yaml("vaccine_unwind: 120\n"))
    assert "[0, 100]" in p.message


@pytest.mark.parametrize("value", ["2020", "2061", "2025.5", "'2025'"])
def test_horizon_bounds_and_type(write_yaml, value):
    (p,) = problems(write_yaml(f"horizon: {value}\n"))
    assert p.path == "horizon" and p.line == 1


def test_bad_name(write_yaml):
    (p,) = problems(write_yaml("name: ../../etc\n"))
    assert p.path == "name" and "folder" in p.message


def test_description_must_be_text(write_yaml):
    (p,) = problems(write_yaml("description: [1, 2]\n"))
    assert p.path == "description"


def test_assumption_out_of_range(write_yaml):
    (p,) = problems(write_yaml("assumptions:\n  va.industry_2020: 3000\n"))
    assert p.line == 2 and "[4000, 4999.9]" in p.message


def test_unknown_assumption(write_yaml):
    (p,) = problems(write_yaml("assumptions:\n  va.industry_202: 4100\n"))
    assert "did you mean 'va.industry_2020'" in p.message


def test_every_problem_reported_at_once(write_yaml):
    ps = problems(write_yaml("horizn: 2030\ngrowth:\n  ict: -200\n  foo: 1\nvaccine_unwind: -1\n"))
    assert [p.line for p in ps] == [1, 3, 4, 5]
    text = str(ScenarioError(list(ps)))
    assert text.count("scenario.yaml:") == 4


def test_not_a_mapping(write_yaml):
    (p,) = problems(write_yaml("- 1\n- 2\n"))
    assert "mapping" in p.message


@pytest.mark.parametrize("text,line,fragment", [
    ("", None, "empty"),
    ("a: &x [1, 2]\nb: *x\n", 2, "aliases"),
    ("name: !!python/object/apply:os.system ['echo hi']\n", 1, "not allowed"),
    ("name: x\nname: y\n", 2, "given twice"),
    ("growth: {finance: 5\n", 2, "YAML syntax"),
    ("horizon: 2025-01-01\n", 1, "not allowed"),
])
def test_malicious_or_broken_yaml(write_yaml, text, line, fragment):
    (p,) = problems(write_yaml(text))
    assert p.line == line and fragment in p.message


def test_billion_laughs_is_refused_quickly(write_yaml):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    (p,) = problems(write_yaml("\n".join(lines) + "\n"))
    assert "aliases" in p.message


def test_binary_junk(tmp_path):
    path = tmp_path / "junk.yaml"
    path.write_bytes(bytes(range(256)) * 4)
    (p,) = problems(path)
    assert "YAML file" in p.message


def test_huge_file(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"# padding\n" * 5_000_000)
    (p,) = problems(path)
    assert "at most" in p.message


def test_missing_file(tmp_path):
    (p,) = problems(tmp_path / "nope.yaml")
    assert "cannot read" in p.message


yaml_scalars = st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True),
                         st.text(max_size=8), st.booleans(), st.none())
documents = st.recursive(
    st.dictionaries(st.sampled_from(["name", "horizon", "growth", "deflator", "vaccine_unwind", "assumptions",
                                     "finance", "all", "ict", "bogus"]), yaml_scalars, max_size=5),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["growth", "deflator", "finance", "all", "x"]),
                                            inner, max_size=3)),
    max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(documents)
def test_random_documents_never_raise_anything_but_scenario_error(tmp_path_factory, doc):
    import yaml
    path = tmp_path_factory.mktemp("h") / "doc.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    try:
        s = load_scenario(path)
    except ScenarioError as exc:
        assert exc.problems and all(str(p).startswith(str(path)) for p in exc.problems)
    else:
        assert all(math.isfinite(v) for v in s.growth.values())


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise_anything_but_scenario_error(tmp_path_factory, blob):
    path = tmp_path_factory.mktemp("b") / "blob.yaml"
    path.write_bytes(blob)
    try:
        load_scenario(path)
    except ScenarioError as exc:
        assert exc.problems

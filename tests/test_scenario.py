"""Scenario files: every validation path gives a clear, located error."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.core.sectors import INDEX, KEYS
from model.scenario.loader import Scenario, ScenarioError, load_scenario


def problems(path):
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value.problems


def test_valid_file(write_yaml):
    s = load_scenario(write_yaml("name: good\nhorizon: 2030\ngrowth:\n  finance: 6.5\n  all: 5\n"
                                 "deflator:\n  all: 1\nvaccine_unwind: 50\n"))
    assert isinstance(s, Scenario)
    assert s.name == "good" and s.horizon == 2030
    fin, ict = INDEX["finance"], INDEX["ict"]
    assert np.isnan(s.growth.set[0]).all()                      # 2021 stays calibrated
    assert s.growth.set[1:, fin] == pytest.approx(0.065)        # the sector's entry wins over `all`
    assert s.growth.set[1:, ict] == pytest.approx(0.05)
    assert s.deflator.set == pytest.approx(np.full((10, len(KEYS)), 0.01))
    assert s.vaccine_unwind == 0.5
    assert len(s.sha256) == 64


def test_name_defaults_to_file_stem(write_yaml):
    assert load_scenario(write_yaml("horizon: 2025\n", "my_case.yaml")).name == "my_case"


def test_scenario_is_immutable(write_yaml):
    s = load_scenario(write_yaml("growth:\n  finance: 5\n"))
    with pytest.raises(ValueError):
        s.growth.set[0, 0] = 1.0
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
    assert p.path == "name" and "letters, digits" in p.message


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


CONTROL = "".join(map(chr, range(32))) + "\x7f\u2028\ufeff"
yaml_scalars = st.one_of(st.integers(-10**6, 10**6), st.integers(-10**40, 10**40),
                         st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([1e308, -1e308, 5e-324]),
                         st.text(max_size=8), st.text(alphabet=st.sampled_from(CONTROL + "ab-+.p/"), max_size=6),
                         st.booleans(), st.none())
KEYWORDS = ["name", "horizon", "growth", "deflator", "vaccine_unwind", "assumptions", "revenue_links", "shocks",
            "projects", "uncertainty", "extends", "finance", "all", "ict", "2022", "2022-2025", "+1pp", "year",
            "sectors", "growth_loss", "recovery_years", "sector", "start", "gross_output", "value_added_ratio",
            "recovered", "remove", "dist", "sd", "low", "high", "mode", "correlation", "ict-scitech", "draws", "seed",
            "timing", "mean", "normal", "uniform", "retail", "bogus"]
# keys as YAML allows them: names, but also numbers, booleans, null and odd text
keys = st.one_of(st.sampled_from(KEYWORDS), st.integers(-10**20, 10**20), st.floats(allow_nan=False),
                 st.booleans(), st.none(), st.text(alphabet=st.sampled_from(CONTROL + "ab_"), min_size=1, max_size=4))
documents = st.recursive(
    st.dictionaries(keys, st.one_of(yaml_scalars, st.sampled_from(KEYWORDS)), max_size=5),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)),
    max_leaves=30)


class Nested:
    """A document nested ``depth`` levels deep, beyond what any scenario needs; built on demand so that
    hypothesis reports it by its recipe (a deep value would overflow its printer)."""

    def __init__(self, depth: int, leaf, key: str, mixed: bool):
        self.depth, self.leaf, self.key, self.mixed = depth, leaf, key, mixed

    def build(self):
        doc = self.leaf
        for i in range(self.depth):
            doc = {self.key: doc} if self.mixed and i % 2 else [doc]
        return doc

    def __repr__(self) -> str:
        return f"Nested({self.depth}, {self.leaf!r}, {self.key!r}, mixed={self.mixed})"


def deep():
    return st.builds(Nested, st.one_of(st.sampled_from([19, 20, 21, 100, 400, 1000]), st.integers(1, 600)),
                     yaml_scalars, st.sampled_from(KEYWORDS), st.booleans())


def dump(doc) -> str:
    """YAML text of ``doc``; deep documents in flow style (the emitter recurses on block style)."""
    import sys

    import yaml
    doc = doc.build() if isinstance(doc, Nested) else doc
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        return yaml.safe_dump(doc, default_flow_style=None, allow_unicode=False, width=10**6)
    finally:
        sys.setrecursionlimit(limit)


def assert_located(path, exc):
    """Every problem names the file (and so is located), with a message."""
    assert exc.problems
    for p in exc.problems:
        assert str(p).startswith(str(path)) and p.message, p


def check_document(path, text):
    """Load ``text`` as a scenario: a located ScenarioError, or a scenario whose projection is
    complete, finite and positive (nothing silently out of the model's domain)."""
    path.write_text(text, encoding="utf-8")
    try:
        s = load_scenario(path)
    except ScenarioError as exc:
        assert_located(path, exc)
        return None
    assert not np.isinf(s.growth.set).any() and np.isfinite(s.growth.add).all()
    return s


@settings(max_examples=300, deadline=None)
@given(st.one_of(documents, deep()))
def test_random_documents_never_raise_anything_but_scenario_error(tmp_path_factory, doc):
    check_document(tmp_path_factory.mktemp("h") / "doc.yaml", dump(doc))


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise_anything_but_scenario_error(tmp_path_factory, blob):
    path = tmp_path_factory.mktemp("b") / "blob.yaml"
    path.write_bytes(blob)
    try:
        load_scenario(path)
    except ScenarioError as exc:
        assert_located(path, exc)


# ---------------------------------------------------------------- time paths
@pytest.mark.parametrize("text,fragment", [
    ("growth:\n  ict:\n    20x2: 5\n", "is not a year"),
    ("growth:\n  ict:\n    2025-2022: 5\n", "runs backwards"),
    ("growth:\n  ict:\n    2019: 5\n", "outside [2021, 2060]"),
    ("growth:\n  ict:\n    2024: 5\n    2022-2025: 6\n", "overlap"),
    ("growth:\n  ict: {}\n", "empty mapping"),
    ("growth:\n  ict: +1.5\n", "ambiguous"),
    ("growth:\n  ict: '+1.5'\n", "change such as"),
    ("growth:\n  ict: 1.5 pp\n", "change such as"),
    ("growth:\n  ict: .inf\n", "expected a number"),
    ("deflator:\n  all: -100\n", "(-100, 100]"),
    ("growth:\n  ict:\n    2030: 5\n", "after the horizon 2025"),
])
def test_path_errors(write_yaml, text, fragment):
    (p,) = problems(write_yaml(text))
    assert fragment in p.message and p.line >= 2 and p.path.startswith(("growth", "deflator"))


def test_overlap_names_both_keys(write_yaml):
    (p,) = problems(write_yaml("growth:\n  ict:\n    2022-2023: 5\n    2023-2024: 6\n"))
    assert p.line == 4 and "'2022-2023'" in p.message


def test_path_expansion(write_yaml):
    s = load_scenario(write_yaml("horizon: 2027\ngrowth:\n  ict:\n    2022: 10\n    2024-2026: 12\n"
                                 "  finance: 7\ndeflator:\n  scitech: 2\n"))
    years = list(s.path_years)
    assert years == list(range(2021, 2028))
    ict = s.growth.set[:, INDEX["ict"]]
    assert np.isnan(ict[years.index(2021)]) and np.isnan(ict[years.index(2023)]) and np.isnan(ict[-1])
    assert ict[years.index(2022)] == pytest.approx(0.10)
    assert ict[years.index(2024):years.index(2026) + 1] == pytest.approx([0.12] * 3)
    assert np.isnan(s.growth.set[0, INDEX["finance"]])           # a plain growth number starts in 2022
    assert s.growth.set[1:, INDEX["finance"]] == pytest.approx([0.07] * 6)
    assert s.deflator.set[:, INDEX["scitech"]] == pytest.approx([0.02] * 7)   # deflators from 2021


def test_changes_are_relative(write_yaml):
    s = load_scenario(write_yaml("growth:\n  all: '+1pp'\n  ict:\n    2023: -2.5pp\n"))
    assert s.growth.add[1:, INDEX["finance"]] == pytest.approx([0.01] * 4)
    assert s.growth.add[2, INDEX["ict"]] == pytest.approx(0.01 - 0.025)
    assert np.isnan(s.growth.set).all()


def test_fraction_looking_growth_warns(write_yaml):
    s = load_scenario(write_yaml("growth:\n  ict: 0.05\n"))
    (w,) = s.warnings
    assert w.line == 2 and "percent" in w.message


# ---------------------------------------------------------------- shocks and projects
SHOCK = "shocks:\n  - name: s1\n    year: 2022\n    growth_loss: 3\n"
PROJECT = ("projects:\n  - name: p1\n    sector: mfg_other\n    start: 2023\n    gross_output: 100\n"
           "    value_added_ratio: 20\n")


def test_valid_shock_and_project(write_yaml):
    s = load_scenario(write_yaml(SHOCK + "    sectors: [finance, ict]\n    recovery_years: 2\n" + PROJECT
                                 + "    ramp_years: 3\n"))
    (shock,), (project,) = s.shocks, s.projects
    assert shock.sectors == ("finance", "ict") and shock.growth_loss == pytest.approx(0.03)
    assert shock.recovery_years == 2 and shock.recovered == 1.0
    assert project.value_added_ratio == pytest.approx(0.2) and project.ramp_years == 3
    assert project.hightech_share is None


@pytest.mark.parametrize("text,fragment", [
    ("shocks: {name: x}\n", "expected a list"),
    ("shocks:\n  - 5\n", "expected a mapping"),
    ("shocks:\n  - name: s1\n    year: 2022\n", "missing key 'growth_loss'"),
    (SHOCK + "    recovry_years: 2\n", "did you mean 'recovery_years'"),
    (SHOCK + "    sectors: [finanse]\n", "did you mean 'finance'"),
    (SHOCK + "    sectors: finance\n", "'all' or a list"),
    (SHOCK + "    sectors: [ict, ict]\n", "listed twice"),
    (SHOCK + "    recovery_years: 1.5\n", "whole number"),
    (SHOCK + "    recovered: 120\n", "[0, 100]"),
    (SHOCK.replace("growth_loss: 3", "growth_loss: -100"), "(-100, 100]"),
    (SHOCK.replace("2022", "2030"), "after the horizon"),
    (SHOCK + "  - name: s1\n    year: 2023\n    growth_loss: 1\n", "already the name"),
    (SHOCK + "    remove: yes please\n", "true or false"),
    (PROJECT.replace("mfg_other", "mfg_othr"), "did you mean 'mfg_other'"),
    (PROJECT.replace("2023", "2026"), "after the horizon"),
    (PROJECT.replace("gross_output: 100", "gross_output: 0"), "(0, 100,000]"),
    (PROJECT.replace("value_added_ratio: 20", "value_added_ratio: 120"), "(0, 100]"),
    (PROJECT + "    ramp_years: 0\n", "whole number in [1, 30]"),
    (PROJECT + "    hightech_share: -5\n", "[0, 100]"),
])
def test_entry_errors(write_yaml, text, fragment):
    (p,) = problems(write_yaml(text))
    assert fragment in p.message and p.path.startswith(("shocks", "projects"))


# ---------------------------------------------------------------- inheritance
def chain(tmp_path, **files):
    for name, text in files.items():
        (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_child_states_only_differences(tmp_path):
    chain(tmp_path, parent="horizon: 2027\nvaccine_unwind: 40\ngrowth:\n  finance: 6\n  ict: 10\n"
                           "assumptions:\n  va.industry_2020: 4500\n",
          child="extends: parent\ngrowth:\n  finance: 8\nassumptions:\n  share.mining_utilities_in_industry: 12\n")
    s = load_scenario(tmp_path / "child.yaml")
    assert s.name == "child" and s.horizon == 2027 and s.vaccine_unwind == pytest.approx(0.4)
    assert s.growth.set[1:, INDEX["finance"]] == pytest.approx([0.08] * 6)
    assert s.growth.set[1:, INDEX["ict"]] == pytest.approx([0.10] * 6)
    assert dict(s.assumptions) == {"va.industry_2020": 4500, "share.mining_utilities_in_industry": 12}
    assert s.parent.name == "parent" and [x.file for x in s.chain][-1].endswith("child.yaml")


def test_relative_change_on_parent_level_and_on_trend(tmp_path):
    chain(tmp_path, parent="growth:\n  finance: 6\n", child="extends: parent\ngrowth:\n  all: '+1pp'\n")
    s = load_scenario(tmp_path / "child.yaml")
    trend = np.full((5, len(KEYS)), 0.03)
    resolved = s.growth.resolve(trend)
    assert resolved[1:, INDEX["finance"]] == pytest.approx([0.07] * 4)    # parent's level + 1 pp
    assert resolved[1:, INDEX["ict"]] == pytest.approx([0.04] * 4)        # trend + 1 pp
    assert resolved[0, INDEX["ict"]] == pytest.approx(0.03)               # 2021 untouched


def test_level_in_child_replaces_parent_change(tmp_path):
    chain(tmp_path, parent="growth:\n  finance: '+2pp'\n", child="extends: parent\ngrowth:\n  finance: 5\n")
    s = load_scenario(tmp_path / "child.yaml")
    assert s.growth.resolve(np.zeros((5, len(KEYS))))[1:, INDEX["finance"]] == pytest.approx([0.05] * 4)


def test_three_generations_and_shorter_horizon(tmp_path):
    chain(tmp_path, a="horizon: 2030\ngrowth:\n  ict:\n    2028-2030: 9\n",
          b="extends: a\ngrowth:\n  ict: '+1pp'\n", c="extends: b.yaml\nhorizon: 2025\n")
    s = load_scenario(tmp_path / "c.yaml")
    assert s.horizon == 2025 and s.growth.set.shape == (5, len(KEYS))
    assert s.growth.add[1:, INDEX["ict"]] == pytest.approx([0.01] * 4)
    assert [x.name for x in s.chain] == ["a", "b", "c"]


def test_entries_replace_and_remove_by_name(tmp_path):
    chain(tmp_path, parent=SHOCK + "  - name: s2\n    year: 2023\n    growth_loss: 1\n",
          child="extends: parent\nshocks:\n  - name: s1\n    year: 2024\n    growth_loss: 2\n"
                "  - name: s2\n    remove: true\n  - name: s3\n    year: 2025\n    growth_loss: 4\n")
    s = load_scenario(tmp_path / "child.yaml")
    assert [(x.name, x.year) for x in s.shocks] == [("s1", 2024), ("s3", 2025)]


def test_remove_of_unknown_entry(tmp_path):
    chain(tmp_path, parent="name: parent\n", child="extends: parent\nshocks:\n  - name: nope\n    remove: true\n")
    (p,) = problems(tmp_path / "child.yaml")
    assert p.line == 3 and "no inherited shock named 'nope'" in p.message


def test_missing_parent(tmp_path):
    chain(tmp_path, child="name: child\nextends: nowhere\n")
    (p,) = problems(tmp_path / "child.yaml")
    assert p.line == 2 and p.path == "extends" and "not found" in p.message


def test_inheritance_cycle(tmp_path):
    chain(tmp_path, a="extends: b\n", b="extends: c\n", c="extends: a\n")
    *heads, last = problems(tmp_path / "a.yaml")
    assert [h.file.rsplit("/", 1)[1] for h in heads] == ["a.yaml", "b.yaml"]
    assert last.file.endswith("c.yaml") and last.line == 1
    assert "inheritance cycle" in last.message and last.message.count(".yaml") == 4


def test_self_extension_is_a_cycle(tmp_path):
    chain(tmp_path, a="extends: a\n")
    (p,) = problems(tmp_path / "a.yaml")
    assert "cycle" in p.message


def test_broken_parent_reported_with_its_lines(tmp_path):
    chain(tmp_path, parent="growth:\n  finanse: 5\n", child="extends: parent\n")
    head, inner = problems(tmp_path / "child.yaml")
    assert head.file.endswith("child.yaml") and "parent 'parent' has problems" in head.message
    assert inner.file.endswith("parent.yaml") and inner.line == 2


def test_extends_must_be_text(write_yaml):
    (p,) = problems(write_yaml("extends: [a, b]\n"))
    assert p.path == "extends"


def test_revenue_links_override_and_inherit(tmp_path):
    (tmp_path / "p.yaml").write_text("revenue_links:\n  software_info.elasticity: 1.2\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text("extends: p\nrevenue_links:\n  cars.base_2020: 4000\n", encoding="utf-8")
    s = load_scenario(tmp_path / "c.yaml")
    assert dict(s.revenue_links) == {"software_info.elasticity": 1.2, "cars.base_2020": 4000}


@pytest.mark.parametrize("text,fragment", [
    ("revenue_links:\n  software_info.elastcity: 1.2\n", "did you mean 'software_info.elasticity'"),
    ("revenue_links:\n  software_info.elasticity: 99\n", "expected a number in"),
])
def test_revenue_links_errors(write_yaml, text, fragment):
    (p,) = problems(write_yaml(text))
    assert p.line == 2 and fragment in p.message


# ---------------------------------------------------------------- hostile files and names
def test_deep_nesting_is_a_located_error(write_yaml):
    (p,) = problems(write_yaml("growth: " + "[" * 500 + "]" * 500 + "\n"))
    assert p.line == 1 and "nested" in p.message


@pytest.mark.parametrize("extends,fragment", [
    ('"a\\0b"', "control characters"),
    ("x" * 300, "at most 255"),
    ("/etc/passwd", "absolute path"),
    ("../outside.yaml", "lies outside"),
    ("sub/../../outside.yaml", "lies outside"),
])
def test_extends_that_is_refused(tmp_path, extends, fragment):
    (tmp_path / "outside.yaml").write_text("name: outside\n", encoding="utf-8")
    inner = tmp_path / "tree"
    inner.mkdir()
    (inner / "sub").mkdir()
    child = inner / "child.yaml"
    child.write_text(f"extends: {extends}\n", encoding="utf-8")
    (p,) = problems(child)
    assert p.path == "extends" and p.line == 1 and fragment in p.message


def test_extends_into_a_subfolder_and_back_is_allowed(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "base.yaml").write_text("horizon: 2027\n", encoding="utf-8")
    (tmp_path / "sub" / "mid.yaml").write_text("extends: ../base\n", encoding="utf-8")
    (tmp_path / "top.yaml").write_text("extends: sub/mid.yaml\n", encoding="utf-8")
    assert load_scenario(tmp_path / "top.yaml").horizon == 2027


def test_a_non_yaml_parent_is_not_echoed(tmp_path):
    (tmp_path / "secret.yaml").write_text("the secret words\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text("extends: secret\n", encoding="utf-8")
    found = problems(tmp_path / "c.yaml")
    assert found and not any("secret words" in str(p) for p in found)


def test_symlink_loop_as_parent(tmp_path):
    import os
    os.symlink("b.yaml", tmp_path / "a.yaml")
    os.symlink("a.yaml", tmp_path / "b.yaml")
    (tmp_path / "c.yaml").write_text("extends: a\n", encoding="utf-8")
    (p,) = problems(tmp_path / "c.yaml")
    assert p.path == "extends" and "symbolic links" in p.message


def test_symlink_loop_as_the_file(tmp_path):
    import os
    os.symlink("loop.yaml", tmp_path / "loop.yaml")
    (p,) = problems(tmp_path / "loop.yaml")
    assert "cannot read" in p.message


def test_fifo_is_refused_without_blocking(tmp_path):
    import os
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    (p,) = problems(fifo)
    assert "not a regular file" in p.message


def test_device_is_refused():
    (p,) = problems("/dev/zero")
    assert "not a regular file" in p.message


def test_unhashable_entry_name(write_yaml):
    (p,) = problems(write_yaml("shocks: [{name: [a], year: 2022, growth_loss: 1}]\n"))
    assert p.path == "shocks.0.name" and "['a']" in p.message


@pytest.mark.parametrize("name", ['"x\\n"', "summary.md", "Comparison", "report.html", "results.xlsx", "a" * 101])
def test_names_that_cannot_name_a_folder(write_yaml, name):
    (p,) = problems(write_yaml(f"name: {name}\n"))
    assert p.path == "name" and p.line == 1


def test_reserved_file_stem_needs_a_name(tmp_path):
    (tmp_path / "comparison.yaml").write_text("horizon: 2025\n", encoding="utf-8")
    (p,) = problems(tmp_path / "comparison.yaml")
    assert "reserved" in p.message


def test_fraction_looking_recovered_warns(write_yaml):
    s = load_scenario(write_yaml(SHOCK + "    recovered: 0.8\n"))
    (w,) = s.warnings
    assert w.line == 5 and w.path == "shocks.0.recovered" and "percent" in w.message


@pytest.mark.parametrize("text,path", [
    ("growth:\n  retail: 5\n", "growth.retail"),
    (SHOCK + "    sectors: [retail]\n", "shocks.0.sectors"),
    (PROJECT.replace("mfg_other", "retail"), "projects.0.sector"),
    ("uncertainty:\n  growth:\n    retail: {dist: normal, sd: 1}\n", "uncertainty.growth.retail"),
])
def test_part_of_a_sector_name_gets_a_suggestion(write_yaml, text, path):
    (p,) = problems(write_yaml(text))
    assert p.path == path and "did you mean 'wholesale_retail'" in p.message


# ---------------------------------------------------------------- partial entries, dropping uncertainty
LOCKDOWN = ("shocks:\n  - name: lockdown\n    year: 2022\n    sectors: [finance]\n    growth_loss: 3\n"
            "    recovery_years: 2\nuncertainty:\n  draws: 50\n  shocks:\n    lockdown:\n"
            "      growth_loss: {dist: uniform, low: 1, high: 5}\n  growth:\n    ict: {dist: normal, sd: 1}\n")


def test_partial_entry_merges_with_the_parents(tmp_path):
    chain(tmp_path, parent=LOCKDOWN + PROJECT + "    ramp_years: 3\n",
          child="extends: parent\nshocks:\n  - name: lockdown\n    growth_loss: 6\n"
                "projects:\n  - name: p1\n    start: 2024\n")
    s = load_scenario(tmp_path / "child.yaml")
    (shock,), (project,) = s.shocks, s.projects
    assert shock.growth_loss == pytest.approx(0.06)
    assert (shock.year, shock.sectors, shock.recovery_years) == (2022, ("finance",), 2)
    assert project.start == 2024 and project.ramp_years == 3 and project.gross_output == 100
    assert shock.where.file.endswith("child.yaml")


def test_partial_entry_without_a_parent_entry(tmp_path):
    chain(tmp_path, parent="name: parent\n", child="extends: parent\nshocks:\n  - name: new\n    growth_loss: 6\n")
    (p,) = problems(tmp_path / "child.yaml")
    assert p.line == 3 and "missing key 'year'" in p.message and "no inherited shock named 'new'" in p.message


def test_removing_a_shock_drops_its_inherited_uncertainty(tmp_path):
    chain(tmp_path, parent=LOCKDOWN, child="extends: parent\nshocks:\n  - name: lockdown\n    remove: true\n")
    s = load_scenario(tmp_path / "child.yaml")
    assert s.shocks == () and dict(s.uncertainty.shocks) == {} and list(s.uncertainty.growth) == ["ict"]


def test_null_drops_inherited_uncertainty_entries(tmp_path):
    chain(tmp_path, parent=LOCKDOWN,
          child="extends: parent\nuncertainty:\n  shocks:\n    lockdown: null\n  growth:\n    ict: null\n")
    s = load_scenario(tmp_path / "child.yaml")
    assert dict(s.uncertainty.shocks) == {} and dict(s.uncertainty.growth) == {} and s.uncertainty.draws == 50
    chain(tmp_path, grandchild="extends: parent\nuncertainty: null\n")
    assert load_scenario(tmp_path / "grandchild.yaml").uncertainty is None


def test_null_that_drops_nothing(tmp_path):
    chain(tmp_path, parent=LOCKDOWN, child="extends: parent\nuncertainty:\n  growth:\n    finance: null\n")
    (p,) = problems(tmp_path / "child.yaml")
    assert p.path == "uncertainty.growth.finance" and p.line == 4 and "no parent" in p.message


def test_uncertainty_of_a_shock_the_child_lacks_says_how_to_drop_it(tmp_path):
    chain(tmp_path, parent=LOCKDOWN, child="extends: parent\nshocks:\n  - name: lockdown\n    remove: true\n"
                                          "uncertainty:\n  shocks:\n    lockdown:\n"
                                          "      growth_loss: {dist: normal, sd: 1}\n")
    (p,) = problems(tmp_path / "child.yaml")
    assert "no shock named 'lockdown'" in p.message and "null" in p.message

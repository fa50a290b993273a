"""The IAMC variable tree as a nomenclature-iamc codelist (``model/definitions/``): nomenclature reads it,
every shipped scenario's results and the published rows validate against it with nomenclature's own
checks, the code's names are the codelist's, and docs/variables.md's table is written from it.

nomenclature-iamc comes with the ``iamc`` extra on Python >= 3.11 (its releases that read this layout
need it); ``make test`` requires it there (``REQUIRE_PYAM=1``), elsewhere its tests are skipped.
"""
import importlib.util
import os
import sys

import pandas as pd
import pytest

from model.baseline import realized
from model.baseline.baselines import baseline_for
from model.core import codelist
from model.core import iamc as ind
from model.core.parameters import BASES
from model.core.sectors import LEVEL1, SECTORS
from model.equations.revenue import SERIES
from model.projection.results import timeseries
from model.projection.simulate import project
from model.scenario.loader import load_scenario

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module")
def nomenclature():
    """nomenclature, or a skip where it is not installed; a failure where the test set-up requires it."""
    try:
        import nomenclature
        import nomenclature.testing  # noqa: F401
    except ImportError as exc:
        if os.environ.get("REQUIRE_PYAM") == "1" and sys.version_info >= (3, 11):
            pytest.fail(f"REQUIRE_PYAM=1 but nomenclature cannot be imported ({exc}); "
                        "install the iamc extra: pip install -e '.[test,iamc]'")
        pytest.skip("nomenclature-iamc is not installed (the iamc extra, on Python >= 3.11)")
    return nomenclature


@pytest.fixture(scope="module")
def dsd(nomenclature):
    return nomenclature.DataStructureDefinition(codelist.DEFINITIONS)


@pytest.fixture(scope="module")
def projections():
    """Every shipped scenario's results table, projected in memory: name -> table."""
    out = {}
    for path in SCENARIOS:
        s = load_scenario(path)
        baseline = baseline_for(s.assumptions, s.base, s.census)
        out[s.name] = timeseries(project(s, baseline), s.name, s.revenue_links)
    return out


@pytest.fixture(scope="module")
def published():
    return realized.realized_timeseries()


# ------------------------------------------------------------------ nomenclature reads the codelist
def test_the_definitions_are_a_valid_nomenclature_project(nomenclature):
    """What ``nomenclature validate-project model`` checks: the YAML parses, the folder is a
    DataStructureDefinition (no duplicate, no illegal character, every component declared)."""
    nomenclature.testing.assert_valid_yaml(codelist.DEFINITIONS)
    nomenclature.testing.assert_valid_structure(codelist.DEFINITIONS.parent, "definitions")


def test_this_reader_and_nomenclature_read_the_same_codelist(dsd):
    """The package reads the files without nomenclature (the workbook, the docs): the same names
    (tags expanded), units and descriptions as nomenclature's own reading."""
    assert set(dsd.dimensions) == {"variable", "region"}
    assert list(dsd.region) == [ind.REGION]
    ours = codelist.declared()
    assert set(ours) == set(dsd.variable.keys())
    for name, v in ours.items():
        code = dsd.variable[name]
        assert tuple(code.units) == v.units and code.description == v.description, name
        assert code.extra_attributes["kind"] == v.kind and code.extra_attributes["rows"] == v.rows_text


# ------------------------------------------------------------------ every output validates
def test_every_shipped_scenario_validates_against_the_codelist(nomenclature, dsd, projections):
    import pyam
    assert len(projections) == len(SCENARIOS)
    for name, table in projections.items():
        df = pyam.IamDataFrame(table)
        assert dsd.validate(df) is None, name
        assert dsd.check_aggregate(df).empty, name           # GDP and real GDP: the sums of the sectors


def test_the_published_rows_validate_against_the_codelist(dsd, published):
    import pyam
    df = pyam.IamDataFrame(published)
    for scenario in df.scenario:
        assert dsd.validate(df.filter(scenario=scenario)) is None, scenario


@pytest.mark.parametrize("change, complaint", [
    ({"variable": "Value Added|Mining"}, "Value Added|Mining"),                    # not a sector of the tree
    ({"unit": "billion CNY/yr"}, "billion CNY/yr"),                                # GDP in another unit
    ({"region": "Shanghai"}, "Shanghai"),
])
def test_validation_reports_what_the_codelist_does_not_declare(nomenclature, dsd, projections, change, complaint):
    import pyam
    table = projections["baseline"].copy()
    rows = table["variable"] == ind.GDP
    for column, value in change.items():
        table[column] = table[column].astype(object)
        table.loc[rows, column] = value
    with pytest.raises(nomenclature.exceptions.NomenclatureValidationError, match=r"(?s)Validation failed"
                       ) as failed:
        dsd.validate(pyam.IamDataFrame(table))
    assert complaint in str(failed.value.exceptions)


def test_a_broken_aggregate_is_reported_by_the_codelist(dsd, projections):
    import pyam
    table = projections["baseline"].copy()
    table.loc[(table["variable"] == ind.GDP) & (table["year"] == 2024), "value"] *= 1.01
    assert set(dsd.check_aggregate(pyam.IamDataFrame(table)).index.get_level_values("variable")) == {ind.GDP}


# ------------------------------------------------------------------ the code's names are the codelist's
def test_every_name_the_code_uses_is_declared_with_its_unit():
    unit_of = {name: v.units for name, v in codelist.declared().items()}
    assert unit_of[ind.GDP] == (ind.NOMINAL,)
    assert unit_of[ind.REAL_GDP] == tuple(ind.real_unit(b) for b in BASES)
    assert unit_of[ind.GDP_PRICE_INDEX] == tuple(ind.index_unit(b) for b in BASES)
    for name in (ind.REAL_GDP_GROWTH, ind.REAL_GDP_GROWTH_5Y, ind.HIGHTECH_SHARE, ind.NEW_ECONOMY_SHARE,
                 ind.DIGITAL_ECONOMY_SHARE, ind.RD_INTENSITY, ind.BUDGET_REVENUE_GROWTH):
        assert unit_of[name] == (ind.PERCENT,), name
    for name in (ind.HIGHTECH_VALUE_ADDED, ind.NEW_ECONOMY_VALUE_ADDED, ind.DIGITAL_ECONOMY_VALUE_ADDED,
                 ind.RD_EXPENDITURE, ind.BUDGET_REVENUE, ind.PHARMA_OF_MEDICINE, *(s.variable for s in SERIES)):
        assert unit_of[name] == (ind.NOMINAL,), name
    assert unit_of[ind.CLUSTER_VARIABLE] == (ind.COUNT,)
    assert ind.group_price_index("Value Added|Manufacturing") in unit_of
    for s in SECTORS:
        for name in (s.variable, ind.real(s.variable), ind.price_index(s.variable)):
            assert name in unit_of, name
    assert [t.name for t in codelist.tags()["Sector"]] == [v.partition("|")[2] for v in LEVEL1]   # in order
    assert codelist.variable(ind.PROJECT_VALUE_ADDED + "|ev_plant_phase1").name == ind.PROJECT_VALUE_ADDED + "|*"
    assert codelist.variable("Value Added|Mining") is None


def test_the_rows_each_entry_names_are_those_that_carry_it(projections, published):
    """An entry marked ``projected`` is a series some shipped scenario projects, and every projected
    series is declared so; likewise ``published`` for the statistics' rows (every variable
    model/baseline/realized.py can give them is declared so)."""
    projected = {v for t in projections.values() for v in t["variable"]}
    carried = {codelist.PROJECTED: projected, codelist.PUBLISHED: set(published["variable"])}
    for rows, names in carried.items():
        for name in names:
            assert rows in codelist.variable(name).rows, (rows, name)
    may_publish = set(realized.MODEL_VARIABLES.values()) | set(realized.OTHER_VARIABLES.values())
    assert all(codelist.PUBLISHED in codelist.variable(n).rows for n in may_publish)
    for entry in codelist.variables():
        names = [n for n, v in codelist.declared().items() if v.file == entry.file and _from(entry, n)]
        if codelist.PROJECTED in entry.rows:
            assert any(n in projected or "*" in n for n in names), entry.name     # no entry for nothing
        if codelist.PUBLISHED in entry.rows:
            assert set(names) & may_publish, entry.name


def _from(entry: codelist.Variable, name: str) -> bool:
    """True if ``name`` is one the declared ``entry`` expands to."""
    return any(e.name == name for e in codelist._expand(entry))


# ------------------------------------------------------------------ the docs' table
def test_the_docs_variable_table_is_written_from_the_codelist():
    spec = importlib.util.spec_from_file_location("docs_generate", ROOT / "docs" / "generate.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    text = (ROOT / "docs" / "variables.md").read_text(encoding="utf-8")
    assert gen.blocks_of(text) == ["variables"]
    assert gen.rewrite(text, {"variables": gen.variable_table()}) == text, "run `make docs-generate`"
    for v in codelist.variables():
        assert f"`{v.name.replace('|', chr(92) + '|')}`" in text


def test_the_workbook_describes_every_variable_from_the_codelist(projections, published):
    from model.output.workbook import variables_sheet
    table = pd.concat([projections["manufacturing_revival"], projections["baseline_2030"], published])
    sheet = variables_sheet(table).frame
    assert list(sheet["variable"]) == list(dict.fromkeys(table["variable"]))
    assert "not in the codelist" not in set(sheet["description"])
    gdp = sheet.set_index("variable").loc[ind.REAL_GDP]
    assert gdp["unit"] == "; ".join(ind.real_unit(b) for b in BASES)       # both jump-offs in one batch
    assert sheet.set_index("variable").loc["Value Added|Finance", "description"] == \
        "value added of finance at current prices"

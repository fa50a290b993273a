"""Data files: every figure sourced, every assumption labelled with a range."""
import pytest

from model import data
from model.parameters import reference_table

HEADER = ",".join(data.FIGURE_COLUMNS) + "\n"
GOOD = "va.gdp,2020,annual,1.0,100 million CNY,pub,doc,http://x,v,note\n"


def test_shipped_figures_all_sourced():
    figs = data.figures()
    assert len(figs.all) > 50
    for f in figs.all:
        assert f.url.startswith("http") and f.publisher and f.document and f.vintage and f.unit


def test_shipped_assumptions_have_ranges():
    for a in data.assumptions().values():
        assert a.low <= a.value <= a.high and a.low < a.high and a.basis and a.affects


@pytest.mark.parametrize("row,match", [
    ("va.gdp,2020,annual,1.0,yuan,pub,doc,http://x,v,note\n", "unit"),
    ("va.gdp,2020,annual,1.0,100 million CNY,,doc,http://x,v,note\n", "empty publisher"),
    ("va.gdp,2020,annual,abc,100 million CNY,pub,doc,http://x,v,note\n", "not a number"),
    ("va.gdp,2020,annual,nan,100 million CNY,pub,doc,http://x,v,note\n", "not finite"),
    ("va.gdp,2020,monthly,1.0,100 million CNY,pub,doc,http://x,v,note\n", "period"),
    ("va.gdp,2020,annual,1.0,100 million CNY,pub,doc,www.x,v,note\n", "web address"),
    (GOOD, "duplicate"),
])
def test_bad_figures_rows(tmp_path, row, match):
    path = tmp_path / "figures.csv"
    path.write_text(HEADER + GOOD + row, encoding="utf-8")
    with pytest.raises(data.DataError, match=match):
        data.read_figures(path)


def test_bad_figures_header(tmp_path):
    path = tmp_path / "figures.csv"
    path.write_text("key,value\nx,1\n", encoding="utf-8")
    with pytest.raises(data.DataError, match="columns"):
        data.read_figures(path)


def test_assumption_outside_its_range(tmp_path):
    path = tmp_path / "assumptions.csv"
    path.write_text(",".join(data.ASSUMPTION_COLUMNS) + "\nk,5,1,4,%,why,what\n", encoding="utf-8")
    with pytest.raises(data.DataError, match="outside its range"):
        data.read_assumptions(path)


def test_missing_figure_lookup():
    with pytest.raises(data.DataError, match="no figure"):
        data.figures().value("va.gdp", 1990)


def test_readme_reference_table_matches_declarations():
    readme = (data.DATA_DIR.parents[1] / "README.md").read_text(encoding="utf-8")
    assert reference_table() in readme

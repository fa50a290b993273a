"""The batch's workbook as a spreadsheet reader meets it: units in the headers, the targets as numbers,
number formats by unit, the statuses coloured, sources and contents as links, the published record
under its own scenario names, and the file opened by a real spreadsheet program (LibreOffice Calc,
headless) without errors.

The workbook is that of a tables-only batch of three shipped scenarios: ``baseline`` (the 14th plan's
targets), ``baseline_2030`` (the 15th plan's: the matrices mix two sets) and ``realized`` (the model
scenario whose name the published record used to share).  The LibreOffice tests need ``soffice``:
``make test`` installs Debian's libreoffice-calc where apt-get is usable; elsewhere they are skipped
with the reason.
"""
import io
import re

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from model import batch
from model.core.files import WORKBOOK
from model.core.iamc import MODEL_NAME, SCENARIO_4TH, SCENARIO_5TH, STATISTICS_MODEL
from model.output import workbook
from model.output.comparison import gap_unit
from model.output.plots import STATUS_COLOURS
from model.targets.comparators import About, AtLeast, Largest, NotModelled, Qualitative, Within
from model.targets.scorecard import MET, MISSED

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
SCENARIOS = ("baseline", "baseline_2030", "realized")
SHEETS = ["contents", "data", "variables", "scorecards", "status matrix", "gap matrix", "assumptions", "revenue links",
          "figures", "published"]
YEAR_COLUMNS = {"year", "first_year_met"}      # calendar years: a number with no unit but itself


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The three scenarios' batch, tables only: (output folder, workbook path)."""
    out = tmp_path_factory.mktemp("batch")
    quick = batch.RunOptions(analyses=False, figures=False)
    outcomes = batch.run_batch([ROOT / "scenarios" / f"{n}.yaml" for n in SCENARIOS], out, ["test"], quick)
    assert all(o.ok for o in outcomes), [o for o in outcomes if not o.ok]
    return out, out / WORKBOOK


@pytest.fixture(scope="module")
def book(run):
    return load_workbook(run[1])


@pytest.fixture(scope="module")
def frames(run):
    return pd.read_excel(run[1], sheet_name=None)


def _header(ws) -> list[str]:
    return [c.value for c in ws[1]]


def _column(ws, name: str):
    """The cells of the column headed ``name`` (below the header)."""
    i = _header(ws).index(name)
    return [row[i] for row in ws.iter_rows(min_row=2)]


# ------------------------------------------------------------------ the published record's name
def test_the_published_record_is_never_named_like_a_model_scenario(frames):
    data = frames["data"]
    scenarios_of = data.groupby("model")["scenario"].agg(set)
    assert scenarios_of[STATISTICS_MODEL] == {SCENARIO_4TH, SCENARIO_5TH} == {"published", "published (5th census)"}
    assert scenarios_of[MODEL_NAME] == set(SCENARIOS)
    assert set(data.loc[data["scenario"] == "realized", "model"]) == {MODEL_NAME}   # the model's run only
    assert not scenarios_of[STATISTICS_MODEL] & scenarios_of[MODEL_NAME]


# ------------------------------------------------------------------ headers and numbers
def test_the_gap_matrix_of_mixed_sets_names_each_target_and_its_gap_unit(frames):
    """Before, the headers were keyed by the bare target id while the columns were ``set/id``:
    in a plan14 + plan15 batch no header got its unit."""
    cards = frames["scorecards"]
    expected = {f"{s}/{t}": gap_unit(u) for s, t, u in zip(cards["target_set"], cards["target"], cards["unit"])}
    headers = list(frames["gap matrix"].columns[1:])
    assert headers == [f"{k} [{u}]" for k, u in expected.items()]
    assert "plan14/hightech_share [pp]" in headers and "plan15/ai_trillion_cluster_2030 [100 million CNY]" in headers
    assert "plan14/trillion_clusters [count]" in headers


def test_every_header_of_numbers_names_a_unit(book):
    for ws in book.worksheets:
        if ws.title == "data":       # pyam's layout: the unit is a column, the headers are years
            assert _header(ws)[:5] == ["model", "scenario", "region", "variable", "unit"]
            continue
        for i, name in enumerate(_header(ws)):
            numbers = [row[i].value for row in ws.iter_rows(min_row=2) if isinstance(row[i].value, (int, float))]
            if numbers and name not in YEAR_COLUMNS and ws.title != "status matrix":
                assert re.search(r" \[[^]]+\]$", name), (ws.title, name)


def test_the_target_is_given_as_numbers_beside_its_text(frames):
    cards = frames["scorecards"]
    low, high = cards["target_low [unit column]"], cards["target_high [unit column]"]
    text = cards["target_value [unit column]"].astype(str)
    rows = {t: (lo, hi) for t, lo, hi in zip(cards["target"], low, high)}
    assert rows["trillion_clusters"] == (4.0, 5.0)                 # "4-5"
    assert rows["manufacturing_share"] == (12.0, 14.0)             # "13 ± 1"
    assert rows["hightech_share"][0] == 30.0 and np.isnan(rows["hightech_share"][1])       # ">= 30": open above
    assert np.isnan(rows["finance_first_pillar"]).all()            # "largest": no figure
    assert (text[cards["comparator"] == "qualitative"] == "qualitative").all()
    assert low[cards["comparator"] == "qualitative"].isna().all()
    both = low.notna() & high.notna()
    assert (low[both] <= high[both]).all()
    # the numbers say what the status says: a met target's projection lies within them
    scored = cards[cards["status"].isin([MET, MISSED]) & cards["comparator"].isin([">=", "~", "range"])]
    inside = (scored["projected_value [unit column]"] >= scored["target_low [unit column]"]) & ~(
        scored["projected_value [unit column]"] > scored["target_high [unit column]"])
    assert len(scored) > 10 and (inside == (scored["status"] == MET)).all()


def test_comparator_bounds():
    assert AtLeast(30.0).bounds == (30.0, None)
    assert About(13.0, 1.0).bounds == (12.0, 14.0)
    assert Within(4.0, 5.0).bounds == (4.0, 5.0)
    assert Largest(("Value Added|ICT Services",)).bounds == (None, None)
    assert NotModelled(500.0).bounds == (500.0, 500.0) and NotModelled(0.5, 1.0).bounds == (0.5, 1.0)
    assert Qualitative().bounds == (None, None)


@pytest.mark.parametrize("unit, signed, fmt", [
    ("100 million CNY/yr", False, "#,##0.0"),
    ("100 million CNY/yr (2020 prices)", False, "#,##0.0"),
    ("%", False, '0.00" %"'),
    ("% of GDP", True, '+0.00" %";-0.00" %";0.00" %"'),
    ("pp", False, '+0.00" pp";-0.00" pp";0.00" pp"'),
    ("probability", False, "0.0%"),
    ("count", False, "#,##0"),
    ("Index (2025 = 100)", False, "0.00"),
])
def test_number_format_by_unit(unit, signed, fmt):
    assert workbook.number_format(unit, signed) == fmt


def test_no_number_is_left_in_the_general_format(book):
    for ws in book.worksheets:
        general = [c.coordinate for row in ws.iter_rows(min_row=2) for c in row
                   if isinstance(c.value, (int, float)) and c.number_format == "General"]
        assert not general, (ws.title, general[:5])


def test_numbers_carry_the_format_of_their_unit(book):
    ws = book["data"]
    header = _header(ws)
    for row in ws.iter_rows(min_row=2):
        unit = row[header.index("unit")].value
        for cell in row[5:]:
            if cell.value is not None:
                assert cell.number_format == workbook.number_format(unit), (unit, cell.coordinate)
    cards = book["scorecards"]
    units = [c.value for c in _column(cards, "unit")]
    for cell, unit in zip(_column(cards, "gap [unit column; pp for %]"), units):
        if cell.value is not None:
            assert cell.number_format == workbook.number_format(gap_unit(unit), signed=True)
    assert {c.number_format for c in _column(cards, "year") + _column(cards, "first_year_met")
            if c.value is not None} == {"0"}                # 2025, not 2,025
    p_met = [c for c in _column(cards, "p_met [probability]") if c.value is not None]
    assert p_met and all(0 <= c.value <= 1 and c.number_format == "0.0%" for c in p_met)    # 0.93 shown 93.0%


# ------------------------------------------------------------------ colours and links
def _rgb(cell) -> str:
    return "#" + cell.fill.fgColor.rgb[-6:].lower()


def test_the_status_matrix_is_coloured_like_the_report(book):
    ws = book["status matrix"]
    seen = set()
    for row in ws.iter_rows(min_row=2, min_col=2):
        for cell in row:
            if cell.value is not None:
                assert _rgb(cell) == STATUS_COLOURS[cell.value].lower(), cell.coordinate
                seen.add(cell.value)
    assert {MET, MISSED, "not modelled"} <= seen
    statuses = _column(book["scorecards"], "status")
    assert all(_rgb(c) == STATUS_COLOURS[c.value].lower() for c in statuses)


def test_sources_are_links(book):
    for sheet in ("figures", "published"):
        cells = [c for c in _column(book[sheet], "url") if c.value]
        assert cells and all(c.hyperlink is not None and c.hyperlink.target == c.value for c in cells), sheet
    cards = book["scorecards"]
    for cell in _column(cards, "source") + _column(cards, "realized_source"):
        if cell.value and "http" in cell.value:
            assert cell.hyperlink.target.startswith("http") and cell.hyperlink.target in cell.value
    sources = [c for c in _column(book["revenue links"], "source") if c.value and "http" in c.value]
    assert sources and all(c.hyperlink.target in c.value and c.hyperlink.target.startswith("http") for c in sources)
    assert all(not c.hyperlink.target.endswith((".", ")", ",", ";")) for c in sources)


def test_the_contents_link_to_every_sheet(book):
    ws = book["contents"]
    names = [c.value for c in _column(ws, "sheet")][:len(SHEETS) - 1]
    assert names == SHEETS[1:]
    for cell in _column(ws, "sheet")[:len(names)]:
        assert cell.hyperlink.location == f"'{cell.value}'!A1"
        assert cell.value in book.sheetnames


def test_the_workbook_bytes_depend_only_on_the_content(run, frames):
    out, path = run
    table = pd.read_csv(out / "comparison" / "timeseries.csv")
    cards = {n: pd.read_csv(out / n / "scorecard.csv") for n in SCENARIOS}
    assert workbook.workbook_bytes(table, cards, "id") == workbook.workbook_bytes(table, cards, "id")
    assert list(pd.read_excel(io.BytesIO(workbook.workbook_bytes(table, cards, "id")), sheet_name=None)) == SHEETS


# ------------------------------------------------------------------ a real spreadsheet program
CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,UTF8,1,,0,false,true,true,false,false,-1"


def test_libreoffice_reads_every_sheet_with_its_formats(run, tmp_path, soffice):
    """Every sheet converted to CSV as LibreOffice shows it: the values formatted by their unit."""
    _, path = run
    # 44,34,UTF8: comma, double quote, UTF-8; the ninth field (true) writes the cells as shown; -1: every sheet
    soffice("--convert-to", CSV_ALL_SHEETS, "--outdir", str(tmp_path / "csv"), str(path))
    shown = {p.name.removeprefix("results-").removesuffix(".csv"): p for p in (tmp_path / "csv").glob("*.csv")}
    assert sorted(shown) == sorted(SHEETS)
    data = pd.read_csv(shown["data"], dtype=str, keep_default_na=False)
    gdp = data[(data["scenario"] == "baseline") & (data["variable"] == "GDP")]
    assert gdp["2020"].item() == "36,102.6"                       # thousands separator, one decimal
    share = data[(data["scenario"] == "baseline") & (data["variable"] == "Share of GDP|Finance")]
    assert re.fullmatch(r"\d+\.\d\d %", share["2025"].item())
    gaps = pd.read_csv(shown["gap matrix"], dtype=str, keep_default_na=False).set_index("scenario")
    assert re.fullmatch(r"[+-]\d+\.\d\d pp", gaps.loc["baseline", "plan14/hightech_share [pp]"])
    cards = pd.read_csv(shown["scorecards"], dtype=str, keep_default_na=False)
    assert all(re.fullmatch(r"\d{1,3}\.\d%", p) for p in cards["p_met [probability]"] if p)
    status = pd.read_csv(shown["status matrix"], dtype=str, keep_default_na=False).set_index("scenario")
    assert set(status.loc["baseline"]) >= {MET, MISSED}


def test_libreoffice_saves_it_back_with_links_and_colours(run, tmp_path, soffice):
    """Opened and saved again as xlsx by LibreOffice, the workbook keeps its sheets, links, fills and
    formats: nothing was dropped as unreadable."""
    _, path = run
    soffice("--convert-to", "xlsx", "--outdir", str(tmp_path / "xlsx"), str(path))
    again = load_workbook(tmp_path / "xlsx" / path.name)
    assert again.sheetnames == SHEETS
    assert again["contents"]["A2"].hyperlink.location == "'data'!A1"
    url = next(c for c in _column(again["figures"], "url") if c.value)
    assert url.hyperlink.target == url.value
    matrix = again["status matrix"]
    assert all(_rgb(c) == STATUS_COLOURS[c.value].lower() for row in matrix.iter_rows(min_row=2, min_col=2)
               for c in row if c.value)
    assert again["data"]["F2"].number_format == "#,##0.0"


def test_the_libreoffice_check_fails_on_a_file_it_cannot_open(run, tmp_path, soffice):
    """LibreOffice exits with 0 even when it cannot load a file: the check reads what it says."""
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(run[1].read_bytes()[:5000])           # a cut-off archive
    with pytest.raises(AssertionError, match="could not be loaded"):
        soffice("--convert-to", "xlsx", "--outdir", str(tmp_path / "out"), str(broken))

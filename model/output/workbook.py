"""The batch's Excel workbook, ``results.xlsx``: the tables a reviewer reads, a sheet each.

Sheets, in order:

- ``contents``: what each sheet holds (each name a link to its sheet), the run id, the units;
- ``data``: the IAMC table of every scenario and the published series, wide by year (``model,
  scenario, region, variable, unit`` and a column per year), the layout of the IAMC databases:
  ``pyam.IamDataFrame("results.xlsx")`` reads it (pyam reads every sheet whose name starts with
  ``data``, so no other sheet's does);
- ``variables``: each variable of ``data``, its unit and what it is (the codelist of
  :mod:`model.core.codelist`);
- ``scorecards``: every scenario's scorecard stacked, a ``scenario`` column first, the target as
  numbers (``target_low``, ``target_high``) beside its text;
- ``status matrix``, ``gap matrix``: scenarios x targets, the statuses coloured as in the report,
  the gap in the unit its header names;
- ``assumptions``, ``revenue links``: ``model/data/assumptions.csv`` and ``revenue_links.csv``
  with their ranges;
- ``figures``, ``published``: the published figures (``figures.csv``) and outcomes
  (``realized.csv``) with their sources.

Every sheet has a frozen header row, an autofilter and column widths fitted to its content; every
header of a column of numbers names their unit (``[unit column]``: the row's ``unit``); numbers
carry a format by unit (:func:`number_format`); web addresses are links.  The workbook is built in
memory (:func:`workbook_bytes`) with openpyxl and fixed timestamps, so the same tables give the same
bytes; :mod:`model.output.write` writes it.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np
import pandas as pd

from ..core import codelist
from ..core.files import ASSUMPTIONS_FILE, FIGURES_FILE, REALIZED_FILE, REVENUE_LINKS_FILE
from ..core.iamc import IAMC_COLUMNS
from ..output import comparison
from ..output.style import STATUS_COLOURS
from ..targets.sets import load_set

if TYPE_CHECKING:             # openpyxl is imported when a workbook is written, not before
    from openpyxl import Workbook

DATA_SHEET = "data"                                     # the sheet name pyam reads
ID_COLUMNS = [c for c in IAMC_COLUMNS if c not in ("year", "value")]
MAX_WIDTH = 60                                          # characters; longer text is cut off in view, not in the cell
MIN_WIDTH = 8
FIXED_TIME = "1980-01-01T00:00:00Z"                     # the earliest time a zip entry can carry
SAME_UNIT = "unit column"                               # header note: the value is in the row's unit
GAP_UNIT = "unit column; pp for %"                      # a gap of a percentage is in percentage points
PROBABILITY = "probability"
# Scorecard columns whose values carry a unit, and that unit (the row's own, or a fixed one).
SCORECARD_UNITS = {
    "target_value": SAME_UNIT, "target_low": SAME_UNIT, "target_high": SAME_UNIT, "projected_value": SAME_UNIT,
    "gap": GAP_UNIT, "gap_pct": "%", "p_met": PROBABILITY, "p_met_se": PROBABILITY, "realized_value": SAME_UNIT,
}
SOURCE_UNITS = {"value": SAME_UNIT, "low": SAME_UNIT, "high": SAME_UNIT}
STATUS_COLUMNS = ("status", "realized_status")          # cells filled with their status' colour
LINK_COLUMNS = ("url", "mirror", "source", "realized_source")   # cells that link to the address they hold
URL = re.compile(r"https?://[^\s;<>\"]+[^\s;<>\".,)\]]")      # a web address in a text (not its end's stop)
YEAR = "0"
LINK_FONT = {"color": "0563C1", "underline": "single"}  # openpyxl's Font of a link


# ------------------------------------------------------------------ number formats
def number_format(unit: str, signed: bool = False) -> str:
    """The spreadsheet number format of a value in ``unit``: levels in 100 million CNY with thousands
    separators and one decimal, percentages (already in %, not fractions) with two decimals and a %
    sign, percentage points likewise with ``pp``, a probability (a fraction) as a percentage, an
    index with two decimals, counts whole; ``signed``: a sign on every non-zero value (gaps)."""
    unit = str(unit)
    if unit == PROBABILITY:
        return "0.0%"
    if unit.startswith("%"):
        body = '0.00" %"'
    elif unit == "pp":
        body = '0.00" pp"'
    elif unit.startswith("100 million CNY"):
        body = "#,##0.0"
    elif unit in ("count", "persons"):
        body = "#,##0"
    elif unit.startswith("Index"):
        body = "0.00"
    elif unit in ("years", "µg/m³"):
        body = "0.0"
    else:
        body = "#,##0.00"
    return f"+{body};-{body};{body}" if signed or unit == "pp" else body


def target_bounds(stacked: pd.DataFrame) -> pd.DataFrame:
    """``target_low`` and ``target_high`` of each scorecard row: its target as numbers, from the
    comparator of its set's target (:attr:`model.targets.comparators.Comparator.bounds`); empty
    where the target is open on that side or has no figure, or its set is not named."""
    sets = stacked["target_set"] if "target_set" in stacked else pd.Series("", index=stacked.index)
    comparators = {(name, t.id): t.comparator for name in dict.fromkeys(sets)
                   if isinstance(name, str) and name for t in load_set(name)}
    bounds = np.full((len(stacked), 2), np.nan)
    for i, key in enumerate(zip(sets, stacked["target"])):
        if key in comparators:
            bounds[i] = [np.nan if b is None else b for b in comparators[key].bounds]
    return pd.DataFrame(bounds, columns=["target_low", "target_high"], index=stacked.index)


def with_bounds(stacked: pd.DataFrame) -> pd.DataFrame:
    """The stacked scorecards with ``target_low`` and ``target_high`` right after ``target_value``."""
    bounds = target_bounds(stacked)
    at = list(stacked.columns).index("target_value") + 1
    out = stacked.copy()
    out.insert(at, "target_low", bounds["target_low"])
    out.insert(at + 1, "target_high", bounds["target_high"])
    return out


# ------------------------------------------------------------------ the sheets
@dataclass(frozen=True)
class Sheet:
    """A sheet: its table, the number format of each numeric column (one, or one per row), how many
    columns stay in view when scrolling right, the columns whose cells are filled by status and the
    columns whose web addresses are links."""

    frame: pd.DataFrame
    formats: Mapping[str, str | Sequence[str]] = field(default_factory=dict)
    frozen_columns: int = 1
    status_columns: tuple[str, ...] = ()
    link_columns: tuple[str, ...] = ()


def iamc_wide(table: pd.DataFrame) -> pd.DataFrame:
    """The tidy IAMC table wide by year: ``model, scenario, region, variable, unit`` and a column
    per year (ascending), one row per series in the order the series first appear; a year a
    series has no value for (a growth rate's base year, a published series' missing years) is empty."""
    keys = table[ID_COLUMNS].drop_duplicates()
    wide = table.pivot_table(index=ID_COLUMNS, columns="year", values="value", aggfunc="first", sort=True)
    wide = wide.reindex(pd.MultiIndex.from_frame(keys))
    wide.columns = [int(y) for y in wide.columns]
    return wide.reset_index()


def with_units(df: pd.DataFrame, units: Mapping[str, str]) -> pd.DataFrame:
    """``df`` with each column of ``units`` headed ``name [unit]``."""
    return df.rename(columns={c: f"{c} [{u}]" for c, u in units.items() if c in df.columns})


def target_units(stacked: pd.DataFrame) -> dict[str, str]:
    """Each target's unit, keyed as the matrices key it (:func:`model.output.comparison.target_keys`:
    ``<set>/<id>`` when the scorecards mix sets)."""
    return dict(zip(comparison.target_keys(stacked), stacked["unit"]))


def gap_matrix(stacked: pd.DataFrame) -> Sheet:
    """Scenarios x targets holding the gap, each target's header with the gap's unit (``target [pp]``)."""
    units = {k: comparison.gap_unit(u) for k, u in target_units(stacked).items()}
    frame = comparison.matrix(stacked, "gap")
    formats = {f"{k} [{u}]": number_format(u, signed=True) for k, u in units.items()}
    return Sheet(with_units(frame, units), formats)


def _row_formats(units: pd.Series, signed: bool = False) -> list[str]:
    return [number_format(u, signed) for u in units]


def scorecard_sheet(stacked: pd.DataFrame) -> Sheet:
    card = with_bounds(stacked)
    units, gap_units = card["unit"], card["unit"].map(comparison.gap_unit)
    formats = {c: _row_formats(units) for c in ("target_low", "target_high", "projected_value", "realized_value")}
    formats |= {"gap": _row_formats(gap_units, signed=True), "gap_pct": number_format("%", signed=True),
                "p_met": number_format(PROBABILITY), "p_met_se": number_format(PROBABILITY),
                "year": YEAR, "first_year_met": YEAR}
    return _headed(Sheet(card, formats, status_columns=STATUS_COLUMNS, link_columns=LINK_COLUMNS), SCORECARD_UNITS)


def _headed(sheet: Sheet, units: Mapping[str, str]) -> Sheet:
    """``sheet`` with the columns of ``units`` headed ``name [unit]`` (formats and the columns named
    by the sheet follow the new headers)."""
    head = {c: f"{c} [{u}]" for c, u in units.items() if c in sheet.frame.columns}
    return Sheet(sheet.frame.rename(columns=head), {head.get(c, c): f for c, f in sheet.formats.items()},
                 sheet.frozen_columns, tuple(head.get(c, c) for c in sheet.status_columns),
                 tuple(head.get(c, c) for c in sheet.link_columns))


def variables_sheet(table: pd.DataFrame) -> Sheet:
    """Each variable of the data sheet, in order, with its unit(s) in the table and what the codelist
    (:mod:`model.core.codelist`) says of it: description, kind, the rows that carry it."""
    rows = []
    for name, units in table.groupby("variable", sort=False)["unit"]:
        v = codelist.variable(name)
        rows.append({"variable": name, "unit": "; ".join(dict.fromkeys(units)),
                     "description": v.description if v else "not in the codelist",
                     "kind": v.kind if v else "", "rows": v.rows_text if v else ""})
    return Sheet(pd.DataFrame(rows, columns=["variable", "unit", "description", "kind", "rows"]))


def _csv(path: Path) -> pd.DataFrame:
    """A data file as it is (its loader has checked it): text as text, numbers as numbers; a file
    that cannot be read (a broken realized file fails only the backtest) gives a one-line sheet
    that says so."""
    try:
        return pd.read_csv(path, keep_default_na=False, na_values=[""])
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        return pd.DataFrame({"problem": [f"{path.name} could not be read: {exc}"]})


def _source_sheet(path: Path) -> Sheet:
    frame = _csv(path)
    formats = {c: _row_formats(frame["unit"]) for c in SOURCE_UNITS if c in frame and "unit" in frame}
    if "year" in frame:
        formats["year"] = YEAR
    return _headed(Sheet(frame, formats, link_columns=LINK_COLUMNS), SOURCE_UNITS)


def data_sheets() -> dict[str, Sheet]:
    """The assumptions and the sources, from ``model/data``."""
    return {"assumptions": _source_sheet(ASSUMPTIONS_FILE), "revenue links": _source_sheet(REVENUE_LINKS_FILE),
            "figures": _source_sheet(FIGURES_FILE), "published": _source_sheet(REALIZED_FILE)}


def sheets(table: pd.DataFrame, scorecards: Mapping[str, pd.DataFrame]) -> dict[str, Sheet]:
    """Every sheet but ``contents``, by name, in order.

    ``table``: the tidy IAMC rows of every scenario (and the published rows, if any);
    ``scorecards``: scenario -> scorecard (:data:`model.targets.scorecard.SCORECARD_COLUMNS` and more)."""
    stacked = comparison.stack(scorecards)
    wide = iamc_wide(table)
    years = [c for c in wide.columns if c not in ID_COLUMNS]
    return {
        DATA_SHEET: Sheet(wide, dict.fromkeys(years, _row_formats(wide["unit"])), frozen_columns=len(ID_COLUMNS)),
        "variables": variables_sheet(table),
        "scorecards": scorecard_sheet(stacked),
        "status matrix": Sheet(comparison.matrix(stacked, "status"),
                               status_columns=tuple(dict.fromkeys(comparison.target_keys(stacked)))),
        "gap matrix": gap_matrix(stacked),
        **data_sheets(),
    }


CONTENTS = {
    DATA_SHEET: "IAMC table, wide by year: every scenario's series (model 'Beijing Scenario Model') and the "
                "published series (model 'Beijing Statistics', scenarios 'published' and 'published (5th census)'); "
                "pyam.IamDataFrame reads this sheet",
    "variables": "each variable of the data sheet: its unit, what it is, its kind (the codelist, model/definitions)",
    "scorecards": "each scenario against each target: target (as text, and as numbers target_low, target_high), "
                  "projection, gap, status, P(met), realized outcome",
    "status matrix": "scenarios x targets: met (green), missed (red), not modelled (grey), not projected",
    "gap matrix": "scenarios x targets: projection minus target, in the unit in the header (pp: percentage points)",
    "assumptions": "model/data/assumptions.csv: every assumption, its central value and range",
    "revenue links": "model/data/revenue_links.csv: the revenue layer's parameters, ranges and sources",
    "figures": "model/data/figures.csv: the published figures the model uses, with their sources",
    "published": "model/data/realized.csv: the published outcomes 2021-2025, with their sources",
}


def contents(names: Sequence[str], run: str | None) -> pd.DataFrame:
    rows = [{"sheet": n, "content": CONTENTS.get(n, "")} for n in names]
    rows += [{"sheet": "", "content": ""},
             {"sheet": "run", "content": run or "not recorded"},
             {"sheet": "units", "content": "100 million CNY = 亿元; levels at current prices unless the variable "
                                           "says Real (2020 prices); shares in % of nominal GDP; [unit column]: "
                                           "in the unit of the row's unit column"}]
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ writing
def _cell(v):
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


def _shown_length(v) -> int:
    """About how many characters a cell shows (numbers as formatted, not at full precision)."""
    v = _cell(v)
    if v is None:
        return 0
    if isinstance(v, float):
        return len(f"{v:,.2f}") + 2
    return len(str(v))


def _write_sheet(wb: Workbook, name: str, sheet: Sheet) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink
    df = sheet.frame
    ws = wb.create_sheet(name)
    ws.append([_cell(c) for c in df.columns])
    for row in df.itertuples(index=False, name=None):
        ws.append([_cell(v) for v in row])
    bold = Font(bold=True)
    for cell in ws[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = ws.cell(row=2, column=sheet.frozen_columns + 1)
    if len(df.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(df.columns))}{len(df) + 1}"
    fills = {s: PatternFill("solid", fgColor=c.lstrip("#").upper()) for s, c in STATUS_COLOURS.items()}
    link_font = Font(**LINK_FONT)
    for i, col in enumerate(df.columns, start=1):
        cells = ws.iter_rows(min_row=2, min_col=i, max_col=i)
        fmt = sheet.formats.get(col)
        formats = [fmt] * len(df) if fmt is None or isinstance(fmt, str) else list(fmt)
        status, link = col in sheet.status_columns, col in sheet.link_columns
        for (cell,), f in zip(cells, formats):
            if f is not None and isinstance(cell.value, (int, float)):
                cell.number_format = f
            if status and cell.value in fills:
                cell.fill = fills[cell.value]
            if link and isinstance(cell.value, str) and (m := URL.search(cell.value)):
                cell.hyperlink = Hyperlink(ref=cell.coordinate, target=m.group(0))
                cell.font = link_font
        longest = max([len(str(col))] + [_shown_length(v) for v in df.iloc[:, i - 1]])
        ws.column_dimensions[get_column_letter(i)].width = max(MIN_WIDTH, min(MAX_WIDTH, longest + 2))


def _link_contents(wb: Workbook, names: Sequence[str]) -> None:
    """Each sheet's name on ``contents`` a link to that sheet's first cell."""
    from openpyxl.styles import Font
    from openpyxl.worksheet.hyperlink import Hyperlink
    ws = wb["contents"]
    for cell in ws["A"][1:len(names) + 1]:
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{cell.value}'!A1", display=cell.value)
        cell.font = Font(**LINK_FONT)


def _fixed_times(data: bytes) -> bytes:
    """The xlsx archive with its creation and modification times (document properties and zip
    entries) fixed, so the same content gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                              rb"\g<1>" + FIXED_TIME.encode() + rb"\g<3>", body)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), body,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def workbook_bytes(table: pd.DataFrame, scorecards: Mapping[str, pd.DataFrame], run: str | None = None) -> bytes:
    """The workbook (see the module's description) as the bytes of an ``.xlsx`` file."""
    parts = sheets(table, scorecards)
    from openpyxl import Workbook
    wb = Workbook()
    wb.remove(wb.active)
    _write_sheet(wb, "contents", Sheet(contents(list(parts), run)))
    _link_contents(wb, list(parts))
    for name, sheet in parts.items():
        _write_sheet(wb, name, sheet)
    buf = io.BytesIO()
    wb.save(buf)
    return _fixed_times(buf.getvalue())

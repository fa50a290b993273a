"""The batch's Excel workbook, ``results.xlsx``: the tables a reviewer reads, a sheet each.

Sheets, in order:

- ``contents``: what each sheet holds, the run id, the units;
- ``data``: the IAMC table of every scenario and the realized series, wide by year (``model,
  scenario, region, variable, unit`` and a column per year), the layout of the IAMC databases:
  ``pyam.IamDataFrame("results.xlsx")`` reads it (pyam reads every sheet whose name starts with
  ``data``, so no other sheet's does);
- ``scorecards``: every scenario's scorecard stacked, a ``scenario`` column first;
- ``status matrix``, ``gap matrix``: scenarios x targets (the gap in the target's unit, named in
  its header);
- ``assumptions``, ``revenue links``: ``model/data/assumptions.csv`` and ``revenue_links.csv``
  with their ranges;
- ``figures``, ``realized``: the published figures (``figures.csv``) and outcomes
  (``realized.csv``) with their sources.

Every sheet has a frozen header row, an autofilter and column widths fitted to its content.  The
workbook is built in memory (:func:`workbook_bytes`) with fixed timestamps, so the same tables give
the same bytes; :mod:`model.output.write` writes it.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np
import pandas as pd

if TYPE_CHECKING:             # openpyxl is imported when a workbook is written, not before
    from openpyxl import Workbook

from ..core.files import ASSUMPTIONS_FILE, FIGURES_FILE, REALIZED_FILE, REVENUE_LINKS_FILE
from ..core.iamc import IAMC_COLUMNS
from ..output import comparison

DATA_SHEET = "data"                                     # the sheet name pyam reads
ID_COLUMNS = [c for c in IAMC_COLUMNS if c not in ("year", "value")]
MAX_WIDTH = 60                                          # characters; longer text is cut off in view, not in the cell
MIN_WIDTH = 8
FIXED_TIME = "1980-01-01T00:00:00Z"                     # the earliest time a zip entry can carry
SAME_UNIT = "unit column"                               # header note: the value is in the row's unit
# Scorecard columns whose values carry a unit, and that unit (the row's own, or a fixed one).
SCORECARD_UNITS = {
    "target_value": SAME_UNIT, "projected_value": SAME_UNIT, "gap": SAME_UNIT, "gap_pct": "%",
    "p_met": "probability", "p_met_se": "probability", "realized_value": SAME_UNIT,
}
SOURCE_UNITS = {"value": SAME_UNIT, "low": SAME_UNIT, "high": SAME_UNIT}


def iamc_wide(table: pd.DataFrame) -> pd.DataFrame:
    """The tidy IAMC table wide by year: ``model, scenario, region, variable, unit`` and a column
    per year (ascending), one row per series in the order the series first appear; a year a
    series has no value for (a growth rate's base year, a realized series' missing years) is empty."""
    keys = table[ID_COLUMNS].drop_duplicates()
    wide = table.pivot_table(index=ID_COLUMNS, columns="year", values="value", aggfunc="first", sort=True)
    wide = wide.reindex(pd.MultiIndex.from_frame(keys))
    wide.columns = [int(y) for y in wide.columns]
    return wide.reset_index()


def with_units(df: pd.DataFrame, units: Mapping[str, str]) -> pd.DataFrame:
    """``df`` with each column of ``units`` headed ``name [unit]``."""
    return df.rename(columns={c: f"{c} [{u}]" for c, u in units.items() if c in df.columns})


def gap_matrix(stacked: pd.DataFrame) -> pd.DataFrame:
    """Scenarios x targets holding the gap, each target's header with its unit (``target [unit]``)."""
    units = dict(zip(stacked["target"], stacked["unit"]))
    return with_units(comparison.matrix(stacked, "gap"), units)


def _csv(path: Path) -> pd.DataFrame:
    """A data file as it is (its loader has checked it): text as text, numbers as numbers; a file
    that cannot be read (a broken realized file fails only the backtest) gives a one-line sheet
    that says so."""
    try:
        return pd.read_csv(path, keep_default_na=False, na_values=[""])
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        return pd.DataFrame({"problem": [f"{path.name} could not be read: {exc}"]})


def data_sheets() -> dict[str, pd.DataFrame]:
    """The assumptions and the sources, from ``model/data``."""
    return {
        "assumptions": with_units(_csv(ASSUMPTIONS_FILE), SOURCE_UNITS),
        "revenue links": with_units(_csv(REVENUE_LINKS_FILE), SOURCE_UNITS),
        "figures": with_units(_csv(FIGURES_FILE), SOURCE_UNITS),
        "realized": with_units(_csv(REALIZED_FILE), SOURCE_UNITS),
    }


def sheets(table: pd.DataFrame, scorecards: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every sheet but ``contents``, by name, in order.

    ``table``: the tidy IAMC rows of every scenario (and the realized rows, if any);
    ``scorecards``: scenario -> scorecard (:data:`model.targets.scorecard.SCORECARD_COLUMNS` and more)."""
    stacked = comparison.stack(scorecards)
    return {
        DATA_SHEET: iamc_wide(table),
        "scorecards": with_units(stacked, SCORECARD_UNITS),
        "status matrix": comparison.matrix(stacked, "status"),
        "gap matrix": gap_matrix(stacked),
        **data_sheets(),
    }


CONTENTS = {
    DATA_SHEET: "IAMC table, wide by year: every scenario's series (model 'Beijing Scenario Model') and the "
                "published series (model 'Beijing Statistics'); pyam.IamDataFrame reads this sheet",
    "scorecards": "each scenario against each target: target, projection, gap, status, P(met), realized outcome",
    "status matrix": "scenarios x targets: met, missed, not modelled, not projected",
    "gap matrix": "scenarios x targets: projection minus target, in the target's unit (in the header)",
    "assumptions": "model/data/assumptions.csv: every assumption, its central value and range",
    "revenue links": "model/data/revenue_links.csv: the revenue layer's parameters, ranges and sources",
    "figures": "model/data/figures.csv: the published figures the model uses, with their sources",
    "realized": "model/data/realized.csv: the published outcomes 2021-2025, with their sources",
}


def contents(names: Sequence[str], run: str | None) -> pd.DataFrame:
    rows = [{"sheet": n, "content": CONTENTS.get(n, "")} for n in names]
    rows += [{"sheet": "", "content": ""},
             {"sheet": "run", "content": run or "not recorded"},
             {"sheet": "units", "content": "100 million CNY = 亿元; levels at current prices unless the variable "
                                           "says Real (2020 prices); shares in % of nominal GDP"}]
    return pd.DataFrame(rows)


def _cell(v):
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


def _write_sheet(wb: Workbook, name: str, df: pd.DataFrame, frozen_columns: int = 0) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    ws = wb.create_sheet(name)
    ws.append([_cell(c) for c in df.columns])
    for row in df.itertuples(index=False, name=None):
        ws.append([_cell(v) for v in row])
    bold = Font(bold=True)
    for cell in ws[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = ws.cell(row=2, column=frozen_columns + 1)
    if len(df.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(df.columns))}{len(df) + 1}"
    for i, col in enumerate(df.columns, start=1):
        cells = df.iloc[:, i - 1].map(lambda v: "" if _cell(v) is None else str(v))
        longest = max([len(str(col))] + [len(s) for s in cells])
        ws.column_dimensions[get_column_letter(i)].width = max(MIN_WIDTH, min(MAX_WIDTH, longest + 2))


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
    from openpyxl import Workbook
    parts = sheets(table, scorecards)
    wb = Workbook()
    wb.remove(wb.active)
    _write_sheet(wb, "contents", contents(list(parts), run))
    for name, df in parts.items():
        _write_sheet(wb, name, df, frozen_columns=len(ID_COLUMNS) if name == DATA_SHEET else 1)
    buf = io.BytesIO()
    wb.save(buf)
    return _fixed_times(buf.getvalue())

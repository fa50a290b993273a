"""Scorecards: each target of a set judged on one scenario's tidy table (:func:`evaluate`) and, where
the outcome is published, on the record (:func:`with_realized`)."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from ..baseline.realized import MODEL_VARIABLES, bounds_the_year, realized_table
from ..targets.comparators import Largest
from .definitions import Target

MET, MISSED, NOT_MODELLED, NOT_PROJECTED = "met", "missed", "not modelled", "not projected"
STATUSES = (MET, MISSED, NOT_MODELLED, NOT_PROJECTED)
SCORECARD_COLUMNS = ("target", "description", "year", "comparator", "target_value", "projected_value", "unit",
                     "gap", "gap_pct", "status", "first_year_met", "source", "note", "target_set",
                     "target_set_sha256")


def evaluated(targets: Sequence[Target], scorecard: pd.DataFrame) -> tuple[Target, ...]:
    """The targets a scorecard evaluates (status met or missed), in the order of ``targets``."""
    keep = set(scorecard.loc[scorecard["status"].isin([MET, MISSED]), "target"])
    return tuple(t for t in targets if t.id in keep)


# ------------------------------------------------------------------ the scorecard
def _not_modelled_note(t: Target) -> str:
    if t.reason:
        return t.reason
    return "stated only qualitatively: not scored" if t.comparator.symbol == "qualitative" else \
        "the model has no series for it"


def _joined(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def evaluate(table: pd.DataFrame, targets: Sequence[Target], base_year: int | None = None) -> pd.DataFrame:
    """The scorecard of one scenario's tidy table: one row per target, in the order given.

    Columns :data:`SCORECARD_COLUMNS`.  A target of a year after the horizon gets
    status "not projected" (no value and no gap: it is never judged on an earlier
    year), and so does one whose variable has no value in its year (a five-year average
    in the first five years after the base year), and one whose variable the projection does not report (a
    series of the 2025 jump-off only, in a run from 2020); ``first_year_met`` is the first projected year in
    which the target's condition holds (empty if none).  ``note`` says why a target is not modelled or not
    projected, and how the model's series differs from the target's published scope
    (``scope: ...``, :attr:`~model.targets.definitions.Target.scope`).  ``target_set`` and
    ``target_set_sha256`` name the set and the hash of its file when ``targets`` is a
    :class:`~model.targets.sets.TargetSet` (else empty).
    """
    wide = table.pivot(index="year", columns="variable", values="value").sort_index()
    years = wide.index.to_numpy()
    projected = years > base_year if base_year is not None else np.ones(len(years), dtype=bool)
    set_name, set_hash = getattr(targets, "name", ""), getattr(targets, "sha256", "")
    rows = []
    for t in targets:
        row = {"target": t.id, "description": " ".join(str(t.description).split()), "year": t.year,
               "comparator": t.comparator.symbol, "target_value": t.comparator.text(), "projected_value": np.nan,
               "unit": t.unit, "gap": np.nan, "gap_pct": np.nan, "status": NOT_MODELLED,
               "first_year_met": pd.NA, "source": t.source, "note": "", "target_set": set_name,
               "target_set_sha256": set_hash}
        missing = [v for v in t.variables if v not in wide.columns]
        if not t.modelled:
            row["note"] = _not_modelled_note(t)
        elif missing:       # a series of a later jump-off only (the satellites, the digital economy)
            row["status"] = NOT_PROJECTED
            row["note"] = (f"{missing[0]} is not projected from this base year (it starts from the 2025 jump-off): "
                           "not evaluated")
        else:
            row["note"] = f"scope: {t.scope}" if t.scope else ""
            e = t.evaluate({v: wide[v].to_numpy(dtype=float) for v in t.variables})
            met = e.met & projected
            if met.any():
                row["first_year_met"] = int(years[np.argmax(met)])
            row["status"] = NOT_PROJECTED
            i = int(np.flatnonzero(years == t.year)[0]) if t.year in years[projected] else None
            if i is not None and np.isfinite(e.value[i]):
                row.update(projected_value=e.value[i], gap=e.gap[i], gap_pct=e.gap_pct[i],
                           status=MET if e.met[i] else MISSED)
            elif i is not None:
                first = int(years.min()) if base_year is None else base_year
                row["note"] = _joined(f"{t.variable} is not defined in {t.year}: it needs years before {first}; "
                                      "not evaluated", row["note"])
            else:
                row["note"] = _joined(f"target year {t.year} is after the horizon {int(years.max())}: not evaluated"
                                      if t.year > years.max() else f"target year {t.year} is not a projected year",
                                      row["note"])
        rows.append(row)
    out = pd.DataFrame(rows, columns=list(SCORECARD_COLUMNS))
    out["first_year_met"] = out["first_year_met"].astype("Int64")
    return out


# ------------------------------------------------------------------ the plan scored on outcomes
NOT_PUBLISHED = "not published"
REALIZED_STATUSES = (MET, MISSED, NOT_PUBLISHED)
RECORD_COLUMNS = ("realized_value", "realized_status", "realized_source", "realized_note")
LOWER_BOUND = "lower bound"       # how realized.csv's definition column marks an "over X" figure


def _published(table, variable: str, year: int):
    """The latest annual release of ``variable`` for ``year`` in the realized table, whatever
    its census basis, or None (:data:`model.baseline.realized.MODEL_VARIABLES` names the variables)."""
    keys = [k for k, v in MODEL_VARIABLES.items() if v == variable]
    found = [o for k in keys for o in (table.latest(k, year),) if o is not None]
    return max(found, key=lambda o: (o.released, o.line)) if found else None


def _partial_bound(table, variable: str, year: int):
    """The highest partial-year level of ``variable``'s own measure for ``year`` (a flow cumulated from
    January, 100 million CNY: a lower bound of the year's; a partial-year share or rate bounds nothing), or None."""
    found = [o for k, v in MODEL_VARIABLES.items() if v == variable for o in table.select(k, None)
             if o.year == year and o.period != "annual" and bounds_the_year(o)]
    return max(found, key=lambda o: (o.value, o.released, o.line)) if found else None


def _source(o) -> str:
    return f"{o.publisher}; {o.document}; {o.url}; {o.vintage}"


def _basis(o) -> str:
    return f"{o.census_basis}-census basis"


def realized_row(t: Target, table) -> dict:
    """One target judged by the published figure of its year: :data:`RECORD_COLUMNS`.

    The figure is the latest annual release of the target's variable for the target year,
    whatever its census basis (the note names the basis).  Without one, a partial-year figure of the
    same measure (a cumulative flow from January) is a lower bound of the year's: it decides only a
    ``>=`` target it already meets (met).

    - definition ``same``: the target's own comparator decides, met or missed;
    - a lower bound ("over X", definition starting ``lower bound``): decisive only for a
      ``>=`` target it already meets (met); otherwise not published;
    - any other differing definition: not published on the target's definition; the
      figure and the difference are given in the note, never mapped silently;
    - ``rank``: the levels of the target year within the census basis of the target's
      own figure; one published other sector above it decides "missed", "met" needs every
      other sector published.
    """
    row = {"realized_value": np.nan, "realized_status": NOT_PUBLISHED, "realized_source": "", "realized_note": ""}
    if not t.modelled:
        row["realized_note"] = "no published series on the target's definition in model/data/realized.csv"
        return row
    o = _published(table, t.variable, t.year)
    if o is None:
        row["realized_note"] = f"no annual {t.year} figure published (model/data/realized.csv)"
        part = _partial_bound(table, t.variable, t.year)
        meets = part is not None and t.comparator.symbol == ">=" and \
            bool(t.comparator.evaluate(np.array([part.value])).met[0])
        if meets:
            row.update(realized_value=part.value, realized_source=_source(part), realized_status=MET,
                       realized_note=f"{part.period} {t.year} alone already meets the target: {part.value:g}, a lower "
                                     f"bound of the year's ({part.status}, {_basis(part)}); {part.definition}")
        elif part is not None:
            row["realized_note"] += f"; {part.period} {t.year}: {part.value:g}, a lower bound that decides nothing"
        return row
    row.update(realized_value=o.value, realized_source=_source(o))
    where = f"{o.status}, {_basis(o)}"
    if o.definition.startswith(LOWER_BOUND):
        e = t.comparator.evaluate(np.array([o.value]))
        if t.comparator.symbol == ">=" and bool(e.met[0]):
            row.update(realized_status=MET, realized_note=f"over {o.value:g}: a lower bound that already meets "
                                                          f"the target ({where}); {o.definition}")
        else:
            row["realized_note"] = f"over {o.value:g}: a lower bound, not a level, decides nothing ({where}); " \
                                   f"{o.definition}"
        return row
    if o.definition != "same":
        row["realized_note"] = f"not judged: the published definition differs from the target's ({where}); " \
                               f"{o.definition}"
        return row
    if isinstance(t.comparator, Largest):
        return _realized_rank(t, table, o, row, where)
    e = t.evaluate({t.variable: np.array([o.value])})
    row.update(realized_status=MET if bool(e.met[0]) else MISSED, realized_note=where)
    return row


def _realized_rank(t: Target, table, o, row: dict, where: str) -> dict:
    """``rank`` judged on the published levels of the target year, within ``o``'s census basis."""
    others = {}
    for v in t.comparator.others:
        p = _published(table, v, t.year)
        if p is not None and p.census_basis == o.census_basis and p.definition == "same":
            others[v] = p.value
    missing = [v for v in t.comparator.others if v not in others]
    if others:
        e = t.evaluate({t.variable: np.array([o.value]), **{v: np.array([others.get(v, -np.inf)])
                                                            for v in t.comparator.others}})
        if not bool(e.met[0]):
            top = max(others, key=others.get)
            row.update(realized_status=MISSED,
                       realized_note=f"{top} {others[top]:g} above {o.value:g} ({where})")
            return row
    if missing:
        row["realized_note"] = (f"largest of those published ({where}), but not published for "
                                f"{t.year}: {', '.join(missing)}")
        return row
    row.update(realized_status=MET, realized_note=f"largest of every sector compared ({where})")
    return row


def with_realized(scorecard: pd.DataFrame, targets: Sequence[Target], table=None) -> pd.DataFrame:
    """``scorecard`` (:func:`evaluate`) with :data:`RECORD_COLUMNS` appended: each target judged
    by the published figure of its year (:func:`realized_row`; ``table`` defaults to
    :func:`model.baseline.realized.realized_table`, read only when there are targets to judge).  Rows are
    matched by target id; the others are kept as given, with the realized columns blank ("not published")."""
    if table is None and targets:
        table = realized_table()
    by_id = {t.id: realized_row(t, table) for t in targets}
    blank = {"realized_value": np.nan, "realized_status": NOT_PUBLISHED, "realized_source": "", "realized_note": ""}
    rows = [by_id.get(i, blank) for i in scorecard["target"]]
    out = scorecard.copy()
    for c in RECORD_COLUMNS:
        out[c] = [r[c] for r in rows]
    out["realized_value"] = out["realized_value"].astype(float)
    return out

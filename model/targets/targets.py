"""Plan targets (``model/data/targets.yaml`` and the other sets of :mod:`model.targets.sets`):
reading, checking, scorecards.

:func:`load_targets` reads the file once into frozen :class:`Target` objects,
after checking every entry; every problem is collected with its line
(:class:`model.core.problems.Problem`) and reported together (:class:`TargetsError`).
What a comparator means (when a target is met, its gap, its label) lives in
:mod:`model.targets.comparators`; :meth:`Target.evaluate` is the one evaluation the
scorecard, the Monte Carlo, the sensitivity analysis and goal-seeking share.

Every modelled target names its ``levers``: the sector keys whose growth
goal-seeking (:mod:`model.analysis.goalseek`) varies to meet it; it may name a
``lever_pair``, the two sectors of its two-lever map (:mod:`model.analysis.levers`).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..core.problems import Checker, Problem
from ..core.sectors import KEYS
from ..core.yamlio import YamlProblem, read_yaml
from ..targets.comparators import COMPARATORS, Comparator, Evaluation, Largest

TARGETS_FILE = Path(__file__).resolve().parents[1] / "data" / "targets.yaml"
COMMON = ("id", "description", "comparator", "unit", "year", "publisher", "document", "url")
MODELLED = ("variable", "levers")           # required on every modelled target, refused on the others
LEVER_PAIR = "lever_pair"                   # optional on a modelled target: the two sectors of its lever map
MET, MISSED, NOT_MODELLED, NOT_PROJECTED = "met", "missed", "not modelled", "not projected"
STATUSES = (MET, MISSED, NOT_MODELLED, NOT_PROJECTED)
SCORECARD_COLUMNS = ("target", "description", "year", "comparator", "target_value", "projected_value", "unit",
                     "gap", "gap_pct", "status", "first_year_met", "source", "note", "target_set",
                     "target_set_sha256")


@dataclass(frozen=True)
class Target:
    """One plan target.  ``variable`` and ``levers`` are empty on a target that is not modelled."""

    id: str
    comparator: Comparator
    year: int
    unit: str
    variable: str | None = None
    levers: tuple[str, ...] = ()
    lever_pair: tuple[str, ...] = ()
    description: str = ""
    publisher: str = ""
    document: str = ""
    url: str = ""
    reason: str = ""            # why a target is not modelled (or what a qualitative one states)

    @property
    def modelled(self) -> bool:
        return self.comparator.modelled

    @property
    def variables(self) -> tuple[str, ...]:
        """Every variable the evaluation reads, the target's own first (none when not modelled)."""
        return (self.variable, *self.comparator.reads()) if self.modelled else ()

    def evaluate(self, values: Mapping[str, np.ndarray]) -> Evaluation:
        """The target on ``values``: ``variable -> array`` holding :attr:`variables`, all of one
        shape (years, draws, ...); element-wise (:meth:`model.targets.comparators.Comparator.evaluate`)."""
        if not self.modelled:
            raise ValueError(f"target {self.id!r} is not modelled: there is nothing to evaluate")
        return self.comparator.evaluate(values[self.variable], values)

    @property
    def source(self) -> str:
        return f"{self.publisher}; {self.document}; {self.url}"


class TargetsError(ValueError):
    """The targets file cannot be used; ``problems`` lists every reason, in file order."""

    def __init__(self, problems):
        self.problems = tuple(sorted(problems, key=lambda p: p.line or 0))
        super().__init__("\n".join(str(p) for p in self.problems))


# ------------------------------------------------------------------ reading and checking
class _EntryChecker(Checker):
    """A :class:`~model.core.problems.Checker` for the list of targets: each problem is placed at
    the line of its key and named by the entry, ``target 2 (manufacturing_share)``."""

    def __init__(self, file: str, lines: Mapping[tuple, int], entries: list):
        super().__init__(file, lines)
        self.entries = entries

    def at(self, path: tuple, message: str = "") -> Problem:
        problem = super().at(path, message)
        if not path:
            return problem
        entry = self.entries[path[0]]
        ident = entry.get("id", "?") if isinstance(entry, dict) else "?"
        return dataclasses.replace(problem, path=f"target {path[0]} ({ident})")


def check_levers(levers: object) -> list[str]:
    """Problems of a modelled target's ``levers``: a non-empty list of distinct sector keys
    (:data:`model.core.sectors.KEYS`)."""
    if not isinstance(levers, list) or not levers or not all(isinstance(k, str) for k in levers):
        return [f"levers {levers!r} is not a non-empty list of sector keys"]
    problems = [f"levers: unknown sector {k!r}; known: {', '.join(KEYS)}" for k in levers if k not in KEYS]
    problems += [f"levers: sector {k!r} is listed twice" for k in sorted({k for k in levers if levers.count(k) > 1},
                                                                         key=str)]
    return problems


def check_lever_pair(pair: object) -> list[str]:
    """Problems of a ``lever_pair``: two distinct sector keys (:data:`model.core.sectors.KEYS`)."""
    if not isinstance(pair, list) or len(pair) != 2 or not all(isinstance(k, str) for k in pair):
        return [f"lever_pair {pair!r} is not a list of two sector keys"]
    problems = [f"lever_pair: unknown sector {k!r}; known: {', '.join(KEYS)}" for k in pair if k not in KEYS]
    if pair[0] == pair[1]:
        problems.append(f"lever_pair: sector {pair[0]!r} is listed twice")
    return problems


def _check_entry(c: _EntryChecker, i: int, t: object) -> Target | None:
    """The target of entry ``i``, or None after recording its problems in ``c``."""
    if not isinstance(t, dict):
        c.error((i,), f"expected a mapping, got {type(t).__name__}")
        return None
    before = len(c.problems)
    kind = COMPARATORS.get(t.get("comparator")) if isinstance(t.get("comparator"), str) else None
    if kind is None:
        c.error((i, "comparator"), f"comparator {t.get('comparator')!r} not in {list(COMPARATORS)}")
    required = COMMON + ((MODELLED if kind.modelled else ()) + kind.fields if kind else ())
    for k in required:
        if k not in t:
            c.error((i,), f"lacks {k!r}")
    if kind is not None:
        allowed = required + kind.optional + ((LEVER_PAIR,) if kind.modelled else ())
        for k in t:
            if k in MODELLED + (LEVER_PAIR,) and not kind.modelled:
                c.error((i, k), f"{k} given on a not_modelled target (it has no variable to move)")
            elif k not in allowed:
                c.unknown((i,), k, allowed)
    for k in ("id", "description", "unit", "publisher", "document", "url", "variable", "reason"):
        if k in t and (k in required or k == "reason") and (not isinstance(t[k], str) or not t[k].strip()):
            c.error((i, k), f"{k} {t[k]!r} is not a non-empty text")
    if "year" in t and (isinstance(t["year"], bool) or not isinstance(t["year"], int)):
        c.error((i, "year"), f"year {t['year']!r} is not a whole number")
    if kind is not None and kind.modelled and "levers" in t:
        for message in check_levers(t["levers"]):
            c.error((i, "levers"), message)
    if kind is not None and kind.modelled and LEVER_PAIR in t:
        for message in check_lever_pair(t[LEVER_PAIR]):
            c.error((i, LEVER_PAIR), message)
    if kind is not None and all(k in t for k in kind.fields):
        for key, message in kind.problems(t):
            c.error((i, key), message)
    if len(c.problems) > before:
        return None
    return Target(id=t["id"], comparator=kind.from_entry(t), year=t["year"], unit=t["unit"],
                  variable=t.get("variable"), levers=tuple(t.get("levers", ())),
                  lever_pair=tuple(t.get(LEVER_PAIR, ())), description=t["description"],
                  publisher=t["publisher"], document=t["document"], url=t["url"],
                  reason=" ".join(str(t.get("reason", "")).split()))


def parse_targets(entries: object, name: str = TARGETS_FILE.name,
                  lines: Mapping[tuple, int] | None = None) -> tuple[Target, ...]:
    """The targets of a list of entries as read from ``name`` (``lines``: key path -> line).

    Raises :class:`TargetsError` listing every problem of every entry.
    """
    if not isinstance(entries, list):
        raise TargetsError([Problem(name, None, "", "expected a list of targets")])
    c = _EntryChecker(name, lines or {}, entries)
    targets = [_check_entry(c, i, t) for i, t in enumerate(entries)]
    first: dict[object, int] = {}
    for i, t in enumerate(entries):
        ident = t.get("id") if isinstance(t, dict) else None
        if isinstance(ident, str) and ident in first:
            c.error((i, "id"), f"duplicate id {ident!r} (also target {first[ident]})")
        first.setdefault(ident, i)
    if c.problems:
        raise TargetsError(c.problems)
    return tuple(targets)


def read_targets(path: Path) -> tuple[Target, ...]:
    """The targets of the file ``path``, each checked; raises :class:`TargetsError`."""
    try:
        entries, lines = read_yaml(Path(path).read_bytes())
    except YamlProblem as exc:
        raise TargetsError([Problem(Path(path).name, exc.line, "", exc.message)]) from None
    return parse_targets(entries, Path(path).name, lines)


@lru_cache(maxsize=None)
def load_targets(path: Path = TARGETS_FILE) -> tuple[Target, ...]:
    """The targets of ``path`` (default: the plan's), read and checked once; frozen, so shared safely."""
    return read_targets(path)


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


def evaluate(table: pd.DataFrame, targets: Sequence[Target], base_year: int | None = None) -> pd.DataFrame:
    """The scorecard of one scenario's tidy table: one row per target, in the order given.

    Columns :data:`SCORECARD_COLUMNS`.  A target of a year after the horizon gets
    status "not projected" (no value and no gap: it is never judged on an earlier
    year), and so does one whose variable has no value in its year (a five-year average
    in the first five years after the base year); ``first_year_met`` is the first projected year in which the target's
    condition holds (empty if none).  ``note`` says why a target is not modelled or not
    projected.  ``target_set`` and ``target_set_sha256`` name the set and the hash of its
    file when ``targets`` is a :class:`~model.targets.sets.TargetSet` (else empty).
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
        if not t.modelled:
            row["note"] = _not_modelled_note(t)
        else:
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
                row["note"] = f"{t.variable} is not defined in {t.year}: it needs years before {first}; not evaluated"
            else:
                row["note"] = (f"target year {t.year} is after the horizon {int(years.max())}: not evaluated"
                               if t.year > years.max() else f"target year {t.year} is not a projected year")
        rows.append(row)
    out = pd.DataFrame(rows, columns=list(SCORECARD_COLUMNS))
    out["first_year_met"] = out["first_year_met"].astype("Int64")
    return out


# ------------------------------------------------------------------ the plan scored on outcomes
NOT_PUBLISHED = "not published"
REALIZED_STATUSES = (MET, MISSED, NOT_PUBLISHED)
REALIZED_COLUMNS = ("realized_value", "realized_status", "realized_source", "realized_note")
LOWER_BOUND = "lower bound"       # how realized.csv's definition column marks an "over X" figure


def _published(table, variable: str, year: int):
    """The latest annual release of ``variable`` for ``year`` in the realized table, whatever
    its census basis, or None (:data:`model.baseline.realized.MODEL_VARIABLES` names the variables)."""
    from ..baseline.realized import MODEL_VARIABLES
    keys = [k for k, v in MODEL_VARIABLES.items() if v == variable]
    found = [o for k in keys for o in (table.latest(k, year),) if o is not None]
    return max(found, key=lambda o: (o.released, o.line)) if found else None


def _partial_bound(table, variable: str, year: int):
    """The highest partial-year level of ``variable``'s own measure for ``year`` (a flow cumulated from
    January, 100 million CNY: a lower bound of the year's; a partial-year share or rate bounds nothing), or None."""
    from ..baseline.realized import MODEL_VARIABLES, bounds_the_year
    found = [o for k, v in MODEL_VARIABLES.items() if v == variable for o in table.select(k, None)
             if o.year == year and o.period != "annual" and bounds_the_year(o)]
    return max(found, key=lambda o: (o.value, o.released, o.line)) if found else None


def _source(o) -> str:
    return f"{o.publisher}; {o.document}; {o.url}; {o.vintage}"


def _basis(o) -> str:
    return f"{o.census_basis}-census basis"


def realized_row(t: Target, table) -> dict:
    """One target judged by the published figure of its year: :data:`REALIZED_COLUMNS`.

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
    """``scorecard`` (:func:`evaluate`) with :data:`REALIZED_COLUMNS` appended: each target judged
    by the published figure of its year (:func:`realized_row`; ``table`` defaults to
    :func:`model.baseline.realized.realized`, read only when there are targets to judge).  Rows are
    matched by target id; the others are kept as given, with the realized columns blank ("not published")."""
    if table is None and targets:
        from ..baseline.realized import realized
        table = realized()
    by_id = {t.id: realized_row(t, table) for t in targets}
    blank = {"realized_value": np.nan, "realized_status": NOT_PUBLISHED, "realized_source": "", "realized_note": ""}
    rows = [by_id.get(i, blank) for i in scorecard["target"]]
    out = scorecard.copy()
    for c in REALIZED_COLUMNS:
        out[c] = [r[c] for r in rows]
    out["realized_value"] = out["realized_value"].astype(float)
    return out

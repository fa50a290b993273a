"""The plan's quantified 2025 targets (``model/data/targets.yaml``) and their evaluation.

Comparators (all boundaries inclusive):

==============  ==========================================  ==============================
comparator      met when                                    gap (in the target's unit)
==============  ==========================================  ==============================
``>=``          projected >= value                          projected - value
``~``           value - tolerance <= projected <= value +   projected - value
                tolerance
``range``       low <= projected <= high                    0 inside, else projected - the
                                                            nearest bound
``rank``        variable >= every other of ``among``        variable - largest other
                (it is the largest; a tie counts)
``not_modelled`` never evaluated: status "not modelled"     none
==============  ==========================================  ==============================

``gap_pct`` is the gap in percent of the reference it is measured from (value, bound
or largest other).

Every modelled target names its ``levers``: the sector keys whose growth
goal-seeking (:mod:`model.goalseek`) varies to meet it.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd
import yaml

from .sectors import KEYS

TARGETS_FILE = Path(__file__).resolve().parent / "data" / "targets.yaml"
COMMON = ("id", "description", "comparator", "unit", "year", "publisher", "document", "url")
NEEDS: dict[str, tuple[str, ...]] = {
    ">=": ("variable", "value", "levers"),
    "~": ("variable", "value", "tolerance", "levers"),
    "range": ("variable", "low", "high", "levers"),
    "rank": ("variable", "among", "levers"),
    "not_modelled": ("value",),
}
MET, MISSED, NOT_MODELLED, NOT_PROJECTED = "met", "missed", "not modelled", "not projected"
STATUSES = (MET, MISSED, NOT_MODELLED, NOT_PROJECTED)
SCORECARD_COLUMNS = ("target", "description", "year", "comparator", "target_value", "projected_value", "unit",
                     "gap", "gap_pct", "status", "first_year_met", "source")


# ------------------------------------------------------------------ definitions
def check_target(t: object) -> list[str]:
    """Every problem of one target entry (empty when it is well formed)."""
    if not isinstance(t, dict):
        return [f"expected a mapping, got {type(t).__name__}"]
    comparator = t.get("comparator")
    if comparator not in NEEDS:
        return [f"comparator {comparator!r} not in {list(NEEDS)}"]
    missing = [f"lacks {k!r}" for k in COMMON + NEEDS[comparator] if k not in t]
    numbers = [k for k in ("value", "tolerance", "low", "high") if k in NEEDS[comparator]]
    problems = missing + [f"{k} {t[k]!r} is not a number" for k in numbers if k in t
                          and (isinstance(t[k], bool) or not isinstance(t[k], (int, float)))]
    numeric = len(problems) == len(missing) and all(k in t for k in numbers)
    if comparator == "~" and numeric and t["tolerance"] < 0:
        problems.append(f"tolerance {t['tolerance']} is negative")
    if comparator == "range" and numeric and t["low"] > t["high"]:
        problems.append(f"low {t['low']} above high {t['high']}")
    if comparator == "rank" and "among" in t and t.get("variable") not in t["among"]:
        problems.append(f"variable {t.get('variable')!r} is not one of `among`")
    if "levers" in t:
        problems += check_levers(t["levers"], comparator)
    return problems


def check_levers(levers: object, comparator: str) -> list[str]:
    """Problems of a target's ``levers``: a non-empty list of distinct sector keys
    (:data:`model.sectors.KEYS`), and only on a modelled target."""
    if comparator == "not_modelled":
        return ["levers given on a not_modelled target (it has no variable to move)"]
    if not isinstance(levers, list) or not levers:
        return [f"levers {levers!r} is not a non-empty list of sector keys"]
    problems = [f"levers: unknown sector {k!r}; known: {', '.join(KEYS)}" for k in levers if k not in KEYS]
    problems += [f"levers: sector {k!r} is listed twice" for k in sorted({k for k in levers if levers.count(k) > 1},
                                                                         key=str)]
    return problems


def parse_targets(entries: object, name: str = TARGETS_FILE.name) -> tuple[dict, ...]:
    """Checked target entries; raises ``ValueError`` listing every problem of every entry."""
    if not isinstance(entries, list):
        raise ValueError(f"{name}: expected a list of targets")
    problems = [f"{name}: target {i} ({t.get('id', '?') if isinstance(t, dict) else '?'}): {p}"
                for i, t in enumerate(entries) for p in check_target(t)]
    ids = [t.get("id") for t in entries if isinstance(t, dict)]
    problems += [f"{name}: duplicate id {i!r}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    if problems:
        raise ValueError("; ".join(problems))
    return tuple(entries)


@lru_cache(maxsize=None)
def load_targets(path: Path = TARGETS_FILE) -> tuple[dict, ...]:
    """The target entries of ``path`` (read once), each checked (:func:`check_target`)."""
    return parse_targets(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)


# ------------------------------------------------------------------ semantics
def at_least(projected: np.ndarray, value: float) -> np.ndarray:
    """``projected >= value``, element-wise (inclusive)."""
    return np.asarray(projected) >= value


def within(projected: np.ndarray, low: float, high: float) -> np.ndarray:
    """``low <= projected <= high``, element-wise (inclusive)."""
    projected = np.asarray(projected)
    return (low <= projected) & (projected <= high)


def about(projected: np.ndarray, value: float, tolerance: float) -> np.ndarray:
    """``value - tolerance <= projected <= value + tolerance``, element-wise (inclusive)."""
    return within(projected, value - tolerance, value + tolerance)


def is_largest(projected: np.ndarray, others: np.ndarray) -> np.ndarray:
    """``projected`` at least as large as every column of ``others`` ``(n, k)`` (a tie counts)."""
    return np.asarray(projected) >= np.asarray(others).max(axis=-1)


def reference_and_met(t: Mapping, x: np.ndarray, others: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """What the gap is measured from, and whether the target holds, element-wise.

    ``x`` is the target's variable, any shape (years, draws, ...); ``others`` is
    ``x.shape + (k,)``, the other variables of ``among`` (``rank`` only).  The
    reference is the value, the nearest range bound, or the largest other variable.
    Pure: the array form of :func:`condition`, for sampled or goal-sought values.
    """
    x = np.asarray(x, dtype=float)
    c = t["comparator"]
    if c == ">=":
        return np.full_like(x, t["value"]), at_least(x, t["value"])
    if c == "~":
        return np.full_like(x, t["value"]), about(x, t["value"], t["tolerance"])
    if c == "range":
        nearest = np.where(x < t["low"], t["low"], np.where(x > t["high"], t["high"], x))
        return nearest, within(x, t["low"], t["high"])
    if c == "rank":
        return np.asarray(others, dtype=float).max(axis=-1), is_largest(x, others)
    raise ValueError(f"comparator {c!r} has no condition")


def gap_values(t: Mapping, x: np.ndarray, others: np.ndarray | None = None) -> np.ndarray:
    """The gap in the target's unit, element-wise: ``x - reference`` (:func:`reference_and_met`)."""
    return np.asarray(x, dtype=float) - reference_and_met(t, x, others)[0]


def rank_others(t: Mapping) -> list[str]:
    """The variables a ``rank`` target's variable is compared with (empty for other comparators)."""
    return [v for v in t.get("among", ()) if v != t["variable"]]


def condition(t: Mapping, wide: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Projected values, references and whether the target holds, each ``(n_years,)``.

    ``wide`` is one scenario's table as years × variables.  The reference is what the gap
    is measured from: the value, the nearest range bound, or the largest other variable.
    """
    x = wide[t["variable"]].to_numpy(dtype=float)
    others = wide[rank_others(t)].to_numpy(dtype=float) if t["comparator"] == "rank" else None
    reference, met = reference_and_met(t, x, others)
    return x, reference, met


# ------------------------------------------------------------------ evaluation
def target_text(t: Mapping) -> str:
    """The target as a reviewer reads it: ``30``, ``13 ± 1``, ``4-5``, ``largest``."""
    c = t["comparator"]
    if c == "~":
        return f"{t['value']:g} ± {t['tolerance']:g}"
    if c == "range":
        return f"{t['low']:g}-{t['high']:g}"
    if c == "rank":
        return "largest"
    return f"{t['value']:g}"


def source_text(t: Mapping) -> str:
    return f"{t['publisher']}; {t['document']}; {t['url']}"


def evaluate(table: pd.DataFrame, targets: tuple[Mapping, ...] | list[Mapping]) -> pd.DataFrame:
    """The scorecard of one scenario's tidy table: one row per target, in file order.

    Columns :data:`SCORECARD_COLUMNS`.  A target of a year after the horizon gets
    status "not projected"; ``first_year_met`` is the first projected year in which
    the target holds (empty if none).
    """
    wide = table.pivot(index="year", columns="variable", values="value").sort_index()
    rows = []
    for t in targets:
        row = {"target": t["id"], "description": " ".join(str(t["description"]).split()), "year": t["year"],
               "comparator": t["comparator"], "target_value": target_text(t), "projected_value": np.nan,
               "unit": t["unit"], "gap": np.nan, "gap_pct": np.nan, "status": NOT_MODELLED,
               "first_year_met": pd.NA, "source": source_text(t)}
        if t["comparator"] != "not_modelled":
            x, reference, met = condition(t, wide)
            years = wide.index.to_numpy()
            if met.any():
                row["first_year_met"] = int(years[np.argmax(met)])
            row["status"] = NOT_PROJECTED
            if t["year"] in years:
                i = int(np.flatnonzero(years == t["year"])[0])
                gap = x[i] - reference[i]
                row.update(projected_value=x[i], gap=gap, status=MET if met[i] else MISSED,
                           gap_pct=100.0 * gap / reference[i] if reference[i] else np.nan)
        rows.append(row)
    out = pd.DataFrame(rows, columns=list(SCORECARD_COLUMNS))
    out["first_year_met"] = out["first_year_met"].astype("Int64")
    return out

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
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd
import yaml

TARGETS_FILE = Path(__file__).resolve().parent / "data" / "targets.yaml"
COMMON = ("id", "description", "comparator", "unit", "year", "publisher", "document", "url")
NEEDS: dict[str, tuple[str, ...]] = {
    ">=": ("variable", "value"),
    "~": ("variable", "value", "tolerance"),
    "range": ("variable", "low", "high"),
    "rank": ("variable", "among"),
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
    problems = [f"lacks {k!r}" for k in COMMON + NEEDS[comparator] if k not in t]
    numbers = [k for k in ("value", "tolerance", "low", "high") if k in NEEDS[comparator] and k in t]
    problems += [f"{k} {t[k]!r} is not a number" for k in numbers
                 if isinstance(t[k], bool) or not isinstance(t[k], (int, float))]
    if comparator == "~" and not problems and t["tolerance"] < 0:
        problems.append(f"tolerance {t['tolerance']} is negative")
    if comparator == "range" and not problems and t["low"] > t["high"]:
        problems.append(f"low {t['low']} above high {t['high']}")
    if comparator == "rank" and "among" in t and t.get("variable") not in t["among"]:
        problems.append(f"variable {t.get('variable')!r} is not one of `among`")
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


def condition(t: Mapping, wide: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Projected values, references and whether the target holds, each ``(n_years,)``.

    ``wide`` is one scenario's table as years × variables.  The reference is what the gap
    is measured from: the value, the nearest range bound, or the largest other variable.
    """
    x = wide[t["variable"]].to_numpy(dtype=float)
    c = t["comparator"]
    if c == ">=":
        return x, np.full_like(x, t["value"]), at_least(x, t["value"])
    if c == "~":
        return x, np.full_like(x, t["value"]), about(x, t["value"], t["tolerance"])
    if c == "range":
        nearest = np.where(x < t["low"], t["low"], np.where(x > t["high"], t["high"], x))
        return x, nearest, within(x, t["low"], t["high"])
    if c == "rank":
        others = wide[[v for v in t["among"] if v != t["variable"]]].to_numpy(dtype=float)
        return x, others.max(axis=-1), is_largest(x, others)
    raise ValueError(f"comparator {c!r} has no condition")


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

"""Sensitivity figures: functions ``(table, ..., ax=None) -> ax``.  They never save or show.

Importing this module changes no matplotlib setting.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

LOW_COLOUR, HIGH_COLOUR = "#1b6ca8", "#d1495b"


def _parameter_label(r) -> str:
    """``growth.ict  [-2 to +2 pp]``: the input and its range (shifts signed)."""
    shift = str(r.parameter_unit).startswith("pp")
    unit = "pp" if shift else ("" if r.parameter_unit == "dimensionless" else r.parameter_unit)
    form = "{:+g}" if shift else "{:g}"
    return f"{r.parameter}  [{form.format(r.low_value)} to {form.format(r.high_value)}{' ' + unit if unit else ''}]"


def plot_tornado(table: pd.DataFrame, target: str, ax: plt.Axes | None = None, top: int = 10) -> plt.Axes:
    """One target's one-at-a-time swings as a tornado, largest at the top.

    ``table`` is :func:`model.analysis.sensitivity.tornado`'s output.  Each input is a
    horizontal bar from the scenario's own gap (solid line) to the gap at the low
    end of its range (blue) and at the high end (red); the target's boundary
    (gap 0) is dashed.  Labels give each input's range; the x axis is the gap in
    the target's unit.  Only the ``top`` inputs by swing are drawn, and only those
    with a swing (inputs that cannot move the target are left out).
    """
    rows = table[table["target"] == target]
    if rows.empty:
        raise KeyError(f"no target {target!r} in the tornado table")
    rows = rows[rows["swing"] > 0].sort_values("swing", ascending=False, kind="stable").head(top)
    ax = ax or plt.figure(figsize=(10, 0.45 * len(rows) + 2.0)).add_subplot()
    base = float(rows["base_gap"].iloc[0])
    y = np.arange(len(rows))[::-1]
    ax.barh(y, rows["gap_low"] - base, left=base, color=LOW_COLOUR, height=0.6, label="low end of the range")
    ax.barh(y, rows["gap_high"] - base, left=base, color=HIGH_COLOUR, height=0.6, alpha=0.8,
            label="high end of the range")
    ax.axvline(base, color="0.15", lw=1.0)
    ax.axvline(0.0, color="0.4", lw=0.9, ls="--")
    ax.set_yticks(y, [_parameter_label(r) for r in rows.itertuples()], fontsize=8)
    unit = rows["unit"].iloc[0]
    own = f"{base:+,.0f}" if abs(base) >= 100 else f"{base:+.3g}"
    ax.set_xlabel(f"gap to the target ({'percentage points' if unit == '%' else unit})\n"
                  f"solid line: the scenario's own gap ({own}); dashed: the target's boundary", fontsize=8)
    ax.set_title(f"Gap to target {target}: each input at the low and high end of its range,\n"
                 f"the others at the scenario's values (the {len(rows)} largest swings)", fontsize=9)
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right", fontsize=7, frameon=False)
    return ax

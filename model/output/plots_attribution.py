"""Attribution and lever-map figures: functions ``(..., ax=None) -> ax``.  They never save or show.

Importing this module changes no matplotlib setting.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..analysis.levers import LeverMap

UP_COLOUR, DOWN_COLOUR, TOTAL_COLOUR = "#2a9d8f", "#d1495b", "0.35"
MAP_COLOURS = ("#1b6ca8", "#d1495b", "#2a9d8f", "#e9a03b", "#7b4f9d", "#6c757d")
HEADLINE_TARGETS = ("hightech_share", "manufacturing_share", "finance_first_pillar")


def plot_waterfall(table: pd.DataFrame, target: str, ax: plt.Axes | None = None, kind: str = "input",
                   top: int = 8) -> plt.Axes:
    """One target's change from its reference as a waterfall of the contributions of one ``kind``.

    ``table`` is :func:`model.analysis.attribution.attribute`'s output.  Bars start at 0 (the
    reference value) and each adds its contribution (green up, red down), largest
    first; the ``top`` largest are drawn, the rest summed into one bar, and the last
    bar (grey) is the total change, scenario value minus reference value.  Contributions
    below 1e-9 of the largest (rounding, e.g. a common deflator on a share) are not drawn.
    """
    rows = table[(table["target"] == target) & (table["kind"] == kind)]
    if rows.empty:
        raise KeyError(f"no {kind} rows for target {target!r} in the attribution table")
    size = rows["contribution"].abs()
    rows = rows[size > 1e-9 * size.max()].assign(size=lambda d: d["contribution"].abs())   # rounding noise out
    rows = rows.sort_values("size", ascending=False, kind="stable")
    labels, values = list(rows["component"].head(top)), list(rows["contribution"].head(top))
    if len(rows) > top:
        labels.append(f"{len(rows) - top} others")
        values.append(float(rows["contribution"].iloc[top:].sum()))
    ax = ax or plt.figure(figsize=(8, 4.5)).add_subplot()
    starts = np.concatenate([[0.0], np.cumsum(values)[:-1]])
    x = np.arange(len(values))
    ax.bar(x, values, bottom=starts, color=[UP_COLOUR if v >= 0 else DOWN_COLOUR for v in values], width=0.7)
    total = float(table.loc[(table["target"] == target) & (table["kind"] == kind), "contribution"].sum())
    ax.bar(len(values), total, color=TOTAL_COLOUR, width=0.7)
    ax.axhline(0.0, color="0.2", lw=0.8)
    ax.set_xticks(np.arange(len(values) + 1), labels + ["total change"], rotation=30, ha="right", fontsize=8)
    unit = table.loc[table["target"] == target, "unit"].iloc[0]
    reference = table.loc[table["target"] == target, "reference"].iloc[0]
    ax.set_ylabel(f"change from the reference ({'percentage points' if unit == '%' else unit})", fontsize=8)
    ax.set_title(f"{target}: change from {reference} by {kind}", fontsize=9)
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(axis="y", alpha=0.3)
    return ax


def plot_lever_map(m: LeverMap, ax: plt.Axes | None = None) -> plt.Axes:
    """The met region of each target of a map over the two levers' growth, with the points.

    Each target's met region is shaded and outlined in its colour; the black cross is
    the scenario's own point, a circle in a target's colour its goal-seek answer, the
    star the combination nearest to the scenario meeting every target (none: said in
    the title).  Axes in %/yr, constant real growth from the map's first to last year.
    """
    ax = ax or plt.figure(figsize=(7, 6)).add_subplot()
    a, b = 100.0 * m.rates_a, 100.0 * m.rates_b
    handles = []
    for t, colour in zip(m.targets, MAP_COLOURS * 3):
        met = m.met[t.id].astype(float)
        if met.any():
            ax.contourf(a, b, met, levels=[0.5, 1.5], colors=[colour], alpha=0.18)
        if 0 < met.mean() < 1:
            ax.contour(a, b, met, levels=[0.5], colors=[colour], linewidths=1.4)
        handles.append(plt.Line2D([], [], color=colour, lw=6, alpha=0.5, label=f"{t.id} met"))
        if t.id in m.goal:
            ax.plot(*(100.0 * np.array(m.goal[t.id])), "o", color=colour, mec="0.1", ms=7)
    ax.plot(100 * m.own[0], 100 * m.own[1], "x", color="0.05", ms=10, mew=2.2)
    handles.append(plt.Line2D([], [], color="0.05", marker="x", ls="", ms=8, mew=2, label="scenario"))
    if m.goal:
        handles.append(plt.Line2D([], [], color="0.5", marker="o", ls="", mec="0.1", label="goal-seek answer"))
    if m.nearest is not None:
        ax.plot(100 * m.nearest[0], 100 * m.nearest[1], "*", color="gold", mec="0.1", ms=16)
        handles.append(plt.Line2D([], [], color="gold", marker="*", ls="", mec="0.1", ms=12,
                                  label="nearest meeting all"))
    ax.set_xlabel(f"{m.pair[0]}: constant real growth {m.first_year}-{m.last_year} (%/yr)", fontsize=9)
    ax.set_ylabel(f"{m.pair[1]}: constant real growth {m.first_year}-{m.last_year} (%/yr)", fontsize=9)
    extra = "" if m.nearest is not None else "\nno grid point meets every target (none within bounds)"
    ax.set_title(f"Targets met by growth of {m.pair[0]} and {m.pair[1]}\n(other sectors on their paths){extra}",
                 fontsize=9)
    ax.legend(handles=handles, fontsize=7, loc="upper left", framealpha=0.85)
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.25)
    return ax


def waterfall_figure(table: pd.DataFrame, target: str, scenario: str) -> plt.Figure:
    """One target's change from its reference by input (left) and by sector (right)."""
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8))
    for ax, kind in zip(axes, ("input", "sector")):
        plot_waterfall(table, target, ax=ax, kind=kind)
    reference = table.loc[table["target"] == target, "reference"].iloc[0]
    fig.suptitle(f"Why {target} differs from {reference}: scenario {scenario}", fontsize=11)
    fig.text(0.01, 0.01, "Left: Shapley value over the scenario's input groups switched from the reference's "
             "values; right: log-mean Divisia (shares, revenues) or Shapley (counts, rank) split over sectors. "
             "Each side sums to the total change.", fontsize=7, color="0.4")
    fig.tight_layout(rect=(0, 0.03, 1, 0.96))
    return fig


def lever_map_figure(m: LeverMap, scenario: str) -> plt.Figure:
    """One lever map with its caption."""
    fig, ax = plt.subplots(figsize=(7.5, 6.5))
    plot_lever_map(m, ax=ax)
    fig.text(0.01, 0.01, f"Scenario {scenario}; {m.note()}.", fontsize=7, color="0.3", wrap=True)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig

"""Attribution and lever-map figures: functions ``(..., ax=None) -> ax``.  They never save or show.

Sectors and targets are labelled by their names and descriptions, not their keys.
Importing this module changes no matplotlib setting.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import matplotlib.transforms as mtransforms
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from ..analysis.levers import LeverMap
from ..core.sectors import GROUPS, LABELS
from .plots import SCENARIO_PALETTE, TITLE_Y, caption, headline, lay_out_panels, panel_grid, wrap

UP_COLOUR, DOWN_COLOUR, TOTAL_COLOUR = SCENARIO_PALETTE[2], SCENARIO_PALETTE[1], "0.35"
MAP_COLOURS = SCENARIO_PALETTE[:7]
MAP_LINES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 3)), (0, (8, 3)))   # never colour alone
_NAMES = {**{g: g.replace("_", " ").capitalize() for g in GROUPS}, **LABELS,
          "gdp": "GDP"}
_ROLES = {"numerator": "in the share", "GDP": "through GDP", "link": "through the link",
          "leader": "the leader", "runner-up": "a runner-up", "project output": "project output"}


def sector_name(key: str) -> str:
    """A sector's or group's name (:data:`model.core.sectors.SECTORS` labels): ``ict`` ->
    "Information transmission, software and IT services"; unknown keys unchanged."""
    return _NAMES.get(key, key)


def component_label(component: str) -> str:
    """An attribution component in words: ``mfg_hightech (numerator)`` -> "High-tech
    manufacturing (in the share)"; inputs (``real growth``) and unknown roles unchanged."""
    key, sep, role = component.partition(" (")
    if not sep or key not in _NAMES:
        return component
    role = role.rstrip(")")
    return f"{sector_name(key)} ({_ROLES.get(role, role)})"


def plot_waterfall(table: pd.DataFrame, target: str, ax: plt.Axes | None = None, kind: str = "input",
                   top: int = 8, description: str | None = None) -> plt.Axes:
    """One target's change from its reference as a waterfall of the contributions of one ``kind``.

    ``table`` is :func:`model.analysis.attribution.attribute`'s output.  Bars start at 0 (the
    reference value) and each adds its contribution (horizontal bars, green to the right,
    vermillion to the left, its signed value written at its end), largest first from the
    top; the ``top`` largest are drawn, the rest summed into one bar, and the last bar
    (grey, at the bottom) is the total change, scenario value minus reference value.
    Contributions below 1e-9 of the largest (rounding, e.g. a common deflator on a share)
    are not drawn.  Sectors are named (:func:`component_label`); ``description`` (default:
    ``target``) heads the panel.
    """
    rows = table[(table["target"] == target) & (table["kind"] == kind)]
    if rows.empty:
        raise KeyError(f"no {kind} rows for target {target!r} in the attribution table")
    size = rows["contribution"].abs()
    rows = rows[size > 1e-9 * size.max()].assign(size=lambda d: d["contribution"].abs())   # rounding noise out
    rows = rows.sort_values("size", ascending=False, kind="stable")
    labels, values = [component_label(c) for c in rows["component"].head(top)], list(rows["contribution"].head(top))
    if len(rows) > top:
        labels.append(f"{len(rows) - top} others")
        values.append(float(rows["contribution"].iloc[top:].sum()))
    ax = ax or plt.figure(figsize=(8, 0.4 * len(values) + 2.0), layout="constrained").add_subplot()
    starts = np.concatenate([[0.0], np.cumsum(values)[:-1]])
    y = np.arange(len(values) + 1)[::-1]               # top to bottom, the total change last
    ax.barh(y[:-1], values, left=starts, color=[UP_COLOUR if v >= 0 else DOWN_COLOUR for v in values], height=0.7)
    total = float(table.loc[(table["target"] == target) & (table["kind"] == kind), "contribution"].sum())
    ax.barh(y[-1], total, color=TOTAL_COLOUR, height=0.7)
    unit = table.loc[table["target"] == target, "unit"].iloc[0]
    form = "{:+.2f}" if unit == "%" else "{:+,.0f}"
    for yi, start, v in zip(y, [*starts, 0.0], [*values, total]):
        ax.annotate(form.format(v), (start + v, yi), xytext=(3 if v >= 0 else -3, 0), textcoords="offset points",
                    ha="left" if v >= 0 else "right", va="center", fontsize=7)
    ax.axvline(0.0, color="0.2", lw=0.8)
    ends = np.concatenate([[0.0], np.cumsum(values), [total]])
    low, high = float(ends.min()), float(ends.max())
    margin = 0.15 * (high - low or 1.0)                 # room for the bars' ends and their values
    ax.set_xlim(low - margin, high + margin)
    ax.set_yticks(y, [wrap(s, 40) for s in labels + ["total change"]], fontsize=7)
    reference = table.loc[table["target"] == target, "reference"].iloc[0]
    ax.set_xlabel(f"change from the reference ({'percentage points' if unit == '%' else unit})", fontsize=8)
    ax.set_title(f"{wrap(headline(description or target), 60)}\nchange from {reference} by {kind}", fontsize=9,
                 y=TITLE_Y)
    ax.tick_params(axis="x", labelsize=8)
    if unit == "count":                                 # a count's change in whole steps
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="x", alpha=0.3)
    return ax


def plot_lever_map(m: LeverMap, ax: plt.Axes | None = None) -> plt.Axes:
    """The met region of each target of a map over the two levers' growth, with the points.

    Each target's met region is shaded in its colour and outlined in its colour and line
    style (so the boundaries differ without colour); the black cross is the scenario's
    own point, a circle in a target's colour its goal-seek answer, the star the
    combination nearest to the scenario meeting every target (none: said in the title);
    markers that would hide each other are drawn apart, a thin line to their point.
    Axes in %/yr, constant real growth from the map's first to last year, named by sector.
    The legend, naming each target by its description, sits under the axes.
    """
    ax = ax or plt.figure(figsize=(7, 7), layout="constrained").add_subplot()
    a, b = 100.0 * m.rates_a, 100.0 * m.rates_b
    handles, points = [], []          # points: (x, y, plot keywords), drawn apart from each other below
    for i, t in enumerate(m.targets):
        colour, style = MAP_COLOURS[i % len(MAP_COLOURS)], MAP_LINES[i % len(MAP_LINES)]
        met = m.met[t.id].astype(float)
        if met.any():
            ax.contourf(a, b, met, levels=[0.5, 1.5], colors=[colour], alpha=0.15)
        if 0 < met.mean() < 1:
            ax.contour(a, b, met, levels=[0.5], colors=[colour], linewidths=1.6, linestyles=[style])
        handles.append(plt.Line2D([], [], color=colour, lw=1.6, ls=style,
                                  label=f"met: {wrap(headline(t.description or t.id), 60)}"))
        if t.id in m.goal:
            points.append((*(100.0 * np.array(m.goal[t.id])), {"marker": "o", "color": colour, "mec": "0.1", "ms": 7}))
    points.append((100 * m.own[0], 100 * m.own[1], {"marker": "x", "color": "0.05", "ms": 9, "mew": 2.2}))
    handles.append(plt.Line2D([], [], color="0.05", marker="x", ls="", ms=8, mew=2, label="scenario"))
    if m.goal:
        handles.append(plt.Line2D([], [], color="0.5", marker="o", ls="", mec="0.1",
                                  label="goal-seek answer (colour of its target)"))
    if m.nearest is not None:
        points.append((100 * m.nearest[0], 100 * m.nearest[1],
                       {"marker": "*", "color": "#F0E442", "mec": "0.1", "ms": 14}))
        handles.append(plt.Line2D([], [], color="#F0E442", marker="*", ls="", mec="0.1", ms=12,
                                  label="nearest combination meeting all"))
    xs, ys = [a[0], a[-1], *(x for x, _, _ in points)], [b[0], b[-1], *(y for _, y, _ in points)]
    ax.set_xlim(min(xs), max(xs))                  # the grid, and any point beyond it
    ax.set_ylim(min(ys), max(ys))
    if _draw_apart(ax, points):
        handles.append(plt.Line2D([], [], color="0.2", lw=0.6, marker=".", ms=3,
                                  label="marker moved aside: its point is the end of the thin line"))
    first, second = (sector_name(k) for k in m.pair)
    ax.set_xlabel(f"{first}:\nconstant real growth {m.first_year}-{m.last_year} (%/yr)", fontsize=9)
    ax.set_ylabel(f"{second}:\nconstant real growth {m.first_year}-{m.last_year} (%/yr)", fontsize=9)
    extra = "" if m.nearest is not None else "\nno grid point meets every target (none within bounds)"
    ax.set_title(f"{wrap(f'Targets met by growth of {first} and {second}', 70)}\n(other sectors on their "
                 f"paths){extra}", fontsize=9, y=TITLE_Y)
    ax.legend(handles=handles, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=1, frameon=False)
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.25)
    return ax


MARKER_GAP = 0.035         # markers nearer than this (fraction of the axes) are drawn apart
SPREAD_POINTS = 11.0       # how far (points) a marker is moved from its place


def _draw_apart(ax: plt.Axes, points) -> bool:
    """Markers at ``(x, y, plot keywords)``; markers that would overlap (nearer than
    :data:`MARKER_GAP` of the axes to another) are moved :data:`SPREAD_POINTS` apart around their
    group's place, each with a thin line from its true point, so none hides another.  Whether
    any was moved."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    where = np.array([((x - x0) / (x1 - x0), (y - y0) / (y1 - y0)) for x, y, _ in points])
    group = list(range(len(points)))
    for i in range(len(points)):                       # single linkage: one group per cluster of near markers
        for j in range(i):
            if np.hypot(*(where[i] - where[j])) < MARKER_GAP:
                old, new = group[i], group[j]
                group = [new if g == old else g for g in group]
    for g in sorted(set(group)):
        members = [i for i, h in enumerate(group) if h == g]
        for k, i in enumerate(members):
            x, y, style = points[i]
            if len(members) == 1:
                ax.plot(x, y, ls="", zorder=6, **style)
                continue
            angle = np.pi / 2 + 2 * np.pi * k / len(members)
            dx, dy = SPREAD_POINTS * np.cos(angle), SPREAD_POINTS * np.sin(angle)
            shifted = mtransforms.offset_copy(ax.transData, fig=ax.figure, x=dx, y=dy, units="points")
            ax.annotate("", (x, y), xytext=(dx, dy), textcoords="offset points", zorder=5,
                        arrowprops={"arrowstyle": "-", "lw": 0.6, "color": "0.2", "shrinkA": 0, "shrinkB": 0})
            ax.plot(x, y, ".", color="0.2", ms=3, zorder=5)
            ax.plot(x, y, ls="", zorder=6, transform=shifted, **style)
    return len(set(group)) < len(points)


def waterfall_figure(table: pd.DataFrame, target: str, scenario: str, description: str | None = None) -> plt.Figure:
    """One target's change from its reference by input (left) and by sector (right);
    ``description`` (default: ``target``) names the target."""
    fig, axes = panel_grid(2, 2, (14, 5.6))
    for ax, kind in zip(axes, ("input", "sector")):
        plot_waterfall(table, target, ax=ax, kind=kind, description=description)
        ax.set_title(f"change from {ax.get_title().rsplit(chr(10) + 'change from ', 1)[-1]}", fontsize=9, y=TITLE_Y)
    reference = table.loc[table["target"] == target, "reference"].iloc[0]
    title = fig.suptitle(wrap(f"Why the projection differs from {reference}: {headline(description or target)} "
                              f"(scenario {scenario})", 120), fontsize=11)
    lay_out_panels(fig, title, caption(fig, "Left: Shapley value over the scenario's input groups switched from the "
                                       "reference's values; right: log-mean Divisia (shares, revenues) or Shapley "
                                       "(counts, rank) split over sectors. Each side sums to the total change.",
                                       colour="0.4"))
    return fig


def lever_map_figure(m: LeverMap, scenario: str) -> plt.Figure:
    """One lever map with its caption."""
    fig, (ax,) = panel_grid(1, 1, (7.5, 8.0))
    plot_lever_map(m, ax=ax)
    lay_out_panels(fig, None, caption(fig, f"Scenario {scenario}; {m.note().rstrip('.')}."))
    return fig

"""Figures: functions ``(table, ..., ax=None) -> ax``.  They never save or show.

Targets are drawn as they describe themselves (:mod:`model.targets.comparators`): a dashed
line at their ``level``, a shaded ``band``, and their ``label``.  Importing this
module changes no matplotlib setting; the style of saved files is set where they
are saved (:mod:`model.output.report`).
"""
from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap

from ..projection.indicators import HIGHTECH_SHARE
from ..targets.targets import NOT_MODELLED, NOT_PROJECTED, NOT_PUBLISHED, STATUSES, Target

# Scenario colours: the i-th scenario in sorted order gets the i-th colour in every figure.
SCENARIO_PALETTE = ("#1b6ca8", "#d1495b", "#66a182", "#edae49", "#8e6c8a", "#00798c", "#8d6a3f", "#555555")
STATUS_COLOURS = dict(zip(STATUSES, ("#8cc084", "#e8877f", "#d9d9d9", "#f2f2f2")))     # met, missed, not ...
STATUS_COLOURS[NOT_PUBLISHED] = "#fbf3d5"              # a realized status: no published figure decides
PUBLISHED_ROW = "published (realized)"
SHARE_LINES = (
    (HIGHTECH_SHARE, "High-tech (gao-jing-jian)", "#c0392b"),
    ("Share of GDP|Manufacturing", "Manufacturing", "#2471a3"),
    ("Share of GDP|Finance", "Finance", "#7d8c2b"),
)


def _share_targets(ax: plt.Axes, targets: Sequence[Target], colours: dict[str, str]) -> None:
    """A dashed line, a star and a label for each target of a plotted share that has a level."""
    for t in targets:
        level = t.comparator.level
        if t.variable not in colours or level is None:
            continue
        colour = colours[t.variable]
        ax.axhline(level, color=colour, ls="--", lw=0.9, alpha=0.8)
        ax.plot([t.year], [level], marker="*", ms=11, color=colour, ls="none")
        ax.annotate(_target_label(t, "%"), (t.year, level), xytext=(-6, 4), textcoords="offset points",
                    ha="right", fontsize=8, color=colour)


def _year_axes(ax: plt.Axes, years, ylabel: str, legend_size: int = 9) -> None:
    ax.set_xlabel("year")
    ax.set_ylabel(ylabel)
    ax.set_xticks(sorted(years))
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=legend_size, frameon=False)


def plot_shares(df: pd.DataFrame, targets: Sequence[Target] = (), ax: plt.Axes | None = None) -> plt.Axes:
    """Headline shares of GDP by year (one scenario) with the plan's target lines.

    ``df`` is a tidy table (:mod:`model.projection.results`); ``targets``
    (:func:`model.targets.targets.load_targets`) on other variables are ignored.
    """
    ax = ax or plt.figure(figsize=(8, 5)).add_subplot()
    colours = {}
    for variable, label, colour in SHARE_LINES:
        rows = df[df["variable"] == variable].sort_values("year")
        ax.plot(rows["year"], rows["value"], marker="o", ms=3, color=colour, label=label)
        colours[variable] = colour
    _share_targets(ax, targets, colours)
    scenario = ", ".join(sorted(df["scenario"].unique()))
    ax.set_title(f"Shares of Beijing's GDP, current prices: scenario {scenario}")
    _year_axes(ax, df["year"].unique(), "% of GDP")
    return ax


def scenario_colours(names) -> dict[str, str]:
    """One colour per scenario, assigned in sorted name order (the same in every figure)."""
    return {n: SCENARIO_PALETTE[i % len(SCENARIO_PALETTE)] for i, n in enumerate(sorted(set(names)))}


def _target_label(t: Target, unit: str = "") -> str:
    return f"{t.year} target {t.comparator.label(unit)}" + (" (stretch)" if "stretch" in t.description else "")


def plot_by_scenario(df: pd.DataFrame, variable: str, targets: Sequence[Target] = (),
                     colours: dict[str, str] | None = None, title: str | None = None,
                     ax: plt.Axes | None = None, realized: pd.DataFrame | None = None) -> plt.Axes:
    """One variable by year, a line per scenario, with the targets on that variable.

    ``df`` is a tidy table holding one or more scenarios; ``targets``
    (:func:`model.targets.targets.load_targets`) on other variables are ignored.  A target's
    level is a dashed line, its band is shaded (lighter around a line, as the
    tolerance of ``~``), and its label is written at the level or the band's top.
    ``realized``, IAMC rows of the published record (:func:`model.baseline.realized.realized_timeseries`),
    adds its points of ``variable`` (:func:`plot_realized_points`).
    """
    ax = ax or plt.figure(figsize=(6, 4)).add_subplot()
    rows = df[df["variable"] == variable]
    colours = colours or scenario_colours(rows["scenario"].unique())
    for name in sorted(rows["scenario"].unique()):
        r = rows[rows["scenario"] == name].sort_values("year")
        ax.plot(r["year"], r["value"], marker="o", ms=3, color=colours[name], label=name)
    for t in targets:
        level, band = t.comparator.level, t.comparator.band
        if t.variable != variable or (level is None and band is None):
            continue
        if level is not None:
            ax.axhline(level, color="0.2", ls="--", lw=0.9)
        if band is not None:
            ax.axhspan(*band, color="0.5", alpha=0.15 if level is None else 0.12, lw=0)
        ax.annotate(_target_label(t), (0.01, band[1] if level is None else level), xycoords=("axes fraction", "data"),
                    xytext=(0, 3), textcoords="offset points", fontsize=7, color="0.2",
                    bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8})
    if realized is not None:
        plot_realized_points(realized, variable, ax=ax)
    unit = rows["unit"].iloc[0] if len(rows) else ""
    ax.set_title(title or variable, fontsize=10)
    ax.set_ylabel(unit)
    ax.set_xticks(sorted(rows["year"].unique()))
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.3)
    return ax


# Realized points: black, the marker saying the census basis (scenario names of model.baseline.realized).
REALIZED_MARKERS = {"realized": ("o", "realized, 4th-census basis"),
                    "realized (5th census)": ("s", "realized, 5th-census basis")}


def plot_realized_points(realized: pd.DataFrame, variable: str, ax: plt.Axes | None = None) -> plt.Axes:
    """The realized points of ``variable``: black markers, a circle on the 4th-census basis
    (scenario ``realized``), a square on the 5th (``realized (5th census)``), each labelled
    with its value, and a legend entry per basis."""
    ax = ax or plt.gca()
    rows = realized[realized["variable"] == variable]
    handles = []
    for scenario, (marker, label) in REALIZED_MARKERS.items():
        r = rows[rows["scenario"] == scenario].sort_values("year")
        if r.empty:
            continue
        handles.append(ax.scatter(r["year"], r["value"], color="black", marker=marker, s=22, zorder=4,
                                  label=label))
        for x, y in zip(r["year"], r["value"]):
            ax.annotate(f"{y:,.0f}" if abs(y) >= 100 else f"{y:.1f}", (x, y), xytext=(-4, 4),
                        textcoords="offset points", ha="right", fontsize=6)
    if handles:
        ax.legend(handles=handles, fontsize=6, loc="best", frameon=False)
    return ax


def _gap_text(gap: float, unit: str) -> str:
    if not np.isfinite(gap):
        return ""
    if unit == "%":
        return f"{gap:+.1f} pp"
    if unit == "count":
        return f"{gap:+.0f}"
    return f"{gap:+,.0f}"


def plot_scorecard_matrix(scorecards: pd.DataFrame, ax: plt.Axes | None = None) -> plt.Axes:
    """Scenarios (rows) × targets (columns), coloured by status, the gap written in each cell;
    a last row "published (realized)" with the realized status and value of each target when
    the scorecards carry the realized columns (:func:`model.targets.targets.with_realized`).

    ``scorecards`` is the scorecard (:func:`model.targets.targets.evaluate`) of each scenario
    stacked, with a ``scenario`` column.
    """
    targets = list(dict.fromkeys(scorecards["target"]))
    scenarios = sorted(scorecards["scenario"].unique())
    realized = "realized_status" in scorecards
    rows = scenarios + ([PUBLISHED_ROW] if realized else [])
    ax = ax or plt.figure(figsize=(1.0 * len(targets) + 2, 0.6 * len(rows) + 2)).add_subplot()
    statuses = list(STATUS_COLOURS)
    grid = np.full((len(rows), len(targets)), np.nan)      # blank: a target of another set than the row's
    for r in scorecards.itertuples(index=False):
        i, j = scenarios.index(r.scenario), targets.index(r.target)
        grid[i, j] = statuses.index(r.status)
        text = r.status if r.status in (NOT_MODELLED, NOT_PROJECTED) else _gap_text(r.gap, r.unit)
        p_met = getattr(r, "p_met", np.nan)
        if p_met == p_met and r.status not in (NOT_MODELLED, NOT_PROJECTED):    # not NaN
            text += f"\nP={p_met:.2f}"
        ax.text(j, i, text, ha="center", va="center", fontsize=7)
    if realized:                  # the same for every scenario: read from the first scorecard of each target
        first = scorecards.drop_duplicates("target").set_index("target")
        for j, target in enumerate(targets):
            status, value = first.at[target, "realized_status"], first.at[target, "realized_value"]
            grid[-1, j] = statuses.index(status)
            text = status if value != value else f"{status}\n{value:,.6g}"
            ax.text(j, len(rows) - 1, text, ha="center", va="center", fontsize=7, fontstyle="italic")
        ax.axhline(len(scenarios) - 0.5, color="0.2", lw=1.5)
    # cells as vector quadrilaterals: an image would be resampled to the output's pixels in floats
    ax.pcolormesh(np.arange(len(targets) + 1) - 0.5, np.arange(len(rows) + 1) - 0.5, grid,
                  cmap=ListedColormap([STATUS_COLOURS[s] for s in statuses]), vmin=-0.5, vmax=len(statuses) - 0.5)
    ax.set_xlim(-0.5, len(targets) - 0.5)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xticks(range(len(targets)), targets, rotation=40, ha="right", fontsize=8)
    ax.set_yticks(range(len(rows)), rows, fontsize=8)
    ax.set_xticks(np.arange(len(targets) + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(len(rows) + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", lw=2)
    ax.tick_params(which="minor", length=0)
    shown = [s for s in statuses if s != NOT_PUBLISHED or realized]
    handles = [plt.Rectangle((0, 0), 1, 1, color=STATUS_COLOURS[s]) for s in shown]
    ax.legend(handles, shown, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    ax.set_title("Plan targets for 2025 by scenario: status, and gap to the target in its unit "
                 "(pp for shares, 100 million CNY for revenues)"
                 + ("; last row: what happened (published figure)" if realized else ""), fontsize=9)
    return ax


def plot_fan(fan: pd.DataFrame, targets=(), ax: plt.Axes | None = None, title: str = "") -> plt.Axes:
    """Fan chart of the headline shares: 5-95 % and 25-75 % bands, the median of the draws,
    the scenario's deterministic projection, and the target lines.

    ``fan`` has columns variable, year, p05, p25, p50, p75, p95 and deterministic (see
    :mod:`model.analysis.montecarlo`); ``targets`` as in ``model/data/targets.yaml``.
    """
    ax = ax or plt.figure(figsize=(8, 5)).add_subplot()
    colours = {}
    for variable, label, colour in SHARE_LINES:
        rows = fan[fan["variable"] == variable].sort_values("year")
        if rows.empty:
            continue
        colours[variable] = colour
        ax.fill_between(rows["year"], rows["p05"], rows["p95"], color=colour, alpha=0.15, lw=0)
        ax.fill_between(rows["year"], rows["p25"], rows["p75"], color=colour, alpha=0.3, lw=0)
        ax.plot(rows["year"], rows["p50"], color=colour, ls=":", lw=1.2)
        if "deterministic" in rows:
            ax.plot(rows["year"], rows["deterministic"], color=colour, marker="o", ms=3, lw=1.5, label=label)
    _share_targets(ax, targets, colours)
    ax.set_title(title or "Shares of GDP: the scenario with the Monte Carlo's bands")
    _year_axes(ax, fan["year"].unique(), "% of GDP (current prices)", legend_size=8)
    key = [plt.Line2D([], [], color="0.3", marker="o", ms=3, lw=1.5, label="scenario (deterministic)"),
           plt.Line2D([], [], color="0.3", ls=":", lw=1.2, label="median of the draws"),
           plt.Rectangle((0, 0), 1, 1, color="0.3", alpha=0.45, lw=0, label="25-75 % of the draws"),
           plt.Rectangle((0, 0), 1, 1, color="0.3", alpha=0.15, lw=0, label="5-95 % of the draws")]
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles=handles + key, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    return ax

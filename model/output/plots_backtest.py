"""Backtest figures: the projection against the realized points, a panel per series.

``plot_backtest(table, series, ax=None) -> ax`` draws one series of a
:func:`model.analysis.backtest.compare` table; :func:`backtest_figure` composes them.  They
never save or show.  Series are titled by what they are (:func:`series_description`), not
by their keys.  Importing this module changes no matplotlib setting.
"""
from __future__ import annotations

from typing import Mapping

import matplotlib.pyplot as plt
import pandas as pd

from ..analysis import backtest as bt
from ..core.sectors import LABELS
from ..equations.revenue import SERIES
from .plots import fit_ylim, scenario_colours, scenario_markers, wrap

_SUBJECTS = {**LABELS, "gdp": "GDP", "primary": "Primary sector",
             "secondary": "Secondary sector", "tertiary": "Tertiary sector", "industry": "Industry",
             "manufacturing": "Manufacturing", "industry_abovesize": "Industry above designated size",
             "hightech": "High-tech (gao-jing-jian)", "new_economy": "New economy"}
_FAMILIES = {"growth": "Real growth", "va": "Value added", "share": "Share of GDP"}
_VARIABLE_LABELS = {s.variable: s.label for s in SERIES}


def series_description(key: str) -> str:
    """A realized series key in words: ``share.finance`` -> "Share of GDP: Finance",
    ``revenue.ic`` -> "Integrated circuits (revenue)"; an unknown key is returned as it is."""
    family, _, subject = key.partition(".")
    if key in bt.DIRECT and bt.DIRECT[key] in _VARIABLE_LABELS:
        label = _VARIABLE_LABELS[bt.DIRECT[key]]
        return label if "output" in label else f"{label} (revenue)"
    if family == "count" and key in bt.DIRECT:
        return "Trillion-yuan clusters (count)"
    if family in _FAMILIES and subject in _SUBJECTS:
        return f"{_FAMILIES[family]}: {_SUBJECTS[subject]}"
    return key




def plot_backtest(table: pd.DataFrame, series: str = "growth.gdp", ax: plt.Axes | None = None,
                  colours: Mapping[str, str] | None = None) -> plt.Axes:
    """Projections (a line per scenario, its colour and marker) against the realized points of
    one series of a :func:`model.analysis.backtest.compare` table (several scenarios stacked);
    realized points are black, a circle on the model's census basis, a square on another.
    The panel is titled by :func:`series_description`; its y axis spans at least
    :data:`model.output.plots.MIN_SPAN`.  No legend: the figure carries one
    (:func:`backtest_handles`)."""
    ax = ax or plt.figure(layout="constrained").add_subplot()
    rows = table[table["series"] == series]
    if rows.empty:
        raise KeyError(f"no series {series!r} in the backtest table")
    colours = dict(colours or scenario_colours(rows["scenario"].unique()))
    markers = scenario_markers(colours)
    for name, t in rows.groupby("scenario", sort=True):
        t = t.sort_values("year")
        ax.plot(t["year"], t["projected"], marker=markers.get(name, "o"), ms=4, label=name,
                color=colours.get(name))
    realized = rows.drop_duplicates(["year", "census_basis", "measure"])
    for basis, t in realized.groupby("census_basis", sort=True):
        ax.scatter(t["year"], t["realized"], color="black", marker="o" if basis == bt.MODEL_BASIS else "s",
                   edgecolors="white", linewidths=0.6, s=30, zorder=3, label=f"realized ({basis} census basis)")
    units = sorted(set(rows["unit"]))
    ax.set_title(wrap(series_description(series), 40), fontsize=9)
    ax.set_ylabel(", ".join(units))
    years = sorted(rows["year"].unique())
    ax.set_xticks(years)
    if len(years) == 1:                       # one point: a year either side, not a squeezed axis
        ax.set_xlim(years[0] - 1, years[0] + 1)
    fit_ylim(ax, units[0] if len(units) == 1 else "")
    ax.grid(alpha=0.3)
    return ax


def backtest_panels(table: pd.DataFrame) -> list[str]:
    """The series of a backtest table that the figure draws: real GDP growth first, then every
    share and level with a projection and the model's definition (sorted).  Changes within a
    vintage (``share change``, ``level growth``) are left to the table."""
    usable = table[(table["definition"] == bt.SAME_DEFINITION) & table["projected"].notna()]
    others = sorted(set(usable.loc[usable["measure"].isin(("share", "level")), "series"]))
    return (["growth.gdp"] if (usable["series"] == "growth.gdp").any() else []) + others


def backtest_handles(scenarios, colours: Mapping[str, str] | None = None) -> list:
    """Legend entries of a backtest figure: each scenario's line, then the two realized markers."""
    colours = dict(colours or scenario_colours(scenarios))
    markers = scenario_markers(colours)
    out = [plt.Line2D([], [], color=colours[n], marker=markers[n], ms=4, label=f"{n} (projection)")
           for n in sorted(set(scenarios))]
    out += [plt.Line2D([], [], color="black", marker=m, ls="", ms=6, label=f"realized, {b} census basis")
            for b, m in ((bt.MODEL_BASIS, "o"), ("5th", "s"))]
    return out


def backtest_figure(table: pd.DataFrame, scenario: str, ncols: int = 4,
                    colours: Mapping[str, str] | None = None) -> plt.Figure:
    """The scenario's projection against the realized points, a panel per series of
    :func:`backtest_panels` (levels and shares on the basis of the figure compared), one
    legend under the title; ``colours`` (scenario -> colour) keeps the batch's colours."""
    panels = backtest_panels(table)
    nrows = max(1, -(-len(panels) // ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.0 * ncols, 3.1 * nrows + 1.4), squeeze=False,
                             layout="constrained")
    usable = table[table["projected"].notna() & table["measure"].isin(("growth", "share", "level"))]
    for ax, series in zip(axes.flat, panels):
        plot_backtest(usable, series, ax=ax, colours=colours)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_axis_off()
    fig.suptitle(f"Backtest: scenario {scenario} against the realized outcomes 2021-2025", fontsize=11)
    fig.legend(handles=backtest_handles(table["scenario"].unique(), colours), loc="outside right upper",
               fontsize=8, frameon=False)
    fig.supxlabel("Realized: Beijing Municipal Bureau of Statistics and others, model/data/realized.csv. A "
                  "projection of a 5th-basis figure is ratio-linked (see method in backtest.csv); 'approximate' "
                  "rows assume a revision proportional to GDP.", x=0.01, ha="left", fontsize=7, color="0.3",
                  wrap=True)
    return fig

"""Backtest figures: the projection against the realized points, a panel per evaluation and series.

``plot_backtest(table, series, ax=None) -> ax`` draws one series of a
:func:`model.analysis.backtest.compare` table (of one evaluation); :func:`backtest_figure` composes
them, the real-time evaluation's panels first, then the latest's.  They never save or show.  Series
are titled by what they are (:func:`series_description`), not by their keys.  Importing this module
changes no matplotlib setting.
"""
from __future__ import annotations

from typing import Mapping

import matplotlib.pyplot as plt
import pandas as pd

from ..analysis import backtest as bt
from ..analysis.backtest_series import DIRECT
from ..core.sectors import LABELS
from ..equations.revenue import SERIES
from .plots import TITLE_Y, caption, fit_ylim, lay_out_panels, panel_grid, scenario_style, wrap, year_ticks

_SUBJECTS = {**LABELS, "gdp": "GDP", "primary": "Primary sector",
             "secondary": "Secondary sector", "tertiary": "Tertiary sector", "industry": "Industry",
             "manufacturing": "Manufacturing", "industry_abovesize": "Industry above designated size",
             "hightech": "High-tech (gao-jing-jian)", "new_economy": "New economy",
             "ict_finance_scitech": "ICT, finance and sci-tech"}
_FAMILIES = {"growth": "Real growth", "growth5y": "Average real growth, five years", "va": "Value added",
             "share": "Share of GDP"}
#: How a panel names its evaluation.
_EVALUATION_TITLES = {bt.REAL_TIME: "real-time, 4th census", bt.LATEST: "latest, 5th census"}
_VARIABLE_LABELS = {s.variable: s.label for s in SERIES}


def series_description(key: str) -> str:
    """A realized series key in words: ``share.finance`` -> "Share of GDP: Finance",
    ``revenue.ic`` -> "Integrated circuits (revenue)"; an unknown key is returned as it is."""
    family, _, subject = key.partition(".")
    if key in DIRECT and DIRECT[key] in _VARIABLE_LABELS:
        label = _VARIABLE_LABELS[DIRECT[key]]
        return label if "output" in label else f"{label} (revenue)"
    if family == "count" and key in DIRECT:
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
    styles = scenario_style(dict(colours) if colours else rows["scenario"].unique())
    for name, t in rows.groupby("scenario", sort=True):
        t = t.sort_values("year")
        ax.plot(t["year"], t["projected"], ms=4, label=name, **styles[name])
    realized = rows.drop_duplicates(["year", "census_basis", "measure"])
    for basis, t in realized.groupby("census_basis", sort=True):
        ax.scatter(t["year"], t["realized"], color="black", marker="o" if basis == bt.MODEL_BASIS else "s",
                   edgecolors="white", linewidths=0.6, s=30, zorder=3, label=f"realized ({basis} census basis)")
    units = sorted(set(rows["unit"]))
    ax.set_title(wrap(series_description(series), 40), fontsize=9, y=TITLE_Y)
    ax.set_ylabel(", ".join(units))
    year_ticks(ax, rows["year"].unique())
    fit_ylim(ax, units[0] if len(units) == 1 else "")
    ax.grid(alpha=0.3)
    return ax


def backtest_panels(table: pd.DataFrame) -> list[tuple[str, str]]:
    """The panels of a backtest figure as ``(evaluation, series)``: for each evaluation (real-time
    first), real GDP growth first, then every annual share and level with a projection and the
    model's definition (sorted).  Changes, average and partial-year rates are left to the table.
    A table without an ``evaluation`` column is one evaluation, named ``""``."""
    usable = table[(table["definition"] == bt.SAME_DEFINITION) & table["projected"].notna()]
    if "period" in usable:
        usable = usable[usable["period"] == bt.ANNUAL]
    evaluations = usable["evaluation"] if "evaluation" in usable else pd.Series("", index=usable.index)
    out = []
    for evaluation in sorted(set(evaluations), key=lambda e: list(bt.EVALUATIONS).index(e) if e in bt.EVALUATIONS
                             else -1):
        here = usable[evaluations == evaluation]
        others = sorted(set(here.loc[here["measure"].isin(("share", "level")), "series"]))
        gdp = ["growth.gdp"] if ((here["series"] == "growth.gdp") & (here["measure"] == "growth")).any() else []
        out += [(evaluation, series) for series in gdp + others]
    return out


def backtest_handles(scenarios, colours: Mapping[str, str] | None = None) -> list:
    """Legend entries of a backtest figure: each scenario's line, then the two realized markers."""
    styles = scenario_style(dict(colours) if colours else set(scenarios))
    out = [plt.Line2D([], [], ms=4, label=f"{n} (projection)", **styles[n]) for n in sorted(set(scenarios))]
    out += [plt.Line2D([], [], color="black", marker=m, ls="", ms=6, label=f"realized, {b} census basis")
            for b, m in ((bt.MODEL_BASIS, "o"), ("5th", "s"))]
    return out


def backtest_figure(table: pd.DataFrame, scenario: str, ncols: int = 4,
                    colours: Mapping[str, str] | None = None) -> plt.Figure:
    """The scenario's projection against the realized points, a panel per ``(evaluation, series)`` of
    :func:`backtest_panels` (the evaluation named in the panel's title), one legend under the title;
    ``colours`` (scenario -> colour) keeps the batch's colours."""
    panels = backtest_panels(table)
    fig, axes = panel_grid(len(panels), ncols, (4.0 * ncols, 3.1 * max(1, -(-len(panels) // ncols)) + 1.4))
    usable = table[table["projected"].notna() & table["measure"].isin(("growth", "share", "level"))]
    if "period" in usable:
        usable = usable[usable["period"] == bt.ANNUAL]
    groups = (dict(iter(usable.groupby(["evaluation", "series"], sort=False))) if "evaluation" in usable
              else {("", series): g for series, g in usable.groupby("series", sort=False)})
    for ax, (evaluation, series) in zip(axes, panels):
        plot_backtest(groups[(evaluation, series)], series, ax=ax, colours=colours)   # one split, not 2 filters a panel
        if evaluation:
            ax.set_title(wrap(f"{series_description(series)} ({_EVALUATION_TITLES[evaluation]})", 40), fontsize=9,
                         y=TITLE_Y)
        ax.tick_params(labelsize=7)
    title = fig.suptitle(f"Backtest: scenario {scenario} against the realized outcomes 2021-2025", fontsize=11)
    fig.legend(handles=backtest_handles(table["scenario"].unique(), colours), loc="outside right upper",
               fontsize=8, frameon=False)
    note = caption(fig, "Realized: Beijing Municipal Bureau of Statistics and others, model/data/realized.csv. Each "
            "panel inside one census vintage: real-time panels set the projection as made against the "
            "4th-census releases; latest panels set it, restated through the 2020 census bridges, against "
            "the 5th-census releases (see method in backtest.csv).")
    lay_out_panels(fig, title, note)
    return fig

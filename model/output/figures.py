"""Whole figures as they are saved: panels, a shared legend, a caption, laid out.

Each function returns a :class:`matplotlib.figure.Figure` and never saves or shows it
(:mod:`model.output.write` saves them, in its style).  The panels are drawn by the
``(table, ..., ax)`` functions of :mod:`model.output.plots`.  The panel layout
(:mod:`model.output.panel_layout`) keeps titles, margin labels, legends and the caption (the
figure's ``supxlabel``) inside the canvas and off each other; the scorecard matrix, not drawn in a
run, keeps matplotlib's constrained layout.
"""
from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import pandas as pd

from ..targets.definitions import Target
from .plots import (
    REALIZED_MARKERS,
    caption,
    lay_out_panels,
    panel_grid,
    plot_by_scenario,
    plot_fan,
    plot_scorecard_matrix,
    plot_shares,
    scenario_handles,
)

REALIZED_LABELS = frozenset(label for _, label in REALIZED_MARKERS.values())


def shares_figure(table: pd.DataFrame, targets: Sequence[Target], note: str) -> plt.Figure:
    """One scenario's headline shares with the target lines (:func:`model.output.plots.plot_shares`)."""
    fig, (ax,) = panel_grid(1, 1, (8, 5.5))
    plot_shares(table, targets, ax=ax)
    lay_out_panels(fig, None, caption(fig, note))
    return fig


def fan_figure(fan: pd.DataFrame, targets: Sequence[Target], title: str, note: str) -> plt.Figure:
    """The fan chart of one scenario's Monte Carlo (:func:`model.output.plots.plot_fan`)."""
    fig, (ax,) = panel_grid(1, 1, (8, 6))
    plot_fan(fan, targets, ax=ax, title=title)
    lay_out_panels(fig, None, caption(fig, note))
    return fig


def scorecard_matrix_figure(stacked: pd.DataFrame, note: str) -> plt.Figure:
    """The scorecard matrix (:func:`model.output.plots.plot_scorecard_matrix`) sized to its cells."""
    n_targets, n_rows = stacked["target"].nunique(), stacked["scenario"].nunique() + 1
    fig, ax = plt.subplots(figsize=(1.15 * n_targets + 2.5, 0.62 * n_rows + 3.0), layout="constrained")
    plot_scorecard_matrix(stacked, ax=ax)
    caption(fig, note)
    return fig


def by_scenario_figure(tables: pd.DataFrame, panels: Sequence[tuple[str, str]], ncols: int,
                       colours: dict[str, str], title: str, note: str, targets: Sequence[Target] = (),
                       realized: pd.DataFrame | None = None) -> plt.Figure:
    """A panel per ``(variable, panel title)`` (:func:`model.output.plots.plot_by_scenario`), the
    scenarios' legend outside the panels on the right, a title and a caption."""
    fig, axes = panel_grid(len(panels), ncols, (4.4 * ncols + 1.8, 3.6 * -(-len(panels) // ncols) + 1.2))
    markers: dict[str, plt.Artist] = {}
    for ax, (variable, panel_title) in zip(axes, panels):
        plot_by_scenario(tables, variable, targets, colours, panel_title, ax=ax, realized=realized, legend=False)
        handles, labels = ax.get_legend_handles_labels()     # the realized markers: once, in the figure's legend
        markers.update((label, h) for label, h in zip(labels, handles) if label in REALIZED_LABELS)
    realized_handles = [markers[k] for k in sorted(markers)]
    fig.legend(handles=scenario_handles(colours) + realized_handles, title="scenario", loc="outside right upper",
               fontsize=8, frameon=False)
    lay_out_panels(fig, fig.suptitle(title, fontsize=11, x=0.01, ha="left"), caption(fig, note))
    return fig

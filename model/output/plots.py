"""Figures: functions ``(table, ..., ax=None) -> ax``.  They never save or show.

Targets are drawn as they describe themselves (:mod:`model.targets.comparators`): a dashed
line at their ``level``, a shaded ``band``, and their ``label``.  Importing this
module changes no matplotlib setting; the style of saved files is set where they
are saved (:mod:`model.output.write`).
"""
from __future__ import annotations

import textwrap
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.text import Text
from matplotlib.ticker import Locator, MaxNLocator

from ..core.iamc import HIGHTECH_SHARE, SCENARIO_4TH, SCENARIO_5TH
from ..targets.definitions import Target
from ..targets.scorecard import MISSED, NOT_MODELLED, NOT_PROJECTED, NOT_PUBLISHED
from .panel_layout import PanelLayout
from .style import STATUS_COLOURS, headline

# The palette, defined once: Okabe & Ito's colour-blind-safe set (its yellow, too faint for a line on
# white, replaced by Tol's wine) and two dark colours of Tol's (brown, indigo), pairwise distinct under
# simulated protan-, deutan- and tritanopia (tests/test_plots.py).  The i-th scenario in sorted name
# order gets the i-th colour, the i-th marker and, once the colours are used up, the next line style:
# the first ten scenarios of a batch differ in colour, and no two of up to 40 share colour, marker
# and line style (the colour and marker cycles differ in length: no two of 90 share both).
SCENARIO_PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#882255", "#000000",
                    "#661100", "#332288")
SCENARIO_MARKERS = ("o", "^", "D", "v", "P", "X", "p", "<", ">")
SCENARIO_LINES = ("-", "--", ":", "-.")
# Statuses: a light tint each (model/output/style.py, shared with the report and the workbook).
PUBLISHED_ROW = "published (realized)"
# The headline shares: (variable, label, colour, marker).
SHARE_LINES = (
    (HIGHTECH_SHARE, "High-tech (gao-jing-jian)", SCENARIO_PALETTE[1], "o"),
    ("Share of GDP|Manufacturing", "Manufacturing", SCENARIO_PALETTE[0], "s"),
    ("Share of GDP|Finance", "Finance", SCENARIO_PALETTE[2], "^"),
)
TARGET_COLOUR = "0.2"
# Panel titles sit at the top of their axes (no tick labels above any panel): given, not searched for
# at every draw among the axes' tick labels, which costs a fifth of drawing a many-panel figure.
TITLE_Y = 1.0
# The y axis spans at least this (in the axis' unit; less for a series smaller than it); others: 10 % of the top.
MIN_SPAN = {"%": 4.0, "count": 2.0}


class InViewLocator(Locator):
    """``inner``'s major ticks inside the axis' view only.  A locator such as matplotlib's
    :class:`~matplotlib.ticker.MaxNLocator` also returns a tick past each end of the view, which
    the axis makes (a tick is five artists) and then leaves undrawn; the same ticks are drawn."""

    def __init__(self, inner: Locator):
        self.inner = inner

    def set_axis(self, axis) -> None:
        super().set_axis(axis)
        self.inner.set_axis(axis)

    def __call__(self):
        locs = np.asarray(self.inner(), dtype=float)
        low, high = sorted(self.axis.get_view_interval())
        tolerance = 1e-10 * max(abs(high - low), 1e-300)
        inside = locs[(locs >= low - tolerance) & (locs <= high + tolerance)]
        return inside if len(inside) >= 2 else locs       # a formatter sees at least two ticks, as before

    def tick_values(self, vmin, vmax):
        return self.inner.tick_values(vmin, vmax)

    def view_limits(self, vmin, vmax):
        return self.inner.view_limits(vmin, vmax)


def fit_ylim(ax: plt.Axes, unit: str = "", pad: float = 0.08) -> None:
    """Y-limits around everything drawn (lines, points, target lines and bands), at least
    :data:`MIN_SPAN` of ``unit`` wide (or the largest magnitude, if smaller; 10 % of it for
    other units), so a spread of a fraction of a point is not blown up to the full height."""
    lo, hi = ax.dataLim.intervaly
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo > hi:
        return
    top = max(abs(lo), abs(hi))
    span = min(MIN_SPAN[unit], top) if unit in MIN_SPAN else 0.1 * top     # a share of 0.3 % is not stretched to 4
    if hi - lo < span:
        middle = (lo + hi) / 2.0
        lo, hi = middle - span / 2.0, middle + span / 2.0
        if ax.dataLim.intervaly[0] >= 0 > lo:      # a quantity that cannot be negative keeps a floor at 0
            lo, hi = 0.0, hi - lo
    margin = pad * (hi - lo) or 1.0
    ax.set_ylim(lo - margin, hi + margin)
    if unit == "count":
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))


def _target_note(ax: plt.Axes, text: str, y: float, colour: str = TARGET_COLOUR) -> None:
    """A target's label in the right margin at height ``y`` (data), beside its line and never over the data."""
    ax.annotate(text, (1.0, y), xycoords=("axes fraction", "data"), xytext=(4, 0), textcoords="offset points",
                ha="left", va="center", fontsize=7, color=colour, annotation_clip=False)


def _share_targets(ax: plt.Axes, targets: Sequence[Target], colours: dict[str, str]) -> None:
    """A dashed line, a star and a label (right margin) for each target of a plotted share with a level."""
    for t in targets:
        level = t.comparator.level
        if t.variable not in colours or level is None:
            continue
        colour = colours[t.variable]
        ax.axhline(level, color=colour, ls="--", lw=0.9, alpha=0.8)
        ax.plot([t.year], [level], marker="*", ms=11, color=colour, ls="none")
        _target_note(ax, _target_label(t, "%"), level, colour)


def year_ticks(ax: plt.Axes, years) -> None:
    """Whole years on the x axis, as many as fit the axis' width at its label size (every year, every
    second, fifth or tenth: labels never run into each other however narrow the panel); one year
    alone gets a year either side rather than a squeezed axis."""
    years = sorted({int(y) for y in years})
    if len(years) == 1:                            # that year alone labelled, in the middle
        ax.set_xticks(years)
        ax.set_xlim(years[0] - 1, years[0] + 1)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(nbins="auto", integer=True, steps=[1, 2, 5, 10]))


def _year_axes(ax: plt.Axes, years, ylabel: str) -> None:
    ax.set_xlabel("year")
    ax.set_ylabel(ylabel)
    year_ticks(ax, years)
    ax.grid(alpha=0.3)


def _legend_below(ax: plt.Axes, handles=None, ncol: int = 3, fontsize: float = 8) -> None:
    """The axes' legend under its x axis: outside the data, whatever the lines do."""
    kwargs = {} if handles is None else {"handles": handles}
    ax.legend(**kwargs, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=ncol, fontsize=fontsize,
              frameon=False)


def plot_shares(df: pd.DataFrame, targets: Sequence[Target] = (), ax: plt.Axes | None = None) -> plt.Axes:
    """Headline shares of GDP by year (one scenario) with the plan's target lines.

    ``df`` is a tidy table (:mod:`model.projection.results`); ``targets``
    (:func:`model.targets.definitions.load_targets`) on other variables are ignored.  Each share
    has its colour and marker; each target is a dashed line labelled in the right margin.
    """
    ax = ax or plt.figure(figsize=(8, 5), layout="constrained").add_subplot()
    colours = {}
    for variable, label, colour, marker in SHARE_LINES:
        rows = df[df["variable"] == variable].sort_values("year")
        ax.plot(rows["year"], rows["value"], marker=marker, ms=4, color=colour, label=label)
        colours[variable] = colour
    _share_targets(ax, targets, colours)
    scenario = ", ".join(sorted(df["scenario"].unique()))
    ax.set_title(f"Shares of Beijing's GDP, current prices: scenario {scenario}", y=TITLE_Y)
    _year_axes(ax, df["year"].unique(), "% of GDP")
    _legend_below(ax)
    fit_ylim(ax, "%")
    return ax


def scenario_colours(names) -> dict[str, str]:
    """One colour per scenario, assigned in sorted name order (the same in every figure of a batch)."""
    return {n: SCENARIO_PALETTE[i % len(SCENARIO_PALETTE)] for i, n in enumerate(sorted(set(names)))}


def scenario_markers(names) -> dict[str, str]:
    """One marker per scenario, assigned in sorted name order like :func:`scenario_colours`."""
    return {n: SCENARIO_MARKERS[i % len(SCENARIO_MARKERS)] for i, n in enumerate(sorted(set(names)))}


def scenario_lines(names) -> dict[str, str]:
    """One line style per scenario: solid for the first round of the palette, then dashed, dotted,
    dash-dotted (sorted name order like :func:`scenario_colours`), so a colour used twice in a
    batch is drawn in two line styles as well as two markers."""
    n = len(SCENARIO_PALETTE)
    return {name: SCENARIO_LINES[(i // n) % len(SCENARIO_LINES)] for i, name in enumerate(sorted(set(names)))}


def scenario_style(names) -> dict[str, dict]:
    """Each scenario's line keywords (``color``, ``marker``, ``linestyle``) among ``names``; a
    mapping name -> colour keeps its colours (:func:`scenario_colours` of the batch)."""
    colours = dict(names) if isinstance(names, dict) else scenario_colours(names)
    markers, lines = scenario_markers(colours), scenario_lines(colours)
    return {n: {"color": colours[n], "marker": markers[n], "linestyle": lines[n]} for n in colours}


def scenario_handles(colours: dict[str, str]) -> list:
    """Legend entries of the scenarios of ``colours`` (name -> colour), with their markers and line styles."""
    styles = scenario_style(colours)
    return [plt.Line2D([], [], ms=4, label=n, **styles[n]) for n in sorted(styles)]


def _target_label(t: Target, unit: str = "") -> str:
    return f"{t.year} target {t.comparator.label(unit)}" + (" (stretch)" if "stretch" in t.description else "")


def plot_by_scenario(df: pd.DataFrame, variable: str, targets: Sequence[Target] = (),
                     colours: dict[str, str] | None = None, title: str | None = None,
                     ax: plt.Axes | None = None, realized: pd.DataFrame | None = None,
                     legend: bool = True) -> plt.Axes:
    """One variable by year, a line per scenario, with the targets on that variable.

    ``df`` is a tidy table holding one or more scenarios; ``targets``
    (:func:`model.targets.definitions.load_targets`) on other variables are ignored.  A target's
    level is a dashed line, its band is shaded (lighter around a line, as the
    tolerance of ``~``), and its label is written in the right margin at the level (a
    band alone: at its middle), never over the lines.  Each scenario has its colour and
    marker (:func:`scenario_colours`, :func:`scenario_markers`).  ``realized``, IAMC rows of
    the published record (:func:`model.baseline.realized.realized_timeseries`), adds its points
    of ``variable`` (:func:`plot_realized_points`; with ``legend``, its legend under the axes).
    The y axis spans at least :data:`MIN_SPAN` and holds the targets; counts get integer ticks.
    """
    ax = ax or plt.figure(figsize=(6, 4), layout="constrained").add_subplot()
    rows = df[df["variable"] == variable]
    styles = scenario_style(colours or rows["scenario"].unique())
    for name, r in rows.groupby("scenario", sort=True):
        r = r.sort_values("year")
        ax.plot(r["year"], r["value"], ms=3, label=name, **styles[name])
    for t in targets:
        level, band = t.comparator.level, t.comparator.band
        if t.variable != variable or (level is None and band is None):
            continue
        if level is not None:
            ax.axhline(level, color=TARGET_COLOUR, ls="--", lw=0.9)
        if band is not None:
            ax.axhspan(*band, color="0.5", alpha=0.15 if level is None else 0.12, lw=0)
        _target_note(ax, _target_label(t), sum(band) / 2.0 if level is None else level)
    if realized is not None:
        plot_realized_points(realized, variable, ax=ax, legend=legend)
    unit = rows["unit"].iloc[0] if len(rows) else ""
    ax.set_title(title or variable, fontsize=10, y=TITLE_Y)
    ax.set_ylabel(unit)
    year_ticks(ax, rows["year"].unique())
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.3)
    fit_ylim(ax, unit)
    return ax


# Realized points: black, the marker saying the census basis (scenario names of model.baseline.realized).
REALIZED_MARKERS = {SCENARIO_4TH: ("o", "realized, 4th-census basis"),
                    SCENARIO_5TH: ("s", "realized, 5th-census basis")}


def plot_realized_points(realized: pd.DataFrame, variable: str, ax: plt.Axes | None = None,
                         legend: bool = True) -> plt.Axes:
    """The realized points of ``variable``: black markers with a white edge, a circle on the
    4th-census basis (scenario ``published``), a square on the 5th (``published (5th census)``),
    each labelled with its value, and (``legend``) a legend entry per basis under the axes."""
    ax = ax or plt.gca()
    rows = realized[realized["variable"] == variable]
    handles = []
    for scenario, (marker, label) in REALIZED_MARKERS.items():
        r = rows[rows["scenario"] == scenario].sort_values("year")
        if r.empty:
            continue
        handles.append(ax.scatter(r["year"], r["value"], color="black", edgecolors="white", linewidths=0.6,
                                  marker=marker, s=26, zorder=4, label=label))
        for x, y in zip(r["year"], r["value"]):
            ax.annotate(f"{y:,.0f}" if abs(y) >= 100 else f"{y:.1f}", (x, y), xytext=(-4, 4),
                        textcoords="offset points", ha="right", fontsize=6,
                        bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.75})
    if handles and legend:
        _legend_below(ax, handles, ncol=1, fontsize=6)
    return ax


def _gap_text(gap: float, unit: str) -> str:
    if not np.isfinite(gap):
        return ""
    if unit == "%":
        return f"{gap:+.1f} pp"
    if unit == "count":
        return f"{gap:+.0f}"
    return f"{gap:+,.0f}"


def wrap(text: str, width: int = 22) -> str:
    """``text`` on lines of at most ``width`` characters (labels of crowded axes)."""
    return textwrap.fill(str(text), width, break_long_words=False)


def fill_width(text: str, width_in: float, fontsize: float) -> str:
    """``text`` on lines that fit ``width_in`` inches at ``fontsize`` points, counted in characters at
    a generous average width (0.56 em; the house font averages 0.5 on prose): wrapped once, before
    drawing, rather than measured word by word at every draw as ``wrap=True`` does."""
    return textwrap.fill(str(text), max(20, int(width_in * 72.0 / (0.56 * fontsize))), break_long_words=False)


def panel_grid(n_panels: int, ncols: int, figsize: tuple[float, float]) -> tuple[plt.Figure, list[plt.Axes]]:
    """A figure with ``n_panels`` axes on a grid of ``ncols`` columns, row by row: the cells past
    the last panel stay empty (no axes made and hidden).  No panel: one hidden axes.  Lay it out
    with :func:`lay_out_panels` once its title and caption are written."""
    nrows = max(1, -(-n_panels // ncols))
    fig = plt.figure(figsize=figsize)
    grid = fig.add_gridspec(nrows, ncols)
    if not n_panels:
        fig.add_subplot(grid[0, 0]).set_axis_off()
        return fig, []
    return fig, [fig.add_subplot(grid[i // ncols, i % ncols]) for i in range(n_panels)]


def lay_out_panels(fig: plt.Figure, title: Text | None, note: Text | None) -> None:
    """The figure of :func:`panel_grid` laid out at its drawing (:class:`~model.output.panel_layout.PanelLayout`):
    ``title`` (its suptitle) at the top, its legend at the top right, ``note`` (its caption) at the bottom."""
    fig.set_layout_engine(PanelLayout(title, note))


def caption(fig: plt.Figure, text: str, colour: str = "0.3") -> Text:
    """``text`` under the panels, left-aligned, small and grey, wrapped to the figure's width."""
    return fig.supxlabel(fill_width(text, 0.96 * fig.get_figwidth(), 7), x=0.01, ha="left", fontsize=7, color=colour)


def plot_scorecard_matrix(scorecards: pd.DataFrame, ax: plt.Axes | None = None) -> plt.Axes:
    """Scenarios (rows) × targets (columns), coloured by status and the status written in each
    cell with the gap and P(met); a last row "published (realized)" with the realized status
    and value of each target when the scorecards carry the realized columns
    (:func:`model.targets.scorecard.with_realized`).  Columns are labelled with the targets'
    descriptions (the ``description`` column; the id where there is none).

    ``scorecards`` is the scorecard (:func:`model.targets.scorecard.evaluate`) of each scenario
    stacked, with a ``scenario`` column.
    """
    targets = list(dict.fromkeys(scorecards["target"]))
    scenarios = sorted(scorecards["scenario"].unique())
    realized = "realized_status" in scorecards
    rows = scenarios + ([PUBLISHED_ROW] if realized else [])
    ax = ax or plt.figure(figsize=(1.2 * len(targets) + 2, 0.7 * len(rows) + 2.5), layout="constrained").add_subplot()
    statuses = list(STATUS_COLOURS)
    grid = np.full((len(rows), len(targets)), np.nan)      # blank: a target of another set than the row's
    for r in scorecards.itertuples(index=False):
        i, j = scenarios.index(r.scenario), targets.index(r.target)
        grid[i, j] = statuses.index(r.status)
        text = r.status
        if r.status not in (NOT_MODELLED, NOT_PROJECTED):
            text += "\n" + _gap_text(r.gap, r.unit)
            p_met = getattr(r, "p_met", np.nan)
            if p_met == p_met:                                                    # not NaN
                text += f"\nP={p_met:.2f}"
        ax.text(j, i, text.rstrip(), ha="center", va="center", fontsize=7,
                fontweight="bold" if r.status == MISSED else "normal")
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
    described = (scorecards.drop_duplicates("target").set_index("target")["description"]
                 if "description" in scorecards else pd.Series(dtype=object))
    names = [wrap(headline(described.get(t) or t), 18) for t in targets]
    ax.set_xticks(range(len(targets)), names, fontsize=7)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(rows)), rows, fontsize=8)
    ax.set_xticks(np.arange(len(targets) + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(len(rows) + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", lw=2)
    ax.tick_params(which="minor", length=0)
    shown = [s for s in statuses if s != NOT_PUBLISHED or realized]
    handles = [plt.Rectangle((0, 0), 1, 1, color=STATUS_COLOURS[s]) for s in shown]
    ax.legend(handles, shown, loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=len(shown), fontsize=8,
              frameon=False)
    title = ("Plan targets for 2025 by scenario: status, and gap to the target in its unit (pp for shares, "
             "100 million CNY for revenues)" + ("; last row: what happened (published figure)" if realized else ""))
    ax.set_title(wrap(title, max(30, 15 * len(targets))), fontsize=9)        # no wider than the matrix
    return ax


FAN_BANDS = (("p05", "p95", 0.15, "90 % band (5-95 % of the draws)"),
             ("p25", "p75", 0.3, "50 % band (25-75 % of the draws)"))


def plot_fan(fan: pd.DataFrame, targets=(), ax: plt.Axes | None = None, title: str = "") -> plt.Axes:
    """Fan chart of the headline shares: the 90 % (5-95 %) and 50 % (25-75 %) bands of the
    draws, their median (dotted), the scenario's deterministic projection (solid, with its
    marker), and the target lines labelled in the right margin; the legend, under the axes,
    names each share and each element.

    ``fan`` has columns variable, year, p05, p25, p50, p75, p95 and deterministic (see
    :mod:`model.analysis.montecarlo`); ``targets`` as in ``model/data/targets.yaml``.
    """
    ax = ax or plt.figure(figsize=(8, 5.5), layout="constrained").add_subplot()
    colours = {}
    for variable, label, colour, marker in SHARE_LINES:
        rows = fan[fan["variable"] == variable].sort_values("year")
        if rows.empty:
            continue
        colours[variable] = colour
        for low, high, alpha, _ in FAN_BANDS:
            ax.fill_between(rows["year"], rows[low], rows[high], color=colour, alpha=alpha, lw=0)
        ax.plot(rows["year"], rows["p50"], color=colour, ls=":", lw=1.4)
        if "deterministic" in rows:
            ax.plot(rows["year"], rows["deterministic"], color=colour, marker=marker, ms=4, lw=1.5, label=label)
    _share_targets(ax, targets, colours)
    ax.set_title(title or "Shares of GDP: the scenario with the Monte Carlo's bands", y=TITLE_Y)
    _year_axes(ax, fan["year"].unique(), "% of GDP (current prices)")
    key = [plt.Line2D([], [], color="0.3", marker="o", ms=3, lw=1.5, label="scenario (deterministic projection)"),
           plt.Line2D([], [], color="0.3", ls=":", lw=1.4, label="median of the draws")]
    shown = np.cumsum([alpha for *_, alpha, _ in FAN_BANDS])       # the inner band lies over the outer one
    key += [plt.Rectangle((0, 0), 1, 1, color="0.3", alpha=float(a), lw=0, label=band)
            for a, (*_, band) in zip(shown, FAN_BANDS)]
    handles, labels = ax.get_legend_handles_labels()
    _legend_below(ax, handles + key, ncol=3, fontsize=8)
    fit_ylim(ax, "%")
    return ax

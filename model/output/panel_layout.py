"""The layout of a grid of panels from the sizes of the texts around each panel, in one go.

Matplotlib's constrained layout finds each panel's margins by measuring everything drawn around
it (updating every tick of every axis several times), twice; on a figure of two dozen panels that
costs as much as drawing the figure.  The panels of the grid figures (the backtest, the tornado,
the figures by scenario) carry a known set of texts around them: a title, tick labels, axis
labels and notes in the right margin; :class:`PanelLayout` measures those texts (tick labels as the
axis' locator and formatter will write them) and places the panels, the figure's title at the
top, its legend at the top right and its caption at the bottom: each column as wide as its
widest left and right margins need, each row as tall as its tallest top and bottom ones, the
panels all of one size.  A tick label is measured as it will be drawn at the panel's final size
(the margins are measured again after the panels move, until they no longer grow).
"""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from matplotlib.layout_engine import LayoutEngine
from matplotlib.text import Text

if TYPE_CHECKING:
    import matplotlib.pyplot as plt
    from matplotlib.axis import Axis

#: Space (inches) between the figure's edges, its title, legend and caption and the panels' texts.
PAD = 0.06
#: Space (inches) between the texts of neighbouring panels.
GAP = 0.08
#: Times the margins are measured again after the panels moved (tick labels follow the panel's size).
ROUNDS = 4


class PanelLayout(LayoutEngine):
    """Lay out a figure whose axes sit on one grid (:func:`model.output.plots.panel_grid`), with
    ``title`` (the figure's suptitle) above, the figure's legends at the top right and
    ``caption`` (its supxlabel) below."""

    _adjust_compatible = False
    _colorbar_gridspec = False

    def __init__(self, title: Text | None = None, caption: Text | None = None):
        super().__init__()
        self.title, self.caption = title, caption

    def set(self, **kwargs) -> None:
        raise TypeError(f"PanelLayout has no settings: {sorted(kwargs)}")

    def execute(self, fig: plt.Figure) -> None:
        renderer = fig.canvas.get_renderer()
        dpi = fig.dpi
        width, height = fig.get_size_inches()
        top = height - PAD - (_height(self.title, renderer, dpi) + PAD if _shown(self.title) else 0.0)
        bottom = PAD + (_height(self.caption, renderer, dpi) + PAD if _shown(self.caption) else 0.0)
        if _shown(self.title):
            self.title.set_y(1.0 - PAD / height)            # its top (va="top") a pad under the edge
        if _shown(self.caption):
            self.caption.set_y(PAD / height)                # its bottom (va="bottom") a pad over the edge
        right = width - PAD
        for legend in fig.legends:                          # at the top right, the panels to its left
            legend.set_loc("upper right")
            legend.set_bbox_to_anchor((1.0 - PAD / width, 1.0 - PAD / height), transform=fig.transFigure)
            margin = legend.borderaxespad * legend.prop.get_size_in_points() / 72.0
            right = min(right, width - PAD - margin - legend.get_window_extent(renderer).width / dpi - GAP)
        panels = [ax for ax in fig.axes if ax.get_subplotspec() is not None]
        if not panels:
            return
        nrows, ncols = panels[0].get_subplotspec().get_gridspec().get_geometry()
        cells = [(ax.get_subplotspec().rowspan.start, ax.get_subplotspec().colspan.start) for ax in panels]
        left_c, right_c, top_r, bottom_r = np.zeros(ncols), np.zeros(ncols), np.zeros(nrows), np.zeros(nrows)
        measured: dict = {}                            # tick labels' extents, text and font -> extent
        for _ in range(ROUNDS):                        # margins only grow: a few rounds settle them
            grown = False
            for (row, col), ax in zip(cells, panels):
                m_left, m_right, m_top, m_bottom = _margins(ax, renderer, dpi, measured)
                for array, index, value in ((left_c, col, m_left), (right_c, col, m_right), (top_r, row, m_top),
                                            (bottom_r, row, m_bottom)):
                    if value > array[index] + 1e-6:
                        array[index], grown = value, True
            if not grown:
                break
            _place(panels, cells, (PAD, bottom, right, top), left_c, right_c, top_r, bottom_r, width, height)


def _shown(text: Text | None) -> bool:
    return text is not None and text.get_visible() and bool(text.get_text())


def _height(text: Text, renderer, dpi: float) -> float:
    return text.get_window_extent(renderer).height / dpi


def _place(panels, cells, box, left_c, right_c, top_r, bottom_r, width: float, height: float) -> None:
    """Each panel at its cell: the columns' and rows' margins and the gaps taken off ``box``
    (left, bottom, right, top; inches), the rest shared equally."""
    x0, y0, x1, y1 = box
    ncols, nrows = len(left_c), len(top_r)
    w = (x1 - x0 - left_c.sum() - right_c.sum() - (ncols - 1) * GAP) / ncols
    h = (y1 - y0 - top_r.sum() - bottom_r.sum() - (nrows - 1) * GAP) / nrows
    if w <= 0 or h <= 0:
        warnings.warn("the panels' texts leave no room for the panels: the figure is not laid out; make it larger",
                      stacklevel=2)
        return
    lefts = x0 + np.concatenate([[0.0], np.cumsum(left_c + w + right_c + GAP)[:-1]]) + left_c
    tops = y1 - np.concatenate([[0.0], np.cumsum(top_r + h + bottom_r + GAP)[:-1]]) - top_r
    for ax, (row, col) in zip(panels, cells):
        ax.set_position([lefts[col] / width, (tops[row] - h) / height, w / width, h / height])


def _margins(ax: plt.Axes, renderer, dpi: float, measured: dict) -> tuple[float, float, float, float]:
    """How far (inches) the panel's texts reach beyond its box: left, right, top, bottom."""
    if not ax.axison:
        return 0.0, 0.0, 0.0, 0.0
    box = ax.get_window_extent(renderer)
    reach = [0.0, 0.0, 0.0, 0.0]

    def beyond(extent) -> None:
        reach[0] = max(reach[0], (box.x0 - extent.x0) / dpi)
        reach[1] = max(reach[1], (extent.x1 - box.x1) / dpi)
        reach[2] = max(reach[2], (extent.y1 - box.y1) / dpi)
        reach[3] = max(reach[3], (box.y0 - extent.y0) / dpi)

    for text in (ax.title, *ax.texts):
        if text.get_visible() and text.get_text() and text.get_in_layout():
            beyond(text.get_window_extent(renderer))
    if ax.get_legend() is not None:
        beyond(ax.get_legend().get_window_extent(renderer))
    for axis, side in ((ax.yaxis, 0), (ax.xaxis, 3)):
        if not axis.get_visible():
            continue
        labels = _tick_labels(axis, box, renderer, dpi, measured)
        outward = labels.width if side == 0 else labels.height
        if outward:
            tick = axis.majorTicks[0]
            outward += (tick.get_pad() + tick.tick1line.get_markersize()) / 72.0
        if axis.label.get_visible() and axis.label.get_text():
            extent = axis.label.get_window_extent(renderer)
            outward += axis.labelpad / 72.0 + (extent.width if side == 0 else extent.height) / dpi
        reach[side] = max(reach[side], outward)
        along = (3, 2) if side == 0 else (0, 1)        # the first and last labels, half beyond the box's ends
        reach[along[0]] = max(reach[along[0]], labels.before)
        reach[along[1]] = max(reach[along[1]], labels.after)
        if labels.offset:                              # the axis' offset text, above (y) or under (x) it
            reach[2 if side == 0 else 3] += labels.offset
    return tuple(reach)


class _Labels(NamedTuple):
    """Sizes (inches) of an axis' major tick labels: the widest and tallest; how far the labels reach
    past the start and the end of the axis (half a label centred on a tick near an end); the
    height of the offset text (0 without one)."""

    width: float = 0.0
    height: float = 0.0
    before: float = 0.0
    after: float = 0.0
    offset: float = 0.0


def _tick_labels(axis: Axis, box, renderer, dpi: float, measured: dict) -> _Labels:
    """The major tick labels the axis will draw at its present size (its box ``box``), measured."""
    vertical = axis.axis_name == "y"
    shown = axis.get_tick_params().get("labelleft" if vertical else "labelbottom", True)
    locs = np.asarray(axis.get_major_locator()(), dtype=float)
    if not shown or not len(locs):
        return _Labels()
    labels = axis.get_major_formatter().format_ticks(locs)
    low, high = sorted(axis.get_view_interval())
    tolerance = 1e-9 * max(1.0, abs(high - low))
    font = axis.majorTicks[0].label1.get_fontproperties()
    transform = axis.axes.transData
    start, end = (box.y0, box.y1) if vertical else (box.x0, box.x1)
    width = height = before = after = 0.0
    for loc, label in zip(locs, labels):
        if low - tolerance <= loc <= high + tolerance and label:
            extent = _measure(label, font, axis.figure, renderer, measured)
            width, height = max(width, extent.width / dpi), max(height, extent.height / dpi)
            at = transform.transform((0.0, loc) if vertical else (loc, 0.0))[1 if vertical else 0]
            half = (extent.height if vertical else extent.width) / 2.0
            before, after = max(before, (half - (at - start)) / dpi), max(after, (half - (end - at)) / dpi)
    offset = axis.get_major_formatter().get_offset()
    return _Labels(width, height, before, after,
                   _measure(offset, font, axis.figure, renderer, measured).height / dpi + PAD if offset else 0.0)


def _measure(text: str, font, fig, renderer, measured: dict):
    """The extent of ``text`` drawn in ``font`` (its size does not depend on where it is drawn),
    once per layout (``measured``: text and font -> extent)."""
    key = (text, font)
    if key not in measured:
        label = Text(0, 0, text, fontproperties=font)
        label.set_figure(fig)
        measured[key] = label.get_window_extent(renderer).frozen()
    return measured[key]

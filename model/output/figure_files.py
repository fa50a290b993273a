"""Figure files: which format each figure is written in, and drawing a folder's figures on the cores.

A figure is written in the formats its readers need:

* PNG, for every figure: people open the files, and ``summary.md`` shows the comparison's figures;
* SVG as well, for the figures the HTML report shows inline (:data:`SVG_FIGURES`: page-sized
  figures; the report reads the ``*.svg`` of each folder).  The large multi-panel figures (the
  backtest, the tornado), the waterfalls and the lever maps are PNG only: they are opened, not
  inlined.

A folder's figures are described as :class:`FigureJob` (a file stem and a function that draws the
figure) and drawn by :func:`draw_all`: in this process, or split with one forked process when the
machine has more than one core and this process is not itself a worker of a pool.  Either way the
same files, byte for byte, are written.
"""
from __future__ import annotations

import gc
import os
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from ..core import forked

if TYPE_CHECKING:                 # matplotlib is imported where a figure is saved: a run without figures needs none
    import matplotlib.pyplot as plt

#: Stems of the figures also written as SVG (for the report, which inlines them).
SVG_FIGURES = frozenset({"shares", "fan", "shares_by_scenario", "revenues_by_scenario"})
#: A PNG's canvas at most (4 bytes a pixel): a figure growing with the scenarios gets fewer dpi.
MAX_PIXELS = 10_000_000
#: zlib level of the PNGs: 3 compresses the figures' flat colours almost as well as the default 6
#: (RGB files at 3 are smaller than the RGBA ones at 6 were) in about two thirds of the time.
PNG_COMPRESSION = 3


@dataclass(frozen=True)
class FigureJob:
    """One figure of a folder: its file stem, the function drawing it, its PNG resolution and a
    guess of its drawing cost (panels), used only to share the work fairly between processes."""

    stem: str
    draw: Callable[[], plt.Figure]
    dpi: int = 150
    cost: float = 1.0

    @property
    def svg(self) -> bool:
        return self.stem in SVG_FIGURES


def save_figure(fig: plt.Figure, stem: Path, dpi: int = 150, svg: bool = True) -> None:
    """``fig`` as ``stem.png`` (and ``stem.svg`` when ``svg``), then closed.  The figure's layout
    engine runs once, before any format is drawn, and the boxes are then frozen: saving does not
    lay the figure out again, nor draw it once more without rendering (as ``savefig`` does for a
    figure with a layout engine), so each format costs one draw."""
    import matplotlib.pyplot as plt
    width, height = fig.get_size_inches()
    dpi = min(dpi, int((MAX_PIXELS / (width * height)) ** 0.5))
    _lighten(fig)
    engine = fig.get_layout_engine()
    if engine is not None:
        fig.set_dpi(dpi)                       # laid out at the PNG's resolution, as savefig would
        engine.execute(fig)
        fig.set_layout_engine(None)            # the boxes stay where the layout put them
    _save_png(fig, stem.with_suffix(".png"), dpi)
    if svg:
        fig.savefig(stem.with_suffix(".svg"), metadata={"Date": None, "Creator": None})
    plt.close(fig)


def _lighten(fig: plt.Figure) -> None:
    """Work that changes nothing drawn, left out of the layout and of every draw: an axis makes
    no ticks past the ends of its view (:class:`~model.output.plots.InViewLocator`); an axis without
    minor ticks does not look for minor ticks on its major ones (a second run of its major
    locator each time its ticks are updated); and the spines are not measured for the layout
    (with their tick marks they lie inside the box of the tick labels; measuring them updates the
    ticks four times more per panel)."""
    from matplotlib.ticker import FixedLocator, NullLocator

    from .plots import InViewLocator
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if isinstance(axis.get_minor_locator(), NullLocator):
                axis.remove_overlapping_locs = False
            if not isinstance(axis.get_major_locator(), (FixedLocator, NullLocator, InViewLocator)):
                axis.set_major_locator(InViewLocator(axis.get_major_locator()))
        for spine in ax.spines.values():
            spine.set_in_layout(False)


def _save_png(fig: plt.Figure, path: Path, dpi: int) -> None:
    """``fig`` as an RGB PNG at ``dpi``, zlib level :data:`PNG_COMPRESSION`, no text chunks.  The
    same pixels as ``savefig`` draws: a figure's canvas is opaque (white), so its alpha channel
    carries nothing, and leaving it out is a quarter less to compress."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image
    fig.set_dpi(dpi)
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    rgba = canvas.buffer_rgba()
    Image.frombuffer("RGBA", (rgba.shape[1], rgba.shape[0]), rgba, "raw", "RGBA", 0, 1).convert("RGB").save(
        path, format="png", compress_level=PNG_COMPRESSION, dpi=(dpi, dpi))


def _draw(jobs: Sequence[FigureJob], folder: Path) -> None:
    for job in jobs:
        save_figure(job.draw(), folder / job.stem, job.dpi, job.svg)


def processes() -> int:
    """How many processes draw a folder's figures: two when this process may run on more than one
    core, one inside a worker of a process pool (the pool already uses the cores)."""
    return 2 if forked.may_fork() else 1


def split(jobs: Sequence[FigureJob]) -> tuple[list[FigureJob], list[FigureJob]]:
    """The jobs in two shares of about equal cost (largest first, each to the lighter share)."""
    shares: tuple[list[FigureJob], list[FigureJob]] = ([], [])
    loads = [0.0, 0.0]
    for job in sorted(jobs, key=lambda j: -j.cost):
        i = loads.index(min(loads))
        shares[i].append(job)
        loads[i] += job.cost
    return shares


def draw_all(jobs: Sequence[FigureJob], folder: Path, n_processes: int | None = None) -> None:
    """Draw and save every job's figure into ``folder`` (call inside the house style).

    With two processes (default: :func:`processes`), a forked child draws about half of the
    figures while this process draws the rest; an error in the child is raised here as a
    ``RuntimeError`` with its traceback's last line, after both halves have finished.

    While the figures are drawn, the objects alive before them (the run's tables and model) are
    left out of the garbage collector's scans (:func:`gc.freeze`): a figure makes and drops
    tens of thousands of objects in reference cycles, and each full collection they trigger
    would scan the whole run's heap again (a tenth of a second each, a sixth of the drawing)."""
    gc.freeze()
    try:
        _draw_all(jobs, folder, n_processes)
    finally:
        gc.unfreeze()


def _draw_all(jobs: Sequence[FigureJob], folder: Path, n_processes: int | None) -> None:
    n_processes = processes() if n_processes is None else n_processes
    if n_processes < 2 or len(jobs) < 2 or not hasattr(os, "fork"):
        _draw(jobs, folder)
        return
    mine, theirs = split(jobs)
    drawing = forked.start(lambda: _draw(theirs, folder))     # a forked child draws its share meanwhile
    try:
        _draw(mine, folder)
    except BaseException:
        drawing.stop()
        raise
    try:
        drawing.join()
    except Exception as exc:                                   # noqa: BLE001 - said in one line, with the figures
        last = "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()[-1]
        raise RuntimeError(f"drawing the figures {', '.join(j.stem for j in theirs)} failed: {last}") from None

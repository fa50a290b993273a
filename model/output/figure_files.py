"""Figure files: which format each figure is written in, and drawing a folder's figures on the cores.

A figure is written in the formats its readers need:

* PNG, for every figure: people open the files, and ``summary.md`` shows the comparison's figures;
* SVG as well, for the figures the HTML report shows inline (:data:`SVG_FIGURES`: page-sized
  figures; the report reads the ``*.svg`` of each folder).  The large multi-panel figures (the
  backtest, the tornado), the waterfalls and the lever maps are PNG only: they are opened, not
  inlined.

A folder's figures are described as :class:`FigureJob` (a file stem and a function that draws the
figure) and drawn by :func:`draw_all`: in this process, or shared with one forked process when the
machine has more than one core and this process is not itself a worker of a pool.  Either way the
same files, byte for byte, are written.
"""
from __future__ import annotations

import gc
import os
import struct
import traceback
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from ..core import forked

if TYPE_CHECKING:                 # matplotlib is imported where a figure is saved: a run without figures needs none
    import matplotlib.pyplot as plt

#: Stems of the figures also written as SVG (for the report, which inlines them).
SVG_FIGURES = frozenset({"shares", "fan", "shares_by_scenario", "revenues_by_scenario"})
#: A PNG's canvas at most (4 bytes a pixel): a figure growing with the scenarios gets fewer dpi.
MAX_PIXELS = 10_000_000
#: At most this many jobs are shared through the pipe of :func:`draw_all` (4 bytes each: 512 bytes, the least
#: a pipe holds on any POSIX system, so that the queue is written whole before anyone reads); more are drawn
#: in one process (a folder has a few dozen figures at most).
MAX_QUEUED = 128
_QUEUED = struct.Struct("!I")
#: zlib level of the PNGs (:func:`png_bytes`): 3 compresses the figures' filtered rows almost as well as the
#: default 6 in about half the time (levels 1 to 3 take about as long, and 3 makes the smallest files).
PNG_COMPRESSION = 3


@dataclass(frozen=True)
class FigureJob:
    """One figure of a folder: its file stem, the function drawing it, its PNG resolution and a
    guess of its drawing cost (panels), used only to order the work (the costliest first)."""

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
    locator each time its ticks are updated); an axis without a label does not place it (matplotlib
    measures the tick labels once more at every draw to keep the label clear of them); and the spines
    are not measured for the layout (with their tick marks they lie inside the box of the tick
    labels; measuring them updates the ticks four times more per panel)."""
    from matplotlib.ticker import FixedLocator, NullLocator

    from .plots import InViewLocator
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if isinstance(axis.get_minor_locator(), NullLocator):
                axis.remove_overlapping_locs = False
            if not isinstance(axis.get_major_locator(), (FixedLocator, NullLocator, InViewLocator)):
                axis.set_major_locator(InViewLocator(axis.get_major_locator()))
            if not axis.label.get_text():
                axis.set_label_coords(*axis.label.get_position())
        for spine in ax.spines.values():
            spine.set_in_layout(False)


def _save_png(fig: plt.Figure, path: Path, dpi: int) -> None:
    """``fig`` as an RGB PNG at ``dpi`` (:func:`png_bytes`).  The same pixels as ``savefig`` draws: a
    figure's canvas is opaque (white), so its alpha channel carries nothing."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    fig.set_dpi(dpi)
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    path.write_bytes(png_bytes(np.asarray(canvas.buffer_rgba())[..., :3], dpi))


def png_bytes(rgb: np.ndarray, dpi: int) -> bytes:
    """An 8-bit RGB PNG of the pixels ``rgb`` (height x width x 3, ``uint8``): its resolution (``pHYs``,
    ``dpi`` in pixels a metre), no text chunks, every row filtered by *Up* (its byte-wise difference from
    the row above, modulo 256; PNG's filter type 2), compressed at zlib level :data:`PNG_COMPRESSION`.

    One filter for every row, rather than the best of five tried on each (what Pillow does): a figure's
    rows mostly repeat the one above (flat fills, vertical lines), which *Up* turns into zeros, so the
    files are within a few per cent of the adaptive ones' size, in a third of the time."""
    height, width, _ = rgb.shape
    scanlines = np.empty((height, 1 + 3 * width), np.uint8)
    scanlines[:, 0] = 2                                        # each row's filter type: Up
    rows = np.ascontiguousarray(rgb, dtype=np.uint8).reshape(height, 3 * width)
    scanlines[0, 1:] = rows[0]                                 # the first row's "above" is zeros
    np.subtract(rows[1:], rows[:-1], out=scanlines[1:, 1:])    # uint8 arithmetic wraps modulo 256
    per_metre = int(dpi / 0.0254 + 0.5)
    return b"".join([b"\x89PNG\r\n\x1a\n",
                     _chunk(b"IHDR", struct.pack("!IIBBBBB", width, height, 8, 2, 0, 0, 0)),  # 8-bit RGB
                     _chunk(b"pHYs", struct.pack("!IIB", per_metre, per_metre, 1)),          # 1: metres
                     _chunk(b"IDAT", zlib.compress(scanlines.tobytes(), PNG_COMPRESSION)),
                     _chunk(b"IEND", b"")])


def _chunk(kind: bytes, data: bytes) -> bytes:
    """A PNG chunk: its length, type, data and the CRC-32 of type and data."""
    return struct.pack("!I", len(data)) + kind + data + struct.pack("!I", zlib.crc32(kind + data))


def _draw(jobs: Sequence[FigureJob], folder: Path) -> None:
    for job in jobs:
        save_figure(job.draw(), folder / job.stem, job.dpi, job.svg)


def processes() -> int:
    """How many processes draw a folder's figures: two when this process may run on more than one
    core, one inside a worker of a process pool (the pool already uses the cores)."""
    return 2 if forked.may_fork() else 1


def draw_all(jobs: Sequence[FigureJob], folder: Path, n_processes: int | None = None) -> None:
    """Draw and save every job's figure into ``folder`` (call inside the house style).

    With two processes (default: :func:`processes`), this process and a forked child take the
    figures one at a time, the costliest first (:attr:`FigureJob.cost`), each the next as soon as it
    has saved its last, so that both end together whatever the figures really cost; an error in the
    child is raised here as a ``RuntimeError`` naming its figure, with its traceback's last line,
    once this process has drawn what it took.

    While the figures are drawn, the objects alive before them (the run's tables and model) are
    left out of the garbage collector's scans (:func:`gc.freeze`): a figure makes and drops
    tens of thousands of objects in reference cycles, and each full collection they trigger
    would scan the whole run's heap again (a tenth of a second each, a sixth of the drawing).  The
    figures' cycles are collected before the heap is given back to the collector, while it is still
    left out: once back, that garbage would wait for the next full collection, which a large heap
    makes rare (a batch run in one process grew by about 20 MiB a scenario)."""
    gc.freeze()
    try:
        _draw_all(jobs, folder, n_processes)
    finally:
        gc.collect()
        gc.unfreeze()


def _draw_all(jobs: Sequence[FigureJob], folder: Path, n_processes: int | None) -> None:
    n_processes = processes() if n_processes is None else n_processes
    if n_processes < 2 or len(jobs) < 2 or not hasattr(os, "fork") or len(jobs) > MAX_QUEUED:
        _draw(jobs, folder)
        return
    # the jobs' numbers, largest first, in a pipe both processes read from: each takes the next job when it
    # has drawn its last, so they end together whatever the jobs' real costs (one read of 4 bytes is atomic)
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, b"".join(_QUEUED.pack(i) for i in sorted(range(len(jobs)), key=lambda i: -jobs[i].cost)))
    finally:
        os.close(write_end)

    def take() -> None:
        while record := os.read(read_end, _QUEUED.size):
            job = jobs[_QUEUED.unpack(record)[0]]
            try:
                save_figure(job.draw(), folder / job.stem, job.dpi, job.svg)
            except Exception as exc:           # named the same in either process (the child's comes as a line)
                last = "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()[-1]
                raise RuntimeError(f"drawing the figure {job.stem} failed: {last}") from exc
    try:
        drawing = forked.start(take)            # a forked child takes jobs meanwhile
        try:
            take()
        except BaseException:
            drawing.stop()
            raise
        drawing.join()
    finally:
        os.close(read_end)

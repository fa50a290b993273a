"""Monte Carlo: probability of meeting each target, quantiles, fan charts.

All draws of a chunk go through the model at once as arrays
``(n_draws, n_years [+1], n_sectors)``; chunks keep memory bounded whatever the
number of draws, and are cut for late horizons (:func:`chunk_size`).  Draws that
leave the model's domain are left out and counted.  Statistics are streamed:
counts and sums for probabilities and means, exact minima and maxima, and
histograms on a lattice that widens as values arrive (:class:`StreamingStats`), so
a quantile is within half a bin of the exact sample quantile for any values, the
result does not depend on the chunk size, and a parameter set without spread
reproduces the deterministic projection exactly.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..analysis import parameter_draws
from ..analysis.sampling import DEFAULT_CHUNK, chunks, data_ranges
from ..baseline.calibration import Baseline
from ..core.iamc import HIGHTECH_SHARE
from ..core.years import level_row, level_years, n_steps
from ..projection.indicators import Indicators, checked_revenue_links
from ..projection.simulate import in_domain, project, select_draws
from ..scenario.loader import Scenario
from ..targets.definitions import Target

HEADLINE = (HIGHTECH_SHARE, "Share of GDP|Manufacturing", "Share of GDP|Finance")
QUANTILES = (0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95)
BINS = 1 << 15               # histogram bins per statistic: the resolution is at most 2 (max - min) / (BINS - 1)
# Memory budget of one chunk's arrays: the chunk is cut so that draws x years stays below it (see chunk_size).
CHUNK_BYTES = 300 * 2**20
BYTES_PER_DRAW_YEAR = 2_000  # measured: about 25 arrays of (draws, years, sectors) floats alive at the peak


def chunk_size(requested: int, horizon: int) -> int:
    """Draws simulated at once: ``requested``, cut so that one chunk stays within
    :data:`CHUNK_BYTES` at this horizon (a later horizon, longer arrays, fewer draws)."""
    return max(1, min(requested, CHUNK_BYTES // (BYTES_PER_DRAW_YEAR * (n_steps(horizon) + 1))))


class StreamingStats:
    """Count, sum, exact min/max and a histogram of a stream of values, for quantiles.

    The histogram's bins lie on a lattice of width :attr:`step` (a power of two): bin
    ``j`` is ``[j w, (j + 1) w)``.  The first block of values sets the width to the
    smallest power of two that spans them in :data:`BINS` bins; when later values fall
    outside, the width doubles (merging pairs of bins exactly) until every value seen
    fits, so the final width is at most ``2 (max - min) / (BINS - 1)`` whatever the
    values.  Values are taken in blocks of exactly :attr:`FLUSH`, so the result does
    not depend on how the stream was cut into chunks.

    :meth:`quantile` interpolates between the bins of the two order statistics as
    ``numpy.quantile`` (method ``linear``) does between the values, each bin's centre
    clamped to [min, max] (and, for whole numbers in bins narrower than 1, the bin's
    one whole number, exact): it differs from ``numpy.quantile`` of all the values by at
    most half a bin, ``step / 2``.
    """

    FLUSH = 1 << 14

    def __init__(self):
        self.counts = np.zeros(BINS, dtype=np.int64)
        self.offset = 0                  # lattice index of the first bin
        self.step = 0.0                  # bin width; 0 until the first block
        self.n, self.total = 0, 0.0
        self.min, self.max = np.inf, -np.inf
        self.integral = True             # every value a whole number (a count): quantiles stay whole
        self._pending: list[np.ndarray] = []
        self._pending_size = 0

    def add(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=float).ravel()
        if not values.size:
            return
        self._pending.append(values)
        self._pending_size += values.size
        if self._pending_size >= self.FLUSH:
            self._flush(complete_blocks_only=True)

    def _flush(self, complete_blocks_only: bool = False) -> None:
        if not self._pending:
            return
        values = np.concatenate(self._pending)
        cut = len(values) - len(values) % self.FLUSH if complete_blocks_only else len(values)
        rest = values[cut:]
        self._pending, self._pending_size = ([rest], rest.size) if rest.size else ([], 0)
        for start in range(0, cut, self.FLUSH):
            self._block(values[start:start + self.FLUSH])

    def _block(self, values: np.ndarray) -> None:
        self.n += values.size
        self.total += float(values.sum())
        self.min, self.max = min(self.min, float(values.min())), max(self.max, float(values.max()))
        self.integral = self.integral and bool((values == np.round(values)).all())
        if self.step == 0.0:
            span = (self.max - self.min) / (BINS - 1)
            tiny = np.ldexp(1.0, np.frexp(max(abs(self.min), abs(self.max), 1e-300))[1] - 52)
            self.step = float(np.ldexp(1.0, int(np.ceil(np.log2(max(span, tiny))))))
            self.offset = int(np.floor(self.min / self.step))
        factor = 1                       # the smallest widening that fits [min, max] in BINS bins
        while int(np.floor(self.max / (self.step * factor))) - int(np.floor(self.min / (self.step * factor))) >= BINS:
            factor *= 2
        if factor > 1 or int(np.floor(self.min / self.step)) != self.offset:
            self._coarsen(factor)
        idx = np.floor(values / self.step).astype(np.int64) - self.offset
        self.counts += np.bincount(idx, minlength=BINS)

    def _coarsen(self, factor: int) -> None:
        """Widen the bins by ``factor`` (a power of two, 1 to re-anchor only) so that [min, max]
        fits; every old bin falls whole into one new bin."""
        filled = np.flatnonzero(self.counts)
        absolute = (filled + self.offset) // factor
        self.step *= factor
        self.offset = int(np.floor(self.min / self.step))
        counts = np.zeros(BINS, dtype=np.int64)
        np.add.at(counts, absolute - self.offset, self.counts[filled])
        self.counts = counts

    def _order_statistic(self, cumulative: np.ndarray, k: int) -> float:
        """Centre of the bin holding the ``k``-th smallest value (0-based), within [min, max]."""
        i = int(np.searchsorted(cumulative, k + 1, side="left"))
        centre = min(max((self.offset + i + 0.5) * self.step, self.min), self.max)
        return float(np.round(centre)) if self.integral and self.step < 1.0 else centre   # one whole number a bin

    def quantile(self, q: float) -> float:
        """The ``q`` quantile, within ``step / 2`` of ``numpy.quantile`` of the values (NaN: no values)."""
        self._flush()
        if self.n == 0:
            return np.nan
        if self.min == self.max:
            return self.min
        cumulative = np.cumsum(self.counts)
        h = (self.n - 1) * q
        lo = int(np.floor(h))
        a = self._order_statistic(cumulative, lo)
        b = self._order_statistic(cumulative, min(lo + 1, self.n - 1))
        return float(a + (h - lo) * (b - a))

    @property
    def mean(self) -> float:
        self._flush()
        return self.total / self.n if self.n else np.nan

    @property
    def resolution(self) -> float:
        """The bin width: each quantile is within half of it of the exact one."""
        self._flush()
        return self.step


def target_draws(t: Target, ind: Indicators, horizon: int) -> dict[str, np.ndarray] | None:
    """Per-draw value, gap, met flag and shortfall of one target (``None``: not evaluable).

    The scorecard's evaluation (:meth:`model.targets.definitions.Target.evaluate`) on the draws of
    the target year; the shortfall is the distance to the nearest value that meets the
    target (0 when met, :class:`model.targets.comparators.Evaluation`).
    """
    if not t.modelled or t.year > horizon:
        return None
    y = level_row(t.year)
    e = t.evaluate({v: ind.value(v)[..., y] for v in t.variables})
    return {"value": e.value, "gap": e.gap, "met": e.met, "shortfall": e.shortfall}


def _gap_quantile(t: Target, s: dict, q: float) -> float:
    """Quantile of the gap: for a gap that rises with the value, the gap at the value's quantile
    (within the value's resolution, as the gap moves one for one with the value)."""
    return s["gap"].quantile(q) if s["gap"] is not None else float(t.comparator.gap_at(s["value"].quantile(q)))


@dataclass
class MonteCarloResult:
    targets: pd.DataFrame       # one row per target
    fan: pd.DataFrame           # quantiles of the headline indicators by year
    draws: int
    seed: int
    chunk: int                  # draws simulated at once (after the cut for the horizon)
    excluded: int = 0           # draws left out: outside the model's domain
    warnings: tuple[str, ...] = ()
    parameters: tuple[str, ...] = ()   # satellite and revenue parameters drawn (model/analysis/parameter_draws.py)


TARGET_COLUMNS = ["target", "year", "unit", "comparator", "draws", "draws_excluded", "share_excluded", "p_met",
                  "p_met_se", "deterministic_value", "value_p10", "value_p50", "value_p90", "value_mean", "gap_p10",
                  "gap_p50", "gap_p90", "expected_shortfall_if_missed", "resolution"]


def run(scenario: Scenario, baseline: Baseline, targets: Sequence[Target], draws: int | None = None,
        seed: int | None = None, chunk: int = DEFAULT_CHUNK,
        revenue_links: Mapping[str, float] | None = None,
        progress: Callable[[int, int], None] | None = None) -> MonteCarloResult:
    """Simulate ``draws`` parameter sets of ``scenario`` (default: its ``uncertainty`` block), with the
    revenue layer's data drawn too where the block says so (:func:`model.analysis.sampling.data_ranges`).

    Returns per target: P(met) with its standard error, the scenario's deterministic
    value beside the 10/50/90 % quantiles of the projected value and of the gap, the
    mean shortfall when missed; and the fan of :data:`HEADLINE` indicators by year,
    with the deterministic projection.  Draws outside the model's domain (parameters
    outside their ranges, :func:`model.analysis.sampling.drawn_in_range`; paths with a rate at or
    below -100 % or a level not positive and finite, :func:`model.projection.simulate.in_domain`)
    are left out of every statistic; their number is reported in ``draws_excluded``
    and ``share_excluded`` and in the result's ``warnings``.  From a later base year the parameters of
    the satellite series and of the new cluster revenues are drawn too, from a stream of their own
    (:mod:`model.analysis.parameter_draws`; their keys in the result's ``parameters``).

    ``progress``, if given, is called after every chunk with the draws simulated so far and
    the number of draws, ``progress(done, n)``; the run prints nothing itself.
    """
    u = scenario.uncertainty
    n = draws or u.draws
    seed = u.seed if seed is None else seed
    chunk = chunk_size(chunk, scenario.horizon)
    rng = np.random.default_rng(seed)
    links = checked_revenue_links(revenue_links)     # checked once, not per chunk
    det_projection = project(scenario, baseline)
    reported = Indicators(det_projection, links)
    modelled = [t for t in targets if t.modelled and t.year <= scenario.horizon
                and all(v in reported for v in t.variables)]     # not: a later jump-off's series from 2020
    stats = {t.id: {"value": StreamingStats(), "met": 0, "shortfall": 0.0,
                    "gap": None if t.comparator.gap_from_value else StreamingStats()} for t in modelled}
    years = level_years(scenario.horizon)
    fans = {(var, int(year)): StreamingStats() for var in HEADLINE for year in years}
    excluded = 0
    data = data_ranges(scenario, baseline, links.parameters)      # the data drawn too, centred on the scenario
    drawn = parameter_draws.declared(det_projection, links)
    parameter_rng = parameter_draws.generator(seed)
    done = 0
    for sample in chunks(scenario, n, rng, chunk, data):
        projection = project(scenario, baseline, sample)
        values = parameter_draws.draw(drawn, sample.n, parameter_rng)
        keep = in_domain(projection) & (sample.valid if sample.valid is not None else True)
        excluded += int((~keep).sum())
        done += sample.n
        if not keep.any():
            if progress is not None:
                progress(done, n)
            continue
        if not keep.all():
            projection = select_draws(projection, keep)
            values = {k: v[keep] for k, v in values.items()}
        ind = Indicators(projection, links, values)
        for t in modelled:
            d = target_draws(t, ind, scenario.horizon)
            s = stats[t.id]
            s["value"].add(d["value"])
            if s["gap"] is not None:
                s["gap"].add(d["gap"])
            s["met"] += int(d["met"].sum())
            s["shortfall"] += float(d["shortfall"].sum())
        for var in HEADLINE:
            values = ind.value(var)
            for j, year in enumerate(years):
                fans[(var, int(year))].add(values[..., j])
        ind.release()
        if progress is not None:
            progress(done, n)
    det = reported
    kept = n - excluded
    rows = []
    for t in modelled:
        s = stats[t.id]
        p = s["met"] / kept if kept else np.nan
        missed = kept - s["met"]
        rows.append({
            "target": t.id, "year": t.year, "unit": t.unit, "comparator": t.comparator.symbol,
            "draws": n, "draws_excluded": excluded, "share_excluded": excluded / n,
            "p_met": p, "p_met_se": float(np.sqrt(p * (1 - p) / kept)) if kept else np.nan,
            "deterministic_value": float(det.value(t.variable)[level_row(t.year)]),
            **{f"value_p{int(q * 100)}": s["value"].quantile(q) for q in (0.1, 0.5, 0.9)},
            "value_mean": s["value"].mean,
            **{f"gap_p{int(q * 100)}": _gap_quantile(t, s, q) if kept else np.nan for q in (0.1, 0.5, 0.9)},
            "expected_shortfall_if_missed": s["shortfall"] / missed if missed else (0.0 if kept else np.nan),
            "resolution": s["value"].resolution,
        })
    fan_rows = [{"variable": var, "year": year, "unit": "%",
                 **{f"p{int(round(q * 100)):02d}": st.quantile(q) for q in QUANTILES}, "mean": st.mean,
                 "deterministic": float(det.value(var)[level_row(year)])}
                for (var, year), st in fans.items() if year >= baseline.base_year]   # none before a later base
    fan = pd.DataFrame(fan_rows)
    return MonteCarloResult(pd.DataFrame(rows, columns=TARGET_COLUMNS), fan, n, seed, chunk, excluded,
                            tuple(_warnings(n, excluded, fan, scenario.horizon)), tuple(d.key for d in drawn))


def _warnings(n: int, excluded: int, fan: pd.DataFrame, horizon: int) -> list[str]:
    """What a reader of the Monte Carlo results must know: excluded draws, and a
    deterministic projection outside the fan's interquartile range."""
    out = []
    if excluded:
        out.append(f"Monte Carlo: {excluded:,} of {n:,} draws ({100 * excluded / n:.3g} %) left the model's domain "
                   "(a parameter outside its range, a growth or deflator rate at or below -100 %, or a level not "
                   "positive and finite) and were left out; P(met) and the quantiles are over the other "
                   f"{n - excluded:,}")
    last = fan[fan["year"] == horizon]
    for r in last.itertuples(index=False):
        if r.p25 == r.p25 and not r.p25 - 1e-9 <= r.deterministic <= r.p75 + 1e-9:
            out.append(f"Monte Carlo: the deterministic projection of {r.variable} in {horizon}, "
                       f"{r.deterministic:.4g} %, lies outside the draws' interquartile range "
                       f"{r.p25:.4g}-{r.p75:.4g} % (median {r.p50:.4g} %): the Monte Carlo is not centred on the "
                       "scenario")
    return out


def with_probabilities(scorecard: pd.DataFrame, mc: MonteCarloResult | None) -> pd.DataFrame:
    """The scorecard with a ``p_met`` column: P(met) from ``mc``, empty without a Monte Carlo run."""
    out = scorecard.copy()
    p = {} if mc is None else dict(zip(mc.targets["target"], mc.targets["p_met"]))
    out["p_met"] = [p.get(t, np.nan) for t in out["target"]]
    return out

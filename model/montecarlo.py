"""Monte Carlo: probability of meeting each target, quantiles, fan charts.

All draws of a chunk go through the model at once as arrays
``(n_draws, n_years [+1], n_sectors)``; chunks keep memory bounded whatever the
number of draws.  Statistics are streamed: counts and sums for probabilities and
means, exact minima and maxima, and fixed-grid histograms for quantiles.  The grids
depend only on the unit, so the result does not depend on the chunk size; a
quantile is exact to half a bin (see :data:`GRIDS`) and clamped to the exact
minimum and maximum, so a parameter set without spread reproduces the
deterministic projection exactly.  Targets are evaluated on the draws by the
scorecard's own evaluation (:meth:`model.targets.Target.evaluate`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from .calibration import Baseline
from .indicators import Indicators
from .sampling import DEFAULT_CHUNK, chunks
from .scenario import Scenario
from .simulate import project
from .targets import Target
from .years import level_row, level_years

HEADLINE = ("Share of GDP|High-tech", "Share of GDP|Manufacturing", "Share of GDP|Finance")
QUANTILES = (0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95)
# unit -> (low, high, bin width) of the histogram grid; values outside fall in end bins
GRIDS = {"%": (-50.0, 150.0, 0.001), "100 million CNY": (-250_000.0, 750_000.0, 2.0), "count": (-0.5, 20.5, 1.0)}


class StreamingStats:
    """Count, sum, exact min/max and a fixed-grid histogram of a stream of values.

    Values are binned in batches of at least :attr:`FLUSH` so that small chunks do
    not pay for a full-grid count each.
    """

    FLUSH = 1 << 18

    def __init__(self, unit: str):
        self.low, self.high, self.step = GRIDS.get(unit, GRIDS["100 million CNY"])
        self.bins = int(round((self.high - self.low) / self.step))
        self.counts = np.zeros(self.bins + 2, dtype=np.int64)       # [below, bins..., above]
        self.n, self.total = 0, 0.0
        self.min, self.max = np.inf, -np.inf
        self._pending: list[np.ndarray] = []
        self._pending_size = 0

    def add(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=float).ravel()
        self.n += values.size
        self.total += float(values.sum())
        self.min, self.max = min(self.min, float(values.min())), max(self.max, float(values.max()))
        self._pending.append(values)
        self._pending_size += values.size
        if self._pending_size >= self.FLUSH:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        values = np.concatenate(self._pending)
        self._pending, self._pending_size = [], 0
        idx = np.floor((values - self.low) / self.step).astype(np.int64) + 1
        np.clip(idx, 0, self.bins + 1, out=idx)
        self.counts += np.bincount(idx, minlength=self.bins + 2)

    def quantile(self, q: float) -> float:
        """The ``q`` quantile: the centre of the bin holding it, within [min, max]."""
        self._flush()
        if self.min == self.max:
            return self.min
        rank = q * self.n
        i = int(np.searchsorted(np.cumsum(self.counts), rank, side="left"))
        centre = self.low + (i - 0.5) * self.step
        return float(min(max(centre, self.min), self.max))

    @property
    def mean(self) -> float:
        return self.total / self.n


def target_draws(t: Target, ind: Indicators, horizon: int) -> dict[str, np.ndarray] | None:
    """Per-draw value, gap, met flag and shortfall of one target (``None``: not evaluable).

    The scorecard's evaluation (:meth:`model.targets.Target.evaluate`) on the draws of
    the target year; the shortfall is the distance to the nearest value that meets the
    target (0 when met, :class:`model.comparators.Evaluation`).
    """
    if not t.modelled or t.year > horizon:
        return None
    y = level_row(t.year)
    e = t.evaluate({v: ind.value(v)[..., y] for v in t.variables})
    return {"value": e.value, "gap": e.gap, "met": e.met, "shortfall": e.shortfall}


def _gap_quantile(t: Target, s: dict, q: float) -> float:
    """Quantile of the gap: for a gap that rises with the value, the gap at the value's quantile."""
    return s["gap"].quantile(q) if s["gap"] is not None else float(t.comparator.gap_at(s["value"].quantile(q)))


@dataclass
class MonteCarloResult:
    targets: pd.DataFrame       # one row per target
    fan: pd.DataFrame           # quantiles of the headline indicators by year
    draws: int
    seed: int
    chunk: int


def run(scenario: Scenario, baseline: Baseline, targets: Sequence[Target], draws: int | None = None,
        seed: int | None = None, chunk: int = DEFAULT_CHUNK,
        revenue_links: Mapping[str, float] | None = None) -> MonteCarloResult:
    """Simulate ``draws`` parameter sets of ``scenario`` (default: its ``uncertainty`` block).

    Returns per target: P(met) with its standard error, the 10/50/90 % quantiles of the
    projected value and of the gap, the mean shortfall when missed; and the fan of
    :data:`HEADLINE` indicators by year.
    """
    u = scenario.uncertainty
    n = draws or u.draws
    seed = u.seed if seed is None else seed
    rng = np.random.default_rng(seed)
    modelled = [t for t in targets if t.modelled and t.year <= scenario.horizon]
    stats: dict[str, dict] = {}
    fans: dict[tuple[str, int], StreamingStats] = {}
    years = level_years(scenario.horizon)
    for sample in chunks(scenario, n, rng, chunk):
        ind = Indicators(project(scenario, baseline, sample), revenue_links)
        for t in modelled:
            d = target_draws(t, ind, scenario.horizon)
            s = stats.setdefault(t.id, {"value": StreamingStats(t.unit), "met": 0, "shortfall": 0.0,
                                        "gap": None if t.comparator.gap_from_value else StreamingStats(t.unit)})
            s["value"].add(d["value"])
            if s["gap"] is not None:
                s["gap"].add(d["gap"])
            s["met"] += int(d["met"].sum())
            s["shortfall"] += float(d["shortfall"].sum())
        for var in HEADLINE:
            values = ind.value(var)
            for j, year in enumerate(years):
                fans.setdefault((var, int(year)), StreamingStats("%")).add(values[..., j])
        ind.release()
    rows = []
    for t in modelled:
        s = stats[t.id]
        p = s["met"] / n
        missed = n - s["met"]
        rows.append({
            "target": t.id, "year": t.year, "unit": t.unit, "comparator": t.comparator.symbol,
            "draws": n, "p_met": p, "p_met_se": float(np.sqrt(p * (1 - p) / n)),
            **{f"value_p{int(q * 100)}": s["value"].quantile(q) for q in (0.1, 0.5, 0.9)},
            "value_mean": s["value"].mean,
            **{f"gap_p{int(q * 100)}": _gap_quantile(t, s, q) for q in (0.1, 0.5, 0.9)},
            "expected_shortfall_if_missed": s["shortfall"] / missed if missed else 0.0,
            "resolution": GRIDS.get(t.unit, GRIDS["100 million CNY"])[2],
        })
    columns = ["target", "year", "unit", "comparator", "draws", "p_met", "p_met_se", "value_p10", "value_p50",
               "value_p90", "value_mean", "gap_p10", "gap_p50", "gap_p90", "expected_shortfall_if_missed",
               "resolution"]
    fan_rows = [{"variable": var, "year": year, "unit": "%",
                 **{f"p{int(round(q * 100)):02d}": st.quantile(q) for q in QUANTILES}, "mean": st.mean}
                for (var, year), st in fans.items()]
    return MonteCarloResult(pd.DataFrame(rows, columns=columns), pd.DataFrame(fan_rows), n, seed, chunk)


def with_probabilities(scorecard: pd.DataFrame, mc: MonteCarloResult | None) -> pd.DataFrame:
    """The scorecard with a ``p_met`` column: P(met) from ``mc``, empty without a Monte Carlo run."""
    out = scorecard.copy()
    p = {} if mc is None else dict(zip(mc.targets["target"], mc.targets["p_met"]))
    out["p_met"] = [p.get(t, np.nan) for t in out["target"]]
    return out

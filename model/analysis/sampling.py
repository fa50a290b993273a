"""Sampling scenario parameters for Monte Carlo runs.

The random stream is explicit: a ``numpy.random.Generator`` seeded from the
scenario (or the command line) is passed in, and every chunk of draws takes its
normals from that stream in order, so results do not depend on the chunk size.
Correlation between sectors' growth draws is a Gaussian copula: standard normals
are correlated with the Cholesky factor of the correlation matrix, then mapped to
each marginal through its quantile function.  The values become
:class:`~model.projection.simulate.Draws` through :func:`model.projection.simulate.shifted_draws`, the
builder the sensitivity analysis uses too.

Data uncertainty (the block's ``revenue_bases`` and ``revenue_elasticities``): the revenue layer's data are
drawn within their documented ranges (:func:`data_ranges`), each from a split triangular distribution whose
mode and median are the central value, in further columns of the same rows of the stream.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Mapping

import numpy as np

from ..baseline.calibration import Baseline
from ..baseline.data import revenue_links
from ..core.sectors import KEYS
from ..core.years import n_steps
from ..equations.revenue import SERIES, RevenueDraws
from ..projection.indicators import DRAWN_REVENUE_SERIES
from ..projection.simulate import Draws, shifted_draws
from ..scenario.loader import Scenario, Uncertainty
from ..scenario.spec import Distribution

DEFAULT_CHUNK = 16_384


def quantile(d: Distribution, z: np.ndarray) -> np.ndarray:
    r"""Values of distribution ``d`` at standard-normal scores ``z`` (same shape):
    :math:`\mu + \sigma z` for a normal, else ``d.ppf(Phi(z))``
    (:meth:`model.scenario.distributions.Distribution.ppf`)."""
    if d.kind == "normal":
        mean, sd = d.params
        return mean + sd * z
    from scipy.special import ndtr  # where drawn: importing this module needs no scipy
    return d.ppf(ndtr(z))


def _columns(u: Uncertainty, n_rows: int) -> list[tuple[str, str, Distribution]]:
    """The sampled quantities in stream order: (group, key, distribution), one column each
    (``n_rows`` columns per growth/deflator entry when draws are yearly)."""
    cols = []
    for group in ("growth", "deflator"):
        table = getattr(u, group)
        keys = (["all"] if "all" in table else []) + [k for k in KEYS if k in table]
        for k in keys:
            cols += [(group, k, table[k])] * n_rows
    if u.vaccine_unwind is not None:
        cols.append(("vaccine_unwind", "", u.vaccine_unwind))
    for name in sorted(u.shocks):
        for field in sorted(u.shocks[name]):
            cols.append((f"shock.{field}", name, u.shocks[name][field]))
    return cols


# ---------------------------------------------------------------- data uncertainty
def split_triangular_ppf(u: np.ndarray, low: np.ndarray, mode: np.ndarray, high: np.ndarray) -> np.ndarray:
    r"""Quantile function of the split triangular distribution on :math:`[a, b]` with mode and median
    :math:`m`: half of the mass on each side of :math:`m`, each half a triangle whose density falls
    linearly from :math:`m` to zero at its end,

    .. math:: x(u) = a + (m - a)\sqrt{2u} \quad (u \le 1/2), \qquad x(u) = b - (b - m)\sqrt{2(1 - u)} \quad (u > 1/2),

    so that :math:`x(1/2) = m` exactly.  A side of zero width (:math:`m = a` or :math:`m = b`) puts its half
    of the mass on :math:`m`.  ``u`` ``(n, k)`` probabilities; ``low``, ``mode``, ``high`` ``(k,)``;
    returns the shape they broadcast to.
    """
    u = np.asarray(u, dtype=float)
    left = low + (mode - low) * np.sqrt(2.0 * np.minimum(u, 0.5))
    right = high - (high - mode) * np.sqrt(2.0 * (1.0 - np.maximum(u, 0.5)))
    return np.where(u < 0.5, left, np.where(u > 0.5, right, mode))


@dataclass(frozen=True)
class DataRanges:
    """The data a Monte Carlo draws besides the scenario's distributions (data uncertainty), one column each,
    in the order of the random stream: ``names`` ``(k,)`` and ``low``, ``central``, ``high`` ``(k,)``.

    Names: ``<series>.base_2020`` and ``<series>.elasticity`` (parameters of the revenue layer);
    ``reference.<sector>`` (the 2020 sector levels a later base's links start from, scaled after drawing
    to sum to ``reference_total``, the published 2020 GDP of that basis); ``figure.<series>.<i>`` (the
    ``i``-th published figure of the series' anchor, :meth:`~model.equations.revenue.RevenueAnchor.figures`).
    """

    names: tuple[str, ...]
    low: np.ndarray
    central: np.ndarray
    high: np.ndarray
    reference_total: float | None = None

    def draws(self, z: np.ndarray) -> RevenueDraws:
        """The drawn data at standard-normal scores ``z`` ``(n, k)``: each column split triangular
        (:func:`split_triangular_ppf`) on its range around its central value."""
        from scipy.special import ndtr  # where drawn: importing this module needs no scipy
        values = split_triangular_ppf(ndtr(z), self.low, self.central, self.high)
        params, figures, reference = {}, {}, []
        for j, name in enumerate(self.names):
            kind, _, rest = name.partition(".")
            if kind == "reference":
                reference.append(values[:, j])
            elif kind == "figure":
                figures.setdefault(rest.rsplit(".", 1)[0], []).append(values[:, j])
            else:
                params[name] = values[:, j]
        ref = None
        if reference:
            ref = np.column_stack(reference)
            ref *= self.reference_total / ref.sum(axis=1, keepdims=True)
        return RevenueDraws(params, ref, {k: np.column_stack(v) for k, v in figures.items()})


def data_ranges(scenario: Scenario, baseline: Baseline, parameters: Mapping[str, float]) -> DataRanges | None:
    """The data a Monte Carlo of ``scenario`` draws (its ``uncertainty`` block's ``revenue_bases`` and
    ``revenue_elasticities``), centred on ``parameters`` (the scenario's revenue-link parameters) and on the
    baseline's anchors; None when it draws none.

    The series of :data:`model.projection.indicators.DRAWN_REVENUE_SERIES` are left out: their parameters are
    drawn by :mod:`model.analysis.parameter_draws`.  Ranges: a parameter's row of
    ``model/data/revenue_links.csv``; from a later base, the 2020 sector levels
    of the links within the census bridges' ranges (``baseline.revenue_reference_range``) and each anchor's
    published figure within its rounding or bound (``RevenueAnchor.low``/``high``,
    :func:`model.baseline.precision.figure_range`).
    """
    u = scenario.uncertainty
    if u is None or not u.draws_data:
        return None
    rows = revenue_links()
    cols: list[tuple[str, float, float, float]] = []
    # the 15th plan's two new cluster series are drawn by model.analysis.parameter_draws (their level and
    # elasticity, from a stream of their own): never twice
    series = [s for s in SERIES if s.key not in DRAWN_REVENUE_SERIES]
    for s in series:
        for what, drawn in (("base_2020", u.revenue_bases), ("elasticity", u.revenue_elasticities)):
            key = f"{s.key}.{what}"
            if drawn:
                cols.append((key, rows[key].low, parameters[key], rows[key].high))
    total = None
    if u.revenue_bases and baseline.revenue_anchors:
        low, high = baseline.revenue_reference_range
        cols += [(f"reference.{k}", low[i], baseline.revenue_reference[i], high[i]) for i, k in enumerate(KEYS)]
        total = float(np.sum(baseline.revenue_reference))
        for s in series:
            if s.key in baseline.revenue_anchors:
                cols += [(f"figure.{s.key}.{i}", f.value if f.low is None else f.low, f.value,
                          f.value if f.high is None else f.high)
                         for i, f in enumerate(baseline.revenue_anchors[s.key].figures())]
    names, low, central, high = zip(*cols)
    return DataRanges(names, np.array(low), np.array(central), np.array(high), total)


def sample(scenario: Scenario, n: int, rng: np.random.Generator, data: DataRanges | None = None) -> Draws:
    """``n`` draws of the scenario's uncertain parameters as a :class:`~model.projection.simulate.Draws`,
    with the data of ``data`` (:func:`data_ranges`) drawn after them, in the same rows of the stream."""
    u = scenario.uncertainty
    n_years = n_steps(scenario.horizon)
    n_rows = n_years if u.timing == "yearly" else 1
    cols = _columns(u, n_rows)
    n_data = 0 if data is None else len(data.names)
    z = rng.standard_normal((n, len(cols) + n_data))
    revenue = None if data is None else data.draws(z[:, len(cols):])
    z = z[:, :len(cols)]
    if len(u.correlated) > 1:
        # correlate the sector-specific growth columns, year by year
        start = n_rows if "all" in u.growth else 0
        chol = np.linalg.cholesky(u.correlation)
        block = z[:, start:start + n_rows * len(u.correlated)].reshape(n, len(u.correlated), n_rows)
        z[:, start:start + n_rows * len(u.correlated)] = np.einsum("ij,njr->nir", chol, block).reshape(n, -1)
    values = np.empty_like(z)
    for j, (_, _, d) in enumerate(cols):
        values[:, j] = quantile(d, z[:, j])

    shifts: dict[str, dict[str, np.ndarray]] = {"growth": {}, "deflator": {}}
    unwind, loss, recovered = None, {}, {}
    valid = np.ones(n, dtype=bool)
    j = 0
    while j < len(cols):
        group, key, _ = cols[j]
        if group in shifts:
            shifts[group][key] = values[:, j:j + n_rows] / 100.0        # pp -> fraction, (n, n_rows)
            j += n_rows
            continue
        x = values[:, j]
        valid &= drawn_in_range(group, x)
        if group == "vaccine_unwind":
            unwind = x / 100.0
        elif group == "shock.growth_loss":
            loss[key] = x / 100.0
        elif group == "shock.recovered":
            recovered[key] = x / 100.0
        j += 1
    return shifted_draws(n, scenario.horizon, shifts["growth"], shifts["deflator"], unwind, loss, recovered, valid,
                         base=scenario.base, revenue=revenue)


def drawn_in_range(group: str, x: np.ndarray) -> np.ndarray:
    """Whether draws of a level-valued parameter lie in its range (percent or pp):
    ``vaccine_unwind`` and a shock's ``recovered`` in [0, 100], a shock's ``growth_loss``
    in (-100, 100].  Draws outside are not clipped: the Monte Carlo leaves them out."""
    if group in ("vaccine_unwind", "shock.recovered"):
        return (x >= 0.0) & (x <= 100.0)
    return (x > -100.0) & (x <= 100.0)


def chunks(scenario: Scenario, n_draws: int, rng: np.random.Generator,
           chunk: int = DEFAULT_CHUNK, data: DataRanges | None = None) -> Iterator[Draws]:
    """``n_draws`` draws in chunks of at most ``chunk``, all from the one stream ``rng`` (a draw's numbers
    are one row of it, so the chunk size does not change them); ``data`` as in :func:`sample`."""
    done = 0
    while done < n_draws:
        size = min(chunk, n_draws - done)
        yield sample(scenario, size, rng, data)
        done += size

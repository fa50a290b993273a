"""Sampling scenario parameters for Monte Carlo runs.

The random stream is explicit: a ``numpy.random.Generator`` seeded from the
scenario (or the command line) is passed in, and every chunk of draws takes its
normals from that stream in order, so results do not depend on the chunk size.
Correlation between sectors' growth draws is a Gaussian copula: standard normals
are correlated with the Cholesky factor of the correlation matrix, then mapped to
each marginal through its quantile function.  The values become
:class:`~model.projection.simulate.Draws` through :func:`model.projection.simulate.shifted_draws`, the
builder the sensitivity analysis uses too.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np
from scipy.special import ndtr

from ..core.sectors import KEYS
from ..core.years import n_steps
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


def sample(scenario: Scenario, n: int, rng: np.random.Generator) -> Draws:
    """``n`` draws of the scenario's uncertain parameters as a :class:`~model.projection.simulate.Draws`."""
    u = scenario.uncertainty
    n_years = n_steps(scenario.horizon)
    n_rows = n_years if u.timing == "yearly" else 1
    cols = _columns(u, n_rows)
    z = rng.standard_normal((n, len(cols)))
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
                         base=scenario.base)


def drawn_in_range(group: str, x: np.ndarray) -> np.ndarray:
    """Whether draws of a level-valued parameter lie in its range (percent or pp):
    ``vaccine_unwind`` and a shock's ``recovered`` in [0, 100], a shock's ``growth_loss``
    in (-100, 100].  Draws outside are not clipped: the Monte Carlo leaves them out."""
    if group in ("vaccine_unwind", "shock.recovered"):
        return (x >= 0.0) & (x <= 100.0)
    return (x > -100.0) & (x <= 100.0)


def chunks(scenario: Scenario, n_draws: int, rng: np.random.Generator,
           chunk: int = DEFAULT_CHUNK) -> Iterator[Draws]:
    """``n_draws`` draws in chunks of at most ``chunk``, all from the one stream ``rng``."""
    done = 0
    while done < n_draws:
        size = min(chunk, n_draws - done)
        yield sample(scenario, size, rng)
        done += size

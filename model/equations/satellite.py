r"""Satellite series: quantities the plan targets that are not value added, tied to the projection's value
added by a link and an elasticity, and the fit of that elasticity on the published record.

A satellite :math:`X` (R&D spending, general public budget revenue) starts from its level :math:`X_b` in
the jump-off year and follows its *link* :math:`L`, a weighted sum of sector nominal value added:

.. math::

    L_t = \sum_i w_i V_{t,i}, \qquad X_t = f\,X_b \left(\frac{L_t}{L_b}\right)^{\varepsilon}

with :math:`f` a level factor (1 in the deterministic projection; drawn in the Monte Carlo, where the
level rests on an estimate or a loose scope) and :math:`\varepsilon` the elasticity.  With every weight 1
the link is nominal GDP.  The same form as the revenue layer (:mod:`model.equations.revenue`).

The elasticity is fitted on published growth rates, the log-growth regression through the origin

.. math:: \ln(X_y / X_{y-1}) = \varepsilon \ln(L_y / L_{y-1}) + e_y,

each pair of years within one census basis of the link (:func:`fit_through_origin`): the relation
projected is the relation fitted, with no constant, so a link that does not grow leaves the satellite
where it is.

Pure functions over numpy arrays: no I/O, no pandas.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Satellite:
    """One satellite series from a jump-off: ``level`` :math:`X_b` (100 million CNY, the base year's),
    ``elasticity`` :math:`\\varepsilon`, ``weights`` ``(n_sectors,)`` of its link."""

    key: str
    level: float
    elasticity: float
    weights: np.ndarray


def linked_level(level: float | np.ndarray, link: np.ndarray, link_base: float | np.ndarray,
                 elasticity: float | np.ndarray, factor: float | np.ndarray = 1.0) -> np.ndarray:
    r""":math:`X_t = f X_b (L_t / L_b)^{\varepsilon}`.

    ``link`` ``(..., n_years + 1)``; ``level``, ``link_base``, ``elasticity`` and ``factor`` scalars or
    arrays that broadcast against it (one value per draw: shape ``(n_draws, 1)``).  Returns the levels
    in the unit of ``level``; at :math:`L_t = L_b` it is :math:`f X_b` exactly.
    """
    ratio = np.asarray(link, dtype=float) / link_base
    return factor * level * ratio ** elasticity


def growth_percent(levels: np.ndarray) -> np.ndarray:
    r"""Growth on the year before, :math:`100\,(X_t / X_{t-1} - 1)`, ``(..., n_years + 1)``; the first
    row (no year before) is NaN."""
    x = np.asarray(levels, dtype=float)
    out = np.full(x.shape, np.nan)
    out[..., 1:] = 100.0 * (x[..., 1:] / x[..., :-1] - 1.0)
    return out


@dataclass(frozen=True)
class ThroughOriginFit:
    """A least-squares fit :math:`y = b x + e` without constant: ``coefficient`` :math:`b`, its standard
    error, the residual standard deviation, the uncentred :math:`R^2 = 1 - \\sum e^2 / \\sum y^2` (the
    share of the squared growth the link explains), and the fitted values and residuals."""

    coefficient: float
    standard_error: float
    residual_sd: float
    r_squared: float
    fitted: np.ndarray
    residuals: np.ndarray


def fit_through_origin(x: np.ndarray, y: np.ndarray) -> ThroughOriginFit:
    r"""Ordinary least squares of ``y`` on ``x`` ``(n,)`` through the origin:
    :math:`b = \sum x y / \sum x^2`, :math:`s^2 = \sum e^2 / (n - 1)`, :math:`se(b) = s / \sqrt{\sum x^2}`.
    Needs at least two observations and some ``x`` other than 0 (``ValueError`` otherwise)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or len(x) < 2 or not np.any(x):
        raise ValueError(f"a fit through the origin needs two or more paired observations, got {x.shape}, {y.shape}")
    b = float(x @ y / (x @ x))
    fitted = b * x
    e = y - fitted
    s = float(np.sqrt(e @ e / (len(x) - 1)))
    return ThroughOriginFit(b, s / float(np.sqrt(x @ x)), s, float(1.0 - (e @ e) / (y @ y)), fitted, e)


# ------------------------------------------------------------------ drawn parameters
def truncated_normal(mean: float | np.ndarray, sd: float, low: float, high: float, u: np.ndarray) -> np.ndarray:
    r"""A normal :math:`N(\mu, \sigma)` truncated to [``low``, ``high``] at probabilities ``u`` in [0, 1):
    :math:`\mu + \sigma\,\Phi^{-1}(\Phi(a) + u\,(\Phi(b) - \Phi(a)))`, :math:`a, b` the bounds in standard
    scores.  Every value lies in the bounds (no mass piles up on them); ``sd`` 0 gives ``mean``."""
    u = np.asarray(u, dtype=float)
    if sd == 0.0:
        return np.broadcast_to(np.asarray(mean, dtype=float), u.shape).copy()
    from scipy.special import ndtr, ndtri  # where drawn: importing this module needs no scipy
    a, b = ndtr((low - np.asarray(mean)) / sd), ndtr((high - np.asarray(mean)) / sd)
    return np.clip(mean + sd * ndtri(a + u * (b - a)), low, high)


def triangular(low: float, mode: float | np.ndarray, high: float, u: np.ndarray) -> np.ndarray:
    r"""The triangular distribution on [``low``, ``high``] with its peak at ``mode`` at probabilities ``u``:
    :math:`a + \sqrt{u (b-a)(c-a)}` below :math:`F_c = (c-a)/(b-a)`, else :math:`b - \sqrt{(1-u)(b-a)(b-c)}`;
    a range of zero width gives its one value."""
    u = np.asarray(u, dtype=float)
    mode = np.asarray(mode, dtype=float)
    if high == low:
        return np.full(u.shape, float(low))
    width = high - low
    left = low + np.sqrt(u * width * (mode - low))
    right = high - np.sqrt((1.0 - u) * width * (high - mode))
    return np.where(u < (mode - low) / width, left, right)

r"""Sector prices: each sector's value-added deflator as the GDP deflator plus a relative drift.

The plan's targets are shares of GDP at current prices, so a share moves with two gaps: the gap of
the sector's real growth to GDP's and the gap of its deflator to GDP's.  The deflator of sector
:math:`i` in year :math:`t` (fraction per year) is

.. math:: \pi_{t,i} = \bar\pi_t + \delta_i\, 2^{-k_t/H}

with :math:`\bar\pi_t` the GDP deflator path, :math:`\delta_i` the sector's relative drift,
:math:`k_t` the years since the first projected year and :math:`H` the half-life of the drift (a
relative price trend fades, as the sector growth differentials do).  The drifts are balanced: the
sectors' value-added weights times their drifts sum to zero, so the GDP deflator stays on its path.
"""
from __future__ import annotations

import numpy as np


def relative_drift(share_start: float, share_end: float, real_sector: float, real_total: float,
                   years: float) -> float:
    r"""The relative price drift implied by a share of GDP at current prices and real growth, per year:

    .. math:: \delta = \Big(\frac{s_1 / s_0}{R_i / R}\Big)^{1/n} - 1

    ``share_start`` :math:`s_0` and ``share_end`` :math:`s_1` (any unit, the same), ``real_sector``
    :math:`R_i` and ``real_total`` :math:`R` the real growth factors of the sector and of GDP over the
    ``years`` :math:`n`.  Returns a fraction per year.
    """
    return ((share_end / share_start) / (real_sector / real_total)) ** (1.0 / years) - 1.0


def balanced(drifts: np.ndarray, weights: np.ndarray, free: np.ndarray) -> np.ndarray:
    r"""``drifts`` ``(n_sectors,)`` with the sectors of ``free`` (boolean ``(n_sectors,)``) given one
    common drift such that :math:`\sum_i w_i \delta_i = 0` (``weights`` :math:`w`, value added of the
    base year, any scale).  The other drifts are kept as given."""
    d = np.array(drifts, dtype=float)
    w = np.asarray(weights, dtype=float)
    free = np.asarray(free, dtype=bool)
    d[free] = -float(w[~free] @ d[~free]) / float(w[free].sum())
    return d


def fading(n_years: int, half_life: float) -> np.ndarray:
    r""":math:`2^{-k/H}` for :math:`k = 0 \dots n_{years} - 1`: the weight of a drift in each projected year,
    ``(n_years,)``; an infinite ``half_life`` keeps the drift whole."""
    if not np.isfinite(half_life):
        return np.ones(n_years)
    return 0.5 ** (np.arange(n_years) / float(half_life))


def sector_deflators(gdp_deflator: np.ndarray, drifts: np.ndarray, weight: np.ndarray) -> np.ndarray:
    r"""Deflator growth by sector, ``(n_years, n_sectors)``: :math:`\bar\pi_t + \delta_i\, f_t`.

    ``gdp_deflator`` :math:`\bar\pi` ``(n_years,)`` or a scalar, ``drifts`` :math:`\delta` ``(n_sectors,)``,
    ``weight`` :math:`f` ``(n_years,)`` (:func:`fading`, or 0 where no drift applies); fractions per year.
    """
    pi = np.broadcast_to(np.asarray(gdp_deflator, dtype=float), np.shape(weight))
    return pi[:, None] + np.asarray(weight, dtype=float)[:, None] * np.asarray(drifts, dtype=float)[None, :]


def implicit_index(nominal: np.ndarray, real: np.ndarray) -> np.ndarray:
    r"""The implicit price index of an aggregate, :math:`100\, V / Q` (``nominal`` :math:`V` and ``real``
    :math:`Q` of the same shape; 100 where they are equal, the base year)."""
    return 100.0 * np.asarray(nominal, dtype=float) / np.asarray(real, dtype=float)

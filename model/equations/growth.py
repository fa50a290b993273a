"""The equations: small pure functions over numpy arrays.

Conventions: rates are fractions per year (0.065 = 6.5 %/yr); levels are in
100 million CNY (亿元); the last axis is sectors and the one before it is years,
so every function also accepts leading axes (e.g. Monte Carlo draws).  No function
mutates its inputs.
"""
from __future__ import annotations

import numpy as np


def compound(level0: np.ndarray, rate: np.ndarray) -> np.ndarray:
    r"""Path of a level growing at ``rate``, base year included.

    .. math:: X_0 = x_0,\qquad X_t = X_{t-1}\,(1 + r_t),\quad t = 1..T

    Parameters
    ----------
    level0 : array ``(..., n_sectors)``
        Level in the base year.
    rate : array ``(..., n_years, n_sectors)``
        Growth rate of each later year, as a fraction.

    Returns
    -------
    array ``(..., n_years + 1, n_sectors)``
        Row 0 is the base year.
    """
    rate = np.asarray(rate, dtype=float)
    level0 = np.asarray(level0, dtype=float)
    shape = np.broadcast_shapes(rate.shape[:-2] + (1, rate.shape[-1]), level0.shape[:-1] + (1, level0.shape[-1]))
    out = np.empty(shape[:-2] + (rate.shape[-2] + 1, shape[-1]))
    out[..., 0, :] = level0
    np.add(rate, 1.0, out=out[..., 1:, :])
    np.cumprod(out[..., 1:, :], axis=-2, out=out[..., 1:, :])
    out[..., 1:, :] *= level0[..., None, :]
    return out


def growth_rates(path: np.ndarray) -> np.ndarray:
    r"""Year-on-year growth of a path: :math:`r_t = X_t / X_{t-1} - 1`.

    The inverse of :func:`compound`: ``growth_rates(compound(x0, r)) == r``.
    ``path`` is ``(..., n_years + 1, n)``; the result is ``(..., n_years, n)``.
    """
    path = np.asarray(path, dtype=float)
    return path[..., 1:, :] / path[..., :-1, :] - 1.0


def nominal(va_real: np.ndarray, price_index: np.ndarray) -> np.ndarray:
    r"""Nominal value added :math:`V_{t,i} = Q_{t,i}\,P_{t,i}`.

    ``va_real`` is in base-year prices (100 million CNY, 2020 prices) and
    ``price_index`` equals 1 in the base year; both ``(..., n_years + 1, n_sectors)``.
    """
    return np.asarray(va_real) * np.asarray(price_index)


def total(va: np.ndarray) -> np.ndarray:
    r"""GDP as the sum of sector value added, :math:`Y_t = \sum_i V_{t,i}`; ``(..., n_years + 1)``."""
    return np.asarray(va).sum(axis=-1)


def weighted_sum(va: np.ndarray, weights: np.ndarray) -> np.ndarray:
    r"""A cross-cutting aggregate :math:`A_t = \sum_i w_i V_{t,i}` (e.g. high-tech).

    ``weights`` ``(n_sectors,)`` in [0, 1] say which fraction of each sector belongs
    to the aggregate; the result is ``(..., n_years + 1)``.
    """
    return np.asarray(va) @ np.asarray(weights, dtype=float)


def share_percent(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    r"""Share in percent, :math:`100\,a_t / Y_t`; ``whole`` broadcasts against ``part``."""
    return 100.0 * np.asarray(part) / np.asarray(whole)


def aggregate_growth(level_prev: np.ndarray, rate: np.ndarray) -> np.ndarray:
    r"""Real growth of a sum of sectors, weighted by the previous year's levels.

    .. math:: g_A = \frac{\sum_i V_i\, g_i}{\sum_i V_i}

    ``level_prev`` and ``rate`` are ``(..., n)``; the result drops the last axis.
    In prices of the previous year this is exact, as in the official chain of
    comparable-price growth rates.
    """
    level_prev = np.asarray(level_prev, dtype=float)
    return (level_prev * rate).sum(axis=-1) / level_prev.sum(axis=-1)


def contribution_share(level_prev: np.ndarray, rate: np.ndarray, part: np.ndarray) -> np.ndarray:
    r"""Share of a group's real growth contributed by a subset ``part`` (boolean, ``(n,)``).

    .. math:: c = \frac{\sum_{i \in P} V_i g_i}{\sum_i V_i g_i}

    The ratio is undefined when the group does not grow; it is returned as NaN then.
    """
    increments = np.asarray(level_prev, dtype=float) * rate
    whole = increments.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(whole != 0.0, increments[..., part].sum(axis=-1) / whole, np.nan)


def reversal_growth(rate_trend: np.ndarray, rate_shock: np.ndarray, rate_trend_shock: np.ndarray,
                    share: np.ndarray) -> np.ndarray:
    r"""Growth in the year after a temporary level shock that reverses by ``share``.

    A shock year grew at :math:`g_s` instead of its trend :math:`\bar g_s`, leaving the
    level :math:`E = (1+g_s)/(1+\bar g_s)` above trend.  If the fraction ``share``
    (:math:`u \in [0, 1]`) of that excess disappears the next year, that year grows at

    .. math:: g = (1 + \bar g)\, E^{-u} - 1 .

    With :math:`u = 1` the level returns to its trend path; with :math:`u = 0` the
    shock is permanent.
    """
    excess = (1.0 + np.asarray(rate_shock)) / (1.0 + np.asarray(rate_trend_shock))
    return (1.0 + np.asarray(rate_trend)) * excess ** (-np.asarray(share)) - 1.0


def shock_level_factor(rate: np.ndarray, row: int, loss, affected: np.ndarray,
                       recovery_years: int, recovered) -> np.ndarray:
    r"""Level factor ``(…, n_years, n_sectors)`` of a one-off growth shock and its recovery.

    In shock year :math:`s` the affected sectors lose :math:`x` of growth, which
    leaves their level at :math:`m_s = 1 - x/(1+g_s)` of the unshocked path; over the
    next :math:`N` years the fraction :math:`\rho` of that loss is regained
    geometrically:

    .. math:: m_{s+k} = m_s^{\,1 - \rho \min(k, N)/N}\quad (N > 0),\qquad m_{s+k} = m_s\quad (N = 0)

    and :math:`m_t = 1` before the shock and for unaffected sectors.  ``loss`` and
    ``recovered`` are scalars or arrays over the leading (draw) axes of ``rate``.
    Apply with :func:`apply_level_factor`.
    """
    rate = np.asarray(rate, dtype=float)
    lead = rate.shape[:-2]
    loss = np.broadcast_to(np.asarray(loss, dtype=float), lead)
    recovered = np.broadcast_to(np.asarray(recovered, dtype=float), lead)
    n_years = rate.shape[-2]
    k = np.arange(n_years) - row                                          # (n_years,)
    if recovery_years > 0:
        exponent = 1.0 - recovered[..., None] * (np.clip(k, 0, recovery_years) / recovery_years)
    else:
        exponent = np.ones(lead + (n_years,))
    exponent = np.where(k >= 0, exponent, 0.0)                            # (..., n_years)
    m_s = 1.0 - loss[..., None] / (1.0 + rate[..., row, :])              # (..., n_sectors)
    factor = m_s[..., None, :] ** exponent[..., :, None]
    return np.where(affected, factor, 1.0)


def apply_level_factor(rate: np.ndarray, factor: np.ndarray) -> np.ndarray:
    r"""Growth rates whose path is the old path times ``factor``:
    :math:`g'_t = (1+g_t)\, m_t / m_{t-1} - 1`, with :math:`m_{-1} = 1`."""
    factor = np.asarray(factor, dtype=float)
    previous = np.concatenate([np.ones_like(factor[..., :1, :]), factor[..., :-1, :]], axis=-2)
    return (1.0 + np.asarray(rate)) * factor / previous - 1.0


def ramp(years: np.ndarray, start: int, ramp_years: int) -> np.ndarray:
    r"""Capacity use of a project, ``(n_years,)`` in [0, 1]:
    :math:`\min(1, (t - t_0 + 1)/R)` from the start year :math:`t_0`, 0 before."""
    years = np.asarray(years)
    return np.clip((years - start + 1) / ramp_years, 0.0, 1.0)


# ---------------------------------------------------------------- the converging trend
def linear_trend_path(years: np.ndarray, intercept: float, slope: float, centre: float,
                      floor: float) -> np.ndarray:
    r"""An aggregate growth path continuing a fitted linear slowdown, held at a floor.

    .. math:: G_t = \max\big(G_{\min},\; a + b\,(t - \bar t)\big)

    ``years`` ``(n_years,)``; ``intercept`` :math:`a`, ``slope`` :math:`b` (fraction per
    year, per year), ``floor`` :math:`G_{\min}` fractions per year; ``centre``
    :math:`\bar t` the year the intercept refers to.  Returns ``(n_years,)``.
    """
    years = np.asarray(years, dtype=float)
    return np.maximum(floor, intercept + slope * (years - centre))


def decaying_differentials(differential: np.ndarray, n_years: int, half_life: float) -> np.ndarray:
    r"""Sector growth differentials that halve every ``half_life`` years.

    .. math:: D_{k,i} = d_i\, 2^{-k/H},\qquad k = 0, 1, \dots, n_{years} - 1

    ``differential`` :math:`d` is ``(..., n_sectors)`` (fractions per year) and holds in
    the first year (:math:`k = 0`); ``half_life`` :math:`H > 0` in years.  Returns
    ``(..., n_years, n_sectors)``.
    """
    d = np.asarray(differential, dtype=float)
    factor = 0.5 ** (np.arange(n_years) / float(half_life))
    return d[..., None, :] * factor[:, None]


def anchored_growth(level0: np.ndarray, aggregate: np.ndarray, differentials: np.ndarray) -> np.ndarray:
    r"""Sector growth around an aggregate path, recentred so the sectors add up to it.

    .. math::
        g_{t,i} = G_t + D_{t,i} - \sum_j s_{t-1,j} D_{t,j},\qquad
        s_{t-1,j} = \frac{Q_{t-1,j}}{\sum_k Q_{t-1,k}},\quad Q_{t,j} = Q_{t-1,j}(1 + g_{t,j})

    so that the level-weighted sum of the sector rates, :math:`\sum_i s_{t-1,i} g_{t,i}`
    (the growth of :math:`\sum_i Q_{t,i}`, see :func:`aggregate_growth`), equals
    :math:`G_t` every year while sectors keep their differences :math:`D_{t,i}`.
    With :math:`D = 0` every sector grows at :math:`G_t`.

    Parameters
    ----------
    level0 : ``(n_sectors,)`` levels of the year before the first row (weights of row 0).
    aggregate : ``(n_years,)`` aggregate growth :math:`G`, fractions per year.
    differentials : ``(n_years, n_sectors)`` :math:`D`, fractions per year.

    Returns
    -------
    ``(n_years, n_sectors)`` sector growth, fractions per year.
    """
    level = np.asarray(level0, dtype=float).copy()
    aggregate = np.asarray(aggregate, dtype=float)
    differentials = np.asarray(differentials, dtype=float)
    out = np.empty_like(differentials)
    for t in range(differentials.shape[0]):
        weights = level / level.sum()
        out[t] = aggregate[t] + differentials[t] - weights @ differentials[t]
        level = level * (1.0 + out[t])
    return out

"""Scenario + Baseline -> arrays -> projection.

:func:`growth_paths` assembles the year-by-sector rate matrices a scenario implies;
:func:`project` runs the equations of :mod:`model.growth` on them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import BASE_YEAR, CALIBRATION_YEAR, growth
from .calibration import Baseline
from .scenario import Scenario
from .sectors import INDEX, KEYS


@dataclass(frozen=True)
class Projection:
    """Arrays of one projected scenario; rows are years ``BASE_YEAR..horizon``.

    ``va_real`` is in 100 million CNY at 2020 prices, ``va_nominal`` in 100 million
    CNY at current prices, ``price_index`` is 1 in 2020; all ``(n_years + 1, n_sectors)``.
    ``growth_real`` and ``deflator_growth`` are ``(n_years, n_sectors)`` fractions.
    """

    years: np.ndarray
    growth_real: np.ndarray
    deflator_growth: np.ndarray
    va_real: np.ndarray
    price_index: np.ndarray
    va_nominal: np.ndarray
    hightech_weights: np.ndarray
    new_economy_weights: np.ndarray


def _override(rates: np.ndarray, table, rows: slice) -> np.ndarray:
    """Copy of ``rates`` with ``table`` (``all`` first, then sectors) written into ``rows``."""
    out = rates.copy()
    if "all" in table:
        out[rows, :] = table["all"]
    for key, value in table.items():
        if key != "all":
            out[rows, INDEX[key]] = value
    return out


def growth_paths(scenario: Scenario, baseline: Baseline) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Years ``(n_years + 1,)``, real growth and deflator growth ``(n_years, n_sectors)``.

    Real growth: the calibrated rates in 2021; from 2022 the trend, replaced by the
    scenario's ``growth`` entries; in 2022 high-tech manufacturing also loses the
    share ``vaccine_unwind`` of its 2021 excess over trend
    (:func:`model.growth.reversal_growth`).  Deflators: the trend GDP deflator,
    replaced by the scenario's ``deflator`` entries, in every year.
    """
    years = np.arange(BASE_YEAR, scenario.horizon + 1)
    n = len(years) - 1
    g = np.tile(baseline.trend_growth, (n, 1))
    g[0] = baseline.growth_2021
    g = _override(g, scenario.growth, slice(CALIBRATION_YEAR + 1 - BASE_YEAR - 1, None))
    if n >= 2:
        h = INDEX["mfg_hightech"]
        g[1, h] = growth.reversal_growth(g[1, h], baseline.growth_2021[h], baseline.trend_growth[h],
                                         scenario.vaccine_unwind)
    d = _override(np.full((n, len(KEYS)), baseline.trend_deflator), scenario.deflator, slice(None))
    return years, g, d


def project(scenario: Scenario, baseline: Baseline) -> Projection:
    """Project value added, real and nominal, from 2020 to the scenario's horizon."""
    years, g, d = growth_paths(scenario, baseline)
    va_real = growth.compound(baseline.va_2020, g)
    price = growth.compound(np.ones_like(baseline.va_2020), d)
    return Projection(years=years, growth_real=g, deflator_growth=d, va_real=va_real, price_index=price,
                      va_nominal=growth.nominal(va_real, price), hightech_weights=baseline.hightech_weights,
                      new_economy_weights=baseline.new_economy_weights)

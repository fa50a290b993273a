"""Scenario + Baseline -> arrays -> projection.

:func:`growth_paths` assembles the year-by-sector rate matrices a scenario implies;
:func:`project` runs the equations of :mod:`model.growth` on them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from . import BASE_YEAR, growth
from .calibration import Baseline
from .scenario import Scenario
from .sectors import INDEX, KEYS, N_SECTORS


@dataclass(frozen=True)
class Projection:
    """Arrays of one projected scenario; level rows are years ``BASE_YEAR..horizon``.

    ``va_real`` is in 100 million CNY at 2020 prices, ``va_nominal`` in 100 million
    CNY at current prices, ``price_index`` is 1 in 2020; all ``(n_years + 1, n_sectors)``
    and project value added included.  ``growth_real`` and ``deflator_growth`` are
    ``(n_years, n_sectors)`` fractions of the sectors' own path (projects excluded).
    ``project_output_real`` and ``project_va_real`` are ``(n_projects, n_years + 1)``.
    """

    years: np.ndarray
    growth_real: np.ndarray
    deflator_growth: np.ndarray
    va_real: np.ndarray
    price_index: np.ndarray
    va_nominal: np.ndarray
    hightech_weights: np.ndarray
    new_economy_weights: np.ndarray
    project_names: tuple[str, ...]
    project_sectors: np.ndarray        # (n_projects,) sector index
    project_hightech: np.ndarray       # (n_projects,) share of project value added counted as high-tech
    project_output_real: np.ndarray
    project_va_real: np.ndarray
    project_revenue_series: tuple[str | None, ...] = ()


@dataclass(frozen=True)
class Draws:
    """Sampled parameter values for a Monte Carlo run; the draws are the first axis.

    ``growth`` and ``deflator`` are ``(n_draws, n_years, n_sectors)`` fractions added to
    the stated paths; ``vaccine_unwind`` is ``(n_draws,)``; ``shock_loss`` and
    ``shock_recovered`` map a shock's name to ``(n_draws,)`` values replacing its own.
    ``None`` (or a missing name) keeps the scenario's value.
    """

    n: int
    growth: np.ndarray | None = None
    deflator: np.ndarray | None = None
    vaccine_unwind: np.ndarray | None = None
    shock_loss: Mapping[str, np.ndarray] = field(default_factory=dict)
    shock_recovered: Mapping[str, np.ndarray] = field(default_factory=dict)


def stated_growth(scenario: Scenario, baseline: Baseline) -> np.ndarray:
    """Real growth ``(n_years, n_sectors)`` as the scenario files state it: calibrated 2021,
    the scenario's ``trend`` design after, with the ``growth`` paths applied (before the vaccine
    unwind and shocks)."""
    default = baseline.trend_paths[scenario.trend][:scenario.horizon - BASE_YEAR].copy()
    default[0] = baseline.growth_2021
    return scenario.growth.resolve(default)


def stated_deflator(scenario: Scenario, baseline: Baseline) -> np.ndarray:
    """Deflator growth ``(n_years, n_sectors)``: the trend GDP deflator with the ``deflator`` paths applied."""
    return scenario.deflator.resolve(np.full((scenario.horizon - BASE_YEAR, N_SECTORS), baseline.trend_deflator))


def growth_paths(scenario: Scenario, baseline: Baseline,
                 draws: Draws | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Years ``(n_years + 1,)``, real growth and deflator growth ``([n_draws,] n_years, n_sectors)``.

    Real growth, in this order: the calibrated rates in 2021 and the trend path after;
    the scenario's ``growth`` path; in 2022 high-tech manufacturing loses the share
    ``vaccine_unwind`` of its 2021 level above trend (:func:`model.growth.reversal_growth`);
    then each shock (:func:`model.growth.shock_level_factor`).  Deflators: the trend
    GDP deflator, then the scenario's ``deflator`` path.  With ``draws``, every
    array gains a leading draw axis and the sampled values enter at the same places.
    """
    draws = draws or Draws(n=0)
    years = np.arange(BASE_YEAR, scenario.horizon + 1)
    n = len(years) - 1
    g = stated_growth(scenario, baseline)                   # a fresh array: safe to write into
    if draws.growth is not None:
        g = g + draws.growth
    elif draws.vaccine_unwind is not None:
        g = np.broadcast_to(g, (draws.n,) + g.shape).copy()
    if n >= 2:
        h = INDEX["mfg_hightech"]
        unwind = scenario.vaccine_unwind if draws.vaccine_unwind is None else draws.vaccine_unwind
        trend_2021 = baseline.trend_paths[scenario.trend][0, h]
        g[..., 1, h] = growth.reversal_growth(g[..., 1, h], g[..., 0, h], trend_2021, unwind)
    for shock in scenario.shocks:
        affected = np.isin(np.array(KEYS), shock.sectors)
        factor = growth.shock_level_factor(g, shock.year - BASE_YEAR - 1,
                                           draws.shock_loss.get(shock.name, shock.growth_loss), affected,
                                           shock.recovery_years,
                                           draws.shock_recovered.get(shock.name, shock.recovered))
        g = growth.apply_level_factor(g, factor)
    d = stated_deflator(scenario, baseline)
    if draws.deflator is not None:
        d = d + draws.deflator
    return years, g, d


def project(scenario: Scenario, baseline: Baseline, draws: Draws | None = None) -> Projection:
    """Project value added, real and nominal, from 2020 to the scenario's horizon.

    With ``draws`` the level arrays are ``(n_draws, n_years + 1, n_sectors)``.
    """
    years, g, d = growth_paths(scenario, baseline, draws)
    price = growth.compound(np.ones(N_SECTORS), d)
    projects = scenario.projects
    sectors = np.array([INDEX[p.sector] for p in projects], dtype=int)
    output = np.array([p.gross_output * growth.ramp(years, p.start, p.ramp_years) for p in projects]).reshape(
        len(projects), len(years))
    va_projects = output * np.array([p.value_added_ratio for p in projects]).reshape(-1, 1)
    added = np.zeros((len(years), N_SECTORS))
    np.add.at(added.T, sectors, va_projects)
    va_real = growth.compound(baseline.va_2020, g)
    if len(projects):
        va_real += added
    hightech = np.array([baseline.hightech_weights[s] if p.hightech_share is None else p.hightech_share
                         for p, s in zip(projects, sectors)])
    return Projection(years=years, growth_real=g, deflator_growth=d, va_real=va_real, price_index=price,
                      va_nominal=growth.nominal(va_real, price), hightech_weights=baseline.hightech_weights,
                      new_economy_weights=baseline.new_economy_weights,
                      project_names=tuple(p.name for p in projects), project_sectors=sectors,
                      project_hightech=hightech, project_output_real=output, project_va_real=va_projects,
                      project_revenue_series=tuple(p.revenue_series for p in projects))

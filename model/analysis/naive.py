"""Naive forecasts made with the baseline's information, to set beside it in the backtest.

* :data:`NAIVE_SECTOR_AVERAGE`: every sector at its 2015-2019 average growth;
* :data:`NAIVE_FROZEN_SHARES`: shares frozen at 2020, GDP growing at its 2015-2019 average;
* :data:`NAIVE_FLAT_2019`: every sector at its published 2019 rate, held flat (the rest of a group
  at the rate that makes the group grow at its own 2019 rate).

All come from the mid-2021 record (``figures.csv``) and the 2020 partition only.  The combination
forecast of the backtest averages the baseline with the forecasts of :data:`COMBINED`
(:func:`model.analysis.backtest_metrics.combine`).
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from ..baseline.calibration import TREND_YEARS, Baseline
from ..baseline.data import Figures
from ..baseline.realized import PERIOD_END_MONTH
from ..core.sectors import GROUPS, INDEX, KEYS, N_SECTORS
from ..core.years import BASE_YEAR
from ..equations import growth
from ..projection.results import timeseries
from ..projection.simulate import Projection

NAIVE_SECTOR_AVERAGE = "naive: sector averages 2015-2019"
NAIVE_FROZEN_SHARES = "naive: shares frozen at 2020"
NAIVE_FLAT_2019 = "naive: flat at the 2019 rates"
FLAT_YEAR = 2019
#: The naive forecasts the combination averages with the baseline: the two built on 2015-2019 (the
#: flat rule rests on one year, and is a rival of the combination rather than a member).
COMBINED = (NAIVE_SECTOR_AVERAGE, NAIVE_FROZEN_SHARES)
_NOT_IN_GROUPS = {"gdp"}


def sector_average_growth(fig: Figures) -> tuple[np.ndarray, tuple[dict, ...]]:
    """Each sector's mean published real growth 2015-2019 ``(n_sectors,)``, fractions, and how.

    A sector takes the mean of every published rate of its own series in the window
    (annual and partial-year, as in the trend fit's observations); a sector without
    one takes that of the narrowest published group containing it (other manufacturing
    and mining & utilities: above-size industry; construction: secondary; wholesale &
    retail and other services: tertiary).  Agriculture is the primary sector.
    """
    means = {}
    for f in fig.select("growth."):
        subject = f.key.split(".", 1)[1]
        if f.year in TREND_YEARS and subject in GROUPS and subject not in _NOT_IN_GROUPS:
            means.setdefault(subject, []).append(f.value)
    rates, how = np.empty(N_SECTORS), []
    for key in KEYS:
        candidates = [g for g in means if key in GROUPS[g]]
        source = min(candidates, key=lambda g: (len(GROUPS[g]), g))
        rates[INDEX[key]] = np.mean(means[source]) / 100.0
        how.append({"sector": key, "series": f"growth.{source}", "n": len(means[source]),
                    "growth_pct": float(np.mean(means[source]))})
    return rates, tuple(how)


def flat_growth(fig: Figures, va_2020: np.ndarray, year: int = FLAT_YEAR) -> tuple[np.ndarray, tuple[dict, ...]]:
    r"""Each sector's published real growth of ``year`` ``(n_sectors,)``, fractions, and how.

    A sector with a series of its own takes its rate of ``year`` (the annual rate, else the longest
    partial period published: finance, ICT and sci-tech services have a first-half rate of 2019).
    The sectors of a group without one take the *residual* rate that makes the group grow at its own
    published rate, weighted by the 2020 levels ``va_2020`` ``(n_sectors,)``:

    .. math:: r = \frac{g_G V_G - \sum_{k \in G, known} g_k V_k}{\sum_{u \in G, unknown} V_u}

    groups taken from the narrowest up (the secondary sector: other manufacturing, mining & utilities
    and construction; the tertiary sector: wholesale & retail and other services).  So the groups,
    and GDP up to the weights, grow at their 2019 rates in the first year; the sector rates are then
    held flat.  (A group's rate for its sectors without one, as in :func:`sector_average_growth`,
    would push GDP far above its rate: finance and ICT outgrew the tertiary sector.)
    """
    va = np.asarray(va_2020, dtype=float)
    found: dict[str, tuple[float, str]] = {}
    for f in fig.select("growth."):
        subject = f.key.split(".", 1)[1]
        if f.year != year or subject not in GROUPS:
            continue
        if subject not in found or PERIOD_END_MONTH[f.period] > PERIOD_END_MONTH[found[subject][1]]:
            found[subject] = (f.value / 100.0, f.period)
    rates, how = np.full(N_SECTORS, np.nan), [None] * N_SECTORS
    for key in KEYS:
        own = [g for g in found if GROUPS[g] == (key,)]
        if own:
            g, period = found[own[0]]
            rates[INDEX[key]] = g
            how[INDEX[key]] = {"sector": key, "series": f"growth.{own[0]}", "period": period,
                               "growth_pct": 100.0 * g, "rule": "own rate"}
    for group in sorted(found, key=lambda g: (len(GROUPS[g]), g)):
        members = [INDEX[k] for k in GROUPS[group]]
        unknown = [i for i in members if np.isnan(rates[i])]
        if not unknown:
            continue
        known = [i for i in members if not np.isnan(rates[i])]
        g, period = found[group]
        r = (g * va[members].sum() - rates[known] @ va[known]) / va[unknown].sum()
        for i in unknown:
            rates[i] = r
            how[i] = {"sector": KEYS[i], "series": f"growth.{group}", "period": period, "growth_pct": float(100.0 * r),
                      "rule": f"residual: growth.{group} {100 * g:g} % less its sectors with a rate of their own"}
    missing = [KEYS[i] for i in range(N_SECTORS) if np.isnan(rates[i])]
    if missing:
        raise ValueError(f"no published {year} growth rate covers {missing}")
    return rates, tuple(how)


def gdp_average_growth(fig: Figures) -> float:
    """Mean published real GDP growth 2015-2019, fraction per year."""
    return float(np.mean([fig.value("growth.gdp", y) for y in TREND_YEARS])) / 100.0


def constant_projection(baseline: Baseline, growth_real: np.ndarray, horizon: int) -> Projection:
    """A projection from the 2020 partition with constant sector growth ``(n_sectors,)`` from 2021
    and every price at the baseline's trend deflator; no projects, the baseline's high-tech weights."""
    years = np.arange(BASE_YEAR, horizon + 1)
    n = len(years) - 1
    g = np.tile(np.asarray(growth_real, dtype=float), (n, 1))
    d = np.full((n, N_SECTORS), baseline.trend_deflator)
    va_real, price = growth.compound(baseline.va_2020, g), growth.compound(np.ones(N_SECTORS), d)
    return Projection(years=years, growth_real=g, deflator_growth=d, va_real=va_real, price_index=price,
                      va_nominal=growth.nominal(va_real, price), hightech_weights=baseline.hightech_weights,
                      new_economy_weights=baseline.new_economy_weights, project_names=(),
                      project_sectors=np.zeros(0, dtype=int), project_hightech=np.zeros(0),
                      project_output_real=np.zeros((0, len(years))), project_va_real=np.zeros((0, len(years))))


def naive_forecasts(baseline: Baseline, fig: Figures, horizon: int = 2025,
                    revenue_links: Mapping[str, float] | None = None) -> pd.DataFrame:
    """The naive forecasts, made with the baseline's information, as one tidy table.

    * :data:`NAIVE_SECTOR_AVERAGE`: every sector at its 2015-2019 average growth
      (:func:`sector_average_growth`) from 2021, no calibration, no vaccine unwind;
    * :data:`NAIVE_FROZEN_SHARES`: every sector at the 2015-2019 average GDP growth,
      so nominal shares stay at their 2020 values and GDP grows at that average;
    * :data:`NAIVE_FLAT_2019`: every sector at its 2019 rate held flat from 2021
      (:func:`flat_growth`).

    All price every sector at the trend GDP deflator (so they differ in real growth only);
    revenues follow their links.
    """
    rules = ((NAIVE_SECTOR_AVERAGE, sector_average_growth(fig)[0]),
             (NAIVE_FROZEN_SHARES, np.full(N_SECTORS, gdp_average_growth(fig))),
             (NAIVE_FLAT_2019, flat_growth(fig, baseline.va_2020)[0]))
    return pd.concat([timeseries(constant_projection(baseline, rates, horizon), name, revenue_links)
                      for name, rates in rules], ignore_index=True)

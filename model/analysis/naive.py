"""Two naive forecasts made with the baseline's information, to set beside it in the backtest.

* :data:`NAIVE_SECTOR_AVERAGE`: every sector at its 2015-2019 average growth;
* :data:`NAIVE_FROZEN_SHARES`: shares frozen at 2020, GDP growing at its 2015-2019 average.

Both come from the mid-2021 record (``figures.csv``) and the 2020 partition only.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from ..baseline.calibration import TREND_YEARS, Baseline
from ..baseline.data import Figures
from ..core.sectors import GROUPS, INDEX, KEYS, N_SECTORS
from ..core.years import BASE_YEAR
from ..equations import growth
from ..projection.results import timeseries
from ..projection.simulate import Projection

NAIVE_SECTOR_AVERAGE = "naive: sector averages 2015-2019"
NAIVE_FROZEN_SHARES = "naive: shares frozen at 2020"
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
    """The two naive forecasts, made with the baseline's information, as one tidy table.

    * :data:`NAIVE_SECTOR_AVERAGE`: every sector at its 2015-2019 average growth
      (:func:`sector_average_growth`) from 2021, no calibration, no vaccine unwind;
    * :data:`NAIVE_FROZEN_SHARES`: every sector at the 2015-2019 average GDP growth,
      so nominal shares stay at their 2020 values and GDP grows at that average.

    Both price every sector at the trend GDP deflator; revenues follow their links.
    """
    sectors, _ = sector_average_growth(fig)
    frozen = np.full(N_SECTORS, gdp_average_growth(fig))
    return pd.concat([timeseries(constant_projection(baseline, sectors, horizon), NAIVE_SECTOR_AVERAGE,
                                 revenue_links),
                      timeseries(constant_projection(baseline, frozen, horizon), NAIVE_FROZEN_SHARES,
                                 revenue_links)], ignore_index=True)

"""Arrays -> one tidy results table, in the column contract of :mod:`model.core.iamc`.

IAMC long format: ``model, scenario, region, variable, unit, year, value``, one row
per number, loadable by pyam (``pyam.IamDataFrame(df)``).
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from ..core.iamc import IAMC_COLUMNS, MODEL_NAME, REGION
from ..projection.indicators import indicators
from ..projection.simulate import Projection


def timeseries(projection: Projection, scenario_name: str,
               revenue_links: Mapping[str, float] | None = None) -> pd.DataFrame:
    """The tidy table of one projection.

    A growth rate has no value in its first years (the base year; a five-year average, the
    first five): those leading rows are left out.  The rows before a later
    jump-off (``projection.base_year``, a scenario's ``base:``) are not part of the projection
    and are left out too (:mod:`model.baseline.rebase`).  Any other
    value that is not finite is a bug upstream (a projection reaching this table has
    positive, finite levels, :func:`model.projection.simulate.project`) and raises ``ValueError``
    naming the variable and year: no row is dropped silently.

    ``revenue_links`` overrides parameters of the revenue layer
    (:func:`model.projection.indicators.revenue_link_parameters`).
    """
    names: list[str] = []
    units: list[str] = []
    years, kept = [], []
    for variable, (unit, values) in indicators(projection, revenue_links).items():
        values = np.asarray(values, dtype=float)
        bad = ~np.isfinite(values)
        leading = np.cumprod(np.isnan(values)).astype(bool)    # a rate not yet defined
        if (bad & ~leading).any():
            year = projection.years[int(np.flatnonzero(bad & ~leading)[0])]
            raise ValueError(f"{variable} is {values[projection.years == year][0]} in {year}: the table holds "
                             "finite values only")
        keep = ~bad
        if projection.base_year > projection.years[0]:
            keep &= projection.years >= projection.base_year
            if bad[0]:                     # a rate: none in the base year either
                keep &= projection.years > projection.base_year
        n = int(keep.sum())
        names += [variable] * n
        units += [unit] * n
        years.append(projection.years[keep])
        kept.append(values[keep])
    # one frame built from the columns at once (a frame per variable and a concat cost ten times more)
    df = pd.DataFrame({"model": MODEL_NAME, "scenario": scenario_name, "region": REGION, "variable": names,
                       "unit": units, "year": np.concatenate(years), "value": np.concatenate(kept)})
    return df.loc[:, list(IAMC_COLUMNS)].reset_index(drop=True)


def series(df: pd.DataFrame, variable: str) -> pd.Series:
    """One variable of a tidy table as a year-indexed series (one scenario)."""
    rows = df[df["variable"] == variable]
    if rows.empty:
        raise KeyError(f"no variable {variable!r} in the table")
    return rows.set_index("year")["value"]

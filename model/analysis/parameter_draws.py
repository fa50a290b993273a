"""Monte Carlo draws of the parameters of the satellite series and of the plan's two new cluster revenues.

The growth, price and shock draws of a scenario's ``uncertainty:`` block move the economy; these move what
the record pins least on top of it: the elasticities fitted on a short history and the levels that rest on
an estimate or a loose scope.  Each parameter is declared once, in its data file, with its range:

* a fitted elasticity (``satellites.csv``, ``sd`` > 0): a normal around the scenario's value with the fit's
  standard error, truncated to the row's range (:func:`model.equations.satellite.truncated_normal`);
* a level factor (``<series>.level_factor`` of ``satellites.csv``) and the elasticity of a revenue series of
  :data:`model.projection.indicators.DRAWN_REVENUE_SERIES` (``revenue_links.csv``): triangular over the row's
  range with its peak at the scenario's value (:func:`model.equations.satellite.triangular`).

Only a projection from a later base year has satellites, and only there are these drawn.  The draws come
from a stream of their own, seeded by the run's seed and :data:`PARAMETER_STREAM`, so adding them leaves the
growth draws, and every result that does not read these parameters, as they were; within the stream each
chunk takes its values in order, so results do not depend on the chunk size.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from ..baseline import data
from ..equations.revenue import RevenueOverrides
from ..equations.satellite import triangular, truncated_normal
from ..projection.indicators import DRAWN_REVENUE_SERIES
from ..projection.simulate import Projection

PARAMETER_STREAM = 1        # the second entropy word of the draws' generator: numpy.random.default_rng([seed, 1])


@dataclass(frozen=True)
class DrawnParameter:
    """One drawn parameter: its key (``rd.elasticity``), the scenario's value it is centred on, its range and
    the standard deviation of a normal (0: triangular over the range)."""

    key: str
    centre: float
    low: float
    high: float
    sd: float = 0.0

    def values(self, u: np.ndarray) -> np.ndarray:
        """The parameter at probabilities ``u`` ``(n,)`` in [0, 1)."""
        if self.sd > 0.0:
            return truncated_normal(self.centre, self.sd, self.low, self.high, u)
        return triangular(self.low, self.centre, self.high, u)


def declared(p: Projection, revenue_links: RevenueOverrides) -> tuple[DrawnParameter, ...]:
    """The parameters drawn for projection ``p`` (none from the 2020 base), in a fixed order: each satellite's
    elasticity and level factor, then each drawn revenue series' elasticity and level factor, where its data
    file declares a range."""
    if p.base_year <= p.years[0]:
        return ()
    rows = data.satellites()
    out = []
    for key, s in p.satellites.items():
        e = rows[f"{key}.elasticity"]
        out.append(DrawnParameter(e.key, s.elasticity, e.low, e.high, e.sd))
        if f"{key}.level_factor" in rows:
            f = rows[f"{key}.level_factor"]
            out.append(DrawnParameter(f.key, f.value, f.low, f.high, f.sd))
    links = data.revenue_links()
    for key in DRAWN_REVENUE_SERIES:
        e = links[f"{key}.elasticity"]
        out.append(DrawnParameter(e.key, revenue_links.parameters[e.key], e.low, e.high))
        if f"{key}.level_factor" in rows:
            f = rows[f"{key}.level_factor"]
            out.append(DrawnParameter(f.key, f.value, f.low, f.high, f.sd))
    return tuple(d for d in out if d.high > d.low)


def draw(parameters: tuple[DrawnParameter, ...], n: int, rng: np.random.Generator) -> Mapping[str, np.ndarray]:
    """``n`` draws of each parameter, ``key -> (n,)``, from ``rng`` (one uniform per draw and parameter, taken
    row by row, so that chunks of a stream give the values of one draw of all)."""
    if not parameters:
        return {}
    u = rng.random((n, len(parameters)))
    return {d.key: d.values(u[:, j]) for j, d in enumerate(parameters)}


def generator(seed: int) -> np.random.Generator:
    """The draws' own stream for a run seeded with ``seed``."""
    return np.random.default_rng([seed, PARAMETER_STREAM])

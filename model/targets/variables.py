"""What a target can measure: the model's variables, their units and their central path, from the model itself.

The variables a target may name are those the projection reports (:mod:`model.projection.indicators`):
:func:`model_variables` projects the central baseline (the shipped assumptions, no scenario) from the
base year to a horizon, once per process and horizon, and keeps each variable's unit and path.  No
second list is kept by hand.  The targets' checks (:mod:`model.targets.definitions`)
compare a target's unit with its variable's (:func:`unit_matches`) and its numbers with that path
(:func:`plausibility`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping

import numpy as np

from ..baseline.baselines import baseline_for
from ..core.iamc import PERCENT, SHARE_OF_GDP
from ..core.parameters import BY_NAME
from ..core.years import BASE_YEAR
from ..projection.indicators import indicators
from ..projection.simulate import project
from ..scenario.loader import scenario_from_dict

PER_YEAR = "/yr"              # the unit of a flow: a target writes the year's amount without it
PERCENT_OF_GDP = "% of GDP"   # how a target may write the unit of a share of GDP
LEVEL_FACTOR = 5.0            # a level target within this factor of the central path in its year
FRACTION = 10.0               # a share of tens of percent: a number below 1 is read as a fraction


@dataclass(frozen=True)
class Measured:
    """One variable of the model: its unit and the central baseline's value in each year ``years``."""

    unit: str
    years: tuple[int, ...]
    values: tuple[float, ...]

    def at(self, year: int) -> float:
        """The central value in ``year`` (NaN outside the projection, or where a rate is not defined)."""
        return self.values[self.years.index(year)] if year in self.years else math.nan


@lru_cache(maxsize=None)
def model_variables(horizon: int = int(BY_NAME["horizon"].default)) -> Mapping[str, Measured]:
    """Every variable the projection reports, with its unit and the central baseline's path to ``horizon``
    (clamped to the horizons a scenario may have): the baseline scenario's own numbers when ``horizon`` is
    a target's year.  The projection from the base year reports most; the series that start from the 2025
    jump-off (the satellites, the digital economy) come from the central projection from 2025, which a
    horizon after 2025 adds (:data:`JUMP_OFF`)."""
    low, high = int(BY_NAME["horizon"].low), int(BY_NAME["horizon"].high)
    horizon = min(max(int(horizon), low), high)
    out = _central(BASE_YEAR, horizon)
    for base in (JUMP_OFF,) if horizon > JUMP_OFF else ():
        out = {**_central(base, horizon), **out}
    return out


JUMP_OFF = 2025                 # the later base year a scenario may start from (model.baseline.rebase)


def _central(base: int, horizon: int) -> dict[str, Measured]:
    """The variables of the central projection from ``base`` to ``horizon``, each with its path."""
    scenario = scenario_from_dict({"name": "central", "base": base, "horizon": horizon})
    projection = project(scenario, baseline_for({}, base))
    years = tuple(int(y) for y in projection.years)
    return {variable: Measured(unit, years, tuple(float(v) for v in np.asarray(values, dtype=float)))
            for variable, (unit, values) in indicators(projection, scenario.revenue_links).items()}


def unit_matches(target_unit: str, variable_unit: str, variable: str = "") -> bool:
    """Whether a target in ``target_unit`` measures ``variable`` in ``variable_unit``: the same unit, the
    year's amount of a flow (``100 million CNY`` for ``100 million CNY/yr``), or a share of GDP in
    ``% of GDP``."""
    return (target_unit == variable_unit or target_unit + PER_YEAR == variable_unit
            or (target_unit == PERCENT_OF_GDP and variable_unit == PERCENT and _is_share(variable)))


def _is_share(variable: str) -> bool:
    """A share of GDP: of the partition, cross-cutting, or of spending (``Share of GDP (Expenditure)|R&D``)."""
    return variable.split("|")[0].startswith(SHARE_OF_GDP)


def plausibility(variable: str, measured: Measured, year: int, number: float) -> str | None:
    """Why ``number``, a target's level of ``variable`` in ``year``, is implausible for that variable (None: it
    is plausible).

    * a share of GDP (of the partition, cross-cutting, or of spending) lies in [0, 100] %; where the
      variable is tens of percent (at least :data:`FRACTION` in its base year) a share below 1 is a
      fraction written for a percentage, and so is one below a tenth of the central path in its year;
    * another rate in percent (a growth rate) lies in (-100, 100] % and, where the central path is at
      least 1 % a year, is not a fraction of it below a tenth (0.05 written for 5 %);
    * a level (value added, revenue, output, a count) is positive and within a factor of
      :data:`LEVEL_FACTOR` of the central baseline's value in the target's year (3,000 written for
      30,000).
    """
    central, history = measured.at(year), next((v for v in measured.values if math.isfinite(v)), math.nan)
    if measured.unit == PERCENT and _is_share(variable):
        if not 0 <= number <= 100:
            return f"{number:g} is not a share of GDP in percent (0 to 100)"
        if number < 1 and history >= FRACTION:
            return (f"{number:g} % is far below the variable's {history:.3g} % in {measured.years[0]}: a fraction? "
                    "shares are in percent (write 30 for 30 %)")
        if math.isfinite(central) and number < central / FRACTION:
            return (f"{number:g} % is below a tenth of the central path's {central:.3g} % in {year}: a fraction? "
                    "shares are in percent (write 13 for 13 %)")
        return None
    if measured.unit == PERCENT:
        if not -100 < number <= 100:
            return f"{number:g} is not a rate in percent (above -100, at most 100)"
        if number and math.isfinite(central) and abs(central) >= 1 and abs(number) < abs(central) / FRACTION:
            return (f"{number:g} % is below a tenth of the central path's {central:.3g} % in {year}: a fraction? "
                    "rates are in percent (write 5 for 5 %)")
        return None
    if not math.isfinite(central) or central <= 0:
        return None
    if number <= 0:
        return f"{number:g} is not a positive level"
    if not central / LEVEL_FACTOR <= number <= central * LEVEL_FACTOR:
        hint = " (100 million CNY: 1 trillion yuan = 10,000)" if measured.unit.startswith("100 million CNY") else ""
        return (f"{number:,.6g} is not within a factor of {LEVEL_FACTOR:g} of the central baseline's {central:,.6g} "
                f"{measured.unit} in {year}: check the number and its unit{hint}")
    return None

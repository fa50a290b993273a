"""Warnings for legal but implausible scenario values.

A rate a scenario sets is compared with the published growth record of its sector
(or of the smallest published group containing it), 2015-2020 including the
partial-year rates: far outside that range is allowed but flagged, with the place
in the file that set it.
"""
from __future__ import annotations

import numpy as np

from ..baseline.calibration import Baseline
from ..baseline.data import Figures
from ..baseline.data import figures as default_figures
from ..core.sectors import GROUPS, KEYS
from ..core.years import BASE_YEAR, step_year
from ..projection.simulate import stated_deflator, stated_growth
from ..scenario.loader import Problem, Scenario

HISTORY_END = BASE_YEAR
MARGIN_PP = 5.0                 # tolerance around the historical range, percentage points
DEFLATOR_RANGE_PCT = (-5.0, 10.0)


def historical_range(fig: Figures, sector: str) -> tuple[float, float, str]:
    """Min and max published real growth (%) for ``sector``, 2015-2020, and the series used."""
    candidates = [sector] + [g for g, members in sorted(GROUPS.items(), key=lambda kv: len(kv[1]))
                             if sector in members and g != sector]
    for subject in candidates:
        values = [f.value for f in fig.select(f"growth.{subject}")
                  if f.key == f"growth.{subject}" and f.year <= HISTORY_END]
        if len(values) >= 2:
            return min(values), max(values), subject
    raise KeyError(sector)


def warnings(scenario: Scenario, baseline: Baseline, fig: Figures | None = None) -> tuple[Problem, ...]:
    """One warning per (sector, place in a file) whose stated rates leave the plausible band.

    Rates are taken as the files state them (:func:`model.projection.simulate.stated_growth`),
    before the vaccine unwind and shocks, which are the model's own doing.
    """
    fig = default_figures() if fig is None else fig
    growth_real, deflator = stated_growth(scenario, baseline), stated_deflator(scenario, baseline)
    found: dict[tuple, list] = {}
    touched = {"growth": scenario.growth.touched(), "deflator": scenario.deflator.touched()}
    for param, rates in (("growth", growth_real), ("deflator", deflator)):
        for row, col in zip(*np.nonzero(touched[param])):
            year, sector = step_year(row), KEYS[col]
            value = 100.0 * rates[row, col]
            if param == "growth":
                low, high, subject = historical_range(fig, sector)
                band = (low - MARGIN_PP, high + MARGIN_PP)
                why = f"outside the {subject} record 2015-2020 ({low:g} to {high:g} %) by more than {MARGIN_PP:g} pp"
            else:
                band, why = DEFLATOR_RANGE_PCT, f"outside {DEFLATOR_RANGE_PCT[0]:g} to {DEFLATOR_RANGE_PCT[1]:g} %"
            if not band[0] <= value <= band[1]:
                where = scenario.origins[(param, year, sector)]
                found.setdefault((where.file, where.line, where.path), []).append((param, sector, year, value, why))
    out = []
    for (file, line, path), cells in found.items():
        param, sector, year, value, why = cells[0]
        more = f" (and {len(cells) - 1} more year-sector cells)" if len(cells) > 1 else ""
        out.append(Problem(file, line, path, f"{param} of {sector} in {year} is {value:.1f} %/yr, {why}{more}: "
                                             "check it"))
    return tuple(out)

"""The baselines scenarios need: one per set of assumption overrides and jump-off year, built once.

The 2020 calibration (:mod:`model.baseline.calibration`) and the 2025 jump-off that builds on it
(:mod:`model.baseline.rebase`) are the two ways of making a :class:`~model.baseline.calibration.Baseline`;
:func:`baseline_for` chooses between them and caches the result.
"""
from __future__ import annotations

import functools
from dataclasses import replace
from typing import Mapping

from ..core.years import BASE_YEAR
from .calibration import AssumptionsError, Baseline, assumption_values, build_baseline, frozen
from .data import assumptions_2025 as default_assumptions_2025
from .data import figures as default_figures
from .realized import realized_table
from .rebase import build_rebased
from .vintage import census_bridges


def baseline_for(overrides: Mapping[str, float] | None = None, base: int = BASE_YEAR, census: str = "4th") -> Baseline:
    """The calibrated baseline for these assumption overrides (as validated in a scenario) and jump-off
    year (a scenario's ``base``), on the census basis ``census`` (a scenario's ``census``; from 2020 only,
    a 2025 base is on the 5th): :func:`model.baseline.calibration.build_baseline` (or, for 2025,
    :func:`model.baseline.rebase.build_rebased`), run once per process for each distinct set.

    Overrides of the 2025 jump-off's assumptions (``assumptions_2025.csv``) go to the 2025
    partition and are recorded in the Baseline's ``assumptions`` beside the others; from the
    2020 base they have no effect and raise :class:`~model.baseline.calibration.AssumptionsError` (a
    scenario file refuses them where they are written, :mod:`model.scenario.loader`).

    The one baseline cache: the batch, the sensitivity analysis and ``--show`` share it.
    Overrides that restate a central value give the same baseline as none.  A Baseline
    is frozen, so sharing one is safe.
    """
    given = dict(overrides or {})
    jump_off = {k: given.pop(k) for k in list(given) if k in default_assumptions_2025()}
    values = tuple(sorted((k, float(v)) for k, v in assumption_values(given).items()))
    if base == BASE_YEAR:
        if jump_off:
            raise AssumptionsError(f"{', '.join(sorted(jump_off))}: assumptions of the 2025 jump-off have no effect "
                             f"from the base year {BASE_YEAR}")
        return _baseline_of(values) if census == "4th" else _restated_of(values)
    values_2025 = tuple(sorted((k, float(v))
                               for k, v in assumption_values(jump_off, default_assumptions_2025()).items()))
    return _rebased_of(values, base, values_2025)


@functools.lru_cache(maxsize=128)
def _baseline_of(values: tuple[tuple[str, float], ...]) -> Baseline:
    return build_baseline(dict(values))


@functools.lru_cache(maxsize=128)
def _restated_of(values: tuple[tuple[str, float], ...]) -> Baseline:
    """The 2020 baseline of ``values`` with its partition restated on the 5th-census basis
    (:func:`model.baseline.vintage.census_bridges`); everything else as calibrated."""
    calibrated = _baseline_of(values)
    bridges = census_bridges(calibrated.va_2020, default_figures(), realized_table())
    return replace(calibrated, va_2020=frozen(bridges.apply(calibrated.va_2020)), census="5th",
                   provenance=calibrated.provenance + bridges.rows)


@functools.lru_cache(maxsize=128)
def _rebased_of(values: tuple[tuple[str, float], ...], base: int,
                values_2025: tuple[tuple[str, float], ...] = ()) -> Baseline:
    rebased = build_rebased(base, _baseline_of(values), assume_2025=dict(values_2025))
    return replace(rebased, assumptions={**rebased.assumptions, **dict(values_2025)})

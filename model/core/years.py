"""Years and array rows: the one place that turns one into the other.

The model's yearly arrays come in two kinds:

* **levels** (value added, price indices, every indicator): rows are the years
  ``BASE_YEAR..horizon``, shape ``(..., n_steps + 1, ...)``; the year of row ``r`` is
  ``BASE_YEAR + r`` (:func:`level_row`).
* **steps** (growth rates, deflator growth, sampled shifts, the scenario's
  ``growth``/``deflator`` layers): rows are the years ``BASE_YEAR + 1..horizon``,
  shape ``(..., n_steps, ...)``; the rate in row ``r`` takes the level of year
  ``BASE_YEAR + r`` to that of year ``BASE_YEAR + r + 1`` (:func:`step_row`).

So the step of year ``t`` sits in the same row as the level of year ``t - 1``.
"""
from __future__ import annotations

import numpy as np

BASE_YEAR = 2020             # the base year of the calibration: row 0 of every level array
CALIBRATION_YEAR = 2021      # the year whose published mid-year facts calibrate the baseline


def level_row(year: int) -> int:
    """Row of ``year`` in a level array (row 0 is :data:`BASE_YEAR`)."""
    return year - BASE_YEAR


def step_row(year: int) -> int:
    """Row of ``year``'s rate in a step array (row 0 is the first projected year, ``BASE_YEAR + 1``)."""
    return year - BASE_YEAR - 1


def step_year(row: int) -> int:
    """The year whose rate is in row ``row`` of a step array (inverse of :func:`step_row`)."""
    return BASE_YEAR + 1 + row


def step_rows(first: int, last: int) -> slice:
    """Rows of the rates of the years ``first..last`` (inclusive) in a step array."""
    return slice(step_row(first), step_row(last) + 1)


def n_steps(horizon: int) -> int:
    """Number of projected years, ``BASE_YEAR + 1..horizon``: the rows of a step array."""
    return horizon - BASE_YEAR


def level_years(horizon: int) -> np.ndarray:
    """The years of a level array's rows, ``BASE_YEAR..horizon``."""
    return np.arange(BASE_YEAR, horizon + 1)


def step_years(horizon: int) -> np.ndarray:
    """The years of a step array's rows, ``BASE_YEAR + 1..horizon``."""
    return np.arange(BASE_YEAR + 1, horizon + 1)

"""How a published series is read off a projection, on either census basis.

A realized key (``growth.gdp``, ``share.finance``, ``revenue.ict`` ...) names a :class:`Series`:
a sum of the model's sectors, or a variable of its own (revenues, counts, cross-cutting value
added).  Its projected values come from the projection's sector levels, each times a factor that
takes it to the census basis of the comparison (:func:`factors_for`: ones, the 2020 census bridges
or their inverse), and :func:`bridge_ends` moves a series' bridges to the ends of their range.
Used by :mod:`model.analysis.backtest`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..baseline.vintage import Bridges
from ..core.iamc import (
    CLUSTER_VARIABLE,
    GDP,
    HIGHTECH_VALUE_ADDED,
    NEW_ECONOMY_VALUE_ADDED,
    PHARMA_OF_MEDICINE,
)
from ..core.sectors import GROUPS, INDEX, KEYS, N_SECTORS, SECTORS

MODEL_BASIS = "4th"           # the census basis of the model's 2020 base year
LATEST_BASIS = "5th"          # the basis of the record from 2024 on, and of the restated history

_SECTOR_VARIABLE = {s.key: s.variable for s in SECTORS}
# Published groups the statistics give that are not groups of the releases' usual breakdown.
EXTRA_GROUPS: Mapping[str, tuple[str, ...]] = {"ict_finance_scitech": ("ict", "finance", "scitech")}
# Series that are not sums of sectors: realized key -> projected IAMC variable (levels and counts).
DIRECT = {
    "va.hightech": HIGHTECH_VALUE_ADDED,
    "va.new_economy": NEW_ECONOMY_VALUE_ADDED,
    "revenue.software_info": "Revenue|Software and Information Services",
    "revenue.ngit": "Revenue|New-generation IT",
    "revenue.medicine_health": "Revenue|Medicine and Health",
    "revenue.pharma": PHARMA_OF_MEDICINE,
    "revenue.ic": "Revenue|Integrated Circuits",
    "revenue.scitech": "Revenue|Science and Technology Services",
    "output.cars": "Gross Output|Cars",
    "count.trillion_clusters": CLUSTER_VARIABLE,
}
DIRECT_SHARES = {"share.hightech": HIGHTECH_VALUE_ADDED, "share.new_economy": NEW_ECONOMY_VALUE_ADDED}
CROSS_CUTTING = {HIGHTECH_VALUE_ADDED, NEW_ECONOMY_VALUE_ADDED}


@dataclass(frozen=True)
class Series:
    """How one realized key is read off a projection.

    ``measure``: ``growth`` (real growth, %), ``average growth`` (mean real growth of the five
    years to the year, %/yr), ``level`` (100 million CNY), ``share`` (% of GDP) or ``count``.
    ``sectors``: the sector keys summed (a share divides their sum by the sum of every sector);
    ``variable``: the IAMC variable of a series that is not a sum of sectors (then ``sectors`` is
    empty).
    """

    key: str
    measure: str
    unit: str
    sectors: tuple[str, ...] = ()
    variable: str | None = None


def series_for(key: str) -> Series | None:
    """The :class:`Series` of a realized key, or ``None`` when the model has no counterpart.

    ``growth.X``, ``growth5y.X``, ``va.X``, ``share.X`` for ``X`` a sector or a group of sectors
    (``gdp``, ``primary``, ``secondary``, ``tertiary``, ``industry``, ... and
    :data:`EXTRA_GROUPS`) are sums of the sector variables; high-tech, new economy, revenues, car
    output and the cluster count map to their own variables (:data:`DIRECT`).
    """
    if key in DIRECT:
        measure = "count" if key.startswith("count.") else "level"
        return Series(key, measure, "count" if measure == "count" else "100 million CNY", variable=DIRECT[key])
    if key in DIRECT_SHARES:
        return Series(key, "share", "%", variable=DIRECT_SHARES[key])
    family, _, subject = key.partition(".")
    groups = {**GROUPS, **EXTRA_GROUPS}
    if subject not in groups:
        return None
    measure, unit = {"growth": ("growth", "%"), "growth5y": ("average growth", "%/yr"),
                     "va": ("level", "100 million CNY"), "share": ("share", "%")}.get(family, (None, None))
    return Series(key, measure, unit, groups[subject]) if measure else None


# ---------------------------------------------------------------- the projection's values
@dataclass(frozen=True)
class Levels:
    """A projection's value added by sector and year (nominal and real, ``(n_years, n_sectors)``
    frames indexed by year, columns the sector keys) and every variable by year (``wide``)."""

    nominal: pd.DataFrame
    real: pd.DataFrame
    wide: pd.DataFrame

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(int(y) for y in self.wide.index)


def levels_of(projection: pd.DataFrame) -> Levels:
    """The :class:`Levels` of a tidy projection table."""
    wide = projection.pivot_table(index="year", columns="variable", values="value", aggfunc="first")
    nominal = wide[[_SECTOR_VARIABLE[k] for k in KEYS]].set_axis(list(KEYS), axis=1)
    real = wide[["Real " + _SECTOR_VARIABLE[k] for k in KEYS]].set_axis(list(KEYS), axis=1)
    return Levels(nominal, real, wide)


def _weights(sectors: Sequence[str], factors: np.ndarray) -> np.ndarray:
    w = np.zeros(N_SECTORS)
    idx = [INDEX[k] for k in sectors]
    w[idx] = np.asarray(factors, dtype=float)[idx]
    return w


def projected_values(projection: pd.DataFrame | Levels, s: Series, factors: np.ndarray | None = None) -> pd.Series:
    r"""The projection's values of ``s`` by year, each sector's level times ``factors``
    ``(n_sectors,)`` (default ones: the model's 4th-census basis; the census bridges: the 5th).

    With :math:`V_{s,y}` the nominal and :math:`R_{s,y}` the real value added of sector :math:`s`
    and :math:`b_s` its factor, for the sectors :math:`S` of the series: a level is
    :math:`\sum_S b_s V_{s,y}`; a share :math:`100 \sum_S b_s V_{s,y} / \sum_{all} b_s V_{s,y}`;
    growth :math:`100\,(\sum_S b_s R_{s,y} / \sum_S b_s R_{s,y-1} - 1)`; average growth over five
    years :math:`100\,((\sum_S b_s R_{s,y} / \sum_S b_s R_{s,y-5})^{1/5} - 1)`.  A series that is
    not a sum of sectors is read as projected (growth from the first year after the base).
    """
    lv = projection if isinstance(projection, Levels) else levels_of(projection)
    return pd.Series(projected_array(lv, s, factors), index=lv.wide.index)


def projected_array(lv: Levels, s: Series, factors: np.ndarray | None = None) -> np.ndarray:
    """:func:`projected_values` as an array ``(n_years,)`` in the order of ``lv.years`` (NaN where a
    growth has no earlier year)."""
    b = np.ones(N_SECTORS) if factors is None else np.asarray(factors, dtype=float)
    if s.variable is not None:
        values = lv.wide[s.variable].to_numpy(dtype=float)
        if s.measure == "share":
            return 100.0 * values / lv.wide[GDP].to_numpy(dtype=float)
        return values
    w = _weights(s.sectors, b)
    if s.measure in ("growth", "average growth"):
        real = np.dot(lv.real.to_numpy(), w)
        lag = 1 if s.measure == "growth" else 5
        earlier = np.full_like(real, np.nan)
        earlier[lag:] = real[:-lag]
        if s.measure == "growth":
            return 100.0 * (real / earlier - 1.0)
        return 100.0 * ((real / earlier) ** 0.2 - 1.0)
    nominal = np.dot(lv.nominal.to_numpy(), w)
    if s.measure == "share":
        return 100.0 * nominal / np.dot(lv.nominal.to_numpy(), b)
    return nominal


def bridge_ends(bridges: Bridges, sectors: Sequence[str], va_2020: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""The bridges with the ``sectors`` moved towards the low and towards the high end of their range,
    every bridge kept within its own range and the restated 2020 levels ``va_2020`` ``(n_sectors,)``
    summing to what the central bridges give (the published 5th-census GDP of 2020).

    The sectors :math:`S` move by a fraction :math:`t` of the way to their end :math:`e`, the others
    by a fraction :math:`u` of the way to their opposite end :math:`\bar e`, with
    :math:`t\,D_S + u\,D_{\bar S} = 0`, :math:`D = \sum (e - b) V_{2020}`, and :math:`t` as large as
    allowed: :math:`t = \min(1, |D_{\bar S}| / |D_S|)`.  A small sector reaches its end
    (:math:`t = 1`); a group as large as the tertiary sector moves only as far as the other sectors'
    ranges can make room for it.  With every sector in :math:`S` the bridges are returned unchanged.
    """
    va = np.asarray(va_2020, dtype=float)
    b = np.asarray(bridges.factors, dtype=float)
    inside = np.zeros(N_SECTORS, dtype=bool)
    inside[[INDEX[k] for k in sectors]] = True
    out = []
    for end, opposite in ((bridges.low, bridges.high), (bridges.high, bridges.low)):
        d_in = float((end - b)[inside] @ va[inside])
        d_out = float((opposite - b)[~inside] @ va[~inside])
        f = b.copy()
        if d_in != 0 and d_out != 0:
            t = min(1.0, abs(d_out) / abs(d_in))
            u = t * abs(d_in) / abs(d_out)
            f[inside] += t * (end - b)[inside]
            f[~inside] += u * (opposite - b)[~inside]
        out.append(f)
    return out[0], out[1]


def factors_for(bridges: Bridges | None, basis: str, target: str) -> tuple[np.ndarray | None, Bridges | None]:
    """The factors ``(n_sectors,)`` that take a projection's levels from ``basis`` to ``target`` and the
    bridges whose range applies to the levels so taken: ones on the same basis; the bridges from the
    4th to the 5th; their inverse from the 5th to the 4th (no range: it is reported in the latest
    evaluation only).  On the 5th basis the range is the bridges' relative to their central value.
    ``None`` factors where the bridges are needed and missing."""
    if basis == target:
        if target != LATEST_BASIS or bridges is None:
            return np.ones(N_SECTORS), None
        f = np.asarray(bridges.factors, dtype=float)
        return np.ones(N_SECTORS), Bridges(np.ones(N_SECTORS), bridges.low / f, bridges.high / f, bridges.rows)
    if bridges is None:
        return None, None
    f = np.asarray(bridges.factors, dtype=float)
    return (f, bridges) if target == LATEST_BASIS else (1.0 / f, None)

"""Projections set against what happened, one census vintage at a time.

Pure functions on tables.  A *projection* is the tidy IAMC table of one scenario
(:func:`model.projection.results.timeseries`); the *realized* table has one row per published
figure with the columns of ``model/data/realized.csv`` (:data:`REALIZED_FILE_COLUMNS`).

The model's 2020 base and its projections are on the 4th economic census basis; the fifth
census (benchmark year 2023) restated the accounts, and the record from 2024 on is on its basis.
A comparison never crosses the break.  Two evaluations, each inside one vintage:

* **real-time** (:data:`REAL_TIME`): the projection as it is against the releases on the 4th-census
  basis only (annual 2021-2023, partial years 2022 and 2024).  No 5th-census row is read.
* **latest** (:data:`LATEST`): the projection restated on the 5th-census basis against the releases
  on that basis only.  The restatement applies each sector's 2020 census bridge
  :math:`b_s` (:func:`model.baseline.vintage.census_bridges`) once to the sector's level in every
  year, :math:`\\hat V^{5th}_{s,y} = b_s \\hat V_{s,y}` (nominal and real alike): the projection's own
  growth by sector 2020 -> y applied to the bridged 2020 levels.  Shares, group growth and GDP are
  formed from the restated sectors.  The 4th-census record enters only through the bridges.

A projection already on the 5th-census basis (a 2020 base restated with the bridges: a scenario's
``census: 5th``, the realized path) is compared as it is in the latest evaluation and divided by the
bridges, once, in the real-time one (:func:`factors_for`).

Within an evaluation:

* an **annual** figure is compared with the projection's value of that year (the latest release
  of the year on the evaluation's basis); a **growth rate** is the real growth of the sum of the
  series' sectors; ``growth5y`` is the average real growth of the five years to its year;
* a **partial-year** figure (``Q1``, ``H1``, ``Q1-Q3``, ...) enters only for a series and year
  without an annual figure on that basis, the longest period published: its cumulative real growth
  rate is set against the projected annual rate (period ``Q1-Q3`` in the ``period`` column); its
  level, against the same period of an earlier year on the same basis, gives a nominal growth rate
  (%/yr) set against the projection's annual one; its share of GDP is set against the projected
  annual share, which seasonality biases (a half-year's GDP is less than half the year's while
  finance and ICT are spread evenly), so such a row is ``approximate``: it is reported, and no
  summary metric or verdict rests on it;
* in the latest evaluation, each share of GDP also gives its **change from 2020** within the
  5th-census basis (2020: the projection's 2020 partition, the 4th-census record, through the
  bridges), and its error at each end of the bridges' range (``error_bridge_low``,
  ``error_bridge_high``: the series' own sectors towards the low or high end of their bridges' range,
  the other sectors the opposite way, every bridge within its range and 2020 still summing to the
  published 5th-census GDP, :func:`bridge_ends`);
* revenues, output and counts are not value added: they are compared as published, in the
  evaluation of their release's basis, with no bridge.  Cross-cutting value added (high-tech, new
  economy) is not a sum of sectors and has no bridge: it is compared on the projection's own basis
  only.

How a published key is read off a projection, on either basis, is :mod:`model.analysis.backtest_series`;
the naive forecasts to set beside a scenario are in :mod:`model.analysis.naive`; the metrics, verdicts
and the combination forecast in :mod:`model.analysis.backtest_metrics`.
"""
from __future__ import annotations

import re
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..baseline.data import DataError, Figures
from ..baseline.realized import PERIOD_END_MONTH, REALIZED_FILE_COLUMNS, RealizedTable
from ..baseline.vintage import Bridges, census_bridges
from ..core.sectors import KEYS
from ..core.years import BASE_YEAR
from .backtest_series import (
    CROSS_CUTTING,
    LATEST_BASIS,
    MODEL_BASIS,
    Levels,
    Series,
    bridge_ends,
    factors_for,
    levels_of,
    projected_array,
    series_for,
)

REAL_TIME = "real-time (4th census)"
LATEST = "latest (5th census)"
#: Evaluation -> the census basis of the only releases it reads.
EVALUATIONS: Mapping[str, str] = {REAL_TIME: MODEL_BASIS, LATEST: LATEST_BASIS}
ANNUAL = "annual"
SAME_DEFINITION = "same"
FIRST_YEAR = BASE_YEAR + 1    # the first year compared

BACKTEST_COLUMNS = ("scenario", "evaluation", "series", "measure", "unit", "period", "from_year", "year",
                    "projected", "realized", "error", "percent_error", "error_bridge_low", "error_bridge_high",
                    "census_basis", "vintage", "method", "definition", "source", "approximate")
#: Measures whose errors are in points (rates and changes); the others are levels, shares and counts.
RATE_MEASURES = ("growth", "average growth", "level growth")
SHARE_CHANGE = "share change"
SEASONAL = "partial-year share against the projected annual share: seasonality not removed"

_RELEASE = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* (\d{4})\b")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# ---------------------------------------------------------------- the published record
def release_month(vintage: str) -> tuple[int, int]:
    """(year, month) of the release named in a vintage text such as ``"preliminary, Mar 2022"``."""
    found = _RELEASE.findall(str(vintage))
    return max(((int(y), _MONTHS.index(m) + 1) for m, y in found), default=(0, 0))


def _latest(rows: Sequence[Mapping]) -> Mapping:
    """The row of the latest release of ``rows`` (in file order, which breaks ties)."""
    return rows[max(range(len(rows)), key=lambda i: (release_month(rows[i]["vintage"]), i))]


def _source(row) -> str:
    return f"{row['publisher']}, {row['document']}, {row['url']} ({row['vintage']})"


def check_realized(realized: pd.DataFrame) -> None:
    """Raise ``ValueError`` naming every missing column of a realized table."""
    missing = [c for c in REALIZED_FILE_COLUMNS if c not in realized.columns]
    if missing:
        raise ValueError(f"realized table: missing columns {missing}; expected {list(REALIZED_FILE_COLUMNS)}")


def derive_shares(realized: pd.DataFrame) -> pd.DataFrame:
    r"""``realized`` plus a ``share.X`` row for every ``va.X`` whose release also gives ``va.gdp``
    for the same year, period and census basis, where no ``share.X`` of that release exists.

    The share is :math:`100\, V_X / Y` of one release (same vintage text), so it stays within
    one vintage; the row keeps the level's provenance, with status ``derived`` and a note.
    """
    check_realized(realized)
    rows = list(zip(*(realized[c].tolist() for c in ("key", "year", "period", "census_basis", "vintage", "value"))))
    gdp: dict[tuple, list[float]] = {}
    for key, *release, value in rows:
        if key == "va.gdp":
            gdp.setdefault(tuple(release), []).append(value)
    have = {row[:5] for row in rows}
    chosen, keys, values = [], [], []
    for i, (key, *release, value) in enumerate(rows):
        if not key.startswith("va.") or key == "va.gdp":
            continue
        share = "share." + key.split(".", 1)[1]
        match = gdp.get(tuple(release), [])
        if (share, *release) in have or len(match) != 1:
            continue
        chosen.append(i)
        keys.append((share, key))
        values.append(100.0 * value / float(match[0]))
    if not chosen:
        return realized
    added = realized.iloc[chosen].assign(key=[k for k, _ in keys], value=values, unit="%", status="derived",
                                         note=[f"derived: 100 x {k} / va.gdp of the same release" for _, k in keys])
    return pd.concat([realized, added], ignore_index=True)


def bridges_for(va_2020: np.ndarray, fig: Figures, table: RealizedTable) -> Bridges | None:
    """The census bridges of a 2020 partition ``va_2020`` ``(n_sectors,)``
    (:func:`model.baseline.vintage.census_bridges`), or ``None`` when the record lacks what they need
    (then the latest evaluation compares nothing built on value added)."""
    try:
        return census_bridges(va_2020, fig, table)
    except DataError:
        return None


# ---------------------------------------------------------------- the comparison
def compare(projection: pd.DataFrame, realized: pd.DataFrame, bridges: Bridges | None = None,
            scenario: str | None = None, basis: str = MODEL_BASIS) -> pd.DataFrame:
    """Per evaluation, series and year: projected, realized, error and percent error, each
    evaluation inside one census vintage (module docstring).

    Parameters
    ----------
    projection : the tidy IAMC table of one scenario (from the 2020 base).
    realized : published figures, columns :data:`REALIZED_FILE_COLUMNS`; figures from 2021 for
        years the projection covers and keys the model has a counterpart for (:func:`series_for`).
        Shares not published are derived from levels of one release (:func:`derive_shares`).
    bridges : the 2020 census bridges of the projection's partition (:func:`bridges_for`);
        ``None``: the latest evaluation's value-added rows are ``not comparable``.
    scenario : name in the ``scenario`` column (default: the projection's).
    basis : the census basis of the projection's levels: ``4th`` (a 2020 base as calibrated) or ``5th``
        (a 2020 base restated with the bridges, a scenario's ``census: 5th``); each evaluation takes the
        projection to its own basis with the bridges, once (:func:`factors_for`).

    Returns
    -------
    A table with :data:`BACKTEST_COLUMNS`: :func:`compare_real_time` and :func:`compare_latest`
    stacked; ``error = projected - realized`` (points for rates and shares, 100 million CNY for
    levels), ``percent_error = 100 error / |realized|``.
    """
    check_realized(realized)
    name = scenario if scenario is not None else str(projection["scenario"].iloc[0])
    lv = levels_of(projection)
    frames = [compare_real_time(lv, realized, bridges, basis), compare_latest(lv, realized, bridges, basis)]
    table = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) \
        else frames[0]
    table.insert(0, "scenario", name)
    return table[list(BACKTEST_COLUMNS)]


def compare_real_time(projection: pd.DataFrame | Levels, realized: pd.DataFrame, bridges: Bridges | None = None,
                      basis: str = MODEL_BASIS) -> pd.DataFrame:
    """The real-time evaluation: the projection on the 4th-census basis (as it is, or a 5th-census
    projection divided by the bridges) against the 4th-census releases only (shares not published
    derived within one release).  Columns :data:`BACKTEST_COLUMNS` but ``scenario``; no 5th-census row
    is read."""
    lv = projection if isinstance(projection, Levels) else levels_of(projection)
    record = derive_shares(realized[realized["census_basis"] == EVALUATIONS[REAL_TIME]])
    factors, _ = factors_for(bridges, basis, EVALUATIONS[REAL_TIME])
    return _evaluate(lv, record, REAL_TIME, factors, None, basis)


def compare_latest(projection: pd.DataFrame | Levels, realized: pd.DataFrame, bridges: Bridges | None,
                   basis: str = MODEL_BASIS) -> pd.DataFrame:
    """The latest evaluation: the projection on the 5th-census basis (restated with the census ``bridges``,
    or as it is when already on it) against the 5th-census releases only.  Columns
    :data:`BACKTEST_COLUMNS` but ``scenario``; no 4th-census row is read (the 4th-census record enters
    through the bridges)."""
    lv = projection if isinstance(projection, Levels) else levels_of(projection)
    record = derive_shares(realized[realized["census_basis"] == EVALUATIONS[LATEST]])
    factors, ranges = factors_for(bridges, basis, EVALUATIONS[LATEST])
    return _evaluate(lv, record, LATEST, factors, ranges, basis)


def _evaluate(lv: Levels, record: pd.DataFrame, evaluation: str, factors: np.ndarray | None,
              bridges: Bridges | None, basis: str) -> pd.DataFrame:
    """One pass over ``record``: per series (sorted by key) and year (sorted), the row compared (the
    annual figure, else the longest partial period of the year; of those, the latest release, file
    order breaking ties), and the projected values of each series computed once."""
    years = set(lv.years)
    rows = record.to_dict("records")              # file order
    index: dict[str, dict[int, list[int]]] = {}
    for i, r in enumerate(rows):
        index.setdefault(r["key"], {}).setdefault(r["year"], []).append(i)
    out: list[dict] = []
    for key in sorted(index):
        s = series_for(key)
        if s is None:
            continue
        published = [rows[i] for i in sorted(i for here in index[key].values() for i in here)]   # file order
        series = _SeriesValues(lv, s, published, factors, bridges)
        for year in sorted(index[key]):
            if year < FIRST_YEAR or year not in years:
                continue
            here = index[key][year]
            periods = [rows[i]["period"] for i in here]
            period = ANNUAL if ANNUAL in periods else max(periods, key=lambda p: PERIOD_END_MONTH[p])
            chosen = max((i for i in here if rows[i]["period"] == period),
                         key=lambda i: (release_month(rows[i]["vintage"]), i))
            out += _compare_one(series, rows[chosen], evaluation, basis)
    return pd.DataFrame([{"evaluation": evaluation, **r} for r in out], columns=BACKTEST_COLUMNS[1:])


class _SeriesValues:
    """One published series against a projection: its projected values by year and the projected
    share at each end of the bridges, each computed once (on first use), and its rows of the record
    (``published``: a partial-year level looks for an earlier year in them)."""

    def __init__(self, lv: Levels, s: Series, published: Sequence[Mapping], factors: np.ndarray | None,
                 bridges: Bridges | None):
        self.lv, self.s, self.published, self.factors, self.bridges = lv, s, published, factors, bridges
        self._values: dict[int, float] | None = None
        self._ends: tuple[dict[int, float], dict[int, float]] | None = None

    def _by_year(self, factors: np.ndarray | None) -> dict[int, float]:
        """The projected values of the series with ``factors``, by year (numpy scalars, as a lookup)."""
        return dict(zip(self.lv.years, projected_array(self.lv, self.s, factors)))

    @property
    def values(self) -> dict[int, float]:
        if self._values is None:
            self._values = self._by_year(self.factors)
        return self._values

    def ends(self, year: int) -> tuple[float, float] | None:
        """The projected share of ``year`` with the series' sectors at the low and the high bridge."""
        if self.bridges is None or set(self.s.sectors) == set(KEYS):
            return None
        if self._ends is None:
            low, high = bridge_ends(self.bridges, self.s.sectors, self.lv.nominal.loc[BASE_YEAR].to_numpy())
            self._ends = self._by_year(low), self._by_year(high)
        return float(self._ends[0][year]), float(self._ends[1][year])


def _not_comparable(s: Series, evaluation: str, factors, basis: str) -> str | None:
    """Why ``s`` cannot be compared in ``evaluation``, or None."""
    if s.variable in CROSS_CUTTING and basis != EVALUATIONS[evaluation]:
        return (f"not comparable: cross-cutting value added is not a sum of sectors, so no census bridge takes it "
                f"from the {basis} to the {EVALUATIONS[evaluation]}-census basis")
    if s.variable is None and factors is None:
        return "not comparable: no census bridges (the record lacks the 2020 GDP or the half-year overlap)"
    return None


def _compare_one(series: _SeriesValues, row: Mapping, evaluation: str, basis: str) -> list[dict]:
    s, factors = series.s, series.factors
    year, period = int(row["year"]), str(row["period"])
    target = EVALUATIONS[evaluation]
    why_not = _not_comparable(s, evaluation, factors, basis)
    if why_not:
        return [_row(s, s.measure, s.unit, row, np.nan, why_not)]
    values = series.values
    if s.variable is not None:
        on = "the projection" + ("" if basis == target else " as projected (not value added: no census bridge)")
    elif basis == target:
        on = f"the projection on its own {basis}-census basis"
    else:
        on = (f"the projection restated on the {target}-census basis (each sector "
              f"{'x' if target == EVALUATIONS[LATEST] else '/'} its 2020 census bridge)")
    if period != ANNUAL:
        return _partial(series, row, values, on)
    if s.measure in ("growth", "average growth"):
        what = "real growth" if s.measure == "growth" else f"average real growth {year - 4}-{year}"
        return [_row(s, s.measure, s.unit, row, values[year], f"{what} as published, {target}-census release, "
                                                              f"against {on}",
                     from_year=year - 5 if s.measure == "average growth" else None)]
    if s.measure == "count" or s.variable is not None:
        return [_row(s, s.measure, s.unit, row, values[year], f"{s.measure} as published against {on}")]
    ends = series.ends(year) if s.measure == "share" else None
    out = [_row(s, s.measure, s.unit, row, values[year], f"{s.measure} as published against {on}", ends=ends)]
    if evaluation == LATEST and s.measure == "share":
        base = values[BASE_YEAR]
        out.append(_row(s, SHARE_CHANGE, "pp", row, values[year] - base,
                        f"change {BASE_YEAR}-{year} within the 5th-census basis; {BASE_YEAR}: the projection's "
                        f"{BASE_YEAR} partition (the {MODEL_BASIS}-census record) through the census bridges, "
                        f"{base:.2f} %", realized=float(row["value"]) - base, from_year=BASE_YEAR, ends=ends))
    return out


def _partial(series: _SeriesValues, row: Mapping, values: Mapping[int, float], on: str) -> list[dict]:
    s, lv = series.s, series.lv
    year, period = int(row["year"]), str(row["period"])
    if s.measure == "growth":
        return [_row(s, "growth", "%", row, values[year],
                     f"partial year ({period}): cumulative real growth y/y as published against the annual rate "
                     f"of {on}")]
    if s.measure == "share":
        ends = series.ends(year) if s.variable is None else None
        return [_row(s, "share", "%", row, values[year], f"approximate: {SEASONAL}; against {on}",
                     approximate=True, ends=ends)]
    if s.measure == "level":
        years = set(lv.years)
        earlier = [r for r in series.published if r["period"] == period and r["year"] < year and r["year"] in years]
        if not earlier:
            return [_row(s, s.measure, s.unit, row, np.nan,
                         f"not comparable: a partial-year ({period}) level, and no {period} of an earlier year "
                         "on this basis")]
        last = max(r["year"] for r in earlier)
        prev = _latest([r for r in earlier if r["year"] == last])
        y0, n = int(prev["year"]), year - int(prev["year"])
        realized = 100.0 * ((float(row["value"]) / float(prev["value"])) ** (1.0 / n) - 1.0)
        projected = 100.0 * ((values[year] / values[y0]) ** (1.0 / n) - 1.0)
        return [_row(s, "level growth", "%/yr", row, projected,
                     f"partial year ({period}): nominal growth of the {period} level {y0}-{year}, %/yr, within one "
                     f"basis ({prev['vintage']} and {row['vintage']}), against the annual growth of {on}",
                     realized=realized, from_year=y0)]
    return [_row(s, s.measure, s.unit, row, np.nan, f"not comparable: a partial-year ({period}) {s.measure}")]


def _row(s: Series, measure: str, unit: str, row, projected, method: str, realized: float | None = None,
         from_year: int | None = None, approximate: bool = False,
         ends: tuple[float, float] | None = None) -> dict:
    published = float(row["value"])
    realized = published if realized is None else float(realized)
    error = float(projected) - realized
    # the error at a bridge end: the projected share moves, the published share does not (a change from
    # 2020 moves its 2020 term on both sides, so its error is the share's)
    low, high = (e - published for e in ends) if ends is not None else (np.nan, np.nan)
    return {"series": s.key, "measure": measure, "unit": unit, "period": row["period"],
            "from_year": np.nan if from_year is None else from_year, "year": int(row["year"]),
            "projected": float(projected), "realized": realized, "error": error,
            "percent_error": 100.0 * error / abs(realized) if realized != 0 else np.nan,
            "error_bridge_low": low, "error_bridge_high": high, "census_basis": row["census_basis"],
            "vintage": row["vintage"], "method": method, "definition": row["definition"], "source": _source(row),
            "approximate": approximate}

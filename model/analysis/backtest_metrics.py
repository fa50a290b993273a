"""The backtest's summary metrics and verdicts, per evaluation, the combination forecast and the batch's
backtest.

A :func:`model.analysis.backtest.compare` table holds two evaluations, each inside one census
vintage (``evaluation``: :data:`~model.analysis.backtest.REAL_TIME`,
:data:`~model.analysis.backtest.LATEST`).  The metrics are computed within each, never across;
only figures whose definition is the model's enter, and no metric rests on an ``approximate``
row (a partial-year share) except the error row of that share, which says so in ``note``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..baseline.realized import variable
from ..baseline.vintage import Bridges
from ..core.iamc import REGION, SCENARIO_4TH, SCENARIO_5TH, STATISTICS_MODEL
from .backtest import (
    ANNUAL,
    BACKTEST_COLUMNS,
    LATEST,
    MODEL_BASIS,
    RATE_MEASURES,
    REAL_TIME,
    SAME_DEFINITION,
    SEASONAL,
    SHARE_CHANGE,
    compare,
    derive_shares,
    release_month,
)
from .naive import COMBINED

METRIC_COLUMNS = ("scenario", "evaluation", "metric", "series", "years", "value", "unit", "n", "note")
VERDICT_COLUMNS = ("evaluation", "metric", "series", "years", "candidate", "rival", "candidate_value",
                   "rival_value", "wins", "wins_bridge_low", "wins_bridge_high", "note")
APPROXIMATE_NOTE = f"approximate: {SEASONAL}"
PARTIAL_NOTE = "partial years: cumulative rates of the period against the projected annual rates"
#: Names of the aggregate metrics' series.
ANNUAL_RATES = "all annual rates"
PARTIAL_RATES = "all partial-year rates"
LEVELS_AND_SHARES = "value added levels and shares"
BRIDGE_LOW, BRIDGE_HIGH = "error, bridge low", "error, bridge high"

BASELINE = "baseline"
OLD_DESIGN = "baseline_constant_trend"
COMBINATION = "combination: baseline and naive forecasts averaged"
#: What a check of :data:`VERDICT_CHECKS` compares: (evaluation, metric, series, years); ``years``
#: ``None`` takes the one window the metrics give for that metric and series.
VERDICT_CHECKS: tuple[tuple[str, str, str, str | None], ...] = (
    (REAL_TIME, "MAE", "growth.gdp", None),
    (REAL_TIME, "MAE", ANNUAL_RATES, None),
    (REAL_TIME, "MAE", PARTIAL_RATES, None),
    (REAL_TIME, "MAPE", LEVELS_AND_SHARES, None),
    (REAL_TIME, "error", "share.ict", "2023"),
    (REAL_TIME, "error", "share.ict_finance_scitech", "2022"),
    (REAL_TIME, "error", "va.finance", "2022-2024 Q1-Q3"),
    (REAL_TIME, "error", "va.ict", "2022-2024 Q1-Q3"),
    (LATEST, "MAE", "growth.gdp", None),
    (LATEST, "error", "growth5y.gdp", "2021-2025"),
    (LATEST, "MAE", ANNUAL_RATES, None),
    (LATEST, "MAPE", LEVELS_AND_SHARES, None),
    (LATEST, "error", "share.finance", "2025"),
    (LATEST, "error", "share.ict", "2025"),
    (LATEST, "error", "share.secondary", "2025"),
    (LATEST, "error", "share.tertiary", "2025"),
)


def mae_and_bias(errors: np.ndarray) -> tuple[float, float]:
    r"""Mean absolute error :math:`\frac1n\sum|e|` and bias :math:`\frac1n\sum e` (NaN when empty)."""
    e = np.asarray(errors, dtype=float)
    e = e[np.isfinite(e)]
    return (float(np.mean(np.abs(e))), float(np.mean(e))) if e.size else (np.nan, np.nan)


def span(years) -> str:
    """``"2021-2023"`` for the years given (``"2025"`` for one)."""
    years = sorted({int(y) for y in years})
    return str(years[0]) if years[0] == years[-1] else f"{years[0]}-{years[-1]}"


def years_label(r) -> str:
    """The ``years`` of one compared row's metric: ``2025``, ``2024 H1``, ``2022-2024 Q1-Q3`` (a level's
    growth between two same periods), ``2021-2025`` (an average growth), ``2020-2025`` (a change)."""
    period = "" if r.period == ANNUAL else f" {r.period}"
    if r.measure == "average growth":
        return f"{int(r.from_year) + 1}-{r.year}{period}"
    if np.isfinite(r.from_year):
        return f"{int(r.from_year)}-{r.year}{period}"
    return f"{r.year}{period}"


def summary_metrics(table: pd.DataFrame) -> pd.DataFrame:
    """Summary metrics of a :func:`~model.analysis.backtest.compare` table, per scenario and evaluation,
    as rows with :data:`METRIC_COLUMNS` (errors in points for rates, shares and changes, percent for
    levels):

    * real GDP growth (``growth.gdp``, annual): ``MAE`` and ``bias`` over the years compared;
    * :data:`ANNUAL_RATES`: every annual rate (real growth of GDP, groups and sectors; average growth),
      ``MAE`` and ``bias``; :data:`PARTIAL_RATES`: every partial-year rate (real growth of the period,
      nominal growth between two same periods), ``MAE`` and ``bias``;
    * :data:`LEVELS_AND_SHARES`: every annual value-added level and share, ``MAPE``;
    * every share, rate and average growth compared: its ``error`` (a partial-year share with
      :data:`APPROXIMATE_NOTE`), and for a share of the latest evaluation its error at each end of
      the bridges' range (:data:`BRIDGE_LOW`, :data:`BRIDGE_HIGH`);
    * every change of share from 2020: ``projected change`` and ``realized change``;
    * every revenue and output series: ``MAPE`` over its years and the ``percent error`` of its last.

    Only figures whose definition is the model's (``definition == "same"``) with a projection enter.
    """
    usable = table[(table["definition"] == SAME_DEFINITION) & np.isfinite(table["projected"])]
    usable = usable.assign(approximate=usable["approximate"].astype(bool))
    groups: dict[tuple[str, str], list] = {}          # in order of appearance, rows in table order
    for r in usable.itertuples(index=False):
        groups.setdefault((r.scenario, r.evaluation), []).append(r)
    rows = [(name, evaluation, *r) for (name, evaluation), t in groups.items() for r in _metrics_of(t)]
    return pd.DataFrame(rows, columns=METRIC_COLUMNS)


def _metrics_of(t: Sequence) -> list[tuple]:
    """The metric rows ``(metric, series, years, value, unit, n, note)`` of one scenario's usable rows
    of one evaluation (:func:`summary_metrics`; rows with the attributes of :data:`BACKTEST_COLUMNS`)."""
    rows = []

    def add(metric, series, years, value, unit, n, note=""):
        rows.append((metric, series, years, value, unit, n, note))

    def errors(chosen, column="error"):
        return np.array([getattr(r, column) for r in chosen], dtype=float)

    annual = [r for r in t if r.period == ANNUAL]
    exact = [r for r in t if not r.approximate]
    gdp = [r for r in annual if r.series == "growth.gdp" and r.measure == "growth"]
    if gdp:
        mae, bias = mae_and_bias(errors(gdp))
        add("MAE", "growth.gdp", span(r.year for r in gdp), mae, "pp", len(gdp))
        add("bias", "growth.gdp", span(r.year for r in gdp), bias, "pp", len(gdp))
    for label, rates, note in ((ANNUAL_RATES, [r for r in exact if r.period == ANNUAL], ""),
                               (PARTIAL_RATES, [r for r in exact if r.period != ANNUAL], PARTIAL_NOTE)):
        rates = [r for r in rates if r.measure in RATE_MEASURES]
        if rates:
            mae, bias = mae_and_bias(errors(rates))
            add("MAE", label, span(r.year for r in rates), mae, "pp", len(rates), note)
            add("bias", label, span(r.year for r in rates), bias, "pp", len(rates), note)
    va = [r for r in exact if r.period == ANNUAL and r.measure in ("level", "share")
          and r.series.startswith(("va.", "share."))]
    if va:
        add("MAPE", LEVELS_AND_SHARES, span(r.year for r in va), mae_and_bias(errors(va, "percent_error"))[0], "%",
            len(va))
    for r in (r for r in t if r.measure in ("share", *RATE_MEASURES)):
        years = years_label(r)
        unit = "pp/yr" if r.measure in ("average growth", "level growth") else "pp"
        note = APPROXIMATE_NOTE if r.approximate else (PARTIAL_NOTE if r.period != ANNUAL else "")
        add("error", r.series, years, r.error, unit, 1, note)
        for metric, value in ((BRIDGE_LOW, r.error_bridge_low), (BRIDGE_HIGH, r.error_bridge_high)):
            if np.isfinite(value):
                add(metric, r.series, years, value, unit, 1, note)
    for r in (r for r in t if r.measure == SHARE_CHANGE):
        add("projected change", r.series, years_label(r), r.projected, "pp", 1)
        add("realized change", r.series, years_label(r), r.realized, "pp", 1)
    published = {}
    for r in annual:
        if r.series.startswith(("revenue.", "output.")):
            published.setdefault(r.series, []).append(r)
    for key in sorted(published):
        r = sorted(published[key], key=lambda row: row.year)
        add("MAPE", key, span(row.year for row in r), _mean_of_finite(np.abs(errors(r, "percent_error"))), "%",
            len(r))
        add("percent error", key, str(r[-1].year), float(r[-1].percent_error), "%", 1)
    return rows


def _mean_of_finite(values: np.ndarray) -> float:
    """The mean of the values that are not NaN (NaN if none), summed in place with the NaN as zeros."""
    missing = np.isnan(values)
    count = values.size - int(missing.sum())
    return float(np.where(missing, 0.0, values).sum() / count) if count else np.nan


def _wins(mine: float, theirs: float):
    """Smaller absolute value wins; equal up to rounding (relative 1e-9) is a tie, no win; NaN if missing."""
    if not (np.isfinite(mine) and np.isfinite(theirs)):
        return np.nan
    return bool(abs(mine) < abs(theirs) and not np.isclose(abs(mine), abs(theirs), rtol=1e-9, atol=1e-12))


def verdicts(metrics: pd.DataFrame, candidate: str, rivals: Sequence[str],
             checks: Sequence[tuple[str, str, str, str | None]]) -> pd.DataFrame:
    """Does ``candidate`` beat each rival on each check?  Smaller absolute value wins; equal values up
    to rounding (relative 1e-9) are a tie, no win.

    ``checks`` are ``(evaluation, metric, series, years)`` of :func:`summary_metrics` rows (``years``
    ``None``: the candidate's one row of that metric and series).  Where the metrics give the check's
    error at the ends of the bridges' range, ``wins_bridge_low`` and ``wins_bridge_high`` say whether
    the verdict holds there.  Columns :data:`VERDICT_COLUMNS` (``wins`` NaN where either value is
    missing; ``note`` the candidate's note).
    """
    index = metrics.set_index(["scenario", "evaluation", "metric", "series", "years"])
    value = index["value"]
    out = []
    for evaluation, metric, series, years in checks:
        if years is None:
            found = metrics[(metrics["scenario"] == candidate) & (metrics["evaluation"] == evaluation)
                            & (metrics["metric"] == metric) & (metrics["series"] == series)]
            if len(found) != 1:
                continue
            years = str(found["years"].iloc[0])
        mine = value.get((candidate, evaluation, metric, series, years), np.nan)
        note = index["note"].get((candidate, evaluation, metric, series, years), "")
        for rival in rivals:
            theirs = value.get((rival, evaluation, metric, series, years), np.nan)
            ends = [_wins(value.get((candidate, evaluation, m, series, years), np.nan),
                          value.get((rival, evaluation, m, series, years), np.nan)) for m in (BRIDGE_LOW, BRIDGE_HIGH)]
            out.append((evaluation, metric, series, years, candidate, rival, mine, theirs, _wins(mine, theirs),
                        *ends, note))
    return pd.DataFrame(out, columns=VERDICT_COLUMNS)


def batch_verdicts(metrics: pd.DataFrame, rivals: Sequence[str]) -> pd.DataFrame:
    """:func:`verdicts` of :data:`BASELINE` against those of ``rivals`` present in ``metrics`` on
    :data:`VERDICT_CHECKS`.  Empty when the baseline did not run."""
    present = set(metrics["scenario"])
    rivals = [r for r in rivals if r in present]
    if BASELINE not in present or not rivals:
        return pd.DataFrame(columns=VERDICT_COLUMNS)
    return verdicts(metrics, BASELINE, rivals, VERDICT_CHECKS)


# ---------------------------------------------------------------- the batch's backtest
@dataclass(frozen=True)
class BatchBacktest:
    """What a batch's comparison writes of the backtest.

    ``metrics``: :func:`summary_metrics` of every scenario that ran, of the naive forecasts and of
    the combination; ``verdicts``: :func:`batch_verdicts`; ``realized``: the realized series as IAMC
    rows (:func:`model.baseline.realized.realized_timeseries`); ``timeseries``: every scenario's IAMC
    rows and the realized rows in one table.
    """

    metrics: pd.DataFrame
    verdicts: pd.DataFrame
    realized: pd.DataFrame
    timeseries: pd.DataFrame


def with_derived_shares(realized_rows: pd.DataFrame, realized: pd.DataFrame) -> pd.DataFrame:
    """The realized IAMC rows plus the shares :func:`~model.analysis.backtest.derive_shares` derives
    within one release, for every (scenario, variable, year) the rows lack, latest release first;
    scenario by census basis as in :mod:`model.baseline.realized`.  So the finance and ICT shares of
    2025, which the statistics give only as levels beside GDP, appear beside the projections."""
    derived = derive_shares(realized)
    derived = derived[(derived["status"] == "derived") & (derived["period"] == ANNUAL)
                      & (derived["definition"] == SAME_DEFINITION)]
    have = set(zip(realized_rows["scenario"], realized_rows["variable"], realized_rows["year"]))
    added = {}
    for _, row in derived.iterrows():
        name = variable(row["key"])
        scenario = SCENARIO_4TH if row["census_basis"] == MODEL_BASIS else SCENARIO_5TH
        ident = (scenario, name, int(row["year"]))
        if name is None or ident in have:
            continue
        if ident not in added or release_month(row["vintage"]) > release_month(added[ident]["vintage"]):
            added[ident] = row
    rows = [{"model": STATISTICS_MODEL, "scenario": s, "region": REGION, "variable": v, "unit": "%", "year": y,
             "value": float(r["value"])} for (s, v, y), r in sorted(added.items())]
    out = pd.concat([realized_rows, pd.DataFrame(rows, columns=realized_rows.columns)], ignore_index=True) \
        if rows else realized_rows
    return out.sort_values(["scenario", "variable", "year"], kind="stable").reset_index(drop=True)


_KEY_COLUMNS = ("evaluation", "series", "measure", "period", "from_year", "year")
_AVERAGED = ("projected", "error", "error_bridge_low", "error_bridge_high")


def combine(tables: Sequence[pd.DataFrame], scenario: str) -> pd.DataFrame:
    """The combination forecast of several :func:`compare` tables: each compared figure's projection is
    the simple average of the members' projections (so is its error and its error at each bridge end,
    the published figure being the same); a figure that a member does not project is not projected.
    Provenance is the first member's; the method says what was averaged."""
    if not tables:
        raise ValueError("combine: no member tables")
    members = [str(t["scenario"].iloc[0]) for t in tables if len(t)]
    keyed = [t.assign(from_year=t["from_year"].fillna(-1)).set_index(list(_KEY_COLUMNS)) for t in tables]
    first = keyed[0]
    out = first.copy()
    for column in _AVERAGED:
        stacked = pd.concat([k[column].reindex(first.index) for k in keyed], axis=1)
        out[column] = stacked.mean(axis=1, skipna=False)
    out["percent_error"] = np.where(out["realized"] != 0, 100.0 * out["error"] / out["realized"].abs(), np.nan)
    out["method"] = f"average of {', '.join(members)}: " + out["method"].astype(str)
    out["scenario"] = scenario
    out = out.reset_index()
    out["from_year"] = out["from_year"].where(out["from_year"] >= 0)
    return out[list(BACKTEST_COLUMNS)]


def combination_members(naive_names: Sequence[str]) -> tuple[str, ...]:
    """The members of :data:`COMBINATION`: the baseline and the naive forecasts of
    :func:`model.analysis.naive.naive_forecasts` named in :data:`model.analysis.naive.COMBINED`."""
    return (BASELINE, *(n for n in naive_names if n in COMBINED))


def batch_backtest(compared: Mapping[str, pd.DataFrame], naive: pd.DataFrame, realized: pd.DataFrame,
                   realized_rows: pd.DataFrame, tables: Mapping[str, pd.DataFrame],
                   bridges: Bridges | None = None) -> BatchBacktest:
    """The batch's backtest from what the scenarios already computed.

    ``compared``: each scenario's :func:`~model.analysis.backtest.compare` table; ``naive``: the naive
    forecasts' tidy table (:func:`model.analysis.naive.naive_forecasts`), compared here with
    ``bridges`` (those of the partition they start from); ``realized``: the realized table given to
    ``compare``; ``realized_rows``: its IAMC rows; ``tables``: each scenario's tidy table.  Where the
    baseline ran, the combination (:data:`COMBINATION`, the simple average of the baseline and the
    naive forecasts of :func:`combination_members`) is compared too.  The naive forecasts and the
    combination are set beside the scenarios in the metrics and the verdicts, not in ``timeseries``.
    """
    naive_names = list(dict.fromkeys(naive["scenario"]))
    naive_compared = {n: compare(naive[naive["scenario"] == n], realized, bridges, n) for n in naive_names}
    frames = [compared[n] for n in sorted(compared)] + [naive_compared[n] for n in naive_names]
    rivals = [OLD_DESIGN, *naive_names]
    if BASELINE in compared:
        members = combination_members(naive_names)
        frames.append(combine([compared[BASELINE], *(naive_compared[n] for n in members[1:])], COMBINATION))
        rivals.append(COMBINATION)
    metrics = summary_metrics(pd.concat(frames, ignore_index=True))
    judged = batch_verdicts(metrics, rivals)
    series = pd.concat([tables[n] for n in sorted(tables)] + [realized_rows], ignore_index=True)
    return BatchBacktest(metrics, judged, realized_rows, series)

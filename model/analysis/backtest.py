"""Projections set against what happened: like-for-like errors, summary metrics, naive forecasts.

Pure functions on tables.  A *projection* is the tidy IAMC table of one scenario
(:func:`model.projection.results.timeseries`); the *realized* table has one row per published
figure with the columns of ``model/data/realized.csv`` (:data:`REALIZED_FILE_COLUMNS`).

Like for like across the fifth economic census (benchmark year 2023), which revised
levels upwards from 2023 on:

* **growth rates** (``growth.*``) are comparable-price rates of one release each and
  are compared as published, whatever the census basis; for a year published more
  than once, the latest release is used;
* **levels and shares** are compared on the model's basis, the 4th census (its 2020
  base year): directly where the year was published on that basis; for a year
  published only on the 5th basis, the projection is **ratio-linked** to it with
  the overlap year published on both bases,
  :math:`\\hat X^{5th}_y = \\hat X_y \\cdot X^{5th}_o / X^{4th}_o`; without an overlap
  year, the year-on-year change within the 5th-census vintage is compared
  (percent growth of a level, point change of a share) with the projection's;
* **approximate**, for value added and shares of GDP only, where none of the above
  applies (no overlap year of the series and no year before on its basis) but GDP
  was published on both bases in an overlap year: the census is *assumed* to have
  revised every sector in proportion to GDP.  A share is then unchanged by the revision and compared as published; a
  level is linked with GDP's factor, :math:`\\hat X^{5th}_y = \\hat X_y \\cdot
  Y^{5th}_o / Y^{4th}_o`.  The method text starts with :data:`APPROXIMATE` and the
  row's ``approximate`` column is true;
* **counts** (trillion-yuan clusters) have no basis and are compared directly.

Every row records the basis, vintage and method used.  The naive forecasts to set
beside a scenario are in :mod:`model.analysis.naive`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..baseline.realized import REALIZED_FILE_COLUMNS, variable
from ..core.iamc import (
    CLUSTER_VARIABLE,
    HIGHTECH_VALUE_ADDED,
    NEW_ECONOMY_VALUE_ADDED,
    PHARMA_OF_MEDICINE,
    REGION,
    SCENARIO_4TH,
    SCENARIO_5TH,
    STATISTICS_MODEL,
)
from ..core.sectors import GROUPS, SECTORS
from ..core.years import BASE_YEAR
from ..targets.scorecard import LOWER_BOUND

BACKTEST_COLUMNS = ("scenario", "series", "measure", "unit", "year", "projected", "realized", "error", "percent_error",
                    "census_basis", "vintage", "method", "definition", "source", "approximate")
APPROXIMATE = "approximate, assumes proportional revision"
APPROXIMATE_NOTE = ("approximate: assumes the 5th census revised every sector in proportion to GDP "
                    "(no sector was published on both bases)")
MODEL_BASIS = "4th"           # the census basis of the model's 2020 base year
SAME_DEFINITION = "same"
LEVER_FIRST_YEAR = BASE_YEAR + 1

METRIC_COLUMNS = ("scenario", "metric", "series", "years", "value", "unit", "n", "note")
RATE_MEASURES = ("growth", "level growth", "share change")   # errors in points; the rest in percent

_SECTOR_VARIABLE = {s.key: s.variable for s in SECTORS}
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
_RELEASE = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* (\d{4})\b")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Series:
    """How one realized key is read off a projection.

    ``measure``: ``growth`` (real growth, %), ``level`` (100 million CNY), ``share``
    (% of GDP) or ``count``.  ``numerator``: the IAMC variables summed (real ones for
    growth); a share divides their sum by ``GDP``.
    """

    key: str
    measure: str
    unit: str
    numerator: tuple[str, ...]


def series_for(key: str) -> Series | None:
    """The :class:`Series` of a realized key, or ``None`` when the model has no counterpart.

    ``growth.X``, ``va.X``, ``share.X`` for ``X`` a sector or a group of sectors
    (``gdp``, ``primary``, ``secondary``, ``tertiary``, ``industry``, ...) are sums of
    the sector variables; high-tech, new economy, revenues, car output and the cluster
    count map to their own variables (:data:`DIRECT`).
    """
    if key in DIRECT:
        measure = "count" if key.startswith("count.") else "level"
        return Series(key, measure, "count" if measure == "count" else "100 million CNY", (DIRECT[key],))
    if key in DIRECT_SHARES:
        return Series(key, "share", "%", (DIRECT_SHARES[key],))
    family, _, subject = key.partition(".")
    if subject not in GROUPS or family not in ("growth", "va", "share"):
        return None
    variables = tuple(_SECTOR_VARIABLE[k] for k in GROUPS[subject])
    if family == "growth":
        return Series(key, "growth", "%", tuple("Real " + v for v in variables))
    return Series(key, "level" if family == "va" else "share", "100 million CNY" if family == "va" else "%",
                  variables)


def projected_values(projection: pd.DataFrame, s: Series) -> pd.Series:
    """The projection's values of ``s`` by year (growth from the first year after the base)."""
    wide = projection.pivot_table(index="year", columns="variable", values="value", aggfunc="first")
    total = wide[list(s.numerator)].sum(axis=1)
    if s.measure == "growth":
        return 100.0 * (total / total.shift(1) - 1.0)
    if s.measure == "share":
        return 100.0 * total / wide["GDP"]
    return total


def _release(vintage: str) -> tuple[int, int]:
    """(year, month) of the release named in a vintage text such as ``"preliminary, Mar 2022"``."""
    found = _RELEASE.findall(str(vintage))
    return max(((int(y), _MONTHS.index(m) + 1) for m, y in found), default=(0, 0))


def _latest(rows: pd.DataFrame) -> pd.Series:
    """The row of the latest release (file order breaks ties)."""
    order = [(_release(v), i) for i, v in enumerate(rows["vintage"])]
    return rows.iloc[max(range(len(rows)), key=lambda i: order[i])]


def _source(row: pd.Series) -> str:
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
    gdp = realized[realized["key"] == "va.gdp"]
    have = set(zip(realized["key"], realized["year"], realized["period"], realized["census_basis"],
                   realized["vintage"]))
    added = []
    for row in realized[realized["key"].str.startswith("va.") & (realized["key"] != "va.gdp")].itertuples():
        key = "share." + row.key.split(".", 1)[1]
        if (key, row.year, row.period, row.census_basis, row.vintage) in have:
            continue
        match = gdp[(gdp["year"] == row.year) & (gdp["period"] == row.period)
                    & (gdp["census_basis"] == row.census_basis) & (gdp["vintage"] == row.vintage)]
        if len(match) != 1:
            continue
        new = row._asdict()
        new.pop("Index")
        new.update(key=key, value=100.0 * row.value / float(match["value"].iloc[0]), unit="%", status="derived",
                   note=f"derived: 100 x {row.key} / va.gdp of the same release")
        added.append(new)
    return pd.concat([realized, pd.DataFrame(added, columns=realized.columns)], ignore_index=True) \
        if added else realized


def compare(projection: pd.DataFrame, realized: pd.DataFrame, scenario: str | None = None) -> pd.DataFrame:
    """Per series and year: projected, realized, error and percent error, like for like.

    Parameters
    ----------
    projection : the tidy IAMC table of one scenario.
    realized : published figures, columns :data:`REALIZED_FILE_COLUMNS`; only annual
        figures from 2021 for years the projection covers and keys the model has a
        counterpart for (:func:`series_for`) are compared.  Shares not published are
        derived from levels of one release (:func:`derive_shares`).
    scenario : name in the ``scenario`` column (default: the projection's).

    Returns
    -------
    A table with :data:`BACKTEST_COLUMNS`: ``error = projected - realized`` (points for growth
    and shares, 100 million CNY for levels), ``percent_error = 100 error / |realized|``;
    ``census_basis``, ``vintage`` and ``method`` say which published figure was used
    and how the two were made comparable (module docstring).
    """
    realized = derive_shares(realized)
    name = scenario if scenario is not None else str(projection["scenario"].iloc[0])
    years = set(projection["year"])
    rows = realized[(realized["period"] == "annual") & (realized["year"] >= LEVER_FIRST_YEAR)
                    & realized["year"].isin(years)]
    gdp = realized[(realized["key"] == "va.gdp") & (realized["period"] == "annual")]
    out = []
    for key, group in rows.groupby("key", sort=True):
        s = series_for(key)
        if s is None:
            continue
        values = projected_values(projection, s)
        for year in sorted(group["year"].unique()):
            out.append(_compare_one(s, values, realized[(realized["key"] == key) & (realized["period"] == "annual")],
                                    int(year), gdp))
    table = pd.DataFrame([r for r in out if r is not None], columns=BACKTEST_COLUMNS[1:])
    table.insert(0, "scenario", name)
    return table


def _compare_one(s: Series, projected: pd.Series, published: pd.DataFrame, year: int,
                 gdp: pd.DataFrame | None = None) -> dict | None:
    here = published[published["year"] == year]
    if s.measure in ("growth", "count"):
        row = _latest(here)
        method = "growth rate as published (comparable prices), latest release" if s.measure == "growth" \
            else "count as published"
        return _row(s.key, s.measure, s.unit, year, projected[year], row, method)
    on_model_basis = here[here["census_basis"] == MODEL_BASIS]
    if len(on_model_basis):
        return _row(s.key, s.measure, s.unit, year, projected[year], _latest(on_model_basis),
                    f"{s.measure} on the {MODEL_BASIS}-census basis (the model's)")
    row = _latest(here)
    basis = row["census_basis"]
    overlap = _overlap_factor(published, basis, year)
    if overlap is not None:
        o, factor = overlap
        return _row(s.key, s.measure, s.unit, year, projected[year] * factor, row,
                    f"ratio-linked: projection x {factor:.4f} ({basis}/{MODEL_BASIS} basis in {o})")
    before = published[(published["year"] == year - 1) & (published["census_basis"] == basis)]
    prev = _latest(before) if len(before) else None
    bounds = prev is not None and any(str(r["definition"]).startswith(LOWER_BOUND) for r in (row, prev))
    if prev is not None and (year - 1) in projected.index and not bounds:     # "over X" has no change
        if s.measure == "level":
            change = 100.0 * (row["value"] / prev["value"] - 1.0)
            proj = 100.0 * (projected[year] / projected[year - 1] - 1.0)
            measure, unit = "level growth", "%"
        else:
            change, proj = row["value"] - prev["value"], projected[year] - projected[year - 1]
            measure, unit = "share change", "pp"
        return _row(s.key, measure, unit, year, proj, {**row.to_dict(), "value": change},
                    f"change {year - 1}-{year} within the {basis}-census vintage (no overlap year)")
    value_added = s.key.startswith(("va.", "share."))     # revenues and output are not value added
    link = _overlap_factor(gdp, basis, year) if value_added and gdp is not None and len(gdp) else None
    if link is not None:
        o, factor = link
        if s.measure == "share":
            return _row(s.key, s.measure, s.unit, year, projected[year], row,
                        f"{APPROXIMATE}: share taken as unchanged by the census revision (every sector assumed "
                        f"revised in proportion to GDP; no {s.key} on both bases)", approximate=True)
        return _row(s.key, s.measure, s.unit, year, projected[year] * factor, row,
                    f"{APPROXIMATE}: projection x {factor:.4f}, GDP's {basis}/{MODEL_BASIS} basis factor in {o} "
                    "(every sector assumed revised in proportion to GDP)", approximate=True)
    return _row(s.key, s.measure, s.unit, year, np.nan, row,
                f"not comparable: {basis}-census basis with no overlap year and no {year - 1} on that basis")


def _overlap_factor(published: pd.DataFrame, basis: str, year: int) -> tuple[int, float] | None:
    """The latest year up to ``year`` published on both bases, and the ratio ``basis / model basis``."""
    both = sorted(set(published.loc[published["census_basis"] == basis, "year"])
                  & set(published.loc[published["census_basis"] == MODEL_BASIS, "year"]))
    both = [o for o in both if o <= year]
    if not both:
        return None
    o = both[-1]
    at = published[published["year"] == o]
    new = _latest(at[at["census_basis"] == basis])["value"]
    old = _latest(at[at["census_basis"] == MODEL_BASIS])["value"]
    return o, float(new) / float(old)


def _row(key, measure, unit, year, projected, row, method, approximate: bool = False) -> dict:
    realized = float(row["value"])
    error = float(projected) - realized
    return {"series": key, "measure": measure, "unit": unit, "year": year, "projected": float(projected),
            "realized": realized, "error": error,
            "percent_error": 100.0 * error / abs(realized) if realized != 0 else np.nan,
            "census_basis": row["census_basis"], "vintage": row["vintage"], "method": method,
            "definition": row["definition"], "source": _source(row), "approximate": approximate}


# ---------------------------------------------------------------- summary metrics
def mae_and_bias(errors: np.ndarray) -> tuple[float, float]:
    r"""Mean absolute error :math:`\frac1n\sum|e|` and bias :math:`\frac1n\sum e` (NaN when empty)."""
    e = np.asarray(errors, dtype=float)
    e = e[np.isfinite(e)]
    return (float(np.mean(np.abs(e))), float(np.mean(e))) if e.size else (np.nan, np.nan)


def summary_metrics(table: pd.DataFrame, windows: Sequence[tuple[int, int]] = ((2021, 2025), (2023, 2025)),
                    share_year: int = 2025) -> pd.DataFrame:
    """Summary metrics of a :func:`compare` table, per scenario, as rows.

    * real GDP growth (``growth.gdp``): mean absolute error and bias (points) over each window;
    * every share published for ``share_year``: its error (points);
    * every revenue and output series: mean absolute percent error over its years and
      the percent error of its last year;
    * overall, over the first window: mean absolute error (points) of every rate and
      change (real growth, growth of a level and change of a share within a vintage) and
      mean absolute percent error of every level, share and count.

    Only figures whose definition is the model's (``definition == "same"``) enter, and
    only rows with a projection.  A share compared by the approximate method (column
    ``approximate``) keeps its error row with :data:`APPROXIMATE_NOTE` in ``note``; the
    overall metrics are like for like and leave approximate rows out.  Columns:
    ``scenario, metric, series, years, value, unit, n, note``.
    """
    rows = []
    usable = table[(table["definition"] == SAME_DEFINITION) & np.isfinite(table["projected"])]
    approx = usable["approximate"].astype(bool) if "approximate" in usable else pd.Series(False, usable.index)
    first, last = windows[0]
    for name, t in usable.assign(approximate=approx).groupby("scenario", sort=False):
        gdp = t[t["series"] == "growth.gdp"]
        for a, b in windows:
            e = gdp.loc[gdp["year"].between(a, b), "error"].to_numpy()
            mae, bias = mae_and_bias(e)
            rows += [(name, "MAE", "growth.gdp", f"{a}-{b}", mae, "pp", e.size, ""),
                     (name, "bias", "growth.gdp", f"{a}-{b}", bias, "pp", e.size, "")]
        shares = t[(t["measure"] == "share") & (t["year"] == share_year)]
        rows += [(name, "error", r.series, str(share_year), r.error, "pp", 1,
                  APPROXIMATE_NOTE if r.approximate else "") for r in shares.itertuples()]
        for key, r in t[t["series"].str.startswith(("revenue.", "output."))].groupby("series"):
            r = r.sort_values("year")
            rows.append((name, "MAPE", key, f"{r['year'].min()}-{r['year'].max()}",
                         float(np.mean(np.abs(r["percent_error"]))), "%", len(r), ""))
            rows.append((name, "percent error", key, str(r["year"].iloc[-1]), float(r["percent_error"].iloc[-1]),
                         "%", 1, ""))
        window = t[t["year"].between(first, last) & ~t["approximate"]]
        g = window[window["measure"].isin(RATE_MEASURES)]["error"].to_numpy()
        rows.append((name, "MAE", "all rates and changes", f"{first}-{last}", mae_and_bias(g)[0], "pp", g.size,
                     "like for like only"))
        lv = window[~window["measure"].isin(RATE_MEASURES)]["percent_error"].to_numpy()
        rows.append((name, "MAPE", "all levels, shares and counts", f"{first}-{last}",
                     mae_and_bias(lv)[0], "%", lv.size, "like for like only"))
    return pd.DataFrame(rows, columns=METRIC_COLUMNS)


def verdicts(metrics: pd.DataFrame, candidate: str, rivals: Sequence[str],
             checks: Sequence[tuple[str, str, str]]) -> pd.DataFrame:
    """Does ``candidate`` beat each rival on each check?  Smaller absolute value wins; equal
    values up to rounding (relative 1e-9) are a tie, no win.

    ``checks`` are ``(metric, series, years)`` triples of :func:`summary_metrics` rows.
    Columns: ``metric, series, years, candidate, rival, candidate_value, rival_value,
    wins`` (``wins`` is NaN where either value is missing).
    """
    index = metrics.set_index(["scenario", "metric", "series", "years"])["value"]
    out = []
    for metric, series, years in checks:
        mine = index.get((candidate, metric, series, years), np.nan)
        for rival in rivals:
            theirs = index.get((rival, metric, series, years), np.nan)
            wins = bool(abs(mine) < abs(theirs) and not np.isclose(abs(mine), abs(theirs), rtol=1e-9, atol=1e-12)) \
                if np.isfinite(mine) and np.isfinite(theirs) else np.nan
            out.append((metric, series, years, candidate, rival, mine, theirs, wins))
    return pd.DataFrame(out, columns=["metric", "series", "years", "candidate", "rival", "candidate_value",
                                      "rival_value", "wins"])


# ---------------------------------------------------------------- the batch's verdicts
BASELINE = "baseline"
OLD_DESIGN = "baseline_constant_trend"
VERDICT_CHECKS = (("MAE", "growth.gdp", "2023-2025"), ("error", "share.finance", "2025"),
                  ("error", "share.ict", "2025"), ("MAE", "growth.gdp", "2021-2025"),
                  ("MAE", "all rates and changes", "2021-2025"), ("MAPE", "all levels, shares and counts", "2021-2025"))


def batch_verdicts(metrics: pd.DataFrame, rivals: Sequence[str]) -> pd.DataFrame:
    """:func:`verdicts` of :data:`BASELINE` against those of ``rivals`` present in ``metrics``
    on :data:`VERDICT_CHECKS`, with a ``note`` column carrying the metrics' notes (an
    approximate comparison says so).  Empty when the baseline did not run."""
    present = set(metrics["scenario"])
    rivals = [r for r in rivals if r in present]
    columns = ["metric", "series", "years", "candidate", "rival", "candidate_value", "rival_value", "wins", "note"]
    if BASELINE not in present or not rivals:
        return pd.DataFrame(columns=columns)
    out = verdicts(metrics, BASELINE, rivals, VERDICT_CHECKS)
    notes = metrics.drop_duplicates(["metric", "series", "years", "note"]).groupby(
        ["metric", "series", "years"])["note"].agg(lambda n: "; ".join(sorted({x for x in n if x})))
    out["note"] = [notes.get((r.metric, r.series, r.years), "") for r in out.itertuples()]
    return out[columns]


@dataclass(frozen=True)
class BatchBacktest:
    """What a batch's comparison writes of the backtest.

    ``metrics``: :func:`summary_metrics` of every scenario that ran and of the naive
    forecasts; ``verdicts``: :func:`batch_verdicts`; ``realized``: the realized series
    as IAMC rows (:func:`model.baseline.realized.realized_timeseries`); ``timeseries``: every
    scenario's IAMC rows and the realized rows in one table.
    """

    metrics: pd.DataFrame
    verdicts: pd.DataFrame
    realized: pd.DataFrame
    timeseries: pd.DataFrame


def with_derived_shares(realized_rows: pd.DataFrame, realized: pd.DataFrame) -> pd.DataFrame:
    """The realized IAMC rows plus the shares :func:`derive_shares` derives within one release,
    for every (scenario, variable, year) the rows lack, latest release first; scenario by
    census basis as in :mod:`model.baseline.realized`.  So the finance and ICT shares of 2025, which the
    statistics give only as levels beside GDP, appear beside the projections."""

    derived = derive_shares(realized)
    derived = derived[(derived["status"] == "derived") & (derived["period"] == "annual")
                      & (derived["definition"] == SAME_DEFINITION)]
    have = set(zip(realized_rows["scenario"], realized_rows["variable"], realized_rows["year"]))
    added = {}
    for _, row in derived.iterrows():
        name = variable(row["key"])
        scenario = SCENARIO_4TH if row["census_basis"] == MODEL_BASIS else SCENARIO_5TH
        ident = (scenario, name, int(row["year"]))
        if name is None or ident in have:
            continue
        if ident not in added or _release(row["vintage"]) > _release(added[ident]["vintage"]):
            added[ident] = row
    rows = [{"model": STATISTICS_MODEL, "scenario": s, "region": REGION, "variable": v, "unit": "%", "year": y,
             "value": float(r["value"])} for (s, v, y), r in sorted(added.items())]
    out = pd.concat([realized_rows, pd.DataFrame(rows, columns=realized_rows.columns)], ignore_index=True) \
        if rows else realized_rows
    return out.sort_values(["scenario", "variable", "year"], kind="stable").reset_index(drop=True)


def batch_backtest(compared: Mapping[str, pd.DataFrame], naive: pd.DataFrame, realized: pd.DataFrame,
                   realized_rows: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> BatchBacktest:
    """The batch's backtest from what the scenarios already computed.

    ``compared``: each scenario's :func:`compare` table; ``naive``: the naive forecasts'
    tidy table (:func:`model.analysis.naive.naive_forecasts`), compared here; ``realized``: the
    realized table given to :func:`compare`; ``realized_rows``: its IAMC rows;
    ``tables``: each scenario's tidy table.  The naive forecasts are set beside the
    scenarios in the metrics and the verdicts, not in ``timeseries``.
    """
    naive_names = list(dict.fromkeys(naive["scenario"]))
    frames = [compared[n] for n in sorted(compared)]
    frames += [compare(naive[naive["scenario"] == n], realized, n) for n in naive_names]
    metrics = summary_metrics(pd.concat(frames, ignore_index=True))
    judged = batch_verdicts(metrics, [OLD_DESIGN, *naive_names])
    series = pd.concat([tables[n] for n in sorted(tables)] + [realized_rows], ignore_index=True)
    return BatchBacktest(metrics, judged, realized_rows, series)

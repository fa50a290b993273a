"""The 2025 jump-off: a :class:`~model.baseline.calibration.Baseline` that starts from the realized economy.

A scenario with ``base: 2025`` projects from Beijing's published 2025 economy (fifth economic census
basis, current prices of 2025) instead of the 2020 calibration.  Three steps, each one function:

1. :func:`partition_2025`: 2025 value added by sector from ``realized.csv``, published where a 2025
   level exists (primary, finance, ICT services, and the secondary and tertiary totals), derived from a
   published H1 share (sci-tech services) or split by a labelled assumption (``assumptions_2025.csv``)
   where none does, exactly as :func:`~model.baseline.calibration.base_year_partition` does for 2020.
2. :func:`refit_trend`: the ``converging`` trend design of the 2020 baseline, the same functions
   (:func:`~model.baseline.calibration.solve_trend`, :func:`~model.baseline.calibration.fit_line`,
   :func:`~model.baseline.calibration.converging_trend`), fitted on the record up to 2025 and started
   from the 2025 levels.
3. :func:`build_rebased`: the Baseline.  The projection's level rows still start in 2020
   (:mod:`model.projection.years`); up to the base year every rate is 0, so the levels of those rows
   are the 2025 levels and the price index is 1 in 2025: real value added is at constant 2025 prices.
   The result table leaves the rows before the base year out (:func:`model.projection.results.timeseries`).

Kept from the 2020 baseline, because nothing newer on the model's definitions is published: the
high-tech (gao-jing-jian) and new-economy weights (the last published levels are the 2021 share of
high-tech, 30.1 %, and the H1 2021 new-economy share) and the revenue layer's parameters (its
2020 anchors, carried to 2025 by the sector levels' real growth through the elasticities).
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

import numpy as np

from .. import BASE_YEAR
from ..baseline.calibration import (TREND_FIRST_YEAR, TREND_LAST_YEAR, TREND_YEARS, Baseline, Partition,
                                    converging_trend, fit_line, solve_trend, trend_observations, _frozen)
from ..baseline.data import DATA_DIR, Figures, figures as default_figures, read_assumptions
from ..baseline.realized import RealizedTable, realized as default_realized
from ..baseline.sectors import INDEX, KEYS, N_SECTORS

BASE_2025 = 2025
ASSUMPTIONS_2025_FILE = DATA_DIR / "assumptions_2025.csv"
# The record the trend is re-fitted on: the 2015-2019 window of the 2020 baseline and the realized
# years after the pandemic.  2020-2022 are left out: 2020 as in the 2020 fit, 2021-2022 for the
# rebound, the 2022 lockdowns and the vaccine output boom and bust (high-tech manufacturing +110 %
# in 2021, the secondary sector -11.4 % in 2022), which are level swings, not trend.
RECORD_YEARS_2025 = (2023, 2024, 2025)
TREND_YEARS_2025 = tuple(TREND_YEARS) + RECORD_YEARS_2025
DEFLATOR_YEARS_2025 = range(2021, 2026)     # implied GDP deflators averaged for the trend deflator
ROUNDING = {"100 million CNY": 0.05}          # published levels are rounded to 0.1 (100 million CNY)


def _source(o) -> str:
    return f"{o.publisher}, {o.document}, {o.url} ({o.vintage}; {o.census_basis}-census basis)"


def _level(table: RealizedTable, key: str, period: str = "annual", year: int = BASE_2025):
    o = table.latest(key, year, period, basis="5th")
    if o is None:
        raise ValueError(f"realized.csv has no {period} {year} level of {key!r} on the 5th-census basis, "
                         "which the 2025 jump-off needs")
    return o


def published_levels_2025(table: RealizedTable | None = None) -> dict[str, object]:
    """The published 2025 levels the jump-off reproduces: sector key or group -> outcome."""
    table = default_realized() if table is None else table
    return {"gdp": _level(table, "va.gdp"), "agriculture": _level(table, "va.primary"),
            "secondary": _level(table, "va.secondary"), "tertiary": _level(table, "va.tertiary"),
            "finance": _level(table, "va.finance"), "ict": _level(table, "va.ict")}


def partition_2025(table: RealizedTable | None = None,
                   assume: Mapping[str, float] | None = None,
                   mining_share_pct: float = 16.0) -> tuple[np.ndarray, tuple[dict, ...]]:
    """2025 nominal value added by sector (100 million CNY, 5th-census basis) and how each was obtained.

    Published: agriculture (= primary), finance, ICT services.  Derived: sci-tech services = tertiary x
    its H1 2025 share of the tertiary sector; construction = secondary - industry; other services =
    tertiary - the four services.  Assumptions (``assumptions_2025.csv``): industry as a share of the
    secondary sector, high-tech manufacturing as a share of industry, wholesale & retail as a share of
    the tertiary sector; mining & utilities at ``mining_share_pct`` of industry (the 2020 assumption
    ``share.mining_utilities_in_industry``, kept).  The sectors sum to primary + secondary + tertiary,
    which is published GDP to the rounding of the release (0.1 here).
    """
    table = default_realized() if table is None else table
    assume = {k: a.value for k, a in read_assumptions(ASSUMPTIONS_2025_FILE).items()} if assume is None else assume
    pub = published_levels_2025(table)
    sci_h1, ter_h1 = _level(table, "va.scitech", "H1"), _level(table, "va.tertiary", "H1")
    y = BASE_2025
    secondary, tertiary = pub["secondary"].value, pub["tertiary"].value
    industry = secondary * assume["share.industry_in_secondary_2025"] / 100.0
    partition = Partition(y)
    put, va, rows = partition.put, partition.va, partition.rows

    for key in ("agriculture", "finance", "ict"):
        put(key, pub[key].value, "published", _source(pub[key]))
    htm_pct = assume["share.hightech_mfg_in_industry_2025"]
    put("mfg_hightech", industry * htm_pct / 100.0, "assumption",
        f"industry x {htm_pct} % (assumption share.hightech_mfg_in_industry_2025: the 2020 share kept)")
    put("mining_utilities", industry * mining_share_pct / 100.0, "assumption",
        f"industry x {mining_share_pct} % (assumption share.mining_utilities_in_industry, as in 2020)")
    put("mfg_other", industry * (1.0 - (htm_pct + mining_share_pct) / 100.0), "derived",
        "industry - mining & utilities - high-tech manufacturing")
    put("construction", secondary - industry, "derived",
        f"secondary {secondary} x (1 - {assume['share.industry_in_secondary_2025']} %) (assumption "
        f"share.industry_in_secondary_2025); {_source(pub['secondary'])}")
    sci = tertiary * sci_h1.value / ter_h1.value
    put("scitech", sci, "derived",
        f"tertiary {tertiary} x H1 share {sci_h1.value} / {ter_h1.value}; {_source(sci_h1)}")
    wr_pct = assume["share.wholesale_retail_in_tertiary_2025"]
    put("wholesale_retail", tertiary * wr_pct / 100.0, "assumption",
        f"tertiary {tertiary} x {wr_pct} % (assumption share.wholesale_retail_in_tertiary_2025)")
    known = sum(va[INDEX[k]] for k in ("finance", "ict", "scitech", "wholesale_retail"))
    put("other_services", tertiary - known, "derived",
        f"tertiary {tertiary} - finance - ICT - sci-tech - wholesale & retail; {_source(pub['tertiary'])}")
    if np.any(va <= 0):
        raise ValueError(f"non-positive 2025 value added: {dict(zip(KEYS, va))}")
    order = {k: i for i, k in enumerate(KEYS)}
    return va, tuple(sorted(rows, key=lambda r: order[r["sector"]]))


def record_rates(table: RealizedTable, years=RECORD_YEARS_2025) -> tuple:
    """The latest release of every published growth rate of ``years`` (each key, year and period once)."""
    idents = sorted({(o.key, o.year, o.period) for o in table if o.family == "growth" and o.year in years})
    return tuple(table.latest(k, yr, p) for k, yr, p in idents)


def implied_deflators_2025(fig: Figures, table: RealizedTable) -> dict[int, float]:
    r"""GDP deflator growth implied by levels of one census basis and the published real growth,
    :math:`\pi_y = (Y_y / Y_{y-1}) / (1 + r_y) - 1`, for 2021-2025 (2020's level from ``figures.csv``)."""
    out = {}
    for y in DEFLATOR_YEARS_2025:
        for basis in ("5th", "4th"):          # the newest basis that has both years
            level, prev = table.latest("va.gdp", y, basis=basis), table.latest("va.gdp", y - 1, basis=basis)
            if prev is None and basis == "4th" and y - 1 == BASE_YEAR:
                prev = fig.get("va.gdp", y - 1)
            if level is not None and prev is not None:
                break
        out[y] = level.value / prev.value / (1.0 + table.latest("growth.gdp", y).value / 100.0) - 1.0
    return out


def refit_trend(va_2025: np.ndarray, fig: Figures, table: RealizedTable, assume: Mapping[str, float]) -> dict:
    """The trend of the 2020 baseline's design, re-fitted on the record to 2025 and started in 2026.

    Sector trends: :func:`~model.baseline.calibration.solve_trend` on the 2015-2019 and 2023-2025
    observations, every group rate mapped to sectors with one composition, that of 2025 (two
    compositions, 2017 for the old rows and 2025 for the new, would let the fit explain the slower
    tertiary growth of 2023-2025 by the sector whose weight fell most, wholesale & retail, at 24 %/yr),
    the prior at the mean GDP growth of those years.  Aggregate line:
    :func:`~model.baseline.calibration.fit_line` on the published GDP growth of the same years.
    Paths: :func:`~model.baseline.calibration.converging_trend` from the
    2025 levels, differentials against the 2025 composition, for 2026 on.
    """
    w2025 = va_2025 / va_2025.sum()
    obs = (trend_observations(fig.select("growth."), TREND_YEARS, w2025)
           + trend_observations(record_rates(table), RECORD_YEARS_2025, w2025))
    gdp = [fig.get("growth.gdp", y) for y in TREND_YEARS] + [table.latest("growth.gdp", y) for y in RECORD_YEARS_2025]
    gdp_mean = float(np.mean([f.value for f in gdp])) / 100.0
    trend, trend_fit = solve_trend(obs, gdp_mean)
    aggregate, aggregate_fit = fit_line(gdp)
    years = np.arange(BASE_2025 + 1, TREND_LAST_YEAR + 1)
    _, converging = converging_trend(va_2025, trend, w2025, aggregate, assume["trend.half_life_years"],
                                     assume["trend.aggregate_floor"] / 100.0, years)
    return {"trend": trend, "weights": w2025, "aggregate": aggregate, "years": years, "converging": converging,
            "fit": trend_fit + aggregate_fit, "gdp_mean": gdp_mean}


def _pre_base(rates: np.ndarray, base: int) -> np.ndarray:
    """``rates`` ``(n, n_sectors)`` for the years after ``base``, preceded by zero rows for
    ``TREND_FIRST_YEAR..base``: the trend path layout of a Baseline."""
    return np.vstack([np.zeros((base - TREND_FIRST_YEAR + 1, N_SECTORS)), rates])


def build_rebased(base: int, calibrated: Baseline, fig: Figures | None = None,
                  table: RealizedTable | None = None, assume_2025: Mapping[str, float] | None = None) -> Baseline:
    """The Baseline of a later jump-off (only ``base`` 2025 exists), built on the 2020 ``calibrated``
    one for what it keeps (the cross-cutting weights and the assumption values); ``assume_2025``:
    the values of ``assumptions_2025.csv`` to split 2025 with (default: the file's central values)."""
    if base != BASE_2025:
        raise ValueError(f"no jump-off for base {base}: {BASE_YEAR} or {BASE_2025}")
    fig = default_figures() if fig is None else fig
    table = default_realized() if table is None else table
    assume = dict(calibrated.assumptions)
    va, provenance = partition_2025(table, assume_2025, mining_share_pct=assume["share.mining_utilities_in_industry"])
    t = refit_trend(va, fig, table, assume)
    deflators = implied_deflators_2025(fig, table)
    trend_deflator = float(np.mean(list(deflators.values())))
    paths = {"converging": _frozen(_pre_base(t["converging"], base)),
             "constant": _frozen(_pre_base(np.tile(t["trend"], (len(t["years"]), 1)), base))}
    agg = t["aggregate"]
    notes = (
        ("hightech_weights", "kept", "the 2020 high-tech (gao-jing-jian) weights: no level on that definition "
         "after the 2021 share (30.1 %) is published"),
        ("new_economy_weights", "kept", "the 2020 new-economy weights: no level after H1 2021 is published"),
        ("revenue_layer", "kept", "the revenue layer's 2020 anchors and elasticities (revenue_links.csv), "
         "carried to 2025 by the nominal growth of each series' link from the 2020 levels (4th-census basis) to "
         "the 2025 levels (5th-census basis): no 2025 level of a series is published"),
        ("trend_aggregate_intercept", agg["intercept"], "mean published GDP growth of "
         + ", ".join(map(str, TREND_YEARS_2025)) + f" (level of the aggregate trend line in {agg['centre']:.3f})"),
        ("trend_aggregate_slope", agg["slope"], "change of GDP growth per year, least squares on the same "
         f"years (standard error {agg['slope_se']:.4f})"),
        ("trend_deflator", trend_deflator, "mean GDP deflator growth implied for "
         + ", ".join(f"{y} ({100 * d:.2f} %)" for y, d in deflators.items())),
    )
    provenance = provenance + tuple(
        {"sector": name, "year": base, "value": value if isinstance(value, float) else np.nan,
         "unit": "fraction" if isinstance(value, float) else "", "status": "derived" if isinstance(value, float)
         else "kept", "derivation": how} for name, value, how in notes)
    return Baseline(
        va_2020=_frozen(va), hightech_weights=calibrated.hightech_weights,
        new_economy_weights=calibrated.new_economy_weights, trend_growth=_frozen(t["trend"]),
        trend_paths=MappingProxyType(paths), trend_deflator=trend_deflator,
        growth_2021=_frozen(np.zeros(N_SECTORS)), provenance=provenance, trend_fit=t["fit"], moments=(),
        assumptions=calibrated.assumptions, base_year=base, revenue_reference=calibrated.va_2020)

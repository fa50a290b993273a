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
3. :func:`cross_cutting_2025` and :func:`revenue_anchors_2025`: the high-tech and new-economy weights and
   the revenue layer re-anchored to their latest published levels where a usable one exists (the 2020
   weights and the 2020 anchors carried by link growth where none does).
4. :func:`build_rebased`: the Baseline.  The projection's level rows still start in 2020
   (:mod:`model.core.years`); up to the base year every rate is 0, so the levels of those rows
   are the 2025 levels and the price index is 1 in 2025: real value added is at constant 2025 prices.
   The result table leaves the rows before the base year out (:func:`model.projection.results.timeseries`).

Kept from the 2020 baseline: the revenue layer's elasticities and link weights, and what no newer
published figure replaces (see the two functions of step 3).
"""
from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Mapping

import numpy as np

from ..baseline.calibration import (
    TREND_FIRST_YEAR,
    TREND_LAST_YEAR,
    TREND_YEARS,
    Baseline,
    Partition,
    converging_trend,
    fit_line,
    frozen,
    hightech_weights,
    new_economy_fraction,
    new_economy_weights,
    solve_trend,
    trend_observations,
)
from ..baseline.data import DataError, Figures, assumptions_2025, revenue_links
from ..baseline.data import figures as default_figures
from ..core.files import REALIZED_FILE
from ..core.problems import Problem
from ..core.sectors import INDEX, KEYS, N_SECTORS, mask
from ..core.years import BASE_YEAR
from ..equations import prices
from ..equations.revenue import SERIES, RevenueAnchor, link_weights, reference_candidates, reference_index
from .precision import figure_range
from .realized import (
    BASES,
    PERIOD_END_MONTH,
    SAME,
    Outcome,
    RealizedTable,
    bounds_the_year,
    realized_key,
    recency,
    same_measure,
)
from .realized import realized_table as default_realized
from .record import PRICE_GROUPS, record_path
from .satellites import digital_economy_weights_2025, fit_rows, satellites_2025
from .vintage import census_bridges, implied_gdp_deflators

BASE_2025 = 2025
# The record the trend is re-fitted on: the 2015-2019 window of the 2020 baseline and the realized
# years after the pandemic.  2020-2022 are left out: 2020 as in the 2020 fit, 2021-2022 for the
# rebound, the 2022 lockdowns and the vaccine output boom and bust (high-tech manufacturing +110 %
# in 2021, the secondary sector -11.4 % in 2022), which are level swings, not trend.
RECORD_YEARS_2025 = (2023, 2024, 2025)
TREND_YEARS_2025 = tuple(TREND_YEARS) + RECORD_YEARS_2025
# The years whose implied GDP deflators (each within one release) give the 2026-2030 trend deflator: those
# after the price swings of the vaccine years 2021-2022, as for the growth trend (RECORD_YEARS_2025).
PRICE_YEARS_2025 = (2023, 2024, 2025)
ROUNDING = {"100 million CNY": 0.05}          # published levels are rounded to 0.1 (100 million CNY)


def _source(o) -> str:
    return f"{o.publisher}, {o.document}, {o.url} ({o.vintage}; {o.census_basis}-census basis)"


def _level(table: RealizedTable, key: str, period: str = "annual", year: int = BASE_2025):
    o = table.latest(key, year, period, basis="5th")
    if o is None:
        raise _data_error(None, f"no {period} {year} level of {key!r} on the 5th-census basis, which the 2025 "
                                "jump-off needs")
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
    assume = {k: a.value for k, a in assumptions_2025().items()} if assume is None else assume
    pub = published_levels_2025(table)
    sci_h1, ter_h1 = _level(table, "va.scitech", "H1"), _level(table, "va.tertiary", "H1")
    y = BASE_2025
    secondary, tertiary = pub["secondary"].value, pub["tertiary"].value
    industry = secondary * assume["share.industry_in_secondary_2025"] / 100.0
    partition = Partition(y)
    for key in ("agriculture", "finance", "ict"):
        partition.put(key, pub[key].value, "published", _source(pub[key]))
    htm_pct = assume["share.hightech_mfg_in_industry_2025"]
    partition.split_industry(industry, htm_pct, "assumption",
                             "assumption share.hightech_mfg_in_industry_2025: the 2020 share kept",
                             mining_share_pct, "assumption share.mining_utilities_in_industry, as in 2020")
    partition.put("construction", secondary - industry, "derived",
                  f"secondary {secondary} x (1 - {assume['share.industry_in_secondary_2025']} %) (assumption "
                  f"share.industry_in_secondary_2025); {_source(pub['secondary'])}")
    sci = tertiary * sci_h1.value / ter_h1.value
    partition.put("scitech", sci, "derived",
                  f"tertiary {tertiary} x H1 share {sci_h1.value} / {ter_h1.value}; {_source(sci_h1)}")
    wr_pct = assume["share.wholesale_retail_in_tertiary_2025"]
    partition.put("wholesale_retail", tertiary * wr_pct / 100.0, "assumption",
                  f"tertiary {tertiary} x {wr_pct} % (assumption share.wholesale_retail_in_tertiary_2025)")
    partition.other_services(tertiary, _source(pub["tertiary"]))
    return partition.finish()


def record_rates(table: RealizedTable, years=RECORD_YEARS_2025) -> tuple:
    """The latest release of every published growth rate of ``years`` (each key, year and period once)."""
    idents = sorted({(o.key, o.year, o.period) for o in table if o.family == "growth" and o.year in years})
    return tuple(table.latest(k, yr, p) for k, yr, p in idents)


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


# ---------------------------------------------------------------- the revenue layer and cross-cutting weights
# A realized row anchors a series when its definition is the series' own (``same``) or, as a floor, when it
# is a lower bound ("over X") of the same measure and scope (``LOWER_BOUND_SAME``, realized.py).
# A partial year's cumulative revenue stands for the year's level (annualized) only if it covers this many
# months: shorter ones are too seasonal to scale up, and only bound the year's level from below.
MIN_MONTHS_ANNUALIZED = 6
SECTOR_LEVEL_KEYS = {k: "va.primary" if k == "agriculture" else f"va.{k}" for k in KEYS}
FIRST_CROSS_CUTTING_YEAR = 2022     # 2021 has its own partition, the 2020 calibration's (see cross_cutting_2025)


def _newest(rows) -> Outcome | None:
    """The latest year's most recent release among ``rows`` (or None)."""
    return max(rows, key=lambda o: (o.year, *recency(o))) if rows else None


def _months(o: Outcome) -> int:
    return PERIOD_END_MONTH[o.period]


def revenue_evidence(table: RealizedTable, series: str,
                     year: int = BASE_2025) -> tuple[Outcome | None, tuple[Outcome, ...]]:
    """What the record says of revenue ``series`` up to ``year`` (4th- or 5th-census releases):
    ``(level, bounds)``.

    ``level``: the newest (year, then months covered) of the annual levels whose definition is ``same``
    and of the partial-year figures of the same measure covering at least :data:`MIN_MONTHS_ANNUALIZED`
    months (a level or a lower bound; :func:`level_value` annualizes them); None if there is none.
    ``bounds``: every figure that is a floor of its year's annual level: annual lower bounds of the same
    measure (:data:`LOWER_BOUND_SAME`) and every partial-year figure of the same measure (a cumulative
    revenue from January is at most the year's)."""
    rows = [o for o in table.select(realized_key(series), None) if o.year <= year and o.census_basis in BASES]
    levels = [o for o in rows if (o.period == "annual" and o.definition == SAME)
              or (o.period != "annual" and same_measure(o.definition) and _months(o) >= MIN_MONTHS_ANNUALIZED)]
    level = max(levels, key=lambda o: (o.year, _months(o), *recency(o)), default=None)
    bounds = tuple(o for o in rows if bounds_the_year(o))
    return level, bounds


def level_value(o: Outcome) -> float:
    """The annual level a figure stands for: an annual figure as it is, a partial year's cumulative
    revenue times 12 / months covered (months weighted equally, as the 2020 software base level)."""
    return o.value if o.period == "annual" else o.value * 12.0 / _months(o)


def anchored_series(table: RealizedTable | None = None) -> tuple[str, ...]:
    """The revenue series whose 2025 level rests on a published level (:func:`revenue_evidence`) rather
    than on the 2020 anchor: in a 2025-base scenario their ``base_2020`` has no effect."""
    table = default_realized() if table is None else table
    return tuple(s.key for s in SERIES if revenue_evidence(table, s.key)[0] is not None)


def nominal_gdp_factor(fig: Figures, table: RealizedTable, year: int) -> float:
    r"""Nominal GDP growth of the record from ``year`` to 2025 on the 5th-census basis: the ratio of the
    two years' latest 5th-census levels where both are published; else
    :math:`F = \prod_{y=year+1}^{2025} (1 + r_y)(1 + \pi_y)`, published real growth :math:`r_y` and
    the implied deflator :math:`\pi_y` (:func:`model.baseline.vintage.implied_gdp_deflators`, levels and
    rate of one release): rates compare like with like across the census revision, so :math:`F` carries
    no level break either way."""
    end, start = table.latest("va.gdp", BASE_2025, basis="5th"), table.latest("va.gdp", year, basis="5th")
    if end is not None and start is not None:
        return end.value / start.value
    deflators = implied_gdp_deflators(fig, table, range(year + 1, BASE_2025 + 1))
    factor = 1.0
    for y in range(year + 1, BASE_2025 + 1):
        factor *= (1.0 + table.latest("growth.gdp", y).value / 100.0) * (1.0 + deflators[y][0])
    return factor


def sector_levels_in(year: int, va_2025: np.ndarray, fig: Figures, table: RealizedTable) -> tuple[np.ndarray, str]:
    """``(n_sectors,)`` sector levels of ``year`` on the 2025 basis (100 million CNY) for a link, and how:
    a sector's published 5th-census level of that year where ``realized.csv`` has one, else its 2025
    level deflated by the nominal GDP growth of the record (:func:`nominal_gdp_factor`)."""
    if year == BASE_2025:
        return np.array(va_2025, dtype=float), "the 2025 levels"
    factor = nominal_gdp_factor(fig, table, year)
    out = np.asarray(va_2025, dtype=float) / factor
    published = []
    for k, key in SECTOR_LEVEL_KEYS.items():
        o = table.latest(key, year, basis="5th")
        if o is not None:
            out[INDEX[k]] = o.value
            published.append(k)
    how = f"2025 levels / {factor:.4f}, the nominal GDP growth {year}-2025 of the record (real growth x implied " \
          "deflators)" + (f"; published {year} levels (5th-census basis) of {', '.join(published)}"
                          if published else "")
    return out, how


def revenue_anchors_2025(va_2025: np.ndarray, va_2020: np.ndarray, fig: Figures, table: RealizedTable,
                         params: Mapping[str, float] | None = None) -> tuple[dict, tuple[dict, ...]]:
    """The anchor of each revenue series with a usable published level, and one provenance row per
    series: its 2025 level at the central link parameters (``params``, default ``revenue_links.csv``).
    ``va_2020``: the 2020 sector levels on the basis of ``va_2025`` (the 5th census), so that a link
    carried from 2020 grows with value added, not with its restatement.

    Status ``published``: a 2025 level on the series' definition, reproduced exactly.  ``derived``: a level of
    an earlier year carried to 2025 by the link's growth, :math:`R_{2025} = A (L_{2025}/L_Y)^{\varepsilon}`
    (the link's sector levels of year :math:`Y` from :func:`sector_levels_in`), or a lower bound above the
    carried level.  ``carried``: no usable level (or a lower bound below the carried level):
    :math:`R_{2025} = R_{2020} (L_{2025}/L_{2020})^{\varepsilon}` as before.
    """
    params = {k: float(r.value) for k, r in revenue_links().items()} if params is None else params
    anchors, rows, levels_in = {}, [], {}

    def levels_of(y: int) -> tuple[np.ndarray, str]:     # each year's link levels once, for every series
        if y not in levels_in:
            va_year, how = sector_levels_in(y, va_2025, fig, table)
            levels_in[y] = frozen(va_year), how
        return levels_in[y]

    for s in SERIES:
        w, eps, base = link_weights(params, s.key), params[f"{s.key}.elasticity"], params[f"{s.key}.base_2020"]
        link_2025 = float(va_2025 @ w)
        carried = base * (link_2025 / float(va_2020 @ w)) ** eps
        key = realized_key(s.key)
        level, bounds = revenue_evidence(table, s.key)
        carried_how = (f"{base:g} (2020, {s.key}.base_2020) x (L_2025 / L_2020)^{eps:g}, the link from the 2020 levels "
                       "restated on the 5th-census basis (model.baseline.vintage) to the 2025 levels: the census "
                       "revision of value added is not booked as revenue growth")
        if level is None and not bounds:
            other = [f"{r.year} ({r.value:g}): {r.definition}" for r in table.select(key, "annual")]
            how = (f"carried: {carried_how}; no published level on the series' definition in realized.csv"
                   + (f" (not anchored, another measure or scope: {key} " + "; ".join(other) + ")" if other else ""))
            rows.append(_revenue_row(s.key, carried, "carried", how))
            continue

        def anchor_of(o: Outcome, value: float, floor: bool) -> RevenueAnchor:
            low, high = (x * value / o.value for x in figure_range(o.value, o.definition))   # annualized alike
            return RevenueAnchor(value=value, year=o.year, va_year=levels_of(o.year)[0], floor=floor, low=low,
                                 high=high)

        floors = tuple(anchor_of(o, o.value, True) for o in bounds)
        anchor = (replace(anchor_of(level, level_value(level), False), floors=floors) if level is not None
                  else replace(floors[0], floors=floors[1:]))
        anchors[s.key] = anchor
        candidates = reference_candidates(base, va_2020, anchor)    # in the order of (level, *bounds)
        i = reference_index(candidates, va_2025, w, eps)
        chosen, (ref_value, va_ref) = ((level,) + bounds)[i], candidates[i]    # chosen None: carried from 2020
        value = ref_value * (link_2025 / float(va_ref @ w)) ** eps
        evidence = "; ".join(_evidence(o, link_2025, w, eps, levels_of(o.year)) for o in (level,) + bounds
                             if o is not None)
        if chosen is None:                      # the carried level is above every bound
            rows.append(_revenue_row(s.key, value, "carried", f"carried: {carried_how}, above every published "
                                     f"bound ({evidence})"))
        elif chosen is level:
            status = "published" if level.year == BASE_2025 and level.period == "annual" else "derived"
            rows.append(_revenue_row(s.key, value, status, f"anchored: {evidence}"))
        else:
            otherwise = f"the {carried:.1f} carried from the 2020 anchor" if level is None else \
                f"the {level_value(level) * (link_2025 / float(anchor.va_year @ w)) ** eps:.1f} of the {level.year} " \
                "level"
            rows.append(_revenue_row(s.key, value, "derived", f"lower bound {chosen.key} {chosen.year} "
                                     f"{chosen.period} ({chosen.value:g}) binds, above {otherwise}; {evidence}"))
    return anchors, tuple(rows)


def _evidence(o: Outcome, link_2025: float, w: np.ndarray, eps: float, levels: tuple[np.ndarray, str]) -> str:
    """One published figure of a revenue series and what it gives in 2025, in words, with its source
    (``levels``: the link's sector levels of its year and how they were obtained, :func:`sector_levels_in`)."""
    what = f"{o.key} {o.year} {o.period} = {o.value:g}"
    if o.period != "annual":
        what += f" (annualized x 12/{_months(o)} = {level_value(o):.1f} where it is the level)"
    if o.year != BASE_2025:
        va_year, how = levels
        what += f", x (L_2025 / L_{o.year})^{eps:g} = x {(link_2025 / float(va_year @ w)) ** eps:.4f} ({how})"
    return f"{what} [{o.definition}]; {_source(o)}"


def _revenue_row(series: str, value: float, status: str, how: str) -> dict:
    return {"sector": f"revenue.{series}", "year": BASE_2025, "value": value, "unit": "100 million CNY",
            "status": status, "derivation": how}


def _cross_cutting_level(table: RealizedTable, name: str, gdp_2025: float) -> tuple[float, Outcome] | None:
    """The 2025 level implied by the latest annual share or level of ``name`` (``hightech`` or
    ``new_economy``) published for a year from :data:`FIRST_CROSS_CUTTING_YEAR` to 2025 on the series'
    definition: a 2025 level on the 5th-census basis as it is, any other as its share of GDP
    (its year's GDP on its basis) applied to 2025 GDP."""
    rows = [o for key in (f"share.{name}", f"va.{name}") for o in table.select(key, "annual")
            if FIRST_CROSS_CUTTING_YEAR <= o.year <= BASE_2025 and o.definition == SAME]
    o = _newest(rows)
    if o is None:
        return None
    if o.family == "share":
        return o.value / 100.0 * gdp_2025, o
    if o.year == BASE_2025 and o.census_basis == "5th":
        return o.value, o
    gdp = table.latest("va.gdp", o.year, basis=o.census_basis)
    if gdp is None:
        raise _data_error(o, f"{o.key} {o.year} needs that year's GDP on the {o.census_basis}-census basis "
                             "to become a share")
    return o.value / gdp.value * gdp_2025, o


def _data_error(o: Outcome | None, message: str) -> DataError:
    """A problem of ``realized.csv`` that stops the jump-off, at the line of ``o`` (None: the file)."""
    return DataError([Problem(REALIZED_FILE.name, None if o is None else o.line, "", message)])


def _located(o: Outcome, solve, *args, partition: str = "2025"):
    """``solve(*args)``; a fraction outside [0, 1] is reported at the realized row it was solved for."""
    try:
        return solve(*args)
    except ValueError as err:
        raise _data_error(o, f"{o.key} {o.year} = {o.value:g} cannot be reproduced on the {partition} partition: "
                             f"{err}") from None


def cross_cutting_2025(va_2025: np.ndarray, calibrated: Baseline, table: RealizedTable,
                       assume: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray, tuple[dict, ...]]:
    r"""High-tech and new-economy weights ``(n_sectors,)`` on the 2025 partition, and their provenance rows.

    A share or level of high-tech (new economy) published for 2022-2025 re-solves the free fraction
    (:func:`~model.baseline.calibration.hightech_weights`, :func:`~model.baseline.calibration.new_economy_fraction`)
    so that the 2025 partition reproduces it: exactly for a 2025 level, as a share of GDP for an
    earlier year (the latest share applied to the 2025 structure).  Without one, the latest published
    share, that of 2021, re-solves the fraction on the partition of its own year, the 2021 levels of the
    2020 calibration (:func:`partition_2021`: 2021 was the vaccine-output year, high-tech manufacturing
    +110 %, so a 2021 share belongs to the 2021 structure, not to 2025's).  New economy without a figure
    after 2021 keeps the 2021 share the calibration targeted (the 2020 annual share moved by its H1 2021
    change, the latest published), re-solved on the 2021 partition over the re-solved high-tech weights;
    with the 2020 weights (no 2021 share) it keeps the 2020 fraction :math:`\phi`.
    """
    gdp = float(va_2025.sum())
    w, w_ne = calibrated.hightech_weights, calibrated.new_economy_weights
    rest = ~mask("agriculture")
    free = int(np.flatnonzero(rest & (w < 1.0))[0])          # a sector not wholly high-tech shows phi
    phi_2020 = float((w_ne[free] - w[free]) / (1.0 - w[free]))
    services = int(np.flatnonzero(mask("ict"))[0])
    rows = []
    ht = _cross_cutting_level(table, "hightech", gdp)
    old = _newest([o for o in table.select("share.hightech", "annual")
                   if o.definition == SAME and o.year == BASE_YEAR + 1])
    va_2021 = partition_2021(calibrated)
    if ht is None and old is not None:
        kept_2021, kept_2025 = (100.0 * float(w @ v) / float(v.sum()) for v in (va_2021, va_2025))
        w, f = _located(old, hightech_weights, va_2021, old.value / 100.0 * float(va_2021.sum()), assume,
                        partition="2021")
        rows.append({"sector": "hightech_services_fraction", "year": BASE_2025, "value": f, "unit": "fraction",
                     "status": "derived", "derivation": "share of ICT and sci-tech services counted as high-tech, "
                     f"solved on the 2021 partition of the 2020 calibration to reproduce the {old.year} share "
                     f"{old.value:g} % (the latest published; none on that definition for "
                     f"{FIRST_CROSS_CUTTING_YEAR}-2025); it gives {100.0 * float(w @ va_2025) / gdp:.2f} % on the "
                     f"2025 partition (the 2020 weights, services fraction "
                     f"{calibrated.hightech_weights[services]:.4f}: {kept_2021:.2f} % in 2021, {kept_2025:.2f} % in "
                     f"2025); {old.key} {old.year}; {_source(old)}"})
    elif ht is None:
        rows.append({"sector": "hightech_weights", "year": BASE_2025, "value": float(w[services]), "unit": "fraction",
                     "status": "kept", "derivation": "the 2020 high-tech (gao-jing-jian) weights (services fraction "
                     f"shown): no share or level on that definition published after {BASE_YEAR}"})
    else:
        level, o = ht
        w, f = _located(o, hightech_weights, va_2025, level, assume)
        how = "the 2025 level" if o.family == "va" and o.year == BASE_2025 else \
            f"the {o.year} share {100.0 * level / gdp:.2f} % x 2025 GDP = {level:.1f}"
        rows.append({"sector": "hightech_services_fraction", "year": BASE_2025, "value": f, "unit": "fraction",
                     "status": "derived", "derivation": f"share of ICT and sci-tech services counted as high-tech, "
                     f"solved on the 2025 partition to reproduce {how}; {o.key} {o.year} = {o.value:g}; {_source(o)}"})
    ne = _cross_cutting_level(table, "new_economy", gdp)
    if ne is None and ht is None and old is not None:
        moment = next(m for m in calibrated.moments if m["moment"] == "share.new_economy")
        level_2021 = moment["target"] / 100.0 * float(va_2021.sum())
        phi = new_economy_fraction(va_2021, w, float(w @ va_2021), level_2021)
        w_ne = new_economy_weights(w, phi)
        rows.append({"sector": "new_economy_fraction", "year": BASE_2025, "value": phi, "unit": "fraction",
                     "status": "derived", "derivation": "fraction of non-high-tech, non-agricultural activities "
                     f"counted as new economy, solved on the 2021 partition over the re-solved high-tech weights to "
                     f"keep the 2021 share the calibration targeted, {moment['target']:.2f} % ({moment['derivation']}; "
                     f"{moment['source']}); 2020 fraction {phi_2020:.4f}"})
    elif ne is None:
        if ht is not None:
            w_ne = new_economy_weights(w, phi_2020)
        rows.append({"sector": "new_economy_fraction", "year": BASE_2025, "value": phi_2020, "unit": "fraction",
                     "status": "kept", "derivation": "the 2020 new-economy fraction of non-high-tech, non-agricultural "
                     f"activities (on the {'re-solved' if ht is not None else '2020'} high-tech weights): no annual "
                     f"share or level published for {FIRST_CROSS_CUTTING_YEAR}-2025"})
    else:
        level, o = ne
        hightech = float(w @ va_2025)
        phi = _located(o, new_economy_fraction, va_2025, w, hightech, level)
        w_ne = new_economy_weights(w, phi)
        rows.append({"sector": "new_economy_fraction", "year": BASE_2025, "value": phi, "unit": "fraction",
                     "status": "derived", "derivation": f"solved on the 2025 partition to reproduce {level:.1f} "
                     f"({o.key} {o.year} = {o.value:g}); {_source(o)}"})
    return frozen(w), frozen(w_ne), tuple(rows)


def price_drifts_2025(va_2025: np.ndarray, calibrated: Baseline, va_2020_5th: np.ndarray,
                      table: RealizedTable) -> tuple[np.ndarray, tuple[dict, ...]]:
    """The relative price drifts ``(n_sectors,)`` the 2030 outlook starts from, and their provenance rows: each
    group's relative drift of 2020-2025 on the 5th-census basis (:func:`model.baseline.record.record_path`, the
    record's relative price trends), the other services' re-balanced at the 2025 levels so that the GDP deflator
    keeps its trend.  They fade from 2026 with the half-life ``price.half_life_years``, as from 2021."""
    path = record_path(calibrated, va_2020_5th, table)
    drifts = np.zeros(N_SECTORS)
    for group, keys in PRICE_GROUPS.items():
        for k in keys:
            drifts[INDEX[k]] = path.drifts[group]
    free = np.isin(np.array(KEYS), PRICE_GROUPS["other services"])
    drifts = prices.balanced(drifts, va_2025, free)
    rows = tuple({"sector": f"price_drift.{group.replace(' ', '_')}", "year": BASE_2025,
                  "value": float(drifts[INDEX[keys[0]]]), "unit": "fraction per year", "status": "derived",
                  "derivation": (f"the record's relative price drift of 2020-2025 on the 5th-census basis "
                                 f"({100 * path.drifts[group]:+.2f} %/yr against the GDP deflator; "
                                 "model.baseline.record)" if group != "other services" else
                                 "balancing at the 2025 levels: the value-added weighted drifts sum to zero (the "
                                 f"record's own {100 * path.drifts[group]:+.2f} %/yr)")
                                + "; fading from 2026 with price.half_life_years"}
                 for group, keys in PRICE_GROUPS.items())
    return drifts, rows


def partition_2021(calibrated: Baseline) -> np.ndarray:
    """``(n_sectors,)`` the 2021 sector levels of the 2020 calibration, ``V_2020 (1 + g_2021)``: real, so
    shares of it are the calibration's 2021 shares (one deflator for every sector in 2021, as in
    :func:`~model.baseline.calibration.moment_values`)."""
    return np.asarray(calibrated.va_2020, dtype=float) * (1.0 + np.asarray(calibrated.growth_2021, dtype=float))


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
    deflators = implied_gdp_deflators(fig, table, PRICE_YEARS_2025)
    trend_deflator = float(np.mean([d for d, _ in deflators.values()]))
    bridges = census_bridges(calibrated.va_2020, fig, table)
    va_2020_5th = bridges.apply(calibrated.va_2020)     # the revenue links' 2020 levels, on the basis of 2025
    drifts, price_rows = price_drifts_2025(va, calibrated, va_2020_5th, table)
    paths = {"converging": frozen(_pre_base(t["converging"], base)),
             "constant": frozen(_pre_base(np.tile(t["trend"], (len(t["years"]), 1)), base))}
    agg = t["aggregate"]
    w_ht, w_ne, weight_rows = cross_cutting_2025(va, calibrated, table, assume)
    anchors, revenue_rows = revenue_anchors_2025(va, va_2020_5th, fig, table)
    sats, satellite_rows = satellites_2025(va, table)                   # model/baseline/satellites.py
    w_de, digital_row = digital_economy_weights_2025(va, table)
    notes = (
        ("trend_aggregate_intercept", agg["intercept"], "mean published GDP growth of "
         + ", ".join(map(str, TREND_YEARS_2025)) + f" (level of the aggregate trend line in {agg['centre']:.3f})"),
        ("trend_aggregate_slope", agg["slope"], "change of GDP growth per year, least squares on the same "
         f"years (standard error {agg['slope_se']:.4f})"),
        ("trend_deflator", trend_deflator, "mean GDP deflator growth implied for "
         + ", ".join(f"{y} ({100 * d:.2f} %)" for y, (d, _) in deflators.items())
         + ", the years after the vaccine years' price swings, each from one release: "
         + "; ".join(how for _, how in deflators.values())),
    )
    provenance = provenance + bridges.rows + price_rows + weight_rows + (digital_row,) + revenue_rows \
        + satellite_rows + tuple(
        {"sector": name, "year": base, "value": value, "unit": "fraction", "status": "derived", "derivation": how}
        for name, value, how in notes)
    return Baseline(
        va_2020=frozen(va), hightech_weights=w_ht, new_economy_weights=w_ne, trend_growth=frozen(t["trend"]),
        trend_paths=MappingProxyType(paths), trend_deflator=trend_deflator,
        growth_2021=frozen(np.zeros(N_SECTORS)), provenance=provenance, trend_fit=t["fit"], moments=(),
        assumptions=calibrated.assumptions, base_year=base, revenue_reference=frozen(va_2020_5th), census="5th",
        price_drifts=frozen(drifts), price_half_life=float(assume["price.half_life_years"]),
        revenue_anchors=MappingProxyType(anchors), digital_economy_weights=w_de,
        satellites=MappingProxyType(sats), satellite_fit=fit_rows(),
        revenue_reference_range=(frozen(bridges.apply(calibrated.va_2020, bridges.low)),
                                 frozen(bridges.apply(calibrated.va_2020, bridges.high))))

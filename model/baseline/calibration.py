"""From sourced figures to a calibrated :class:`Baseline`.

Four steps, each one function:

1. :func:`base_year_partition`: 2020 value added by sector, summing to GDP exactly.
2. :func:`cross_cutting_weights`: high-tech and new economy as fractions of sectors,
   reproducing their published 2020 levels exactly.
3. :func:`fit_trend_growth`: trend real growth per sector from the 2015-2019 record
   (bounded weighted least squares, ``scipy.optimize.lsq_linear``);
   :func:`fit_aggregate_trend` and :func:`converging_trend`: the default trend path,
   sector differentials converging on the 2015-2019 GDP slowdown continued.
4. :func:`calibrate_2021`: 2021 growth per sector closest to trend that reproduces
   the mid-2021 facts (``scipy.optimize.least_squares``).

Every derived number keeps a note of how it was derived; every assumption comes
from ``assumptions.csv`` and can be overridden by a scenario.
:func:`model.baseline.baselines.baseline_for` is the one cache of baselines, one per set of assumption values.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

import numpy as np

from ..baseline.data import Assumption, DataError, Figures
from ..baseline.data import assumptions as default_assumptions
from ..baseline.data import figures as default_figures
from ..core import cache
from ..core.files import FIGURES_FILE
from ..core.parameters import BY_NAME
from ..core.problems import Problem
from ..core.sectors import GROUPS, INDEX, KEYS, N_SECTORS, mask
from ..core.years import BASE_YEAR, CALIBRATION_YEAR
from ..equations import growth, prices
from ..equations.revenue import RevenueAnchor
from ..equations.satellite import Satellite

TREND_YEARS = range(2015, 2020)     # 2020 (COVID) is left out of the trend
PRIOR_SD_PP = 5.0                   # trend fit: weak prior pulling every sector to GDP trend
OBS_SD_PP = {"annual": 1.0, "H1": 2.0, "Q1-Q3": 2.0}   # sector growth observations
AGGREGATE_SD_PP = 0.5               # GDP, secondary, tertiary growth: exact aggregates
CAL_PRIOR_SD_PP = 0.5               # 2021: distance from trend, in pp of GDP
GROWTH_BOUNDS = (-0.5, 3.0)         # admissible real growth, fraction per year
TREND_FIRST_YEAR = CALIBRATION_YEAR  # first row of every trend path (2021)
TREND_LAST_YEAR = int(BY_NAME["horizon"].high)   # paths are built once, to the latest allowed horizon
TREND_DESIGNS = BY_NAME["trend"].choices          # the scenario key `trend`; the first is the default


@dataclass(frozen=True)
class Baseline:
    """Calibrated starting point of every scenario.  Arrays are read-only.

    Attributes
    ----------
    va_2020 : ``(n_sectors,)`` nominal value added in 2020, 100 million CNY.
    hightech_weights, new_economy_weights : ``(n_sectors,)`` fractions in [0, 1].
    trend_growth : ``(n_sectors,)`` sector rates fitted on 2015-2019, fraction per year
        (the prior of the 2021 calibration, and the `constant` trend design).
    trend_paths : design name (:data:`TREND_DESIGNS`) -> ``(n_trend_years, n_sectors)``
        trend real growth for the years ``TREND_FIRST_YEAR..TREND_LAST_YEAR``.
    trend_deflator : trend GDP deflator growth, fraction per year.
    price_drifts : ``(n_sectors,)`` each sector's deflator growth relative to the GDP deflator in the first
        projected year, fraction per year (:mod:`model.equations.prices`); balanced, so the GDP deflator
        stays on its trend.
    price_half_life : the years in which a relative price drift halves.
    growth_2021 : ``(n_sectors,)`` calibrated 2021 real growth, fraction.
    provenance : rows describing how each base-year number was obtained.
    trend_fit, moments : rows reporting the two fits.
    assumptions : the assumption values used.
    base_year : the jump-off year; ``va_2020`` then holds the levels the projection compounds from
        (for a later base, its own levels, held flat up to it: :mod:`model.baseline.rebase`).
    """

    va_2020: np.ndarray
    hightech_weights: np.ndarray
    new_economy_weights: np.ndarray
    trend_growth: np.ndarray
    trend_paths: Mapping[str, np.ndarray]
    trend_deflator: float
    growth_2021: np.ndarray
    provenance: tuple[dict, ...]
    trend_fit: tuple[dict, ...]
    moments: tuple[dict, ...]
    assumptions: Mapping[str, float] = field(default_factory=dict)
    base_year: int = BASE_YEAR
    revenue_reference: np.ndarray | None = None   # later base: the 2020 levels the revenue anchors refer to
    revenue_anchors: Mapping[str, RevenueAnchor] = field(default_factory=dict)   # later base: published levels
    price_drifts: np.ndarray = field(default_factory=lambda: frozen(np.zeros(N_SECTORS)))
    price_half_life: float = float("inf")
    census: str = "4th"           # the census basis of the levels: the 2020 base's 4th, or the 5th (bridged, 2025)
    # later base: (low, high) of revenue_reference, (n_sectors,) each, from the census bridges' ranges
    revenue_reference_range: tuple[np.ndarray, np.ndarray] | None = None
    # later base only (model/baseline/satellites.py): the digital economy's weights, the satellite series and
    # the rows of their fits
    digital_economy_weights: np.ndarray | None = None
    satellites: Mapping[str, Satellite] = field(default_factory=dict)
    satellite_fit: tuple[dict, ...] = ()


def frozen(a) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.setflags(write=False)
    return a


def _source(f) -> str:
    return f"{f.publisher}, {f.document}, {f.url} ({f.vintage})"


class AssumptionsError(ValueError):
    """The calibration cannot honour the assumption values it was given (a partition with a
    non-positive sector, a cross-cutting fraction outside [0, 1], an assumption that has no effect
    from the base year): a problem of the scenario's ``assumptions:``, not of the data."""


# ---------------------------------------------------------------- 1. partition

class Partition:
    """A base year's sector levels being built: ``va`` (n_sectors,), 100 million CNY, and the
    provenance row of each level (``rows``: sector, year, value, unit, status, derivation).

    The one implementation of a base year's partition of GDP: the 2020 calibration
    (:func:`base_year_partition`) and the 2025 jump-off (:func:`model.baseline.rebase.partition_2025`)
    give the published and assumed pieces; the identities (industry split into its three sectors,
    construction and other services as residuals) and the checks are here."""

    def __init__(self, year: int):
        self.year = year
        self.va = np.zeros(N_SECTORS)
        self.rows: list[dict] = []

    def put(self, key: str, value: float, status: str, how: str) -> None:
        self.va[INDEX[key]] = value
        self.rows.append({"sector": key, "year": self.year, "value": value, "unit": "100 million CNY",
                          "status": status, "derivation": how})

    def split_industry(self, industry: float, hightech_pct: float, hightech_status: str, hightech_how: str,
                       mining_pct: float, mining_how: str) -> None:
        """Industry into high-tech manufacturing (``hightech_pct`` % of it), mining and utilities
        (``mining_pct`` %, an assumption) and other manufacturing (the rest)."""
        htm, mu = industry * hightech_pct / 100.0, industry * (mining_pct / 100.0)
        self.put("mfg_hightech", htm, hightech_status, f"industry x {hightech_pct} % ({hightech_how})")
        self.put("mining_utilities", mu, "assumption", f"industry x {mining_pct} % ({mining_how})")
        self.put("mfg_other", industry - mu - htm, "derived", "industry - mining & utilities - high-tech manufacturing")

    def other_services(self, tertiary: float, source: str) -> None:
        """Other services: the tertiary sector less the four services already put."""
        known = sum(self.va[INDEX[k]] for k in ("finance", "ict", "scitech", "wholesale_retail"))
        self.put("other_services", tertiary - known, "derived",
                 f"tertiary {tertiary} - finance - ICT - sci-tech - wholesale & retail; {source}")

    def finish(self) -> tuple[np.ndarray, tuple[dict, ...]]:
        """The levels and their provenance rows in sector order; every level must be positive."""
        if np.any(self.va <= 0):
            raise AssumptionsError(f"non-positive {self.year} value added: {dict(zip(KEYS, self.va))}")
        order = {k: i for i, k in enumerate(KEYS)}
        return self.va, tuple(sorted(self.rows, key=lambda r: order[r["sector"]]))


def base_year_partition(fig: Figures, assume: Mapping[str, float]) -> tuple[np.ndarray, tuple[dict, ...]]:
    """2020 nominal value added by sector (100 million CNY) and how each was obtained.

    Published: agriculture (= primary), finance, ICT, sci-tech, wholesale & retail.
    Derived: other services = tertiary - the four published services;
    construction = secondary - industry; mining & utilities = industry x share;
    high-tech manufacturing = industry x 27.7 %; other manufacturing = the rest.
    Industry and the mining & utilities share are assumptions (``assumptions.csv``).
    The sectors sum to published GDP up to floating-point rounding because
    primary + secondary + tertiary = GDP in the release.
    """
    y = BASE_YEAR
    published = {k: fig.get(f"va.{k}", y) for k in ("finance", "ict", "scitech", "wholesale_retail")}
    primary, secondary, tertiary = (fig.get(f"va.{k}", y) for k in ("primary", "secondary", "tertiary"))
    industry = assume["va.industry_2020"]
    if not industry < secondary.value:
        raise AssumptionsError(f"industry {industry} must be below the secondary sector {secondary.value}")
    htm_share = fig.get("share.hightech_mfg_in_industry", y)

    partition = Partition(y)
    partition.put("agriculture", primary.value, "published", f"primary sector; {_source(primary)}")
    partition.split_industry(industry, htm_share.value, "derived",
                             f"high-tech share of industry; {_source(htm_share)}",
                             assume["share.mining_utilities_in_industry"],
                             "assumption share.mining_utilities_in_industry")
    partition.put("construction", secondary.value - industry, "derived",
                  f"secondary {secondary.value} - industry {industry} (assumption va.industry_2020); "
                  f"{_source(secondary)}")
    for k, f in published.items():
        partition.put(k, f.value, "published", _source(f))
    partition.other_services(tertiary.value, _source(tertiary))
    return partition.finish()


# ---------------------------------------------------------------- 2. cross-cutting aggregates
def cross_cutting_weights(va: np.ndarray, fig: Figures,
                          assume: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray, dict]:
    r"""Weights defining high-tech and new economy as fractions of the sectors, reproducing the
    published 2020 levels of both (9,885.8 and 13,654): :func:`hightech_weights` and
    :func:`new_economy_fraction` on ``va``, :func:`new_economy_weights` from them."""
    y = BASE_YEAR
    hightech = fig.value("va.hightech", y)
    w, f = hightech_weights(va, hightech, assume)
    phi = new_economy_fraction(va, w, hightech, fig.value("va.new_economy", y))
    return w, new_economy_weights(w, phi), {"hightech_services_fraction": f, "new_economy_fraction": phi}


def hightech_weights(va: np.ndarray, hightech: float, assume: Mapping[str, float]) -> tuple[np.ndarray, float]:
    r"""High-tech (gao-jing-jian) as fractions ``(n_sectors,)`` of the sectors ``va`` ``(n_sectors,)``.

    High-tech manufacturing at :math:`w_h` and other manufacturing at :math:`w_o` (assumptions),
    ICT and sci-tech services at a common :math:`f` solved so that :math:`\sum_i w_i V_i` equals
    the level ``hightech`` :math:`H` (100 million CNY):

    .. math:: f = \frac{H - w_h V_{htm} - w_o V_{mo}}{V_{ict} + V_{sci}}

    Returns the weights and :math:`f`.
    """
    w = np.zeros(N_SECTORS)
    w[INDEX["mfg_hightech"]] = assume["hightech_weight.mfg_hightech"] / 100.0
    w[INDEX["mfg_other"]] = assume["hightech_weight.mfg_other"] / 100.0
    services = mask("ict") | mask("scitech")
    f = (hightech - w @ va) / va[services].sum()
    if not 0.0 <= f <= 1.0:
        raise AssumptionsError(f"high-tech services fraction {f:.3f} outside [0, 1]: check the high-tech assumptions")
    w[services] = f
    return w, float(f)


def new_economy_fraction(va: np.ndarray, w: np.ndarray, hightech: float, new_economy: float) -> float:
    r"""The fraction :math:`\phi` of every non-high-tech, non-agricultural activity counted as new
    economy, solved so that the new economy of :func:`new_economy_weights` equals ``new_economy``:
    :math:`\phi = (N - H) / \sum_{i \ne agr} (1 - w_i) V_i` (levels in 100 million CNY)."""
    rest = ~mask("agriculture")
    phi = (new_economy - hightech) / ((1.0 - w[rest]) * va[rest]).sum()
    if not 0.0 <= phi <= 1.0:
        raise AssumptionsError(f"new-economy fraction {phi:.3f} outside [0, 1]")
    return float(phi)


def new_economy_weights(w: np.ndarray, phi: float) -> np.ndarray:
    r"""New economy: all of high-tech ``w`` ``(n_sectors,)`` plus the fraction :math:`\phi` of every
    other non-agricultural activity, :math:`w^{ne}_i = w_i + \phi (1 - w_i)` (agriculture 0)."""
    rest = ~mask("agriculture")
    w_ne = np.array(w, dtype=float)
    w_ne[rest] = w_ne[rest] + phi * (1.0 - w_ne[rest])
    return w_ne


# ---------------------------------------------------------------- 3. trend growth
def aggregation_weights_2017(fig: Figures, assume: Mapping[str, float]) -> np.ndarray:
    """Nominal GDP shares ``(n_sectors,)`` in 2017, the middle of the trend window.

    Published 2017 shares (primary, secondary, industry, finance, ICT, sci-tech),
    wholesale & retail from 2015, high-tech manufacturing at its 2015 share of
    above-size industry, mining & utilities at the assumed share of industry; other
    services is the remainder.  Used only to aggregate sector growth rates.
    """
    def s(k: str, yr: int = 2017) -> float:
        return fig.value(f"share.{k}", yr) / 100.0

    industry = s("industry")
    w = np.zeros(N_SECTORS)
    w[INDEX["agriculture"]] = s("primary")
    w[INDEX["mfg_hightech"]] = industry * s("hightech_mfg_in_industry_abovesize", 2015)
    w[INDEX["mining_utilities"]] = industry * assume["share.mining_utilities_in_industry"] / 100.0
    w[INDEX["mfg_other"]] = industry - w[INDEX["mfg_hightech"]] - w[INDEX["mining_utilities"]]
    w[INDEX["construction"]] = s("secondary") - industry
    for k in ("finance", "ict", "scitech"):
        w[INDEX[k]] = s(k)
    w[INDEX["wholesale_retail"]] = s("wholesale_retail", 2015)
    w[INDEX["other_services"]] = 1.0 - w.sum()
    return w


def fit_trend_growth(fig: Figures, assume: Mapping[str, float]) -> tuple[np.ndarray, tuple[dict, ...]]:
    r"""Trend real growth per sector from the 2015-2019 record.

    Each published growth rate of a sector or group :math:`A` in the window is one
    linear equation in the unknown sector trends :math:`g`:

    .. math:: \sum_{i \in A} s_i g_i / \sum_{i \in A} s_i = r_{A,y} + \varepsilon

    with :math:`s` the 2017 composition (:func:`aggregation_weights_2017`) and error
    scale 0.5 pp for the exact aggregates (GDP, secondary, tertiary), 1 pp for annual
    sector rates, 2 pp for partial-year rates.  A weak prior (5 pp) pulls every sector
    towards the average GDP growth so that sectors without their own series (other
    manufacturing, construction, other services) are identified through the
    aggregates.  Growth rates are within-vintage comparisons, so the 2018 census
    level revision does not affect them; 2020 is left out as the COVID year.
    Solved by bounded weighted least squares (``scipy.optimize.lsq_linear``).
    """
    s = aggregation_weights_2017(fig, assume)
    gdp_mean = np.mean([fig.value("growth.gdp", yr) for yr in TREND_YEARS]) / 100.0
    return solve_trend(trend_observations(fig.select("growth."), TREND_YEARS, s), gdp_mean)


def trend_observations(rates, years, weights: np.ndarray) -> list[tuple]:
    """The rows of the sector trend fit: ``(figure, a, sd)`` for each published growth rate of a
    sector or group in ``years`` (partial years only for the periods of :data:`OBS_SD_PP`), with
    ``a`` ``(n_sectors,)`` the group's composition under ``weights`` and ``sd`` its error scale (pp)."""
    out = []
    for f in rates:
        subject = f.key.split(".", 1)[1]
        if f.year not in years or subject not in GROUPS or f.period not in OBS_SD_PP:
            continue
        m = mask(subject)
        a = np.where(m, weights, 0.0) / weights[m].sum()
        sd = AGGREGATE_SD_PP if subject in ("gdp", "secondary", "tertiary") else OBS_SD_PP[f.period]
        out.append((f, a, sd))
    return out


def solve_trend(observations: list[tuple], gdp_mean: float) -> tuple[np.ndarray, tuple[dict, ...]]:
    """Sector trends ``(n_sectors,)`` by bounded weighted least squares on ``observations``
    (:func:`trend_observations`) with the weak prior towards ``gdp_mean`` (fraction per year),
    and one fit row per observation: the estimator of :func:`fit_trend_growth`."""
    rows_a = [a / sd for _, a, sd in observations]
    rows_b = [f.value / 100.0 / sd for f, _, sd in observations]
    prior_a = np.eye(N_SECTORS) / (PRIOR_SD_PP / 100.0) / 100.0
    prior_b = np.full(N_SECTORS, gdp_mean) / (PRIOR_SD_PP / 100.0) / 100.0
    A = np.vstack(rows_a + list(prior_a))
    b = np.concatenate([rows_b, prior_b])

    def solve():
        from scipy import optimize  # imported only when the problem is not in the store
        return optimize.lsq_linear(A, b, bounds=GROWTH_BOUNDS, method="bvls").x

    g = cache.solution("trend_bvls", (A, b, repr(GROWTH_BOUNDS)), solve)
    fit = tuple({"observation": f.key, "year": f.year, "period": f.period, "published_pct": f.value,
                 "model_pct": 100.0 * float(a @ g), "sd_pp": sd, "source": _source(f)}
                for f, a, sd in observations)
    return g, fit


def fit_aggregate_trend(fig: Figures) -> tuple[dict, tuple[dict, ...]]:
    r"""The 2015-2019 slowdown of GDP growth as a straight line (ordinary least squares).

    .. math:: r_y = a + b\,(y - \bar y) + \varepsilon_y,\qquad y = 2015, \dots, 2019

    with :math:`r_y` the published real GDP growth (fractions) and :math:`\bar y` the
    mean year (2017), so :math:`a` is the mean growth of the window and :math:`b` the
    change of growth per year.  Returns ``{"intercept", "slope", "centre",
    "slope_se"}`` (fractions; the slope's standard error from the residuals) and one
    fit row per year in the layout of :func:`fit_trend_growth`'s report.
    """
    return fit_line([fig.get("growth.gdp", y) for y in TREND_YEARS])


def fit_line(obs) -> tuple[dict, tuple[dict, ...]]:
    """The straight line of :func:`fit_aggregate_trend` through the published GDP growth rates
    ``obs`` (figures of any years, in %), with its parameters and fit rows."""
    years = np.array([f.year for f in obs], dtype=float)
    rates = np.array([f.value for f in obs]) / 100.0
    centre = float(years.mean())
    x = years - centre
    slope = float(x @ (rates - rates.mean()) / (x @ x))
    intercept = float(rates.mean())
    fitted = intercept + slope * x
    resid_sd = float(np.sqrt(np.sum((rates - fitted) ** 2) / (len(x) - 2)))
    params = {"intercept": intercept, "slope": slope, "centre": centre,
              "slope_se": resid_sd / float(np.sqrt(x @ x))}
    rows = tuple({"observation": "growth.gdp (aggregate trend path)", "year": f.year, "period": f.period,
                  "published_pct": f.value, "model_pct": 100.0 * float(v), "sd_pp": 100.0 * resid_sd,
                  "source": _source(f)} for f, v in zip(obs, fitted))
    return params, rows


def trend_differentials(trend: np.ndarray, weights: np.ndarray) -> np.ndarray:
    r"""Each sector's fitted trend minus the fit's own GDP trend, :math:`d_i = \bar g_i - \sum_j s_j \bar g_j`.

    ``trend`` and ``weights`` (the 2017 composition of the fit) are ``(n_sectors,)``;
    the result is ``(n_sectors,)`` in fractions per year and has :math:`\sum_i s_i d_i = 0`.
    """
    weights = np.asarray(weights, dtype=float) / np.sum(weights)
    return np.asarray(trend, dtype=float) - weights @ trend


def converging_trend(va_2020: np.ndarray, trend: np.ndarray, weights: np.ndarray, aggregate: Mapping[str, float],
                     half_life: float, floor: float, years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""The default trend: sector differentials that decay around the continued slowdown.

    .. math::
        G_t = \max(G_{\min}, a + b\,(t - \bar t)),\qquad
        D_{t,i} = d_i\, 2^{-(t - t_0)/H},\qquad
        g_{t,i} = G_t + D_{t,i} - \sum_j s_{t-1,j} D_{t,j}

    with :math:`a, b, \bar t` from :func:`fit_aggregate_trend`, :math:`d` from
    :func:`trend_differentials`, :math:`t_0` the first year of ``years``, :math:`H` the
    half-life and :math:`G_{\min}` the floor (assumptions, fractions) and
    :math:`s_{t-1}` the trend path's own real composition, starting from ``va_2020``
    (:func:`model.equations.growth.anchored_growth`).  Returns the aggregate path ``(n_years,)``
    and the sector rates ``(n_years, n_sectors)``, fractions per year.
    """
    years = np.asarray(years)
    agg = growth.linear_trend_path(years, aggregate["intercept"], aggregate["slope"], aggregate["centre"], floor)
    d = growth.decaying_differentials(trend_differentials(trend, weights), len(years), half_life)
    return agg, growth.anchored_growth(va_2020, agg, d)


def implied_deflators(fig: Figures) -> dict[int, float]:
    r"""GDP deflator growth implied by same-vintage levels and real growth.

    .. math:: \pi_y = \frac{Y_y / Y_{y-1}}{1 + r_y} - 1

    for 2017 (yearbook-2017 vintage 2016 level), 2019 and 2020 (post-census levels).
    """
    out = {}
    for y in (2017, 2019, 2020):
        nominal = fig.value("va.gdp", y) / fig.value("va.gdp", y - 1)
        out[y] = nominal / (1.0 + fig.value("growth.gdp", y) / 100.0) - 1.0
    return out


# ---------------------------------------------------------------- 3b. sector prices
#: Sectors whose relative price drift is estimated from Beijing's own figures published by mid-2021.
PRICE_ESTIMATED = ("finance", "ict")
#: The manufacturing sectors, whose drift is an assumption (price.manufacturing_relative).
PRICE_MANUFACTURING = ("mfg_hightech", "mfg_other")
#: The years of the real growth between the 2017 shares and the 2020 levels, and the period each was
#: published for (a partial-year rate stands for its year where no annual rate was published).
PRICE_GROWTH_YEARS = (2018, 2019, 2020)


def _rate(fig: Figures, key: str, year: int):
    for period in ("annual", "Q1-Q3", "H1"):
        try:
            return fig.get(key, year, period)
        except DataError:
            continue
    raise DataError([Problem(FIGURES_FILE.name, None, "", f"no {key} rate for {year}, which the relative price "
                                                          "estimate needs")])


def relative_prices(va: np.ndarray, fig: Figures, assume: Mapping[str, float]) -> tuple[np.ndarray, tuple[dict, ...]]:
    r"""Relative price drifts ``(n_sectors,)`` (fraction per year) and their derivation rows.

    Finance and ICT: from the move of their share of GDP at current prices from 2017 (published share)
    to 2020 (the base-year partition) against their real growth relative to GDP's over 2018-2020
    (:func:`model.equations.prices.relative_drift`).  The 2017 shares are on the basis before the 2018
    economic census, the 2020 levels after it: the estimate takes the census to have restated both
    sectors like GDP, the only evidence published by mid-2021 (no pair of levels of one vintage was).
    Manufacturing: the assumption ``price.manufacturing_relative``.  The other sectors share one drift
    that balances the rest (:func:`model.equations.prices.balanced`), so the GDP deflator keeps its
    trend.  Science and technology services are not estimated: their share fell from 10.2 % to 8.3 %
    across the 2018 census while their real growth was GDP's, a break of definition more than of price.
    """
    drifts = np.zeros(N_SECTORS)
    rows = []
    gdp_growth = [fig.get("growth.gdp", y) for y in PRICE_GROWTH_YEARS]
    real_total = float(np.prod([1 + f.value / 100.0 for f in gdp_growth]))
    gdp_2020 = fig.value("va.gdp", BASE_YEAR)
    for k in PRICE_ESTIMATED:
        s0 = fig.get(f"share.{k}", 2017)
        s1 = 100.0 * va[INDEX[k]] / gdp_2020
        rates = [_rate(fig, f"growth.{k}", y) for y in PRICE_GROWTH_YEARS]
        real_sector = float(np.prod([1 + f.value / 100.0 for f in rates]))
        d = prices.relative_drift(s0.value, s1, real_sector, real_total, len(PRICE_GROWTH_YEARS))
        drifts[INDEX[k]] = d
        rows.append({"sector": f"price_drift.{k}", "year": BASE_YEAR, "value": d, "unit": "fraction per year",
                     "status": "derived",
                     "derivation": "share at current prices 2017 -> 2020 against real growth relative to GDP: "
                                   f"(({s1:.2f} / {s0.value:g}) / ({real_sector:.4f} / {real_total:.4f}))^(1/3) - 1: "
                                   "share "
                               f"2017 ({_source(s0)}), 2020 from the base-year partition; real growth "
                               + ", ".join(f"{f.year} {f.period} {f.value:g} %" for f in rates)
                               + " (sector), " + ", ".join(f"{f.year} {f.value:g} %" for f in gdp_growth)
                               + " (GDP); across the 2018 census, taken to restate the sector like GDP"})
    m = assume["price.manufacturing_relative"] / 100.0
    for k in PRICE_MANUFACTURING:
        drifts[INDEX[k]] = m
    rows.append({"sector": "price_drift.manufacturing", "year": BASE_YEAR, "value": m, "unit": "fraction per year",
                 "status": "assumption", "derivation": "assumption price.manufacturing_relative: no pair of "
                 "manufacturing levels and real growth of one vintage published by mid-2021"})
    free = np.array([k not in PRICE_ESTIMATED + PRICE_MANUFACTURING for k in KEYS])
    drifts = prices.balanced(drifts, va, free)
    rows.append({"sector": "price_drift.rest", "year": BASE_YEAR, "value": float(drifts[free][0]),
                 "unit": "fraction per year", "status": "derived",
                 "derivation": "balancing, the value-added weighted drifts sum to zero in 2020: agriculture, mining "
                               "and utilities, construction, sci-tech, wholesale and retail and other services share "
                               "the drift that keeps the GDP deflator on its trend"})
    return drifts, tuple(rows)


# ---------------------------------------------------------------- 4. the 2021 calibration
def two_year_to_annual(avg_2yr_pct: float, growth_prev_pct: float) -> float:
    r"""Annual growth implied by a two-year average over a depressed base year.

    If H1 2021 stands :math:`(1+a)^2` above H1 2019 and the whole year stays on that
    path, 2021 growth over a 2020 that grew :math:`r_{2020}` is
    :math:`(1+a)^2/(1+r_{2020}) - 1` (fraction).
    """
    return (1.0 + avg_2yr_pct / 100.0) ** 2 / (1.0 + growth_prev_pct / 100.0) - 1.0


def calibration_moments(fig: Figures) -> tuple[dict, ...]:
    """The mid-2021 facts as annual 2021 targets, each with tolerance and derivation.

    H1 2021 growth is inflated by the weak H1 2020 base (GDP -3.2 %); where a two-year
    average is published it replaces the y/y rate (:func:`two_year_to_annual`).
    Shares of H1 differ from annual shares, so the new-economy target is the 2020
    annual share plus the H1 y/y change.
    """
    y, h1 = CALIBRATION_YEAR, "H1"
    moments = []

    def growth_moment(subject, tol_pp, use_2yr):
        if use_2yr:
            avg = fig.get(f"growth_2yr_avg.{subject}", y, h1)
            prev = fig.get(f"growth.{subject}", y - 1)
            target = two_year_to_annual(avg.value, prev.value)
            how = f"(1 + {avg.value} %)^2 / (1 + {prev.value} %) - 1: two-year H1 average over 2020"
            src = _source(avg)
        else:
            f = fig.get(f"growth.{subject}", y, h1)
            target, how, src = f.value / 100.0, "H1 y/y growth taken as the annual rate", _source(f)
        moments.append({"moment": f"growth.{subject}", "kind": "equal", "target": target,
                        "tolerance": tol_pp / 100.0, "unit": "fraction", "derivation": how, "source": src})

    growth_moment("gdp", 0.1, True)
    growth_moment("secondary", 0.5, True)
    growth_moment("tertiary", 0.5, True)
    growth_moment("industry_abovesize", 1.0, True)
    growth_moment("mfg_hightech", 5.0, True)
    growth_moment("ict", 0.5, True)
    growth_moment("finance", 0.5, False)
    growth_moment("primary", 2.0, False)
    ne_annual = fig.get("share.new_economy", y - 1)
    ne_h1, ne_h1_prev = fig.get("share.new_economy", y, h1), fig.get("share.new_economy", y - 1, h1)
    moments.append({"moment": "share.new_economy", "kind": "equal",
                    "target": ne_annual.value + ne_h1.value - ne_h1_prev.value, "tolerance": 0.3,
                    "unit": "%", "source": _source(ne_h1),
                    "derivation": f"2020 annual {ne_annual.value} % + H1 change ({ne_h1.value} - {ne_h1_prev.value})"})
    c = fig.get("contribution.pharma_electronics_to_industry_growth", y, h1)
    moments.append({"moment": "contribution.mfg_hightech_to_industry", "kind": "at_least",
                    "target": c.value / 100.0, "tolerance": 0.01, "unit": "fraction", "source": _source(c),
                    "derivation": "pharmaceuticals + electronics (high-tech manufacturing) share of industrial growth"})
    return tuple(moments)


MOMENT_GROUPS = ("gdp", "secondary", "tertiary", "industry_abovesize", "mfg_hightech", "ict", "finance", "primary")


@functools.lru_cache(maxsize=None)
def _moment_masks() -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """The sector masks :func:`moment_values` reads (read-only), made once: the calibration evaluates
    the moments thousands of times."""
    masks = {k: mask(k) for k in MOMENT_GROUPS}
    industry = mask("industry")
    hightech_in_industry = mask("mfg_hightech")[industry]
    for m in (*masks.values(), industry, hightech_in_industry):
        m.setflags(write=False)
    return masks, industry, hightech_in_industry


def moment_values(g: np.ndarray, va: np.ndarray, w_ne: np.ndarray) -> dict[str, float]:
    """Model counterparts of :func:`calibration_moments` for 2021 growth ``g`` ``(n_sectors,)``."""
    masks, ind, hightech = _moment_masks()
    out = {f"growth.{k}": float(growth.aggregate_growth(va[m], g[m])) for k, m in masks.items()}
    va_next = va * (1.0 + g)     # uniform deflator: nominal shares equal real shares
    out["share.new_economy"] = float(growth.share_percent(w_ne @ va_next, va_next.sum()))
    out["contribution.mfg_hightech_to_industry"] = float(growth.contribution_share(va[ind], g[ind], hightech))
    return out


def calibrate_2021(va: np.ndarray, w_ne: np.ndarray, trend: np.ndarray,
                   moments: tuple[dict, ...]) -> tuple[np.ndarray, tuple[dict, ...]]:
    r"""2021 real growth per sector: closest to trend among those reproducing the moments.

    .. math::
        \min_g \sum_i \Big(\frac{s_i (g_i - \bar g_i)}{\sigma}\Big)^2
        \quad\text{s.t.}\quad |m_k(g) - t_k| \le \text{tol}_k,\;\; m_j(g) \ge t_j

    Deviations from trend are weighted by the sector's 2020 share of GDP :math:`s_i`,
    i.e. measured in percentage points of GDP: the least reallocation of growth that
    reproduces the facts.  Solved with SLSQP (``scipy.optimize.minimize``).  Returns
    the rates and a fit report (model vs target, within tolerance or not).
    """
    key = (va.tobytes(), w_ne.tobytes(), trend.tobytes(), repr(moments))
    solved = _SOLVED.get(key)
    if solved is None:
        solved = _SOLVED[key] = _solve_2021(va, w_ne, trend, moments)
        while len(_SOLVED) > MAX_SOLVED:
            _SOLVED.pop(next(iter(_SOLVED)))
    return solved[0].copy(), tuple(dict(r) for r in solved[1])


# Calibrations already solved, by their inputs: the sensitivity analysis recalibrates at both ends of every
# assumption's range, and half of them (the trend's and the prices' half-lives...) leave these inputs as
# they are, so the same problem would be solved again, to the same bits.
_SOLVED: dict[tuple, tuple[np.ndarray, tuple[dict, ...]]] = {}
MAX_SOLVED = 256


def _solve_2021(va: np.ndarray, w_ne: np.ndarray, trend: np.ndarray,
                moments: tuple[dict, ...]) -> tuple[np.ndarray, tuple[dict, ...]]:
    weight = va / va.sum() / (CAL_PRIOR_SD_PP / 100.0)

    def objective(g):
        return float(np.sum((weight * (g - trend)) ** 2))

    targets = np.array([m["target"] for m in moments])
    tolerance = np.array([m["tolerance"] for m in moments])
    two_sided = np.array([m["kind"] == "equal" for m in moments])

    def slack(g):
        """Non-negative exactly when every moment holds (one entry per side of a band)."""
        vals = moment_values(g, va, w_ne)
        dev = np.array([vals[m["moment"]] for m in moments]) - targets
        lower = np.where(two_sided, tolerance + dev, dev)
        return np.concatenate([lower, (tolerance - dev)[two_sided]])

    options = {"ftol": 1e-12, "maxiter": 500}

    def solve():
        from scipy import optimize  # imported only when the problem is not in the store
        return optimize.minimize(objective, trend, method="SLSQP", bounds=[GROWTH_BOUNDS] * len(trend),
                                 constraints=[{"type": "ineq", "fun": slack}], options=options).x

    g = cache.solution("calibration_2021_slsqp", (va, w_ne, trend, weight, repr(moments), repr(GROWTH_BOUNDS),
                                                  repr(options)), solve)
    vals = moment_values(g, va, w_ne)
    report = []
    for m in moments:
        model = vals[m["moment"]]
        ok = model >= m["target"] - 1e-9 if m["kind"] == "at_least" \
            else abs(model - m["target"]) <= m["tolerance"] + 1e-9
        report.append({**m, "model": model, "within_tolerance": bool(ok)})
    return g, tuple(report)


# ---------------------------------------------------------------- all together
def assumption_values(overrides: Mapping[str, float] | None = None,
                      table: Mapping[str, Assumption] | None = None) -> dict[str, float]:
    """Central assumption values, with ``overrides`` (already validated) applied."""
    table = default_assumptions() if table is None else table
    values = {k: a.value for k, a in table.items()}
    values.update(overrides or {})
    return values


def build_baseline(overrides: Mapping[str, float] | None = None, fig: Figures | None = None) -> Baseline:
    """Run the four calibration steps on the sourced data."""
    fig = default_figures() if fig is None else fig
    assume = assumption_values(overrides)
    va, provenance = base_year_partition(fig, assume)
    w_ht, w_ne, fractions = cross_cutting_weights(va, fig, assume)
    trend, trend_fit = fit_trend_growth(fig, assume)
    aggregate, aggregate_fit = fit_aggregate_trend(fig)
    years = np.arange(TREND_FIRST_YEAR, TREND_LAST_YEAR + 1)
    half_life, floor = assume["trend.half_life_years"], assume["trend.aggregate_floor"] / 100.0
    _, converging = converging_trend(va, trend, aggregation_weights_2017(fig, assume), aggregate,
                                     half_life, floor, years)
    trend_paths = {"converging": frozen(converging), "constant": frozen(np.tile(trend, (len(years), 1)))}
    deflators = implied_deflators(fig)
    g2021, moments = calibrate_2021(va, w_ne, trend, calibration_moments(fig))
    drifts, price_rows = relative_prices(va, fig, assume)
    provenance = provenance + price_rows + tuple(
        {"sector": name, "year": BASE_YEAR, "value": value, "unit": "fraction", "status": "derived",
         "derivation": how}
        for name, value, how in (
            ("hightech_services_fraction", fractions["hightech_services_fraction"],
             "share of ICT and sci-tech services counted as high-tech, solved to reproduce 9,885.8"),
            ("new_economy_fraction", fractions["new_economy_fraction"],
             "share of non-high-tech, non-agricultural value added counted as new economy, solved to reproduce 13,654"),
            ("trend_aggregate_intercept", aggregate["intercept"],
             f"mean published GDP growth {TREND_YEARS.start}-{TREND_YEARS.stop - 1} (level of the aggregate trend "
             f"line in {aggregate['centre']:.0f})"),
            ("trend_aggregate_slope", aggregate["slope"],
             f"change of GDP growth per year, least squares on {TREND_YEARS.start}-{TREND_YEARS.stop - 1} "
             f"(standard error {aggregate['slope_se']:.4f})"),
            ("trend_deflator", float(np.mean(list(deflators.values()))),
             "mean GDP deflator growth implied for "
             + ", ".join(f"{y} ({100 * d:.2f} %)" for y, d in deflators.items())),
        ))
    return Baseline(
        va_2020=frozen(va), hightech_weights=frozen(w_ht), new_economy_weights=frozen(w_ne),
        trend_growth=frozen(trend), trend_paths=MappingProxyType(trend_paths),
        trend_deflator=float(np.mean(list(deflators.values()))),
        growth_2021=frozen(g2021), provenance=provenance, trend_fit=trend_fit + aggregate_fit,
        moments=moments, assumptions=dict(assume), price_drifts=frozen(drifts),
        price_half_life=float(assume["price.half_life_years"]),
    )

"""The published record as a path of the model: real growth and prices by sector, 2021-2025, on the
5th-census basis.

``scenarios/realized.yaml`` is this path written as a scenario (:func:`realized_yaml`): the 2020 base
restated on the 5th-census basis (``census: 5th``, :mod:`model.baseline.vintage`), every sector's real
growth derived from the published rates, and every sector's deflator derived so that the published 2025
levels are reproduced.  A test keeps the file equal to what this module writes.

**Real growth** (% per year, the latest release of each rate):

* agriculture: the primary sector's rate;
* 2022-2023, the secondary sector split by what fell: industry outside the vaccine makers (other
  manufacturing, mining and utilities) at the published rate of industry without vaccines, high-tech
  manufacturing (which holds the vaccine makers) at the rate that makes industry grow at its published
  rate, construction at the rate that makes the secondary sector grow at its published rate;
* 2024-2025: high-tech manufacturing at its published rate, the rest of industry at the rate that makes
  industry grow at its rate, construction as the secondary sector's residual;
* finance, ICT and sci-tech services: the annual rate where published, else the January-September or
  first-half rate, else the tertiary sector's; wholesale and retail and other services at the common
  rate that makes the tertiary sector grow at its published rate;
* 2021: the calibrated rates of the 2020 baseline.

Group rates are aggregated as the model aggregates (previous year's real levels as weights), so the
path reproduces each published group rate exactly.  The first-released rates of 2021-2023 are measured
on the 4th-census series; the 5th-census series grew faster (the official 2021-2025 average is 5.2 %
a year, the first releases compound to less): every rate of 2021-2023 gets one common restatement
:math:`\\rho` (points a year), solved so that the path's five-year average equals the official one.

**Prices.** The GDP deflator of each year follows from the 5th-census GDP levels and the path's real
GDP growth, :math:`\\bar\\pi_t = (Y_t / Y_{t-1}) / (1 + g_t) - 1`; each group of sectors (agriculture,
the secondary sector, finance, ICT, the other services) adds one constant relative drift, solved so that
its 2025 value added equals the published level.  The drifts are the record's relative price trends of
2020-2025 within one basis, which the 2025 jump-off carries into the 2030 outlook.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from ..core.files import REALIZED_FILE
from ..core.problems import Problem
from ..core.sectors import GROUPS, INDEX, KEYS, N_SECTORS, mask
from ..core.years import BASE_YEAR
from ..equations import growth
from ..equations.revenue import SERIES, link_weights
from .calibration import Baseline
from .data import DataError
from .realized import SAME, Outcome, RealizedTable, realized_key, recency

YEARS = (2021, 2022, 2023, 2024, 2025)
FIRST_RELEASE_YEARS = (2021, 2022, 2023)        # rates first released on the 4th-census series
SPLIT_BY_WHAT_FELL = (2022, 2023)              # the vaccine makers' fall: industry without them published
SERVICE_PERIODS = ("annual", "Q1-Q3", "H1")     # a service's rate: the first of these published
PRICE_GROUPS: dict[str, tuple[str, ...]] = {
    "agriculture": ("agriculture",),
    "secondary": GROUPS["secondary"],
    "finance": ("finance",),
    "ict": ("ict",),
    "other services": ("scitech", "wholesale_retail", "other_services"),
}
PUBLISHED_2025 = {"agriculture": "va.primary", "secondary": "va.secondary", "finance": "va.finance", "ict": "va.ict"}


def _problem(message: str) -> DataError:
    return DataError([Problem(REALIZED_FILE.name, None, "", message)])


def _rate(table: RealizedTable, key: str, year: int, periods=("annual",)) -> Outcome:
    for period in periods:
        o = table.latest(key, year, period)
        if o is not None:
            return o
    raise _problem(f"no {' or '.join(periods)} {key} rate for {year}, which the realized path needs")


@dataclass(frozen=True)
class RecordPath:
    """The record as a path: real growth and deflator growth ``(5, n_sectors)`` (fractions, 2021-2025),
    the restatement of the first-released rates (fraction a year), the GDP deflator ``(5,)``, the
    relative drift of each price group (fraction a year) and how each input was taken."""

    growth: np.ndarray
    deflator: np.ndarray
    restatement: float
    gdp_deflator: np.ndarray
    drifts: Mapping[str, float]
    notes: tuple[str, ...]


def _residual(level: np.ndarray, rate: np.ndarray, group: np.ndarray, target: float, free: np.ndarray) -> float:
    r"""The common rate of the sectors ``free`` (within ``group``) that makes the group grow at ``target``:
    :math:`r = (T \sum_G V - \sum_{G \setminus F} V_i g_i) / \sum_F V_i`, weights the previous year's levels."""
    fixed = group & ~free
    return float((target * level[group].sum() - level[fixed] @ rate[fixed]) / level[free].sum())


def record_growth(calibrated: Baseline, va_2020: np.ndarray, table: RealizedTable,
                  restatement: float) -> tuple[np.ndarray, tuple[str, ...]]:
    """Real growth ``(5, n_sectors)`` of the record path from ``va_2020`` (5th-census partition) with the
    restatement ``restatement`` (fraction a year) added to every rate of 2021-2023; and notes of the inputs."""
    g = np.zeros((len(YEARS), N_SECTORS))
    level = np.array(va_2020, dtype=float)
    notes: list[str] = []

    def published(key: str, year: int, periods=("annual",)) -> float:
        o = _rate(table, key, year, periods)
        if year == YEARS[-1] or year not in FIRST_RELEASE_YEARS:
            return o.value / 100.0
        return o.value / 100.0 + restatement

    sec, ind, ter = mask("secondary"), mask("industry"), mask("tertiary")
    for r, y in enumerate(YEARS):
        rate = np.zeros(N_SECTORS)
        if y == YEARS[0]:
            rate[:] = np.asarray(calibrated.growth_2021, dtype=float) + restatement
        else:
            rate[INDEX["agriculture"]] = published("growth.primary", y)
            if y in SPLIT_BY_WHAT_FELL:
                other = published("growth.industry_exvaccine", y, ("annual", "Jan-Oct"))
                for k in ("mfg_other", "mining_utilities"):
                    rate[INDEX[k]] = other
                free = mask("mfg_hightech")
            else:
                rate[INDEX["mfg_hightech"]] = published("growth.mfg_hightech", y)
                free = mask("mfg_other") | mask("mining_utilities")
            industry = published("growth.industry_abovesize", y, ("annual", "Jan-Oct"))
            rate[free] = _residual(level, rate, ind, industry, free)
            rate[INDEX["construction"]] = _residual(level, rate, sec, published("growth.secondary", y),
                                                    mask("construction"))
            tertiary = published("growth.tertiary", y)
            for k in ("finance", "ict", "scitech"):
                found = [table.latest(f"growth.{k}", y, p) for p in SERVICE_PERIODS]
                rate[INDEX[k]] = next((published(f"growth.{k}", y, (p,)) for p, o in zip(SERVICE_PERIODS, found)
                                       if o is not None), tertiary)
            rest = mask("wholesale_retail") | mask("other_services")
            rate[rest] = _residual(level, rate, ter, tertiary, rest)
        g[r] = rate
        level = level * (1.0 + rate)
    notes.append(f"restatement of the 2021-2023 rates: {100 * restatement:+.3f} points a year")
    return g, tuple(notes)


def _average_growth(va_2020: np.ndarray, g: np.ndarray) -> float:
    real = growth.compound(va_2020, g).sum(axis=-1)
    return (real[-1] / real[0]) ** (1.0 / len(YEARS)) - 1.0


def record_path(calibrated: Baseline, va_2020: np.ndarray, table: RealizedTable) -> RecordPath:
    """The record path from the 2020 partition ``va_2020`` on the 5th-census basis (bridged)."""
    average = table.latest("growth5y.gdp", YEARS[-1])
    if average is None:
        raise _problem(f"no official average real GDP growth {YEARS[0]}-{YEARS[-1]} (growth5y.gdp), which the "
                       "realized path's restatement needs")
    from scipy import optimize  # only where a realized path is built
    rho = optimize.brentq(lambda x: _average_growth(va_2020, record_growth(calibrated, va_2020, table, x)[0])
                          - average.value / 100.0, -0.05, 0.05, xtol=1e-12)
    g, notes = record_growth(calibrated, va_2020, table, rho)
    real = growth.compound(np.asarray(va_2020, dtype=float), g)          # (6, n_sectors), 2020-2025
    real_gdp = real.sum(axis=-1)
    levels = []
    for y in (BASE_YEAR,) + YEARS:
        o = table.latest("va.gdp", y, basis="5th")
        if o is None:
            raise _problem(f"no {y} GDP on the 5th-census basis, which the realized path's prices need")
        levels.append(o.value)
    levels = np.array(levels)
    pi = (levels[1:] / levels[:-1]) / (real_gdp[1:] / real_gdp[:-1]) - 1.0
    drifts, deflator = {}, np.zeros((len(YEARS), N_SECTORS))
    tertiary = table.latest("va.tertiary", YEARS[-1], basis="5th")
    for group, keys in PRICE_GROUPS.items():
        cols = [INDEX[k] for k in keys]
        if group in PUBLISHED_2025:
            o = table.latest(PUBLISHED_2025[group], YEARS[-1], basis="5th")
            target = o.value if o is not None else None
        else:
            fin, ict = (table.latest(k, YEARS[-1], basis="5th") for k in ("va.finance", "va.ict"))
            target = tertiary.value - fin.value - ict.value if None not in (tertiary, fin, ict) else None
        if target is None:
            raise _problem(f"no published {YEARS[-1]} level of {group} on the 5th-census basis, which the "
                           "realized path's prices need")
        price_2025 = target / float(real[-1, cols].sum())
        d = optimize.brentq(lambda x, p=price_2025: float(np.prod(1.0 + pi + x)) - p, -0.5, 0.5, xtol=1e-14)
        drifts[group] = d
        deflator[:, cols] = (pi + d)[:, None]
    notes += (f"GDP deflator {YEARS[0]}-{YEARS[-1]} from the 5th-census GDP levels and the path's real growth: "
              + ", ".join(f"{100 * x:.2f} %" for x in pi),)
    return RecordPath(growth=g, deflator=deflator, restatement=rho, gdp_deflator=pi, drifts=drifts, notes=notes)


def nominal_levels(path: RecordPath, va_2020: np.ndarray) -> np.ndarray:
    """``(6, n_sectors)`` value added of the path at current prices, 2020-2025 (100 million CNY)."""
    real = growth.compound(np.asarray(va_2020, dtype=float), path.growth)
    return growth.nominal(real, growth.compound(np.ones(N_SECTORS), path.deflator))


def revenue_bases(path: RecordPath, va_2020: np.ndarray, table: RealizedTable, params: Mapping[str, float],
                  ranges: Mapping[str, tuple[float, float]]) -> dict[str, tuple[float | None, str]]:
    r"""The 2020 base of each revenue series with a published annual level on its own measure (definition
    ``same``) in 2021-2025: the base that the series' link carries to its latest such level along the path,
    :math:`R_{2020} = R_Y / (L_Y / L_{2020})^{\varepsilon}` (``params``: the revenue layer's parameters).
    The record, put into the revenue layer as the path puts it into the sectors; a series without such a
    level keeps its base, and so does one whose derived base falls outside its documented range
    (``ranges``: ``series -> (low, high)``; the value is then ``None`` and ``how`` says why).  Returns
    ``series -> (base, how)``."""
    va = nominal_levels(path, va_2020)
    out = {}
    for s in SERIES:
        rows = [o for o in table.select(realized_key(s.key), "annual") if o.definition == SAME and o.year in YEARS]
        if not rows:
            continue
        o = max(rows, key=lambda r: (r.year, *recency(r)))
        w, eps = link_weights(params, s.key), params[f"{s.key}.elasticity"]
        ratio = float(va[o.year - BASE_YEAR] @ w) / float(va[0] @ w)
        base = o.value / ratio ** eps
        how = f"{o.key} {o.year} = {o.value:g} ({o.vintage}) / (L_{o.year} / L_2020)^{eps:g} = / {ratio ** eps:.4f}"
        low, high = ranges[s.key]
        out[s.key] = (base, how) if low <= base <= high else \
            (None, f"{how} = {base:.1f}, outside the documented range {low:g}-{high:g}: the base is kept")
    return out


# ------------------------------------------------------------------ the scenario file
HEADER = """\
# Realized path: Beijing's published record of 2021-2025 put into the model, on the basis of the
# 5th economic census, so that the layers above the sector partition (the high-tech weights, the
# revenue layer, the trillion-yuan cluster count) and the scorecard can be set beside the
# statistics.  Not a forecast, and not part of the ex-ante backtest: it is built from figures
# published after August 2021.
#
# WRITTEN BY `python -m model.baseline.realized_scenario`, not by hand: the rules that derive every number
# from model/data/realized.csv are in model/baseline/record.py (docs: Backtest, The realized path),
# and a test keeps this file equal to what they give.
"""


def _pct(x: float) -> str:
    return f"{100 * x:.3f}".rstrip("0").rstrip(".") if abs(x) > 5e-6 else "0"


def realized_yaml(path: RecordPath, bases: Mapping[str, tuple[float, str]] | None = None) -> str:
    """``scenarios/realized.yaml``: the record path as a scenario, with ``bases`` (:func:`revenue_bases`)
    as its revenue links' 2020 levels."""
    lines = [HEADER.rstrip("\n"),
             "name: realized",
             "extends: baseline",
             "description: >-",
             "  Published real growth and prices 2021-2025 by sector on the 5th-census basis (the 2020 base",
             "  restated with sector-specific bridges): the record, for checking the layers above the sector",
             "  partition and the scorecard against the statistics.",
             "census: 5th",
             "",
             "# The published secondary-sector rates already contain the fall of vaccine output: no unwind.",
             "vaccine_unwind: 0",
             "",
             "# A record has no spread: no Monte Carlo on this path.",
             "uncertainty: null",
             "",
             "growth:",
             f"  # 2021: the calibrated rates, restated by {_pct(path.restatement)} points like every first-released "
             "rate of 2021-2023",
             f"  all: {{2021: \"{'+' if path.restatement >= 0 else ''}{_pct(path.restatement)}pp\"}}"]
    for i, k in enumerate(KEYS):
        values = ", ".join(f"{y}: {_pct(path.growth[r, i])}" for r, y in enumerate(YEARS) if y != YEARS[0])
        lines.append(f"  {k}: {{{values}}}")
    lines += ["",
              "deflator:",
              "  # the GDP deflator of each year, from the 5th-census GDP levels and this path's real growth",
              "  all: {" + ", ".join(f"{y}: {_pct(x)}" for y, x in zip(YEARS, path.gdp_deflator)) + "}",
              "  # each group's relative drift, solved so that its 2025 value added is the published level"]
    for group, keys in PRICE_GROUPS.items():
        d = path.drifts[group]
        for k in keys:
            lines.append(f"  {k}: \"{'+' if d >= 0 else ''}{_pct(d)}pp\"    # {group}")
    if bases:
        lines += ["",
                  "# The revenue series with a published annual level start in 2020 from the level that their",
                  "# link carries, along this path, to their latest published level (model/baseline/record.py:",
                  "# revenue_bases).",
                  "revenue_links:"]
        for key, (value, how) in bases.items():
            if value is not None:
                lines.append(f"  {key}.base_2020: {value:.1f}    # {how}")
        lines += [f"  # not {key}.base_2020: {how}" for key, (value, how) in bases.items() if value is None]
    return "\n".join(lines) + "\n"

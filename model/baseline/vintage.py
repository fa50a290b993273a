"""One census vintage at a time: GDP deflators implied within one release, and the bridges that
restate the 2020 base year (4th economic census) on the basis of the 5th census.

The fifth economic census (benchmark year 2023) restated Beijing's accounts: GDP 2020 rose from
36,102.6 to 38,503.6 (+6.65 %), but not every sector like GDP.  Half-year releases give the
overlap that shows by how much each sector moved: the first half of 2024 was published on the
4th-census basis, the first half of 2025 on the 5th with its real growth over the first half of
2024 (restated).  For a sector :math:`s`,

.. math:: q_s = \\frac{L^{5th}_{H1\\,2025} / (1 + g_{H1\\,2025})}{L^{4th}_{H1\\,2024}}

is its restatement of the first half of 2024 times the price change of the half-year.  Taking a
sector's price change over that half-year to be GDP's (the assumption that separates the two), the
ratio :math:`q_s / q_{GDP}` is the sector's restatement relative to GDP's; the 2020 bridge is that
relative restatement times GDP's own 2020 restatement, published:

.. math:: b_s = \\frac{q_s}{q_{GDP}} \\cdot \\frac{Y^{5th}_{2020}}{Y^{4th}_{2020}}

Sectors without an overlap of their own take their group's bridge (agriculture the primary
sector's, the four secondary sectors the secondary sector's) or, for the services other than
finance and ICT, the factor that makes the tertiary sector its own bridge: the proportional
assumption, kept only where nothing finer is published and labelled so, with a wider range.  All
bridges are then scaled by one factor so that the sectors sum to the published 2020 GDP on the
5th-census basis exactly.

Nothing here enters the ex-ante baseline: the 2020 calibration knows only what was published by
mid-2021.  The bridges serve the realized path, the like-for-like backtest and the 2025 jump-off.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from ..core.sectors import GROUPS, INDEX, KEYS, N_SECTORS, mask
from ..core.years import BASE_YEAR
from .data import DataError, Figures
from .realized import Outcome, RealizedTable, recency

#: The half-years of the overlap: the last on the 4th-census basis and the first on the 5th.
OVERLAP_OLD, OVERLAP_NEW = 2024, 2025
#: Sectors and groups with a half-year level on both bases (key of realized.csv -> model group).
MEASURED = {"primary": "primary", "secondary": "secondary", "tertiary": "tertiary", "finance": "finance",
            "ict": "ict"}
#: Relative half-width of the range of a measured bridge: the price change of one half-year that may
#: differ from GDP's (about 1.5 points), and a revision whose profile over 2020-2024 may differ from
#: GDP's (GDP's own restatement ran from 6.7 % in 2020 to 10.1 % in 2021): an assumption.
MEASURED_HALF_WIDTH = 0.03
#: Relative half-width of a bridge taken from the sector's group (the proportional fallback): assumption.
FALLBACK_HALF_WIDTH = 0.06


def _source(o) -> str:
    return f"{o.publisher}, {o.document}, {o.url} ({o.vintage})"


def _level_of_release(table: RealizedTable, key: str, year: int, basis: str, released) -> Outcome | None:
    """The level of ``key`` in ``year`` on ``basis`` from the release ``released`` if it published one,
    else the latest release of that basis published no later."""
    rows = [o for o in table.select(key, "annual", basis) if o.year == year and o.released <= released]
    same = [o for o in rows if o.released == released]
    return max(same or rows, key=recency, default=None)


def implied_gdp_deflators(fig: Figures, table: RealizedTable, years=range(2021, 2026)) -> dict[int, tuple[float, str]]:
    r"""GDP deflator growth of each year implied by one release's levels and real growth,
    :math:`\pi_y = (Y_y / Y_{y-1}) / (1 + r_y) - 1`, and how it was obtained.

    The real growth :math:`r_y` is the latest published rate of the year; the levels are those of its
    release on its census basis (the level of ``y`` from the same release where it published one, the
    level of ``y - 1`` the latest of that basis known at the release; 2020 on the 4th-census basis from
    ``figures.csv``).  A first-released rate of 2021-2023 is measured on the 4th-census series, so it is
    paired with 4th-census levels; the 2024 and 2025 rates with the 5th.  Mixing a restated level with
    a first-released rate would book the restatement of real growth as a price change.
    """
    out = {}
    for y in years:
        r = table.latest("growth.gdp", y)
        if r is None:
            raise DataError([_problem(None, f"no published real GDP growth for {y}: the implied deflator needs it")])
        level = _level_of_release(table, "va.gdp", y, r.census_basis, r.released)
        prev = _level_of_release(table, "va.gdp", y - 1, r.census_basis, r.released)
        prev_value, prev_how = (prev.value, f"{prev.year} {prev.value:g} ({prev.vintage})") if prev is not None \
            else (None, "")
        if prev is None and r.census_basis == "4th" and y - 1 == BASE_YEAR:
            f = fig.get("va.gdp", BASE_YEAR)
            prev_value, prev_how = f.value, f"{BASE_YEAR} {f.value:g} (figures.csv, {f.vintage})"
        if level is None or prev_value is None:
            raise DataError([_problem(r, f"no GDP levels of {y - 1} and {y} on the {r.census_basis}-census basis "
                                         f"of the {y} growth release, which its implied deflator needs")])
        pi = level.value / prev_value / (1.0 + r.value / 100.0) - 1.0
        out[y] = pi, (f"{y}: {level.value:g} / {prev_how.split(' ', 1)[1] if ' ' in prev_how else prev_how} "
                      f"/ (1 + {r.value:g} %) - 1 = {100 * pi:.2f} % ({r.census_basis}-census basis, "
                      f"{r.vintage})")
    return out


def _problem(o: Outcome | None, message: str):
    from ..core.files import REALIZED_FILE
    from ..core.problems import Problem
    return Problem(REALIZED_FILE.name, None if o is None else o.line, "", message)


def _half_year(table: RealizedTable, key: str, year: int, basis: str) -> Outcome | None:
    rows = [o for o in table.select(key, "H1", basis) if o.year == year]
    return max(rows, key=recency, default=None)


def overlap_ratio(table: RealizedTable, group: str) -> tuple[float, str]:
    """:math:`q` of a group or sector (a key of :data:`MEASURED`): its first-half 2025 level (5th census)
    over its real growth, over its first-half 2024 level (4th census); GDP's first-half levels are the
    sum of the three sectors' where the release gives no exact total."""
    def level(year: int, basis: str) -> tuple[float, str]:
        if group == "gdp":
            parts = [_half_year(table, f"va.{k}", year, basis) for k in ("primary", "secondary", "tertiary")]
            if all(p is not None for p in parts):
                return sum(p.value for p in parts), "primary + secondary + tertiary"
        o = _half_year(table, f"va.{group}", year, basis)
        if o is None:
            raise DataError([_problem(None, f"no H1 {year} level of va.{group} on the {basis}-census basis, which "
                                            "the census bridge needs")])
        return o.value, f"{o.value:g}"

    new, new_how = level(OVERLAP_NEW, "5th")
    old, old_how = level(OVERLAP_OLD, "4th")
    g = _half_year(table, f"growth.{group}", OVERLAP_NEW, "5th")
    if g is None:
        raise DataError([_problem(None, f"no H1 {OVERLAP_NEW} real growth of {group}, which the census bridge needs")])
    q = new / (1.0 + g.value / 100.0) / old
    return q, (f"H1 {OVERLAP_NEW} {new:.1f} ({new_how}, 5th) / (1 + {g.value:g} %) / H1 {OVERLAP_OLD} "
               f"{old:.1f} ({old_how}, 4th) = {q:.4f}; {_source(g)}")


@dataclass(frozen=True)
class Bridges:
    """The 2020 census bridge of every sector, :math:`b_s = V^{5th}_{2020} / V^{4th}_{2020}`, ``(n_sectors,)``,
    with its plausible range (``low``, ``high``) and one provenance row per sector."""

    factors: np.ndarray
    low: np.ndarray
    high: np.ndarray
    rows: tuple[dict, ...]

    def apply(self, va_2020: np.ndarray, factors: np.ndarray | None = None) -> np.ndarray:
        """``va_2020`` ``(..., n_sectors)`` (4th-census basis) restated on the 5th-census basis."""
        return np.asarray(va_2020, dtype=float) * (self.factors if factors is None else factors)


def census_bridges(va_2020: np.ndarray, fig: Figures, table: RealizedTable) -> Bridges:
    """The 2020 bridges of the sectors of ``va_2020`` ``(n_sectors,)``, the 4th-census partition."""
    va = np.asarray(va_2020, dtype=float)
    gdp_4th = fig.get("va.gdp", BASE_YEAR)
    gdp_5th = table.latest("va.gdp", BASE_YEAR, basis="5th")
    if gdp_5th is None:
        raise DataError([_problem(None, f"no {BASE_YEAR} GDP on the 5th-census basis: the census bridges need it")])
    b_gdp = gdp_5th.value / gdp_4th.value
    q_gdp, q_gdp_how = overlap_ratio(table, "gdp")
    measured = {g: overlap_ratio(table, g) for g in MEASURED}
    b = {g: q / q_gdp * b_gdp for g, (q, _) in measured.items()}

    factors, status, how = np.ones(N_SECTORS), [""] * N_SECTORS, [""] * N_SECTORS
    base = (f"x GDP's 2020 restatement {gdp_5th.value:g} / {gdp_4th.value:g} = {b_gdp:.4f} ({_source(gdp_5th)}), "
            f"relative to GDP's overlap ratio {q_gdp:.4f} ({q_gdp_how})")

    def put(keys, factor, st, text):
        for k in keys:
            factors[INDEX[k]], status[INDEX[k]], how[INDEX[k]] = factor, st, text

    put(("agriculture",), b["primary"], "derived",
        f"the primary sector's: overlap ratio {measured['primary'][1]} {base}")
    put(("finance",), b["finance"], "derived", f"overlap ratio {measured['finance'][1]} {base}")
    put(("ict",), b["ict"], "derived", f"overlap ratio {measured['ict'][1]} {base}")
    put(GROUPS["secondary"], b["secondary"], "assumption",
        f"the secondary sector's bridge (no overlap of its own: the proportional fallback within the group); "
        f"secondary overlap ratio {measured['secondary'][1]} {base}")
    rest = [k for k in GROUPS["tertiary"] if k not in ("finance", "ict")]
    tertiary_4th = float(va[mask("tertiary")].sum())
    known_4th = va[INDEX["finance"]] + va[INDEX["ict"]]
    known_5th = va[INDEX["finance"]] * b["finance"] + va[INDEX["ict"]] * b["ict"]
    b_rest = (tertiary_4th * b["tertiary"] - known_5th) / (tertiary_4th - known_4th)
    put(rest, b_rest, "assumption",
        f"the tertiary sector's bridge {b['tertiary']:.4f} less finance's and ICT's, shared by the other services "
        f"(no overlap of their own: the proportional fallback within them); tertiary overlap ratio "
        f"{measured['tertiary'][1]} {base}")
    scale = gdp_5th.value / float(va @ factors)
    factors = factors * scale
    rows = tuple({"sector": f"bridge.{k}", "year": BASE_YEAR, "value": float(factors[i]), "unit": "ratio",
                  "status": status[i],
                  "derivation": f"{how[i]}; every bridge x {scale:.5f} so that the sectors sum to the 5th-census "
                                f"GDP of {BASE_YEAR}"} for i, k in enumerate(KEYS))
    width = np.array([MEASURED_HALF_WIDTH if st == "derived" else FALLBACK_HALF_WIDTH for st in status])
    return Bridges(_frozen(factors), _frozen(factors * (1 - width)), _frozen(factors * (1 + width)), rows)


def _frozen(a) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.setflags(write=False)
    return a


def restated(va_2020: np.ndarray, bridges: Bridges) -> Mapping[str, float]:
    """The restated 2020 levels by sector key, for reading."""
    return dict(zip(KEYS, bridges.apply(va_2020)))

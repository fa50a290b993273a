"""Realized outcomes 2021-2025: the published record, read and checked once.

``model/data/realized.csv`` holds what Beijing's statistics published after the
plan (August 2021): GDP, its growth, sector value added, the high-tech shares,
revenues and the cluster count, each with its source, its vintage (which
release), the economic-census basis of that release, its status and how its
definition relates to the model's series.  :func:`load_realized` reads and checks
the file, reporting every problem with its line; :func:`realized_timeseries`
turns it into IAMC rows (model ``Beijing Statistics``) that sit beside a
projection in one pyam frame.

Vintage rule.  The fifth economic census (benchmark year 2023) revised the levels.
Every vintage of a figure is kept; none overwrites another.  Levels and shares
are compared within one basis: the IAMC rows put levels published on the 4th-census
basis (the model's own) under scenario ``published`` and levels on the revised basis
under ``published (5th census)`` (not ``realized``, the name of a model scenario).  Growth
rates compare like with like across the break, so every year's latest published rate goes to
``published``.

Nothing here is read by the calibration: the baseline knows only what was
published by mid-2021.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd

from ..baseline.data import FIGURE_COLUMNS, DataError, Figure, source_problems
from ..core.csvio import read_rows
from ..core.files import REALIZED_FILE
from ..core.iamc import (
    CLUSTER_VARIABLE,
    CROSS_CUTTING_SHARE,
    CROSS_CUTTING_VALUE_ADDED,
    DIGITAL_ECONOMY_SHARE,
    DIGITAL_ECONOMY_VALUE_ADDED,
    GDP,
    HIGHTECH_SHARE,
    HIGHTECH_VALUE_ADDED,
    IAMC_COLUMNS,
    NOMINAL,
    PHARMA_OF_MEDICINE,
    REAL_GDP_GROWTH,
    REAL_GDP_GROWTH_5Y,
    REGION,
    SCENARIO_4TH,
    SCENARIO_5TH,
    STATISTICS_MODEL,
)
from ..core.problems import Checker, Problem
from ..equations.revenue import SERIES

REALIZED_FILE_COLUMNS = FIGURE_COLUMNS + ("census_basis", "status", "definition")


RECORD_FIRST_YEAR, RECORD_LAST_YEAR = 2020, 2025
# Period -> the month after which its figures can first be published.  The one list of
# allowed periods: every period but ``annual`` is partial-year (a cumulative figure from
# January) and never reaches the IAMC rows.  Quarters name the statistics bureau's releases;
# ``Jan-May`` and ``Jan-Oct`` the industry bureau's cumulative revenue figures, published
# for those months.
PERIOD_END_MONTH = {"annual": 12, "Q1": 3, "Jan-May": 5, "H1": 6, "Q1-Q3": 9, "Jan-Oct": 10}
PERIODS = tuple(PERIOD_END_MONTH)
BASES = ("4th", "5th")
STATUSES = ("preliminary", "final", "revised")
SAME = "same"
# A definition starting with this marks a lower bound ("over X") of the series' own measure and scope; any
# other lower bound (another measure, a wider scope) bounds nothing of the series.
LOWER_BOUND_SAME = "lower bound of the same measure"


def same_measure(definition: str) -> bool:
    """True for a figure of the series' own measure and scope: a level (``same``) or a lower bound of it."""
    return definition == SAME or definition.startswith(LOWER_BOUND_SAME)


def bounds_the_year(o) -> bool:
    """True when figure ``o`` (an :class:`Outcome`) is a floor of its year's annual level of its series: an
    annual lower bound of the same measure, or a partial-year level of the same measure (a flow cumulated
    from January, 100 million CNY, is at most the year's; a partial-year share or rate bounds nothing)."""
    if o.period == "annual":
        return o.definition.startswith(LOWER_BOUND_SAME)
    return o.unit == LEVEL and same_measure(o.definition)
# The census basis follows the release, not the year described.  The first release found on
# the revised basis is the 2024 annual release (Jan 2025: its 2024 level and growth rate imply
# a 2023 level well above the one first published); releases up to Oct 2024 (Q1-Q3 2024)
# are still on the 4th-census basis.  The revision was published between the two, so a
# release of Dec 2024 may carry either basis.
CENSUS_BENCHMARK_YEAR = 2023
FIRST_5TH_RELEASE = date(2024, 12, 1)
ALL_5TH_FROM = date(2025, 1, 1)

LEVEL = "100 million CNY"
PERCENT = "%"
COUNT = "count"
# Key family (the part before the dot) -> the unit its figures must carry.
# growth5y: the compound average real growth of the five years ending in the year (a plan period)
FAMILIES = {"va": LEVEL, "revenue": LEVEL, "output": LEVEL, "growth": PERCENT, "growth5y": PERCENT, "share": PERCENT,
            "count": COUNT}
KEY_PATTERN = re.compile(r"^([a-z][a-z0-9]*)\.([a-z0-9_]+)$")
MONTHS = {m: i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1)}
RELEASE_PATTERN = re.compile(r"\b(" + "|".join(MONTHS) + r")[a-z]* (\d{4})\b")
YEAR_PATTERN = re.compile(r"\b(20\d\d)\b")

# Key -> IAMC variable for the series the model itself projects (same names and units as
# model.projection.indicators).  A row goes to the IAMC table only if it is annual and its definition
# is ``same``: it measures what the variable measures.
MODEL_VARIABLES = {
    "va.gdp": GDP,
    "growth.gdp": REAL_GDP_GROWTH,
    "growth5y.gdp": REAL_GDP_GROWTH_5Y,
    "va.primary": "Value Added|Agriculture",
    "va.construction": "Value Added|Construction",
    "va.finance": "Value Added|Finance",
    "va.ict": "Value Added|ICT Services",
    "va.scitech": "Value Added|Science and Technology Services",
    "va.wholesale_retail": "Value Added|Wholesale and Retail",
    "share.primary": "Share of GDP|Agriculture",
    "share.construction": "Share of GDP|Construction",
    "share.finance": "Share of GDP|Finance",
    "share.ict": "Share of GDP|ICT Services",
    "share.scitech": "Share of GDP|Science and Technology Services",
    "share.wholesale_retail": "Share of GDP|Wholesale and Retail",
    "va.hightech": HIGHTECH_VALUE_ADDED,
    "share.hightech": HIGHTECH_SHARE,
    "revenue.software_info": "Revenue|Software and Information Services",
    "revenue.ngit": "Revenue|New-generation IT",
    "revenue.medicine_health": "Revenue|Medicine and Health",
    "revenue.pharma_mfg": PHARMA_OF_MEDICINE,
    "revenue.ic": "Revenue|Integrated Circuits",
    "revenue.scitech": "Revenue|Science and Technology Services",
    "output.cars": "Gross Output|Cars",
    "revenue.ai": "Revenue|Artificial Intelligence",
    "revenue.green_energy": "Revenue|Green Energy and Low-carbon",
    "count.trillion_clusters": CLUSTER_VARIABLE,
}
# Key -> IAMC variable for published series the model does not report as such: groups of
# its sectors, real growth by sector, and the statistics bureau's own cross-cutting
# measures (under the cross-cutting roots, like the model's high-tech).  Their names differ from every
# model variable, so they are never read as one (and ``Value Added|X`` with one ``|`` still partitions GDP).
OTHER_VARIABLES = {
    "va.secondary": "Value Added (Group)|Secondary",
    "va.tertiary": "Value Added (Group)|Tertiary",
    "va.industry": "Value Added (Group)|Industry",
    "share.secondary": "Share of GDP (Group)|Secondary",
    "share.tertiary": "Share of GDP (Group)|Tertiary",
    "share.industry": "Share of GDP (Group)|Industry",
    "growth.primary": "Growth|Real Value Added|Agriculture",
    "growth.secondary": "Growth|Real Value Added (Group)|Secondary",
    "growth.tertiary": "Growth|Real Value Added (Group)|Tertiary",
    "growth.industry": "Growth|Real Value Added (Group)|Industry",
    "growth.construction": "Growth|Real Value Added|Construction",
    "growth.finance": "Growth|Real Value Added|Finance",
    "growth.ict": "Growth|Real Value Added|ICT Services",
    "growth.scitech": "Growth|Real Value Added|Science and Technology Services",
    "growth.wholesale_retail": "Growth|Real Value Added|Wholesale and Retail",
    "va.digital_economy": DIGITAL_ECONOMY_VALUE_ADDED,
    "share.digital_economy": DIGITAL_ECONOMY_SHARE,
    "va.hightech_industries_nbs": CROSS_CUTTING_VALUE_ADDED + "|High-tech Industries (NBS)",
    "share.hightech_industries_nbs": CROSS_CUTTING_SHARE + "|High-tech Industries (NBS)",
}


class RealizedDataError(DataError):
    """``realized.csv`` cannot be used; ``problems`` lists every reason, in line order."""


@dataclass(frozen=True, kw_only=True)
class Outcome(Figure):
    """One published figure of one release (vintage), as checked: the provenance fields of
    :class:`model.baseline.data.Figure` and what a realized figure adds (keyword arguments only)."""

    census_basis: str
    status: str
    definition: str
    released: date     # first day of the release month named in ``vintage`` (January if only a year)
    line: int          # line in the file, for messages

    @property
    def family(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def is_level(self) -> bool:
        """Levels and shares depend on the census basis; growth rates are compared across it."""
        return self.family != "growth"


class RealizedTable:
    """The checked outcomes, read-only, in file order."""

    def __init__(self, outcomes: Iterable[Outcome]):
        self._rows: tuple[Outcome, ...] = tuple(outcomes)
        by_key: dict[str, list[Outcome]] = {}
        for o in self._rows:                 # each key's rows, in file order: a lookup reads only its own
            by_key.setdefault(o.key, []).append(o)
        self._by_key = {k: tuple(v) for k, v in by_key.items()}

    @property
    def rows(self) -> tuple[Outcome, ...]:
        return self._rows

    def __iter__(self) -> Iterator[Outcome]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def select(self, key: str, period: str | None = "annual", basis: str | None = None) -> tuple[Outcome, ...]:
        """Every vintage of ``key`` (optionally one period and one census basis), in file order."""
        return tuple(o for o in self._by_key.get(key, ()) if (period is None or o.period == period)
                     and (basis is None or o.census_basis == basis))

    def latest(self, key: str, year: int, period: str = "annual", basis: str | None = None) -> Outcome | None:
        """The most recent release of ``key`` for ``year`` (within ``basis`` if given), or None."""
        found = [o for o in self.select(key, period, basis) if o.year == year]
        return max(found, key=recency) if found else None

    def frame(self) -> pd.DataFrame:
        """A fresh DataFrame of the table (the file's columns plus ``released`` and ``line``)."""
        return pd.DataFrame([o.__dict__ for o in self._rows],
                            columns=list(REALIZED_FILE_COLUMNS) + ["released", "line"])


def recency(o: Outcome) -> tuple:
    """Sort key of the releases of one figure: the later release, then the more final status, then the later line."""
    return (o.released, STATUSES.index(o.status), o.line)


def _release_date(vintage: str) -> date | None:
    """The release month named in ``vintage`` ('Mar 2022'), or January of the last year named
    when the source gives no month; None if it names neither."""
    found = RELEASE_PATTERN.search(vintage)
    if found:
        return date(int(found.group(2)), MONTHS[found.group(1)[:3]], 1)
    years = YEAR_PATTERN.findall(vintage)
    return date(int(years[-1]), 1, 1) if years else None


def _check_row(file: str, line: int, row: dict[str, str]) -> tuple[Outcome | None, list[Problem]]:
    """One row -> its Outcome, or None with the problems found (every one, not the first)."""
    c = Checker(file, {(): line})
    text = {k: (v or "").strip() for k, v in row.items()}
    for col in ("key", "publisher", "document", "vintage", "note", "definition"):
        if not text[col]:
            c.error((col,), f"empty {col}: every figure needs it" + (" (write 'same' when the figure measures "
                                                                    "what the model's series measures)"
                                                                    if col == "definition" else ""))
    key = text["key"]
    match = KEY_PATTERN.match(key)
    family = None
    if key and not match:
        c.error(("key",), f"got {key!r}; expected '<family>.<name>' in lower case, e.g. 'va.gdp'")
    elif match:
        family = match.group(1)
        if not c.choice(("key",), family, tuple(FAMILIES), "key family"):
            family = None

    year = None
    try:
        year = int(text["year"])
    except ValueError:
        c.error(("year",), f"got {text['year']!r}; expected a whole year in [{RECORD_FIRST_YEAR}, {RECORD_LAST_YEAR}]")
    if year is not None and not RECORD_FIRST_YEAR <= year <= RECORD_LAST_YEAR:
        c.error(("year",), f"got {year}; expected a year in [{RECORD_FIRST_YEAR}, {RECORD_LAST_YEAR}]")
        year = None

    period_ok = c.choice(("period",), text["period"], PERIODS, "period")
    unit_ok = c.choice(("unit",), text["unit"], tuple(sorted(set(FAMILIES.values()))), "unit")
    if unit_ok and family and text["unit"] != FAMILIES[family]:
        c.error(("unit",), f"got {text['unit']!r} for a '{family}' key; expected {FAMILIES[family]!r}")
        unit_ok = False

    value = None
    try:
        value = float(text["value"])
        if not math.isfinite(value):
            raise ValueError
    except ValueError:
        c.error(("value",), f"got {text['value']!r}; expected a finite number")
        value = None
    if value is not None and unit_ok:
        unit = text["unit"]
        if unit == LEVEL and value <= 0:
            c.error(("value",), f"got {value:g}; a level in {LEVEL} must be positive")
        elif unit == COUNT and (value < 0 or not value.is_integer()):
            c.error(("value",), f"got {value:g}; a count must be a whole number >= 0")
        elif family == "share" and not 0 < value <= 100:
            c.error(("value",), f"got {value:g}; a share of GDP must lie in (0, 100] %")
        elif family == "growth" and value <= -100:
            c.error(("value",), f"got {value:g}; a growth rate must be above -100 %")

    text.setdefault("mirror", "")      # optional for rows built in code; the file always has the column
    for col, message in source_problems(text["document"], text["url"], text["mirror"]):
        c.error((col,), message)

    basis_ok = c.choice(("census_basis",), text["census_basis"], BASES, "census basis")
    status_ok = c.choice(("status",), text["status"], STATUSES, "status")
    if status_ok and text["vintage"] and text["status"] not in text["vintage"]:
        c.error(("vintage",), f"{text['vintage']!r} does not say the status {text['status']!r}; "
                              "write it in the vintage text too, e.g. 'preliminary: 2021 communique, Mar 2022'")
    released = _release_date(text["vintage"])
    if text["vintage"] and released is None:
        c.error(("vintage",), f"{text['vintage']!r} names no release month or year; expected e.g. 'Mar 2022'")
    elif released is not None and year is not None and period_ok \
            and (released.year, released.month) <= (year, PERIOD_END_MONTH[text["period"]]):
        c.error(("vintage",), f"released {released:%b %Y}, before the {text['period']} {year} figures "
                              "could be known")
    if basis_ok and released is not None:
        if text["census_basis"] == "5th" and released < FIRST_5TH_RELEASE:
            c.error(("census_basis",), f"got '5th' for a release of {released:%b %Y}, before the 5th census "
                                       "revision was published")
        if text["census_basis"] == "4th" and released >= ALL_5TH_FROM:
            c.error(("census_basis",), f"got '4th' for a release of {released:%b %Y}; releases from "
                                       f"{ALL_5TH_FROM:%b %Y} on are on the 5th-census basis")
    if basis_ok and status_ok and year is not None and text["census_basis"] == "5th" \
            and year <= CENSUS_BENCHMARK_YEAR and text["status"] != "revised":
        c.error(("status",), f"got {text['status']!r}: a {year} figure on the 5th-census basis restates "
                             "an earlier release, so its status is 'revised'")
    if c.problems:
        return None, c.problems
    return Outcome(key=key, year=year, period=text["period"], value=value, unit=text["unit"],
                   publisher=text["publisher"], document=text["document"], url=text["url"],
                   mirror=text["mirror"], vintage=text["vintage"], note=text["note"],
                   census_basis=text["census_basis"], status=text["status"], definition=text["definition"],
                   released=released, line=line), []


# Plausibility against the neighbours: a level, share or count more than this factor away from every
# figure of the same key and period within NEIGHBOUR_YEARS years (else in the nearest years) is a problem,
# and so is a growth rate above GROWTH_MAX (the record's largest, high-tech manufacturing in 2021, is 110 %).
NEIGHBOUR_FACTOR = 3.0
NEIGHBOUR_YEARS = 2
GROWTH_MAX = 200.0


def neighbour_problems(outcomes: Iterable[Outcome], file: str = REALIZED_FILE.name) -> list[Problem]:
    """Figures implausible beside their neighbours, each at its line: a level, share or count more than
    :data:`NEIGHBOUR_FACTOR` away from every other figure of its key and period within
    :data:`NEIGHBOUR_YEARS` years (where there is none, in the nearest earlier and later years with one): a
    level typed 10,000 times too large, a share written as a fraction; and a growth rate above
    :data:`GROWTH_MAX` %.  A figure alone in its series is not compared; of two figures off from each other
    and from nothing else, the one on the later line is named."""
    outcomes = list(outcomes)
    problems = []
    series: dict[tuple[str, str], list[Outcome]] = {}
    for o in outcomes:
        if o.family == "growth":
            if o.value > GROWTH_MAX:
                problems.append(Problem(file, o.line, "value", f"growth of {o.value:g} % in {o.year} is above "
                                                               f"{GROWTH_MAX:g} %: check the number"))
        elif o.value > 0:
            series.setdefault((o.key, o.period), []).append(o)
    reported: set[frozenset[int]] = set()
    for (key, period), figures in series.items():
        years = sorted({o.year for o in figures})
        for o in sorted(figures, key=lambda f: -f.line):    # of two figures off from each other: the later line
            neighbours = [n for n in figures if n is not o and abs(n.year - o.year) <= NEIGHBOUR_YEARS]
            if not neighbours:                              # none close by: the nearest earlier and later years
                i = years.index(o.year)
                near = {years[i - 1] if i else None, years[i + 1] if i + 1 < len(years) else None}
                neighbours = [n for n in figures if n.year in near]
            if neighbours and all(max(o.value / n.value, n.value / o.value) > NEIGHBOUR_FACTOR for n in neighbours):
                closest = min(neighbours, key=lambda n: abs(math.log(o.value / n.value)))
                if frozenset((o.line, closest.line)) in reported:
                    continue
                reported.add(frozenset((o.line, closest.line)))
                problems.append(Problem(file, o.line, "value", (
                    f"{o.value:,.6g} {o.unit} ({key}, {period} {o.year}) is {o.value / closest.value:,.3g} times "
                    f"the nearest figure of the series, {closest.value:,.6g} on line {closest.line} "
                    f"({closest.year}); more than {NEIGHBOUR_FACTOR:g} times off: check the number and its unit")))
    return problems


def check_rows(rows: Iterable[tuple[int, dict[str, str]]], file: str = REALIZED_FILE.name
               ) -> tuple[tuple[Outcome, ...], tuple[Problem, ...]]:
    """Check rows of the realized file, each with its line: the outcomes that passed and every problem found.

    A problem names its line and column; duplicates (same key, year, period and vintage)
    name both lines; a figure implausible beside its neighbours (:func:`neighbour_problems`) is a problem
    too.
    """
    outcomes, problems = [], []
    seen: dict[tuple, int] = {}
    for line, row in rows:
        outcome, found = _check_row(file, line, row)
        problems.extend(found)
        ident = tuple((row.get(c) or "").strip() for c in ("key", "year", "period", "vintage"))
        if ident in seen:
            problems.append(Problem(file, line, "key", f"duplicate of line {seen[ident]}: the same key, year, "
                                                       "period and vintage; keep one row per release"))
        else:
            seen[ident] = line
            if outcome is not None:
                outcomes.append(outcome)
    problems.extend(neighbour_problems(outcomes, file))
    return tuple(outcomes), tuple(problems)


def load_realized(path: Path | str = REALIZED_FILE) -> RealizedTable:
    """Read and check the realized file; raise :class:`RealizedDataError` listing every problem."""
    path = Path(path)
    rows, problems = read_rows(path, REALIZED_FILE_COLUMNS)
    if problems:
        raise RealizedDataError(problems)
    outcomes, problems = check_rows(((r.line, r.values) for r in rows), path.name)
    problems = [p for r in rows for p in r.problems] + list(problems)
    if problems:
        raise RealizedDataError(problems)
    return RealizedTable(outcomes)


@lru_cache(maxsize=None)
def realized_table() -> RealizedTable:
    """The project's realized outcomes (read once per process)."""
    return load_realized(REALIZED_FILE)


def realized_key(series: str) -> str:
    """The key of ``realized.csv`` whose IAMC variable is the variable of revenue ``series``
    (:data:`model.equations.revenue.SERIES`)."""
    variable = {s.key: s.variable for s in SERIES}[series]
    return next(k for k, v in MODEL_VARIABLES.items() if v == variable)


def variable(key: str) -> str | None:
    """The IAMC variable of a key, or None if the key has none."""
    return MODEL_VARIABLES.get(key) or OTHER_VARIABLES.get(key)


def iamc_reason_left_out(o: Outcome) -> str | None:
    """Why an outcome is not among the IAMC rows, or None if it is."""
    if o.period != "annual":
        return f"partial year ({o.period})"
    if variable(o.key) is None:
        return "no IAMC variable for this key"
    if o.definition != SAME:
        return "definition differs from the series' (see its definition column)"
    return None


def scenario_of(o: Outcome) -> str:
    """Growth rates go to ``published`` whatever their basis; levels and shares by their basis."""
    if not o.is_level or o.census_basis == "4th":
        return SCENARIO_4TH
    return SCENARIO_5TH


def realized_timeseries(table: RealizedTable | None = None) -> pd.DataFrame:
    """The realized series as IAMC rows: ``model, scenario, region, variable, unit, year, value``.

    Model ``Beijing Statistics``.  Per scenario, variable and year one value: the most
    recent release among the eligible rows (annual, with an IAMC variable and a
    definition that is ``same``).  Growth rates: scenario ``published``,
    latest release whatever its basis.  Levels, shares, revenues and counts: scenario
    ``published`` for the 4th-census basis, ``published (5th census)`` for the revised basis.
    """
    table = realized_table() if table is None else table
    best: dict[tuple[str, str, int], Outcome] = {}
    for o in table:
        if iamc_reason_left_out(o) is not None:
            continue
        ident = (scenario_of(o), variable(o.key), o.year)
        if ident not in best or recency(o) > recency(best[ident]):
            best[ident] = o
    # an annual level is a flow per year, in the unit of the projected series (NOMINAL)
    records = [{"model": STATISTICS_MODEL, "scenario": s, "region": REGION, "variable": v,
                "unit": NOMINAL if o.unit == LEVEL else o.unit,
                "year": y, "value": o.value} for (s, v, y), o in best.items()]
    df = pd.DataFrame.from_records(records, columns=list(IAMC_COLUMNS))
    df = df.sort_values(["scenario", "variable", "year"], kind="stable").reset_index(drop=True)
    df["year"] = df["year"].astype(int)
    return df

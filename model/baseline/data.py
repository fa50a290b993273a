"""Sourced figures and labelled assumptions, read and checked once from ``model/data``.

Every figure carries its publisher, document, URL, vintage and unit
(``figures.csv``); every number no source gives is an assumption with a plausible
range and the results it affects (``assumptions.csv``); the revenue layer's
parameters carry a range, a status and a source (``revenue_links.csv``).  Each
reader checks every row and collects every problem with its file and line
(:class:`model.core.problems.Problem`); :class:`DataError` reports them together.
"""
from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Iterator, Mapping
from urllib.parse import urlsplit

from ..core.csvio import read_rows
from ..core.files import (
    ASSUMPTIONS_2025_FILE,
    ASSUMPTIONS_FILE,
    DATA_DIR,
    FIGURES_FILE,
    REVENUE_LINKS_FILE,
    SATELLITE_HISTORY_FILE,
    SATELLITES_FILE,
)
from ..core.problems import Checker, Problem, ProblemsError

UNITS = frozenset({"100 million CNY", "%", "pp"})
ASSUMPTION_UNITS = UNITS | {"years"}
PERIODS = frozenset({"annual", "H1", "Q1-Q3"})
FIGURE_COLUMNS = ("key", "year", "period", "value", "unit", "publisher", "document", "url", "mirror", "vintage",
                  "note")
ASSUMPTION_COLUMNS = ("key", "value", "low", "high", "unit", "basis", "affects")
REVENUE_LINK_COLUMNS = ("key", "value", "low", "high", "unit", "status", "basis", "source")
REVENUE_LINK_UNITS = frozenset({"100 million CNY", "dimensionless"})
STATUSES = frozenset({"published", "derived", "assumption"})
SATELLITE_COLUMNS = ("key", "value", "low", "high", "sd", "unit", "status", "basis", "source")
SATELLITE_STATUSES = STATUSES | {"fitted"}
HISTORY_COLUMNS = FIGURE_COLUMNS + ("census_basis",)
HISTORY_BASES = frozenset({"2nd", "3rd", "4th", "5th", "n/a"})

# Where a source's web page lives.  A page on a government host (any ``*.gov.cn``: the statistics bureaus,
# the municipal government's sites in every language, its bureaus, www.gov.cn) or of the official press
# (Xinhua, People's Daily) is the publisher's own page or the government's official copy of it; any other
# host is a repost or a secondary report of the release.
GOVERNMENT, OFFICIAL_PRESS = "government", "official press"
OFFICIAL_PRESS_HOSTS = ("xinhuanet.com", "news.cn", "people.com.cn", "people.cn")
# Words by which a document says that its url is not the publisher's page: a copy of the release on
# another site ("repost"), a press article about it ("report", "summary") or a third party citing it ("via").
SECONDARY = re.compile(r"\b(repost|report|summary|via)\b", re.IGNORECASE)
REPOST = re.compile(r"\brepost\b", re.IGNORECASE)
YEAR = re.compile(r"\b(19|20)\d\d\b")


def web_address(text: str) -> bool:
    """Whether ``text`` is an http(s) address with a host."""
    return text.startswith(("http://", "https://")) and bool(urlsplit(text).hostname)


def official_kind(url: str) -> str | None:
    """:data:`GOVERNMENT` or :data:`OFFICIAL_PRESS` for a page on such a host, else None."""
    host = (urlsplit(url).hostname or "").lower() if web_address(url) else ""
    if host == "gov.cn" or host.endswith(".gov.cn"):
        return GOVERNMENT
    if any(host == h or host.endswith("." + h) for h in OFFICIAL_PRESS_HOSTS):
        return OFFICIAL_PRESS
    return None


def source_problems(document: str, url: str, mirror: str, secondary_named: bool = True) -> list[tuple[str, str]]:
    """``(column, message)`` for each way a source's ``document``, ``url`` and ``mirror`` break the rule:

    - ``url`` is a web address; ``mirror`` is empty or a web address other than ``url``;
    - with a ``mirror``, ``url`` is the original: a page on a government or official-press host
      (:func:`official_kind`), and ``document`` names the original, with its year, not a repost;
    - without one (``secondary_named``), a ``url`` on any other host is a repost or secondary report,
      and ``document`` says so (repost, report, summary or via in its last comma-separated part).
    """
    out = []
    if not web_address(url):
        out.append(("url", f"got {url!r}; expected the web address of the source (http:// or https://)"))
    if mirror and not web_address(mirror):
        out.append(("mirror", f"got {mirror!r}; expected empty or the web address of a repost"))
    elif mirror and mirror == url:
        out.append(("mirror", "is the url itself; leave it empty when no other copy is cited"))
    elif mirror and web_address(url):
        if official_kind(url) is None:
            out.append(("url", f"{urlsplit(url).hostname} is not a government or official-press host; with a "
                               "mirror, the url is the publisher's own page (else put the repost in url, "
                               "leave mirror empty and say 'repost' in document)"))
        if REPOST.search(document):
            out.append(("document", f"{document!r} says 'repost', but with a mirror the url is the original: "
                                    "name the original's title and date"))
        if not YEAR.search(document):
            out.append(("document", f"{document!r} names no date; with a mirror it names the original's "
                                    "title and date"))
    elif secondary_named and web_address(url) and official_kind(url) is None \
            and not SECONDARY.search(document.rsplit(",", 1)[-1]):
        out.append(("document", f"{document!r}: the url is on {urlsplit(url).hostname}, not the publisher's "
                                "page; say what it is (e.g. '<title> (<date>), repost')"))
    return out


class DataError(ProblemsError):
    """A data file under ``model/data`` cannot be used; ``problems`` lists every reason
    (:class:`~model.core.problems.Problem`: file, line, message), in line order."""


@dataclass(frozen=True)
class Figure:
    key: str
    year: int
    period: str
    value: float
    unit: str
    publisher: str
    document: str
    url: str
    vintage: str
    note: str
    mirror: str = ""     # a repost of the same document beside the publisher's page in ``url``, or ""


@dataclass(frozen=True)
class Assumption:
    key: str
    value: float
    low: float
    high: float
    unit: str
    basis: str
    affects: str


@dataclass(frozen=True)
class RevenueLink:
    """One parameter of the revenue layer (:mod:`model.equations.revenue`): a 2020 base level,
    an elasticity or a link weight, with its range, status and source."""

    key: str
    value: float
    low: float
    high: float
    unit: str
    status: str
    basis: str
    source: str


@dataclass(frozen=True)
class SatelliteParameter:
    """One parameter of the satellite series (:mod:`model.equations.satellite`): an elasticity, a link
    weight or a level factor, with its range, the standard deviation of its draws (0: drawn triangular over
    the range, or not at all when the range is a point), its status and source."""

    key: str
    value: float
    low: float
    high: float
    sd: float
    unit: str
    status: str
    basis: str
    source: str


@dataclass(frozen=True)
class HistoryFigure(Figure):
    """A figure of the satellites' published history, with the census basis of the GDP it refers to
    (``n/a`` for a figure no census revises, such as R&D spending or budget revenue)."""

    census_basis: str = "n/a"


class Figures:
    """Read-only collection of sourced figures, looked up by ``(key, year, period)``."""

    def __init__(self, figures: tuple[Figure, ...]):
        index: dict[tuple[str, int, str], Figure] = {}
        for f in figures:
            ident = (f.key, f.year, f.period)
            if ident in index:
                raise DataError([Problem(FIGURES_FILE.name, None, "", f"duplicate figure {ident}")])
            index[ident] = f
        self._index = MappingProxyType(index)
        self.all = figures

    def get(self, key: str, year: int, period: str = "annual") -> Figure:
        try:
            return self._index[(key, year, period)]
        except KeyError:
            raise DataError([Problem(FIGURES_FILE.name, None, "", f"no figure {key!r} for {year} ({period})")]) \
                from None

    def value(self, key: str, year: int, period: str = "annual") -> float:
        return self.get(key, year, period).value

    def select(self, prefix: str) -> tuple[Figure, ...]:
        """All figures whose key starts with ``prefix``, in file order."""
        return tuple(f for f in self.all if f.key.startswith(prefix))


def _read_rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[Checker, dict[str, str]]]:
    """Each row of a CSV file with ``columns`` (:func:`model.core.csvio.read_rows`), with a
    :class:`~model.core.problems.Checker` placed at the line where it starts; a row with more or fewer
    fields than columns is a problem of its own.  A file that cannot be read as such a table raises
    :class:`DataError` with its line."""
    rows, problems = read_rows(path, columns)
    if problems:
        raise DataError(problems)
    for row in rows:
        c = Checker(path.name, {(): row.line})
        c.problems.extend(row.problems)
        yield c, row.values


def _number(c: Checker, column: str, text: str) -> float | None:
    """``text`` as a finite number, or None with a problem."""
    try:
        x = float(text)
    except ValueError:
        c.error((), f"{column} {text!r} is not a number")
        return None
    if not math.isfinite(x):
        c.error((), f"{column} {text!r} is not finite")
        return None
    return x


def _year(c: Checker, text: str) -> int | None:
    """``text`` as a whole year, or None with a problem."""
    x = _number(c, "year", text)
    if x is not None and not x.is_integer():
        c.error((), f"year {text!r} is not a whole year")
        return None
    return None if x is None else int(x)


def _raise_if(problems: list[Problem]) -> None:
    if problems:
        raise DataError(problems)


def read_figures(path: Path = FIGURES_FILE) -> Figures:
    """Parse and check ``figures.csv``: numbers, units, periods, a source on every row (its url and
    mirror by :func:`source_problems`) and one row per key, year and period.  Raises
    :class:`DataError` listing every problem."""
    out, problems, seen = [], [], {}
    for c, row in _read_rows(path, FIGURE_COLUMNS):
        for col in ("key", "publisher", "document", "url", "vintage", "note"):
            if not row[col].strip():
                c.error((), f"empty {col}")
        if row["unit"] not in UNITS:
            c.error((), f"unit {row['unit']!r} not in {sorted(UNITS)}")
        if row["period"] not in PERIODS:
            c.error((), f"period {row['period']!r} not in {sorted(PERIODS)}")
        url, mirror = row["url"].strip(), row["mirror"].strip()
        if url and not web_address(url):
            c.error((), f"url {row['url']!r} is not a web address")
        for col, message in source_problems(row["document"], url, mirror):
            if col != "url" or web_address(url):          # a missing or malformed url is reported above
                c.error((), f"{col}: {message}")
        year, value = _year(c, row["year"]), _number(c, "value", row["value"])
        line = c.lines[()]
        ident = (row["key"], year, row["period"])
        if ident in seen:
            c.error((), f"duplicate figure {ident}: the same key, year and period as line {seen[ident]}")
        else:
            seen[ident] = line
        problems += c.problems
        if not c.problems:
            out.append(Figure(key=row["key"], year=year, period=row["period"], value=value, unit=row["unit"],
                              publisher=row["publisher"], document=row["document"], url=row["url"],
                              mirror=mirror, vintage=row["vintage"], note=row["note"]))
    _raise_if(problems)
    return Figures(tuple(out))


def _ranged_rows(path: Path, columns: tuple[str, ...], units: frozenset[str],
                 more: Callable[[Checker, dict[str, str]], None] | None = None):
    """Rows of a file of ranged values: ``(line, row, value, low, high)`` each, checked for a
    number in its range, a known unit, a basis and a unique key (and by ``more``, which
    records further problems of a row on its checker).  The good rows are yielded; when
    the file is exhausted, :class:`DataError` lists every problem found, if any."""
    seen, problems = {}, []
    for c, row in _read_rows(path, columns):
        value, low, high = (_number(c, col, row[col]) for col in ("value", "low", "high"))
        if value is not None and low is not None and high is not None and not low <= value <= high:
            c.error((), f"value {value} outside its range [{low}, {high}]")
        if row["unit"] not in units:
            c.error((), f"unit {row['unit']!r} not in {sorted(units)}")
        if not row["basis"].strip():
            c.error((), "a value needs its basis")
        line = c.lines[()]
        if row["key"] in seen:
            c.error((), f"duplicate key {row['key']!r}: also on line {seen[row['key']]}")
        else:
            seen[row["key"]] = line
        if more is not None:
            more(c, row)
        problems += c.problems
        if not c.problems:
            yield line, row, value, low, high
    _raise_if(problems)


def read_assumptions(path: Path = ASSUMPTIONS_FILE) -> Mapping[str, Assumption]:
    """Parse and check ``assumptions.csv``: each central value lies inside its range.
    Raises :class:`DataError` listing every problem."""
    out = {row["key"]: Assumption(row["key"], value, low, high, row["unit"], row["basis"], row["affects"])
           for _, row, value, low, high in _ranged_rows(path, ASSUMPTION_COLUMNS, ASSUMPTION_UNITS)}
    return MappingProxyType(out)


def _revenue_link_row(c: Checker, row: dict[str, str]) -> None:
    if row["status"] not in STATUSES:
        c.error((), f"status {row['status']!r} not in {sorted(STATUSES)}")
    if not row["source"].strip():
        c.error((), "empty source (write 'assumption' for an assumption)")


def read_revenue_links(path: Path = REVENUE_LINKS_FILE) -> Mapping[str, RevenueLink]:
    """Parse and check ``revenue_links.csv``: ranges, units, a status and a source on every row.
    Raises :class:`DataError` listing every problem."""
    out = {}
    for _, row, value, low, high in _ranged_rows(path, REVENUE_LINK_COLUMNS, REVENUE_LINK_UNITS,
                                                 _revenue_link_row):
        out[row["key"]] = RevenueLink(row["key"], value, low, high, row["unit"], row["status"],
                                      row["basis"], row["source"])
    return MappingProxyType(out)


def _satellite_row(c: Checker, row: dict[str, str]) -> None:
    if row["status"] not in SATELLITE_STATUSES:
        c.error((), f"status {row['status']!r} not in {sorted(SATELLITE_STATUSES)}")
    if not row["source"].strip():
        c.error((), "empty source (write 'assumption' for an assumption)")
    sd = _number(c, "sd", row["sd"])
    if sd is not None and sd < 0:
        c.error((), f"sd {sd:g} is negative")


def read_satellites(path: Path = SATELLITES_FILE) -> Mapping[str, SatelliteParameter]:
    """Parse and check ``satellites.csv`` as ``revenue_links.csv`` is checked (ranges, units, a status and
    a source on every row), and the ``sd`` of every drawn parameter (not negative).  Raises
    :class:`DataError` listing every problem."""
    out = {}
    for _, row, value, low, high in _ranged_rows(path, SATELLITE_COLUMNS, REVENUE_LINK_UNITS, _satellite_row):
        out[row["key"]] = SatelliteParameter(row["key"], value, low, high, float(row["sd"]), row["unit"],
                                             row["status"], row["basis"], row["source"])
    return MappingProxyType(out)


def read_history(path: Path = SATELLITE_HISTORY_FILE) -> tuple[HistoryFigure, ...]:
    """Parse and check ``satellite_history.csv`` like ``figures.csv`` (numbers, units, the source rule of
    :func:`source_problems`, one row per key, year and census basis) plus its ``census_basis``; annual figures
    only.  Raises :class:`DataError` listing every problem."""
    out, problems, seen = [], [], {}
    for c, row in _read_rows(path, HISTORY_COLUMNS):
        for col in ("key", "publisher", "document", "url", "vintage", "note"):
            if not row[col].strip():
                c.error((), f"empty {col}")
        if row["unit"] not in UNITS:
            c.error((), f"unit {row['unit']!r} not in {sorted(UNITS)}")
        if row["period"] != "annual":
            c.error((), f"period {row['period']!r}: the history holds annual figures only")
        if row["census_basis"] not in HISTORY_BASES:
            c.error((), f"census_basis {row['census_basis']!r} not in {sorted(HISTORY_BASES)}")
        url, mirror = row["url"].strip(), row["mirror"].strip()
        for col, message in source_problems(row["document"], url, mirror):
            c.error((), f"{col}: {message}")
        year, value = _year(c, row["year"]), _number(c, "value", row["value"])
        ident = (row["key"], year, row["census_basis"])
        if ident in seen:
            c.error((), f"duplicate figure {ident}: the same key, year and basis as line {seen[ident]}")
        else:
            seen[ident] = c.lines[()]
        problems += c.problems
        if not c.problems:
            out.append(HistoryFigure(key=row["key"], year=year, period=row["period"], value=value, unit=row["unit"],
                                     publisher=row["publisher"], document=row["document"], url=url, mirror=mirror,
                                     vintage=row["vintage"], note=row["note"], census_basis=row["census_basis"]))
    _raise_if(problems)
    return tuple(out)


@lru_cache(maxsize=None)
def satellites() -> Mapping[str, SatelliteParameter]:
    """The satellite series' parameters (read once per process)."""
    return read_satellites(SATELLITES_FILE)


@lru_cache(maxsize=None)
def history() -> tuple[HistoryFigure, ...]:
    """The satellites' published history (read once per process)."""
    return read_history(SATELLITE_HISTORY_FILE)


@lru_cache(maxsize=None)
def figures() -> Figures:
    """The project's sourced figures (read once per process)."""
    return read_figures(FIGURES_FILE)


@lru_cache(maxsize=None)
def assumptions() -> Mapping[str, Assumption]:
    """The project's labelled assumptions (read once per process)."""
    return read_assumptions(ASSUMPTIONS_FILE)


@lru_cache(maxsize=None)
def assumptions_2025() -> Mapping[str, Assumption]:
    """The labelled assumptions of the 2025 jump-off, ``assumptions_2025.csv`` (read once per process)."""
    return read_assumptions(ASSUMPTIONS_2025_FILE)


@lru_cache(maxsize=None)
def revenue_links() -> Mapping[str, RevenueLink]:
    """The revenue layer's default parameters (read once per process)."""
    return read_revenue_links(REVENUE_LINKS_FILE)


def file_hashes() -> dict[str, str]:
    """SHA-256 of every data file, for the run record."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(DATA_DIR.glob("*.csv"))}

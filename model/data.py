"""Sourced figures and labelled assumptions, read once from ``model/data``.

Every figure carries its publisher, document, URL, vintage and unit
(``figures.csv``); every number no source gives is an assumption with a plausible
range and the results it affects (``assumptions.csv``).
"""
from __future__ import annotations

import csv
import hashlib
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

DATA_DIR = Path(__file__).resolve().parent / "data"
FIGURES_FILE = DATA_DIR / "figures.csv"
ASSUMPTIONS_FILE = DATA_DIR / "assumptions.csv"
REVENUE_LINKS_FILE = DATA_DIR / "revenue_links.csv"

UNITS = frozenset({"100 million CNY", "%", "pp"})
ASSUMPTION_UNITS = UNITS | {"years"}
PERIODS = frozenset({"annual", "H1", "Q1-Q3"})
FIGURE_COLUMNS = ("key", "year", "period", "value", "unit", "publisher", "document", "url", "vintage", "note")
ASSUMPTION_COLUMNS = ("key", "value", "low", "high", "unit", "basis", "affects")
REVENUE_LINK_COLUMNS = ("key", "value", "low", "high", "unit", "status", "basis", "source")
REVENUE_LINK_UNITS = frozenset({"100 million CNY", "dimensionless"})
STATUSES = frozenset({"published", "derived", "assumption"})


class DataError(ValueError):
    """A data file under ``model/data`` is malformed."""


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
    """One parameter of the revenue layer (:mod:`model.revenue`): a 2020 base level,
    an elasticity or a link weight, with its range, status and source."""

    key: str
    value: float
    low: float
    high: float
    unit: str
    status: str
    basis: str
    source: str


class Figures:
    """Read-only collection of sourced figures, looked up by ``(key, year, period)``."""

    def __init__(self, figures: tuple[Figure, ...]):
        index: dict[tuple[str, int, str], Figure] = {}
        for f in figures:
            ident = (f.key, f.year, f.period)
            if ident in index:
                raise DataError(f"{FIGURES_FILE.name}: duplicate figure {ident}")
            index[ident] = f
        self._index = MappingProxyType(index)
        self.all = figures

    def get(self, key: str, year: int, period: str = "annual") -> Figure:
        try:
            return self._index[(key, year, period)]
        except KeyError:
            raise DataError(f"{FIGURES_FILE.name}: no figure {key!r} for {year} ({period})") from None

    def value(self, key: str, year: int, period: str = "annual") -> float:
        return self.get(key, year, period).value

    def select(self, prefix: str) -> tuple[Figure, ...]:
        """All figures whose key starts with ``prefix``, in file order."""
        return tuple(f for f in self.all if f.key.startswith(prefix))


def _read_rows(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != columns:
            raise DataError(f"{path.name}: columns {reader.fieldnames} != {list(columns)}")
        return list(reader)


def _number(path: Path, line: int, column: str, text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise DataError(f"{path.name}:{line}: {column} {text!r} is not a number") from None
    if not math.isfinite(x):
        raise DataError(f"{path.name}:{line}: {column} {text!r} is not finite")
    return x


def read_figures(path: Path = FIGURES_FILE) -> Figures:
    """Parse and check ``figures.csv``: numbers, units, periods, and a source on every row."""
    out = []
    for line, row in enumerate(_read_rows(path, FIGURE_COLUMNS), start=2):
        for col in ("key", "publisher", "document", "url", "vintage", "note"):
            if not row[col].strip():
                raise DataError(f"{path.name}:{line}: empty {col}")
        if row["unit"] not in UNITS:
            raise DataError(f"{path.name}:{line}: unit {row['unit']!r} not in {sorted(UNITS)}")
        if row["period"] not in PERIODS:
            raise DataError(f"{path.name}:{line}: period {row['period']!r} not in {sorted(PERIODS)}")
        if not row["url"].startswith(("http://", "https://")):
            raise DataError(f"{path.name}:{line}: url {row['url']!r} is not a web address")
        out.append(Figure(
            key=row["key"], year=int(_number(path, line, "year", row["year"])), period=row["period"],
            value=_number(path, line, "value", row["value"]), unit=row["unit"],
            publisher=row["publisher"], document=row["document"], url=row["url"],
            vintage=row["vintage"], note=row["note"],
        ))
    return Figures(tuple(out))


def _ranged_rows(path: Path, columns: tuple[str, ...], units: frozenset[str]):
    """Rows of a file of ranged values: ``(row, value, low, high)`` each, checked for a
    number in its range, a known unit, a basis and a unique key."""
    seen = set()
    for line, row in enumerate(_read_rows(path, columns), start=2):
        value, low, high = (_number(path, line, c, row[c]) for c in ("value", "low", "high"))
        if not low <= value <= high:
            raise DataError(f"{path.name}:{line}: value {value} outside its range [{low}, {high}]")
        if row["unit"] not in units:
            raise DataError(f"{path.name}:{line}: unit {row['unit']!r} not in {sorted(units)}")
        if not row["basis"].strip():
            raise DataError(f"{path.name}:{line}: a value needs its basis")
        if row["key"] in seen:
            raise DataError(f"{path.name}:{line}: duplicate key {row['key']!r}")
        seen.add(row["key"])
        yield line, row, value, low, high


def read_assumptions(path: Path = ASSUMPTIONS_FILE) -> Mapping[str, Assumption]:
    """Parse and check ``assumptions.csv``: each central value lies inside its range."""
    out = {row["key"]: Assumption(row["key"], value, low, high, row["unit"], row["basis"], row["affects"])
           for _, row, value, low, high in _ranged_rows(path, ASSUMPTION_COLUMNS, ASSUMPTION_UNITS)}
    return MappingProxyType(out)


def read_revenue_links(path: Path = REVENUE_LINKS_FILE) -> Mapping[str, RevenueLink]:
    """Parse and check ``revenue_links.csv``: ranges, units, a status and a source on every row."""
    out = {}
    for line, row, value, low, high in _ranged_rows(path, REVENUE_LINK_COLUMNS, REVENUE_LINK_UNITS):
        if row["status"] not in STATUSES:
            raise DataError(f"{path.name}:{line}: status {row['status']!r} not in {sorted(STATUSES)}")
        if not row["source"].strip():
            raise DataError(f"{path.name}:{line}: empty source (write 'assumption' for an assumption)")
        out[row["key"]] = RevenueLink(row["key"], value, low, high, row["unit"], row["status"],
                                      row["basis"], row["source"])
    return MappingProxyType(out)


@lru_cache(maxsize=None)
def figures() -> Figures:
    """The project's sourced figures (read once per process)."""
    return read_figures()


@lru_cache(maxsize=None)
def assumptions() -> Mapping[str, Assumption]:
    """The project's labelled assumptions (read once per process)."""
    return read_assumptions()


@lru_cache(maxsize=None)
def revenue_links() -> Mapping[str, RevenueLink]:
    """The revenue layer's default parameters (read once per process)."""
    return read_revenue_links()


def file_hashes() -> dict[str, str]:
    """SHA-256 of every data file, for the run record."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(DATA_DIR.glob("*.csv"))}

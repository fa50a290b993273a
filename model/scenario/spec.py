"""One scenario file -> :class:`Spec`: every key checked against its declaration.

A Spec is what one file says, already typed and checked on its own (keys, types,
bounds, year formats, overlapping ranges, sectors).  Checks that need the whole
inheritance chain (the horizon) happen in :mod:`model.scenario.loader`.  Every problem
is collected, none stops the others; :class:`ScenarioError` carries them all.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from ..baseline.data import assumptions as default_assumptions
from ..baseline.data import assumptions_2025 as default_assumptions_2025
from ..baseline.data import revenue_links as default_revenue_links
from ..core.files import BATCH_NAMES
from ..core.parameters import BY_NAME, ENTRY_FIELDS, FIRST_PATH_YEAR, PARAMETERS, SECTOR_KEYS, Parameter
from ..core.problems import Checker, Problem, ScenarioError, reserved_name, show_value, valid_name
from ..core.sectors import KEYS
from ..equations.revenue import SERIES
from ..scenario.distributions import Distribution, parse_uncertainty

__all__ = ["Distribution", "PathEntry", "Problem", "Project", "ScenarioError", "Shock", "Spec", "read_spec"]

YEAR_KEY = re.compile(r"^\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?$")
CHANGE = re.compile(r"^\s*([+-])\s*(\d+(?:\.\d*)?|\.\d+)\s*pp\s*$")
FRACTION_HINT = 0.3     # |rate| below this many percent looks like a fraction written by mistake
MAX_EXTENDS = 255       # characters of an `extends:` value


@dataclass(frozen=True)
class PathEntry:
    """One cell group of a time path: ``op`` ('set' or 'add') ``value`` (fraction) on ``years``."""

    sector: str                      # 'all' or a sector key
    years: tuple[int, ...] | None    # None: the parameter's default years
    op: str
    value: float
    where: Problem                   # location (message empty)


@dataclass(frozen=True)
class Shock:
    name: str
    year: int
    sectors: tuple[str, ...] | str   # sector keys; 'all' until the chain is resolved (model.scenario.loader)
    growth_loss: float               # fraction of growth lost
    recovery_years: int
    recovered: float                 # fraction of the lost level regained
    remove: bool
    where: Problem
    given: frozenset = frozenset()   # the fields the file states (the others: the parent's entry or defaults)


@dataclass(frozen=True)
class Project:
    name: str
    sector: str
    start: int
    gross_output: float              # 100 million CNY per year, 2020 prices
    ramp_years: int
    value_added_ratio: float         # fraction
    hightech_share: float | None     # fraction, None: the sector's weight
    revenue_series: str | None       # a revenue-layer series its gross output adds to
    remove: bool
    where: Problem
    given: frozenset = frozenset()   # the fields the file states (the others: the parent's entry or defaults)


@dataclass(frozen=True)
class Spec:
    """What one scenario file states (``None``: the file is silent)."""

    file: str
    sha256: str
    extends: str | None
    name: str
    description: str
    horizon: int | None
    vaccine_unwind: float | None
    growth: tuple[PathEntry, ...]
    deflator: tuple[PathEntry, ...]
    assumptions: Mapping[str, float]
    revenue_links: Mapping[str, float]
    shocks: tuple[Shock, ...]
    projects: tuple[Project, ...]
    warnings: tuple[Problem, ...]
    lines: Mapping[tuple, int]
    uncertainty: Mapping[str, Any] | None = field(default_factory=dict)   # None: `uncertainty: null`
    trend: str | None = None
    lever_pairs: tuple[tuple[str, str], ...] | None = None                # None: the file is silent
    targets: str | None = None                                            # None: the file is silent
    base: int | None = None                                               # None: the file is silent
    census: str | None = None                                             # None: the file is silent

    def where(self, *path) -> Problem:
        return Problem(self.file, self.lines.get(tuple(path)), ".".join(map(str, path)), "")


# ---------------------------------------------------------------- paths
def _year_key(c: Checker, path: tuple, key: Any) -> tuple[int, ...] | None:
    m = YEAR_KEY.match(str(key)) if isinstance(key, (int, str)) and not isinstance(key, bool) else None
    if not m:
        c.error(path, f"year key {show_value(key)} is not a year (2023) or a range (2022-2025)")
        return None
    first, last = int(m.group(1)), int(m.group(2) or m.group(1))
    if first > last:
        c.error(path, f"range {key!r} runs backwards")
        return None
    if first < FIRST_PATH_YEAR or last > 2060:
        c.error(path, f"year {key!r} is outside [{FIRST_PATH_YEAR}, 2060]")
        return None
    return tuple(range(first, last + 1))


def _small(value: Any) -> bool:
    """A number below :data:`FRACTION_HINT` in magnitude (0 included), as a fraction would be."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) < FRACTION_HINT


def _path_value(c: Checker, path: tuple, value: Any, p: Parameter, hint: bool = True) -> tuple[str, float] | None:
    """A path cell's operation and value; ``hint``: warn if a growth rate looks like a fraction."""
    if isinstance(value, str):
        m = CHANGE.match(value)
        if not m:
            c.error(path, f"got {show_value(value)}; expected a number ({p.unit}) or a change such as \"+1.5pp\"")
            return None
        change = float(m.group(2)) * (1 if m.group(1) == "+" else -1)
        return "add", change / 100.0
    x = c.number(path, value, p)
    if x is None:
        return None
    if hint and p.name == "growth" and 0 < abs(x) < FRACTION_HINT:
        c.warn(path, f"{x:g} means {x:g} %/yr: rates are in percent (write 5 for 5 %/yr), not fractions")
    return "set", x / 100.0


def _path(c: Checker, key: str, raw: Any) -> tuple[PathEntry, ...]:
    p = BY_NAME[key]
    table = c.mapping((key,), raw, "sector: rate or {year: rate}")
    if table is None:
        return ()
    entries = []
    for sector in sorted(table, key=lambda s: s != "all"):     # `all` first: a sector's entry wins
        value = table[sector]
        if sector not in SECTOR_KEYS:
            c.unknown((key,), sector, SECTOR_KEYS)
            continue
        if not isinstance(value, dict):
            got = _path_value(c, (key, sector), value, p)
            if got:
                entries.append(PathEntry(sector, None, got[0], got[1], c.at((key, sector))))
            continue
        if not value:
            c.error((key, sector), "empty mapping: give a rate or {year: rate}")
        taken: dict[int, Any] = {}
        # A fraction written by mistake is a slip of the whole entry ({2022: 0.05, 2023: 0.05}); one
        # near-zero year among rates in percent ({2022: 0.13, 2023: 2.81}) is a rate, not a slip.
        hint = all(_small(v) for v in value.values())
        for year_key, v in value.items():
            years = _year_key(c, (key, sector, year_key), year_key)
            got = _path_value(c, (key, sector, year_key), v, p, hint)
            if years is None:
                continue
            clash = sorted({taken[y] for y in years if y in taken}, key=str)
            if clash:
                c.error((key, sector, year_key), f"years {year_key!r} overlap {', '.join(map(repr, clash))}")
                continue
            taken.update({y: year_key for y in years})
            if got:
                entries.append(PathEntry(sector, years, got[0], got[1], c.at((key, sector, year_key))))
    return tuple(entries)


# ---------------------------------------------------------------- list entries
def _entries(c: Checker, key: str, raw: Any) -> list[dict]:
    """Typed dicts of the entries of a `shocks` or `projects` list (invalid ones left out)."""
    fields = ENTRY_FIELDS[key]
    if not isinstance(raw, list):
        c.error((key,), f"got {show_value(raw)}; expected a list of entries (each starting with '- name: ...')")
        return []
    out, names = [], {}
    for i, entry in enumerate(raw):
        path = (key, i)
        if not isinstance(entry, dict):
            c.error(path, f"got {show_value(entry)}; expected a mapping with keys {', '.join(fields)}")
            continue
        before = len(c.problems)
        for k in entry:
            if k not in fields:
                c.unknown(path, k, list(fields))
        typed: dict[str, Any] = {"where": c.at(path), "given": frozenset(k for k in entry if k in fields)}
        name = entry.get("name")
        if isinstance(name, str) and name in names:
            c.error(path + ("name",), f"{name!r} is already the name of entry {names[name]}")
        elif isinstance(name, str):
            names[name] = i
        for f in fields.values():
            if f.name not in entry:
                if f.name == "name":      # other required keys: unless the parent has an entry of this name
                    c.error(path, f"missing key {f.name!r} ({f.meaning})")
                typed[f.name] = f.default
                continue
            typed[f.name] = _entry_value(c, path + (f.name,), entry[f.name], f)
        if "recovered" in entry and isinstance(typed.get("recovered"), float) and 0 < typed["recovered"] <= 1:
            c.warn(path + ("recovered",), f"{typed['recovered']:g} means {typed['recovered']:g} % of the lost "
                                          "level regained: shares are in percent (write 80 for 80 %), not fractions")
        if len(c.problems) == before:
            out.append(typed)
    return out


def _entry_value(c: Checker, path: tuple, value: Any, f: Parameter):
    if f.kind == "name":
        return c.name(path, value)
    if f.kind in ("year", "count"):
        return c.whole(path, value, f)
    if f.kind == "flag":
        if not isinstance(value, bool):
            c.error(path, f"got {show_value(value)}; expected true or false")
        return value
    if f.kind == "sector":
        return value if c.choice(path, value, KEYS, "sector") else None
    if f.kind == "revenue_series":
        return value if c.choice(path, value, [r.key for r in SERIES], "series") else None
    if f.kind == "sectors":
        if value == "all":
            return "all"            # resolved into the sector list after inheritance (model.scenario.loader)
        items = value if isinstance(value, list) else None
        if not items or not all(isinstance(s, str) for s in items):
            c.error(path, f"got {show_value(value)}; expected 'all' or a list of sector keys")
            return None
        for s in items:
            c.choice(path, s, KEYS, "sector")
        if len(set(items)) != len(items):
            c.error(path, "a sector is listed twice")
        return tuple(items)
    return c.number(path, value, f)


def ranged_overrides(c: Checker, key: str, given: Any, known: Mapping) -> dict[str, float]:
    """Overrides of a data file's values (the scenario key ``key``: ``assumptions`` or
    ``revenue_links``): ``given`` must map its keys (rows of ``known``, each with ``low`` and
    ``high``) to numbers within their documented ranges.  Every problem goes to ``c``;
    the valid overrides are returned."""
    out = {}
    for k, value in (c.mapping((key,), given, f"{key} key: value") or {}).items():
        if k not in known:
            c.unknown((key,), k, list(known))
            continue
        x = c.number((key, k), value, BY_NAME[key], known[k].low, known[k].high, False)
        if x is not None:
            out[k] = x
    return out


def _lever_pairs(c: Checker, raw: Any) -> tuple[tuple[str, str], ...] | None:
    """``lever_pairs``: a list of pairs of distinct sector keys; every problem recorded in ``c``."""
    if not isinstance(raw, list):
        c.error(("lever_pairs",), f"got {show_value(raw)}; expected a list of pairs of sector keys, "
                                  "e.g. [[finance, scitech]]")
        return None
    out = []
    for i, pair in enumerate(raw):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(k, str) for k in pair)):
            c.error(("lever_pairs", i), f"got {show_value(pair)}; expected two sector keys, e.g. [finance, scitech]")
            continue
        known = [k for k in SECTOR_KEYS if k != "all"]
        bad = [k for k in pair if k not in known]
        for k in bad:
            c.error(("lever_pairs", i), f"unknown sector {show_value(k)}; known: {', '.join(known)}")
        if not bad and pair[0] == pair[1]:
            c.error(("lever_pairs", i), f"sector {pair[0]!r} is listed twice; a map needs two sectors")
        elif not bad:
            out.append((pair[0], pair[1]))
    return tuple(out)


# ---------------------------------------------------------------- the document
def read_spec(raw: Any, lines: Mapping[tuple, int], file: str, data: bytes = b"") -> Spec:
    """Check one parsed file; raise :class:`ScenarioError` listing every problem."""
    c = Checker(file, lines)
    if not isinstance(raw, dict):
        what = "nothing but a text" if isinstance(raw, str) else f"a {type(raw).__name__}"   # no content echoed
        c.error((), f"the file holds {what}; a scenario file is a mapping of keys such as "
                    + ", ".join(p.name for p in PARAMETERS))
        raise ScenarioError(c.problems)
    for key in raw:
        if key not in BY_NAME:
            c.unknown((), key, [p.name for p in PARAMETERS])

    extends = raw.get("extends")
    if extends is not None and (not isinstance(extends, str) or not extends.strip()):
        c.error(("extends",), f"got {show_value(extends)}; expected the parent's name or relative path")
        extends = None
    elif extends is not None and (len(extends) > MAX_EXTENDS or any(ord(ch) < 32 or ord(ch) == 127 for ch in extends)):
        c.error(("extends",), f"got {show_value(extends)}; expected the parent's name or relative path "
                              f"(at most {MAX_EXTENDS} characters, no control characters)")
        extends = None
    elif extends is not None and (extends.strip().startswith(("/", "~", "\\")) or Path(extends.strip()).is_absolute()):
        c.error(("extends",), f"got {show_value(extends)}; an absolute path is not allowed: give the parent's "
                              "name in the same folder or a path relative to this file")
        extends = None
    name = c.name(("name",), raw["name"]) if "name" in raw else Path(file).stem
    if "name" not in raw and not valid_name(name):
        c.error((), f"the file name {show_value(name)} cannot name a scenario: add a 'name:' key")
    elif isinstance(name, str) and reserved_name(name):
        c.error(("name",) if "name" in raw else (), f"{name!r} is reserved for what the batch writes beside the "
                f"scenario folders ({', '.join(BATCH_NAMES)}); choose another name")
    description = raw.get("description", "")
    if not isinstance(description, str):
        c.error(("description",), f"got {show_value(description)}; expected text")
    horizon = c.whole(("horizon",), raw["horizon"], BY_NAME["horizon"]) if "horizon" in raw else None
    unwind = c.number(("vaccine_unwind",), raw["vaccine_unwind"], BY_NAME["vaccine_unwind"]) \
        if "vaccine_unwind" in raw else None
    trend = raw.get("trend")
    if trend is not None and not c.choice(("trend",), trend, BY_NAME["trend"].choices, "trend design"):
        trend = None
    targets = raw.get("targets")
    if targets is not None and not c.choice(("targets",), targets, BY_NAME["targets"].choices, "target set"):
        targets = None
    census = raw.get("census")
    if census is not None and not c.choice(("census",), census, BY_NAME["census"].choices, "census basis"):
        census = None
    base = None
    if "base" in raw:
        given = raw["base"]
        text = str(given).strip() if isinstance(given, (int, str)) and not isinstance(given, bool) else None
        if text in BY_NAME["base"].choices:
            base = int(text)
        else:
            c.error(("base",), f"got {show_value(given)}; the base year is one of "
                               f"{', '.join(BY_NAME['base'].choices)}")
    growth = _path(c, "growth", raw["growth"]) if "growth" in raw else ()
    deflator = _path(c, "deflator", raw["deflator"]) if "deflator" in raw else ()

    overrides = ranged_overrides(c, "assumptions", raw.get("assumptions", {}),
                                 {**default_assumptions(), **default_assumptions_2025()})
    revenue_overrides = ranged_overrides(c, "revenue_links", raw.get("revenue_links", {}), default_revenue_links())

    shocks = tuple(
        Shock(e["name"], e["year"], e["sectors"], (e["growth_loss"] or 0.0) / 100.0, e["recovery_years"],
              e["recovered"] / 100.0, e["remove"], e["where"], e["given"])
        for e in (_entries(c, "shocks", raw["shocks"]) if "shocks" in raw else []))
    projects = tuple(
        Project(e["name"], e["sector"], e["start"], e["gross_output"], e["ramp_years"],
                (e["value_added_ratio"] or 0.0) / 100.0,
                None if e["hightech_share"] is None else e["hightech_share"] / 100.0, e["revenue_series"],
                e["remove"], e["where"], e["given"])
        for e in (_entries(c, "projects", raw["projects"]) if "projects" in raw else []))

    lever_pairs = _lever_pairs(c, raw["lever_pairs"]) if "lever_pairs" in raw else None

    # `uncertainty: null` drops the inherited block (None); a missing key keeps it ({})
    uncertainty = (None if raw["uncertainty"] is None else parse_uncertainty(c, raw["uncertainty"])) \
        if "uncertainty" in raw else {}

    if c.problems:
        raise ScenarioError(c.problems)
    return Spec(file=file, sha256=hashlib.sha256(data).hexdigest(), extends=extends, name=name,
                description=description, horizon=horizon, vaccine_unwind=None if unwind is None else unwind / 100.0,
                growth=growth, deflator=deflator, assumptions=MappingProxyType(overrides),
                revenue_links=MappingProxyType(revenue_overrides), shocks=shocks,
                projects=projects, warnings=tuple(c.warnings), lines=MappingProxyType(dict(lines)),
                uncertainty=None if uncertainty is None else MappingProxyType(uncertainty), trend=trend,
                lever_pairs=lever_pairs, targets=targets, base=base, census=census)

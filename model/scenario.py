"""Scenario files: YAML -> validated, immutable :class:`Scenario`.

Validation happens once, here, and reports every problem of a file together, each
with ``file:line``, the key path, the value given and what is allowed.  After this
boundary the model trusts the Scenario.
"""
from __future__ import annotations

import difflib
import hashlib
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from .data import assumptions as default_assumptions
from .parameters import BY_NAME, PARAMETERS, SECTOR_KEYS, Parameter
from .yamlio import MAX_BYTES, YamlProblem, read_yaml

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or doubtful) in a scenario file."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path + ': ' if self.path else ''}{self.message}"


class ScenarioError(ValueError):
    """A scenario file cannot be used; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Scenario:
    """A validated scenario.  Rates are fractions per year; mappings are read-only."""

    name: str
    description: str
    horizon: int
    growth: Mapping[str, float]
    deflator: Mapping[str, float]
    vaccine_unwind: float
    assumptions: Mapping[str, float]
    file: str = ""
    sha256: str = ""
    warnings: tuple[Problem, ...] = field(default=())


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _Checker:
    """Collects problems while converting raw YAML data to typed values."""

    def __init__(self, file: str, lines: Mapping[tuple, int]):
        self.file, self.lines, self.problems = file, lines, []

    def error(self, path: tuple, message: str) -> None:
        line = self.lines.get(path) or self.lines.get(path[:-1]) if path else None
        self.problems.append(Problem(self.file, line, ".".join(map(str, path)), message))

    def unknown(self, path: tuple, key: Any, allowed) -> None:
        close = difflib.get_close_matches(str(key), [str(a) for a in allowed], n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else f"; allowed: {', '.join(map(str, allowed))}"
        self.error(path + (key,), f"unknown key {key!r}{hint}")

    def number(self, path: tuple, value: Any, p: Parameter, low=None, high=None, low_open=None):
        low = p.low if low is None else low
        high = p.high if high is None else high
        low_open = p.low_open if low_open is None else low_open
        left = "(" if low_open else "["
        allowed = f"a number in {left}{low:g}, {high:g}] ({p.unit})"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.error(path, f"got {_show(value)}; expected {allowed}")
            return None
        x = float(value)
        if not math.isfinite(x) or x < low or x > high or (low_open and x == low):
            self.error(path, f"got {_show(value)}; expected {allowed}")
            return None
        return x

    def mapping(self, path: tuple, value: Any, what: str):
        if not isinstance(value, dict):
            self.error(path, f"got {_show(value)}; expected a mapping of {what}")
            return None
        return value


def validate(raw: Any, lines: Mapping[tuple, int], file: str, default_name: str) -> Scenario:
    """Turn parsed YAML into a :class:`Scenario`, or raise :class:`ScenarioError` listing every problem."""
    c = _Checker(file, lines)
    if not isinstance(raw, dict):
        c.error((), f"the file holds {_show(raw)}; a scenario file is a mapping of keys such as "
                    + ", ".join(p.name for p in PARAMETERS))
        raise ScenarioError(c.problems)
    for key in raw:
        if key not in BY_NAME:
            c.unknown((), key, [p.name for p in PARAMETERS])

    name = raw.get("name", default_name)
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        c.error(("name",), f"got {_show(name)}; expected letters, digits, '_', '-' or '.' (it names a folder)")
    description = raw.get("description", "")
    if not isinstance(description, str):
        c.error(("description",), f"got {_show(description)}; expected text")

    horizon = raw.get("horizon", BY_NAME["horizon"].default)
    p = BY_NAME["horizon"]
    if isinstance(horizon, bool) or not isinstance(horizon, int) or not p.low <= horizon <= p.high:
        c.error(("horizon",), f"got {_show(horizon)}; expected a whole year in [{p.low:g}, {p.high:g}]")

    rates = {}
    for key in ("growth", "deflator"):
        p, out = BY_NAME[key], {}
        table = c.mapping((key,), raw.get(key, {}), "sector: percent per year") or {}
        for sector, value in table.items():
            if sector not in SECTOR_KEYS:
                c.unknown((key,), sector, SECTOR_KEYS)
                continue
            x = c.number((key, sector), value, p)
            if x is not None:
                out[sector] = x / 100.0
        rates[key] = MappingProxyType(out)

    p = BY_NAME["vaccine_unwind"]
    unwind = c.number(("vaccine_unwind",), raw.get("vaccine_unwind", p.default), p)

    known = default_assumptions()
    overrides = {}
    table = c.mapping(("assumptions",), raw.get("assumptions", {}), "assumption key: value") or {}
    for key, value in table.items():
        if key not in known:
            c.unknown(("assumptions",), key, list(known))
            continue
        a = known[key]
        x = c.number(("assumptions", key), value, BY_NAME["assumptions"], a.low, a.high, False)
        if x is not None:
            overrides[key] = x

    if c.problems:
        raise ScenarioError(c.problems)
    return Scenario(name=name, description=description, horizon=horizon, growth=rates["growth"],
                    deflator=rates["deflator"], vaccine_unwind=unwind / 100.0,
                    assumptions=MappingProxyType(overrides), file=file)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate one scenario file.  Raises :class:`ScenarioError`."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:      # refuse before reading a huge file into memory
            raise ScenarioError([Problem(str(path), None, "",
                                         f"file is {size:,} bytes; a scenario file may have at most {MAX_BYTES:,}")])
        data = path.read_bytes()
    except OSError as exc:
        raise ScenarioError([Problem(str(path), None, "", f"cannot read the file: {exc.strerror}")]) from None
    try:
        raw, lines = read_yaml(data)
    except YamlProblem as exc:
        raise ScenarioError([Problem(str(path), exc.line, "", exc.message)]) from None
    scenario = validate(raw, lines, str(path), path.stem)
    return replace(scenario, sha256=hashlib.sha256(data).hexdigest())

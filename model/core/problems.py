"""Collecting problems of a scenario file: where each is, and what was wrong.

:class:`Checker` converts raw YAML values to typed ones against the declarations
of :mod:`model.core.parameters`, recording a :class:`Problem` (file, line, key path,
message) for each value it refuses instead of stopping; :class:`ScenarioError`
carries all of them.
"""
from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from .files import BATCH_NAMES, SCENARIO_FILE_SUFFIXES
from .parameters import Parameter, fmt
from .yamlio import PlusNumber

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")     # matched in full (no trailing newline)
MAX_NAME = 100          # characters; folder names stay far below the file system's 255 bytes


def valid_name(value: Any) -> bool:
    """Whether ``value`` can name a scenario, a shock or a project (letters, digits, ``_-.``)."""
    return isinstance(value, str) and len(value) <= MAX_NAME and NAME_PATTERN.fullmatch(value) is not None


def reserved_name(name: str) -> bool:
    """Whether ``name`` is one of the batch-level files or folders, or ends like a scenario file (``.yaml``,
    ``.yml``), ignoring case."""
    folded = name.casefold()
    return folded in {n.casefold() for n in BATCH_NAMES} or folded.endswith(SCENARIO_FILE_SUFFIXES)


def suggest(value: Any, allowed) -> str:
    """"; did you mean 'x'?" for the closest of ``allowed`` (spelling, or a part of a name), else the list."""
    allowed = [str(a) for a in allowed]
    text = str(value)
    close = difflib.get_close_matches(text, allowed, n=1, cutoff=0.6)
    if not close and len(text) >= 3:
        low = text.casefold()
        close = [a for a in allowed if low in a.casefold() or low in a.casefold().split("_")] \
            or [a for a in allowed if any(part and part in a.casefold().split("_") for part in low.split("_"))]
    if close:
        return f"; did you mean {close[0]!r}?" if len(close) == 1 else \
            f"; did you mean one of {', '.join(map(repr, close))}?"
    return f"; allowed: {', '.join(allowed)}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or doubtful) in a scenario file, with its place."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path + ': ' if self.path else ''}{self.message}"


class ProblemsError(ValueError):
    """Something cannot be used; ``problems`` lists every reason (:class:`Problem`), grouped by file in
    the order the files first appear and by line within a file.  The message is one problem a line.

    The base of every "list of problems" error: a scenario file (:class:`ScenarioError`), a data file
    (:class:`model.baseline.data.DataError`) and a target set (:class:`model.targets.definitions.TargetsError`).
    """

    def __init__(self, problems: Iterable[Problem]):
        problems = list(problems)
        first: dict[str, int] = {}
        for p in problems:
            first.setdefault(p.file, len(first))
        self.problems = tuple(sorted(problems, key=lambda p: (first[p.file], p.line or 0)))
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):
        """Pickled with its problems (a failure found in a forked process is raised whole in its parent)."""
        return type(self), (self.problems,)


class ScenarioError(ProblemsError):
    """A scenario file cannot be used; ``problems`` lists every reason, in file order."""


SURROGATE = re.compile("[\udc80-\udcff]")        # a byte that was not UTF-8, kept by surrogateescape
OTHER_SURROGATE = re.compile("[\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` safe to write as UTF-8: a byte of a file name that is not UTF-8 (``os.fsdecode`` keeps it
    as a lone surrogate) is shown as ``\\xNN``, any other lone surrogate as ``\\udNNN``."""
    text = SURROGATE.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", text)
    return OTHER_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def show_value(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class Checker:
    """Collects problems while converting raw YAML data to typed values."""

    def __init__(self, file: str, lines: Mapping[tuple, int]):
        self.file, self.lines = file, lines
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def at(self, path: tuple, message: str = "") -> Problem:
        line = None
        for cut in range(len(path), -1, -1):
            line = self.lines.get(path[:cut])
            if line:
                break
        return Problem(self.file, line, ".".join(map(str, path)), message)

    def error(self, path: tuple, message: str) -> None:
        self.problems.append(self.at(path, message))

    def warn(self, path: tuple, message: str) -> None:
        self.warnings.append(self.at(path, message))

    def unknown(self, path: tuple, key: Any, allowed) -> None:
        self.error(path + (key,), f"unknown key {show_value(key)}{suggest(key, allowed)}")

    def choice(self, path: tuple, value: Any, allowed, what: str) -> bool:
        """Whether ``value`` is one of ``allowed``; if not, an error with a "did you mean"."""
        if isinstance(value, str) and value in allowed:
            return True
        self.error(path, f"unknown {what} {show_value(value)}{suggest(value, allowed)}")
        return False

    def number(self, path: tuple, value: Any, p: Parameter, low=None, high=None, low_open=None):
        low = p.low if low is None else low
        high = p.high if high is None else high
        low_open = p.low_open if low_open is None else low_open
        allowed = f"a number in {'(' if low_open else '['}{fmt(low)}, {fmt(high)}]" + (f" ({p.unit})" if p.unit else "")
        if isinstance(value, PlusNumber):
            self.error(path, f"got {value:+g}: a '+' is ambiguous; write {value:g} for a level or "
                             f"\"{value:+g}pp\" for a change")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.error(path, f"got {show_value(value)}; expected {allowed}")
            return None
        x = float(value)
        if not math.isfinite(x) or x < low or x > high or (low_open and x == low):
            self.error(path, f"got {show_value(value)}; expected {allowed}")
            return None
        return x

    def whole(self, path: tuple, value: Any, p: Parameter):
        if isinstance(value, bool) or not isinstance(value, int) or not p.low <= value <= p.high:
            self.error(path, f"got {show_value(value)}; expected a whole number in [{fmt(p.low)}, {fmt(p.high)}]"
                             + (f" ({p.unit})" if p.unit else ""))
            return None
        return int(value)

    def name(self, path: tuple, value: Any):
        if not valid_name(value):
            self.error(path, f"got {show_value(value)}; expected at most {MAX_NAME} letters, digits, '_', '-' "
                             "or '.', starting with a letter or digit")
            return None
        return value

    def mapping(self, path: tuple, value: Any, what: str):
        if not isinstance(value, dict):
            self.error(path, f"got {show_value(value)}; expected a mapping of {what}")
            return None
        return value

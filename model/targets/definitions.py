"""Plan targets (``model/data/targets.yaml`` and the other sets of :mod:`model.targets.sets`):
what a target is, and reading and checking a file of them (the scorecard: :mod:`model.targets.scorecard`).

:func:`load_targets` reads the file once into frozen :class:`Target` objects,
after checking every entry; every problem is collected with its line
(:class:`model.core.problems.Problem`) and reported together (:class:`TargetsError`).
What a comparator means (when a target is met, its gap, its label) lives in
:mod:`model.targets.comparators`; :meth:`Target.evaluate` is the one evaluation the
scorecard, the Monte Carlo, the sensitivity analysis and goal-seeking share.

Every modelled target names its ``levers``: the sector keys whose growth
goal-seeking (:mod:`model.analysis.goalseek`) varies to meet it; it may name a
``lever_pair``, the two sectors of its two-lever map (:mod:`model.analysis.levers`), and a
``scope``: how the model's series differs from the published scope of the target, which the
scorecard's ``note`` shows.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping

import numpy as np

from ..baseline.data import source_problems
from ..core.problems import Checker, Problem, ProblemsError, suggest
from ..core.sectors import KEYS
from ..core.yamlio import YamlProblem, read_yaml
from ..targets.comparators import COMPARATORS, Comparator, Evaluation
from .variables import model_variables, plausibility, unit_matches

TARGETS_FILE = Path(__file__).resolve().parents[1] / "data" / "targets.yaml"
COMMON = ("id", "description", "comparator", "unit", "year", "publisher", "document", "url")
MODELLED = ("variable", "levers")           # required on every modelled target, refused on the others
LEVER_PAIR = "lever_pair"                   # optional on a modelled target: the two sectors of its lever map
MIRROR = "mirror"                           # optional on any target: a repost beside the publisher's page in url
SCOPE = "scope"                             # optional on a modelled target: how the model's series differs from
                                            # the published scope of the target (shown in the scorecard's note)


@dataclass(frozen=True)
class Target:
    """One plan target.  ``variable`` and ``levers`` are empty on a target that is not modelled."""

    id: str
    comparator: Comparator
    year: int
    unit: str
    variable: str | None = None
    levers: tuple[str, ...] = ()
    lever_pair: tuple[str, ...] = ()
    description: str = ""
    publisher: str = ""
    document: str = ""
    url: str = ""
    mirror: str = ""            # a repost of the document, when url is the publisher's own page
    reason: str = ""            # why a target is not modelled (or what a qualitative one states)
    scope: str = ""             # a modelled target whose published scope differs from the model's series: how

    @property
    def modelled(self) -> bool:
        return self.comparator.modelled

    @property
    def variables(self) -> tuple[str, ...]:
        """Every variable the evaluation reads, the target's own first (none when not modelled)."""
        return (self.variable, *self.comparator.reads()) if self.modelled else ()

    def evaluate(self, values: Mapping[str, np.ndarray]) -> Evaluation:
        """The target on ``values``: ``variable -> array`` holding :attr:`variables`, all of one
        shape (years, draws, ...); element-wise (:meth:`model.targets.comparators.Comparator.evaluate`)."""
        if not self.modelled:
            raise ValueError(f"target {self.id!r} is not modelled: there is nothing to evaluate")
        return self.comparator.evaluate(values[self.variable], values)

    @property
    def source(self) -> str:
        return f"{self.publisher}; {self.document}; {self.url}"


class TargetsError(ProblemsError):
    """A target set's file cannot be used; ``problems`` lists every reason, in file order."""


# ------------------------------------------------------------------ reading and checking
class _EntryChecker(Checker):
    """A :class:`~model.core.problems.Checker` for the list of targets: each problem is placed at
    the line of its key and named by the entry, ``target 2 (manufacturing_share)``."""

    def __init__(self, file: str, lines: Mapping[tuple, int], entries: list):
        super().__init__(file, lines)
        self.entries = entries

    def at(self, path: tuple, message: str = "") -> Problem:
        problem = super().at(path, message)
        if not path:
            return problem
        entry = self.entries[path[0]]
        ident = entry.get("id", "?") if isinstance(entry, dict) else "?"
        return dataclasses.replace(problem, path=f"target {path[0]} ({ident})")


def check_levers(levers: object) -> list[str]:
    """Problems of a modelled target's ``levers``: a non-empty list of distinct sector keys
    (:data:`model.core.sectors.KEYS`)."""
    if not isinstance(levers, list) or not levers or not all(isinstance(k, str) for k in levers):
        return [f"levers {levers!r} is not a non-empty list of sector keys"]
    problems = [f"levers: unknown sector {k!r}; known: {', '.join(KEYS)}" for k in levers if k not in KEYS]
    problems += [f"levers: sector {k!r} is listed twice" for k in sorted({k for k in levers if levers.count(k) > 1},
                                                                         key=str)]
    return problems


def check_lever_pair(pair: object) -> list[str]:
    """Problems of a ``lever_pair``: two distinct sector keys (:data:`model.core.sectors.KEYS`)."""
    if not isinstance(pair, list) or len(pair) != 2 or not all(isinstance(k, str) for k in pair):
        return [f"lever_pair {pair!r} is not a list of two sector keys"]
    problems = [f"lever_pair: unknown sector {k!r}; known: {', '.join(KEYS)}" for k in pair if k not in KEYS]
    if pair[0] == pair[1]:
        problems.append(f"lever_pair: sector {pair[0]!r} is listed twice")
    return problems


def _check_entry(c: _EntryChecker, i: int, t: object) -> Target | None:
    """The target of entry ``i``, or None after recording its problems in ``c``."""
    if not isinstance(t, dict):
        c.error((i,), f"expected a mapping, got {type(t).__name__}")
        return None
    before = len(c.problems)
    kind = COMPARATORS.get(t.get("comparator")) if isinstance(t.get("comparator"), str) else None
    if kind is None:
        c.error((i, "comparator"), f"comparator {t.get('comparator')!r} not in {list(COMPARATORS)}")
    required = COMMON + ((MODELLED if kind.modelled else ()) + kind.fields if kind else ())
    for k in required:
        if k not in t:
            c.error((i,), f"lacks {k!r}")
    if kind is not None:
        allowed = required + kind.optional + (MIRROR,) + ((LEVER_PAIR, SCOPE) if kind.modelled else ())
        for k in t:
            if k in MODELLED + (LEVER_PAIR, SCOPE) and not kind.modelled:
                c.error((i, k), f"{k} given on a not_modelled target (it has no variable to move)")
            elif k not in allowed:
                c.unknown((i,), k, allowed)
    for k in ("id", "description", "unit", "publisher", "document", "url", "variable", "reason", SCOPE):
        if k in t and (k in required or k in ("reason", SCOPE)) and (not isinstance(t[k], str) or not t[k].strip()):
            c.error((i, k), f"{k} {t[k]!r} is not a non-empty text")
    if MIRROR in t:
        if not isinstance(t[MIRROR], str) or not t[MIRROR].strip():
            c.error((i, MIRROR), f"mirror {t[MIRROR]!r} is not a web address (leave the key out when there is none)")
        elif all(isinstance(t.get(k), str) for k in ("document", "url")):
            for key, message in source_problems(t["document"], t["url"], t[MIRROR].strip(), secondary_named=False):
                c.error((i, key), f"{key}: {message}")
    if "year" in t and (isinstance(t["year"], bool) or not isinstance(t["year"], int)):
        c.error((i, "year"), f"year {t['year']!r} is not a whole number")
    if kind is not None and kind.modelled and "levers" in t:
        for message in check_levers(t["levers"]):
            c.error((i, "levers"), message)
    if kind is not None and kind.modelled and LEVER_PAIR in t:
        for message in check_lever_pair(t[LEVER_PAIR]):
            c.error((i, LEVER_PAIR), message)
    if kind is not None and all(k in t for k in kind.fields):
        for key, message in kind.problems(t):
            c.error((i, key), message)
    if len(c.problems) > before:
        return None
    return Target(id=t["id"], comparator=kind.from_entry(t), year=t["year"], unit=t["unit"],
                  variable=t.get("variable"), levers=tuple(t.get("levers", ())),
                  lever_pair=tuple(t.get(LEVER_PAIR, ())), description=t["description"],
                  publisher=t["publisher"], document=t["document"], url=t["url"], mirror=t.get(MIRROR, ""),
                  reason=" ".join(str(t.get("reason", "")).split()),
                  scope=" ".join(str(t.get(SCOPE, "")).split()))


def parse_targets(entries: object, name: str = TARGETS_FILE.name,
                  lines: Mapping[tuple, int] | None = None) -> tuple[Target, ...]:
    """The targets of a list of entries as read from ``name`` (``lines``: key path -> line).

    Raises :class:`TargetsError` listing every problem of every entry.
    """
    if not isinstance(entries, list):
        raise TargetsError([Problem(name, None, "", "expected a list of targets")])
    c = _EntryChecker(name, lines or {}, entries)
    targets = [_check_entry(c, i, t) for i, t in enumerate(entries)]
    first: dict[object, int] = {}
    for i, t in enumerate(entries):
        ident = t.get("id") if isinstance(t, dict) else None
        if isinstance(ident, str) and ident in first:
            c.error((i, "id"), f"duplicate id {ident!r} (also target {first[ident]})")
        first.setdefault(ident, i)
    if c.problems:
        raise TargetsError(c.problems)
    return tuple(targets)


LEVEL_FIELDS = ("value", "low", "high")     # the numbers of a target that are levels of its variable


def check_against_model(targets: tuple[Target, ...], entries: list, name: str,
                        lines: Mapping[tuple, int]) -> list[Problem]:
    """Problems of checked ``targets`` against what they measure (:mod:`model.targets.variables`): each
    variable (and each of a ``rank``'s ``among``) is one the model projects, the target's unit is its
    variable's, and each number is plausible for the variable in the target's year; each at its line."""
    known = model_variables()
    c = _EntryChecker(name, lines, entries)
    for i, t in enumerate(targets):
        if not t.modelled:
            continue
        measured = model_variables(t.year).get(t.variable)
        if measured is None:
            c.error((i, "variable"), f"variable {t.variable!r} is not a series the model projects"
                                     f"{suggest(t.variable, known)}")
            continue
        for j, other in enumerate(t.comparator.reads()):
            if other not in known:
                c.error((i, "among", j), f"among: {other!r} is not a series the model projects"
                                         f"{suggest(other, known)}")
            elif known[other].unit != measured.unit:
                c.error((i, "among", j), f"among: {other!r} is in {known[other].unit!r}, {t.variable!r} in "
                                         f"{measured.unit!r}: a rank compares one unit")
        if not unit_matches(t.unit, measured.unit, t.variable):
            c.error((i, "unit"), f"unit {t.unit!r} is not the unit of {t.variable!r}, {measured.unit!r}")
            continue
        for key in LEVEL_FIELDS:
            if key in entries[i]:
                why = plausibility(t.variable, measured, t.year, float(entries[i][key]))
                if why is not None:
                    c.error((i, key), f"{key} {why}")
    return c.problems


def read_targets(path: Path) -> tuple[Target, ...]:
    """The targets of the file ``path``, each checked, and checked against the model's variables
    (:func:`check_against_model`); raises :class:`TargetsError`."""
    name = Path(path).name
    try:
        entries, lines = read_yaml(Path(path).read_bytes())
    except YamlProblem as exc:
        raise TargetsError([Problem(name, exc.line, "", exc.message)]) from None
    except OSError as exc:
        raise TargetsError([Problem(name, None, "", f"cannot be read ({exc.strerror or exc})")]) from None
    targets = parse_targets(entries, name, lines)
    problems = check_against_model(targets, entries, name, lines)
    if problems:
        raise TargetsError(problems)
    return targets


@lru_cache(maxsize=None)
def load_targets(path: Path = TARGETS_FILE) -> tuple[Target, ...]:
    """The targets of ``path`` (default: the plan's), read and checked once; frozen, so shared safely."""
    return read_targets(path)

"""Scenario files -> validated, immutable :class:`Scenario`, inheritance resolved.

``load_scenario`` reads a file (:mod:`model.core.yamlio`), checks it on its own
(:mod:`model.scenario.spec`), loads its parent chain (``extends:``), checks what needs the
whole chain (the horizon) and resolves everything into arrays.  Every problem of
a file is reported together, with ``file:line``.  After this boundary the model
trusts the Scenario.

Time paths are kept as two layers per cell, ``set`` (a level, NaN where the chain
is silent) and ``add`` (percentage-point changes on top), so that a change stated
relative to the parent still applies when the parent follows the calibrated trend.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

from ..baseline.data import assumptions_2025 as default_assumptions_2025
from ..baseline.data import revenue_links as default_revenue_links
from ..baseline.rebase import anchored_series
from ..core.parameters import (
    BASES,
    BY_NAME,
    ENTRY_FIELDS,
    FIRST_PATH_YEAR,
    GROWTH_DEFAULT_FROM,
    UNCERTAINTY,
    first_free_year,
    fmt,
)
from ..core.sectors import INDEX, KEYS, N_SECTORS
from ..core.yamlio import MAX_BYTES, YamlProblem, read_yaml
from ..core.years import n_steps, step_row, step_year, step_years
from ..equations.revenue import RevenueOverrides
from ..scenario.distributions import centring_warning
from ..scenario.spec import Distribution, PathEntry, Problem, Project, ScenarioError, Shock, Spec, read_spec

__all__ = ["Layered", "Problem", "Scenario", "ScenarioError", "load_scenario", "scenario_from_dict"]

DEFAULT_FROM = {"growth": GROWTH_DEFAULT_FROM, "deflator": FIRST_PATH_YEAR}


@dataclass(frozen=True)
class Layered:
    """A year-by-sector path relative to a default: ``(n_years, n_sectors)`` arrays, rows from 2021."""

    set: np.ndarray      # level (fraction per year); NaN: not set anywhere in the chain
    add: np.ndarray      # change on top of the level or the default (fraction per year)

    def resolve(self, default: np.ndarray) -> np.ndarray:
        """The path itself: ``set`` where given, else ``default``, plus ``add``."""
        return np.where(np.isnan(self.set), default, self.set) + self.add

    def touched(self) -> np.ndarray:
        """Boolean ``(n_years, n_sectors)``: cells the chain sets or changes."""
        return ~np.isnan(self.set) | (self.add != 0.0)


@dataclass(frozen=True)
class Uncertainty:
    """The merged ``uncertainty`` block of a chain.  Distributions are in the file's units."""

    draws: int
    seed: int
    timing: str
    growth: Mapping[str, Distribution]
    deflator: Mapping[str, Distribution]
    vaccine_unwind: Distribution | None
    shocks: Mapping[str, Mapping[str, Distribution]]
    correlated: tuple[str, ...]          # sectors with their own growth draw, in correlation order
    correlation: np.ndarray              # (k, k) correlation of those draws
    revenue_bases: bool = False          # draw the revenue layer's bases within their ranges (data uncertainty)
    revenue_elasticities: bool = False   # draw the revenue layer's elasticities within their ranges

    @property
    def draws_data(self) -> bool:
        """Whether any data of the revenue layer is drawn (:mod:`model.analysis.sampling`)."""
        return self.revenue_bases or self.revenue_elasticities

    @property
    def is_deterministic(self) -> bool:
        dists = [*self.growth.values(), *self.deflator.values(),
                 *[d for f in self.shocks.values() for d in f.values()]]
        if self.vaccine_unwind is not None:
            dists.append(self.vaccine_unwind)
        return not self.draws_data and all(d.is_constant for d in dists)


def _drop(spec: Spec, merged: dict, path: tuple, problems: list) -> None:
    """``null`` in a file: drop the inherited entry at ``path`` (an error if there is none)."""
    *parents, last = path
    table = merged
    for k in parents:
        table = table.get(k) or {}
    if last in table:
        del table[last]
        return
    shown = ".".join("-".join(p) if isinstance(p, tuple) else str(p) for p in path)
    where = spec.where("uncertainty", *[("all" if p == ("*", "*") else "-".join(p)) if isinstance(p, tuple) else p
                                        for p in path[:2]])
    problems.append(Problem(where.file, where.line, f"uncertainty.{shown}",
                            "null drops an inherited entry, but no parent declares one here"))


def _merge_uncertainty(chain: tuple[Spec, ...], shocks: tuple[Shock, ...]) -> tuple[Uncertainty | None, list]:
    """The chain's uncertainty blocks merged key by key, root first.

    ``null`` drops an inherited entry (a sector's distribution, a shock's or one of its
    fields, a correlation pair, ``vaccine_unwind``; ``uncertainty: null`` the whole
    block); removing a shock (``remove: true``) drops the inherited distributions of it.
    """
    merged: dict[str, Any] = {}
    problems: list[Problem] = []
    for spec in chain:
        if spec.uncertainty is None:
            merged = {}
            continue
        for e in spec.shocks:
            if e.remove:
                merged.get("shocks", {}).pop(e.name, None)
        for key, value in spec.uncertainty.items():
            if isinstance(value, dict) and key == "shocks":
                for name, fields in value.items():
                    if fields is None:
                        _drop(spec, merged, (key, name), problems)
                        continue
                    for f, d in fields.items():
                        if d is None:
                            _drop(spec, merged, (key, name, f), problems)
                        else:
                            merged.setdefault(key, {}).setdefault(name, {})[f] = d
            elif isinstance(value, dict):
                for k, v in value.items():
                    if v is None:
                        _drop(spec, merged, (key, k), problems)
                    else:
                        merged.setdefault(key, {})[k] = v
            elif value is None:
                _drop(spec, merged, (key,), problems)
            else:
                merged[key] = value
    merged = {k: v for k, v in merged.items() if not (isinstance(v, dict) and not v)}
    if problems:
        return None, problems
    if not merged:
        return None, []
    names = {e.name for e in shocks}
    for name, fields in merged.get("shocks", {}).items():
        if name not in names:
            where = next(iter(fields.values())).where if fields else Problem(chain[-1].file, None, "", "")
            problems.append(Problem(where.file, where.line, f"uncertainty.shocks.{name}",
                                    f"no shock named {name!r} in this scenario (`{name}: null` under "
                                    "`uncertainty: shocks:` drops an inherited entry)"))
    growth = merged.get("growth", {})
    correlated = tuple(k for k in KEYS if k in growth)
    corr = np.eye(len(correlated))
    for (a, b), (rho, where) in sorted(merged.get("correlation", {}).items(), key=lambda kv: kv[0] != ("*", "*")):
        if (a, b) == ("*", "*"):
            corr[~np.eye(len(correlated), dtype=bool)] = rho
            continue
        missing = [x for x in (a, b) if x not in correlated]
        if missing:
            problems.append(Problem(where.file, where.line, where.path,
                                    f"{', '.join(missing)} has no growth distribution to correlate"))
            continue
        i, j = correlated.index(a), correlated.index(b)
        corr[i, j] = corr[j, i] = rho
    if len(correlated) and not problems:
        try:
            np.linalg.cholesky(corr)
        except np.linalg.LinAlgError:
            where = next(iter(merged["correlation"].values()))[1]
            problems.append(Problem(where.file, where.line, "uncertainty.correlation",
                                    "the correlations do not form a positive definite matrix"))
    if problems:
        return None, problems
    corr.setflags(write=False)
    return Uncertainty(
        draws=merged.get("draws") or UNCERTAINTY["draws"].default, seed=merged.get("seed", UNCERTAINTY["seed"].default),
        timing=merged.get("timing") or "persistent", growth=MappingProxyType(growth),
        deflator=MappingProxyType(merged.get("deflator", {})), vaccine_unwind=merged.get("vaccine_unwind"),
        shocks=MappingProxyType(merged.get("shocks", {})), correlated=correlated, correlation=corr,
        revenue_bases=bool(merged.get("revenue_bases", False)),
        revenue_elasticities=bool(merged.get("revenue_elasticities", False))), []


@dataclass(frozen=True)
class Scenario:
    """A validated, resolved scenario.  Rates are fractions per year; arrays are read-only."""

    name: str
    description: str
    horizon: int
    growth: Layered
    deflator: Layered
    vaccine_unwind: float
    assumptions: Mapping[str, float]
    revenue_links: Mapping[str, float] = field(default_factory=dict)
    shocks: tuple[Shock, ...] = ()
    projects: tuple[Project, ...] = ()
    file: str = ""
    sha256: str = ""
    chain: tuple[Spec, ...] = ()
    origins: Mapping[tuple, Problem] = field(default_factory=dict)
    warnings: tuple[Problem, ...] = ()
    parent: "Scenario | None" = None
    uncertainty: Uncertainty | None = None
    trend: str = "converging"
    lever_pairs: tuple[tuple[str, str], ...] = ()     # extra two-lever maps (model.analysis.levers)
    targets: str = BY_NAME["targets"].default          # target set (model.targets.sets)
    base: int = int(BY_NAME["base"].default)         # jump-off year (model.baseline.rebase for 2025)
    census: str = BY_NAME["census"].default          # census basis of the levels (model.baseline.vintage)

    @property
    def path_years(self) -> np.ndarray:
        """Years of the rows of ``growth`` and ``deflator``: 2021..horizon."""
        return step_years(self.horizon)


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def _layered(entries: list[PathEntry], param: str, horizon: int, origins: dict, base: int) -> Layered:
    n = n_steps(horizon)
    level, change = np.full((n, N_SECTORS), np.nan), np.zeros((n, N_SECTORS))
    for e in entries:
        years = e.years or tuple(range(first_free_year(param, base), horizon + 1))
        rows = [step_row(y) for y in years if y <= horizon]
        cols = list(range(N_SECTORS)) if e.sector == "all" else [INDEX[e.sector]]
        for r in rows:
            for col in cols:
                if e.op == "set":
                    level[r, col], change[r, col] = e.value, 0.0
                else:
                    change[r, col] += e.value
                origins[(param, step_year(r), KEYS[col])] = e.where
    return Layered(_readonly(level), _readonly(change))


def _merge_entries(inherited: tuple, own: tuple, what: str, horizon: int, start: str) -> tuple[tuple, list]:
    """Parent entries with this file's applied by name: remove, merge field by field, or append.

    An entry with a parent's name takes the fields it states and keeps the parent's others;
    a new name needs every required field.  Inherited entries starting after the horizon
    are dropped; this file's are an error.
    """
    out = {e.name: e for e in inherited}
    mine: set[str] = set()
    problems = []
    fields = ENTRY_FIELDS[what + "s"]
    for e in own:
        if e.remove:
            if e.name not in out:
                problems.append(Problem(e.where.file, e.where.line, e.where.path,
                                        f"remove: no inherited {what} named {e.name!r}"))
            out.pop(e.name, None)
            mine.discard(e.name)
            continue
        if e.name in out:
            e = replace(out[e.name], **{f: getattr(e, f) for f in e.given if f != "remove"},
                        where=e.where, given=e.given)
        else:
            missing = [f for f, p in fields.items() if p.required and f not in e.given]
            if missing:
                problems.append(Problem(e.where.file, e.where.line, e.where.path,
                                        f"missing key {', '.join(map(repr, missing))} (no inherited {what} named "
                                        f"{e.name!r} to take {'it' if len(missing) == 1 else 'them'} from)"))
                continue
        out[e.name] = e
        mine.add(e.name)
    kept = []
    for name, e in out.items():
        if getattr(e, start) <= horizon:
            kept.append(e)
        elif name in mine:
            problems.append(Problem(e.where.file, e.where.line, f"{e.where.path}.{start}",
                                    f"{what} {start} {getattr(e, start)} is after the horizon {horizon}"))
    return tuple(kept), problems


def _centring_warnings(u: Uncertainty | None, unwind: float, shocks: tuple[Shock, ...]) -> tuple[Problem, ...]:
    """Warnings for distributions whose median is not the scenario's own value: the growth
    and deflator draws are changes (their centre is 0), ``vaccine_unwind`` and the shock
    fields are levels (their centre is the scenario's value)."""
    if u is None:
        return ()
    checks = [(d, 0.0, f"change of {group} of {key} (pp)")
              for group in ("growth", "deflator") for key, d in getattr(u, group).items()]
    if u.vaccine_unwind is not None:
        checks.append((u.vaccine_unwind, 100.0 * unwind, "vaccine_unwind (%)"))
    by_name = {e.name: e for e in shocks}
    for name, fields in u.shocks.items():
        for f, d in fields.items():
            checks.append((d, 100.0 * getattr(by_name[name], f), f"{f} of shock {name!r}"))
    found = (centring_warning(d, value, what) for d, value, what in checks)
    return tuple(w for w in found if w is not None)


def _with_sectors(shock: Shock) -> Shock:
    """The shock with ``sectors: all`` (written or by default) as the list of every sector.

    The one place where ``all`` is resolved: after inheritance, so a shock that a
    child writes without ``sectors:`` hits every sector like any other.
    """
    return replace(shock, sectors=KEYS) if shock.sectors in (None, "all") else shock


def _horizon_problems(spec: Spec, horizon: int) -> list[Problem]:
    """Years of this file beyond the scenario's horizon."""
    out = []
    for entries in (spec.growth, spec.deflator):
        for e in entries:
            if e.years and max(e.years) > horizon:
                out.append(Problem(e.where.file, e.where.line, e.where.path,
                                   f"year {max(e.years)} is after the horizon {horizon}"))
    return out


def _base_problems(chain: tuple[Spec, ...], base: int, horizon: int, shocks: tuple[Shock, ...],
                   projects: tuple[Project, ...]) -> list[Problem]:
    """Years a later jump-off cannot project: the horizon, and every path year, shock year and project
    start of the chain (inherited ones included) at or before the base year; and the 2020 level
    (``<series>.base_2020``) of a revenue series anchored to a published level, which has no effect.
    From the 2020 base the bounds of the declarations already hold."""
    if base == int(BY_NAME["base"].default):
        return []
    spec, out = chain[-1], []
    if horizon <= base:
        where = spec.where("horizon") if spec.horizon else spec.where("base")
        out.append(Problem(where.file, where.line, where.path or "base",
                           f"the horizon {horizon} is not after the base year {base}; a scenario with "
                           f"base: {base} needs a horizon in [{base + 1}, {fmt(BY_NAME['horizon'].high)}]"))
    for s in chain:
        for param in ("growth", "deflator"):
            for e in getattr(s, param):
                early = [y for y in (e.years or ()) if y <= base]
                if early:
                    out.append(Problem(e.where.file, e.where.line, e.where.path,
                                       f"year {early[0]} is not after the base year {base} (base: {base} starts "
                                       f"from the realized {base} economy): name years from {base + 1} on"))
    anchored = anchored_series()
    for s in chain:
        for key in s.revenue_links:
            series, _, what = key.partition(".")
            if what == "base_2020" and series in anchored:
                where = s.where("revenue_links", key)
                out.append(Problem(where.file, where.line, where.path,
                                   f"{key} has no effect from base {base}: the series starts from its published "
                                   f"level (model/data/realized.csv, see base_year.csv), not from its 2020 level; "
                                   f"remove the key or use base: {int(BY_NAME['base'].default)}"))
    for what, entries, field_name in (("shock", shocks, "year"), ("project", projects, "start")):
        for e in entries:
            if getattr(e, field_name) <= base:
                out.append(Problem(e.where.file, e.where.line, f"{e.where.path}.{field_name}",
                                   f"{what} {field_name} {getattr(e, field_name)} is not after the base year "
                                   f"{base}: name a year from {base + 1} on"))
    return out


def _jump_off_assumption_problems(chain: tuple[Spec, ...], base: int) -> list[Problem]:
    """Overrides of the 2025 jump-off's assumptions (``assumptions_2025.csv``) in a chain whose
    scenario does not start from 2025: they would have no effect, so each is refused where it is
    written (inherited ones included)."""
    jump_off_year = BASES[-1]          # the year assumptions_2025.csv splits (the only later base)
    if base == jump_off_year:
        return []
    jump_off = default_assumptions_2025()
    out = []
    for s in chain:
        for k in s.assumptions:
            if k in jump_off:
                w = s.where("assumptions", k)
                out.append(Problem(w.file, w.line, w.path,
                                   f"an assumption of the {jump_off_year} jump-off (model/data/assumptions_2025.csv), "
                                   f"without effect from the base year {base}: it needs base: {jump_off_year}"))
    return out


def resolve(chain: tuple[Spec, ...], parent: Scenario | None = None) -> Scenario:
    """Resolve a chain of specs (root first) into a Scenario, or raise :class:`ScenarioError`."""
    spec = chain[-1]
    horizon = spec.horizon or (parent.horizon if parent else BY_NAME["horizon"].default)
    base = spec.base or (parent.base if parent else int(BY_NAME["base"].default))
    problems = _horizon_problems(spec, horizon)
    origins: dict = {}
    paths = {}
    for param in ("growth", "deflator"):
        entries = [e for s in chain for e in getattr(s, param)]
        paths[param] = _layered(entries, param, horizon, origins, base)
    shocks, p1 = _merge_entries(parent.shocks if parent else (), spec.shocks, "shock", horizon, "year")
    projects, p2 = _merge_entries(parent.projects if parent else (), spec.projects, "project", horizon, "start")
    problems += p1 + p2
    problems += _base_problems(chain, base, horizon, shocks, projects)
    problems += _jump_off_assumption_problems(chain, base)
    census = spec.census or (parent.census if parent else BY_NAME["census"].default)
    if base != int(BY_NAME["base"].default):
        if spec.census == "4th":
            where = spec.where("census")
            problems.append(Problem(where.file, where.line, "census", f"got '4th' with base: {base}; the {base} "
                                    "jump-off starts from the published levels of the 5th-census basis"))
        census = "5th"
    shocks = tuple(_with_sectors(e) for e in shocks)
    uncertainty, p3 = _merge_uncertainty(chain, shocks)
    problems += p3
    if problems:
        raise ScenarioError(problems)
    unwind = spec.vaccine_unwind if spec.vaccine_unwind is not None else (
        parent.vaccine_unwind if parent else BY_NAME["vaccine_unwind"].default / 100.0)
    trend = spec.trend or (parent.trend if parent else BY_NAME["trend"].default)
    targets = spec.targets or (parent.targets if parent else BY_NAME["targets"].default)
    warnings = spec.warnings + _centring_warnings(uncertainty, unwind, shocks)
    assumptions = {**(parent.assumptions if parent else {}), **spec.assumptions}
    revenue_links = {**(parent.revenue_links if parent else {}), **spec.revenue_links}
    return Scenario(name=spec.name, description=spec.description, horizon=horizon, growth=paths["growth"],
                    deflator=paths["deflator"], vaccine_unwind=unwind, assumptions=MappingProxyType(assumptions),
                    revenue_links=RevenueOverrides(default_revenue_links(), revenue_links),   # checked in read_spec
                    shocks=shocks, projects=projects, file=spec.file, sha256=spec.sha256, chain=chain,
                    origins=MappingProxyType(origins), warnings=warnings, parent=parent, uncertainty=uncertainty,
                    trend=trend, targets=targets, lever_pairs=spec.lever_pairs if spec.lever_pairs is not None else (
                        parent.lever_pairs if parent else ()), base=base, census=census)


def _read(path: Path) -> tuple[Any, dict, bytes]:
    """The parsed file, its key lines and its bytes; only a regular file, at most ``MAX_BYTES`` read."""
    def refuse(message: str):
        return ScenarioError([Problem(str(path), None, "", message)])

    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):      # a FIFO or a device would hang or never end
            raise refuse("not a regular file (a folder, pipe or device): a scenario is a YAML file")
        if info.st_size > MAX_BYTES:      # refuse before reading a huge file into memory
            raise refuse(f"file is {info.st_size:,} bytes; a scenario file may have at most {MAX_BYTES:,}")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):    # replaced since the check
                raise refuse("not a regular file (a folder, pipe or device): a scenario is a YAML file")
            data = fh.read(MAX_BYTES + 1)      # never more, whatever the file has become
    except OSError as exc:
        raise refuse(f"cannot read the file: {exc.strerror or exc}") from None
    except ValueError as exc:        # e.g. a NUL byte in the path
        raise refuse(f"cannot read the file: {exc}") from None
    try:
        raw, lines = read_yaml(data)
    except YamlProblem as exc:
        raise ScenarioError([Problem(str(path), exc.line, "", exc.message)]) from None
    return raw, lines, data


def parent_path(spec: Spec) -> Path:
    """Where ``extends:`` points: ``<name>.yaml`` beside the file, or a path relative to it."""
    here = Path(spec.file).parent
    target = spec.extends.strip()
    return (here / target) if target.endswith((".yaml", ".yml")) else here / f"{target}.yaml"


def _real(path: Path) -> Path:
    """``path`` with symbolic links and ``..`` resolved (a link loop is left as it is)."""
    return Path(os.path.realpath(path))


def load_scenario(path: str | Path, _stack: tuple[Path, ...] = ()) -> Scenario:
    """Read, check and resolve one scenario file and its parents.  Raises :class:`ScenarioError`.

    A parent (``extends:``) is a name in the same folder or a path relative to the file
    that names it, ending in ``.yaml``; it must lie in the folder of the file given here
    (``path``) or below it: no absolute paths and no way out with ``..`` or links.
    """
    path = Path(path)
    raw, lines, data = _read(path)
    spec = read_spec(raw, lines, str(path), data)
    parent = None
    if spec.extends is not None:
        where = spec.where("extends")
        target = parent_path(spec)
        root = _real((_stack + (path,))[0].parent)
        real = _real(target)
        if real != root and root not in real.parents:
            raise ScenarioError([Problem(where.file, where.line, "extends",
                                         f"parent {spec.extends!r} lies outside {root}: a parent must be in the "
                                         "folder of the scenario being run or below it")])
        if real in [_real(p) for p in _stack + (path,)]:
            cycle = " -> ".join(str(p) for p in _stack + (path, target))
            raise ScenarioError([Problem(where.file, where.line, "extends", f"inheritance cycle: {cycle}")])
        try:
            why = "" if stat.S_ISREG(target.stat().st_mode) else "not a regular file"
        except (OSError, ValueError) as exc:
            why = getattr(exc, "strerror", None) or str(exc)
        if why:
            raise ScenarioError([Problem(where.file, where.line, "extends",
                                         f"parent {spec.extends!r} not found (looked for {target}: {why}; a "
                                         "parent is a .yaml file)")])
        try:
            parent = load_scenario(target, _stack + (path,))
        except ScenarioError as exc:
            head = Problem(where.file, where.line, "extends", f"parent {spec.extends!r} has problems:")
            raise ScenarioError([head, *exc.problems]) from None
    return resolve((parent.chain if parent else ()) + (spec,), parent)


def scenario_from_dict(raw: dict, file: str = "<memory>.yaml") -> Scenario:
    """A scenario from already-parsed data (no ``extends``); for tests and notebooks."""
    return resolve((read_spec(raw, {}, file),))

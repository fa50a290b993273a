"""Scenario files -> validated, immutable :class:`Scenario`, inheritance resolved.

``load_scenario`` reads a file (:mod:`model.yamlio`), checks it on its own
(:mod:`model.spec`), loads its parent chain (``extends:``), checks what needs the
whole chain (the horizon) and resolves everything into arrays.  Every problem of
a file is reported together, with ``file:line``.  After this boundary the model
trusts the Scenario.

Time paths are kept as two layers per cell, ``set`` (a level, NaN where the chain
is silent) and ``add`` (percentage-point changes on top), so that a change stated
relative to the parent still applies when the parent follows the calibrated trend.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

from .years import n_steps, step_row, step_year, step_years
from .parameters import BY_NAME, GROWTH_DEFAULT_FROM, FIRST_PATH_YEAR
from .sectors import INDEX, KEYS, N_SECTORS
from .parameters import UNCERTAINTY
from .distributions import centring_warning
from .spec import Distribution, PathEntry, Problem, Project, ScenarioError, Shock, Spec, read_spec
from .yamlio import MAX_BYTES, YamlProblem, read_yaml
from .data import revenue_links as default_revenue_links
from .revenue import RevenueOverrides

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

    @property
    def is_deterministic(self) -> bool:
        dists = [*self.growth.values(), *self.deflator.values(),
                 *[d for f in self.shocks.values() for d in f.values()]]
        if self.vaccine_unwind is not None:
            dists.append(self.vaccine_unwind)
        return all(d.is_constant for d in dists)


def _merge_uncertainty(chain: tuple[Spec, ...], shocks: tuple[Shock, ...]) -> tuple[Uncertainty | None, list]:
    merged: dict[str, Any] = {}
    for spec in chain:
        for key, value in spec.uncertainty.items():
            if isinstance(value, dict) and key == "shocks":
                for name, fields in value.items():
                    merged.setdefault(key, {}).setdefault(name, {}).update(fields)
            elif isinstance(value, dict):
                merged.setdefault(key, {}).update(value)
            else:
                merged[key] = value
    if not merged:
        return None, []
    problems = []
    names = {e.name for e in shocks}
    for name, fields in merged.get("shocks", {}).items():
        if name not in names:
            where = next(iter(fields.values())).where if fields else Problem(chain[-1].file, None, "", "")
            problems.append(Problem(where.file, where.line, f"uncertainty.shocks.{name}",
                                    f"no shock named {name!r} in this scenario"))
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
        shocks=MappingProxyType(merged.get("shocks", {})), correlated=correlated, correlation=corr), []


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

    @property
    def path_years(self) -> np.ndarray:
        """Years of the rows of ``growth`` and ``deflator``: 2021..horizon."""
        return step_years(self.horizon)


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def _layered(entries: list[PathEntry], param: str, horizon: int, origins: dict) -> Layered:
    n = n_steps(horizon)
    level, change = np.full((n, N_SECTORS), np.nan), np.zeros((n, N_SECTORS))
    for e in entries:
        years = e.years or tuple(range(DEFAULT_FROM[param], horizon + 1))
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


def _merge_entries(inherited: tuple, own: tuple, what: str, horizon: int, first_year) -> tuple[tuple, list]:
    """Parent entries with this file's applied by name (replace, remove, append)."""
    out = {e.name: e for e in inherited if first_year(e) <= horizon}
    problems = []
    for e in own:
        if e.remove:
            if e.name not in out:
                problems.append(Problem(e.where.file, e.where.line, e.where.path,
                                        f"remove: no inherited {what} named {e.name!r}"))
            out.pop(e.name, None)
        else:
            out[e.name] = e
    return tuple(out.values()), problems


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
    for param, entries in (("growth", spec.growth), ("deflator", spec.deflator)):
        for e in entries:
            if e.years and max(e.years) > horizon:
                out.append(Problem(e.where.file, e.where.line, e.where.path,
                                   f"year {max(e.years)} is after the horizon {horizon}"))
    for e in spec.shocks:
        if not e.remove and e.year > horizon:
            out.append(Problem(e.where.file, e.where.line, e.where.path + ".year",
                               f"shock year {e.year} is after the horizon {horizon}"))
    for e in spec.projects:
        if not e.remove and e.start > horizon:
            out.append(Problem(e.where.file, e.where.line, e.where.path + ".start",
                               f"project start {e.start} is after the horizon {horizon}"))
    return out


def resolve(chain: tuple[Spec, ...], parent: Scenario | None = None) -> Scenario:
    """Resolve a chain of specs (root first) into a Scenario, or raise :class:`ScenarioError`."""
    spec = chain[-1]
    horizon = spec.horizon or (parent.horizon if parent else BY_NAME["horizon"].default)
    problems = _horizon_problems(spec, horizon)
    origins: dict = {}
    paths = {}
    for param in ("growth", "deflator"):
        entries = [e for s in chain for e in getattr(s, param)]
        paths[param] = _layered(entries, param, horizon, origins)
    shocks, p1 = _merge_entries(parent.shocks if parent else (), spec.shocks, "shock", horizon, lambda e: e.year)
    projects, p2 = _merge_entries(parent.projects if parent else (), spec.projects, "project", horizon,
                                  lambda e: e.start)
    problems += p1 + p2
    shocks = tuple(_with_sectors(e) for e in shocks)
    uncertainty, p3 = _merge_uncertainty(chain, shocks)
    problems += p3
    if problems:
        raise ScenarioError(problems)
    unwind = spec.vaccine_unwind if spec.vaccine_unwind is not None else (
        parent.vaccine_unwind if parent else BY_NAME["vaccine_unwind"].default / 100.0)
    warnings = spec.warnings + _centring_warnings(uncertainty, unwind, shocks)
    assumptions = {**(parent.assumptions if parent else {}), **spec.assumptions}
    revenue_links = {**(parent.revenue_links if parent else {}), **spec.revenue_links}
    return Scenario(name=spec.name, description=spec.description, horizon=horizon, growth=paths["growth"],
                    deflator=paths["deflator"], vaccine_unwind=unwind, assumptions=MappingProxyType(assumptions),
                    revenue_links=RevenueOverrides(default_revenue_links(), revenue_links),   # checked in read_spec
                    shocks=shocks, projects=projects, file=spec.file, sha256=spec.sha256, chain=chain,
                    origins=MappingProxyType(origins), warnings=warnings, parent=parent, uncertainty=uncertainty)


def _read(path: Path) -> tuple[Any, dict, bytes]:
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
    return raw, lines, data


def parent_path(spec: Spec) -> Path:
    """Where ``extends:`` points: ``<name>.yaml`` beside the file, or a relative path."""
    here = Path(spec.file).parent
    target = spec.extends.strip()
    return (here / target) if target.endswith((".yaml", ".yml")) or "/" in target else here / f"{target}.yaml"


def load_scenario(path: str | Path, _stack: tuple[Path, ...] = ()) -> Scenario:
    """Read, check and resolve one scenario file and its parents.  Raises :class:`ScenarioError`."""
    path = Path(path)
    raw, lines, data = _read(path)
    spec = read_spec(raw, lines, str(path), data)
    parent = None
    if spec.extends is not None:
        where = spec.where("extends")
        target = parent_path(spec)
        resolved = [p.resolve() for p in _stack + (path,)]
        if target.resolve() in resolved:
            cycle = " -> ".join(str(p) for p in _stack + (path, target))
            raise ScenarioError([Problem(where.file, where.line, "extends", f"inheritance cycle: {cycle}")])
        if not target.is_file():
            raise ScenarioError([Problem(where.file, where.line, "extends",
                                         f"parent {spec.extends!r} not found (looked for {target})")])
        try:
            parent = load_scenario(target, _stack + (path,))
        except ScenarioError as exc:
            head = Problem(where.file, where.line, "extends", f"parent {spec.extends!r} has problems:")
            raise ScenarioError([head, *exc.problems]) from None
    return resolve((parent.chain if parent else ()) + (spec,), parent)


def scenario_from_dict(raw: dict, file: str = "<memory>.yaml") -> Scenario:
    """A scenario from already-parsed data (no ``extends``); for tests and notebooks."""
    return resolve((read_spec(raw, {}, file),))

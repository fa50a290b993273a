"""The ``uncertainty:`` block of a scenario file: distributions, checked.

Parsed per file into plain data (merged down the inheritance chain by
:mod:`model.scenario.loader`); :mod:`model.analysis.sampling` draws from it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.parameters import DISTRIBUTIONS, SECTOR_KEYS, SHOCK_UNCERTAIN, UNCERTAINTY, Parameter
from ..core.problems import Checker, Problem, show_value
from ..core.sectors import KEYS


@dataclass(frozen=True)
class Distribution:
    """A sampling distribution: ``kind`` in :data:`~model.core.parameters.DISTRIBUTIONS`, its
    parameters in the file's units (pp or %), and where it was written."""

    kind: str
    params: tuple[float, ...]
    where: Problem

    @property
    def is_constant(self) -> bool:
        return (self.params[1] == 0.0) if self.kind == "normal" else (self.params[0] == self.params[-1])

    def ppf(self, u: np.ndarray) -> np.ndarray:
        r"""Quantile function at probabilities ``u`` in [0, 1] (same shape).

        Normal: :math:`\mu + \sigma\,\Phi^{-1}(u)`.  Uniform: :math:`a + (b-a)\,u`.
        Triangular :math:`(a, c, b)` with :math:`F_c = (c-a)/(b-a)`:
        :math:`a + \sqrt{u (b-a)(c-a)}` for :math:`u < F_c`, else
        :math:`b - \sqrt{(1-u)(b-a)(b-c)}`.  A distribution of zero width returns its
        single value exactly.
        """
        u = np.asarray(u, dtype=float)
        if self.kind == "normal":
            from scipy.special import ndtri  # where drawn: importing this module needs no scipy
            mean, sd = self.params
            return mean + sd * ndtri(u) if sd else np.full_like(u, mean)
        if self.is_constant:
            return np.full_like(u, self.params[0])
        if self.kind == "uniform":
            low, high = self.params
            return low + (high - low) * u
        low, mode, high = self.params
        width = high - low
        left = low + np.sqrt(u * width * (mode - low))
        right = high - np.sqrt((1.0 - u) * width * (high - mode))
        return np.where(u < (mode - low) / width, left, right)


def centring_warning(d: Distribution, value: float, what: str) -> Problem | None:
    """A warning when the scenario's own ``value`` (the deterministic case, in the
    distribution's unit) is not the distribution's median, or lies outside its
    interquartile range: the Monte Carlo would then not be centred on the scenario."""
    q25, median, q75 = (float(x) for x in d.ppf(np.array([0.25, 0.5, 0.75])))
    tol = 1e-9 * max(1.0, abs(value))
    if abs(median - value) <= tol:
        return None
    where = "outside" if not q25 - tol <= value <= q75 + tol else "inside"
    return Problem(d.where.file, d.where.line, d.where.path,
                   f"the scenario's {what} is {value:g} but the distribution's median is {median:g} "
                   f"(interquartile range {q25:g}-{q75:g}, the scenario's value {where} it): the Monte Carlo is "
                   "not centred on the deterministic projection")


def parse_distribution(c: Checker, path: tuple, raw: Any, p: Parameter) -> Distribution | None:
    """A checked distribution; its parameters within ``p``'s bounds, its sd at most ``p.sd_high``."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or "dist" not in raw:
        c.error(path, f"got {show_value(raw)}; expected a distribution such as {{dist: normal, mean: 0, sd: 1}}")
        return None
    kind = raw["dist"]
    if not c.choice(path + ("dist",), kind, list(DISTRIBUTIONS), "distribution"):
        return None
    names = DISTRIBUTIONS[kind]
    before = len(c.problems)
    for k in raw:
        if k != "dist" and k not in names:
            c.unknown(path, k, ["dist", *names])
    missing = [n for n in names if n not in raw and not (kind == "normal" and n == "mean")]
    if missing:
        c.error(path, f"a {kind} distribution needs {', '.join(missing)}")
    spread = Parameter(p.name, "number", p.unit, "", low=0.0, high=p.sd_high)
    values = {n: c.number(path + (n,), raw[n], spread if n == "sd" else p) if n in raw else
              (0.0 if n == "mean" and p.low <= 0.0 <= p.high else None) for n in names}
    if len(c.problems) > before or any(v is None for v in values.values()):
        return None
    v = [values[n] for n in names]
    if kind != "normal" and sorted(v) != v:
        c.error(path, f"needs {' <= '.join(names)}; got {', '.join(f'{n}={x:g}' for n, x in zip(names, v))}")
        return None
    return Distribution(kind, tuple(v), c.at(path))


def parse_uncertainty(c: Checker, raw: Any) -> dict:
    """The ``uncertainty`` block as a plain dict of checked values (merged later, key by key)."""
    table = c.mapping(("uncertainty",), raw, "uncertainty settings")
    if table is None:
        return {}
    out: dict[str, Any] = {}
    for key, value in table.items():
        path = ("uncertainty", key)
        p = UNCERTAINTY.get(key)
        if p is None:
            c.unknown(("uncertainty",), key, list(UNCERTAINTY))
        elif p.kind == "count":
            out[key] = c.whole(path, value, p)
        elif p.kind == "choice":
            if value not in ("persistent", "yearly"):
                c.error(path, f"got {show_value(value)}; expected 'persistent' or 'yearly'")
            out[key] = value
        elif p.kind == "flag":
            if isinstance(value, bool):
                out[key] = value
            else:
                c.error(path, f"got {show_value(value)}; expected true or false")
        elif p.kind == "distribution":
            out[key] = parse_distribution(c, path, value, p)
        elif p.kind == "distributions":
            sub = c.mapping(path, value, "sector: distribution") or {}
            out[key] = {}
            for sector, d in sub.items():
                if sector not in SECTOR_KEYS:
                    c.unknown(path, sector, SECTOR_KEYS)
                else:
                    out[key][sector] = parse_distribution(c, path + (sector,), d, p)
        elif p.kind == "shock_distributions":
            sub = c.mapping(path, value, "shock name: {growth_loss: distribution}") or {}
            out[key] = {}
            for name, fields in sub.items():
                if fields is None:               # drops the inherited entry of this shock
                    out[key][name] = None
                    continue
                inner = c.mapping(path + (name,), fields, "field: distribution") or {}
                out[key][name] = {}
                for f, d in inner.items():
                    if f not in SHOCK_UNCERTAIN:
                        c.unknown(path + (name,), f, list(SHOCK_UNCERTAIN))
                    else:
                        out[key][name][f] = parse_distribution(c, path + (name, f), d, SHOCK_UNCERTAIN[f])
        elif p.kind == "correlation":
            sub = c.mapping(path, value, "pair: correlation") or {}
            out[key] = {}
            for pair, rho in sub.items():
                parts = ("*", "*") if pair == "all" else tuple(str(pair).split("-"))
                if len(parts) != 2 or (parts != ("*", "*") and not all(x in KEYS for x in parts)) \
                        or parts[0] == parts[1]:
                    c.error(path + (pair,), f"got {show_value(pair)}; expected 'all' or two different sectors "
                                            "joined by '-' (e.g. ict-scitech)")
                    continue
                if rho is None:                  # drops the inherited correlation of this pair
                    out[key][tuple(sorted(parts))] = None
                    continue
                x = c.number(path + (pair,), rho, p)
                if x is not None:
                    out[key][tuple(sorted(parts))] = (x, c.at(path + (pair,)))
    return out

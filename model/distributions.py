"""The ``uncertainty:`` block of a scenario file: distributions, checked.

Parsed per file into plain data (merged down the inheritance chain by
:mod:`model.scenario`); :mod:`model.sampling` draws from it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .checking import Checker, Problem, show_value
from .parameters import DISTRIBUTIONS, SECTOR_KEYS, UNCERTAINTY, Parameter
from .sectors import KEYS


@dataclass(frozen=True)
class Distribution:
    """A sampling distribution: ``kind`` in :data:`~model.parameters.DISTRIBUTIONS`, its
    parameters in the file's units (pp or %), and where it was written."""

    kind: str
    params: tuple[float, ...]
    where: Problem

    @property
    def is_constant(self) -> bool:
        return (self.params[1] == 0.0) if self.kind == "normal" else (self.params[0] == self.params[-1])


SHOCK_UNCERTAIN = {"growth_loss": (-100.0, 100.0), "recovered": (0.0, 100.0)}


def parse_distribution(c: Checker, path: tuple, raw: Any) -> Distribution | None:
    """A checked distribution; ``None`` for ``null`` (drops the inherited entry) or after an error."""
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
    free = Parameter("x", "number", "", "", low=-1e6, high=1e6)
    values = {n: c.number(path + (n,), raw.get(n, 0.0), free) for n in names}
    if len(c.problems) > before or any(v is None for v in values.values()):
        return None
    v = [values[n] for n in names]
    if kind == "normal" and v[1] < 0:
        c.error(path + ("sd",), f"got {v[1]:g}; a standard deviation cannot be negative")
        return None
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
        elif p.kind == "distribution":
            out[key] = parse_distribution(c, path, value)
        elif p.kind == "distributions":
            sub = c.mapping(path, value, "sector: distribution") or {}
            out[key] = {}
            for sector, d in sub.items():
                if sector not in SECTOR_KEYS:
                    c.unknown(path, sector, SECTOR_KEYS)
                else:
                    out[key][sector] = parse_distribution(c, path + (sector,), d)
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
                        out[key][name][f] = parse_distribution(c, path + (name, f), d)
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

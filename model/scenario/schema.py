"""A JSON Schema of scenario files, generated from the parameter registry, for editors.

``python -m model.scenario.schema`` prints it; ``python -m model.scenario.schema FILE`` writes it (the
package ships it as ``model/scenario/scenario.schema.json``: :data:`SHIPPED`, kept up to date by
tests/test_schema.py).  An editor with YAML language support (the YAML extension of VS Code, any
editor speaking to yaml-language-server) then completes keys, sector keys, target sets and
distributions, shows each key's meaning and unit, and marks what the loader would refuse while the file is
typed.  Everything comes from the declarations the loader checks against
(:mod:`model.core.parameters`, the data files' assumptions and revenue links with their ranges,
the sectors, the revenue series), so the schema cannot drift from them.

The loader stays the judge: a schema states the shape of one file, not what needs the whole inheritance
chain or arithmetic across keys.  What the loader refuses and a schema cannot express is listed in
:data:`NOT_EXPRESSED` (and in the docs).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..baseline.data import assumptions as default_assumptions
from ..baseline.data import assumptions_2025 as default_assumptions_2025
from ..baseline.data import revenue_links as default_revenue_links
from ..core.parameters import (
    BY_NAME,
    DISTRIBUTIONS,
    FIRST_PATH_YEAR,
    PROJECT_FIELDS,
    SHOCK_FIELDS,
    SHOCK_UNCERTAIN,
    UNCERTAINTY_FIELDS,
    Parameter,
)
from ..core.problems import MAX_NAME
from ..core.sectors import KEYS, LABELS
from ..equations.revenue import SERIES
from .spec import MAX_EXTENDS

SHIPPED = Path(__file__).with_name("scenario.schema.json")
DRAFT = "http://json-schema.org/draft-07/schema#"     # the draft yaml-language-server reads best
LAST_YEAR = 2060

#: What the loader refuses that this schema lets through, and why a schema cannot say it.
NOT_EXPRESSED = (
    ("a required key of a shock or project (year, growth_loss, sector, start, ...) left out",
     "allowed when the parent has an entry of that name, which only the inheritance chain knows"),
    ("a `horizon` before a year the file names, or `base: 2025` with years up to 2025",
     "needs the whole chain (a parent's horizon or base) and comparisons between values"),
    ("an assumption of the 2025 jump-off (`share.*_2025`) from the 2020 base", "the base may be inherited"),
    ("year ranges that overlap (`2022-2024` and `2023`) or run backwards (`2025-2022`)",
     "arithmetic between keys of one mapping"),
    ("two shocks or two projects of the same name", "uniqueness of one field across the entries of a list"),
    ("a distribution whose parameters are out of order (low > high, a mode outside [low, high])",
     "comparisons between values"),
    ("a lever pair naming the same sector twice", "comparison between the two items of a pair"),
    ("a correlation matrix that is not positive definite", "linear algebra"),
    ("a name reserved for the batch's outputs (`comparison`, `summary.md`, ...) or ending in `.yaml`, in any case",
     "JSON Schema patterns have no case-insensitive flag"),
    ("a `+5` where a level or \"+5pp\" was meant (refused as ambiguous), a year written `2025.0`",
     "YAML reads both as plain numbers; only the loader sees how they were written"),
    ("a parent (`extends`) that does not exist, lies outside the folder, or makes a cycle", "needs the file system"),
)


def _description(p: Parameter) -> str:
    parts = [p.meaning]
    if p.unit:
        parts.append(f"Unit: {p.unit}.")
    if p.default_text:
        parts.append(f"Default: {p.default_text}.")
    if p.required:
        parts.append("Required.")
    return " ".join(x for x in parts if x)


def _number(low: float | None, high: float | None, low_open: bool = False, **extra) -> dict:
    out: dict[str, Any] = {"type": "number", **extra}
    if low is not None:
        out["exclusiveMinimum" if low_open else "minimum"] = low
    if high is not None:
        out["maximum"] = high
    return out


def _integer(low: float, high: float, **extra) -> dict:
    return {"type": "integer", "minimum": int(low), "maximum": int(high), **extra}


def _year_pattern(first: int, last: int) -> str:
    """A regular expression of the years ``first``-``last`` (four digits)."""
    years = [str(y) for y in range(first, last + 1)]
    return "(?:" + "|".join(years) + ")"


def _name() -> dict:
    # (?![\s\S]): the end of the text in every dialect (a `$` would let a final line break through)
    return {"type": "string", "maxLength": MAX_NAME, "pattern": r"^[A-Za-z0-9][A-Za-z0-9_.-]*(?![\s\S])"}


def _sector(extra_all: bool = False) -> dict:
    keys = (("all",) if extra_all else ()) + KEYS
    return {"type": "string", "enum": list(keys),
            "description": "Sector key: " + "; ".join(f"`{k}` {LABELS.get(k, 'every sector')}" for k in keys)}


def _sector_properties(value: dict, extra_all: bool = True) -> dict:
    """A mapping of sector keys (each with its label as description) to ``value``."""
    keys = (("all",) if extra_all else ()) + KEYS
    return {k: {**value, "description": LABELS.get(k, "every sector (a sector's own entry applies after it)")}
            for k in keys}


def _path(p: Parameter) -> dict:
    year = _year_pattern(FIRST_PATH_YEAR, LAST_YEAR)
    rate = {"anyOf": [_number(p.low, p.high, p.low_open, description=f"{p.unit}: sets the level"),
                      {"type": "string", "pattern": r"^\s*[+-]\s*(\d+(\.\d*)?|\.\d+)\s*pp\s*$",
                       "description": "a change of the parent's (or the trend's) value in percentage points, "
                                      "e.g. \"+1.5pp\""}]}
    by_year = {"type": "object", "minProperties": 1,
               "propertyNames": {"pattern": rf"^\s*{year}\s*(-\s*{year}\s*)?$"},
               "additionalProperties": {"$ref": f"#/definitions/{p.name}_rate"},
               "description": f"years ({FIRST_PATH_YEAR}-{LAST_YEAR}) or ranges (2022-2025) to rates"}
    value = {"anyOf": [{"$ref": f"#/definitions/{p.name}_rate"}, by_year]}
    return {"rate": rate, "property": {"type": "object", "description": _description(p),
                                       "properties": _sector_properties(value), "additionalProperties": False}}


def _overrides(table, p: Parameter, what: str) -> dict:
    def about(k, a) -> str:
        return f"{what}: {k} ({a.unit}), central {a.value:g}, allowed [{a.low:g}, {a.high:g}]. {a.basis}".strip()
    return {"type": "object", "description": _description(p), "additionalProperties": False,
            "properties": {k: _number(a.low, a.high, description=about(k, a)) for k, a in table.items()}}


def _entry(fields: tuple[Parameter, ...], what: str) -> dict:
    props: dict[str, Any] = {}
    for f in fields:
        if f.kind == "name":
            schema = _name()
        elif f.kind in ("year", "count"):
            schema = _integer(f.low, f.high)
        elif f.kind == "flag":
            schema = {"type": "boolean"}
        elif f.kind == "sector":
            schema = _sector()
        elif f.kind == "sectors":
            schema = {"anyOf": [{"const": "all"},
                                {"type": "array", "minItems": 1, "uniqueItems": True, "items": _sector()}]}
        elif f.kind == "revenue_series":
            schema = {"type": "string", "enum": [s.key for s in SERIES]}
        else:
            schema = _number(f.low, f.high, f.low_open)
        props[f.name] = {**schema, "description": _description(f)}
    return {"type": "object", "description": what, "properties": props, "required": ["name"],
            "additionalProperties": False}


def _distribution(p: Parameter) -> dict:
    """A distribution of a quantity bounded by ``p`` (its sd by ``p.sd_high``), or null (drops an inherited one)."""
    value = _number(p.low, p.high, p.low_open)
    cases = []
    for kind, names in DISTRIBUTIONS.items():
        needed = [n for n in names if not (kind == "normal" and n == "mean")]
        props = {"dist": {"const": kind},
                 **{n: (_number(0.0, p.sd_high) if n == "sd" else value) for n in names}}
        cases.append({"if": {"properties": {"dist": {"const": kind}}, "required": ["dist"]},
                      "then": {"properties": props, "required": ["dist", *needed], "additionalProperties": False}})
    shapes = "; ".join(f"{{dist: {k}, {', '.join(v)}}}" for k, v in DISTRIBUTIONS.items())
    return {"anyOf": [{"type": "null"},
                      {"type": "object", "required": ["dist"], "properties": {"dist": {"enum": list(DISTRIBUTIONS)}},
                       "allOf": cases}],
            "description": f"{p.unit}: {shapes}" + (f"; sd at most {p.sd_high:g}" if p.sd_high is not None else "")}


def _uncertainty() -> dict:
    props: dict[str, Any] = {}
    for f in UNCERTAINTY_FIELDS:
        if f.kind == "count":
            schema = _integer(f.low, f.high)
        elif f.kind == "choice":
            schema = {"enum": ["persistent", "yearly"]}
        elif f.kind == "flag":
            schema = {"type": "boolean"}
        elif f.kind == "distribution":
            schema = {"$ref": f"#/definitions/distribution_{f.name}"}
        elif f.kind == "distributions":
            schema = {"type": "object", "additionalProperties": False,
                      "properties": _sector_properties({"$ref": f"#/definitions/distribution_{f.name}"})}
        elif f.kind == "shock_distributions":
            schema = {"type": "object", "additionalProperties": {"anyOf": [
                {"type": "null"},
                {"type": "object", "additionalProperties": False,
                 "properties": {k: {"$ref": f"#/definitions/distribution_shock_{k}"} for k in SHOCK_UNCERTAIN}}]}}
        elif f.kind == "correlation":
            pairs = ["all"] + [f"{a}-{b}" for a in KEYS for b in KEYS if a != b]
            schema = {"type": "object", "propertyNames": {"enum": pairs},
                      "additionalProperties": {"anyOf": [{"type": "null"}, _number(f.low, f.high)]}}
        else:                                           # a kind added to the registry: the test says so
            raise ValueError(f"uncertainty.{f.name}: no schema for kind {f.kind!r}")
        props[f.name] = {**schema, "description": _description(f)}
    return {"anyOf": [{"type": "null"}, {"type": "object", "properties": props, "additionalProperties": False}],
            "description": _description(BY_NAME["uncertainty"])}


def scenario_schema() -> dict:
    """The JSON Schema (draft 7) of one scenario file."""
    definitions: dict[str, Any] = {}
    props: dict[str, Any] = {}
    for p in BY_NAME.values():
        if p.kind == "parent":
            schema = {"type": "string", "minLength": 1, "maxLength": MAX_EXTENDS,
                      "pattern": r"^ *[^/~\\\x00-\x20\x7f][^\x00-\x1f\x7f]*$"}
        elif p.kind == "name":
            schema = _name()
        elif p.kind == "text":
            schema = {"type": "string"}
        elif p.kind == "choice" and p.name == "base":
            schema = {"enum": [int(c) for c in p.choices] + list(p.choices)}
        elif p.kind == "choice":
            schema = {"type": "string", "enum": list(p.choices)}
        elif p.kind == "year":
            schema = _integer(p.low, p.high)
        elif p.kind == "percent":
            schema = _number(p.low, p.high, p.low_open)
        elif p.kind == "path":
            made = _path(p)
            definitions[f"{p.name}_rate"] = made["rate"]
            schema = made["property"]
        elif p.kind == "assumptions" and p.name == "assumptions":
            schema = _overrides({**default_assumptions(), **default_assumptions_2025()}, p, "assumption")
        elif p.kind == "assumptions":
            schema = _overrides(default_revenue_links(), p, "revenue link")
        elif p.kind == "list":
            fields, what = (SHOCK_FIELDS, "a shock") if p.name == "shocks" else (PROJECT_FIELDS, "a project")
            schema = {"type": "array", "items": _entry(fields, what)}
        elif p.kind == "pairs":
            schema = {"type": "array", "items": {"type": "array", "minItems": 2, "maxItems": 2, "items": _sector()}}
        elif p.kind == "uncertainty":
            schema = _uncertainty()
        else:                                           # a kind added to the registry: the test says so
            raise ValueError(f"{p.name}: no schema for kind {p.kind!r}")
        props[p.name] = {**schema, "description": _description(p)} if "description" not in schema else schema
    for f in UNCERTAINTY_FIELDS:
        if f.kind in ("distribution", "distributions"):
            definitions[f"distribution_{f.name}"] = _distribution(f)
    for k, f in SHOCK_UNCERTAIN.items():
        definitions[f"distribution_shock_{k}"] = _distribution(f)
    return {"$schema": DRAFT, "title": "Beijing scenario model: a scenario file",
            "description": "A scenario of the Beijing model (docs: Scenarios). Rates in percent per year; a change "
                           "relative to the parent as \"+1.5pp\"; money in 100 million CNY.",
            "type": "object", "properties": props, "additionalProperties": False, "definitions": definitions}


def schema_text() -> str:
    """The schema as the shipped file holds it (sorted keys, two-space indent, a final newline)."""
    return json.dumps(scenario_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    if argv:
        Path(argv[0]).write_text(schema_text(), encoding="utf-8")
    else:
        print(schema_text(), end="")
    return 0


if __name__ == "__main__":
    import sys
    sys.exit(main(sys.argv[1:]))

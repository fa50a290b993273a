"""The IAMC variable tree as declared once: the nomenclature-iamc codelist of ``model/definitions/``.

``model/definitions/variable/*.yaml`` declares every variable of the results, its unit(s), what it is
(``description``), its ``kind`` and which ``rows`` carry it (``projected``: the model's scenarios;
``published``: the statistics' rows, model ``Beijing Statistics``); ``tag_sector.yaml`` declares the
tags, nomenclature's ``{Tag}`` in a name standing for each of its items (``Value Added|{Sector}``);
a ``*`` stands for a name the scenario file gives (a project's).  ``model/definitions/region/``
declares the one region.  The files follow nomenclature's layout, so that
``nomenclature.DataStructureDefinition("model/definitions")`` reads them and validates a results
table (``tests/test_codelist.py`` does, for every shipped scenario); this module reads them with
PyYAML alone, for the workbook's ``variables`` sheet and docs/variables.md's table.

The codelist is the single source of truth for the tree: the names in :mod:`model.core.iamc` and
:mod:`model.core.sectors` are the code's handles on it, and a test checks each against it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .yamlio import FAST_LOADER

DEFINITIONS = Path(__file__).resolve().parents[1] / "definitions"
VARIABLE_DIR = DEFINITIONS / "variable"
TAG_FILE = VARIABLE_DIR / "tag_sector.yaml"
# The variable files, in the order the documentation lists them.
VARIABLE_FILES = ("economy.yaml", "cross_cutting.yaml", "revenue.yaml", "satellite.yaml", "projects.yaml",
                  "published.yaml")
PROJECTED, PUBLISHED = "projected", "published"
TAG = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True)
class Tag:
    """A tag's item: its name (put in a variable's name) and its description (put in the variable's)."""

    name: str
    description: str


@dataclass(frozen=True)
class Variable:
    """One entry of the codelist, as declared (``name`` may hold a ``{Tag}`` or a ``*``)."""

    name: str
    units: tuple[str, ...]
    description: str
    kind: str
    rows: tuple[str, ...]          # PROJECTED and/or PUBLISHED
    see: str | None                # a page of docs/ with more (``model.md#sector-prices``)
    file: str

    @property
    def rows_text(self) -> str:
        return ", ".join(self.rows)

    @property
    def pattern(self) -> re.Pattern:
        """The names the entry declares: a ``*`` matches any name without a ``|``."""
        return re.compile("^" + re.escape(self.name).replace(re.escape("*"), "[^|]+") + "$")


@lru_cache(maxsize=None)
def tags() -> dict[str, tuple[Tag, ...]]:
    """Tag name -> its items, in file order."""
    entries = yaml.load(TAG_FILE.read_text(encoding="utf-8"), Loader=FAST_LOADER)
    return {name: tuple(Tag(item_name, attrs["description"]) for item in items for item_name, attrs in item.items())
            for entry in entries for name, items in entry.items()}


def _variable(entry: dict, file: str) -> Variable:
    (name, attrs), = entry.items()
    unit = attrs["unit"]
    return Variable(name, tuple(unit) if isinstance(unit, list) else (unit,), attrs["description"], attrs["kind"],
                    tuple(r.strip() for r in attrs["rows"].split(",")), attrs.get("see"), file)


@lru_cache(maxsize=None)
def variables() -> tuple[Variable, ...]:
    """Every entry of the variable codelist, as declared, in the order of :data:`VARIABLE_FILES`."""
    return tuple(_variable(entry, name) for name in VARIABLE_FILES
                 for entry in yaml.load((VARIABLE_DIR / name).read_text(encoding="utf-8"), Loader=FAST_LOADER))


def _expand(v: Variable) -> list[Variable]:
    found = TAG.search(v.name)
    if found is None:
        return [v]
    tag = found.group(1)
    out = []
    for item in tags()[tag]:
        name = v.name.replace("{" + tag + "}", item.name)
        out += _expand(Variable(name, v.units, v.description.replace("{" + tag + "}", item.description), v.kind,
                                v.rows, v.see, v.file))
    return out


@lru_cache(maxsize=None)
def declared() -> dict[str, Variable]:
    """Every variable name the codelist declares (tags expanded; a ``*`` kept), with its entry."""
    return {e.name: e for v in variables() for e in _expand(v)}


def variable(name: str) -> Variable | None:
    """The codelist's entry for the variable ``name`` (a project's through its ``*`` entry), or None."""
    found = declared().get(name)
    if found is not None:
        return found
    return next((v for v in declared().values() if "*" in v.name and v.pattern.match(name)), None)

"""The registry of target sets: which plans' targets a scenario can be scored against, by name.

A set is a name in :data:`SETS` and its file in ``model/data/``.  Reading and checking a set's file is
the targets floor's work (:func:`model.targets.sets.load_set`); scenario files and the command line
validate set names against this registry.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .files import DATA_DIR


@dataclass(frozen=True)
class SetInfo:
    """A registered set: its file in ``model/data/`` and how figures and reports name it."""

    file: str
    title: str


SETS: dict[str, SetInfo] = {
    "plan14": SetInfo("targets.yaml", "Beijing 14th Five-Year high-tech industry plan (2021), 2025 targets"),
    "plan15": SetInfo("targets_plan15.yaml", "Beijing 15th Five-Year outline (draft reviewed 2026-01-25) and the "
                                             "2026 government work report, 2026-2030 targets"),
    "ai2027": SetInfo("targets_ai2027.yaml", "Beijing AI innovation highland action plan (Jan 2026) and the 2026 AI "
                                             "industry target, 2026-2027 targets"),
}
DEFAULT_SET = "plan14"


def set_file(name: str) -> Path:
    """The file of the registered set ``name`` (a key of :data:`SETS`)."""
    return DATA_DIR / SETS[name].file

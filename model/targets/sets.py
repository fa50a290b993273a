"""Target sets: which plan's targets a scenario is scored against.

A set is a name in the registry (:mod:`model.core.target_sets`) and its file in ``model/data/``; a
scenario names its set (``targets: plan15``, :mod:`model.core.parameters`) and the command line can
override it (``--targets``).  :func:`load_set` reads a set once into a :class:`TargetSet`:
the checked targets (:func:`model.targets.definitions.load_targets`) with the set's name,
file and SHA-256, which the scorecard and the manifest record so that results scored
against different sets are never mixed up.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from ..core.target_sets import SETS, set_file
from .definitions import load_targets


class TargetSet(tuple):
    """The targets of one set, in file order (a tuple of :class:`~model.targets.definitions.Target`),
    with the set's ``name``, ``title``, ``file`` and ``sha256`` (of the file's bytes)."""

    name: str
    title: str
    file: Path
    sha256: str

    def __new__(cls, targets, name: str, title: str, file: Path, sha256: str) -> "TargetSet":
        obj = super().__new__(cls, targets)
        obj.name, obj.title, obj.file, obj.sha256 = name, title, Path(file), sha256
        return obj

    def record(self) -> dict[str, str]:
        """What a manifest records of the set."""
        return {"name": self.name, "file": self.file.name, "sha256": self.sha256, "title": self.title}


@lru_cache(maxsize=None)
def load_set(name: str) -> TargetSet:
    """The registered set ``name``, read and checked once (raises
    :class:`~model.targets.definitions.TargetsError` for a broken file, ``KeyError`` for a name
    that is not registered: names are validated where they enter, the scenario file and the
    command line)."""
    info, path = SETS[name], set_file(name)
    targets = load_targets(path)
    return TargetSet(targets, name, info.title, path, hashlib.sha256(path.read_bytes()).hexdigest())

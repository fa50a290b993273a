"""The plan's quantified 2025 targets (``model/data/targets.yaml``)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

TARGETS_FILE = Path(__file__).resolve().parent / "data" / "targets.yaml"
REQUIRED = ("id", "description", "variable", "comparator", "value", "unit", "year", "publisher", "document", "url")


@lru_cache(maxsize=None)
def load_targets(path: Path = TARGETS_FILE) -> tuple[dict, ...]:
    """Target entries as read-only-by-convention dicts, each checked for its required fields."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    for i, t in enumerate(entries):
        missing = [k for k in REQUIRED if k not in t]
        if missing:
            raise ValueError(f"{path.name}: target {i} lacks {missing}")
    return tuple(entries)

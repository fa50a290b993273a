"""The partition of Beijing's GDP into sectors, and the groups used by the data.

The order of :data:`SECTORS` is the column order of every ``(…, n_sectors)`` array.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Sector:
    key: str          # identifier used in scenario files and data
    variable: str     # IAMC variable of its nominal value added
    label: str        # short human label for tables and figures


SECTORS: tuple[Sector, ...] = (
    Sector("agriculture", "Value Added|Agriculture", "Agriculture"),
    Sector("mfg_hightech", "Value Added|Manufacturing|High-tech", "High-tech manufacturing"),
    Sector("mfg_other", "Value Added|Manufacturing|Other", "Other manufacturing"),
    Sector("mining_utilities", "Value Added|Mining and Utilities", "Mining and utilities"),
    Sector("construction", "Value Added|Construction", "Construction"),
    Sector("finance", "Value Added|Finance", "Finance"),
    Sector("ict", "Value Added|ICT Services", "Information transmission, software and IT services"),
    Sector("scitech", "Value Added|Science and Technology Services", "Scientific research and technical services"),
    Sector("wholesale_retail", "Value Added|Wholesale and Retail", "Wholesale and retail"),
    Sector("other_services", "Value Added|Other Services", "Other services"),
)

KEYS: tuple[str, ...] = tuple(s.key for s in SECTORS)
LABELS: dict[str, str] = {s.key: s.label for s in SECTORS}   # key -> label, for words in outputs
N_SECTORS = len(SECTORS)
INDEX: dict[str, int] = {k: i for i, k in enumerate(KEYS)}

# Groups named as in the statistical releases.  Each maps to the sector keys it sums.
GROUPS: dict[str, tuple[str, ...]] = {
    "gdp": KEYS,
    "primary": ("agriculture",),
    "secondary": ("mfg_hightech", "mfg_other", "mining_utilities", "construction"),
    "industry": ("mfg_hightech", "mfg_other", "mining_utilities"),
    "manufacturing": ("mfg_hightech", "mfg_other"),
    "tertiary": ("finance", "ict", "scitech", "wholesale_retail", "other_services"),
}
# A published series about above-designated-size industry is read as a proxy for industry.
GROUPS["industry_abovesize"] = GROUPS["industry"]
for _k in KEYS:
    GROUPS.setdefault(_k, (_k,))

# Level-1 variables that are sums of level-2 sectors, and the group each sums.
PARENTS: dict[str, str] = {"Value Added|Manufacturing": "manufacturing"}


def _level1() -> tuple[str, ...]:
    out: list[str] = []
    for s in SECTORS:
        var = s.variable if s.variable.count("|") == 1 else s.variable.rsplit("|", 1)[0]
        if var not in out:
            out.append(var)
    return tuple(out)


# The level-1 value-added variables, in sector order: they partition GDP.
LEVEL1: tuple[str, ...] = _level1()


def mask(group: str) -> np.ndarray:
    """Boolean vector ``(n_sectors,)`` selecting the sectors of ``group``."""
    m = np.zeros(N_SECTORS, dtype=bool)
    m[[INDEX[k] for k in GROUPS[group]]] = True
    return m

"""The batch's verdict, read first: per target set, how many targets each scenario meets, what the
published record says where a target's outcome is published, and where the model's realized path
(``scenarios/realized.yaml``) disagrees with the record.

Pure functions over the stacked scorecards (:func:`model.output.comparison.stack`); the report, the
summary and the command line's ``ok`` lines all read the verdict from here, so they never disagree.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import pandas as pd

from ..core.target_sets import SETS
from ..targets.scorecard import LOWER_BOUND, MET, MISSED, NOT_MODELLED, NOT_PROJECTED

# The scenario that puts the published record of 2021-2025 into the model (written by
# ``python -m model.baseline.realized_scenario``): its statuses are the model's reading of the record.
REALIZED_PATH = "realized"
COUNTED = (MET, MISSED, NOT_MODELLED, NOT_PROJECTED)
NO_SET = ""                 # the set of scorecards that do not name one


def counts(card: pd.DataFrame) -> dict[str, int]:
    """How many of a scorecard's targets have each status of :data:`COUNTED`."""
    found = card["status"].value_counts()
    return {s: int(found.get(s, 0)) for s in COUNTED}


def verdict_words(card: pd.DataFrame) -> str:
    """A scenario's verdict in a few words: ``plan14: 4 met, 7 missed, 2 not modelled`` (met and missed
    always, the other statuses where there are any; the set's name where the scorecard names one)."""
    n = counts(card)
    words = ", ".join(f"{n[s]} {s}" for s in COUNTED if n[s] or s in (MET, MISSED))
    sets = [s for s in dict.fromkeys(card.get("target_set", pd.Series(dtype=object))) if isinstance(s, str) and s]
    return f"{'/'.join(sets)}: {words}" if sets else words


def read_verdict(scorecard_csv) -> str:
    """:func:`verdict_words` of a written ``scorecard.csv`` (empty text if it cannot be read)."""
    try:
        return verdict_words(pd.read_csv(scorecard_csv, usecols=lambda c: c in ("status", "target_set"),
                                         dtype=str, keep_default_na=False))
    except (OSError, ValueError, KeyError):
        return ""


def set_order(stacked: pd.DataFrame) -> list[str]:
    """The target sets of the stacked scorecards, the registered ones in registry order
    (:data:`model.core.target_sets.SETS`), then any other, then :data:`NO_SET` for scorecards without one."""
    found = list(dict.fromkeys(_sets(stacked)))
    return [s for s in SETS if s in found] + [s for s in found if s not in SETS]


def _sets(stacked: pd.DataFrame) -> pd.Series:
    if "target_set" not in stacked:
        return pd.Series(NO_SET, index=stacked.index)
    return stacked["target_set"].where(stacked["target_set"].map(lambda s: isinstance(s, str)), NO_SET)


def of_set(stacked: pd.DataFrame, name: str) -> pd.DataFrame:
    """The rows of ``stacked`` scored against the set ``name``."""
    return stacked[_sets(stacked) == name]


def count_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Scenarios (rows, by name) × :data:`COUNTED` (columns): how many targets have each status."""
    out = pd.DataFrame([{"scenario": name, **counts(card)} for name, card in rows.groupby("scenario", sort=True)],
                       columns=["scenario", *COUNTED])
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class RecordRow:
    """One target whose outcome is published: what the record says, and the realized path's reading."""

    target: str
    description: str
    year: int
    target_text: str
    unit: str
    record_status: str
    record_value: float
    lower_bound: bool              # the published figure is a lower bound ("over X"), not a level
    note: str
    path_status: str | None        # the realized path's status (None: no realized path in the set)
    path_value: float
    scenarios_met: int             # how many of the set's scenarios project the target met
    scenarios_scored: int          # ... of those that score it (met or missed)

    @property
    def disagrees(self) -> bool:
        """The realized path scores the target and its status differs from the record's."""
        return self.path_status in (MET, MISSED) and self.path_status != self.record_status

    def published(self, fmt) -> str:
        """The published figure as read (``fmt(value, unit)`` rounds it): ``over 10,000`` for a lower bound."""
        return ("over " if self.lower_bound else "") + fmt(self.record_value, self.unit)

    def reason(self, fmt) -> str:
        """Why the realized path's verdict differs from the record's: the two figures side by side and
        what the record's figure is (its note); empty where they agree."""
        if not self.disagrees:
            return ""
        return (f"the path gives {fmt(self.path_value, self.unit)} against the published "
                f"{self.published(fmt)} {self.unit}" + (f" ({self.note})" if self.note else ""))


def record_rows(rows: pd.DataFrame, target_text) -> list[RecordRow]:
    """The targets of one set's scorecards (``rows``) whose outcome is published (met or missed by the
    record), in file order; ``target_text`` writes a scorecard row's target (``≥ 30``, ``4-5``)."""
    if "realized_status" not in rows or not len(rows):
        return []
    first = rows.drop_duplicates("target")
    published = first[first["realized_status"].isin([MET, MISSED])]
    path = rows[rows["scenario"] == REALIZED_PATH].set_index("target")
    met: dict = {}
    scored: dict = {}
    for target, status in zip(rows["target"], rows["status"]):      # the scenarios' statuses, counted once
        met[target] = met.get(target, 0) + (status == MET)
        scored[target] = scored.get(target, 0) + (status in (MET, MISSED))
    out = []
    for _, r in published.iterrows():
        note = str(r.get("realized_note", "") or "")
        p = path.loc[r["target"]] if r["target"] in path.index else None
        out.append(RecordRow(
            target=r["target"], description=str(r.get("description", r["target"])), year=int(r["year"]),
            target_text=target_text(r), unit=str(r.get("unit", "")), record_status=r["realized_status"],
            record_value=float(r["realized_value"]), lower_bound=LOWER_BOUND in note,
            note=note, path_status=None if p is None else p["status"],
            path_value=float("nan") if p is None else float(p.get("projected_value", float("nan"))),
            scenarios_met=int(met[r["target"]]), scenarios_scored=int(scored[r["target"]])))
    return out


def record_counts(rows: pd.DataFrame) -> Mapping[str, int]:
    """How many of one set's targets the record judges met, missed, or does not judge (``not published``)."""
    if "realized_status" not in rows or not len(rows):
        return {}
    found = rows.drop_duplicates("target")["realized_status"].value_counts()
    judged = {MET: int(found.get(MET, 0)), MISSED: int(found.get(MISSED, 0))}
    return {**judged, "not published": int(len(rows.drop_duplicates("target")) - sum(judged.values()))}

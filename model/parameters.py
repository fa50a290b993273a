"""Every scenario parameter, declared once.

The loader, the validator, the README's scenario reference (``python -m
model.parameters``) and the units of the results read from :data:`PARAMETERS`.

Convention: rates in scenario files are **percent per year** (``6.5`` means
6.5 %/yr); the model converts to fractions at the boundary.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import BASE_YEAR, CALIBRATION_YEAR
from .sectors import KEYS


@dataclass(frozen=True)
class Parameter:
    name: str
    kind: str                  # text | name | year | percent | sector_percent | assumptions
    unit: str
    meaning: str
    default: object            # the value used when a scenario is silent (None: computed)
    default_text: str          # how the default reads in the reference table
    low: float | None = None
    high: float | None = None
    low_open: bool = False     # True: the lower bound itself is not allowed

    def bounds_text(self) -> str:
        if self.low is None:
            return ""
        left = "(" if self.low_open else "["
        return f"{left}{self.low:g}, {self.high:g}]"


PARAMETERS: tuple[Parameter, ...] = (
    Parameter("name", "name", "", "Scenario name: names the output folder and the `scenario` column.",
              None, "file name without `.yaml`"),
    Parameter("description", "text", "", "One or two sentences: what the scenario assumes and why.",
              "", "empty"),
    Parameter("horizon", "year", "year", "Last projected year (annual steps from the base year 2020).",
              2025, "2025", 2021, 2060),
    Parameter("growth", "sector_percent", "% per year (real)",
              f"Real value-added growth by sector from {CALIBRATION_YEAR + 1} on; `all` sets every sector, "
              "a sector's own entry wins. Sectors not given grow at their calibrated trend.",
              None, "trend fitted on 2015-2019", -100.0, 300.0, True),
    Parameter("deflator", "sector_percent", "% per year",
              f"Growth of the sector's value-added price index from {BASE_YEAR + 1} on; `all` sets every sector.",
              None, "mean implied GDP deflator 2017, 2019, 2020", -100.0, 100.0, True),
    Parameter("vaccine_unwind", "percent", "%",
              f"Share of the {CALIBRATION_YEAR} high-tech manufacturing level above its trend (COVID-19 vaccine "
              f"output) that disappears in {CALIBRATION_YEAR + 1}. 100 returns to the trend path, 0 keeps it. "
              "Assumption.",
              100.0, "100", 0.0, 100.0),
    Parameter("assumptions", "assumptions", "as in `model/data/assumptions.csv`",
              "Overrides of the data assumptions (industry 2020 level, mining & utilities share, high-tech "
              "weights); each must lie within its documented range.",
              None, "central values of `assumptions.csv`"),
)

BY_NAME = {p.name: p for p in PARAMETERS}
SECTOR_KEYS = ("all",) + KEYS


def reference_table() -> str:
    """The README's scenario reference, as Markdown."""
    head = "| key | unit | allowed | default | meaning |\n|---|---|---|---|---|\n"
    body = "".join(
        f"| `{p.name}` | {p.unit} | {p.bounds_text()} | {p.default_text} | {p.meaning} |\n" for p in PARAMETERS)
    keys = ", ".join(f"`{k}`" for k in SECTOR_KEYS)
    return head + body + f"\nSector keys: {keys}.\n"


if __name__ == "__main__":
    print(reference_table(), end="")

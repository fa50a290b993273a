"""Every scenario parameter, declared once.

The validator (:mod:`model.scenario.spec`), the scenario reference of the docs
(``python -m model.core.parameters docs/scenarios.md``) and the error messages read from these
declarations, so the three cannot drift apart.

Conventions: rates are **percent per year** (``6.5`` means 6.5 %/yr); a change
relative to the parent scenario is a string with a sign and ``pp``
(``"+1.5pp"``, ``"-0.5pp"``); money is 100 million CNY (亿元).
"""
from __future__ import annotations

from dataclasses import dataclass

from .sectors import KEYS
from .target_sets import DEFAULT_SET, SETS
from .years import BASE_YEAR, CALIBRATION_YEAR


def fmt(x: float) -> str:
    """A bound as people write it: ``2025``, ``-100``, ``100,000,000``, ``0.5``."""
    return f"{int(x):,}" if float(x).is_integer() and abs(x) >= 1e5 else f"{x:g}"


@dataclass(frozen=True)
class Parameter:
    name: str
    kind: str                  # text | name | parent | year | percent | number | count | sector | sectors
                               # | path | assumptions | list | flag
    unit: str
    meaning: str
    default: object = None     # the value used when a file is silent (None: required or computed)
    default_text: str = ""     # how the default reads in the reference table
    low: float | None = None
    high: float | None = None
    low_open: bool = False     # True: the lower bound itself is not allowed
    required: bool = False
    sd_high: float | None = None  # distributions: the largest standard deviation allowed
    choices: tuple[str, ...] = ()   # kind "choice": the allowed words (the first is the default)

    def shape_text(self) -> str:
        return SHAPES.get(self.kind, "scalar")

    def bounds_text(self) -> str:
        if self.choices:
            return ", ".join(f"`{c}`" for c in self.choices)
        if self.low is None:
            return ""
        left = "(" if self.low_open else "["
        spread = f"; sd ≤ {fmt(self.sd_high)}" if self.sd_high is not None else ""
        return f"{left}{fmt(self.low)}, {fmt(self.high)}]{spread}"

    def allowed_text(self) -> str:
        b = self.bounds_text()
        return f"a number in {b}" + (f" ({self.unit})" if self.unit else "") if b else self.kind


SHAPES = {"path": "sector × year path", "assumptions": "mapping key → number", "list": "list of entries",
          "sectors": "`all` or list of sectors", "uncertainty": "mapping", "distributions": "sector → distribution",
          "distribution": "distribution", "shock_distributions": "shock → field → distribution",
          "correlation": "pair → number", "pairs": "list of sector pairs"}

FIRST_PATH_YEAR = CALIBRATION_YEAR          # paths may name years from 2021 on
GROWTH_DEFAULT_FROM = CALIBRATION_YEAR + 1  # a plain growth number applies from 2022 (2021 is calibrated)
BASES = (BASE_YEAR, 2025)                    # the jump-off years a scenario may choose (`base:`)


def first_free_year(param: str, base: int) -> int:
    """First year a plain number of ``param`` (``growth`` or ``deflator``) applies to, and the first
    year any path entry, shock or project may name: from the 2020 base, growth from 2022 (2021 is
    calibrated) and deflators from 2021; from a later base, both from the year after it."""
    if base == BASE_YEAR:
        return GROWTH_DEFAULT_FROM if param == "growth" else FIRST_PATH_YEAR
    return base + 1

PARAMETERS: tuple[Parameter, ...] = (
    Parameter("extends", "parent", "",
              "Parent scenario: a name in the same folder (`baseline`) or a path relative to this file ending in "
              "`.yaml`, inside the folder of the scenario being run or below it. The file then states "
              "only what differs; chains are allowed.", None, "none (defaults below)"),
    Parameter("name", "name", "", "Scenario name: names the output folder and the `scenario` column; at most 100 "
              "letters, digits, `_`, `-`, `.`, not a batch-level name (`comparison`, `summary.md`, ...). "
              "Not inherited.",
              None, "file name without `.yaml`"),
    Parameter("description", "text", "", "What the scenario assumes and why. Not inherited.", "", "empty"),
    Parameter("base", "choice", "year",
              f"Jump-off year. `{BASE_YEAR}`: the 2020 economy (4th-census basis) calibrated on what was published "
              "by mid-2021, 2021 calibrated, trend fitted on 2015-2019. `2025`: the realized 2025 economy (5th-census "
              "basis, levels at 2025 prices), trend re-fitted on the record to 2025; every year a file names "
              "(paths, shocks, projects) must then be after 2025, and the horizon too. Inherited.",
              str(BASE_YEAR), str(BASE_YEAR), choices=tuple(str(b) for b in BASES)),
    Parameter("census", "choice", "",
              "Census basis of the levels from the 2020 base. `4th`: the 2020 base year as published before the "
              "5th economic census (the calibration's, the ex-ante baseline's). `5th`: the same partition restated "
              "on the 5th-census basis by sector-specific bridges (docs: the 2025 jump-off, One vintage at a time), "
              "the basis of the 2024-2025 record: for the realized path and comparisons with the revised record. "
              "A 2025 base is on the 5th basis whatever this says; stating `4th` with it is refused. Inherited.",
              "4th", "4th", choices=("4th", "5th")),
    Parameter("horizon", "year", "year", "Last projected year (annual steps from the base year).",
              2025, "2025", FIRST_PATH_YEAR, 2060),
    Parameter("growth", "path", "% per year (real)",
              f"Real value-added growth by sector (`all`: every sector; a sector's own entry is applied after "
              f"`all`). A value is a number (all years from {GROWTH_DEFAULT_FROM}) or a mapping of years and "
              f"ranges (`2023`, `2022-2025`, from {FIRST_PATH_YEAR}). A number sets the level; `\"+1.5pp\"` changes "
              "the parent's (or the trend's) value by percentage points.",
              None, "the `trend` design's path (fitted on 2015-2019); 2021 calibrated", -100.0, 300.0, True),
    Parameter("deflator", "path", "% per year",
              f"Growth of the sector's value-added price index; same forms as `growth`, a plain number applies "
              f"from {FIRST_PATH_YEAR}.", None, "mean implied GDP deflator 2017, 2019, 2020", -100.0, 100.0, True),
    Parameter("trend", "choice", "",
              "Design of the trend growth that paths start from. `converging`: each sector's 2015-2019 growth "
              "differential to GDP decays (half-life `trend.half_life_years`) around an aggregate path continuing "
              "the 2015-2019 slowdown (floor `trend.aggregate_floor`), sectors recentred so they add up to it each "
              "year. `constant`: every sector at its fitted 2015-2019 rate (the earlier design; the aggregate "
              "drifts with the composition). Inherited.", "converging", "converging",
              choices=("converging", "constant")),
    Parameter("targets", "choice", "",
              "Target set the scenario is scored against: "
              + "; ".join(f"`{name}`: {info.title} (`model/data/{info.file}`)" for name, info in SETS.items())
              + ". A target after the horizon is listed as not projected. The command line's `--targets` "
              "overrides it. Inherited.", DEFAULT_SET, DEFAULT_SET, choices=tuple(SETS)),
    Parameter("vaccine_unwind", "percent", "%",
              f"Share of the {CALIBRATION_YEAR} high-tech manufacturing level above its trend (COVID-19 vaccine "
              f"output) that disappears in {CALIBRATION_YEAR + 1}: 100 returns to the trend path, 0 keeps it. "
              "Assumption.", 100.0, "100", 0.0, 100.0),
    Parameter("assumptions", "assumptions", "as in `model/data/assumptions.csv`, `assumptions_2025.csv`",
              "Overrides of the data assumptions (industry 2020 level, mining & utilities share, high-tech "
              "weights, trend half-life and floor) and, with `base: 2025` only, of the 2025 jump-off's splits "
              "(`share.industry_in_secondary_2025`, `share.hightech_mfg_in_industry_2025`, "
              "`share.wholesale_retail_in_tertiary_2025`); each within its documented range. Merged with the "
              "parent's.",
              None, "central values of `assumptions.csv` (and `assumptions_2025.csv`)"),
    Parameter("revenue_links", "assumptions", "as in `model/data/revenue_links.csv`",
              "Overrides of the revenue layer (2020 base levels, elasticities, link weights); each within its "
              "documented range. Merged with the parent's.", None, "values of `revenue_links.csv`"),
    Parameter("shocks", "list", "", "One-off shocks: a list of entries with the `shocks[]` keys below. An entry "
              "with a parent's `name` changes the fields it states and keeps the parent's others; `remove: true` "
              "drops it (and its inherited `uncertainty`).", None, "none"),
    Parameter("projects", "list", "", "Discrete projects adding gross output to a sector: a list of entries with "
              "the `projects[]` keys below; same merge/remove rules as shocks.", None, "none"),
    Parameter("lever_pairs", "pairs", "",
              "Two-lever maps to draw besides those `model/data/targets.yaml` declares: a list of pairs of sector "
              "keys (`[[finance, scitech]]`), each mapping the targets whose levers include either sector. "
              "Replaces the parent's list.", (), "none"),
    Parameter("uncertainty", "uncertainty", "",
              "Distributions of parameters for the Monte Carlo run (`uncertainty.*` keys below). Merged with the "
              "parent's key by key; `null` drops an inherited entry (`uncertainty: null` the whole block).",
              None, "none (deterministic)"),
)

DISTRIBUTIONS = {"normal": ("mean", "sd"), "uniform": ("low", "high"), "triangular": ("low", "mode", "high")}

# Distributions of a shock's fields: bounds of their parameters (and of the draws kept), in the field's unit.
SHOCK_UNCERTAIN: dict[str, Parameter] = {
    "growth_loss": Parameter("growth_loss", "distribution", "percentage points", "", None, "", -100.0, 100.0,
                             True, sd_high=50.0),
    "recovered": Parameter("recovered", "distribution", "%", "", None, "", 0.0, 100.0, sd_high=50.0),
}

UNCERTAINTY_FIELDS: tuple[Parameter, ...] = (
    Parameter("draws", "count", "draws", "Number of Monte Carlo draws.", 10_000, "10000", 1, 100_000_000),
    Parameter("seed", "count", "", "Seed of the random generator (the command line's `--seed` wins).",
              20210811, "20210811", 0, 2**32 - 1),
    Parameter("timing", "choice", "", "`persistent`: one draw per sector shifts all its years; `yearly`: an "
              "independent draw each year.", "persistent", "persistent"),
    Parameter("growth", "distributions", "percentage points",
              "Per sector (or `all`: one economy-wide draw added to every sector): a distribution added to the "
              "real growth path from 2022. Allowed: its parameters (mean, low, mode, high) and its sd.",
              None, "none", -50.0, 50.0, sd_high=20.0),
    Parameter("deflator", "distributions", "percentage points",
              "Per sector or `all`: a distribution added to the deflator path from 2021. Allowed: as for growth.",
              None, "none", -50.0, 50.0, sd_high=20.0),
    Parameter("vaccine_unwind", "distribution", "%", "Distribution of `vaccine_unwind`; draws outside [0, 100] "
              "are left out of the Monte Carlo (and counted).", None, "none", 0.0, 100.0, sd_high=50.0),
    Parameter("shocks", "shock_distributions", "",
              "Per shock name: distributions of its "
              + " and ".join(f"`{k}` ({'pp' if p.unit.startswith('percentage') else p.unit}; parameters in "
                             f"{p.bounds_text()})" for k, p in SHOCK_UNCERTAIN.items())
              + "; draws outside those ranges are left out of the Monte Carlo (and counted).", None, "none"),
    Parameter("correlation", "correlation", "",
              "Correlation of the sector-specific growth draws: `all: 0.3` between every pair, `ict-scitech: 0.7` "
              "for a pair (a Gaussian copula); the matrix must be positive definite.", None, "none",
              -1.0, 1.0),
    Parameter("revenue_bases", "flag", "",
              "Data uncertainty of the revenue layer: `true` draws every series' base within its documented range, "
              "from a split triangular distribution whose mode and median are the central value (the scenario's). "
              "From 2020: the 2020 base level (`<series>.base_2020`, range in `model/data/revenue_links.csv`). From "
              "a 2025 jump-off: the published figure a series is anchored to, within its rounding (a lower bound "
              "'over X' between X and the next figure of its precision), and for a series carried from 2020 its "
              "2020 base level and the 2020 sector levels its link starts from, within the census bridges' ranges. "
              "Each series and sector drawn independently. Docs: Uncertainty, Data uncertainty.",
              False, "false"),
    Parameter("revenue_elasticities", "flag", "",
              "`true` also draws every revenue series' elasticity (`<series>.elasticity`) within its range in "
              "`model/data/revenue_links.csv`, split triangular around the scenario's value. An assumption's "
              "uncertainty rather than the data's.", False, "false"),
)

SHOCK_FIELDS: tuple[Parameter, ...] = (
    Parameter("name", "name", "", "Identifies the shock (for replacing or removing it in a child).", required=True),
    Parameter("year", "year", "year", "Year in which growth is lost.", required=True,
              low=FIRST_PATH_YEAR, high=2060),
    Parameter("sectors", "sectors", "", "`all` or a list of sector keys.", "all", "all"),
    Parameter("growth_loss", "number", "percentage points",
              "Real growth lost in `year` by each affected sector (negative: a boost).",
              required=True, low=-100.0, high=100.0, low_open=True),
    Parameter("recovery_years", "count", "years",
              "Years over which the lost level is regained, geometrically; 0: never.", 0, "0", 0, 30),
    Parameter("recovered", "percent", "%", "Share of the lost level regained by the end of the recovery.",
              100.0, "100", 0.0, 100.0),
    Parameter("remove", "flag", "", "`true` drops the parent's entry of this name.", False, "false"),
)

PROJECT_FIELDS: tuple[Parameter, ...] = (
    Parameter("name", "name", "", "Identifies the project.", required=True),
    Parameter("sector", "sector", "", "Sector key the project adds to.", required=True),
    Parameter("start", "year", "year", "First year with output.", required=True, low=FIRST_PATH_YEAR, high=2060),
    Parameter("gross_output", "number", "100 million CNY per year (2020 prices)",
              "Annual gross output at full capacity.", required=True, low=0.0, high=100_000.0, low_open=True),
    Parameter("ramp_years", "count", "years",
              "Years to reach full output, linearly (1: full output in the start year).", 1, "1", 1, 30),
    Parameter("value_added_ratio", "percent", "% of gross output",
              "Value added as a share of gross output.", required=True, low=0.0, high=100.0, low_open=True),
    Parameter("hightech_share", "percent", "% of value added",
              "Share of the project's value added counted as high-tech (gao-jing-jian).", None,
              "the sector's high-tech weight", 0.0, 100.0),
    Parameter("revenue_series", "revenue_series", "",
              "A revenue or gross-output series of the revenue layer (e.g. `cars`) that the project's gross output "
              "adds to directly, in place of its value added's effect through the series' link.", None, "none"),
    Parameter("remove", "flag", "", "`true` drops the parent's entry of this name.", False, "false"),
)

BY_NAME = {p.name: p for p in PARAMETERS}
ENTRY_FIELDS = {"shocks": {p.name: p for p in SHOCK_FIELDS}, "projects": {p.name: p for p in PROJECT_FIELDS}}
UNCERTAINTY = {p.name: p for p in UNCERTAINTY_FIELDS}
SECTOR_KEYS = ("all",) + KEYS


def reference_table() -> str:
    """The scenario reference of the docs (``docs/scenarios.md``), as Markdown."""
    head = "| key | shape | unit | allowed | default | meaning |\n|---|---|---|---|---|---|\n"
    rows = [(p.name, p) for p in PARAMETERS]
    rows += [(f"shocks[].{p.name}", p) for p in SHOCK_FIELDS]
    rows += [(f"projects[].{p.name}", p) for p in PROJECT_FIELDS]
    rows += [(f"uncertainty.{p.name}", p) for p in UNCERTAINTY_FIELDS]
    body = "".join(
        f"| `{key}` | {p.shape_text()} | {p.unit} | {p.bounds_text()} | "
        f"{'required' if p.required else p.default_text} | {p.meaning} |\n"
        for key, p in rows)
    keys = ", ".join(f"`{k}`" for k in SECTOR_KEYS)
    dists = "; ".join(f"`{{dist: {k}, {', '.join(f'{a}: …' for a in v)}}}`" for k, v in DISTRIBUTIONS.items())
    return head + body + f"\nSector keys: {keys}.\n\nDistributions: {dists}.\n"


BEGIN_MARK = "<!-- scenario-reference: generated by `python -m model.core.parameters"
END_MARK = "<!-- end scenario-reference -->"


def update_readme(text: str) -> str:
    """``text`` with the block between the reference markers replaced by :func:`reference_table`."""
    start = text.index(BEGIN_MARK)
    start = text.index("\n", start) + 1
    end = text.index(END_MARK)
    return text[:start] + reference_table() + text[end:]


if __name__ == "__main__":
    import sys
    from pathlib import Path

    if len(sys.argv) > 1:          # python -m model.core.parameters docs/scenarios.md : rewrite the table in place
        readme = Path(sys.argv[1])
        readme.write_text(update_readme(readme.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(reference_table(), end="")

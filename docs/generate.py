#!/usr/bin/env python3
"""The generated blocks of the documentation: what a run computes, written from a run.

A block sits in ``README.md`` or a page of ``docs/`` between two markers::

    <!-- generated: NAME -->
    ...
    <!-- end generated: NAME -->

and this script rewrites what lies between them, so that no number a run produces is typed by hand
(the way ``python -m model.core.parameters docs/scenarios.md`` keeps the scenario reference in
step with the parameter registry; this script runs that too)::

    python docs/generate.py                  run, then rewrite every block          (make docs-generate)
    python docs/generate.py --check          run, then name the blocks that differ  (exit code 1 if any)
    python docs/generate.py --results DIR    take the shipped scenarios' run from DIR (e.g. results/ of
                                             `make run`, with the same code and data) instead of running them

The run: every shipped scenario, tables only (``--no-figures`` writes the same tables as a full run),
into a temporary folder; and three variants some blocks compare, written as scenario files beside
copies of their parents in another temporary folder: the baseline at both ends of the trend
half-life's range, and ``baseline_2030`` with the constant trend.  The blocks read the files of those
runs, and the data files only for what a run does not restate (the ranges of assumptions).
``tests/test_docs.py`` (slow set) checks that every block is what a fresh run gives.
"""
from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.core.iamc import (
    CLUSTER_VARIABLE,
    GDP,
    HIGHTECH_SHARE,
    NEW_ECONOMY_SHARE,
    REAL_GDP_GROWTH,
    SCENARIO_4TH,
    SCENARIO_5TH,
    STATISTICS_MODEL,
    VALUE_ADDED,
    real,
)
from model.equations.revenue import SERIES
from model.targets.sets import load_set

SCENARIOS = ROOT / "scenarios"
DATA = ROOT / "model" / "data"
PAGES = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
MARKER = re.compile(r"<!-- generated: (?P<name>[a-z0-9-]+) -->\n(?P<body>.*?)<!-- end generated: (?P=name) -->",
                    re.DOTALL)

# The variants: file name -> text, run beside copies of the shipped files they extend.
HALF_LIVES = (5, 20)        # the ends of trend.half_life_years' range (model/data/assumptions.csv); 10 is the default
VARIANTS = {
    **{f"half_life_{h}.yaml": f"extends: baseline\nassumptions:\n  trend.half_life_years: {h}\n" for h in HALF_LIVES},
    "constant_2030.yaml": "extends: baseline_2030\ntrend: constant\n",
}
PARENTS = ("baseline.yaml", "baseline_2030.yaml")
NAIVE = ("naive: sector averages 2015-2019", "naive: shares frozen at 2020")
MINUS = "\u2212"
REAL_VALUE_ADDED = real(VALUE_ADDED)


# ---------------------------------------------------------------- formatting
def num(x: float, digits: int = 1) -> str:
    """``x`` with thousands separators and a true minus sign; empty when missing."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return f"{x:,.{digits}f}".replace("-", MINUS)


def signed(x: float, digits: int = 2) -> str:
    """``x`` with its sign, ``+3.46`` or ``−2.93``."""
    return f"{x:+,.{digits}f}".replace("-", MINUS)


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table; ``|`` inside a cell is escaped, as GitHub needs."""
    def row(cells):
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"
    return "\n".join([row(header), "|" + "---|" * len(header), *map(row, rows)])


def without_urls(text: str) -> str:
    """A derivation or source text without its web addresses."""
    return re.sub(r",? ?https?://\S+", "", text)


# ---------------------------------------------------------------- the run
class Run:
    """The files of one run of the shipped scenarios (``shipped``) and of the variants (``variants``)."""

    def __init__(self, shipped: Path, variants: Path):
        self.shipped, self.variants = Path(shipped), Path(variants)
        self.tables: dict[tuple[str, bool], pd.DataFrame] = {}

    def csv(self, path: str, variants: bool = False) -> pd.DataFrame:
        """A CSV file of the run, read once."""
        if (path, variants) not in self.tables:
            self.tables[path, variants] = pd.read_csv((self.variants if variants else self.shipped) / path,
                                                      keep_default_na=False, na_values=[""])
        return self.tables[path, variants]

    def manifest(self, scenario: str) -> dict:
        return json.loads((self.shipped / scenario / "manifest.json").read_text(encoding="utf-8"))

    def series(self, scenario: str, variable: str, variants: bool = False) -> pd.Series:
        """One variable of a scenario's ``timeseries.csv``, indexed by year."""
        t = self.csv(f"{scenario}/timeseries.csv", variants)
        return t[t["variable"] == variable].set_index("year")["value"]

    def base_year(self, scenario: str) -> pd.DataFrame:
        return self.csv(f"{scenario}/base_year.csv").set_index("sector")

    def metrics(self, variants: bool = False) -> pd.Series:
        m = self.csv("comparison/backtest_metrics.csv", variants)
        return m.set_index(["scenario", "metric", "series", "years"])

    def published(self, variable: str, scenario: str = SCENARIO_4TH) -> pd.Series:
        """A realized series of ``comparison/timeseries.csv`` (model Beijing Statistics), by year."""
        t = self.csv("comparison/timeseries.csv")
        t = t[(t["model"] == STATISTICS_MODEL) & (t["scenario"] == scenario) & (t["variable"] == variable)]
        return t.set_index("year")["value"]


def sector_variables(run: Run, scenario: str, variants: bool = False) -> list[str]:
    """The ten sectors' real value-added variables, in the order of the table."""
    t = run.csv(f"{scenario}/timeseries.csv", variants)
    names = list(dict.fromkeys(v for v in t["variable"] if v.startswith(REAL_VALUE_ADDED + "|")))
    return [v for v in names if v != REAL_VALUE_ADDED + "|Manufacturing"]


def growth(run: Run, scenario: str, variable: str, year: int, variants: bool = False) -> float:
    s = run.series(scenario, variable, variants)
    return 100.0 * (s[year] / s[year - 1] - 1.0)


def line_fit(years, rates_pct) -> dict[str, float]:
    """Ordinary least squares through growth rates (in %): mean, centre year, slope and its standard error."""
    years, rates = np.asarray(years, dtype=float), np.asarray(rates_pct, dtype=float)
    x = years - years.mean()
    slope = float(x @ (rates - rates.mean()) / (x @ x))
    resid = rates - rates.mean() - slope * x
    se = float(np.sqrt(resid @ resid / (len(x) - 2)) / np.sqrt(x @ x))
    return {"mean": float(rates.mean()), "centre": float(years.mean()), "slope": slope, "slope_se": se}


def aggregate_line(run: Run, scenario: str) -> dict[str, float]:
    """The aggregate trend line a scenario's ``base_year.csv`` reports (fractions turned into %)."""
    b = run.base_year(scenario)
    intercept, slope = b.loc["trend_aggregate_intercept"], b.loc["trend_aggregate_slope"]
    return {"mean": 100.0 * intercept["value"], "slope": 100.0 * slope["value"],
            "centre": float(re.search(r"line in (\d+(?:\.\d+)?)\)", intercept["derivation"]).group(1)),
            "slope_se": 100.0 * float(re.search(r"standard error ([\d.]+)", slope["derivation"]).group(1))}


def trend_growth(line: dict[str, float], floor: float, year: int) -> float:
    return max(floor, line["mean"] + line["slope"] * (year - line["centre"]))


def short_name(variable: str) -> str:
    """``Real Value Added|Manufacturing|High-tech`` -> ``Manufacturing: High-tech``."""
    return variable.split("|", 1)[1].replace("|", ": ")


def value_text(x: float, unit: str) -> str:
    """A scorecard value as a reader wants it: shares to 0.1 with their unit, levels and counts whole."""
    if pd.isna(x):
        return ""
    if unit.startswith("%"):
        return f"{num(x, 1)} {unit}"
    return num(x, 0)


def first_sentence(text: str) -> str:
    return text.split(". ", 1)[0].rstrip(".")


# ---------------------------------------------------------------- the blocks
def headline(run: Run) -> str:
    """The baseline against the 14th plan's 2025 targets, beside what was published."""
    s = run.csv("baseline/scorecard.csv")
    rows = []
    for r in s.itertuples():
        value = str(r.target_value)
        if r.unit.startswith("%"):
            value = f"{value} {r.unit}"
        elif re.fullmatch(r"\d+(\.\d+)?", value):
            value = value_text(float(value), r.unit)
        plan = ("≥ " if r.comparator == ">=" else "") + value
        published = value_text(r.realized_value, r.unit)
        verdict = "not judged" if published and r.realized_status == "not published" else r.realized_status
        rows.append([first_sentence(r.description), plan, value_text(r.projected_value, r.unit),
                     f"**{r.status}**" if r.status == "missed" else r.status,
                     f"{published}, {verdict}" if published else verdict])
    return table(["target (2025)", "plan", "baseline", "status", "published"], rows)


def realized_verdicts(run: Run) -> str:
    """The realized columns of the baseline's scorecard: how the record judges each 14th plan target."""
    s = run.csv("baseline/scorecard.csv")
    rows = [[f"`{r.target}`", value_text(r.realized_value, r.unit), r.realized_status, r.realized_note]
            for r in s.itertuples()]
    return table(["target", "published 2025", "status", "note"], rows)


def trend_2020(run: Run) -> str:
    """The trend of the 2020 base: fitted sector rates, the aggregate line, GDP growth 2021-2025."""
    sectors = sector_variables(run, "baseline_constant_trend")
    rates = [[short_name(v), num(growth(run, "baseline_constant_trend", v, 2024), 1)] for v in sectors]
    line = aggregate_line(run, "baseline")
    floor = run.manifest("baseline")["assumptions_used"]["trend.aggregate_floor"]
    binds = next(y for y in range(2021, 2200) if line["mean"] + line["slope"] * (y - line["centre"]) < floor)
    fit = run.csv("baseline/trend_fit.csv")
    annual = fit[(fit["period"] == "annual") & ~fit["observation"].str.contains("aggregate")]
    rms = float(np.sqrt(np.mean((annual["published_pct"] - annual["model_pct"]) ** 2)))
    deflator = run.base_year("baseline").loc["trend_deflator"]
    aggregate = [
        ["$a$, mean published GDP growth 2015–2019", f"{num(line['mean'], 2)} %"],
        ["$b$, slope", f"{num(line['slope'], 2)} points a year (standard error {num(line['slope_se'], 2)})"],
        ["$G_t$ in 2022 and 2025", f"{num(trend_growth(line, floor, 2022))} %, "
                                   f"{num(trend_growth(line, floor, 2025))} %"],
        [f"first year the floor ({num(floor, 0)} %) binds", str(binds)],
        ["trend deflator, every sector", f"{num(100 * deflator['value'], 2)} %/yr "
                                         f"({deflator['derivation'].split('implied for ', 1)[1]})"],
        ["published annual growth rates around the fitted trend, root mean square",
         f"{num(rms)} pp ({len(annual)} observations)"],
    ]
    years = range(2021, 2026)
    paths = [[str(y), num(trend_growth(line, floor, y)), num(run.series("baseline", REAL_GDP_GROWTH)[y]),
              num(run.series("baseline_constant_trend", REAL_GDP_GROWTH)[y])] for y in years]
    return "\n\n".join([
        "Sector trend rates $\\bar g_i$ fitted on 2015–2019 (the rates of `trend: constant`), %/yr:",
        table(["sector", "$\\bar g_i$"], rates),
        "The aggregate line:",
        table(["", "value"], aggregate),
        "Real GDP growth, %: the aggregate path $G_t$, the baseline (converging trend, 2021 calibrated, "
        "vaccine unwind in 2022) and the constant trend:",
        table(["year", "$G_t$", "`baseline`", "`baseline_constant_trend`"], paths)])


def goalseek_baseline(run: Run) -> str:
    g = run.csv("baseline/goalseek.csv")
    rows = [[f"`{r.target}`", r.levers.replace("+", ", "), num(r.needed_growth_pct), num(r.assumed_growth_pct),
             "" if pd.isna(r.extra_pp) else signed(r.extra_pp, 1), r.status, r.note] for r in g.itertuples()]
    return table(["target", "levers", "needed %/yr", "assumed %/yr", "extra pp", "status", "note"], rows)


# Rows of the backtest table: label (the metric in words) -> (metric, series, years) of each number.
BACKTEST_ROWS = {
    "real GDP growth 2021–2025, MAE (bias)": [("MAE", "growth.gdp", "2021-2025"), ("bias", "growth.gdp", "2021-2025")],
    "real GDP growth 2023–2025, MAE (bias)": [("MAE", "growth.gdp", "2023-2025"), ("bias", "growth.gdp", "2023-2025")],
    "every rate and change 2021–2025, MAE ({n} comparisons)": [("MAE", "all rates and changes", "2021-2025")],
    "every level, share and count 2021–2025, MAPE % ({n})": [("MAPE", "all levels, shares and counts", "2021-2025")],
    "finance share of GDP 2025, error (approximate\\*)": [("error", "share.finance", "2025")],
    "ICT share of GDP 2025, error (approximate\\*)": [("error", "share.ict", "2025")],
    "software and information services revenue 2021, % error": [("percent error", "revenue.software_info", "2021")],
    "medicine and health revenue 2022–2023, MAPE %": [("MAPE", "revenue.medicine_health", "2022-2023")],
}
BACKTEST_COLUMNS = {"baseline": "baseline (converging trend)", "baseline_constant_trend": "constant trend (old design)",
                    NAIVE[0]: "naive: sector averages", NAIVE[1]: "naive: shares frozen"}
SIGNED = {"bias", "error", "percent error"}


def backtest_cell(metrics: pd.DataFrame, scenario: str, keys) -> str:
    values = [float(metrics.loc[(scenario, *k), "value"]) for k in keys]
    text = [signed(v) if k[0] in SIGNED else num(v, 2) for v, k in zip(values, keys)]
    return text[0] + (f" ({text[1]})" if len(text) > 1 else "")


def backtest_label(label: str, metrics: pd.DataFrame, keys) -> str:
    return label.format(n=int(metrics.loc[("baseline", *keys[0]), "n"])) if "{n}" in label else label


def backtest_metrics(run: Run) -> str:
    m = run.metrics()
    rows = [[backtest_label(label, m, keys), *(backtest_cell(m, s, keys) for s in BACKTEST_COLUMNS)]
            for label, keys in BACKTEST_ROWS.items()]
    return table(["metric", *BACKTEST_COLUMNS.values()], rows)


def backtest_verdicts(run: Run) -> str:
    v = run.csv("comparison/backtest_verdicts.csv")
    rivals = [r for r in BACKTEST_COLUMNS if r != "baseline"]
    rows = []
    for label, keys in BACKTEST_ROWS.items():
        k = keys[0]
        found = v[(v["metric"] == k[0]) & (v["series"] == k[1]) & (v["years"].astype(str) == k[2])]
        if found.empty:
            continue
        wins = found.set_index("rival")["wins"]
        what = re.sub(r",? (MAE|MAPE|error|% error)\b.*$", "", label)
        rows.append([f"{what}, {k[0]}", *("yes" if str(wins.get(r)) == "True" else "no" for r in rivals)])
    return table(["the baseline wins on", *(BACKTEST_COLUMNS[r] for r in rivals)], rows)


def backtest_half_life(run: Run) -> str:
    shipped, variants = run.metrics(), run.metrics(variants=True)
    low, high = HALF_LIVES
    columns = [(f"half_life_{low}", variants, f"{low} years"), ("baseline", shipped, "10 years (default)"),
               (f"half_life_{high}", variants, f"{high} years")]
    rows = [[backtest_label(label, shipped, keys), *(backtest_cell(m, s, keys) for s, m, _ in columns)]
            for label, keys in BACKTEST_ROWS.items() if not keys[0][1].startswith("revenue.")]
    return table(["metric (baseline)", *(c[2] for c in columns)], rows)


REALIZED_PATH_ROWS = ("growth.gdp", "va.gdp", "share.hightech", "revenue.software_info", "revenue.medicine_health",
                      "count.trillion_clusters", "revenue.ngit", "share.finance", "share.ict")
REALIZED_PATH_YEARS = {"growth.gdp": range(2022, 2026), "va.gdp": range(2022, 2024), "share.ict": (2025,)}


def realized_path(run: Run) -> str:
    b = run.csv("realized/backtest.csv")
    rows = []
    for key in REALIZED_PATH_ROWS:
        years = REALIZED_PATH_YEARS.get(key)
        for r in b[b["series"] == key].itertuples():
            if years is not None and r.year not in years:
                continue
            digits = 0 if r.unit in ("100 million CNY", "count") else 2
            error = "not comparable" if pd.isna(r.projected) else (
                f"{signed(r.error, digits)} {'points' if r.unit == '%' else ''}".strip()
                + ("" if r.unit == "%" else f" ({signed(r.percent_error, 1)} %)"))
            notes = [] if r.definition == "same" else [f"definition: {r.definition}"]
            if r.approximate:
                notes.append(r.method)
            rows.append([f"`{key}`", str(r.year), num(r.projected, digits), num(r.realized, digits), error,
                         "; ".join(notes)])
    return table(["series", "year", "realized path", "published", "error", "note"], rows)


def realized_path_revenues(run: Run) -> str:
    shown = [s for s in SERIES if s.key in ("software_info", "medicine_health", "ngit")]
    years = range(2020, 2026)
    rows = []
    for s in shown:
        levels = run.series("realized", s.variable)
        cells = [num(levels[y], 0)
                 + ("" if y == years[0] else f" ({signed(100 * (levels[y] / levels[y - 1] - 1), 1)} %)")
                 for y in years]
        rows.append([s.label, *cells])
    software = run.series("realized", SERIES[0].variable)
    link_growth = software[2021] / software[2020]
    compared = run.csv("realized/backtest.csv").set_index(["series", "year"])
    published = float(compared.loc[("revenue.software_info", 2021), "realized"])
    rounding = 500.0        # '2.2 trillion': published to the nearest 0.1 trillion yuan
    links = pd.read_csv(DATA / "revenue_links.csv").set_index("key").loc["software_info.base_2020"]
    text = (f"Software: at the path's 2021 growth ({signed(100 * (link_growth - 1), 1)} %), the published "
            f"{num(published, 0)} ({num(published - rounding, 0)}–{num(published + rounding, 0)} for the rounding) "
            f"implies a 2020 level of {num((published - rounding) / link_growth, 0)}–"
            f"{num((published + rounding) / link_growth, 0)}; the assumed 2020 level is {num(links['value'])} "
            f"(range {num(links['low'])}–{num(links['high'])}, `revenue_links.csv`).")
    return table(["series (100 million CNY, growth)", *map(str, years)], rows) + "\n\n" + text


def with_range(derivation: str) -> str:
    """A derivation with the documented range of the assumption it names (``model/data/assumptions*.csv``)
    written after the name: ``(assumption share.industry_in_secondary_2025, range 76–86 %)``."""
    found = re.search(r"\(assumption ([a-z_.0-9]+)", derivation)
    if not found:
        return derivation
    ranges = pd.concat([pd.read_csv(DATA / "assumptions.csv"), pd.read_csv(DATA / "assumptions_2025.csv")])
    row = ranges.set_index("key").loc[found.group(1)]
    return (derivation[:found.end()] + f", range {num(row['low'], 0)}–{num(row['high'], 0)} {row['unit']}"
            + derivation[found.end():])


def jumpoff_partition(run: Run) -> str:
    b = run.base_year("baseline_2030")
    sectors = [k for k in b.index
               if b.loc[k, "unit"] == "100 million CNY" and not k.startswith(("revenue.", "satellite."))]
    rows = [[f"`{k}`", num(b.loc[k, "value"]), b.loc[k, "status"],
             with_range(without_urls(b.loc[k, "derivation"]))] for k in sectors]
    industry = sum(b.loc[k, "value"] for k in ("mfg_hightech", "mfg_other", "mining_utilities"))
    total = sum(b.loc[k, "value"] for k in sectors)
    gdp = run.published(GDP, SCENARIO_5TH)[2025]
    return (table(["sector", "2025, 100 million CNY", "status", "how"], rows)
            + f"\n\nIndustry (high-tech and other manufacturing, mining & utilities) is {num(industry)}. The sectors "
              f"add up to primary + secondary + tertiary = {num(total)}, published GDP ({num(gdp)}) to the "
              "rounding of the release.")


def anchor_text(derivation: str) -> str:
    """The first clause of a revenue row's derivation: the figure its 2025 level rests on (up to a
    bracket it leaves open)."""
    clause = re.split(r" \[|; |, the link from", derivation, maxsplit=1)[0]
    opened = []
    for i, c in enumerate(clause):
        if c == "(":
            opened.append(i)
        elif c == ")" and opened:
            opened.pop()
    return clause[:opened[0]].rstrip(" ,") if opened else clause


def jumpoff_revenue(run: Run) -> str:
    b = run.base_year("baseline_2030")
    rows = [[s.label, num(b.loc[f"revenue.{s.key}", "value"]), b.loc[f"revenue.{s.key}", "status"],
             anchor_text(b.loc[f"revenue.{s.key}", "derivation"]), num(run.series("baseline_2030", s.variable)[2030])]
            for s in SERIES]
    clusters = run.series("baseline_2030", CLUSTER_VARIABLE)
    return (table(["series", "2025, 100 million CNY", "status", "anchor", "2030"], rows)
            + f"\n\nTrillion-yuan clusters (the model's count): {num(clusters[2025], 0)} in 2025, "
              f"{num(clusters[2030], 0)} in 2030.")


def jumpoff_crosscutting(run: Run) -> str:
    b = run.base_year("baseline_2030")
    share = {name: run.series("baseline_2030", variable)
             for name, variable in (("High-tech", HIGHTECH_SHARE), ("New Economy", NEW_ECONOMY_SHARE))}
    row = ["2021 shares re-solved on the 2021 partition (used)", num(b.loc["hightech_services_fraction", "value"], 3),
           num(b.loc["new_economy_fraction", "value"], 3),
           *(f"{num(share[n][y])} %" for n in share for y in (2025, 2030))]
    header = ["", "services fraction $f$", "new-economy $\\phi$", "high-tech share 2025", "2030",
              "new-economy share 2025", "2030"]
    notes = "\n".join(f"- `{k}`: {without_urls(b.loc[k, 'derivation'])}"
                      for k in ("hightech_services_fraction", "new_economy_fraction"))
    return table(header, [row]) + "\n\nThe derivations `base_year.csv` gives:\n\n" + notes


def jumpoff_trend(run: Run) -> str:
    line = aggregate_line(run, "baseline_2030")
    floor = run.manifest("baseline_2030")["assumptions_used"]["trend.aggregate_floor"]
    fit = run.csv("baseline_2030/trend_fit.csv")
    used = fit[fit["observation"] == "growth.gdp (aggregate trend path)"]
    record = run.published(REAL_GDP_GROWTH)
    extra = [y for y in (2021, 2022) if y not in set(used["year"])]
    wider = line_fit([*used["year"], *extra], [*used["published_pct"], *(record[y] for y in extra)])
    lines = [["used: " + ", ".join(map(str, used["year"])), *line_row(line)],
             ["with 2021–2022 in (not used)", *line_row(wider)]]
    path = [[str(y), num(trend_growth(line, floor, y), 2)] for y in range(2026, 2031)]
    sectors = sector_variables(run, "baseline_2030")
    rates = [[short_name(v), num(growth(run, "constant_2030", v, 2027, variants=True), 1),
              num(growth(run, "baseline_2030", v, 2026), 1)] for v in sectors]
    deflator = run.base_year("baseline_2030").loc["trend_deflator"]
    return "\n\n".join([
        "The aggregate line through published GDP growth:",
        table(["years", "mean, %", "centre year", "slope, points a year", "standard error"], lines),
        "GDP trend growth $G_t$, %:",
        table(["year", "$G_t$"], path),
        "Sector trends re-fitted (the rates of `trend: constant`) and each sector's 2026 growth in "
        "`baseline_2030` (converging), %/yr:",
        table(["sector", "trend", "2026, converging"], rates),
        f"Trend deflator, every sector: {num(100 * deflator['value'], 2)} %/yr, the "
        f"{deflator['derivation'].replace('fraction', '').strip()}."])


def satellite_fits(run: Run) -> str:
    """The satellites of baseline_2030: each elasticity's fit (base_year.csv, satellite_fit.csv), its 2025 level
    and its path; the digital economy's fraction."""
    b = run.base_year("baseline_2030")
    fit = run.csv("baseline_2030/satellite_fit.csv")
    rows = []
    for key, name in (("rd", "R&D spending"), ("budget", "general public budget revenue")):
        f = fit[fit["observation"] == f"{key}.elasticity"]
        resid = f["residual_pp"].to_numpy()
        summary = re.search(r"standard error ([0-9.]+); n = (\d+): ([0-9, ]+); uncentred R2 ([0-9.]+)",
                            b.loc[f"satellite.{key}.elasticity", "derivation"])
        rows.append([name, num(b.loc[f"satellite.{key}.elasticity", "value"], 3), summary.group(1), summary.group(2),
                     summary.group(3), summary.group(4), num(float(np.sqrt(np.mean(resid ** 2))), 2),
                     num(float(np.abs(resid).max()), 2)])
    per_year = [[r.observation.split(".")[0], str(r.year), num(r.link_pct, 2), num(r.published_pct, 2),
                 num(r.model_pct, 2), signed(r.residual_pp, 2)] for r in fit.itertuples()]
    paths = []
    for variable, unit, digits in (("Expenditure|R&D", "100 million CNY", 0),
                                   ("Share of GDP (Expenditure)|R&D", "%", 2),
                                   ("Government Revenue|General Public Budget", "100 million CNY", 0),
                                   ("Growth|Government Revenue|General Public Budget", "%", 2),
                                   ("Share of GDP (Cross-cutting)|Digital Economy", "%", 1)):
        s = run.series("baseline_2030", variable)
        paths.append([f"`{variable}`", unit, *(num(s.get(y, float("nan")), digits) for y in range(2025, 2031))])
    return "\n\n".join([
        "The fits (`base_year.csv`; each year in `satellite_fit.csv`), log growth through the origin:",
        table(["satellite", "elasticity", "standard error", "n", "years", "uncentred $R^2$",
               "residual, root mean square (points)", "largest residual (points)"], rows),
        "Each year of the fits, % (growth of nominal GDP, published growth of the satellite, fitted growth, "
        "residual in points of log growth):",
        table(["satellite", "year", "GDP", "published", "fitted", "residual"], per_year),
        f"From the 2025 jump-off (`baseline_2030`): {without_urls(b.loc['satellite.rd', 'derivation']).split(';')[0]}"
        f"; the digital-economy fraction of the other non-agricultural sectors is "
        f"{num(b.loc['digital_economy_fraction', 'value'], 3)}.",
        table(["variable", "unit", *map(str, range(2025, 2031))], paths)])


def plan15_what_it_takes(run: Run) -> str:
    """Each scored target of the 15th plan's set in baseline_2030: the 2025 value, what the target needs in
    nominal terms, what the baseline gives, P(met), and the goal-seeking's lever growth."""
    card = run.csv("baseline_2030/scorecard.csv")
    goals = run.csv("baseline_2030/goalseek.csv").set_index("target")
    elasticity = run.base_year("baseline_2030").loc["satellite.budget.elasticity", "value"]
    variables = {t.id: t.variable for t in load_set("plan15")}
    rows = []
    for r in card[card["status"].isin(["met", "missed"])].itertuples():
        n = int(r.year) - 2025
        variable = variables[r.target]
        start = run.series("baseline_2030", variable).get(2025, float("nan"))
        target = float(str(r.target_value).split(" ")[0]) if r.comparator not in ("rank",) else float("nan")
        if r.comparator == "rank":
            ict = run.series("baseline_2030", "Value Added|ICT Services")[int(r.year)]
            fin = run.series("baseline_2030", "Value Added|Finance")
            need = (f"finance {num(100 * ((ict / fin[2025]) ** (1 / n) - 1), 1)} %/yr to reach ICT services' "
                    f"{num(ict, 0)}")
            start, has = fin[2025], f"{num(100 * ((fin[int(r.year)] / fin[2025]) ** (1 / n) - 1), 1)} %/yr"
        elif r.unit == "100 million CNY":
            need = f"{num(100 * ((target / start) ** (1 / n) - 1), 1)} %/yr"
            has = f"{num(100 * ((r.projected_value / start) ** (1 / n) - 1), 1)} %/yr"
        elif variable and variable.startswith("Share of GDP"):
            need = f"numerator {signed(100 * ((target / start) ** (1 / n) - 1), 1)} %/yr against nominal GDP"
            has = f"{signed(100 * ((r.projected_value / start) ** (1 / n) - 1), 1)} %/yr"
        elif variable and "Government Revenue" in variable:
            need = f"nominal GDP +{num(100 * ((1 + target / 100) ** (1 / elasticity) - 1), 1)} % in {r.year}"
            has = f"+{num(r.projected_value, 1)} % revenue"
        else:
            need, has = "real growth itself", f"{num(r.projected_value, 2)} %"
        goal = goals.loc[r.target] if r.target in goals.index else None
        lever = "" if goal is None or pd.isna(goal["needed_growth_pct"]) else \
            f"{num(goal['needed_growth_pct'], 1)} %/yr real ({goal['levers'].replace('+', ', ')})"
        shown = num(target, 0) if r.unit == "100 million CNY" and r.comparator != "rank" else str(r.target_value)
        rows.append([f"`{r.target}`", str(r.year), num(start, 2 if r.unit.startswith("%") else 0), shown,
                     need, has, r.status, num(100 * r.p_met, 1), lever])
    return table(["target", "year", "2025", "target", "needs (nominal)", "baseline_2030 gives", "status", "P(met), %",
                  "goal-seeking: levers' real growth needed"], rows)


def line_row(line: dict[str, float]) -> list[str]:
    return [num(line["mean"], 2), f"{line['centre']:.1f}", num(line["slope"], 3), num(line["slope_se"], 2)]


# ---------------------------------------------------------------- one economy: vintages and prices
SECTOR_NAMES = {"agriculture": "agriculture", "mfg_hightech": "high-tech manufacturing",
                "mfg_other": "other manufacturing", "mining_utilities": "mining and utilities",
                "construction": "construction", "finance": "finance", "ict": "ICT services",
                "scitech": "sci-tech services", "wholesale_retail": "wholesale and retail",
                "other_services": "other services"}


def census_bridges(run: Run) -> str:
    """The 2020 census bridges of the realized path's base (``realized/base_year.csv``) beside the 4th-census
    partition of the baseline."""
    b, base = run.base_year("realized"), run.base_year("baseline")
    rows = []
    for key, name in SECTOR_NAMES.items():
        f = float(b.loc[f"bridge.{key}", "value"])
        v4 = float(base.loc[key, "value"])
        rows.append([name, num(v4), f"{f:.4f}", num(v4 * f), b.loc[f"bridge.{key}", "status"]])
    total4 = sum(float(base.loc[k, "value"]) for k in SECTOR_NAMES)
    total5 = sum(float(base.loc[k, "value"]) * float(b.loc[f"bridge.{k}", "value"]) for k in SECTOR_NAMES)
    rows.append(["**GDP**", num(total4), f"{total5 / total4:.4f}", num(total5), "published"])
    return table(["sector", "2020, 4th census", "bridge", "2020, 5th census", "status"], rows)


def price_drifts(run: Run, scenario: str) -> str:
    """The relative price drifts a scenario's baseline starts from (its ``base_year.csv`` rows ``price_drift.*``)."""
    b = run.base_year(scenario)
    rows = [[f"`{k}`", signed(100 * float(b.loc[k, "value"])), b.loc[k, "status"],
             without_urls(b.loc[k, "derivation"])] for k in b.index if k.startswith("price_drift.")]
    return table(["drift", "%/yr against the GDP deflator", "status", "how"], rows)


def record_prices(run: Run) -> str:
    """The realized path's sector price indices in 2025 (2020 = 100) and their average growth."""
    rows = []
    gdp = run.series("realized", "Price Index|GDP")[2025]
    for name, variable in (("GDP", "Price Index|GDP"), ("finance", "Price Index|Finance"),
                           ("ICT services", "Price Index|ICT Services"),
                           ("manufacturing", "Price Index (Group)|Manufacturing"),
                           ("sci-tech services", "Price Index|Science and Technology Services"),
                           ("agriculture", "Price Index|Agriculture")):
        idx = run.series("realized", variable)[2025]
        rows.append([name, num(idx, 1), signed(100 * ((idx / 100) ** 0.2 - 1)), signed(100 * ((idx / gdp) ** 0.2 - 1))])
    return table(["value added of", "price index 2025 (2020 = 100)", "%/yr 2020-2025", "%/yr against GDP"], rows)


BLOCKS: dict[str, Callable[[Run], str]] = {
    "headline": headline,
    "realized-verdicts": realized_verdicts,
    "trend-2020": trend_2020,
    "goalseek-baseline": goalseek_baseline,
    "backtest-metrics": backtest_metrics,
    "backtest-verdicts": backtest_verdicts,
    "backtest-half-life": backtest_half_life,
    "realized-path": realized_path,
    "realized-path-revenues": realized_path_revenues,
    "jumpoff-partition": jumpoff_partition,
    "jumpoff-revenue": jumpoff_revenue,
    "jumpoff-crosscutting": jumpoff_crosscutting,
    "jumpoff-trend": jumpoff_trend,
    "census-bridges": census_bridges,
    "price-drifts-2020": lambda run: price_drifts(run, "baseline"),
    "price-drifts-2025": lambda run: price_drifts(run, "baseline_2030"),
    "record-prices": record_prices,
    "satellite-fits": satellite_fits,
    "plan15-what-it-takes": plan15_what_it_takes,
}


# ---------------------------------------------------------------- running and rewriting
def run_model(paths: list[Path], out: Path, *options: str) -> None:
    from model.cli import main
    code = main([*map(str, paths), "--out", str(out), "--no-figures", "-q", *options])
    if code != 0:
        raise SystemExit(f"docs/generate.py: the run into {out} failed (exit code {code})")


def make_run(folder: Path, results: Path | None = None) -> Run:
    """Run the shipped scenarios (unless ``results`` holds their run) and the variants under ``folder``."""
    shipped = results or folder / "shipped"
    if results is None:
        run_model(sorted(SCENARIOS.glob("*.yaml")), shipped)
    files = folder / "variant_files"
    files.mkdir()
    for name in PARENTS:
        shutil.copy(SCENARIOS / name, files / name)
    for name, text in VARIANTS.items():
        (files / name).write_text(text, encoding="utf-8")
    run_model([files / name for name in VARIANTS], folder / "variants", "--draws", "64")
    return Run(shipped, folder / "variants")


def blocks_of(text: str) -> list[str]:
    return [m.group("name") for m in MARKER.finditer(text)]


def rewrite(text: str, blocks: dict[str, str]) -> str:
    """``text`` with every generated block replaced by its new content."""
    return MARKER.sub(lambda m: f"<!-- generated: {m.group('name')} -->\n\n{blocks[m.group('name')]}\n\n"
                                f"<!-- end generated: {m.group('name')} -->", text)


def generated(run: Run) -> dict[Path, str]:
    """Every page with its blocks (and the scenario reference) as the run gives them."""
    from model.core.parameters import update_readme
    texts = {page: page.read_text(encoding="utf-8") for page in PAGES}
    used = {name for text in texts.values() for name in blocks_of(text)}
    if unknown := used - BLOCKS.keys():
        raise SystemExit(f"docs/generate.py: no generator for the block(s) {sorted(unknown)}")
    if unused := BLOCKS.keys() - used:
        raise SystemExit(f"docs/generate.py: no page holds the block(s) {sorted(unused)}")
    blocks = {name: BLOCKS[name](run).rstrip("\n") for name in sorted(used)}
    out = {page: rewrite(text, blocks) for page, text in texts.items()}
    reference = ROOT / "docs" / "scenarios.md"
    out[reference] = update_readme(out[reference])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a block differs")
    parser.add_argument("--results", type=Path, help="a run of the shipped scenarios to read instead of running them")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        pages = generated(make_run(Path(tmp), args.results))
    changed = [page for page, text in pages.items() if page.read_text(encoding="utf-8") != text]
    for page in changed:
        if args.check:
            print(f"{page.relative_to(ROOT)}: generated blocks differ from a fresh run (make docs-generate)")
        else:
            page.write_text(pages[page], encoding="utf-8")
            print(f"rewrote {page.relative_to(ROOT)}")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())

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

from model.analysis.backtest import LATEST, REAL_TIME
from model.analysis.backtest_metrics import BRIDGE_HIGH, BRIDGE_LOW, COMBINATION
from model.analysis.naive import NAIVE_FLAT_2019, NAIVE_FROZEN_SHARES, NAIVE_SECTOR_AVERAGE
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
MINUS = "\u2212"
REAL_VALUE_ADDED = real(VALUE_ADDED)


# ---------------------------------------------------------------- formatting
def num(x: float, digits: int = 1) -> str:
    """``x`` with thousands separators and a true minus sign; empty when missing."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return f"{x:,.{digits}f}".replace("-", MINUS)


def signed(x: float, digits: int = 2) -> str:
    """``x`` with its sign, ``+3.46`` or ``−2.93``; a value that rounds to zero is ``+0.00`` whatever the
    sign of its rounding noise (which differs between library versions)."""
    x = round(x, digits) + 0.0          # -0.0 + 0.0 is +0.0
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

    def metrics(self, variants: bool = False) -> pd.DataFrame:
        m = self.csv("comparison/backtest_metrics.csv", variants).astype({"years": str})
        return m.set_index(["scenario", "evaluation", "metric", "series", "years"])

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


def target_scopes(run: Run) -> str:
    """The scope notes of the baseline's scorecard: how the model's series differs from a target's published scope."""
    s = run.csv("baseline/scorecard.csv")
    rows = [[f"`{r.target}`", r.note.removeprefix("scope: ")] for r in s.itertuples()
            if isinstance(r.note, str) and r.note.startswith("scope: ")]
    return table(["target", "scope"], rows)


ZERO_ALLOWED = {}     # target id -> why nothing published by mid-2021 supported it (none today)


def pmet_record(run: Run) -> str:
    """The targets the record shows met and the baseline's P(met), the deterministic status beside."""
    s = run.csv("baseline/scorecard.csv")
    met = s[s["realized_status"] == "met"]
    rows = [[f"`{r.target}`", value_text(r.realized_value, r.unit), r.status, f"{100 * r.p_met:.1f} %",
             ZERO_ALLOWED.get(r.target, "")] for r in met.itertuples()]
    zero = [r.target for r in met.itertuples() if r.p_met == 0]
    if unexplained := [t for t in zero if t not in ZERO_ALLOWED]:
        raise SystemExit(f"docs/generate.py: P(met) 0 % for {unexplained}, met on the record, with no reason given")
    text = ("None has P(met) of 0 %." if not zero else
            f"P(met) of 0 %: {', '.join(zero)}, each because nothing published by mid-2021 supported it (last column).")
    return table(["target", "published 2025", "baseline status", "baseline P(met)", "why 0 %"], rows) + "\n\n" + text


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


# The backtest's tables, one per evaluation: row label -> the (metric, series, years) of each number; years None:
# the one window the metrics give ({years} in the label, {n} its number of comparisons).  Three keys: an error
# with its two bridge ends.
BACKTEST_REAL_TIME = {
    "real GDP growth {years}, MAE (bias)": [("MAE", "growth.gdp", None), ("bias", "growth.gdp", None)],
    "every annual rate {years}, MAE ({n} comparisons)": [("MAE", "all annual rates", None)],
    "every partial-year rate {years}, MAE ({n})\u2020": [("MAE", "all partial-year rates", None)],
    "value added levels and shares {years}, MAPE % ({n})": [("MAPE", "value added levels and shares", None)],
    "ICT share of GDP 2023, error": [("error", "share.ict", "2023")],
    "ICT, finance and sci-tech share of GDP 2022, error": [("error", "share.ict_finance_scitech", "2022")],
    "finance nominal growth Q1–Q3 2022–2024, error (pp/yr)\u2020": [("error", "va.finance", "2022-2024 Q1-Q3")],
    "ICT nominal growth Q1–Q3 2022–2024, error (pp/yr)\u2020": [("error", "va.ict", "2022-2024 Q1-Q3")],
    "finance real growth Q1–Q3 2024, error\u2020": [("error", "growth.finance", "2024 Q1-Q3")],
    "ICT real growth Q1–Q3 2024, error\u2020": [("error", "growth.ict", "2024 Q1-Q3")],
    "finance share of GDP H1 2024, error (approximate\u2021)": [("error", "share.finance", "2024 H1")],
    "ICT share of GDP H1 2024, error (approximate\u2021)": [("error", "share.ict", "2024 H1")],
    "software and information services revenue 2021, % error": [("percent error", "revenue.software_info", "2021")],
    "medicine and health revenue 2022–2023, MAPE %": [("MAPE", "revenue.medicine_health", "2022-2023")],
}


def _bridged(label: str, series: str) -> tuple[str, list[tuple[str, str, str]]]:
    return label, [("error", series, "2025"), (BRIDGE_LOW, series, "2025"), (BRIDGE_HIGH, series, "2025")]


BACKTEST_LATEST = {
    "real GDP growth {years}, MAE (bias)": [("MAE", "growth.gdp", None), ("bias", "growth.gdp", None)],
    "average real GDP growth 2021–2025, error": [("error", "growth5y.gdp", "2021-2025")],
    "every annual rate {years}, MAE ({n} comparisons)": [("MAE", "all annual rates", None)],
    "value added levels and shares {years}, MAPE % ({n})": [("MAPE", "value added levels and shares", None)],
    **dict([_bridged("finance share of GDP 2025, error [bridge low, high]", "share.finance"),
            _bridged("ICT share of GDP 2025, error [bridge low, high]", "share.ict"),
            _bridged("secondary sector share of GDP 2025, error [bridge low, high]", "share.secondary"),
            _bridged("tertiary sector share of GDP 2025, error [bridge low, high]", "share.tertiary")]),
    "finance real growth 2025, error": [("error", "growth.finance", "2025")],
    "ICT real growth 2025, error": [("error", "growth.ict", "2025")],
    "medicine and health revenue 2024, % error": [("percent error", "revenue.medicine_health", "2024")],
}
BACKTEST_TABLES = {REAL_TIME: BACKTEST_REAL_TIME, LATEST: BACKTEST_LATEST}
FORECASTS = {"baseline": "baseline (converging trend)", "baseline_constant_trend": "constant trend (old design)",
             NAIVE_SECTOR_AVERAGE: "naive: sector averages", NAIVE_FROZEN_SHARES: "naive: shares frozen",
             NAIVE_FLAT_2019: "naive: flat at 2019", COMBINATION: "combination"}
SIGNED = {"bias", "error", "percent error", BRIDGE_LOW, BRIDGE_HIGH}
HALF_LIFE_ROWS = {REAL_TIME: ("real GDP growth {years}, MAE (bias)", "every annual rate {years}, MAE ({n} comparisons)",
                              "ICT share of GDP 2023, error"),
                  LATEST: ("real GDP growth {years}, MAE (bias)", "average real GDP growth 2021–2025, error",
                           "finance share of GDP 2025, error [bridge low, high]",
                           "ICT share of GDP 2025, error [bridge low, high]")}


def window(metrics: pd.DataFrame, evaluation: str, key, scenario: str = "baseline") -> tuple[str, str, str]:
    """``key`` (metric, series, years) with years None resolved to the scenario's one window."""
    metric, series, years = key
    if years is None:
        m = metrics.reset_index()
        found = m[(m["scenario"] == scenario) & (m["evaluation"] == evaluation) & (m["metric"] == metric)
                  & (m["series"] == series)]["years"]
        years = str(found.item()) if len(found) == 1 else ""
    return metric, series, years


def backtest_cell(metrics: pd.DataFrame, scenario: str, evaluation: str, keys) -> str:
    keys = [window(metrics, evaluation, k, scenario) for k in keys]
    values = [metrics.loc[(scenario, evaluation, *k), "value"] if (scenario, evaluation, *k) in metrics.index
              else float("nan") for k in keys]
    text = ["n/a" if pd.isna(v) else (signed(float(v)) if k[0] in SIGNED else num(float(v), 2))
            for v, k in zip(values, keys)]
    if len(text) == 3:
        return f"{text[0]} [{text[1]}, {text[2]}]"
    return text[0] + (f" ({text[1]})" if len(text) > 1 else "")


def backtest_label(label: str, metrics: pd.DataFrame, evaluation: str, keys) -> str:
    metric, series, years = window(metrics, evaluation, keys[0])
    n = metrics.loc[("baseline", evaluation, metric, series, years), "n"] \
        if ("baseline", evaluation, metric, series, years) in metrics.index else ""
    return label.format(years=years.replace("-", "–"), n=n)


def backtest_table(run: Run, evaluation: str, metrics: pd.DataFrame | None = None,
                   columns: dict[str, str] | None = None, labels=None) -> str:
    m = run.metrics() if metrics is None else metrics
    columns = FORECASTS if columns is None else columns
    spec = BACKTEST_TABLES[evaluation]
    rows = [[backtest_label(label, m, evaluation, spec[label]),
             *(backtest_cell(m, s, evaluation, spec[label]) for s in columns)] for label in (labels or spec)]
    return table(["metric", *columns.values()], rows)


def backtest_real_time(run: Run) -> str:
    return backtest_table(run, REAL_TIME)


def backtest_latest(run: Run) -> str:
    return backtest_table(run, LATEST)


def check_label(metrics: pd.DataFrame, evaluation: str, metric: str, series: str, years: str) -> str:
    """A verdict check in words: the label of its row in the evaluation's table."""
    for label, keys in BACKTEST_TABLES[evaluation].items():
        if window(metrics, evaluation, keys[0]) == (metric, series, years):
            words = backtest_label(label, metrics, evaluation, keys)
            return re.sub(r" \[bridge low, high\]| \(bias\)| \(\d+( comparisons)?\)|[\u2020\u2021]", "", words)
    return f"{series} {years}, {metric}"


def verdict_text(rows: pd.DataFrame, rival: str) -> str:
    r = rows[rows["rival"] == rival]
    if r.empty or pd.isna(r["wins"].item()):
        return "n/a"
    wins = str(r["wins"].item()) == "True"
    text = "yes" if wins else "no"
    flips = [end for end, column in (("low", "wins_bridge_low"), ("high", "wins_bridge_high"))
             if not pd.isna(r[column].item()) and (str(r[column].item()) == "True") != wins]
    if flips:
        text += f" ({'no' if wins else 'yes'} at the {' and '.join(flips)} bridge)"
    return text


def verdict_rows(run: Run):
    """The verdicts grouped by check, in the order of the file: (evaluation, metric, series, years, rows)."""
    v = run.csv("comparison/backtest_verdicts.csv").astype({"years": str})
    for ident, rows in v.groupby(["evaluation", "metric", "series", "years"], sort=False):
        yield (*ident, rows)


def backtest_verdicts(run: Run) -> str:
    m = run.metrics()
    rivals = [r for r in FORECASTS if r != "baseline"]
    out = []
    for evaluation, metric, series, years, rows in verdict_rows(run):
        label = check_label(m, evaluation, metric, series, years)
        out.append([f"{evaluation.split(' ')[0]}: {label}", *(verdict_text(rows, r) for r in rivals)])
    return table(["the baseline wins on", *(FORECASTS[r] for r in rivals)], out)


def backtest_statement(run: Run) -> str:
    """What the baseline forecasts well and what it does not, in each evaluation, from the verdicts: the
    checks it wins against every benchmark, those it loses (with who is closer), and those whose verdict
    turns within the bridges' range."""
    m = run.metrics()
    out = []
    for evaluation in (REAL_TIME, LATEST):
        well, badly, bridge = [], [], []
        for ev, metric, series, years, rows in verdict_rows(run):
            if ev != evaluation or rows["wins"].isna().all():
                continue
            show = (lambda x: num(x, 2)) if metric in ("MAE", "MAPE") else signed
            unit = " %" if metric == "MAPE" else ""
            label = re.sub(r", (MAE|MAPE %|error)( \(pp/yr\))?$", "", check_label(m, evaluation, metric, series, years))
            mine = f"{metric} {show(float(rows['candidate_value'].iloc[0]))}{unit}"
            lost = rows[rows["wins"].astype(str) == "False"]
            if lost.empty:
                best = rows.loc[rows["rival_value"].abs().idxmin()]
                well.append(f"{label} ({mine}; the closest rival, {FORECASTS[best['rival']]}: "
                            f"{show(float(best['rival_value']))}{unit})")
            else:
                closer = ", ".join(f"{FORECASTS[r.rival]} {show(float(r.rival_value))}{unit}"
                                   for r in lost.itertuples())
                badly.append(f"{label} ({mine}; closer: {closer})")
            flips = [f"{FORECASTS[r]} {verdict_text(rows, r)}" for r in rows["rival"]
                     if "bridge" in verdict_text(rows, r)]
            if flips:
                bridge.append(f"{label} (wins against {'; '.join(flips)})")
        out += [f"**{evaluation[0].upper() + evaluation[1:]}**", ""]
        out.append("- Forecasts well, better than every benchmark: " + ("; ".join(well) or "nothing") + ".")
        out.append("- Does not, some benchmark is closer: " + ("; ".join(badly) or "nothing") + ".")
        if bridge:
            out.append("- Rests on the bridge, the verdict turns within the bridges' range: " + "; ".join(bridge) + ".")
        out.append("")
    return "\n".join(out)


def backtest_share_changes(run: Run) -> str:
    """The shares of 2025 and their change from 2020 within the 5th-census basis: published and projected."""
    b = run.csv("baseline/backtest.csv")
    b = b[(b["evaluation"] == LATEST) & (b["period"] == "annual") & (b["year"] == 2025)]
    m = run.metrics()
    rows = []
    for series, words in (("share.finance", "finance"), ("share.ict", "ICT"), ("share.secondary", "secondary sector"),
                          ("share.tertiary", "tertiary sector")):
        share = b[(b["series"] == series) & (b["measure"] == "share")]
        change = b[(b["series"] == series) & (b["measure"] == "share change")]
        if share.empty or change.empty:
            continue
        published, realized = float(share["realized"].item()), float(change["realized"].item())
        cells = [signed(float(m.loc[(s, LATEST, "projected change", series, "2020-2025"), "value"]))
                 for s in FORECASTS]
        rows.append([words, num(published - realized, 2), num(published, 2), signed(realized), *cells])
    return table(["share of GDP, %", "2020 (restated)", "2025 (published)", "change", *FORECASTS.values()], rows)


def backtest_half_life(run: Run) -> str:
    shipped, variants = run.metrics(), run.metrics(variants=True)
    low, high = HALF_LIVES
    columns = [(f"half_life_{low}", variants, f"{low} years"), ("baseline", shipped, "10 years (default)"),
               (f"half_life_{high}", variants, f"{high} years")]
    rows = []
    for evaluation, labels in HALF_LIFE_ROWS.items():
        spec = BACKTEST_TABLES[evaluation]
        for label in labels:
            rows.append([f"{evaluation.split(' ')[0]}: " + backtest_label(label, shipped, evaluation, spec[label]),
                         *(backtest_cell(m, s, evaluation, spec[label]) for s, m, _ in columns)])
    return table(["metric (baseline)", *(c[2] for c in columns)], rows)


# The realized path's rows: (evaluation, series, years) in the order of the table.
REALIZED_PATH_ROWS = (
    (REAL_TIME, "growth.gdp", range(2022, 2024)), (LATEST, "growth.gdp", range(2024, 2026)),
    (LATEST, "growth5y.gdp", (2025,)), (REAL_TIME, "va.gdp", range(2022, 2024)), (LATEST, "va.gdp", range(2023, 2026)),
    (REAL_TIME, "share.hightech", None), (REAL_TIME, "revenue.software_info", None),
    (REAL_TIME, "revenue.medicine_health", None), (LATEST, "revenue.medicine_health", None),
    (REAL_TIME, "count.trillion_clusters", None), (LATEST, "count.trillion_clusters", None),
    (REAL_TIME, "revenue.ngit", None), (LATEST, "share.finance", (2025,)), (LATEST, "share.ict", (2025,)),
)


def realized_path(run: Run) -> str:
    b = run.csv("realized/backtest.csv")
    b = b[(b["period"] == "annual") & (b["measure"] != "share change")]
    rows = []
    for evaluation, key, years in REALIZED_PATH_ROWS:
        for r in b[(b["series"] == key) & (b["evaluation"] == evaluation)].itertuples():
            if years is not None and r.year not in years:
                continue
            digits = 0 if r.unit in ("100 million CNY", "count") else 2
            error = "not comparable" if pd.isna(r.projected) else (
                f"{signed(r.error, digits)} {'points' if r.unit.startswith('%') else ''}".strip()
                + ("" if r.unit.startswith("%") else f" ({signed(r.percent_error, 1)} %)"))
            notes = [] if r.definition == "same" else [f"definition: {r.definition}"]
            if evaluation == LATEST and key.startswith("share."):
                notes.append(f"bridge range {signed(r.error_bridge_low, 2)} to {signed(r.error_bridge_high, 2)}")
            rows.append([f"`{key}`", evaluation.split(" ")[0], str(r.year), num(r.projected, digits),
                         num(r.realized, digits), error, "; ".join(notes)])
    return table(["series", "evaluation", "year", "realized path", "published", "error", "note"], rows)


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
    published = float(compared.loc[[("revenue.software_info", 2021)], "realized"].item())
    rounding = 500.0        # '2.2 trillion': published to the nearest 0.1 trillion yuan
    links = pd.read_csv(DATA / "revenue_links.csv").set_index("key").loc["software_info.base_2020"]
    text = (f"Software: at the path's 2021 growth ({signed(100 * (link_growth - 1), 1)} %), the published "
            f"{num(published, 0)} ({num(published - rounding, 0)}–{num(published + rounding, 0)} for the rounding) "
            f"implies a 2020 level of {num((published - rounding) / link_growth, 0)}–"
            f"{num((published + rounding) / link_growth, 0)}; the assumed 2020 level is {num(links['value'])} "
            f"(range {num(links['low'])}–{num(links['high'])}, `revenue_links.csv`).")
    return table(["series (100 million CNY, growth)", *map(str, years)], rows) + "\n\n" + text


def revenue_bases(run: Run) -> str:
    """The 2020 base of every revenue series: its scope, level and range (``revenue_links.csv``), and every
    published figure of its scope in 2020 terms (``revenue_bases_2020.csv``); the level the baseline used
    (its manifest) must be the file's."""
    from model.core.sectors import LABELS
    links = pd.read_csv(DATA / "revenue_links.csv").set_index("key")
    figures = pd.read_csv(DATA / "revenue_bases_2020.csv", dtype={"published": str})
    used = run.manifest("baseline")["revenue_links_used"]
    rows = []
    for s in SERIES:
        base = links.loc[f"{s.key}.base_2020"]
        if used[f"{s.key}.base_2020"] != base["value"]:
            raise SystemExit(f"docs/generate.py: the baseline ran {s.key}.base_2020 = {used[f'{s.key}.base_2020']}, "
                             f"not the file's {base['value']}")
        scope = re.search(r"Scope: (.*?)\.(?: |$)", base["basis"]).group(1)
        weights = [(k.rsplit(".", 1)[1], w) for k, w in links["value"].items() if k.startswith(f"{s.key}.weight.")]
        link = " + ".join(LABELS[k] if w == 1 else f"{num(w, 2).rstrip('0').rstrip('.')} × {LABELS[k]}"
                          for k, w in weights)
        cells = []
        mine = figures[figures["series"] == s.key]
        for r in mine[mine["kind"].isin(["level", "lower bound"])].itertuples():
            at_least = "≥ " if r.kind == "lower bound" else ""
            cells.append(f"{r.year}{'' if r.period == 'annual' else ' ' + r.period}: {num(r.value, 0)} → "
                         f"{at_least}{num(r.value * r.to_2020, 0)} ({r.published})")
        others = len(mine) - len(cells)
        if others:
            cells.append(f"{others} not translated (partial years, other scopes)")
        rows.append([s.label, scope, f"{num(base['value'])} ({num(base['low'])}–{num(base['high'])})",
                     base["status"], "; ".join(cells) or "none found", link])
    return table(["series", "scope", "2020 level (range)", "status", "published figures → 2020 (released)",
                  "link"], rows)


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


# ---------------------------------------------------------------- the variable codelist (no run needed)
def variable_table(run: Run | None = None) -> str:
    """docs/variables.md's table: every entry of the codelist (``model/definitions/variable/``), then the
    items each tag stands for."""
    from model.core import codelist
    rows = []
    for v in codelist.variables():
        what = v.description + (f" ([more]({v.see}))" if v.see else "")
        rows.append([f"`{v.name}`", " or ".join(v.units), what, v.kind, v.rows_text])
    lines = [table(["variable", "unit", "what it is", "kind", "rows"], rows), ""]
    for name, items in codelist.tags().items():
        lines.append(f"- `{{{name}}}`, one of: " + "; ".join(f"`{i.name}` — {i.description}" for i in items))
    return "\n".join(lines)


BLOCKS: dict[str, Callable[[Run], str]] = {
    "headline": headline,
    "realized-verdicts": realized_verdicts,
    "target-scopes": target_scopes,
    "pmet-record": pmet_record,
    "trend-2020": trend_2020,
    "goalseek-baseline": goalseek_baseline,
    "backtest-real-time": backtest_real_time,
    "backtest-latest": backtest_latest,
    "backtest-verdicts": backtest_verdicts,
    "backtest-statement": backtest_statement,
    "backtest-share-changes": backtest_share_changes,
    "backtest-half-life": backtest_half_life,
    "realized-path": realized_path,
    "realized-path-revenues": realized_path_revenues,
    "revenue-bases": revenue_bases,
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
    "variables": variable_table,
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

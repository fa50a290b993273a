"""Across scenarios: scorecards stacked into matrices, and the batch summary text.

Pure functions over tables; :mod:`model.output.write` writes what they return.
"""
from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path
from typing import Mapping

import pandas as pd

from ..analysis.attribution import contributor_notes
from ..analysis.backtest import LATEST, REAL_TIME
from ..analysis.backtest_metrics import BASELINE, BRIDGE_HIGH, BRIDGE_LOW, COMBINATION, OLD_DESIGN
from ..analysis.goalseek import MET_ALREADY
from ..analysis.naive import NAIVE_FLAT_2019, NAIVE_FROZEN_SHARES, NAIVE_SECTOR_AVERAGE
from ..core.files import REPORT
from ..core.target_sets import SETS
from ..targets.scorecard import (
    LOWER_BOUND,
    MET,
    MISSED,
    NOT_MODELLED,
    NOT_PROJECTED,
    NOT_PUBLISHED,
    RECORD_COLUMNS,
)
from .verdict import (
    COUNTED,
    REALIZED_PATH,
    count_table,
    of_set,
    record_counts,
    record_rows,
    set_order,
    verdict_words,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]      # the checkout: model/output/comparison.py -> ..
# Every status as text has a symbol too, so a table never depends on colour alone.
STATUS_SYMBOLS = {MET: "✓", MISSED: "✗", NOT_MODELLED: "–", NOT_PROJECTED: "…", NOT_PUBLISHED: "○"}

FIGURES = (
    ("shares_by_scenario", "High-tech, manufacturing and finance shares of GDP by scenario, with the targets"),
    ("revenues_by_scenario", "Revenues, car output and trillion-yuan clusters by scenario, with the targets"),
)


def status_text(status: str) -> str:
    """A status with its symbol: ``✓ met``, ``✗ missed``."""
    symbol = STATUS_SYMBOLS.get(status)
    return f"{symbol} {status}" if symbol else str(status)


def project_relative(text: str, root: Path = PROJECT_ROOT) -> str:
    """``text`` (a message, a path) with every path inside the project written relative to its root;
    paths outside it are left as given."""
    return str(text).replace(str(root) + os.sep, "")


def gap_unit(unit: str) -> str:
    """The unit of a difference of values in ``unit``: percentage points for a percent share."""
    return "pp" if unit.startswith("%") else unit


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and x != x)


def format_value(x, unit: str) -> str:
    """A value rounded for reading: shares (%) to 0.1, levels of 100 or more to whole units with
    thousands separators, smaller values to three significant digits (``4``, ``0.25``)."""
    if _missing(x):
        return ""
    x = float(x)
    if unit.startswith("%"):
        return f"{x:.1f}"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def format_gap(x, unit: str) -> str:
    """A signed difference rounded for reading: percentage points to 0.01, others as :func:`format_value`."""
    if _missing(x):
        return ""
    x = float(x)
    if unit.startswith("%"):
        return f"{x:+.2f}"
    return f"{x:+,.0f}" if abs(x) >= 100 else ("0" if x == 0 else f"{x:+.3g}")


def format_probability(p) -> str:
    """P(met) in percent to 0.1 (blank without a Monte Carlo run)."""
    return "" if _missing(p) else f"{100.0 * float(p):.1f}"


def target_text(row) -> str:
    """A scorecard row's target as read: ``≥ 30``, ``13 ± 1``, ``4-5``, ``largest``, ``≥ 30,000``."""
    text = str(row["target_value"])
    try:
        value = float(text)
    except ValueError:
        return text
    number = format_value(value, "") if abs(value) >= 100 else f"{value:g}"
    return ("≥ " if row["comparator"] == ">=" else "") + number


def stack(scorecards: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The scorecards of several scenarios in one table, a ``scenario`` column first, by name."""
    frames = [card.assign(scenario=name) for name, card in sorted(scorecards.items())]
    out = pd.concat(frames, ignore_index=True)
    return out[["scenario", *[c for c in out.columns if c != "scenario"]]]


def target_sets(stacked: pd.DataFrame) -> list[str]:
    """The target sets the stacked scorecards were scored against, in order of appearance
    (empty when the scorecards do not name their set)."""
    if "target_set" not in stacked:
        return []
    return [s for s in dict.fromkeys(stacked["target_set"]) if isinstance(s, str) and s]


def target_keys(stacked: pd.DataFrame) -> pd.Series:
    """Each row's target as the matrices name it: its id when the scorecards share one target
    set, ``<set>/<id>`` when they were scored against several (targets of different sets are
    never merged into one row or column, whatever their ids)."""
    if len(target_sets(stacked)) > 1:
        return stacked["target_set"].astype(str) + "/" + stacked["target"].astype(str)
    return stacked["target"]


def scored_first(stacked: pd.DataFrame) -> list[str]:
    """The targets (keyed by :func:`target_keys`) in the order a reader takes them: those some scenario
    scores (met or missed) first, then those not projected, then those not modelled, each group in file
    order."""
    keyed = stacked.assign(target=target_keys(stacked))
    scored = set(keyed.loc[keyed["status"].isin([MET, MISSED]), "target"])
    modelled = set(keyed.loc[keyed["status"] != NOT_MODELLED, "target"])
    order = list(dict.fromkeys(keyed["target"]))
    return sorted(order, key=lambda t: (t not in scored, t not in modelled, order.index(t)))


def matrix(stacked: pd.DataFrame, column: str) -> pd.DataFrame:
    """Scenarios (rows) × targets (columns, in file order; keyed by :func:`target_keys`) holding
    ``column`` of each scorecard; empty where a scenario's set has no such target."""
    keyed = stacked.assign(target=target_keys(stacked))
    wide = keyed.pivot(index="scenario", columns="target", values=column)
    wide = wide[list(dict.fromkeys(keyed["target"]))]
    wide.columns.name = None
    return wide.reset_index()


def realized_matrix(stacked: pd.DataFrame) -> pd.DataFrame:
    """Projected vs happened: one row per target (file order; keyed by :func:`target_keys`) with
    its year, target and unit, the projected status of each scenario (columns ``projected
    (<scenario>)``, by name; empty for a scenario scored against another set) and the realized
    columns (:data:`model.targets.scorecard.RECORD_COLUMNS`; the same in every scenario)."""
    keyed = stacked.assign(target=target_keys(stacked))
    first = keyed.drop_duplicates("target").set_index("target")
    status = keyed.pivot(index="target", columns="scenario", values="status")
    out = first.loc[:, ["year", "target_value", "unit"]].copy()
    for name in sorted(keyed["scenario"].unique()):
        out[f"projected ({name})"] = status[name]
    for c in RECORD_COLUMNS:
        out[c] = first[c]
    out = out.loc[list(dict.fromkeys(keyed["target"]))]
    return out.reset_index()


def _cell(text: str) -> str:
    """Text for a Markdown table cell (no pipes, no line breaks)."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def short_unit(unit: str) -> str:
    """A unit as a narrow table writes it: ``100m CNY`` for 100 million CNY, nothing for ``none``."""
    unit = str(unit)
    return "" if unit == "none" else unit.replace("100 million CNY", "100m CNY").replace(" per year", "/yr")


def scorecard_markdown(card: pd.DataFrame) -> list[str]:
    """One scenario's scorecard as a compact Markdown table (no line over :data:`WIDTH` characters for
    ids of ordinary length): each target's id, the target (value and unit), the projected value, the
    gap, the status (symbol and word) and P(met) where a Monte Carlo ran.  What each target says is in
    the scenario's ``scorecard.csv``."""
    card = card.assign(**{c: "" for c in ("description", "unit", "comparator", "target_value") if c not in card},
                       **{c: float("nan") for c in ("projected_value", "gap") if c not in card})   # partial tables
    has_p = "p_met" in card and card["p_met"].notna().any()
    lines = ["| target | target value | projected | gap | status" + (" | P(met) %" if has_p else "") + " |",
             "|---|--:|--:|--:|---" + ("|--:" if has_p else "") + "|"]
    for r in card.itertuples(index=False):
        unit = short_unit(r.unit)
        cells = [f"`{r.target}`", _cell(f"{target_text(r._asdict())} {unit}".strip()),
                 format_value(r.projected_value, r.unit), format_gap(r.gap, r.unit)
                 + (" pp" if r.unit.startswith("%") and not _missing(r.gap) else ""), status_text(r.status)]
        if has_p:
            cells.append(format_probability(r.p_met))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


# The summary's backtest table: (evaluation, metric, series, years, row label, format); years None: the one
# window the metrics give ({years} in the label).  Shares of the latest evaluation show the bridges' range.
BACKTEST_ROWS = (
    (REAL_TIME, "MAE", "growth.gdp", None, "real-time: real GDP growth {years}, MAE (pp)", "{:.2f}"),
    (REAL_TIME, "error", "share.ict", "2023", "real-time: ICT share of GDP 2023, error (pp)", "{:+.2f}"),
    (REAL_TIME, "error", "va.finance", "2022-2024 Q1-Q3",
     "real-time: finance nominal growth Q1-Q3 2022-2024, error (pp/yr)", "{:+.2f}"),
    (REAL_TIME, "error", "va.ict", "2022-2024 Q1-Q3",
     "real-time: ICT nominal growth Q1-Q3 2022-2024, error (pp/yr)", "{:+.2f}"),
    (LATEST, "MAE", "growth.gdp", None, "latest: real GDP growth {years}, MAE (pp)", "{:.2f}"),
    (LATEST, "error", "growth5y.gdp", "2021-2025", "latest: average real GDP growth 2021-2025, error (pp)",
     "{:+.2f}"),
    (LATEST, "error", "share.finance", "2025", "latest: finance share of GDP 2025, error (pp) [bridge range]",
     "{:+.2f}"),
    (LATEST, "error", "share.ict", "2025", "latest: ICT share of GDP 2025, error (pp) [bridge range]", "{:+.2f}"),
)
BACKTEST_FORECASTS = (BASELINE, OLD_DESIGN, NAIVE_SECTOR_AVERAGE, NAIVE_FROZEN_SHARES, NAIVE_FLAT_2019, COMBINATION)
BACKTEST_NOTE = ("Each evaluation inside one census vintage: real-time against the 4th-census releases "
                 "(2021-2023, partial years 2022 and 2024), latest against the 5th-census releases with the "
                 "projection restated through the 2020 census bridges; [low, high]: the error with the "
                 "sector's bridge at each end of its range.")


def backtest_table(metrics: pd.DataFrame) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The summary's backtest table: the forecasts of :data:`BACKTEST_FORECASTS` present in ``metrics``
    and, for each row of :data:`BACKTEST_ROWS`, its label and one cell per forecast (``n/a`` where
    missing; a share of the latest evaluation with its error at both ends of the bridges' range)."""
    names = [n for n in BACKTEST_FORECASTS if n in set(metrics["scenario"])]
    get = metrics.set_index(["scenario", "evaluation", "metric", "series", "years"])["value"]
    rows = []
    for evaluation, metric, series, years, label, fmt in BACKTEST_ROWS:
        if years is None:
            found = metrics[(metrics["evaluation"] == evaluation) & (metrics["metric"] == metric)
                            & (metrics["series"] == series)]["years"].unique()
            years = str(found[0]) if len(found) == 1 else ""
        cells = []
        for n in names:
            v = get.get((n, evaluation, metric, series, years), float("nan"))
            text = fmt.format(v) if v == v else "n/a"
            ends = [get.get((n, evaluation, m, series, years), float("nan")) for m in (BRIDGE_LOW, BRIDGE_HIGH)]
            if v == v and all(e == e for e in ends):
                text += " [" + ", ".join(fmt.format(e) for e in ends) + "]"
            cells.append(text)
        rows.append((label.format(years=years or "n/a"), cells))
    return names, rows


# The forecasts as the summary's narrow backtest table heads them (the full names in its key).
BACKTEST_SHORT = {BASELINE: "baseline", OLD_DESIGN: "old design", NAIVE_SECTOR_AVERAGE: "naive avg",
                  NAIVE_FROZEN_SHARES: "naive frozen", NAIVE_FLAT_2019: "naive flat", COMBINATION: "combination"}


def backtest_markdown(metrics: pd.DataFrame) -> list[str]:
    """Lines of the summary's backtest table (:func:`backtest_table`): the baseline, the old design, the
    naive forecasts and the combination (those in ``metrics``) in both evaluations, narrow: short
    heads (named in full below), and a share's error at each end of the bridges' range on rows of its own."""
    names, rows = backtest_table(metrics)
    if not names:
        return []
    lines = ["## Backtest against the realized outcomes", "",
             "| metric | " + " | ".join(BACKTEST_SHORT.get(n, n) for n in names) + " |",
             "|---|" + "--:|" * len(names)]
    for label, cells in rows:
        label = label.replace(" [bridge range]", "")
        lines.append(f"| {label} | " + " | ".join(c.split(" [")[0] for c in cells) + " |")
        if any(" [" in c for c in cells):
            ends = [c.split(" [")[1].rstrip("]").split(", ") if " [" in c else ["", ""] for c in cells]
            for i, end in enumerate(("low", "high")):
                lines.append(f"| ... with the bridge at its {end} end | " + " | ".join(e[i] for e in ends) + " |")
    lines += ["", "Forecasts: " + "; ".join(f"{BACKTEST_SHORT.get(n, n)}: {n}" for n in names) + ". "
              + BACKTEST_NOTE.replace("[low, high]: the error", "the rows '... with the bridge': the error")
              + " Every metric of every forecast: "
              "[`comparison/backtest_metrics.csv`](comparison/backtest_metrics.csv), the verdicts "
              "[`comparison/backtest_verdicts.csv`](comparison/backtest_verdicts.csv); per scenario "
              "`<scenario>/backtest.csv`.", ""]
    return lines


WIDTH = 120                   # the summary's widest line, in characters
HAPPENED = "happened"         # the published record's column


def _happened(row) -> str:
    """The record's verdict on a target, short: ``✓ ≥30,000``, ``✗ 3``, ``○``."""
    status = row.get("realized_status", NOT_PUBLISHED)
    value = row.get("realized_value")
    symbol = STATUS_SYMBOLS.get(status, str(status))
    if status not in (MET, MISSED) or _missing(value):
        return symbol
    bound = LOWER_BOUND in str(row.get("realized_note", ""))
    return f"{symbol} {'≥' if bound else ''}{format_value(value, str(row.get('unit', '')))}"


def _set_markdown(name: str, rows: pd.DataFrame) -> list[str]:
    """One target set's verdict: each scenario's counts, the record's, the realized path against the record,
    and the targets (rows) by scenario (numbered columns; as many tables as :data:`WIDTH` needs), the
    published record beside each target; the targets no scenario models listed with the reason."""
    title = SETS[name].title if name in SETS else ""
    lines = [f"## {name or 'Targets'}", ""] + ([title + ".", ""] if title else [])
    counted = count_table(rows)
    shown = [s for s in COUNTED if s in (MET, MISSED, NOT_MODELLED) or counted[s].any()]
    lines += ["| scenario | " + " | ".join(status_text(s) for s in shown) + " |", "|---|" + "--:|" * len(shown)]
    lines += [f"| {r['scenario']} | " + " | ".join(str(r[s]) for s in shown) + " |" for r in counted.to_dict("records")]
    judged = record_counts(rows)
    if judged:
        if judged[MET] + judged[MISSED]:
            said = ", ".join(f"{n} {status_text(s) if s in STATUS_SYMBOLS else s}" for s, n in judged.items())
        else:
            said = "no outcome published yet"
        years = _years(rows)
        lines += ["", f"**Record** (published; target year{'s' if '-' in years else ''} {years}): {said}."]
        published = record_rows(rows, target_text)
        path = [r for r in published if r.path_status is not None]
        if path:
            wrong = [r for r in path if r.disagrees]
            lines.append(f"The realized path (`{REALIZED_PATH}`) agrees with the record on {len(path) - len(wrong)} "
                         f"of {len(path)}" + ("." if not wrong else "; ⚠ it disagrees on:"))
            lines += [f"- ⚠ `{r.target}`: {r.reason(format_value)}" for r in wrong]
    names = sorted(rows["scenario"].unique())
    order = scored_first(rows)
    first = rows.drop_duplicates("target").set_index("target")
    pivoted = rows.pivot(index="target", columns="scenario", values="status")
    status = {t: pivoted.loc[t] for t in order}       # each target's row looked up once
    modelled = [t for t in order if set(status[t].dropna()) != {NOT_MODELLED}]
    if modelled:
        head = {t: f"| `{t}` | {_target_cell(first.loc[t])} | {_happened(first.loc[t])} |" for t in modelled}
        fixed = max(len(h) for h in head.values())
        per_table = max(1, (WIDTH - fixed) // 4)
        lines += ["", "Scenarios by number: " + ", ".join(f"{i} {n}" for i, n in enumerate(names, 1)) + "."]
        for start in range(0, len(names), per_table):
            chunk = list(enumerate(names, 1))[start:start + per_table]
            lines += ["", f"| target | target value | {HAPPENED} | " + " | ".join(str(i) for i, _ in chunk) + " |",
                      "|---|--:|---|" + ":-:|" * len(chunk)]
            for t in modelled:
                cells = [STATUS_SYMBOLS.get(status[t].get(n), "") if isinstance(status[t].get(n), str)
                         else "" for _, n in chunk]
                lines.append(f"{head[t]} " + " | ".join(cells) + " |")
    unmodelled = [t for t in order if t not in modelled]
    if unmodelled:
        lines += ["", "Not modelled by any scenario (the reason):"]
        for t in unmodelled:
            note = str(first.loc[t].get("note", "") or "")
            note = note.split(": ", 1)[1] if note.startswith("scope: ") else note
            lines.append(f"- `{t}` ({_target_cell(first.loc[t])}): {headline(note) if note else 'no series'}.")
    return lines + [""]


def _target_cell(row) -> str:
    return _cell(f"{target_text(row)} {short_unit(row.get('unit', ''))}".strip())


def _years(rows: pd.DataFrame) -> str:
    years = sorted({int(y) for y in rows["year"]}) if "year" in rows else []
    return "" if not years else (str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}")


def headline(text: str) -> str:
    """The first sentence of a text, without its full stop."""
    first = str(text).split(". ", 1)[0].strip()
    return first[:-1] if first.endswith(".") else first


def wrap_markdown(lines: list[str], width: int = WIDTH) -> list[str]:
    """Lines of Markdown with every line but a table's, a heading's and a figure's wrapped to ``width``
    characters (a list item's continuation indented under its text)."""
    out = []
    for line in lines:
        if len(line) <= width or line.startswith(("|", "#", "![")):
            out.append(line)
            continue
        bullet = re.match(r"(\s*)(- )?", line)
        indent = bullet.group(1) + ("  " if bullet.group(2) else "")
        out += textwrap.wrap(line, width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)
    return out


def summary_markdown(stacked: pd.DataFrame, warnings: Mapping[str, list[str]],
                     failures: Mapping[str, list[str]], goals: Mapping[str, pd.DataFrame] | None = None,
                     backtest: pd.DataFrame | None = None,
                     attributions: Mapping[str, pd.DataFrame] | None = None, report: bool = False,
                     figures: bool = True) -> str:
    """The batch summary (``summary.md``), readable at :data:`WIDTH` columns: per target set, each
    scenario's counts, the published record and the realized path against it, and one compact table of
    the targets by scenario with the record ("happened") beside each target (:func:`_set_markdown`); then
    each scenario's scorecard (:func:`scorecard_markdown`), what missed targets would take and the two
    largest contributors of each kind to each missed target's change from its reference
    (:func:`model.analysis.attribution.contributor_notes`); the comparison figures (relative links); the
    backtest table (``backtest``: the batch's backtest metrics, :func:`backtest_markdown`), warnings and
    failed scenarios (paths inside the project relative to its root).  The wide tables are CSV files in
    ``comparison/``, named where they belong.  With ``report``, a line pointing to ``report.html``.
    Without ``figures`` (a ``--no-figures`` run) the summary says the figures were skipped and links none."""
    sets = target_sets(stacked) if len(stacked) else []
    stacked = stacked.assign(**{c: "" for c in ("description", "unit", "comparator", "target_value", "note")
                                if c not in stacked})       # partial tables
    only_plan14 = sets in ([], ["plan14"])
    lines = ["# Scenario results against the plan's 2025 targets" if only_plan14 else
             "# Scenario results against the plans' targets", ""]
    if report:
        lines += [f"Every scenario's scorecard with its figures, the comparison and the run record in one page "
                  f"that opens offline in any browser and prints: [`{REPORT}`]({REPORT}).", ""]
    if len(stacked):
        about = ("Targets: Beijing 14th Five-Year plan for high-tech industries (Aug 2021), as reported "
                 "on its publication" if only_plan14 else
                 "Target sets: " + ", ".join(f"`{s}`" for s in sets) + " (docs/targets.md, Target sets; each "
                 "scenario's set in the `target_set` column of its scorecard)")
        lines += [about + "; each target's wording and source is in `<scenario>/scorecard.csv`. Revenue and "
                  "output series rest on estimated 2020 levels (`model/data/revenue_links.csv`) or, from a 2025 base, "
                  "on the published levels in `<scenario>/base_year.csv`.", "",
                  "Status: " + ", ".join(status_text(s) for s in STATUS_SYMBOLS) + f". {HAPPENED.capitalize()}: "
                  "the published figure of the target year (`model/data/realized.csv`, latest release; ≥: a lower "
                  "bound); a figure whose definition differs from the target's is shown in the CSV but not judged. "
                  "Projected vs happened for every target and scenario, with the notes and sources: "
                  "[`comparison/realized_matrix.csv`](comparison/realized_matrix.csv); every scenario's values: "
                  "[`comparison/scorecards.csv`](comparison/scorecards.csv).", ""]
        for name in set_order(stacked):
            lines += _set_markdown(name, of_set(stacked, name))
        for name, card in stacked.groupby("scenario", sort=True):
            lines += [f"## {name} ({verdict_words(card)})", ""] + scorecard_markdown(card) + [""]
            g = (goals or {}).get(name)
            if g is not None and len(g):
                needs = [f"`{r.target}` {r.note}" for r in g.itertuples() if r.status != MET_ALREADY]
                if needs:
                    lines.append("- what it would take (constant growth of the target's lever sectors, "
                                 "2022-2025):")
                    lines += [f"  - {n}" for n in needs]
            a = (attributions or {}).get(name)         # None: not attributed
            if a is not None and len(a):
                notes = contributor_notes(a, card.loc[card["status"] == MISSED, "target"].tolist())
                if notes:
                    lines.append("- why missed (the two largest contributors of each kind to the change from "
                                 f"the reference, [`{name}/attribution.csv`]({name}/attribution.csv)):")
                    lines += [f"  - `{t}` {n}" for t, n in notes.items()]
            lines += [f"- results: [`{name}/`]({name}/), scorecard [`{name}/scorecard.csv`]({name}/scorecard.csv)"
                      + (f", tornado [`{name}/tornado.png`]({name}/tornado.png)" if g is not None and figures
                         else ""), ""]
        lines += ["## Figures", ""]
        if not figures:
            lines += ["Skipped: this run was made with `--no-figures` (tables only); run again without it to "
                      "draw them.", ""]
        for stem, caption in FIGURES if figures else ():
            lines += [f"![{caption}](comparison/{stem}.png)", "", f"*{caption}* ([SVG](comparison/{stem}.svg))", ""]
        lines += ["Tables: [`comparison/scorecard_matrix.csv`](comparison/scorecard_matrix.csv) (status), "
                  "[`comparison/gap_matrix.csv`](comparison/gap_matrix.csv) (gap in the target's unit)"
                  + (", [`comparison/realized_matrix.csv`](comparison/realized_matrix.csv) (projected vs "
                     "happened)" if "realized_status" in stacked else "") + ".", ""]
        if backtest is not None:
            lines += backtest_markdown(backtest)
    else:
        lines += ["No scenario ran, so there is nothing to compare.", ""]
    lines += ["## Warnings", ""]
    notes = [f"- {name}: {project_relative(w)}" for name, ws in sorted(warnings.items()) for w in ws]
    lines += (notes or ["- none"]) + [""]
    if failures:
        lines += ["## Failed scenarios", ""]
        lines += [f"- `{project_relative(file)}`: {project_relative(p)}" for file, ps in failures.items()
                  for p in ps] + [""]
    return "\n".join(wrap_markdown(lines))

"""Across scenarios: scorecards stacked into matrices, and the batch summary text.

Pure functions over tables; :mod:`model.output.report` writes what they return.
"""
from __future__ import annotations

from typing import Mapping

import pandas as pd

from ..analysis.backtest import BASELINE, OLD_DESIGN
from ..analysis.attribution import contributor_notes
from ..analysis.goalseek import MET_ALREADY
from ..analysis.naive import NAIVE_FROZEN_SHARES, NAIVE_SECTOR_AVERAGE
from ..targets.targets import MET, MISSED, NOT_MODELLED, NOT_PROJECTED, REALIZED_COLUMNS

FIGURES = (
    ("scorecard_matrix", "Plan targets by scenario: status and gap"),
    ("shares_by_scenario", "High-tech, manufacturing and finance shares of GDP by scenario, with the targets"),
    ("revenues_by_scenario", "Revenues, car output and trillion-yuan clusters by scenario, with the targets"),
)


def stack(scorecards: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The scorecards of several scenarios in one table, a ``scenario`` column first, by name."""
    frames = [card.assign(scenario=name) for name, card in sorted(scorecards.items())]
    out = pd.concat(frames, ignore_index=True)
    return out[["scenario", *[c for c in out.columns if c != "scenario"]]]


def matrix(stacked: pd.DataFrame, column: str) -> pd.DataFrame:
    """Scenarios (rows) × targets (columns, in file order) holding ``column`` of each scorecard."""
    wide = stacked.pivot(index="scenario", columns="target", values=column)
    wide = wide[list(dict.fromkeys(stacked["target"]))]
    wide.columns.name = None
    return wide.reset_index()


def realized_matrix(stacked: pd.DataFrame) -> pd.DataFrame:
    """Projected vs happened: one row per target (file order) with its year, target and unit,
    the projected status of each scenario (columns ``projected (<scenario>)``, by name) and the
    realized columns (:data:`model.targets.targets.REALIZED_COLUMNS`; the same in every scenario)."""
    first = stacked.drop_duplicates("target").set_index("target")
    status = stacked.pivot(index="target", columns="scenario", values="status")
    out = first.loc[:, ["year", "target_value", "unit"]].copy()
    for name in sorted(stacked["scenario"].unique()):
        out[f"projected ({name})"] = status[name]
    for c in REALIZED_COLUMNS:
        out[c] = first[c]
    out = out.loc[list(dict.fromkeys(stacked["target"]))]
    return out.reset_index()


def _realized_table(stacked: pd.DataFrame) -> list[str]:
    """The summary's "projected vs happened" table: target, each scenario's projected status,
    the realized status and value."""
    m = realized_matrix(stacked)
    names = [c[len("projected ("):-1] for c in m.columns if c.startswith("projected (")]
    lines = ["## Projected vs happened", "",
             "Realized: the published figure of the target year (`model/data/realized.csv`, latest release, "
             "its census basis in the note); a figure whose definition differs from the target's is shown "
             "but not judged. Notes and sources: [`comparison/realized_matrix.csv`]"
             "(comparison/realized_matrix.csv).", "",
             "| target | " + " | ".join(f"{n} (projected)" for n in names) + " | happened | published value |",
             "|---|" + "---|" * len(names) + "---|---|"]
    for _, r in m.iterrows():
        value = "" if pd.isna(r["realized_value"]) else f"{r['realized_value']:,.6g} {r['unit']}"
        lines.append(f"| `{r['target']}` | " + " | ".join(str(r[f"projected ({n})"]) for n in names)
                     + f" | {r['realized_status']} | {value} |")
    return lines + [""]


def _list(ids) -> str:
    return ", ".join(f"`{i}`" for i in ids) if len(ids) else "none"


# The summary's backtest table: (metric, series, years, row label, format).
BACKTEST_ROWS = (
    ("MAE", "growth.gdp", "2021-2025", "real GDP growth 2021-2025, MAE (pp)", "{:.2f}"),
    ("MAE", "growth.gdp", "2023-2025", "real GDP growth 2023-2025, MAE (pp)", "{:.2f}"),
    ("error", "share.finance", "2025", "finance share of GDP 2025, error (pp)*", "{:+.2f}"),
    ("error", "share.ict", "2025", "ICT share of GDP 2025, error (pp)*", "{:+.2f}"),
)
BACKTEST_COLUMNS = (BASELINE, OLD_DESIGN, NAIVE_SECTOR_AVERAGE, NAIVE_FROZEN_SHARES)


def backtest_markdown(metrics: pd.DataFrame) -> list[str]:
    """Lines of the summary's backtest table: the baseline, the old design and the naive
    forecasts (those in ``metrics``) on real GDP growth and the 2025 finance and ICT shares."""
    names = [n for n in BACKTEST_COLUMNS if n in set(metrics["scenario"])]
    if not names:
        return []
    get = metrics.set_index(["scenario", "metric", "series", "years"])["value"]
    lines = ["## Backtest against the realized outcomes", "",
             "| metric | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for metric, series, years, label, fmt in BACKTEST_ROWS:
        cells = [get.get((n, metric, series, years), float("nan")) for n in names]
        lines.append(f"| {label} | " + " | ".join(fmt.format(v) if v == v else "n/a" for v in cells) + " |")
    lines += ["", "\\* approximate: the 2025 shares are published only on the 5th-census basis and are compared "
              "assuming the census revised every sector in proportion to GDP. Every metric of every scenario: "
              "[`comparison/backtest_metrics.csv`](comparison/backtest_metrics.csv); per scenario "
              "`<scenario>/backtest.csv`.", ""]
    return lines


def summary_markdown(stacked: pd.DataFrame, warnings: Mapping[str, list[str]],
                     failures: Mapping[str, list[str]], goals: Mapping[str, pd.DataFrame] | None = None,
                     backtest: pd.DataFrame | None = None,
                     attributions: Mapping[str, pd.DataFrame] | None = None, figures: bool = True) -> str:
    """The batch summary (``summary.md``): targets met by each scenario, what missed
    targets would take, the two largest contributors of each kind to each missed
    target's change from its reference (:func:`model.analysis.attribution.contributor_notes`),
    P(met) where a Monte Carlo ran, the comparison figures (relative links), the backtest
    table (``backtest``: the batch's backtest metrics, :func:`backtest_markdown`), warnings
    and failed scenarios.  Without ``figures`` (a ``--no-figures`` run) the summary says the
    figures were skipped and links none."""
    lines = ["# Scenario results against the plan's 2025 targets", ""]
    if len(stacked):
        lines += ["Targets: Beijing 14th Five-Year plan for high-tech industries (Aug 2021), as reported "
                  "on its publication; each target's source is in `<scenario>/scorecard.csv`. Revenue and "
                  "output series rest on estimated 2020 levels (`model/data/revenue_links.csv`).", "",
                  "| scenario | met | missed | not modelled | not projected |", "|---|---|---|---|---|"]
        for name, card in stacked.groupby("scenario", sort=True):
            counts = card["status"].value_counts()
            lines.append(f"| {name} | " + " | ".join(str(counts.get(s, 0))
                                                   for s in (MET, MISSED, NOT_MODELLED, NOT_PROJECTED)) + " |")
        lines.append("")
        if "realized_status" in stacked:
            lines += _realized_table(stacked)
        for name, card in stacked.groupby("scenario", sort=True):
            lines += [f"## {name}", ""]
            for status in (MET, MISSED, NOT_MODELLED, NOT_PROJECTED):
                ids = card.loc[card["status"] == status, "target"].tolist()
                if ids or status in (MET, MISSED):
                    lines.append(f"- {status}: {_list(ids)}")
            if "p_met" in card and card["p_met"].notna().any():
                probs = [f"`{r.target}` {r.p_met:.2f}" for r in card.itertuples() if r.p_met == r.p_met]
                lines.append(f"- probability of meeting (Monte Carlo): {', '.join(probs)}")
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
    notes = [f"- {name}: {w}" for name, ws in sorted(warnings.items()) for w in ws]
    lines += (notes or ["- none"]) + [""]
    if failures:
        lines += ["## Failed scenarios", ""]
        lines += [f"- `{file}`: {p}" for file, ps in failures.items() for p in ps] + [""]
    return "\n".join(lines)

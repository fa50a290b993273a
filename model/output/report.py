"""The batch report (``report.html``): one self-contained page built from the batch's tables, the verdict first.

:func:`report_html` is a pure function from the tables the summary uses (the stacked scorecards,
goal-seeking, attribution, backtest metrics, warnings and failures), the figures' SVG text and the run
record, to the page's text; :mod:`model.output.write` reads the figures and manifests and writes the file.

The first screen is the verdict (:mod:`model.output.verdict`): for each target set, how many targets each
scenario meets, misses or does not model, what the published record says where a target's outcome is
published, and where the realized path disagrees with the record (flagged, with the reason).  Then the
matrices of targets by scenario (the targets no scenario models collapsed into one line each, with the
reason), the headline figures across scenarios, each scenario folded in a ``<details>`` (opened when
printed), the backtest, the warnings and the run record.

The page loads nothing and links only within itself.  It shows the headline figures inline as SVG (their
ids prefixed per figure, so no two clash), up to :data:`FIGURE_BUDGET` characters; every other file of
the results folder is named by its path relative to the page, as text (``baseline/tornado.svg``), so a
page received alone has no broken link.  Styles are inline and a Content-Security-Policy forbids every
fetch.  Statuses are written as a symbol and a word as well as a colour.  Standard library only
(``html.escape``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from typing import Callable, Mapping, Sequence

import pandas as pd

from ..analysis.attribution import (
    HEADLINE_TARGETS,
    INPUT,
    SECTOR,
    input_total,
    largest_contributors,
    no_change,
    nonzero_of_kind,
)
from ..analysis.goalseek import MET_ALREADY
from ..core.files import COMPARISON, SUMMARY, TOOL, WORKBOOK
from ..core.sectors import LABELS
from ..output.comparison import (
    BACKTEST_NOTE,
    FIGURES,
    backtest_table,
    format_gap,
    format_probability,
    format_value,
    gap_unit,
    project_relative,
)
from ..output.style import headline
from ..output.verdict import (
    verdict_words,
)
from ..targets.scorecard import MISSED, NOT_MODELLED
from .report_cells import (
    STYLE,
    back_link,
    breakable,
    code,
    component_name,
    file_path,
    items,
    not_modelled_reason,
    section,
    status_cell,
    status_style,
    table,
    target_label,
    target_line,
    td,
    text_of,
    th,
)
from .report_verdict import matrices_html, verdict_html

TITLE = "Beijing scenario model: results against the plan's targets"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
# Characters a scenario's text may hold (YAML escapes) that HTML does not allow or UTF-8 cannot encode.
UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# The figures across scenarios shown in the page (the others are named as files), and how many characters
# of SVG it may hold: the page stays small enough to send whatever the figures weigh.
HEADLINE_FIGURES = ("shares_by_scenario", "revenues_by_scenario")
FIGURE_BUDGET = 1_500_000


@dataclass(frozen=True)
class ScenarioRecord:
    """What a scenario's ``manifest.json`` says about the run that produced it."""

    description: str = ""
    chain: tuple[tuple[str, str], ...] = ()      # (file, sha256), the root of the chain first, its own last
    draws: int | None = None                     # Monte Carlo draws (None: no Monte Carlo)
    seed: int | None = None


@dataclass(frozen=True)
class RunRecord:
    """The run's record for the report: its id, the scenarios' files and seeds, the data files'
    hashes, the package versions and the result folders beside it that another run wrote."""

    run: str | None
    scenarios: Mapping[str, ScenarioRecord] = field(default_factory=dict)
    data_files: Mapping[str, str] = field(default_factory=dict)
    packages: Mapping[str, str] = field(default_factory=dict)
    stale: Sequence[tuple[str, str | None]] = ()


# ------------------------------------------------------------------ figures
_XML_PROLOGUE = re.compile(r"\A\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(url\(#|href="#)([^)"]+)')


def inline_svg(svg: str, prefix: str, label: str) -> str:
    """A saved SVG file's text as an element for an HTML page: no XML prologue or metadata,
    every ``id`` (and each ``url(#…)`` and ``href="#…"`` pointing at one) prefixed with
    ``prefix`` so that figures on one page do not share ids, and ``label`` as its accessible name."""
    text = _METADATA.sub("", _XML_PROLOGUE.sub("", svg, count=1), count=1)
    text = _ID.sub(lambda m: f'id="{prefix}-{m[1]}"', text)
    text = _REF.sub(lambda m: f"{m[1]}{prefix}-{m[2]}", text)
    return text.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)


def _lever_labels(stem: str) -> tuple[str, str] | None:
    """The two sectors of a lever map's stem ``levers_<a>_<b>`` (keys may hold underscores)."""
    rest = stem[len("levers_"):]
    for i in range(1, len(rest)):
        a, b = rest[:i], rest[i + 1:]
        if rest[i] == "_" and a in LABELS and b in LABELS:
            return LABELS[a], LABELS[b]
    return None


def figure_caption(stem: str, descriptions: Mapping[str, str]) -> str:
    """The caption of a scenario figure named by its file stem."""
    if stem.startswith("waterfall_"):
        target = stem[len("waterfall_"):]
        return (f"{headline(descriptions.get(target, target))}: the change from the reference split by input "
                "and by sector (waterfalls)")
    if stem.startswith("levers_"):
        pair = _lever_labels(stem)
        return ("Two-lever map: the targets met over a grid of constant real growth, 2022 to the target year, of "
                + (f"{pair[0]} and {pair[1]}" if pair else stem[len("levers_"):]))
    return {"shares": "High-tech, manufacturing and finance shares of GDP, with the plan's targets",
            "fan": "Monte Carlo fan chart of the headline shares: the scenario's line, the median of the draws "
                   "and the 25-75 % and 5-95 % bands",
            "backtest": "The projection against the realized outcomes 2021-2025",
            "tornado": ("One-at-a-time sensitivity of each target's gap in its target year to every documented "
                        "input range"),
            }.get(stem, stem)


def figure_order(stems: Sequence[str]) -> list[str]:
    """Scenario figures in reading order: shares, fan, backtest, waterfalls, tornado, lever maps, others."""
    first = ("shares", "fan", "backtest")
    rank = {s: i for i, s in enumerate(first)}

    def key(stem: str) -> tuple[int, int, str]:
        if stem in rank:
            return 0, rank[stem], ""
        for group, prefix in enumerate(("waterfall_", "tornado", "levers_"), start=1):
            if stem.startswith(prefix):
                return group, 0, stem
        return 9, 0, stem
    return sorted(stems, key=key)


# ------------------------------------------------------------------ one scenario
def _scorecard(card: pd.DataFrame, goals: pd.DataFrame | None) -> str:
    """One scenario's scorecard: each target's projected value and gap, status, P(met) and what it would
    take; a target the model does not model takes one line, with the reason.  (The record is the same for
    every scenario: the verdict and the matrices give it.)"""
    has_p = "p_met" in card and card["p_met"].notna().any()
    notes = {} if goals is None else {r.target: r.note for r in goals.itertuples() if r.status != MET_ALREADY}
    head = [th("Target (year: target value)", width="36%"), th("Projected (gap)", True), th("Status", width="6em")]
    head += [th("P(met), %", True)] if has_p else []
    head += [th("What it would take (constant growth of its lever sectors)", width="30%")]
    body = []
    for r in card.to_dict("records"):
        unit = text_of(r.get("unit"))
        label = f'{target_label(r)}<br><span class="small">{escape(target_line(r, gap=False))}</span>'
        if r["status"] == NOT_MODELLED:
            reason = status_cell(NOT_MODELLED, escape(not_modelled_reason(r)), colspan=len(head) - 1)
            body.append(f"<tr><td>{label}</td>{reason}</tr>")
            continue
        gap = format_gap(r.get("gap"), unit)
        projected = escape(format_value(r.get("projected_value"), unit)) + (
            f'<br><span class="small">{escape(gap)}{" pp" if unit.startswith("%") else ""}</span>' if gap else "")
        cells = [f"<td>{label}</td>", td(projected, True, raw=True), status_cell(r["status"])]
        if has_p:
            cells.append(td(format_probability(r.get("p_met")), True))
        cells.append(td(notes.get(r["target"], ""), css="small"))
        body.append("<tr>" + "".join(cells) + "</tr>")
    return table(head, body, "scorecard")


def _contributors(card: pd.DataFrame, attribution: pd.DataFrame | None, n: int = 2) -> str:
    """The largest contributors of each kind to the change of each missed target from its reference,
    one line a target."""
    if attribution is None or not len(attribution):
        return ""
    missed = [t for t in card.loc[card["status"] == MISSED, "target"] if (attribution["target"] == t).any()]
    if not missed:
        return ""
    describe = dict(zip(card["target"], card["description"]))
    lines = []
    for target in missed:
        rows_t = attribution[attribution["target"] == target]
        unit = rows_t["unit"].iloc[0]
        top = largest_contributors(rows_t, target, n)
        total = input_total(rows_t)
        parts = []
        for kind in (INPUT, SECTOR):
            parts.append(f"by {kind} " + (", ".join(f"{component_name(c)} {format_gap(v, unit)}"
                                                    for c, v in nonzero_of_kind(top, kind)) or "none"))
        lines.append(f"<strong>{escape(headline(describe.get(target, target)))}</strong>: "
                     + escape(f"{format_gap(total, unit)} {gap_unit(unit)} from {rows_t['reference'].iloc[0]}; "
                              + "; ".join(parts)))
    return (f"<h4>Why targets are missed: the {n} largest contributors of each kind to the change from the "
            "reference (the target's unit; pp for %)</h4>" + items(lines, "why"))


def _figure(svg: str, prefix: str, caption: str, paths: Sequence[str]) -> str:
    return (f'<figure>{inline_svg(svg, prefix, caption)}<figcaption>{escape(caption)} '
            f"({' '.join(file_path(p) for p in paths)})</figcaption></figure>")


def _figure_list(name: str, files: Mapping[str, Sequence[str]], descriptions: Mapping[str, str]) -> str:
    """A scenario's figures as files beside the page: their paths (PNG; SVG too for some) and caption."""
    listed = [" ".join(file_path(f"{name}/{f}") for f in files[stem]) + " "
              + escape(figure_caption(stem, descriptions)) for stem in figure_order(list(files))]
    return '<p class="small">Figures, beside this page:</p>' + items(listed, "files")


def _scenario(name: str, card: pd.DataFrame, goals, attribution,
              record: ScenarioRecord | None) -> Callable[[Mapping[str, Sequence[str]]], str]:
    """A scenario's section, computed now, as a function of its figure files (known once its folder is written)."""
    sid = f"scenario-{name}"
    out = [f'<details id="{escape(sid)}" class="scenario"><summary><span class="name">{escape(name)}</span> '
           f'<span class="small">{escape(verdict_words(card))}</span></summary>']
    if record is not None and record.description:
        out.append(f"<p>{escape(record.description)}</p>")
    if record is not None and record.draws:
        out.append(f'<p class="small">Monte Carlo: {record.draws:,} draws, seed {record.seed}.</p>')
    out.append(_scorecard(card, goals))
    out.append(_contributors(card, attribution))
    descriptions = dict(zip(card["target"], card["description"]))
    if attribution is not None:
        out += [f'<p class="small">{escape(headline(descriptions.get(t, t)))}: no change from the reference '
                "(every contribution zero), so no waterfall figure.</p>"
                for t in HEADLINE_TARGETS if t in descriptions and no_change(attribution, t)]
    tail = (f'<p class="small">Tables: {file_path(name + "/")} (scorecard.csv, goalseek.csv, attribution.csv, '
            "timeseries.csv and the rest).</p>" + back_link() + "</details>")
    return lambda files: "\n".join(out + ([_figure_list(name, files, descriptions)] if files else []) + [tail])


def _comparison_figures(svgs: Mapping[str, str], files: Mapping[str, Sequence[str]]) -> str:
    """The headline figures across scenarios inline (their SVG), while they fit :data:`FIGURE_BUDGET`;
    the others named by their files."""
    captions = dict(FIGURES)
    stems = set(svgs) | set(files)
    order = [s for s, _ in FIGURES if s in stems] + sorted(s for s in stems if s not in captions)
    shown, listed, used = [], [], 0
    for i, stem in enumerate(order):
        caption = captions.get(stem, stem)
        names = files.get(stem) or [f"{stem}.svg"]
        if stem in HEADLINE_FIGURES and stem in svgs and used + len(svgs[stem]) <= FIGURE_BUDGET:
            used += len(svgs[stem])
            shown.append(_figure(svgs[stem], f"comparison-{i}", caption,
                                 [f"comparison/{n}" for n in files.get(stem, [f"{stem}.svg"])]))
        else:
            listed.append(f"{escape(caption)}: " + " ".join(file_path(f"comparison/{n}") for n in names))
    more = ('<p class="small">Also in the results folder:</p>' + items(listed, "files")) if listed else ""
    return "".join(shown) + more


def _backtest(metrics: pd.DataFrame | None) -> str:
    if metrics is None:
        return ""
    names, metric_rows = backtest_table(metrics)
    if not names:
        return ""

    def cell(text: str) -> str:       # a bridge range on a line of its own, so the columns stay narrow
        value, _, ends = text.partition(" [")
        return td(escape(value) + (f'<br><span class="small">[{escape(ends)}</span>' if ends else ""), True, raw=True)

    rows = ["<tr>" + td(label) + "".join(cell(c) for c in cells) + "</tr>" for label, cells in metric_rows]
    return (table([th("Metric")] + [th(breakable(n), True, raw=True) for n in names], rows)
            + f'<p class="small">{escape(BACKTEST_NOTE)} Every metric: '
            f'{file_path("comparison/backtest_metrics.csv")}.</p>')


def _run_record(record: RunRecord) -> str:
    out = [f"<p>Run id {code(str(record.run))}: a hash of the scenarios' files, the command-line settings and "
           "the data files (every folder's <code>manifest.json</code> names it).</p>"]
    rows = []
    for name, s in sorted(record.scenarios.items()):
        files = "<br>".join(f"{code(project_relative(f))}<br>{code(h)}" for f, h in s.chain)
        mc = f"{s.draws:,} draws, seed {s.seed}" if s.draws else "none"
        rows.append("<tr>" + td(name) + td(files, raw=True, css="hash") + td(mc) + "</tr>")
    out.append(table([th("Scenario"), th("Files, from the first of its chain (extends) to its own, and SHA-256"),
                       th("Monte Carlo")], rows, "record", "Scenarios"))
    rows = ["<tr>" + td(f) + td(code(h), raw=True, css="hash") + "</tr>"
            for f, h in sorted(record.data_files.items())]
    out.append(table([th("Data file (model/data/)"), th("SHA-256")], rows, "record", "Data files"))
    rows = ["<tr>" + td(p) + td(v) + "</tr>" for p, v in record.packages.items()]
    out.append(table([th("Package"), th("Version")], rows, "record narrow", "Software"))
    return "\n".join(out)


#: The SVG text of each figure by folder and file stem; the figure files by folder and stem.
Figures = Mapping[str, Mapping[str, str]]
FigureFiles = Mapping[str, Mapping[str, Sequence[str]]]


def report_html(stacked: pd.DataFrame, record: RunRecord, warnings: Mapping[str, list[str]],
                failures: Mapping[str, list[str]], goals: Mapping[str, pd.DataFrame] | None = None,
                backtest: pd.DataFrame | None = None, attributions: Mapping[str, pd.DataFrame] | None = None,
                figures: Figures | None = None, figure_files: FigureFiles | None = None) -> str:
    """The batch report's HTML text.

    ``stacked`` is the batch's scorecards stacked (:func:`model.output.comparison.stack`; the
    one evaluation of the targets), ``goals`` and ``attributions`` each scenario's goal-seeking
    and attribution tables, ``backtest`` the batch's backtest metrics; ``figures`` maps
    ``comparison`` and each scenario's name to ``{file stem: SVG text}`` (the headline figures
    across scenarios are shown, the others named as files); ``warnings`` and ``failures`` map a
    scenario (or file) to its messages.
    """
    return report_page(stacked, record, warnings, failures, goals, backtest, attributions)(figures, figure_files)


def report_page(stacked: pd.DataFrame, record: RunRecord, warnings: Mapping[str, list[str]],
                failures: Mapping[str, list[str]], goals: Mapping[str, pd.DataFrame] | None = None,
                backtest: pd.DataFrame | None = None, attributions: Mapping[str, pd.DataFrame] | None = None
                ) -> Callable[[Figures | None, FigureFiles | None], str]:
    """:func:`report_html` in two steps: everything but the figures computed now (the verdict, the tables,
    each scenario's section), and a function of ``figures`` and ``figure_files`` that puts the page
    together, called once they are drawn (the batch prepares the page while its last folders are written)."""
    goals, attributions = goals or {}, attributions or {}
    names = sorted(stacked["scenario"].unique()) if len(stacked) else []
    top, scenarios, bottom = [], [], []
    if names:
        top.append(verdict_html(stacked))
        about = ("Each target's source is in <code>&lt;scenario&gt;/scorecard.csv</code>. Revenue and output series "
                 "rest on estimated 2020 levels (<code>model/data/revenue_links.csv</code>) or, from a 2025 base, "
                 "on the published levels in <code>&lt;scenario&gt;/base_year.csv</code>.")
        top.append(section("matrix", "Targets by scenario", f"<p>{about}</p>" + matrices_html(stacked)))
        scenarios = [(name, _scenario(name, stacked[stacked["scenario"] == name].drop(columns="scenario"),
                                      goals.get(name), attributions.get(name), record.scenarios.get(name)))
                     for name in names]
        bt = _backtest(backtest)
        if bt:
            bottom.append(("backtest", "Backtest", section("backtest", "Backtest against the realized outcomes", bt)))
    else:
        top.append('<section id="verdict"><p>No scenario ran, so there is nothing to compare.</p></section>')
    notes = [f"{escape(name)}: {escape(project_relative(w))}" for name, ws in sorted(warnings.items()) for w in ws]
    tail = [("warnings", "Warnings", items(notes or ["none"]))]
    if failures:
        tail.append(("failed", "Failed scenarios", items(
            [f"{code(project_relative(f))}: {escape(project_relative(p))}" for f, ps in failures.items()
             for p in ps])))
    if record.stale:
        tail.append(("not-in-run", "Not part of this run", "<p>Folders left from earlier runs, not compared, "
                     "possibly out of date:</p>" + items([f"{code(n + '/')} (" + (f"run {code(r)}" if r else
                                                                                   "no run recorded") + ")"
                                                           for n, r in record.stale])))
    tail.append(("run-record", "Run record", _run_record(record)))
    bottom += [(sid, title, section(sid, title, content)) for sid, title, content in tail]
    # Warnings, failures and the stale folders are short: printed, they follow the section before them.
    head = (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="{TOOL}">\n'
            '<link rel="icon" href="data:,">\n'
            f"<title>{escape(TITLE)} (run {escape(str(record.run))})</title>\n"
            f"<style>{STYLE}{status_style()}\n#warnings, #failed, #not-in-run {{ break-before: auto; }}\n"
            "</style>\n</head>\n<body>\n")

    def page(figures: Figures | None, figure_files: FigureFiles | None) -> str:
        figures, figure_files = figures or {}, figure_files or {}
        nav, body = ([("matrix", "Targets by scenario")] if names else []), list(top)
        if names:
            if figures.get(COMPARISON) or figure_files.get(COMPARISON):
                nav.append(("comparison-figures", "Figures"))
                body.append(section("comparison-figures", "Figures across scenarios",
                                    _comparison_figures(figures.get(COMPARISON, {}), figure_files.get(COMPARISON, {}))))
            nav.append(("scenarios", "Scenarios"))
            body.append('<section id="scenarios" class="part"><h2>Scenarios</h2><p class="small">Each scenario '
                        "folded (click its name to open it; printed, every one is open): its scorecard, what missed "
                        "targets would take, why they are missed, and its files.</p>"
                        + "\n".join(part(figure_files.get(name, {})) for name, part in scenarios) + "</section>")
        for sid, title, html in bottom:
            nav.append((sid, title))
            body.append(html)
        intro = (f"<header><h1>{escape(TITLE)}</h1><p class=\"small\">Run {code(str(record.run))}: {len(names)} "
                 f"scenario(s) compared. Beside this page in the results folder: {file_path(SUMMARY)} (the same in "
                 f"Markdown), {file_path(WORKBOOK)}, {file_path(COMPARISON + '/')} and a folder per scenario; this "
                 "page links only within itself.</p>"
                 '<nav class="bar" aria-label="Contents">' + "".join(f'<a href="#{escape(s)}">{escape(t)}</a>'
                                                                     for s, t in nav) + "</nav></header>\n")
        return UNPRINTABLE.sub("\ufffd", head + intro + "\n".join(body) + "\n</body>\n</html>\n")
    return page

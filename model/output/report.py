"""The batch report (``report.html``): one self-contained page built from the batch's tables.

:func:`report_html` is a pure function from the tables the summary uses (the stacked
scorecards, goal-seeking, attribution, backtest metrics, warnings and failures), the
figures' SVG text and the run record, to the page's text; :mod:`model.output.write`
reads the figures and manifests and writes the file.  The page loads nothing: styles
are inline, the figures are inline SVG (their ids prefixed per figure, so no two
clash), and a Content-Security-Policy forbids every fetch.  Statuses are written as a
symbol and a word as well as a colour.  Standard library only (``html.escape``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from typing import Mapping, Sequence

import pandas as pd

from ..analysis.attribution import INPUT, SECTOR, largest_contributors
from ..analysis.goalseek import MET_ALREADY
from ..core.files import TOOL
from ..core.sectors import LABELS
from ..output.comparison import (
    BACKTEST_NOTE,
    FIGURES,
    STATUS_SYMBOLS,
    backtest_table,
    format_gap,
    format_probability,
    format_value,
    gap_unit,
    project_relative,
    scored_first,
    status_text,
    target_keys,
    target_sets,
    target_text,
)
from ..output.palette import STATUS_COLOURS
from ..targets.scorecard import MISSED

TITLE = "Beijing scenario model: results against the plan's targets"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
# Characters a scenario's text may hold (YAML escapes) that HTML does not allow or UTF-8 cannot encode.
UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


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
        return (f"{descriptions.get(target, target)}: the change from the reference split by input and by "
                "sector (waterfalls)")
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


# ------------------------------------------------------------------ small pieces
def _status_cell(status: str, extra: str = "", tag: str = "td") -> str:
    """A table cell of a status: colour, symbol and word (never colour alone), ``extra`` below."""
    css = "status-" + re.sub(r"[^a-z]+", "-", status.lower()).strip("-")
    below = f'<br><span class="small">{extra}</span>' if extra else ""
    return f'<{tag} class="status {css}"><span class="word">{escape(status_text(status))}</span>{below}</{tag}>'


def _code(text: str) -> str:
    return f"<code>{escape(text)}</code>"


def _breakable(name: str) -> str:
    """A scenario name that may wrap after its underscores (narrow matrix columns)."""
    return escape(name).replace("_", "_<wbr>")


def _table(head: Sequence[str], rows: Sequence[str], css: str = "", caption: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    cap = f"<caption>{caption}</caption>" if caption else ""
    return (f"<table{cls}>{cap}<thead><tr>" + "".join(head) + "</tr></thead><tbody>\n"
            + "\n".join(rows) + "\n</tbody></table>")


def _th(text: str, num: bool = False, raw: bool = False, width: str = "") -> str:
    style = f' style="width: {width}"' if width else ""
    return f'<th{" class=num" if num else ""}{style} scope="col">{text if raw else escape(text)}</th>'


def _td(text: str, num: bool = False, raw: bool = False, css: str = "") -> str:
    classes = " ".join(c for c in ("num" if num else "", css) if c)
    attribute = f' class="{classes}"' if classes else ""
    return f"<td{attribute}>{text if raw else escape(text)}</td>"


def _component(component: str) -> str:
    """An attribution component with its sector key replaced by the sector's name."""
    key, sep, rest = component.partition(" ")
    return LABELS[key] + sep + rest if key in LABELS else component


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and x == x


# ------------------------------------------------------------------ sections
def _matrix(stacked: pd.DataFrame) -> str:
    """Targets (rows) × scenarios (columns): status symbol and word, colour, the gap below; the
    published (realized) status last; the targets some scenario scores first
    (:func:`~model.output.comparison.scored_first`).  Scenarios scored against different target sets get one
    table per set, each with only its scenarios (so the tables stay as wide as one set's)."""
    sets = target_sets(stacked)
    if len(sets) > 1:
        tables = "".join(f"<h3>Target set {escape(s)}</h3>" + _matrix_table(stacked[stacked["target_set"] == s])
                         for s in sets)
    else:
        tables = _matrix_table(stacked)
    legend = " ".join(f'<span class="status status-{re.sub("[^a-z]+", "-", s)}">{escape(status_text(s))}</span>'
                      for s in STATUS_SYMBOLS)
    return (tables + f'<p class="small">Status: {legend}. Gap: the projection minus the '
            "target in the target year, in the unit given (pp: percentage points); for a band, the distance to "
            "its nearer end; for the largest sector, the lead over the largest other sector. Tables: "
            '<a href="comparison/scorecard_matrix.csv">comparison/scorecard_matrix.csv</a>, '
            '<a href="comparison/gap_matrix.csv">comparison/gap_matrix.csv</a>, '
            '<a href="comparison/scorecards.csv">comparison/scorecards.csv</a>.</p>')


def _matrix_table(stacked: pd.DataFrame) -> str:
    """The matrix of :func:`_matrix` for scenarios of one target set (or of several, keyed apart)."""
    names = sorted(stacked["scenario"].unique())
    keyed = stacked.assign(target=target_keys(stacked))   # targets of different sets never share a row
    first = keyed.drop_duplicates("target").set_index("target").loc[scored_first(stacked)]   # scored on top
    cell = keyed.set_index(["target", "scenario"])
    realized = "realized_status" in stacked
    head = [_th("Target (year, target value)")] + [_th(_breakable(n), raw=True) for n in names]
    head += [_th("Published (realized)")] if realized else []
    rows = []
    for target, t in first.iterrows():
        unit = gap_unit(t["unit"])
        label = (f'<span title="{escape(target)}">{escape(t["description"])}</span><br><span class="small">'
                 f'{int(t["year"])}: {escape(target_text(t))} {escape(t["unit"])}; gap in {escape(unit)}</span>')
        cells = [f'<th scope="row">{label}</th>']
        for n in names:
            if (target, n) not in cell.index:      # a target of another set than the scenario's
                cells.append("<td></td>")
                continue
            r = cell.loc[(target, n)]
            cells.append(_status_cell(r["status"], escape(format_gap(r["gap"], t["unit"]))
                                      if _is_number(r["gap"]) else ""))
        if realized:
            value = (escape(format_value(t["realized_value"], t["unit"]) + " " + t["unit"])
                     if _is_number(t["realized_value"]) else "")
            cells.append(_status_cell(t["realized_status"], value))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return _table(head, rows, "matrix")


def _scorecard(card: pd.DataFrame, goals: pd.DataFrame | None) -> str:
    """One scenario's scorecard: what each target says, its values, status, P(met), what it would
    take and the published outcome."""
    has_p = "p_met" in card and card["p_met"].notna().any()
    realized = "realized_status" in card
    notes = {} if goals is None else {r.target: r.note for r in goals.itertuples() if r.status != MET_ALREADY}
    head = [_th("Target", width="24%"), _th("Year", True), _th("Unit", width="7em"), _th("Target value", True),
            _th("Projected", True), _th("Gap (pp for %)", True), _th("Status", width="6.5em")]
    head += [_th("P(met), %", True)] if has_p else []
    head += [_th("What it would take (constant growth of its lever sectors)", width="17%")]
    head += [_th("Published (realized)", width="17%")] if realized else []
    rows = []
    for r in card.itertuples(index=False):
        unit = r.unit
        cells = [f'<td title="{escape(r.target)}">{escape(r.description)}</td>', _td(str(int(r.year)), True),
                 _td(unit), _td(target_text(r._asdict()), True), _td(format_value(r.projected_value, unit), True),
                 _td(format_gap(r.gap, unit), True), _status_cell(r.status)]
        if has_p:
            cells.append(_td(format_probability(r.p_met), True))
        cells.append(_td(notes.get(r.target, "")))
        if realized:
            published = _is_number(r.realized_value)
            extra = (escape(f"{format_value(r.realized_value, unit)} {unit}") + "<br>" + escape(r.realized_note)
                     if published else "")
            cells.append(_status_cell(r.realized_status, extra))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return _table(head, rows, "scorecard")


def _contributors(card: pd.DataFrame, attribution: pd.DataFrame | None, n: int = 2) -> str:
    """The largest contributors of each kind to the change of each missed target from its reference."""
    if attribution is None or not len(attribution):
        return ""
    missed = [t for t in card.loc[card["status"] == MISSED, "target"] if (attribution["target"] == t).any()]
    if not missed:
        return ""
    describe = dict(zip(card["target"], card["description"]))
    rows = []
    for target in missed:
        rows_t = attribution[attribution["target"] == target]
        unit = rows_t["unit"].iloc[0]
        top = largest_contributors(attribution, target, n)
        total = rows_t.loc[rows_t["kind"] == INPUT, "contribution"].sum()
        parts = []
        for kind in (INPUT, SECTOR):
            chosen = top[(top["kind"] == kind) & (top["contribution"] != 0)]
            parts.append("<br>".join(escape(f"{_component(c.component)}: {format_gap(c.contribution, unit)}")
                                     for c in chosen.itertuples(index=False)) or "none")
        rows.append("<tr>" + _td(describe.get(target, target)) + _td(str(rows_t["reference"].iloc[0]))
                    + _td(f"{format_gap(total, unit)} {gap_unit(unit)}", True)
                    + _td(parts[0], raw=True) + _td(parts[1], raw=True) + "</tr>")
    head = [_th("Missed target", width="30%"), _th("Reference (parent scenario or base year)", width="9em"),
            _th("Change from the reference", True), _th(f"Largest {n} by input (target's unit; pp for %)", width="22%"),
            _th(f"Largest {n} by sector (target's unit; pp for %)", width="26%")]
    return _table(head, rows, "contributors")


def _figure(svg: str, prefix: str, caption: str, link: str) -> str:
    return (f'<figure>{inline_svg(svg, prefix, caption)}<figcaption>{escape(caption)} '
            f'(<a href="{escape(link)}">{escape(link)}</a>)</figcaption></figure>')


def _scenario(name: str, card: pd.DataFrame, goals, attribution, record: ScenarioRecord | None,
              svgs: Mapping[str, str]) -> str:
    sid = f"scenario-{name}"
    out = [f'<section id="{escape(sid)}"><h2>Scenario {escape(name)}</h2>']
    if record is not None and record.description:
        out.append(f"<p>{escape(record.description)}</p>")
    if record is not None and record.draws:
        out.append(f'<p class="small">Monte Carlo: {record.draws:,} draws, seed {record.seed}.</p>')
    out.append(f'<h3 id="{escape(sid)}-scorecard">Scorecard</h3>')
    out.append(_scorecard(card, goals))
    why = _contributors(card, attribution)
    if why:
        out += [f'<h3 id="{escape(sid)}-why">Why targets are missed: the largest contributors</h3>', why]
    descriptions = dict(zip(card["target"], card["description"]))
    if svgs:
        out.append(f'<h3 id="{escape(sid)}-figures">Figures</h3>')
        for i, stem in enumerate(figure_order(list(svgs))):
            out.append(_figure(svgs[stem], f"{name}-{i}", figure_caption(stem, descriptions), f"{name}/{stem}.svg"))
    out.append(f'<p class="small">Files: <a href="{escape(name)}/">{escape(name)}/</a> (scorecard.csv, '
               "goalseek.csv, attribution.csv, timeseries.csv and the rest).</p></section>")
    return "\n".join(out)


def _backtest(metrics: pd.DataFrame | None) -> str:
    if metrics is None:
        return ""
    names, table = backtest_table(metrics)
    if not names:
        return ""
    def cell(text: str) -> str:       # a bridge range on a line of its own, so the columns stay narrow
        value, _, ends = text.partition(" [")
        return _td(escape(value) + (f'<br><span class="small">[{escape(ends)}</span>' if ends else ""), True, raw=True)

    rows = ["<tr>" + _td(label) + "".join(cell(c) for c in cells) + "</tr>" for label, cells in table]
    return ('<section id="backtest"><h2>Backtest against the realized outcomes</h2>'
            + _table([_th("Metric")] + [_th(_breakable(n), True, raw=True) for n in names], rows)
            + f'<p class="small">{escape(BACKTEST_NOTE)} Every metric: '
              '<a href="comparison/backtest_metrics.csv">comparison/backtest_metrics.csv</a>.</p></section>')


def _run_record(record: RunRecord) -> str:
    out = ['<section id="run-record"><h2>Run record</h2>',
           f"<p>Run id {_code(str(record.run))}: a hash of the scenarios' files, the command-line settings and "
           "the data files (every folder's <code>manifest.json</code> names it).</p>"]
    rows = []
    for name, s in sorted(record.scenarios.items()):
        files = "<br>".join(f"{_code(project_relative(f))}<br>{_code(h)}" for f, h in s.chain)
        mc = f"{s.draws:,} draws, seed {s.seed}" if s.draws else "none"
        rows.append("<tr>" + _td(name) + _td(files, raw=True, css="hash") + _td(mc) + "</tr>")
    out.append(_table([_th("Scenario"), _th("Files, from the first of its chain (extends) to its own, and SHA-256"),
                       _th("Monte Carlo")], rows, "record", "Scenarios"))
    rows = ["<tr>" + _td(f) + _td(_code(h), raw=True, css="hash") + "</tr>"
            for f, h in sorted(record.data_files.items())]
    out.append(_table([_th("Data file (model/data/)"), _th("SHA-256")], rows, "record", "Data files"))
    rows = ["<tr>" + _td(p) + _td(v) + "</tr>" for p, v in record.packages.items()]
    out.append(_table([_th("Package"), _th("Version")], rows, "record narrow", "Software"))
    out.append("</section>")
    return "\n".join(out)


def _items(lines: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>"


STYLE = """
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;
       color: #1b1b1b; background: #fff; max-width: 1320px; margin: 0 auto; padding: 0 16px 48px; }
h1 { font-size: 1.6em; margin: 0.8em 0 0.2em; }
h2 { font-size: 1.3em; margin: 1.6em 0 0.4em; border-bottom: 2px solid #444; padding-bottom: 2px; }
h3 { font-size: 1.05em; margin: 1.2em 0 0.3em; }
nav { background: #f5f5f5; border: 1px solid #ddd; padding: 6px 14px; }
nav ol { margin: 0.3em 0; padding-left: 1.4em; columns: 2 22em; }
table { border-collapse: collapse; width: 100%; margin: 0.4em 0 1em; font-size: 0.9em; }
table.narrow { width: auto; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border: 1px solid #bbb; padding: 3px 6px; vertical-align: top; text-align: left;
         overflow-wrap: break-word; }
thead th { background: #ececec; }
tbody th { font-weight: normal; background: #fafafa; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
th.num { white-space: normal; }
.word { white-space: nowrap; }
.small { font-size: 0.85em; color: #444; }
td .small, th .small { color: #333; }
code { font-size: 0.9em; overflow-wrap: anywhere; }
.hash code { font-size: 0.8em; }
table.matrix thead th { width: 7em; }
table.matrix thead th:first-child { width: 24%; }
table.matrix td { min-width: 5em; }
figure { margin: 1em 0 1.5em; break-inside: avoid; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 0.9em; color: #333; margin-top: 4px; }
span.status { padding: 0 4px; white-space: nowrap; }
@media print {
  body { max-width: none; font-size: 9pt; padding: 0; }
  table.matrix td { min-width: 0; }
  .word { white-space: normal; }
  nav { break-after: page; }
  section { break-before: page; }
  a { color: inherit; text-decoration: none; }
  tr, figure { break-inside: avoid; }
  thead { display: table-header-group; }
  .status { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
@page { size: A4 landscape; margin: 12mm; }
"""


def _status_style() -> str:
    return "\n".join(f".status-{re.sub('[^a-z]+', '-', s)} {{ background: {c}; }}" for s, c in STATUS_COLOURS.items())


def report_html(stacked: pd.DataFrame, record: RunRecord, warnings: Mapping[str, list[str]],
                failures: Mapping[str, list[str]], goals: Mapping[str, pd.DataFrame] | None = None,
                backtest: pd.DataFrame | None = None, attributions: Mapping[str, pd.DataFrame] | None = None,
                figures: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """The batch report's HTML text.

    ``stacked`` is the batch's scorecards stacked (:func:`model.output.comparison.stack`; the
    one evaluation of the targets), ``goals`` and ``attributions`` each scenario's goal-seeking
    and attribution tables, ``backtest`` the batch's backtest metrics; ``figures`` maps
    ``comparison`` and each scenario's name to ``{file stem: SVG text}``; ``warnings`` and
    ``failures`` map a scenario (or file) to its messages.
    """
    goals, attributions, figures = goals or {}, attributions or {}, figures or {}
    names = sorted(stacked["scenario"].unique()) if len(stacked) else []
    toc, body = [], []
    if names:
        toc.append('<li><a href="#matrix">Targets by scenario (comparison matrix)</a></li>')
        body.append('<section id="matrix"><h2>Targets by scenario</h2>'
                    "<p>" + ("Targets: Beijing 14th Five-Year plan for high-tech industries (Aug 2021), as reported "
                             "on its publication" if target_sets(stacked) in ([], ["plan14"]) else
                             "Target sets: " + ", ".join(target_sets(stacked)) + " (docs/targets.md, Target sets)")
                    + "; each target's source is in <code>&lt;scenario&gt;/scorecard.csv</code>. Revenue "
                    "and output series rest on estimated 2020 levels (<code>model/data/revenue_links.csv</code>) or, "
                    "from a 2025 base, on the published levels in <code>&lt;scenario&gt;/base_year.csv</code>."
                    "</p>" + _matrix(stacked) + "</section>")
        known = dict(FIGURES)
        shown = [(stem, caption) for stem, caption in FIGURES if stem in figures.get("comparison", {})]
        shown += [(stem, stem) for stem in sorted(figures.get("comparison", {})) if stem not in known]
        if shown:
            toc.append('<li><a href="#comparison-figures">Figures across scenarios</a></li>')
            body.append('<section id="comparison-figures"><h2>Figures across scenarios</h2>' + "".join(
                _figure(figures["comparison"][stem], f"comparison-{i}", caption, f"comparison/{stem}.svg")
                for i, (stem, caption) in enumerate(shown)) + "</section>")
        sub = []
        for name in names:
            card = stacked[stacked["scenario"] == name].drop(columns="scenario")
            body.append(_scenario(name, card, goals.get(name), attributions.get(name),
                                  record.scenarios.get(name), figures.get(name, {})))
            sub.append(f'<li><a href="#scenario-{escape(name)}">{escape(name)}</a></li>')
        toc.append("<li>Scenarios<ol>" + "".join(sub) + "</ol></li>")
        bt = _backtest(backtest)
        if bt:
            toc.append('<li><a href="#backtest">Backtest against the realized outcomes</a></li>')
            body.append(bt)
    else:
        body.append("<p>No scenario ran, so there is nothing to compare.</p>")
    notes = [f"{escape(name)}: {escape(project_relative(w))}" for name, ws in sorted(warnings.items()) for w in ws]
    toc.append('<li><a href="#warnings">Warnings</a></li>')
    body.append('<section id="warnings"><h2>Warnings</h2>' + _items(notes or ["none"]) + "</section>")
    if failures:
        toc.append('<li><a href="#failed">Failed scenarios</a></li>')
        body.append('<section id="failed"><h2>Failed scenarios</h2>' + _items(
            [f"{_code(project_relative(f))}: {escape(project_relative(p))}" for f, ps in failures.items()
             for p in ps]) + "</section>")
    if record.stale:
        toc.append('<li><a href="#not-in-run">Not part of this run</a></li>')
        body.append('<section id="not-in-run"><h2>Not part of this run</h2><p>Folders left from earlier runs, '
                    "not compared, possibly out of date:</p>" + _items(
                        [f"{_code(n + '/')} (" + (f"run {_code(r)}" if r else "no run recorded") + ")"
                         for n, r in record.stale]) + "</section>")
    toc.append('<li><a href="#run-record">Run record</a></li>')
    body.append(_run_record(record))
    head = (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="{TOOL}">\n'
            '<link rel="icon" href="data:,">\n'
            f"<title>{escape(TITLE)} (run {escape(str(record.run))})</title>\n"
            f"<style>{STYLE}{_status_style()}\n</style>\n</head>\n<body>\n")
    intro = (f"<header><h1>{escape(TITLE)}</h1><p>Run {_code(str(record.run))}: {len(names)} scenario(s) compared. "
             'The Markdown summary is <a href="summary.md">summary.md</a>; every table is a CSV file in the '
             "scenario folders and in <code>comparison/</code>.</p></header>\n"
             '<nav aria-label="Contents"><strong>Contents</strong><ol>' + "".join(toc) + "</ol></nav>\n")
    return UNPRINTABLE.sub("\ufffd", head + intro + "\n".join(body) + "\n</body>\n</html>\n")

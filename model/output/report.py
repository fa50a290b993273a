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
from typing import Mapping, Sequence

import pandas as pd

from ..analysis.attribution import INPUT, SECTOR, largest_contributors
from ..analysis.goalseek import MET_ALREADY
from ..core.files import COMPARISON, SUMMARY, TOOL, WORKBOOK
from ..core.sectors import LABELS
from ..core.target_sets import SETS
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
    target_text,
)
from ..output.plots import STATUS_COLOURS, headline
from ..output.verdict import (
    COUNTED,
    NO_SET,
    REALIZED_PATH,
    RecordRow,
    count_table,
    of_set,
    record_counts,
    record_rows,
    set_order,
    verdict_words,
)
from ..targets.scorecard import MET, MISSED, NOT_MODELLED

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


# ------------------------------------------------------------------ small pieces
def _css(status: str) -> str:
    return "status-" + re.sub(r"[^a-z]+", "-", str(status).lower()).strip("-")


def _status_cell(status: str, extra: str = "", tag: str = "td", title: str = "", colspan: int = 0) -> str:
    """A table cell of a status: colour, symbol and word (never colour alone), ``extra`` (HTML) below."""
    below = f'<br><span class="small">{extra}</span>' if extra else ""
    attrs = (f' title="{escape(title)}"' if title else "") + (f' colspan="{colspan}"' if colspan else "")
    return (f'<{tag} class="status {_css(status)}"{attrs}><span class="word">{escape(status_text(status))}</span>'
            f"{below}</{tag}>")


def _code(text: str) -> str:
    return f"<code>{escape(text)}</code>"


def _file(path: str) -> str:
    """A file of the results folder, named by its path relative to the page (text, not a link)."""
    return f'<code class="file">{escape(path)}</code>'


def _breakable(name: str) -> str:
    """A scenario name that may wrap after its underscores (narrow matrix columns)."""
    return escape(name).replace("_", "_<wbr>")


def _table(head: Sequence[str], rows: Sequence[str], css: str = "", caption: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    cap = f"<caption>{caption}</caption>" if caption else ""
    return (f"<table{cls}>{cap}<thead><tr>" + "".join(head) + "</tr></thead><tbody>\n"
            + "\n".join(rows) + "\n</tbody></table>")


def _th(text: str, num: bool = False, raw: bool = False, width: str = "", css: str = "") -> str:
    classes = " ".join(c for c in ("num" if num else "", css) if c)
    attribute = f' class="{classes}"' if classes else ""
    style = f' style="width: {width}"' if width else ""
    return f'<th{attribute}{style} scope="col">{text if raw else escape(text)}</th>'


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


def _text(x) -> str:
    return "" if x is None or (isinstance(x, float) and x != x) else str(x)


def _label(row) -> str:
    """A target as a table names it: the first sentence of its description, the id and the whole
    description as the tooltip."""
    description = _text(row.get("description")) or str(row["target"])
    return f'<span title="{escape(str(row["target"]) + ": " + description)}">{escape(headline(description))}</span>'


def _target_line(row, gap: bool = True) -> str:
    """``2025: ≥ 30 %; gap in pp``: the target's year and value, its unit where it has one."""
    unit = _text(row.get("unit"))
    value = target_text(row) + (f" {unit}" if unit and unit != "none" else "")
    return f"{int(row['year'])}: {value}" + (f"; gap in {gap_unit(unit)}" if gap and unit and unit != "none" else "")


def _reason(row) -> str:
    """Why a target is not modelled: the first sentence of its note."""
    note = _text(row.get("note"))
    note = note.split(": ", 1)[1] if note.startswith("scope: ") else note
    return headline(note) if note else "the model has no series for it"


def _back() -> str:
    return '<p class="back"><a href="#verdict">↑ back to the verdict</a></p>'


def _section(sid: str, title: str, content: str) -> str:
    return f'<section id="{escape(sid)}" class="part"><h2>{escape(title)}</h2>{content}{_back()}</section>'


# ------------------------------------------------------------------ the verdict
def _set_title(name: str) -> str:
    return SETS[name].title if name in SETS else ("targets" if name == NO_SET else name)


def _verdict(stacked: pd.DataFrame) -> str:
    """The first screen: a card per target set (:func:`_verdict_set`), those with published outcomes in
    a wide column, the others beside them; the legend below."""
    cards = [_verdict_set(name, of_set(stacked, name)) for name in set_order(stacked)]
    wide, narrow = [c for w, c in cards if w], [c for w, c in cards if not w]
    columns = (f'<div class="sets two"><div>{"".join(wide)}</div><div>{"".join(narrow)}</div></div>'
               if wide and narrow else f'<div class="sets">{"".join(wide + narrow)}</div>')
    legend = " ".join(f'<span class="status {_css(s)}">{escape(status_text(s))}</span>' for s in STATUS_SYMBOLS)
    return ('<section id="verdict"><h2 class="sr">Verdict</h2>' + columns +
            f'<p class="small">Status: {legend}. Not modelled: the model has no series for the target (the reason '
            "is in the matrices below); not projected: the target year is past the scenario's horizon. Record: "
            "the published figure of the target year (<code>model/data/realized.csv</code>); realized path: the "
            f"scenario <code>{REALIZED_PATH}</code>, the record put into the model. A scenario's name leads to its "
            "section.</p></section>")


def _verdict_set(name: str, rows: pd.DataFrame) -> tuple[bool, str]:
    """One target set's verdict: each scenario's counts, the record's counts and the targets whose outcome
    is published; and whether it has any such target (its card is then wide)."""
    counted = count_table(rows)
    shown = [s for s in COUNTED if s in (MET, MISSED, NOT_MODELLED) or counted[s].any()]
    head = [_th("Scenario")] + [_th(status_text(s), num=True, css=f"status {_css(s)}") for s in shown]
    body = []
    for r in counted.to_dict("records"):
        link = f'<a href="#scenario-{escape(r["scenario"])}">{escape(r["scenario"])}</a>'
        body.append(f'<tr><th scope="row">{link}</th>' + "".join(_td(str(r[s]), True) for s in shown) + "</tr>")
    judged = record_counts(rows)
    years = sorted({int(y) for y in rows["year"]}) if "year" in rows else []
    span = f"{years[0]}" if len(years) == 1 else (f"{years[0]}-{years[-1]}" if years else "")
    if not judged:
        line = ""
    elif judged[MET] + judged[MISSED]:
        line = (f'<p class="record-line"><strong>Record</strong> ({span}): '
                + ", ".join(f"{n} {escape(status_text(s))}" for s, n in judged.items()) + ".</p>")
    else:
        line = f'<p class="record-line"><strong>Record</strong>: no outcome published yet (target years {span}).</p>'
    published = record_rows(rows, target_text)
    parts = _table(head, body, "counts") + line
    if published:
        parts = f'<div class="parts"><div>{parts}</div><div>{_record_table(rows, published)}</div></div>'
    title = escape(name) if name != NO_SET else "Targets"
    return bool(published), (f'<div class="set"><h3 id="verdict-{escape(name) or "targets"}">{title} '
                             f'<span class="small">{escape(_set_title(name))}</span></h3>{parts}</div>')


def _record_table(rows: pd.DataFrame, published: Sequence[RecordRow]) -> str:
    """The targets whose outcome is published: the record's status and figure, the realized path's (a
    disagreement flagged with its reason) and how many scenarios project the target met."""
    has_path = any(r.path_status is not None for r in published)
    head = [_th("Target with a published outcome"), _th("Record", css="record")]
    head += [_th("Realized path")] if has_path else []
    head += [_th("Scenarios meeting it", num=True)]
    body = []
    for r in published:
        label = (f'<span title="{escape(r.target + ": " + r.description)}">{escape(headline(r.description))}'
                 f'</span><br><span class="small">{r.year}: {escape(r.target_text)}'
                 + (f" {escape(r.unit)}" if r.unit and r.unit != "none" else "") + "</span>")
        cells = [f'<th scope="row">{label}</th>',
                 _status_cell(r.record_status, escape(r.published(format_value)), title=r.note)]
        if has_path:
            if r.path_status is None:
                cells.append("<td></td>")
            else:
                value = escape(format_value(r.path_value, r.unit))
                flag = (f'<br><span class="flag">⚠ disagrees: {escape(r.reason(format_value))}</span>' if r.disagrees
                        else ('<br><span class="small">agrees</span>' if r.path_status in (MET, MISSED) else ""))
                cells.append(_status_cell(r.path_status, value + flag))
        cells.append(_td(f"{r.scenarios_met} of {r.scenarios_scored}", True))
        body.append("<tr>" + "".join(cells) + "</tr>")
    disagreeing = sum(r.disagrees for r in published)
    note = ("" if not has_path else
            f'<p class="small">{"⚠ " if disagreeing else ""}The realized path disagrees with the record on '
            f"{disagreeing} of {len(published)}.</p>")
    return _table(head, body, "record-table") + note


# ------------------------------------------------------------------ targets by scenario
def _matrices(stacked: pd.DataFrame) -> str:
    """Targets (rows) × scenarios (columns), one table per target set with its scenarios only."""
    sets = set_order(stacked)
    tables = "".join((f'<h3 id="matrix-{escape(s) or "targets"}">{escape(s or "Targets")} '
                      f'<span class="small">{escape(_set_title(s))}</span></h3>' if len(sets) > 1 or s else "")
                     + _matrix_table(of_set(stacked, s)) for s in sets)
    legend = " ".join(f'<span class="status {_css(s)}">{escape(status_text(s))}</span>' for s in STATUS_SYMBOLS)
    return (tables + f'<p class="small">Status: {legend}. Gap, below the status: the projection minus the '
            "target in the target year, in the unit given (pp: percentage points); for a band, the distance to "
            "its nearer end; for the largest sector, the lead over the largest other sector. A target no "
            "scenario models takes one line, with the reason. Tables: "
            + ", ".join(_file(f"comparison/{f}.csv") for f in ("scorecard_matrix", "gap_matrix", "scorecards"))
            + ".</p>")


def _matrix_table(rows: pd.DataFrame) -> str:
    """The matrix of :func:`_matrices` for the scenarios of one target set: targets some scenario scores
    first (:func:`~model.output.comparison.scored_first`); the published (realized) status last."""
    names = sorted(rows["scenario"].unique())
    first = rows.drop_duplicates("target").set_index("target").loc[scored_first(rows)]
    cell = rows.set_index(["target", "scenario"])
    realized = "realized_status" in rows
    head = [_th("Target (year: target value)", width="26%")] + [_th(_breakable(n), raw=True) for n in names]
    head += [_th("Record (published)", css="record")] if realized else []
    body = []
    for target, t in first.iterrows():
        t = {**t.to_dict(), "target": target}
        statuses = {cell.loc[(target, n)]["status"] for n in names if (target, n) in cell.index}
        if statuses == {NOT_MODELLED}:            # one line, with the reason
            body.append(f'<tr class="collapsed"><th scope="row">{_label(t)}<br><span class="small">'
                        f'{escape(_target_line(t, gap=False))}</span></th>'
                        + _status_cell(NOT_MODELLED, escape(_reason(t)), colspan=len(names) + realized) + "</tr>")
            continue
        cells = [f'<th scope="row">{_label(t)}<br><span class="small">{escape(_target_line(t))}</span></th>']
        for n in names:
            if (target, n) not in cell.index:
                cells.append("<td></td>")
                continue
            r = cell.loc[(target, n)]
            cells.append(_status_cell(r["status"], escape(format_gap(r["gap"], t["unit"]))
                                      if _is_number(r["gap"]) else ""))
        if realized:
            value = (escape(format_value(t["realized_value"], t["unit"])) if _is_number(t["realized_value"]) else "")
            cells.append(_status_cell(t["realized_status"], value, title=_text(t.get("realized_note"))))
        body.append("<tr>" + "".join(cells) + "</tr>")
    return _table(head, body, "matrix")


# ------------------------------------------------------------------ one scenario
def _scorecard(card: pd.DataFrame, goals: pd.DataFrame | None) -> str:
    """One scenario's scorecard: each target's projected value and gap, status, P(met) and what it would
    take; a target the model does not model takes one line, with the reason.  (The record is the same for
    every scenario: the verdict and the matrices give it.)"""
    has_p = "p_met" in card and card["p_met"].notna().any()
    notes = {} if goals is None else {r.target: r.note for r in goals.itertuples() if r.status != MET_ALREADY}
    head = [_th("Target (year: target value)", width="36%"), _th("Projected (gap)", True), _th("Status", width="6em")]
    head += [_th("P(met), %", True)] if has_p else []
    head += [_th("What it would take (constant growth of its lever sectors)", width="30%")]
    body = []
    for r in card.to_dict("records"):
        unit = _text(r.get("unit"))
        label = f'{_label(r)}<br><span class="small">{escape(_target_line(r, gap=False))}</span>'
        if r["status"] == NOT_MODELLED:
            reason = _status_cell(NOT_MODELLED, escape(_reason(r)), colspan=len(head) - 1)
            body.append(f"<tr><td>{label}</td>{reason}</tr>")
            continue
        gap = format_gap(r.get("gap"), unit)
        projected = escape(format_value(r.get("projected_value"), unit)) + (
            f'<br><span class="small">{escape(gap)}{" pp" if unit.startswith("%") else ""}</span>' if gap else "")
        cells = [f"<td>{label}</td>", _td(projected, True, raw=True), _status_cell(r["status"])]
        if has_p:
            cells.append(_td(format_probability(r.get("p_met")), True))
        cells.append(_td(notes.get(r["target"], ""), css="small"))
        body.append("<tr>" + "".join(cells) + "</tr>")
    return _table(head, body, "scorecard")


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
        top = largest_contributors(attribution, target, n)
        total = rows_t.loc[rows_t["kind"] == INPUT, "contribution"].sum()
        parts = []
        for kind in (INPUT, SECTOR):
            chosen = top[(top["kind"] == kind) & (top["contribution"] != 0)]
            parts.append(f"by {kind} " + (", ".join(f"{_component(c.component)} {format_gap(c.contribution, unit)}"
                                                    for c in chosen.itertuples(index=False)) or "none"))
        lines.append(f"<strong>{escape(headline(describe.get(target, target)))}</strong>: "
                     + escape(f"{format_gap(total, unit)} {gap_unit(unit)} from {rows_t['reference'].iloc[0]}; "
                              + "; ".join(parts)))
    return (f"<h4>Why targets are missed: the {n} largest contributors of each kind to the change from the "
            "reference (the target's unit; pp for %)</h4>" + _items(lines, "why"))


def _figure(svg: str, prefix: str, caption: str, path: str) -> str:
    return (f'<figure>{inline_svg(svg, prefix, caption)}<figcaption>{escape(caption)} '
            f"({_file(path)})</figcaption></figure>")


def _figure_list(name: str, stems: Sequence[str], descriptions: Mapping[str, str]) -> str:
    """A scenario's figures as files beside the page: path and caption (SVG; a PNG beside each)."""
    items = [f"{_file(f'{name}/{stem}.svg')} {escape(figure_caption(stem, descriptions))}"
             for stem in figure_order(list(stems))]
    return '<p class="small">Figures (SVG, and a PNG of the same name beside each):</p>' + _items(items, "files")


def _scenario(name: str, card: pd.DataFrame, goals, attribution, record: ScenarioRecord | None,
              stems: Sequence[str]) -> str:
    sid = f"scenario-{name}"
    out = [f'<details id="{escape(sid)}" class="scenario"><summary><span class="name">{escape(name)}</span> '
           f'<span class="small">{escape(verdict_words(card))}</span></summary>']
    if record is not None and record.description:
        out.append(f"<p>{escape(record.description)}</p>")
    if record is not None and record.draws:
        out.append(f'<p class="small">Monte Carlo: {record.draws:,} draws, seed {record.seed}.</p>')
    out.append(_scorecard(card, goals))
    out.append(_contributors(card, attribution))
    if stems:
        out.append(_figure_list(name, stems, dict(zip(card["target"], card["description"]))))
    out.append(f'<p class="small">Tables: {_file(name + "/")} (scorecard.csv, goalseek.csv, attribution.csv, '
               "timeseries.csv and the rest).</p>" + _back() + "</details>")
    return "\n".join(out)


def _comparison_figures(svgs: Mapping[str, str]) -> str:
    """The headline figures across scenarios inline, while they fit :data:`FIGURE_BUDGET`; the others
    (and the scorecard matrix, which the matrices above replace) named as files."""
    captions = dict(FIGURES)
    order = [s for s, _ in FIGURES if s in svgs] + sorted(s for s in svgs if s not in captions)
    shown, listed, used = [], [], 0
    for i, stem in enumerate(order):
        caption, path = captions.get(stem, stem), f"comparison/{stem}.svg"
        if stem in HEADLINE_FIGURES and used + len(svgs[stem]) <= FIGURE_BUDGET:
            used += len(svgs[stem])
            shown.append(_figure(svgs[stem], f"comparison-{i}", caption, path))
        elif stem == "scorecard_matrix":
            listed.append(f"{escape(caption)}: {_file(path)} (the matrices above give the same in a table)")
        else:
            listed.append(f"{escape(caption)}: {_file(path)}")
    more = ('<p class="small">Also in the results folder:</p>' + _items(listed, "files")) if listed else ""
    return "".join(shown) + more


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
    return (_table([_th("Metric")] + [_th(_breakable(n), True, raw=True) for n in names], rows)
            + f'<p class="small">{escape(BACKTEST_NOTE)} Every metric: '
            f'{_file("comparison/backtest_metrics.csv")}.</p>')


def _run_record(record: RunRecord) -> str:
    out = [f"<p>Run id {_code(str(record.run))}: a hash of the scenarios' files, the command-line settings and "
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
    return "\n".join(out)


def _items(lines: Sequence[str], css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return f"<ul{cls}>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>"


STYLE = """
:root { color-scheme: light; }
body { font: 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;
       color: #1b1b1b; background: #fff; max-width: 1340px; margin: 0 auto; padding: 0 14px 48px; }
header h1 { font-size: 1.35em; margin: 0.4em 0 0.1em; }
header p { margin: 0.1em 0; }
h2 { font-size: 1.25em; margin: 1.4em 0 0.4em; border-bottom: 2px solid #444; padding-bottom: 2px; }
h3 { font-size: 1.05em; margin: 0.9em 0 0.3em; }
h4 { font-size: 0.95em; margin: 0.8em 0 0.2em; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); margin: 0; }
nav.bar { font-size: 0.9em; margin: 0.2em 0 0.4em; }
nav.bar a { margin-right: 0.9em; }
table { border-collapse: collapse; width: 100%; margin: 0.3em 0 0.8em; font-size: 0.9em; }
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
code.file { background: #f3f3f3; padding: 0 2px; }
.hash code { font-size: 0.8em; }
#verdict { margin-top: 0.3em; }
.sets { display: grid; grid-template-columns: repeat(auto-fit, minmax(24em, 1fr)); gap: 4px 18px;
        align-items: start; }
.sets.two { grid-template-columns: minmax(0, 2fr) minmax(0, 1fr); }
.set .parts { display: grid; grid-template-columns: auto minmax(0, 1fr); gap: 12px; align-items: start; }
.set h3 { margin: 0.3em 0 0.2em; }
.set h3 .small { display: block; font-weight: normal; }
table.counts { width: auto; }
table.counts tbody th { white-space: nowrap; }
table.counts thead th.num { width: 4.6em; white-space: normal; }
.set table { font-size: 0.85em; margin-bottom: 0.3em; }
.set th, .set td { padding: 1px 5px; }
table.counts th.num { white-space: nowrap; }
.record-line { margin: 0.1em 0 0.4em; font-size: 0.9em; }
th.record { background: #fbf3d5; }
.flag { font-weight: 600; color: #8a1c00; }
table.matrix thead th { width: 6.5em; }
ul.why { font-size: 0.9em; margin: 0.2em 0 0.6em; padding-left: 1.4em; }
tr.collapsed td { font-size: 0.92em; }
details.scenario { border-top: 1px solid #999; padding: 2px 0; }
details.scenario > summary { cursor: pointer; padding: 3px 0; }
details.scenario > summary .name { font-weight: 600; font-size: 1.05em; }
details.scenario[open] > summary { border-bottom: 1px solid #ccc; margin-bottom: 0.4em; }
ul.files { margin: 0.2em 0 0.6em; padding-left: 1.4em; font-size: 0.9em; }
.back { font-size: 0.85em; margin: 0.3em 0 0.8em; }
figure { margin: 0.8em 0 1.2em; break-inside: avoid; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 0.9em; color: #333; margin-top: 4px; }
span.status { padding: 0 4px; white-space: nowrap; }
@media (max-width: 1100px) {
  .sets.two { grid-template-columns: minmax(0, 1fr); }
}
@media print {
  body { max-width: none; font-size: 8pt; padding: 0; }
  .sets, .sets.two { display: block; }
  section.part { break-before: page; }
  #matrix { page: wide; }
  ul.files { font-size: 0.85em; }
  h2, h3, h4, summary, caption { break-after: avoid; }
  tr, figure, li { break-inside: avoid; }
  thead { display: table-header-group; }
  details::details-content { content-visibility: visible; display: block; }
  details.scenario > summary { list-style: none; border-bottom: 1px solid #999; }
  details.scenario { border-top: 2px solid #444; margin-top: 0.6em; }
  nav.bar, .back { display: none; }
  a { color: inherit; text-decoration: none; }
  table.matrix thead th { width: auto; }
  .word { white-space: normal; }
  .status, th.record { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
@page { size: A4; margin: 12mm; }
@page wide { size: A4 landscape; }
"""


def _status_style() -> str:
    return "\n".join(f".{_css(s)} {{ background: {c}; }}" for s, c in STATUS_COLOURS.items())


def report_html(stacked: pd.DataFrame, record: RunRecord, warnings: Mapping[str, list[str]],
                failures: Mapping[str, list[str]], goals: Mapping[str, pd.DataFrame] | None = None,
                backtest: pd.DataFrame | None = None, attributions: Mapping[str, pd.DataFrame] | None = None,
                figures: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """The batch report's HTML text.

    ``stacked`` is the batch's scorecards stacked (:func:`model.output.comparison.stack`; the
    one evaluation of the targets), ``goals`` and ``attributions`` each scenario's goal-seeking
    and attribution tables, ``backtest`` the batch's backtest metrics; ``figures`` maps
    ``comparison`` and each scenario's name to ``{file stem: SVG text}`` (the headline figures
    across scenarios are shown, the others named as files); ``warnings`` and ``failures`` map a
    scenario (or file) to its messages.
    """
    goals, attributions, figures = goals or {}, attributions or {}, figures or {}
    names = sorted(stacked["scenario"].unique()) if len(stacked) else []
    nav, body = [], []
    if names:
        body.append(_verdict(stacked))
        about = ("Each target's source is in <code>&lt;scenario&gt;/scorecard.csv</code>. Revenue and output series "
                 "rest on estimated 2020 levels (<code>model/data/revenue_links.csv</code>) or, from a 2025 base, "
                 "on the published levels in <code>&lt;scenario&gt;/base_year.csv</code>.")
        nav.append(("matrix", "Targets by scenario"))
        body.append(_section("matrix", "Targets by scenario", f"<p>{about}</p>" + _matrices(stacked)))
        if figures.get(COMPARISON):
            nav.append(("comparison-figures", "Figures"))
            body.append(_section("comparison-figures", "Figures across scenarios",
                                 _comparison_figures(figures[COMPARISON])))
        scenarios = [_scenario(name, stacked[stacked["scenario"] == name].drop(columns="scenario"), goals.get(name),
                               attributions.get(name), record.scenarios.get(name), list(figures.get(name, {})))
                     for name in names]
        nav.append(("scenarios", "Scenarios"))
        body.append('<section id="scenarios" class="part"><h2>Scenarios</h2><p class="small">Each scenario '
                    "folded (click its name to open it; printed, every one is open): its scorecard, what missed "
                    "targets would take, why they are missed, and its files.</p>" + "\n".join(scenarios)
                    + "</section>")
        bt = _backtest(backtest)
        if bt:
            nav.append(("backtest", "Backtest"))
            body.append(_section("backtest", "Backtest against the realized outcomes", bt))
    else:
        body.append('<section id="verdict"><p>No scenario ran, so there is nothing to compare.</p></section>')
    notes = [f"{escape(name)}: {escape(project_relative(w))}" for name, ws in sorted(warnings.items()) for w in ws]
    tail = [("warnings", "Warnings", _items(notes or ["none"]))]
    if failures:
        tail.append(("failed", "Failed scenarios", _items(
            [f"{_code(project_relative(f))}: {escape(project_relative(p))}" for f, ps in failures.items()
             for p in ps])))
    if record.stale:
        tail.append(("not-in-run", "Not part of this run", "<p>Folders left from earlier runs, not compared, "
                     "possibly out of date:</p>" + _items([f"{_code(n + '/')} (" + (f"run {_code(r)}" if r else
                                                                                   "no run recorded") + ")"
                                                           for n, r in record.stale])))
    tail.append(("run-record", "Run record", _run_record(record)))
    for sid, title, content in tail:
        nav.append((sid, title))
        body.append(_section(sid, title, content))
    # Warnings, failures and the stale folders are short: printed, they follow the section before them.
    head = (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="{TOOL}">\n'
            '<link rel="icon" href="data:,">\n'
            f"<title>{escape(TITLE)} (run {escape(str(record.run))})</title>\n"
            f"<style>{STYLE}{_status_style()}\n#warnings, #failed, #not-in-run {{ break-before: auto; }}\n"
            "</style>\n</head>\n<body>\n")
    intro = (f"<header><h1>{escape(TITLE)}</h1><p class=\"small\">Run {_code(str(record.run))}: {len(names)} "
             f"scenario(s) compared. Beside this page in the results folder: {_file(SUMMARY)} (the same in "
             f"Markdown), {_file(WORKBOOK)}, {_file(COMPARISON + '/')} and a folder per scenario; this page links "
             "only within itself.</p>"
             '<nav class="bar" aria-label="Contents">' + "".join(f'<a href="#{escape(s)}">{escape(t)}</a>'
                                                                 for s, t in nav) + "</nav></header>\n")
    return UNPRINTABLE.sub("\ufffd", head + intro + "\n".join(body) + "\n</body>\n</html>\n")

"""The report's verdict and its matrices (:mod:`model.output.report`): the first screen, per target set,
each scenario's counts, the record and the realized path against it; then the targets by scenario."""
from __future__ import annotations

from html import escape
from typing import Sequence

import pandas as pd

from ..core.target_sets import SETS
from ..targets.scorecard import MET, MISSED, NOT_MODELLED
from .comparison import STATUS_SYMBOLS, format_gap, format_value, scored_first, status_text, target_text
from .report_cells import (
    breakable,
    file_path,
    is_number,
    not_modelled_reason,
    status_cell,
    status_class,
    table,
    target_label,
    target_line,
    td,
    text_of,
    th,
)
from .style import headline
from .verdict import (
    COUNTED,
    NO_SET,
    REALIZED_PATH,
    RecordRow,
    count_table,
    of_set,
    record_counts,
    record_rows,
    set_order,
)


def _set_title(name: str) -> str:
    return SETS[name].title if name in SETS else ("targets" if name == NO_SET else name)


def verdict_html(stacked: pd.DataFrame) -> str:
    """The first screen: a card per target set (:func:`_verdict_set`), those with published outcomes in
    a wide column, the others beside them; the legend below."""
    cards = [_verdict_set(name, of_set(stacked, name)) for name in set_order(stacked)]
    wide, narrow = [c for w, c in cards if w], [c for w, c in cards if not w]
    columns = (f'<div class="sets two"><div>{"".join(wide)}</div><div>{"".join(narrow)}</div></div>'
               if wide and narrow else f'<div class="sets">{"".join(wide + narrow)}</div>')
    legend = " ".join(f'<span class="status {status_class(s)}">{escape(status_text(s))}</span>' for s in STATUS_SYMBOLS)
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
    head = [th("Scenario")] + [th(status_text(s), num=True, css=f"status {status_class(s)}") for s in shown]
    body = []
    for r in counted.to_dict("records"):
        link = f'<a href="#scenario-{escape(r["scenario"])}">{escape(r["scenario"])}</a>'
        body.append(f'<tr><th scope="row">{link}</th>' + "".join(td(str(r[s]), True) for s in shown) + "</tr>")
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
    parts = table(head, body, "counts") + line
    if published:
        parts = f'<div class="parts"><div>{parts}</div><div>{_record_table(rows, published)}</div></div>'
    title = escape(name) if name != NO_SET else "Targets"
    return bool(published), (f'<div class="set"><h3 id="verdict-{escape(name) or "targets"}">{title} '
                             f'<span class="small">{escape(_set_title(name))}</span></h3>{parts}</div>')


def _record_table(rows: pd.DataFrame, published: Sequence[RecordRow]) -> str:
    """The targets whose outcome is published: the record's status and figure, the realized path's (a
    disagreement flagged with its reason) and how many scenarios project the target met."""
    has_path = any(r.path_status is not None for r in published)
    head = [th("Target with a published outcome"), th("Record", css="record")]
    head += [th("Realized path")] if has_path else []
    head += [th("Scenarios meeting it", num=True)]
    body = []
    for r in published:
        label = (f'<span title="{escape(r.target + ": " + r.description)}">{escape(headline(r.description))}'
                 f'</span><br><span class="small">{r.year}: {escape(r.target_text)}'
                 + (f" {escape(r.unit)}" if r.unit and r.unit != "none" else "") + "</span>")
        cells = [f'<th scope="row">{label}</th>',
                 status_cell(r.record_status, escape(r.published(format_value)), title=r.note)]
        if has_path:
            if r.path_status is None:
                cells.append("<td></td>")
            else:
                value = escape(format_value(r.path_value, r.unit))
                flag = (f'<br><span class="flag">⚠ disagrees: {escape(r.reason(format_value))}</span>' if r.disagrees
                        else ('<br><span class="small">agrees</span>' if r.path_status in (MET, MISSED) else ""))
                cells.append(status_cell(r.path_status, value + flag))
        cells.append(td(f"{r.scenarios_met} of {r.scenarios_scored}", True))
        body.append("<tr>" + "".join(cells) + "</tr>")
    disagreeing = sum(r.disagrees for r in published)
    note = ("" if not has_path else
            f'<p class="small">The realized path agrees with the record on all {len(published)}.</p>' if not disagreeing
            else f'<p class="flag">⚠ The realized path disagrees with the record on {disagreeing} of '
                 f"{len(published)} (the reason in its cell).</p>")
    return table(head, body, "record-table") + note


# ------------------------------------------------------------------ targets by scenario
def matrices_html(stacked: pd.DataFrame) -> str:
    """Targets (rows) × scenarios (columns), one table per target set with its scenarios only."""
    sets = set_order(stacked)
    tables = "".join((f'<h3 id="matrix-{escape(s) or "targets"}">{escape(s or "Targets")} '
                      f'<span class="small">{escape(_set_title(s))}</span></h3>' if len(sets) > 1 or s else "")
                     + _matrix_table(of_set(stacked, s)) for s in sets)
    legend = " ".join(f'<span class="status {status_class(s)}">{escape(status_text(s))}</span>' for s in STATUS_SYMBOLS)
    return (tables + f'<p class="small">Status: {legend}. Gap, below the status: the projection minus the '
            "target in the target year, in the unit given (pp: percentage points); for a band, the distance to "
            "its nearer end; for the largest sector, the lead over the largest other sector. A target no "
            "scenario models takes one line, with the reason. Tables: "
            + ", ".join(file_path(f"comparison/{f}.csv") for f in ("scorecard_matrix", "gap_matrix", "scorecards"))
            + ".</p>")


def _matrix_table(rows: pd.DataFrame) -> str:
    """The matrix of :func:`_matrices` for the scenarios of one target set: targets some scenario scores
    first (:func:`~model.output.comparison.scored_first`); the published (realized) status last."""
    names = sorted(rows["scenario"].unique())
    first = rows.drop_duplicates("target").set_index("target").loc[scored_first(rows)]
    cell = dict(zip(zip(rows["target"], rows["scenario"]), rows.to_dict("records")))    # (target, scenario) -> row
    realized = "realized_status" in rows
    head = [th("Target (year: target value)", width="26%")] + [th(breakable(n), raw=True) for n in names]
    head += [th("Record (published)", css="record")] if realized else []
    body = []
    for target, t in first.iterrows():
        t = {**t.to_dict(), "target": target}
        statuses = {cell[(target, n)]["status"] for n in names if (target, n) in cell}
        if statuses == {NOT_MODELLED}:            # one line, with the reason
            body.append(f'<tr class="collapsed"><th scope="row">{target_label(t)}<br><span class="small">'
                        f'{escape(target_line(t, gap=False))}</span></th>'
                        + status_cell(NOT_MODELLED, escape(not_modelled_reason(t)), colspan=len(names) + realized)
                        + "</tr>")
            continue
        cells = [f'<th scope="row">{target_label(t)}<br><span class="small">{escape(target_line(t))}</span></th>']
        for n in names:
            if (target, n) not in cell:
                cells.append("<td></td>")
                continue
            r = cell[(target, n)]
            cells.append(status_cell(r["status"], escape(format_gap(r["gap"], t["unit"]))
                                      if is_number(r["gap"]) else ""))
        if realized:
            value = (escape(format_value(t["realized_value"], t["unit"])) if is_number(t["realized_value"]) else "")
            cells.append(status_cell(t["realized_status"], value, title=text_of(t.get("realized_note"))))
        body.append("<tr>" + "".join(cells) + "</tr>")
    return table(head, body, "matrix")

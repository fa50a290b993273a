"""The small pieces of the report's HTML (:mod:`model.output.report`): cells, tables, target labels, the
page's style.  Text is escaped here (``html.escape``) unless a caller passes ``raw`` HTML it built itself."""
from __future__ import annotations

import re
from html import escape
from typing import Sequence

from ..core.sectors import LABELS
from .comparison import gap_unit, status_text, target_text
from .style import STATUS_COLOURS, headline


def status_class(status: str) -> str:
    return "status-" + re.sub(r"[^a-z]+", "-", str(status).lower()).strip("-")


def status_cell(status: str, extra: str = "", tag: str = "td", title: str = "", colspan: int = 0) -> str:
    """A table cell of a status: colour, symbol and word (never colour alone), ``extra`` (HTML) below."""
    below = f'<br><span class="small">{extra}</span>' if extra else ""
    attrs = (f' title="{escape(title)}"' if title else "") + (f' colspan="{colspan}"' if colspan else "")
    word = f'<span class="word">{escape(status_text(status))}</span>'
    return f'<{tag} class="status {status_class(status)}"{attrs}>{word}{below}</{tag}>'


def code(text: str) -> str:
    return f"<code>{escape(text)}</code>"


def file_path(path: str) -> str:
    """A file of the results folder, named by its path relative to the page (text, not a link)."""
    return f'<code class="file">{escape(path)}</code>'


def breakable(name: str) -> str:
    """A scenario name that may wrap after its underscores (narrow matrix columns)."""
    return escape(name).replace("_", "_<wbr>")


def table(head: Sequence[str], rows: Sequence[str], css: str = "", caption: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    cap = f"<caption>{caption}</caption>" if caption else ""
    return (f"<table{cls}>{cap}<thead><tr>" + "".join(head) + "</tr></thead><tbody>\n"
            + "\n".join(rows) + "\n</tbody></table>")


def th(text: str, num: bool = False, raw: bool = False, width: str = "", css: str = "") -> str:
    classes = " ".join(c for c in ("num" if num else "", css) if c)
    attribute = f' class="{classes}"' if classes else ""
    style = f' style="width: {width}"' if width else ""
    return f'<th{attribute}{style} scope="col">{text if raw else escape(text)}</th>'


def td(text: str, num: bool = False, raw: bool = False, css: str = "") -> str:
    classes = " ".join(c for c in ("num" if num else "", css) if c)
    attribute = f' class="{classes}"' if classes else ""
    return f"<td{attribute}>{text if raw else escape(text)}</td>"


def component_name(component: str) -> str:
    """An attribution component with its sector key replaced by the sector's name."""
    key, sep, rest = component.partition(" ")
    return LABELS[key] + sep + rest if key in LABELS else component


def is_number(x) -> bool:
    return isinstance(x, (int, float)) and x == x


def text_of(x) -> str:
    return "" if x is None or (isinstance(x, float) and x != x) else str(x)


def target_label(row) -> str:
    """A target as a table names it: the first sentence of its description, the id and the whole
    description as the tooltip."""
    description = text_of(row.get("description")) or str(row["target"])
    return f'<span title="{escape(str(row["target"]) + ": " + description)}">{escape(headline(description))}</span>'


def target_line(row, gap: bool = True) -> str:
    """``2025: ≥ 30 %; gap in pp``: the target's year and value, its unit where it has one."""
    unit = text_of(row.get("unit"))
    value = target_text(row) + (f" {unit}" if unit and unit != "none" else "")
    return f"{int(row['year'])}: {value}" + (f"; gap in {gap_unit(unit)}" if gap and unit and unit != "none" else "")


def not_modelled_reason(row) -> str:
    """Why a target is not modelled: the first sentence of its note."""
    note = text_of(row.get("note"))
    note = note.split(": ", 1)[1] if note.startswith("scope: ") else note
    return headline(note) if note else "the model has no series for it"


def back_link() -> str:
    return '<p class="back"><a href="#verdict">↑ back to the verdict</a></p>'


def section(sid: str, title: str, content: str) -> str:
    return f'<section id="{escape(sid)}" class="part"><h2>{escape(title)}</h2>{content}{back_link()}</section>'


def items(lines: Sequence[str], css: str = "") -> str:
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


def status_style() -> str:
    """A background colour rule for each status (:data:`model.output.plots.STATUS_COLOURS`)."""
    return "\n".join(f".{status_class(s)} {{ background: {c}; }}" for s, c in STATUS_COLOURS.items())

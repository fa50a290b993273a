"""MkDocs hooks of the documentation site (``hooks:`` in mkdocs.yml)."""
from __future__ import annotations

import re

CODE_SPAN = re.compile(r"(`+)(.+?)\1")


def on_page_markdown(markdown: str, **kwargs) -> str:
    r"""Unescape ``\|`` inside the code spans of table rows.

    The pages are written for both readers of Markdown: GitHub ends a table cell at every ``|`` not
    written ``\|``, code spans included, while Python-Markdown keeps a code span whole and would print
    the backslash.  So a row writes ``Value Added\|Finance`` in code and the site shows
    ``Value Added|Finance``.
    """
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("|") and "\\|" in line:
            lines[i] = CODE_SPAN.sub(lambda m: m.group(0).replace("\\|", "|"), line)
    return "\n".join(lines)

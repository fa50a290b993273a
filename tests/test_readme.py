"""The README and the pages of docs/ render as written: their tables keep their columns."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _cells(row: str) -> list[str]:
    """The cells of a Markdown table row as GitHub splits it: at every ``|`` not escaped, code spans
    included (a ``|`` inside backticks still ends the cell unless written ``\\|``)."""
    return re.split(r"(?<!\\)\|", row.strip().strip("|"))


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
def test_every_table_row_has_as_many_cells_as_its_header(page):
    lines = page.read_text(encoding="utf-8").splitlines()
    bad, header = [], None
    for number, line in enumerate(lines, start=1):
        if not line.startswith("|"):
            header = None
            continue
        if header is None:
            header = len(_cells(line))
        elif len(_cells(line)) != header:
            name = page.relative_to(ROOT).as_posix()
            bad.append(f"{name}:{number}: {len(_cells(line))} cells, header has {header}: {line[:80]}")
    assert not bad, "\n".join(bad)

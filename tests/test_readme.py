"""The README renders as written: its tables keep their columns."""
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _cells(row: str) -> list[str]:
    """The cells of a Markdown table row as GitHub splits it: at every ``|`` not escaped, code spans
    included (a ``|`` inside backticks still ends the cell unless written ``\\|``)."""
    return re.split(r"(?<!\\)\|", row.strip().strip("|"))


def test_every_table_row_has_as_many_cells_as_its_header():
    lines = README.read_text(encoding="utf-8").splitlines()
    bad, header = [], None
    for number, line in enumerate(lines, start=1):
        if not line.startswith("|"):
            header = None
            continue
        if header is None:
            header = len(_cells(line))
        elif len(_cells(line)) != header:
            bad.append(f"README.md:{number}: {len(_cells(line))} cells, header has {header}: {line[:80]}")
    assert not bad, "\n".join(bad)

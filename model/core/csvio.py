"""Reading the model's CSV data files, keeping the line of every row.

One reader for every file of ``model/data``: the text must be UTF-8 (a byte that is not is a
problem at its line), the header must name the file's columns in order (a misspelt column gets a
"did you mean"), a row with more or fewer fields than columns is a problem of its own, and a file
with a header only is a problem when rows are required.  Each row comes with the line on which it
starts, so every later problem of the row is reported at that line.
"""
from __future__ import annotations

import csv
import difflib
import io
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .problems import Problem

MAX_BYTES = 8 << 20          # the data files are small; anything bigger is not one of them


@dataclass(frozen=True)
class Row:
    """One data row: the line it starts on, its fields by column (missing ones empty) and the problems
    of its shape (more or fewer fields than columns)."""

    line: int
    values: dict[str, str]
    problems: tuple[Problem, ...] = ()


def _text(path: Path, name: str) -> tuple[str | None, list[Problem]]:
    """The file's text, or None and the problem: missing, not a regular file, too large, not UTF-8."""
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            return None, [Problem(name, None, "", "is not a regular file")]
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        return None, [Problem(name, None, "", f"cannot be read ({exc.strerror or exc})")]
    if len(data) > MAX_BYTES:
        return None, [Problem(name, None, "", f"is larger than {MAX_BYTES >> 20} MiB: not a data file of the model")]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [Problem(name, line, "", f"byte 0x{data[exc.start]:02x} at column {column} is not UTF-8: "
                                              "save the file as UTF-8")]


def _header_problem(name: str, header: tuple[str, ...], columns: tuple[str, ...]) -> Problem | None:
    if header == columns:
        return None
    if not header:
        return Problem(name, 1, "header", f"the file is empty; expected the header {','.join(columns)}")
    missing = [c for c in columns if c not in header]
    extra = [c for c in header if c not in columns]
    hints = "".join(f"; did you mean {m[0]!r} for {e!r}?" for e in extra
                    if (m := difflib.get_close_matches(e, missing, n=1, cutoff=0.5)))
    what = (f"missing {', '.join(missing)}" if missing else "") + ("; " if missing and extra else "") + \
        (f"unknown {', '.join(extra)}" if extra else "")
    return Problem(name, 1, "header", f"columns {list(header)}; expected {list(columns)} in this order"
                                      + (f" ({what})" if what else "") + hints)


def read_rows(path: Path | str, columns: tuple[str, ...], require_rows: bool = True
              ) -> tuple[tuple[Row, ...], tuple[Problem, ...]]:
    """The rows of the CSV file ``path`` whose header is ``columns``, and the problems of the file.

    Problems of the file as a whole (unreadable, not UTF-8, a wrong header, no rows when
    ``require_rows``) come with no rows; problems of a row's shape are on the row
    (:attr:`Row.problems`) and the row is still returned, its missing fields empty.  Blank lines are
    skipped.  Lines count from 1 (the header) and name where a row starts, also for a quoted field
    that spans lines.
    """
    path = Path(path)
    name = path.name
    text, problems = _text(path, name)
    if text is None:
        return (), tuple(problems)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[Row] = []
    try:
        header = tuple(h.strip() for h in next(reader, ()))
        bad = _header_problem(name, header, columns)
        if bad is not None:
            return (), (bad,)
        start = reader.line_num + 1
        for fields in reader:
            line, start = start, reader.line_num + 1
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue
            shape = []
            if len(fields) > len(columns):
                shape.append(Problem(name, line, "", f"{len(fields) - len(columns)} more field(s) than the "
                                                     f"{len(columns)} columns {list(columns)}"))
            elif len(fields) < len(columns):
                shape.append(Problem(name, line, "", f"{len(columns) - len(fields)} fewer fields than the "
                                                     f"{len(columns)} columns {list(columns)}"))
            values = {c: (fields[i] if i < len(fields) else "") for i, c in enumerate(columns)}
            rows.append(Row(line, values, tuple(shape)))
    except csv.Error as exc:
        return (), (Problem(name, reader.line_num or 1, "", f"not a CSV file the model can read: {exc}"),)
    if require_rows and not rows:
        return (), (Problem(name, 2, "", "no rows: the file has its header only"),)
    return tuple(rows), ()

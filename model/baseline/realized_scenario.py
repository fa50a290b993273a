"""``python -m model.baseline.realized_scenario [FILE]``: write ``scenarios/realized.yaml`` (or FILE), the
published record as a scenario, from the data (:mod:`model.baseline.record`)."""
from __future__ import annotations

import sys
from pathlib import Path

from .baselines import baseline_for
from .data import revenue_links
from .realized import realized_table
from .record import realized_yaml, record_path, revenue_bases

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "realized.yaml"


def text() -> str:
    """The file's text: the record path from the central assumptions' 2020 base restated on the 5th census,
    with the revenue bases that carry each series to its latest published level along it."""
    va_2020, table = baseline_for({}, census="5th").va_2020, realized_table()
    path = record_path(baseline_for({}), va_2020, table)
    rows = revenue_links()
    params = {k: float(r.value) for k, r in rows.items()}
    ranges = {k.removesuffix(".base_2020"): (r.low, r.high) for k, r in rows.items() if k.endswith(".base_2020")}
    return realized_yaml(path, revenue_bases(path, va_2020, table, params, ranges))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    target = Path(argv[0]) if argv else SCENARIO
    target.write_text(text(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

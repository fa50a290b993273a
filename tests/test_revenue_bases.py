"""The 2020 revenue bases against every published figure of their scope (model/data/revenue_bases_2020.csv).

Each base is a figure published by mid-2021 carried to 2020 (status ``derived``) or an assumption, and its
range holds every published figure of the series' scope translated to 2020 at its stated growth, the later
ones included.  The figures of the record (``realized.csv``) must all be listed, so a new release cannot
slip past the ranges unseen.
"""
import csv
from pathlib import Path

import pytest

from model.baseline import data
from model.baseline.realized import load_realized, realized_key
from model.equations.revenue import SERIES

BASES_FILE = Path(data.__file__).resolve().parents[1] / "data" / "revenue_bases_2020.csv"
LINKS = data.revenue_links()
EX_ANTE = "2021-08"          # the plan's month: what was published by then may enter a central value
KINDS = {"level", "lower bound", "not translated", "other scope"}


def figures() -> list[dict]:
    with open(BASES_FILE, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def translated(row: dict, end: str) -> float:
    return float(row[end]) * float(row["to_2020"])


@pytest.mark.parametrize("row", [r for r in figures() if r["kind"] == "level"],
                         ids=lambda r: f"{r['series']}-{r['year']}-{r['period']}")
def test_every_published_level_translated_to_2020_lies_in_its_base_range(row):
    base = LINKS[f"{row['series']}.base_2020"]
    assert base.low <= translated(row, "low") and translated(row, "high") <= base.high, \
        (row["series"], translated(row, "low"), translated(row, "high"), base.low, base.high)


@pytest.mark.parametrize("row", [r for r in figures() if r["kind"] == "lower bound"],
                         ids=lambda r: f"{r['series']}-{r['year']}-{r['period']}")
def test_every_published_lower_bound_translated_to_2020_is_within_reach_of_its_range(row):
    assert float(row["value"]) * float(row["to_2020"]) <= LINKS[f"{row['series']}.base_2020"].high


def test_every_row_is_of_a_series_with_a_kind_a_source_and_a_reason():
    keys = {s.key for s in SERIES}
    for r in figures():
        assert r["series"] in keys and r["kind"] in KINDS, r
        assert r["url"].startswith("http") and r["publisher"] and r["published"], r
        assert r["translation"], r
        assert bool(r["to_2020"]) == (r["kind"] in ("level", "lower bound")), r


def test_every_figure_of_the_record_is_listed():
    listed = {(r["series"], int(r["year"]), r["period"], float(r["value"])) for r in figures()}
    table = load_realized()
    for s in SERIES:
        for o in table.select(realized_key(s.key), None):
            assert (s.key, o.year, o.period, o.value) in listed, (o.key, o.year, o.period, o.value)


def test_a_derived_central_is_a_figure_published_by_mid_2021_carried_to_2020():
    for s in SERIES:
        base = LINKS[f"{s.key}.base_2020"]
        ex_ante = [r for r in figures() if r["series"] == s.key and r["kind"] == "level"
                   and r["published"] <= EX_ANTE]
        if base.status == "derived":
            assert any(abs(translated(r, "value") - base.value) < 0.1 for r in ex_ante), s.key
        else:           # an assumption: no level of the scope was published by then
            assert base.status == "assumption" and not ex_ante, s.key


def test_the_medicine_and_health_base_holds_the_later_levels_but_its_central_does_not_use_them():
    base = LINKS["medicine_health.base_2020"]
    later = [translated(r, "value") for r in figures() if r["series"] == "medicine_health" and r["kind"] == "level"]
    assert later and all(r > EX_ANTE for r in (r["published"] for r in figures()
                                               if r["series"] == "medicine_health" and r["kind"] == "level"))
    assert all(base.low <= x <= base.high for x in later)
    assert base.value == pytest.approx((base.low + base.high) / 2)       # the midpoint: no figure by mid-2021

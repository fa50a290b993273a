"""The plan scored on outcomes: each target judged by the published figure of its year,
projected vs happened in the comparison, and the realized-path scenario."""
import numpy as np
import pandas as pd
import pytest

from model.baseline import realized as rz
from model.targets.definitions import load_targets, parse_targets
from model.targets.scorecard import (
    MET,
    MISSED,
    NOT_PUBLISHED,
    RECORD_COLUMNS,
    SCORECARD_COLUMNS,
    evaluate,
    realized_row,
    with_realized,
)

SOURCE = {"publisher": "P", "document": "D", "url": "https://example.invalid", "year": 2025}
ROW = {"key": "revenue.software_info", "year": "2025", "period": "annual", "value": "31000",
       "unit": "100 million CNY", "publisher": "Beijing Municipal Bureau of Statistics",
       "document": "2025 communique, repost", "url": "https://example.org/a",
       "vintage": "preliminary: 2025 communique, Mar 2026", "note": "n", "census_basis": "5th",
       "status": "preliminary", "definition": "same"}


def published(*changes: dict) -> rz.RealizedTable:
    """A realized table of ROW with each of ``changes``, checked as the shipped file is."""
    outcomes, problems = rz.check_rows(enumerate(({**ROW, **c} for c in changes), start=2))
    assert not problems, problems
    return rz.RealizedTable(outcomes)


def target(comparator=">=", variable="Revenue|Software and Information Services", unit="100 million CNY",
           **fields):
    return parse_targets([{"id": "t", "description": "d", **SOURCE, "unit": unit, "comparator": comparator,
                           "variable": variable, "levers": ["ict"], **fields}])[0]


SOFTWARE = target(value=30000)


# ---------------------------------------------------------------- each comparator
@pytest.mark.parametrize("value, status", [("31000", MET), ("30000", MET), ("29000", MISSED)])
def test_at_least_is_judged_by_the_published_level(value, status):
    row = realized_row(SOFTWARE, published({"value": value}))
    assert row["realized_status"] == status
    assert row["realized_value"] == float(value)
    assert "https://example.org/a" in row["realized_source"] and "Mar 2026" in row["realized_source"]
    assert "5th-census basis" in row["realized_note"]


@pytest.mark.parametrize("value, status", [("4", MET), ("5", MET), ("3", MISSED), ("6", MISSED)])
def test_range_is_judged_by_the_published_count(value, status):
    t = target("range", "Clusters|Trillion-yuan", "count", low=4, high=5)
    row = realized_row(t, published({"key": "count.trillion_clusters", "value": value, "unit": "count"}))
    assert row["realized_status"] == status


@pytest.mark.parametrize("value, status", [("20.5", MET), ("19.5", MET), ("19.4", MISSED)])
def test_about_is_judged_with_its_tolerance(value, status):
    t = target("~", "Share of GDP|Finance", "%", value=20.5, tolerance=1)
    assert realized_row(t, published({"key": "share.finance", "value": value, "unit": "%"}))["realized_status"] \
        == status


def test_no_figure_of_the_target_year_is_not_published():
    row = realized_row(SOFTWARE, published({"year": "2024", "vintage": "preliminary: 2024 communique, Mar 2025"}))
    assert row["realized_status"] == NOT_PUBLISHED and np.isnan(row["realized_value"])
    assert "no annual 2025 figure" in row["realized_note"]


def test_a_partial_year_level_above_an_at_least_target_meets_it():
    """A revenue cumulated from January is at most the year's: nine months above the target decide it."""
    row = realized_row(SOFTWARE, published({"period": "Q1-Q3", "value": "30500",
                                            "definition": "lower bound of the same measure (above-size firms)"}))
    assert row["realized_status"] == MET and row["realized_value"] == 30500
    assert "Q1-Q3 2025 alone" in row["realized_note"]


@pytest.mark.parametrize("change", [
    {"period": "Q1-Q3", "value": "25000"},                                         # below: decides nothing
    {"period": "Q1-Q3", "value": "40000", "definition": "wider scope"},            # another measure
    {"period": "H1", "value": "40000", "vintage": "preliminary: H1 release, Jul 2025",
     "definition": "approximate"},
])
def test_a_partial_year_figure_below_the_target_or_of_another_measure_decides_nothing(change):
    row = realized_row(SOFTWARE, published(change))
    assert row["realized_status"] == NOT_PUBLISHED and np.isnan(row["realized_value"])


def test_a_partial_year_share_bounds_nothing():
    t = target(">=", "Share of GDP|Finance", "%", value=20)
    row = realized_row(t, published({"key": "share.finance", "unit": "%", "value": "25", "period": "H1",
                                     "vintage": "preliminary: H1 release, Jul 2025"}))
    assert row["realized_status"] == NOT_PUBLISHED


def test_the_shipped_record_meets_the_software_target_on_ten_months_alone():
    t = next(t for t in load_targets() if t.id == "software_revenue")
    row = realized_row(t, rz.realized_table())
    assert row["realized_status"] == MET and "Jan-Oct 2025" in row["realized_note"]


def test_the_latest_release_judges_whatever_its_basis():
    table = published({"value": "29000", "vintage": "preliminary: 2025 communique, Mar 2026"},
                      {"value": "30500", "vintage": "revised: 2025 yearbook, Oct 2026", "status": "revised"})
    row = realized_row(SOFTWARE, table)
    assert row["realized_status"] == MET and row["realized_value"] == 30500
    assert "revised" in row["realized_note"]


def test_a_lower_bound_that_meets_an_at_least_target_is_decisive():
    row = realized_row(SOFTWARE, published({"value": "30000", "definition": "lower bound ('over 3 trillion')"}))
    assert row["realized_status"] == MET
    assert "lower bound" in row["realized_note"] and "over 30000" in row["realized_note"]


def test_a_lower_bound_below_the_target_decides_nothing():
    row = realized_row(SOFTWARE, published({"value": "29000", "definition": "lower bound ('over 2.9 trillion')"}))
    assert row["realized_status"] == NOT_PUBLISHED and row["realized_value"] == 29000
    assert "not a level" in row["realized_note"]


def test_a_lower_bound_never_decides_a_range():
    t = target("range", "Clusters|Trillion-yuan", "count", low=4, high=5)
    row = realized_row(t, published({"key": "count.trillion_clusters", "value": "4", "unit": "count",
                                     "definition": "lower bound (list ends with 'etc.')"}))
    assert row["realized_status"] == NOT_PUBLISHED


def test_a_differing_definition_is_flagged_and_not_judged():
    definition = "official grouping: new-generation IT including software counts once"
    t = target("range", "Clusters|Trillion-yuan", "count", low=4, high=5)
    row = realized_row(t, published({"key": "count.trillion_clusters", "value": "3", "unit": "count",
                                     "definition": definition}))
    assert row["realized_status"] == NOT_PUBLISHED and row["realized_value"] == 3
    assert "differs" in row["realized_note"] and definition in row["realized_note"]


# ---------------------------------------------------------------- rank
RANK = target("rank", "Value Added|Finance", "100 million CNY",
              among=["Value Added|Finance", "Value Added|ICT Services", "Value Added|Construction"])


def level(key: str, value: float, **more) -> dict:
    return {"key": key, "value": str(value), **more}


def test_rank_is_missed_when_one_published_other_sector_is_larger():
    row = realized_row(RANK, published(level("va.finance", 8668.2), level("va.ict", 12192.4)))
    assert row["realized_status"] == MISSED            # construction not published: ICT alone decides
    assert "ICT" in row["realized_note"]


def test_rank_is_not_decided_while_an_other_sector_is_missing():
    row = realized_row(RANK, published(level("va.finance", 9000), level("va.ict", 8000)))
    assert row["realized_status"] == NOT_PUBLISHED
    assert "Value Added|Construction" in row["realized_note"]


def test_rank_is_met_when_every_other_sector_is_published_and_smaller():
    row = realized_row(RANK, published(level("va.finance", 9000), level("va.ict", 8000),
                                       level("va.construction", 1500)))
    assert row["realized_status"] == MET


def test_rank_compares_levels_within_one_census_basis():
    other_basis = level("va.ict", 12000, year="2023", vintage="preliminary: 2023 communique, Mar 2024",
                        census_basis="4th")
    row = realized_row(target("rank", "Value Added|Finance", "100 million CNY", year=2023,
                              among=["Value Added|Finance", "Value Added|ICT Services"]),
                       published(level("va.finance", 8000, year="2023", status="revised",
                                       vintage="revised: 5th census results, Mar 2025"), other_basis))
    assert row["realized_status"] == NOT_PUBLISHED


def test_not_modelled_target_is_not_published():
    t = parse_targets([{"id": "n", "description": "d", **SOURCE, "unit": "count", "comparator": "not_modelled",
                        "value": 500}])[0]
    assert realized_row(t, published({}))["realized_status"] == NOT_PUBLISHED


# ---------------------------------------------------------------- the scorecard and the shipped data
def tidy(values: dict[str, float], year=2025) -> pd.DataFrame:
    return pd.DataFrame([{"model": "m", "scenario": "s", "region": "r", "variable": v, "unit": "u", "year": year,
                          "value": x} for v, x in values.items()])


def test_realized_columns_are_appended_after_the_existing_ones():
    card = with_realized(evaluate(tidy({SOFTWARE.variable: 25000}), [SOFTWARE]), [SOFTWARE],
                         published({"value": "31000"}))
    assert tuple(card.columns) == SCORECARD_COLUMNS + RECORD_COLUMNS
    assert card.loc[0, "status"] == MISSED and card.loc[0, "realized_status"] == MET


def test_shipped_outcomes_score_the_first_pillar_and_the_cluster_count_on_the_plans_grouping():
    rows = {t.id: realized_row(t, rz.realized_table()) for t in load_targets()}
    assert rows["finance_first_pillar"]["realized_status"] == MISSED      # ICT 2025 above finance
    # the official count (3: new-generation IT including software once, sci-tech services, medicine and
    # health) is on the grouping the model counts, so it judges the 4-5 target
    assert rows["trillion_clusters"]["realized_status"] == MISSED
    assert rows["trillion_clusters"]["realized_value"] == 3
    assert {r["realized_status"] for r in rows.values()} <= {MET, MISSED, NOT_PUBLISHED}


# ---------------------------------------------------------------- comparison, summary, figure
def stacked_cards() -> pd.DataFrame:
    from model.output.comparison import stack
    targets = load_targets()
    cards = {}
    for name, x in (("low", 20000.0), ("high", 40000.0)):
        values = {v: x for t in targets if t.modelled for v in t.variables}
        cards[name] = with_realized(evaluate(tidy(values), targets), targets)
    return stack(cards)


def test_realized_matrix_holds_projected_and_realized_status_per_target():
    from model.output.comparison import realized_matrix
    m = realized_matrix(stacked_cards())
    assert m["target"].tolist() == [t.id for t in load_targets()]
    assert {"projected (low)", "projected (high)", "realized_status", "realized_value"} <= set(m.columns)
    m = m.set_index("target")
    assert m.loc["software_revenue", "projected (low)"] == MISSED
    assert m.loc["software_revenue", "projected (high)"] == MET
    assert m.loc["finance_first_pillar", "realized_status"] == MISSED


def test_summary_shows_what_happened_beside_every_target():
    from model.output.comparison import summary_markdown
    text = summary_markdown(stacked_cards(), {}, {})
    part = text.split("\n## Targets\n")[1].split("\n## ")[0]        # scorecards without a set name
    assert "| target | target value | happened | 1 | 2 |" in part and "Scenarios by number: 1 high, 2 low." in part
    for t in load_targets():
        assert f"`{t.id}`" in part
    assert "| `finance_first_pillar` | largest 100m CNY | ✗ 8,668 | ✓ | ✓ |" in part
    assert "| `software_revenue` | ≥ 30,000 100m CNY | ✓ ≥30,000 | ✓ | ✗ |" in part      # over 30,000: a lower bound


def test_matrix_figure_has_a_published_row():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from model.output.plots import PUBLISHED_ROW, plot_scorecard_matrix
    fig, ax = plt.subplots()
    plot_scorecard_matrix(stacked_cards(), ax=ax)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    plt.close(fig)
    assert labels == ["high", "low", PUBLISHED_ROW]


# ---------------------------------------------------------------- the realized-path scenario: tests/test_record.py
def test_one_near_zero_year_among_percent_rates_draws_no_fraction_warning(write_yaml):
    from model.scenario.loader import load_scenario
    s = load_scenario(write_yaml("growth:\n  other_services: {2022: 0.13, 2023: 2.81}\n"))
    assert not [w for w in s.warnings if "fractions" in w.message]


def test_an_entry_of_fraction_sized_rates_still_warns_on_each_year(write_yaml):
    from model.scenario.loader import load_scenario
    s = load_scenario(write_yaml("growth:\n  ict: {2022: 0.05, 2023: 0.06}\n"))
    assert [w.line for w in s.warnings if "fractions" in w.message] == [2, 2]

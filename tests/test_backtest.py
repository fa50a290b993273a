"""The backtest: like-for-like comparison across the census break, metrics, naive forecasts."""
from types import SimpleNamespace

import matplotlib
import numpy as np
import pandas as pd
import pytest

from model.analysis import backtest, naive
from model.analysis.naive import NAIVE_FROZEN_SHARES, NAIVE_SECTOR_AVERAGE
from model.baseline.data import Figure, Figures, figures
from model.baseline.realized import REALIZED_FILE_COLUMNS
from model.core.sectors import INDEX, N_SECTORS
from model.projection.results import series, timeseries

matplotlib.use("Agg")


def toy_projection(rate: float = 0.05, name: str = "toy") -> pd.DataFrame:
    """Ten sectors of 10 in 2020 all growing at ``rate``, prices flat: each share is 10 %,
    finance is 10 (1 + rate)^(y - 2020), real GDP grows at ``rate``."""
    base = SimpleNamespace(va_2020=np.full(N_SECTORS, 10.0), trend_deflator=0.0,
                           hightech_weights=np.zeros(N_SECTORS), new_economy_weights=np.zeros(N_SECTORS))
    return timeseries(naive.constant_projection(base, np.full(N_SECTORS, rate), 2025), name)


def realized_rows(*rows) -> pd.DataFrame:
    """Rows ``(key, year, value, basis, vintage[, period[, definition]])`` with dummy provenance."""
    out = []
    for r in rows:
        key, year, value, basis, vintage = r[:5]
        period = r[5] if len(r) > 5 else "annual"
        definition = r[6] if len(r) > 6 else "same"
        out.append({"key": key, "year": year, "period": period, "value": value,
                    "unit": "%" if key.startswith(("growth", "share")) else "100 million CNY",
                    "publisher": "BMBS", "document": "communique", "url": "https://example.org",
                    "vintage": vintage, "note": "", "census_basis": basis, "status": "preliminary",
                    "definition": definition})
    return pd.DataFrame(out, columns=REALIZED_FILE_COLUMNS)


REALIZED = realized_rows(
    ("growth.gdp", 2021, 6.0, "4th", "preliminary, Mar 2022"),
    ("growth.gdp", 2021, 5.5, "5th", "revised, Mar 2025"),      # a later release of the same year's rate
    ("growth.gdp", 2022, 3.0, "4th", "preliminary, Mar 2023"),
    ("growth.gdp", 2023, 4.0, "4th", "preliminary, Jan 2024"),
    ("growth.gdp", 2024, 5.0, "5th", "preliminary, Mar 2025"),
    ("growth.gdp", 2025, 6.0, "5th", "preliminary, Jan 2026"),
    ("growth.gdp", 2025, 9.9, "5th", "preliminary, Jul 2025", "H1"),   # partial year: ignored
    ("va.finance", 2021, 10.5, "4th", "Mar 2022"),
    ("va.finance", 2023, 12.0, "4th", "Jan 2024"),
    ("va.finance", 2023, 13.2, "5th", "Dec 2024"),               # the overlap year, both bases
    ("va.finance", 2024, 13.0, "5th", "Mar 2025"),
    ("share.finance", 2023, 10.0, "4th", "Jan 2024"),
    ("share.finance", 2023, 11.0, "5th", "Dec 2024"),
    ("share.finance", 2025, 12.0, "5th", "Jan 2026"),
    ("share.ict", 2024, 9.0, "5th", "Mar 2025"),                 # no overlap year
    ("share.ict", 2025, 9.5, "5th", "Jan 2026"),
    ("va.digital_economy", 2024, 20000.0, "5th", "Mar 2025"),    # no model counterpart
    ("share.hightech", 2025, 35.0, "5th", "Jan 2026", "annual", "narrower scope"),
)


@pytest.fixture(scope="module")
def table():
    return backtest.compare(toy_projection(), REALIZED).set_index(["series", "year"])


# ---------------------------------------------------------------- like for like
def test_growth_compared_as_published_across_the_break(table):
    assert table.loc[("growth.gdp", 2024), "projected"] == pytest.approx(5.0)
    assert table.loc[("growth.gdp", 2024), "error"] == pytest.approx(0.0)
    assert table.loc[("growth.gdp", 2024), "census_basis"] == "5th"
    assert "as published" in table.loc[("growth.gdp", 2024), "method"]


def test_latest_release_of_a_rate_is_used(table):
    row = table.loc[("growth.gdp", 2021)]
    assert row["realized"] == 5.5 and row["error"] == pytest.approx(-0.5)
    assert row["vintage"] == "revised, Mar 2025"


def test_partial_year_and_unmodelled_series_are_left_out(table):
    assert table.loc[("growth.gdp", 2025), "realized"] == 6.0
    assert "va.digital_economy" not in table.index.get_level_values("series")


def test_level_on_the_model_basis_is_compared_directly(table):
    row = table.loc[("va.finance", 2021)]
    assert row["projected"] == pytest.approx(10.5) and row["error"] == pytest.approx(0.0)
    assert row["census_basis"] == "4th" and "4th-census basis" in row["method"]
    # 2023 exists on both bases: the model's basis is used
    assert table.loc[("va.finance", 2023), "realized"] == 12.0


def test_level_on_the_revised_basis_is_ratio_linked_through_the_overlap_year(table):
    row = table.loc[("va.finance", 2024)]
    factor = 13.2 / 12.0
    assert row["projected"] == pytest.approx(10 * 1.05 ** 4 * factor)
    assert row["error"] == pytest.approx(10 * 1.05 ** 4 * 1.1 - 13.0)
    assert row["percent_error"] == pytest.approx(100 * (10 * 1.05 ** 4 * 1.1 - 13.0) / 13.0)
    assert row["census_basis"] == "5th" and "ratio-linked" in row["method"] and "2023" in row["method"]


def test_share_is_ratio_linked_too(table):
    row = table.loc[("share.finance", 2025)]
    assert row["projected"] == pytest.approx(10.0 * 11.0 / 10.0)
    assert row["error"] == pytest.approx(-1.0)


def test_without_overlap_the_change_within_the_vintage_is_compared(table):
    row = table.loc[("share.ict", 2025)]
    assert row["measure"] == "share change" and row["unit"] == "pp"
    assert row["realized"] == pytest.approx(0.5) and row["projected"] == pytest.approx(0.0)
    assert "within the 5th-census vintage" in row["method"]
    first = table.loc[("share.ict", 2024)]
    assert np.isnan(first["projected"]) and first["method"].startswith("not comparable")


def test_shares_are_derived_from_levels_of_one_release():
    realized = realized_rows(("va.gdp", 2025, 200.0, "5th", "Jan 2026"), ("va.finance", 2025, 30.0, "5th", "Jan 2026"),
                             ("va.ict", 2025, 40.0, "5th", "Mar 2026"),             # another release: no share
                             ("va.gdp", 2024, 180.0, "5th", "Mar 2025"), ("va.finance", 2024, 36.0, "5th", "Mar 2025"),
                             ("share.finance", 2024, 19.0, "5th", "Mar 2025"))     # published: kept, not derived
    out = backtest.derive_shares(realized)
    derived = out[out["status"] == "derived"]
    assert derived[["key", "year", "value"]].values.tolist() == [["share.finance", 2025, 15.0]]
    assert out[(out["key"] == "share.finance") & (out["year"] == 2024)]["value"].tolist() == [19.0]


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match=r"missing columns \['census_basis', 'status', 'definition'\]"):
        backtest.compare(toy_projection(), REALIZED.drop(columns=["census_basis", "status", "definition"]))


# ---------------------------------------------------------------- metrics
def test_mae_and_bias_by_hand():
    assert backtest.mae_and_bias(np.array([1.0, -3.0, np.nan])) == (2.0, -1.0)
    assert all(np.isnan(backtest.mae_and_bias(np.array([]))))


def test_summary_metrics_by_hand():
    m = backtest.summary_metrics(backtest.compare(toy_projection(), REALIZED))
    get = m.set_index(["metric", "series", "years"])["value"]
    # errors 2021-2025: -0.5, 2, 1, 0, -1
    assert get[("MAE", "growth.gdp", "2021-2025")] == pytest.approx(0.9)
    assert get[("bias", "growth.gdp", "2021-2025")] == pytest.approx(0.3)
    assert get[("MAE", "growth.gdp", "2023-2025")] == pytest.approx(2 / 3)
    assert get[("bias", "growth.gdp", "2023-2025")] == pytest.approx(0.0)
    assert get[("error", "share.finance", "2025")] == pytest.approx(-1.0)
    # a figure of another definition (high-tech, narrower scope) does not enter
    assert ("error", "share.hightech", "2025") not in get.index
    # overall: the growth errors and the share change of ICT in 2025 (-0.5)
    assert get[("MAE", "all rates and changes", "2021-2025")] == pytest.approx((0.5 + 2 + 1 + 0 + 1 + 0.5) / 6)
    # levels and shares in percent: finance 2021 (0), 2023 (4th basis), 2024 (ratio-linked);
    # finance share 2023 (4th basis, 0) and 2025 (ratio-linked)
    finance = [0.0, 100 * (10 * 1.05 ** 3 - 12) / 12, 100 * (10 * 1.05 ** 4 * 1.1 - 13) / 13, 0.0, 100 * -1 / 12]
    assert get[("MAPE", "all levels, shares and counts", "2021-2025")] == pytest.approx(np.mean(np.abs(finance)))


def test_revenue_metrics_by_hand():
    proj = toy_projection()
    level = series(proj, "Revenue|Software and Information Services")
    realized = realized_rows(("revenue.software_info", 2021, level[2021] / 1.1, "4th", "Mar 2022"),
                             ("revenue.software_info", 2022, level[2022] / 0.8, "4th", "Mar 2023"))
    get = backtest.summary_metrics(backtest.compare(proj, realized)).set_index(["metric", "series", "years"])["value"]
    assert get[("MAPE", "revenue.software_info", "2021-2022")] == pytest.approx((10 + 20) / 2)
    assert get[("percent error", "revenue.software_info", "2022")] == pytest.approx(-20)


def test_verdicts_compare_absolute_values():
    m = pd.DataFrame([("new", "MAE", "growth.gdp", "2023-2025", 0.5), ("old", "MAE", "growth.gdp", "2023-2025", 2.0),
                      ("new", "error", "share.ict", "2025", -3.0), ("old", "error", "share.ict", "2025", 1.0)],
                     columns=["scenario", "metric", "series", "years", "value"])
    v = backtest.verdicts(m, "new", ["old", "absent"], [("MAE", "growth.gdp", "2023-2025"),
                                                         ("error", "share.ict", "2025")])
    assert v.loc[(v["series"] == "growth.gdp") & (v["rival"] == "old"), "wins"].item() is True
    assert v.loc[(v["series"] == "share.ict") & (v["rival"] == "old"), "wins"].item() is False
    assert v.loc[v["rival"] == "absent", "wins"].isna().all()


# ---------------------------------------------------------------- naive forecasts
def _figures(rows) -> Figures:
    return Figures(tuple(Figure(k, y, p, v, "%", "p", "d", "https://x", "v", "n") for k, y, v, p in rows))


def test_sector_averages_use_own_series_else_the_narrowest_group():
    fig = _figures([("growth.gdp", 2016, 6.0, "annual"), ("growth.primary", 2017, -4.0, "annual"),
                    ("growth.secondary", 2016, 4.0, "annual"), ("growth.secondary", 2017, 6.0, "annual"),
                    ("growth.tertiary", 2018, 7.0, "annual"), ("growth.industry_abovesize", 2015, 1.0, "annual"),
                    ("growth.industry_abovesize", 2017, 5.0, "annual"), ("growth.mfg_hightech", 2019, 9.0, "annual"),
                    ("growth.ict", 2018, 18.0, "Q1-Q3"), ("growth.ict", 2019, 14.0, "H1"),
                    ("growth.ict", 2020, 99.0, "annual"),             # outside the window
                    ("growth.finance", 2019, 8.0, "H1"), ("growth.scitech", 2019, 8.5, "H1")])
    rates, how = naive.sector_average_growth(fig)
    expected = {"agriculture": -4.0, "mfg_hightech": 9.0, "mfg_other": 3.0, "mining_utilities": 3.0,
                "construction": 5.0, "finance": 8.0, "ict": 16.0, "scitech": 8.5, "wholesale_retail": 7.0,
                "other_services": 7.0}
    for k, v in expected.items():
        assert 100 * rates[INDEX[k]] == pytest.approx(v), k
    assert {h["sector"]: h["series"] for h in how}["mfg_other"] == "growth.industry_abovesize"


def test_naive_forecasts_reproduce_their_definitions(baseline):
    fig = figures()
    table = naive.naive_forecasts(baseline, fig)
    frozen = table[table["scenario"] == NAIVE_FROZEN_SHARES]
    average = table[table["scenario"] == NAIVE_SECTOR_AVERAGE]
    gdp_mean = np.mean([fig.value("growth.gdp", y) for y in range(2015, 2020)])
    assert series(frozen, "Growth|Real GDP").dropna().to_numpy() == pytest.approx(np.full(5, gdp_mean))
    shares_2020 = 100 * baseline.va_2020 / baseline.va_2020.sum()
    for var, key in (("Share of GDP|Finance", "finance"), ("Share of GDP|ICT Services", "ict")):
        assert series(frozen, var).to_numpy() == pytest.approx(np.full(6, shares_2020[INDEX[key]]))
    rates, _ = naive.sector_average_growth(fig)
    ict = series(average, "Real Value Added|ICT Services").to_numpy()
    assert ict[1:] / ict[:-1] - 1 == pytest.approx(np.full(5, rates[INDEX["ict"]]))


def test_groups_are_sums_of_their_sectors(baseline):
    from model.projection.simulate import project
    from model.scenario.loader import scenario_from_dict
    p = project(scenario_from_dict({"growth": {"construction": 2, "mfg_other": 9}}, "g.yaml"), baseline)
    proj = timeseries(p, "g")
    s = backtest.series_for("growth.secondary")
    real = p.va_real[:, [INDEX[k] for k in ("mfg_hightech", "mfg_other", "mining_utilities", "construction")]].sum(1)
    assert backtest.projected_values(proj, s).loc[2022:].to_numpy() == pytest.approx(100 * (real[2:] / real[1:-1] - 1))
    share = backtest.projected_values(proj, backtest.series_for("share.tertiary"))
    tertiary = p.va_nominal[:, [INDEX[k] for k in ("finance", "ict", "scitech", "wholesale_retail", "other_services")]]
    assert share.to_numpy() == pytest.approx(100 * tertiary.sum(1) / p.va_nominal.sum(1))
    assert backtest.series_for("va.digital_economy") is None
    assert backtest.series_for("count.trillion_clusters").measure == "count"


def test_base_year_and_partial_year_figures_are_not_compared():
    realized = realized_rows(("va.gdp", 2020, 99.0, "4th", "revised, Jan 2022"),
                             ("va.gdp", 2021, 105.0, "4th", "Jul 2021", "H1"),
                             ("count.trillion_clusters", 2025, 3.0, "5th", "Jan 2026"))
    table = backtest.compare(toy_projection(), realized)
    assert table["series"].tolist() == ["count.trillion_clusters"]
    assert table["method"].item() == "count as published"


# ---------------------------------------------------------------- approximate: revision proportional to GDP
# GDP on both bases in 2023 (factor 1.1); sectors only on the 5th basis, with no year before on it.
PROPORTIONAL = realized_rows(
    ("va.gdp", 2023, 100.0, "4th", "preliminary, Jan 2024"),
    ("va.gdp", 2023, 110.0, "5th", "revised, Mar 2025"),
    ("share.ict", 2025, 12.0, "5th", "preliminary, Jan 2026"),
    ("va.ict", 2025, 14.0, "5th", "preliminary, Jan 2026"),
    ("revenue.software_info", 2025, 50.0, "5th", "preliminary, Jan 2026"),
    ("growth.gdp", 2025, 6.0, "5th", "preliminary, Jan 2026"),
)


def test_share_without_sector_overlap_is_compared_as_unchanged_by_a_proportional_revision():
    table = backtest.compare(toy_projection(), PROPORTIONAL).set_index(["series", "year"])
    row = table.loc[("share.ict", 2025)]
    assert row["projected"] == pytest.approx(10.0)          # the toy's share, not rescaled
    assert row["error"] == pytest.approx(-2.0)
    assert row["approximate"] and row["method"].startswith(backtest.APPROXIMATE)
    assert row["census_basis"] == "5th"


def test_level_without_sector_overlap_is_linked_with_gdps_factor():
    table = backtest.compare(toy_projection(), PROPORTIONAL).set_index(["series", "year"])
    row = table.loc[("va.ict", 2025)]
    assert row["projected"] == pytest.approx(10 * 1.05 ** 5 * 1.1)
    assert row["approximate"] and "1.1000" in row["method"] and "2023" in row["method"]


def test_revenues_and_like_for_like_rows_are_never_approximate():
    table = backtest.compare(toy_projection(), PROPORTIONAL).set_index(["series", "year"])
    revenue = table.loc[("revenue.software_info", 2025)]
    assert not revenue["approximate"] and np.isnan(revenue["projected"])
    assert revenue["method"].startswith("not comparable")
    assert not table.loc[("growth.gdp", 2025), "approximate"]
    assert not table.loc[("va.gdp", 2023), "approximate"]
    like_for_like = backtest.compare(toy_projection(), REALIZED)
    assert not like_for_like["approximate"].any()


def test_without_gdp_on_both_bases_nothing_is_approximated():
    only_new = PROPORTIONAL[~((PROPORTIONAL["key"] == "va.gdp") & (PROPORTIONAL["census_basis"] == "4th"))]
    row = backtest.compare(toy_projection(), only_new).set_index(["series", "year"]).loc[("share.ict", 2025)]
    assert np.isnan(row["projected"]) and not row["approximate"]


def test_metrics_flag_approximate_shares_and_keep_them_out_of_the_overall_metrics():
    m = backtest.summary_metrics(backtest.compare(toy_projection(), PROPORTIONAL))
    share = m[(m["metric"] == "error") & (m["series"] == "share.ict")]
    assert share["value"].item() == pytest.approx(-2.0)
    assert share["note"].item() == backtest.APPROXIMATE_NOTE
    overall = m[m["series"] == "all levels, shares and counts"]
    # only va.gdp 2023 (4th basis, like for like) enters: the toy's GDP 100 * 1.05^3 against 100
    assert overall["n"].item() == 1
    assert overall["value"].item() == pytest.approx(100 * (100 * 1.05 ** 3 - 100) / 100)


def test_verdicts_of_the_batch_name_only_rivals_that_ran_and_carry_the_note():
    m = backtest.summary_metrics(pd.concat([backtest.compare(toy_projection(0.05, "baseline"), PROPORTIONAL),
                                            backtest.compare(toy_projection(0.02, "rival"), PROPORTIONAL)]))
    v = backtest.batch_verdicts(m, ["rival", "absent"])
    assert set(v["rival"]) == {"rival"}
    ict = v[v["series"] == "share.ict"]
    assert ict["note"].item() == backtest.APPROXIMATE_NOTE
    assert ict["wins"].item() is False        # every share is 10 % in both toys: a tie is no win
    gdp = v[(v["series"] == "growth.gdp") & (v["years"] == "2023-2025")]
    assert gdp["wins"].item() is True         # 2025 growth 6 %: errors -1 (5 %) against -4 (2 %)
    assert backtest.batch_verdicts(m[m["scenario"] != "baseline"], ["rival"]).empty


# ---------------------------------------------------------------- realized points, summary table, batch
def test_realized_points_are_black_and_marked_by_census_basis():
    import matplotlib.pyplot as plt

    from model.output.plots import plot_by_scenario
    proj = toy_projection()
    realized = pd.DataFrame({"model": "Beijing Statistics", "scenario": ["realized", "realized (5th census)"],
                             "region": "Beijing", "variable": "Share of GDP|Finance", "unit": "%",
                             "year": [2021, 2025], "value": [10.5, 12.0]})
    fig, ax = plt.subplots()
    try:
        plot_by_scenario(proj, "Share of GDP|Finance", ax=ax, realized=realized)
        points = {tuple(c.get_offsets()[0]): c for c in ax.collections}
        assert set(points) == {(2021.0, 10.5), (2025.0, 12.0)}
        assert all(tuple(c.get_facecolor()[0][:3]) == (0, 0, 0) for c in points.values())
        paths = {k: len(c.get_paths()[0].vertices) for k, c in points.items()}
        assert paths[(2021.0, 10.5)] != paths[(2025.0, 12.0)]     # circle and square differ
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels == ["realized, 4th-census basis", "realized, 5th-census basis"]
        assert {t.get_text() for t in ax.texts} >= {"10.5", "12.0"}
    finally:
        plt.close(fig)


def test_derived_shares_join_the_realized_rows_by_basis():
    from model.core.iamc import STATISTICS_MODEL
    frame = realized_rows(("va.gdp", 2025, 200.0, "5th", "preliminary, Jan 2026"),
                          ("va.finance", 2025, 30.0, "5th", "preliminary, Jan 2026"),
                          ("va.gdp", 2021, 100.0, "4th", "preliminary, Mar 2022"),
                          ("va.finance", 2021, 20.0, "4th", "preliminary, Mar 2022"),
                          ("share.finance", 2021, 19.0, "4th", "preliminary, Mar 2022"))
    rows = pd.DataFrame({"model": STATISTICS_MODEL, "scenario": ["realized"], "region": "Beijing",
                         "variable": "Share of GDP|Finance", "unit": "%", "year": [2021], "value": [19.0]})
    out = backtest.with_derived_shares(rows, frame).set_index(["scenario", "year"])["value"]
    assert out[("realized (5th census)", 2025)] == pytest.approx(15.0)
    assert out[("realized", 2021)] == pytest.approx(19.0)          # the published share, not 20 % derived
    assert len(out) == 2


def test_summary_shows_the_backtest_table():
    from model.output.comparison import summary_markdown
    m = backtest.summary_metrics(pd.concat([backtest.compare(toy_projection(0.05, "baseline"), PROPORTIONAL),
                                            backtest.compare(toy_projection(0.02, NAIVE_FROZEN_SHARES),
                                                             PROPORTIONAL)]))
    stacked = pd.DataFrame({"scenario": ["baseline"], "target": ["t"], "status": ["met"]})
    text = summary_markdown(stacked, {}, {}, {}, m)
    table = text[text.index("## Backtest"):].splitlines()
    assert table[2] == f"| metric | baseline | {NAIVE_FROZEN_SHARES} |"
    row = next(line for line in table if line.startswith("| real GDP growth 2023-2025"))
    assert row.endswith("| 1.00 | 4.00 |")          # errors -1 and -4 in 2025, the only year
    ict = next(line for line in table if line.startswith("| ICT share"))
    assert ict.endswith("| -2.00 | -2.00 |")
    assert "approximate" in text[text.index("## Backtest"):]
    assert "## Backtest" not in summary_markdown(stacked, {}, {}, {})

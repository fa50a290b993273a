"""The backtest: two evaluations, each inside one census vintage; metrics; naive forecasts and benchmarks."""
from types import SimpleNamespace

import matplotlib
import numpy as np
import pandas as pd
import pytest

from model.analysis import backtest, backtest_metrics, backtest_series, naive
from model.analysis.backtest import LATEST, REAL_TIME
from model.analysis.naive import NAIVE_FLAT_2019, NAIVE_FROZEN_SHARES, NAIVE_SECTOR_AVERAGE
from model.baseline.data import Figure, Figures, figures
from model.baseline.realized import REALIZED_FILE_COLUMNS
from model.baseline.vintage import Bridges
from model.core.iamc import SCENARIO_4TH, SCENARIO_5TH
from model.core.sectors import GROUPS, INDEX, KEYS, N_SECTORS
from model.projection.results import series, timeseries

matplotlib.use("Agg")

# Sector growth of the toy: every sector different, so that bridges move shares and group growth.
RATES = np.linspace(0.02, 0.11, N_SECTORS)


def toy_projection(rate=0.05, name: str = "toy", va_2020=None) -> pd.DataFrame:
    """Ten sectors of 10 in 2020 (or ``va_2020``) growing at ``rate`` (a number or one per sector), prices
    flat: with one rate each share is 10 %, finance is 10 (1 + rate)^(y - 2020), real GDP grows at ``rate``."""
    base = SimpleNamespace(va_2020=np.full(N_SECTORS, 10.0) if va_2020 is None else np.asarray(va_2020),
                           trend_deflator=0.0,
                           hightech_weights=np.zeros(N_SECTORS), new_economy_weights=np.zeros(N_SECTORS))
    rates = np.broadcast_to(np.asarray(rate, dtype=float), (N_SECTORS,))
    return timeseries(naive.constant_projection(base, rates, 2025), name)


def toy_bridges(width: float = 0.03) -> Bridges:
    """Finance restated down, ICT up, every other sector by 5 %; each within +/- ``width``."""
    f = np.full(N_SECTORS, 1.05)
    f[INDEX["finance"]], f[INDEX["ict"]] = 0.9, 1.1
    return Bridges(f, f * (1 - width), f * (1 + width), ())


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
    ("growth.gdp", 2021, 5.5, "4th", "revised, Dec 2022"),       # a later release of the same year's rate
    ("growth.gdp", 2022, 3.0, "4th", "preliminary, Mar 2023"),
    ("growth.gdp", 2023, 4.0, "4th", "preliminary, Jan 2024"),
    ("growth.gdp", 2024, 5.0, "5th", "preliminary, Mar 2025"),
    ("growth.gdp", 2025, 6.0, "5th", "preliminary, Jan 2026"),
    ("growth.gdp", 2025, 9.9, "5th", "preliminary, Jul 2025", "H1"),   # partial year of a year with an annual
    ("growth.ict", 2024, 12.0, "4th", "preliminary, Apr 2024", "Q1"),
    ("growth.ict", 2024, 11.0, "4th", "preliminary, Oct 2024", "Q1-Q3"),  # the longest period: used
    ("va.ict", 2022, 5.0, "4th", "preliminary, Oct 2022", "Q1-Q3"),
    ("va.ict", 2024, 6.0, "4th", "preliminary, Oct 2024", "Q1-Q3"),
    ("va.gdp", 2024, 50.0, "4th", "preliminary, Jul 2024", "H1"),
    ("va.finance", 2024, 6.0, "4th", "preliminary, Jul 2024", "H1"),    # share of H1: 12 %
    ("va.finance", 2021, 10.5, "4th", "Mar 2022"),
    ("va.finance", 2025, 13.0, "5th", "Jan 2026"),
    ("va.gdp", 2025, 130.0, "5th", "Jan 2026"),                  # finance share 2025: 10 %
    ("share.ict", 2023, 10.0, "4th", "Jan 2024"),
    ("growth5y.gdp", 2025, 5.2, "5th", "revised, Jan 2026"),
    ("va.digital_economy", 2024, 20000.0, "5th", "Mar 2025"),    # no model counterpart
    ("share.hightech", 2025, 35.0, "5th", "Jan 2026", "annual", "narrower scope"),
)


def one_row(table: pd.DataFrame, key: tuple) -> pd.Series:
    """The one row of ``table`` under the full index ``key`` (the index is not unique as a whole, where
    pandas' ``.loc`` returns a frame or a row by version)."""
    hit = table.loc[[key]]
    assert len(hit) == 1, (key, len(hit))
    return hit.iloc[0]


@pytest.fixture(scope="module")
def table():
    table = backtest.compare(toy_projection(), REALIZED, toy_bridges())
    return table.set_index(["evaluation", "series", "year"]).sort_index()


# ---------------------------------------------------------------- one vintage at a time
def test_the_real_time_evaluation_reads_no_fifth_census_row():
    real_time = backtest.compare_real_time(toy_projection(), REALIZED)
    fifth = REALIZED["census_basis"] == "5th"
    changed = REALIZED.assign(value=np.where(fifth, REALIZED["value"] * 7 + 1, REALIZED["value"]))
    pd.testing.assert_frame_equal(backtest.compare_real_time(toy_projection(), changed), real_time)
    pd.testing.assert_frame_equal(backtest.compare_real_time(toy_projection(), REALIZED[~fifth]), real_time)
    assert set(real_time["census_basis"]) == {"4th"} and set(real_time["evaluation"]) == {REAL_TIME}


def test_the_latest_evaluation_reads_no_fourth_census_row_but_through_the_bridges():
    latest = backtest.compare_latest(toy_projection(), REALIZED, toy_bridges())
    fourth = REALIZED["census_basis"] == "4th"
    changed = REALIZED.assign(value=np.where(fourth, REALIZED["value"] * 7 + 1, REALIZED["value"]))
    pd.testing.assert_frame_equal(backtest.compare_latest(toy_projection(), changed, toy_bridges()), latest)
    pd.testing.assert_frame_equal(backtest.compare_latest(toy_projection(), REALIZED[~fourth], toy_bridges()), latest)
    assert set(latest["census_basis"]) == {"5th"} and set(latest["evaluation"]) == {LATEST}
    # the bridges are what carries the 4th-census record: other bridges, other projections
    other = backtest.compare_latest(toy_projection(), REALIZED, Bridges(np.ones(N_SECTORS), np.ones(N_SECTORS),
                                                                        np.ones(N_SECTORS), ()))
    assert not np.allclose(other["projected"], latest["projected"], equal_nan=True)


def test_a_projection_on_the_fifth_census_basis_is_bridged_once_in_each_evaluation():
    """The same economy with its 2020 base restated (a scenario's census: 5th) compares as the 4th-census
    projection does: as it is in the latest evaluation, divided by the bridges in the real-time one."""
    bridges = toy_bridges()
    fourth = backtest.compare(toy_projection(RATES), REALIZED, bridges)
    fifth = backtest.compare(toy_projection(RATES, va_2020=10.0 * bridges.factors), REALIZED, bridges, basis="5th")
    value_added = ~fourth["series"].str.startswith(("share.hightech", "revenue.", "count."))
    for column in ("projected", "error", "error_bridge_low", "error_bridge_high"):
        assert fifth.loc[value_added, column].to_numpy() == pytest.approx(fourth.loc[value_added, column].to_numpy(),
                                                                         nan_ok=True), column
    assert "own 5th-census basis" in fifth.loc[(fifth["evaluation"] == LATEST)
                                               & (fifth["series"] == "va.finance"), "method"].item()
    assert "/ its 2020 census bridge" in fifth.loc[(fifth["evaluation"] == REAL_TIME) & (fifth["year"] == 2021)
                                                   & (fifth["series"] == "va.finance"), "method"].item()


def test_a_projection_equal_to_the_record_scores_zero_in_each_vintage():
    proj, bridges = toy_projection(RATES), toy_bridges()
    lv = backtest_series.levels_of(proj)
    b = bridges.factors
    nominal, real = lv.nominal.to_numpy(), lv.real.to_numpy()
    rows = [("growth.gdp", y, 100 * (real[y - 2020].sum() / real[y - 2021].sum() - 1), "4th", "Mar 2024")
            for y in (2021, 2022, 2023)]
    rows += [("va.finance", 2021, nominal[1, INDEX["finance"]], "4th", "Mar 2022"),
             ("share.ict", 2023, 100 * nominal[3, INDEX["ict"]] / nominal[3].sum(), "4th", "Jan 2024"),
             ("growth.ict", 2024, 100 * (real[4, INDEX["ict"]] / real[3, INDEX["ict"]] - 1), "4th", "Oct 2024",
              "Q1-Q3"),
             ("va.ict", 2022, 5.0, "4th", "Oct 2022", "Q1-Q3"),
             ("va.ict", 2024, 5.0 * nominal[4, INDEX["ict"]] / nominal[2, INDEX["ict"]], "4th", "Oct 2024", "Q1-Q3")]
    bridged, bridged_real = nominal * b, real * b
    rows += [("va.gdp", y, bridged[y - 2020].sum(), "5th", "Jan 2026") for y in range(2021, 2026)]
    rows += [("va.finance", 2025, bridged[5, INDEX["finance"]], "5th", "Jan 2026"),
             ("growth.tertiary", 2025, 100 * (bridged_real[5, [INDEX[k] for k in GROUPS["tertiary"]]].sum()
                                             / bridged_real[4, [INDEX[k] for k in GROUPS["tertiary"]]].sum() - 1),
              "5th", "Jan 2026"),
             ("growth5y.gdp", 2025, 100 * ((bridged_real[5].sum() / bridged_real[0].sum()) ** 0.2 - 1), "5th",
              "Jan 2026")]
    table = backtest.compare(proj, realized_rows(*rows), bridges)
    compared = table[table["projected"].notna()]
    assert set(compared["evaluation"]) == {REAL_TIME, LATEST}
    # every row but the Q1-Q3 2022 level, which only starts a change; with the finance share 2025 derived
    # from the levels of its release and its change from 2020
    assert len(compared) == 17
    assert compared["error"].to_numpy() == pytest.approx(np.zeros(len(compared)), abs=1e-9)
    metrics = backtest_metrics.summary_metrics(table)
    errors = metrics[metrics["metric"].isin(("MAE", "bias", "MAPE", "error"))]
    assert set(errors["evaluation"]) == {REAL_TIME, LATEST}
    assert errors["value"].to_numpy() == pytest.approx(np.zeros(len(errors)), abs=1e-9)


def test_the_bridge_is_applied_exactly_once(table):
    proj, bridges = toy_projection(RATES), toy_bridges()
    lv = backtest_series.levels_of(proj)
    nominal, real = lv.nominal.to_numpy(), lv.real.to_numpy()
    latest = backtest.compare_latest(proj, REALIZED, bridges).set_index(["series", "measure", "year"]).sort_index()
    fin = INDEX["finance"]
    assert latest.loc[("va.finance", "level", 2025), "projected"] == pytest.approx(0.9 * nominal[5, fin])
    restated = bridges.apply(nominal[5])
    assert restated.sum() == pytest.approx((nominal[5] * bridges.factors).sum())
    share = latest.loc[("share.finance", "share", 2025), "projected"]
    assert share == pytest.approx(100 * restated[fin] / restated.sum())
    # the change from 2020 starts from the 2020 partition restated once
    base = bridges.apply(nominal[0])
    change = latest.loc[("share.finance", "share change", 2025)]
    assert change["projected"] == pytest.approx(100 * restated[fin] / restated.sum() - 100 * base[fin] / base.sum())
    assert change["realized"] == pytest.approx(10.0 - 100 * base[fin] / base.sum())
    assert change["error"] == pytest.approx(latest.loc[("share.finance", "share", 2025), "error"])
    # growth of one sector is the bridge's to cancel; GDP's average growth weighs the restated sectors
    avg = latest.loc[("growth5y.gdp", "average growth", 2025), "projected"]
    assert avg == pytest.approx(100 * (((real[5] * bridges.factors).sum() / (real[0] * bridges.factors).sum()) ** 0.2
                                       - 1))
    assert avg != pytest.approx(100 * ((real[5].sum() / real[0].sum()) ** 0.2 - 1))


def test_growth_is_compared_within_its_vintage_latest_release_first(table):
    row = one_row(table, (REAL_TIME, "growth.gdp", 2021))
    assert row["realized"] == 5.5 and row["error"] == pytest.approx(-0.5) and row["vintage"] == "revised, Dec 2022"
    assert (LATEST, "growth.gdp", 2021) not in table.index
    latest = one_row(table, (LATEST, "growth.gdp", 2025))
    assert latest["realized"] == 6.0 and latest["period"] == "annual"      # the annual figure, not H1's 9.9
    assert (REAL_TIME, "growth.gdp", 2024) not in table.index


def test_partial_years_enter_as_documented(table):
    rate = one_row(table, (REAL_TIME, "growth.ict", 2024))
    assert rate["period"] == "Q1-Q3" and rate["realized"] == 11.0                     # the longest period
    assert rate["projected"] == pytest.approx(5.0) and not rate["approximate"]        # the annual rate
    level = one_row(table, (REAL_TIME, "va.ict", 2024))
    assert level["measure"] == "level growth" and level["unit"] == "%/yr" and level["from_year"] == 2022
    assert level["realized"] == pytest.approx(100 * ((6.0 / 5.0) ** 0.5 - 1))
    assert level["projected"] == pytest.approx(5.0)
    share = one_row(table, (REAL_TIME, "share.finance", 2024))
    assert share["period"] == "H1" and share["realized"] == pytest.approx(12.0)
    assert share["approximate"] and backtest.SEASONAL in share["method"]
    assert np.isnan(one_row(table, (REAL_TIME, "va.gdp", 2024))["projected"])      # a partial-year level alone


def test_no_ratio_link_or_proportional_revision_is_left():
    table = backtest.compare(toy_projection(), REALIZED, toy_bridges())
    assert not table["method"].str.contains("ratio-linked|proportional").any()
    assert set(table.loc[table["approximate"], "period"]) <= {"H1", "Q1", "Q1-Q3"}


def test_unmodelled_series_and_other_definitions(table):
    assert "va.digital_economy" not in table.index.get_level_values("series")
    hightech = one_row(table, (LATEST, "share.hightech", 2025))
    assert np.isnan(hightech["projected"]) and "cross-cutting" in hightech["method"]
    assert hightech["definition"] != "same"


def test_without_bridges_the_latest_value_added_is_not_comparable():
    table = backtest.compare(toy_projection(), REALIZED, None)
    latest = table[(table["evaluation"] == LATEST) & table["series"].str.startswith(("va.", "share.", "growth"))
                   & (table["series"] != "share.hightech")]
    assert len(latest) and latest["projected"].isna().all()
    assert latest["method"].str.contains("no census bridges").all()
    assert table.loc[table["evaluation"] == REAL_TIME, "projected"].notna().any()


def test_bridges_for_a_record_without_the_overlap_is_none():
    from model.baseline.realized import RealizedTable
    assert backtest.bridges_for(np.full(N_SECTORS, 10.0), figures(), RealizedTable(())) is None


def test_bridge_ends_keep_every_bridge_in_range_and_2020_gdp_as_published():
    bridges, va = toy_bridges(), np.linspace(1.0, 10.0, N_SECTORS)
    total = bridges.factors @ va
    for sectors in (("finance",), GROUPS["tertiary"], GROUPS["secondary"]):
        for f in backtest_series.bridge_ends(bridges, sectors, va):
            assert f @ va == pytest.approx(total)
            assert np.all(f >= bridges.low - 1e-12) and np.all(f <= bridges.high + 1e-12)
    low, high = backtest_series.bridge_ends(bridges, ("finance",), va)          # a small sector reaches its ends
    assert low[INDEX["finance"]] == pytest.approx(bridges.low[INDEX["finance"]])
    assert high[INDEX["finance"]] == pytest.approx(bridges.high[INDEX["finance"]])
    big = [INDEX[k] for k in GROUPS["tertiary"]]                          # a large group as far as room allows
    low, _ = backtest_series.bridge_ends(bridges, GROUPS["tertiary"], va)
    assert np.all(low[big] > bridges.low[big]) and np.all(low[big] < bridges.factors[big])
    rest = [i for i in range(N_SECTORS) if i not in big]
    assert low[rest] == pytest.approx(bridges.high[rest])
    same = backtest_series.bridge_ends(bridges, KEYS, va)
    assert all(np.allclose(f, bridges.factors) for f in same)


def test_share_errors_at_the_bridge_ends(table):
    row = table.loc[(LATEST, "share.finance", 2025)]
    row = row[row["measure"] == "share"].iloc[0]
    low, high = backtest_series.bridge_ends(toy_bridges(), ("finance",), np.full(N_SECTORS, 10.0))
    lv = backtest_series.levels_of(toy_projection())
    s = backtest_series.series_for("share.finance")
    assert row["error_bridge_low"] == pytest.approx(backtest_series.projected_values(lv, s, low)[2025] - 10.0)
    assert row["error_bridge_high"] == pytest.approx(backtest_series.projected_values(lv, s, high)[2025] - 10.0)
    assert row["error_bridge_low"] < row["error"] < row["error_bridge_high"]


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


def test_groups_are_sums_of_their_sectors(baseline):
    from model.projection.simulate import project
    from model.scenario.loader import scenario_from_dict
    p = project(scenario_from_dict({"growth": {"construction": 2, "mfg_other": 9}}, "g.yaml"), baseline)
    proj = timeseries(p, "g")
    s = backtest_series.series_for("growth.secondary")
    real = p.va_real[:, [INDEX[k] for k in ("mfg_hightech", "mfg_other", "mining_utilities", "construction")]].sum(1)
    growth = backtest_series.projected_values(proj, s).loc[2022:].to_numpy()
    assert growth == pytest.approx(100 * (real[2:] / real[1:-1] - 1))
    share = backtest_series.projected_values(proj, backtest_series.series_for("share.tertiary"))
    tertiary = p.va_nominal[:, [INDEX[k] for k in ("finance", "ict", "scitech", "wholesale_retail", "other_services")]]
    assert share.to_numpy() == pytest.approx(100 * tertiary.sum(1) / p.va_nominal.sum(1))
    assert backtest_series.series_for("share.ict_finance_scitech").sectors == ("ict", "finance", "scitech")
    assert backtest_series.series_for("growth5y.gdp").measure == "average growth"
    assert backtest_series.series_for("va.digital_economy") is None
    assert backtest_series.series_for("count.trillion_clusters").measure == "count"


def test_base_year_figures_are_not_compared():
    realized = realized_rows(("va.gdp", 2020, 99.0, "4th", "revised, Jan 2022"),
                             ("count.trillion_clusters", 2025, 3.0, "5th", "Jan 2026"))
    table = backtest.compare(toy_projection(), realized, toy_bridges())
    assert table["series"].tolist() == ["count.trillion_clusters"]
    assert table["method"].item().startswith("count as published")


# ---------------------------------------------------------------- metrics and verdicts
def test_mae_and_bias_by_hand():
    assert backtest_metrics.mae_and_bias(np.array([1.0, -3.0, np.nan])) == (2.0, -1.0)
    assert all(np.isnan(backtest_metrics.mae_and_bias(np.array([]))))


def test_summary_metrics_by_hand(table):
    m = backtest_metrics.summary_metrics(table.reset_index())
    get = m.set_index(["evaluation", "metric", "series", "years"])["value"]
    # real time: GDP errors 2021-2023 -0.5, 2, 1
    assert get[(REAL_TIME, "MAE", "growth.gdp", "2021-2023")] == pytest.approx(3.5 / 3)
    assert get[(REAL_TIME, "bias", "growth.gdp", "2021-2023")] == pytest.approx(2.5 / 3)
    # latest: 2024 0, 2025 -1
    assert get[(LATEST, "MAE", "growth.gdp", "2024-2025")] == pytest.approx(0.5)
    # partial-year rates: ICT Q1-Q3 2024 (5 - 11) and the Q1-Q3 level's growth 2022-2024
    level = 5.0 - 100 * ((6.0 / 5.0) ** 0.5 - 1)
    assert get[(REAL_TIME, "MAE", backtest_metrics.PARTIAL_RATES, "2024")] == pytest.approx((6.0 + abs(level)) / 2)
    assert get[(REAL_TIME, "error", "va.ict", "2022-2024 Q1-Q3")] == pytest.approx(level)
    # the H1 share: its own row with the note, in no aggregate
    share = m[(m["series"] == "share.finance") & (m["years"] == "2024 H1")]
    assert share["note"].item() == backtest_metrics.APPROXIMATE_NOTE
    levels = m[(m["evaluation"] == REAL_TIME) & (m["series"] == backtest_metrics.LEVELS_AND_SHARES)]
    assert levels["n"].item() == 2             # finance 2021 and the ICT share 2023, annual
    # latest: average growth, the share with its bridge ends and its change from 2020
    assert (LATEST, "error", "growth5y.gdp", "2021-2025") in get.index
    assert get[(LATEST, "error", "share.finance", "2025")] == pytest.approx(
        table.loc[(LATEST, "share.finance", 2025), "error"].iloc[0])
    for metric in (backtest_metrics.BRIDGE_LOW, backtest_metrics.BRIDGE_HIGH, "projected change", "realized change"):
        assert (LATEST, metric, "share.finance", "2025" if "bridge" in metric else "2020-2025") in get.index
    # a figure of another definition (high-tech, narrower scope) does not enter
    assert not (m["series"] == "share.hightech").any()


def test_revenue_metrics_by_hand():
    proj = toy_projection()
    level = series(proj, "Revenue|Software and Information Services")
    realized = realized_rows(("revenue.software_info", 2021, level[2021] / 1.1, "4th", "Mar 2022"),
                             ("revenue.software_info", 2022, level[2022] / 0.8, "4th", "Mar 2023"))
    m = backtest_metrics.summary_metrics(backtest.compare(proj, realized, toy_bridges()))
    get = m.set_index(["evaluation", "metric", "series", "years"])["value"]
    assert get[(REAL_TIME, "MAPE", "revenue.software_info", "2021-2022")] == pytest.approx((10 + 20) / 2)
    assert get[(REAL_TIME, "percent error", "revenue.software_info", "2022")] == pytest.approx(-20)


def test_revenue_mape_leaves_out_a_figure_with_no_percent_error():
    """A published zero has an error but no percent error: the MAPE is the mean over the other years."""
    proj = toy_projection()
    level = series(proj, "Revenue|Software and Information Services")
    realized = realized_rows(("revenue.software_info", 2021, 0.0, "4th", "Mar 2022"),
                             ("revenue.software_info", 2022, level[2022] / 0.8, "4th", "Mar 2023"),
                             ("revenue.software_info", 2023, level[2023] / 1.25, "4th", "Mar 2024"))
    m = backtest_metrics.summary_metrics(backtest.compare(proj, realized, toy_bridges()))
    get = m.set_index(["evaluation", "metric", "series", "years"])
    mape = get.loc[(REAL_TIME, "MAPE", "revenue.software_info", "2021-2023")]
    assert mape["value"] == pytest.approx((20 + 25) / 2)
    assert mape["n"] == 3
    assert get.loc[(REAL_TIME, "percent error", "revenue.software_info", "2023"), "value"] == pytest.approx(25)


def test_verdicts_compare_absolute_values_and_hold_at_the_bridge_ends():
    m = pd.DataFrame([("new", LATEST, "MAE", "growth.gdp", "2024-2025", 0.5),
                      ("old", LATEST, "MAE", "growth.gdp", "2024-2025", 2.0),
                      ("new", LATEST, "error", "share.ict", "2025", -3.0),
                      ("old", LATEST, "error", "share.ict", "2025", 1.0),
                      ("new", LATEST, "error, bridge low", "share.ict", "2025", -0.5),
                      ("old", LATEST, "error, bridge low", "share.ict", "2025", 1.5),
                      ("new", LATEST, "error, bridge high", "share.ict", "2025", -4.0),
                      ("old", LATEST, "error, bridge high", "share.ict", "2025", 0.5)],
                     columns=["scenario", "evaluation", "metric", "series", "years", "value"]).assign(note="")
    v = backtest_metrics.verdicts(m, "new", ["old", "absent"], [(LATEST, "MAE", "growth.gdp", None),
                                                                (LATEST, "error", "share.ict", "2025")])
    gdp = v[(v["series"] == "growth.gdp") & (v["rival"] == "old")]
    assert gdp["wins"].item() is True and gdp["years"].item() == "2024-2025" and np.isnan(gdp["wins_bridge_low"].item())
    ict = v[(v["series"] == "share.ict") & (v["rival"] == "old")]
    assert ict["wins"].item() is False
    assert ict["wins_bridge_low"].item() is True and ict["wins_bridge_high"].item() is False
    assert v.loc[v["rival"] == "absent", "wins"].isna().all()


def test_batch_verdicts_name_only_rivals_that_ran():
    m = backtest_metrics.summary_metrics(pd.concat([
        backtest.compare(toy_projection(0.05, "baseline"), REALIZED, toy_bridges()),
        backtest.compare(toy_projection(0.02, "rival"), REALIZED, toy_bridges())]))
    v = backtest_metrics.batch_verdicts(m, ["rival", "absent"])
    assert set(v["rival"]) == {"rival"}
    gdp = v[(v["series"] == "growth.gdp") & (v["evaluation"] == LATEST)]
    assert gdp["wins"].item() is True          # errors 0 and -1 against -3 and -4
    share = v[(v["series"] == "share.finance") & (v["evaluation"] == LATEST)]
    assert share["wins"].item() is False       # equal rates keep the shares alike: a tie is no win
    assert backtest_metrics.batch_verdicts(m[m["scenario"] != "baseline"], ["rival"]).empty


# ---------------------------------------------------------------- benchmarks
def test_the_combination_is_the_average_of_its_members():
    a = backtest.compare(toy_projection(RATES, "a"), REALIZED, toy_bridges())
    b = backtest.compare(toy_projection(0.03, "b"), REALIZED, toy_bridges())
    c = backtest.compare(toy_projection(0.08, "c"), REALIZED, toy_bridges())
    both = backtest_metrics.combine([a, b, c], "mix")
    assert tuple(both.columns) == backtest.BACKTEST_COLUMNS and set(both["scenario"]) == {"mix"}
    for column in ("projected", "error", "error_bridge_low", "error_bridge_high"):
        expected = (a[column] + b[column] + c[column]) / 3
        assert both[column].to_numpy() == pytest.approx(expected.to_numpy(), nan_ok=True), column
    assert both["realized"].to_numpy() == pytest.approx(a["realized"].to_numpy())
    assert both["from_year"].isna().equals(a["from_year"].isna())


def test_the_batch_combines_the_baseline_with_the_naive_forecasts_of_combined():
    proj = {"baseline": toy_projection(RATES, "baseline")}
    naive_table = pd.concat([toy_projection(0.03, NAIVE_SECTOR_AVERAGE), toy_projection(0.04, NAIVE_FROZEN_SHARES),
                             toy_projection(0.06, NAIVE_FLAT_2019)])
    compared = {"baseline": backtest.compare(proj["baseline"], REALIZED, toy_bridges())}
    bt = backtest_metrics.batch_backtest(compared, naive_table, REALIZED, pd.DataFrame(), proj, toy_bridges())
    m = bt.metrics.set_index(["scenario", "evaluation", "metric", "series", "years"])["value"]
    key = (LATEST, "error", "share.finance", "2025")
    members = [m[(n, *key)] for n in ("baseline", NAIVE_SECTOR_AVERAGE, NAIVE_FROZEN_SHARES)]
    assert m[(backtest_metrics.COMBINATION, *key)] == pytest.approx(np.mean(members))
    assert set(bt.verdicts["rival"]) == {NAIVE_SECTOR_AVERAGE, NAIVE_FROZEN_SHARES, NAIVE_FLAT_2019,
                                         backtest_metrics.COMBINATION}


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


FLAT = [("growth.gdp", 2019, 6.0, "annual"), ("growth.primary", 2019, -2.0, "annual"),
        ("growth.secondary", 2019, 4.0, "annual"), ("growth.tertiary", 2019, 7.0, "annual"),
        ("growth.mfg_hightech", 2019, 9.0, "annual"), ("growth.ict", 2019, 15.0, "Q1"),
        ("growth.ict", 2019, 14.0, "H1"),                     # the longest period of the year: used
        ("growth.finance", 2019, 8.0, "H1"), ("growth.finance", 2018, 99.0, "annual"),   # another year
        ("growth.scitech", 2019, 9.0, "H1")]


def test_the_flat_rule_takes_each_2019_rate_and_the_residual_of_its_group():
    va = np.linspace(1.0, 10.0, N_SECTORS)
    rates, how = naive.flat_growth(_figures(FLAT), va)
    own = {"agriculture": -2.0, "mfg_hightech": 9.0, "ict": 14.0, "finance": 8.0, "scitech": 9.0}
    for k, v in own.items():
        assert 100 * rates[INDEX[k]] == pytest.approx(v), k
    for group, g in (("secondary", 4.0), ("tertiary", 7.0)):       # each group grows at its own rate
        idx = [INDEX[k] for k in GROUPS[group]]
        assert 100 * rates[idx] @ va[idx] / va[idx].sum() == pytest.approx(g)
    assert rates[INDEX["other_services"]] == rates[INDEX["wholesale_retail"]]
    assert {h["sector"]: h["rule"] for h in how}["construction"].startswith("residual: growth.secondary")
    with pytest.raises(ValueError, match="no published 2019 growth rate covers"):
        naive.flat_growth(_figures(FLAT[4:]), va)


def test_naive_forecasts_reproduce_their_definitions(baseline):
    fig = figures()
    table = naive.naive_forecasts(baseline, fig)
    assert set(table["scenario"]) == {NAIVE_SECTOR_AVERAGE, NAIVE_FROZEN_SHARES, NAIVE_FLAT_2019}
    frozen = table[table["scenario"] == NAIVE_FROZEN_SHARES]
    average = table[table["scenario"] == NAIVE_SECTOR_AVERAGE]
    flat = table[table["scenario"] == NAIVE_FLAT_2019]
    gdp_mean = np.mean([fig.value("growth.gdp", y) for y in range(2015, 2020)])
    assert series(frozen, "Growth|Real GDP").dropna().to_numpy() == pytest.approx(np.full(5, gdp_mean))
    shares_2020 = 100 * baseline.va_2020 / baseline.va_2020.sum()
    for var, key in (("Share of GDP|Finance", "finance"), ("Share of GDP|ICT Services", "ict")):
        assert series(frozen, var).to_numpy() == pytest.approx(np.full(6, shares_2020[INDEX[key]]))
    rates, _ = naive.sector_average_growth(fig)
    ict = series(average, "Real Value Added|ICT Services").to_numpy()
    assert ict[1:] / ict[:-1] - 1 == pytest.approx(np.full(5, rates[INDEX["ict"]]))
    # flat at 2019: ICT at its 2019 (first-half) rate every year; GDP at the 2019 rate in 2021, to the weights
    flat_ict = series(flat, "Real Value Added|ICT Services").to_numpy()
    ict_2019 = fig.get("growth.ict", 2019, "H1").value
    assert 100 * (flat_ict[1:] / flat_ict[:-1] - 1) == pytest.approx(np.full(5, ict_2019))
    assert series(flat, "Growth|Real GDP")[2021] == pytest.approx(fig.value("growth.gdp", 2019), abs=0.1)


# ---------------------------------------------------------------- realized points, summary table
def test_realized_points_are_black_and_marked_by_census_basis():
    import matplotlib.pyplot as plt

    from model.output.plots import plot_by_scenario
    proj = toy_projection()
    realized = pd.DataFrame({"model": "Beijing Statistics", "scenario": [SCENARIO_4TH, SCENARIO_5TH],
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
    rows = pd.DataFrame({"model": STATISTICS_MODEL, "scenario": [SCENARIO_4TH], "region": "Beijing",
                         "variable": "Share of GDP|Finance", "unit": "%", "year": [2021], "value": [19.0]})
    out = backtest_metrics.with_derived_shares(rows, frame).set_index(["scenario", "year"])["value"]
    assert out[(SCENARIO_5TH, 2025)] == pytest.approx(15.0)
    assert out[(SCENARIO_4TH, 2021)] == pytest.approx(19.0)          # the published share, not 20 % derived
    assert len(out) == 2


def test_summary_shows_the_backtest_table_of_both_evaluations():
    from model.output.comparison import summary_markdown
    m = backtest_metrics.summary_metrics(pd.concat([
        backtest.compare(toy_projection(0.05, "baseline"), REALIZED, toy_bridges()),
        backtest.compare(toy_projection(0.02, NAIVE_FROZEN_SHARES), REALIZED, toy_bridges())]))
    stacked = pd.DataFrame({"scenario": ["baseline"], "target": ["t"], "status": ["met"]})
    text = summary_markdown(stacked, {}, {}, {}, m)
    table = text[text.index("## Backtest"):].splitlines()
    assert table[2] == "| metric | baseline | naive frozen |"          # short heads, named in full below
    assert f"naive frozen: {NAIVE_FROZEN_SHARES}" in text
    row = next(line for line in table if line.startswith("| latest: real GDP growth 2024-2025"))
    assert row.endswith("| 0.50 | 3.50 |")          # errors 0, -1 against -3, -4
    assert next(line for line in table if line.startswith("| real-time: real GDP growth 2021-2023"))
    at = next(i for i, line in enumerate(table) if line.startswith("| latest: finance share"))
    value, low, high = (float(table[at + k].split("|")[2]) for k in range(3))    # the bridge's ends: rows of their own
    assert table[at + 1].startswith("| ... with the bridge at its low end") and low < value < high
    assert "one census vintage" in text[text.index("## Backtest"):]
    assert "## Backtest" not in summary_markdown(stacked, {}, {}, {})


def test_the_benchmarks_read_nothing_published_after_mid_2021(monkeypatch, baseline):
    """Every file opened while the naive forecasts are built, recorded: no realized outcome."""
    import builtins
    import io
    from pathlib import Path
    fig = figures()
    opened = []
    real_open = builtins.open

    def spy(file, *args, **kwargs):
        opened.append(Path(str(file)).name)
        return real_open(file, *args, **kwargs)
    monkeypatch.setattr(builtins, "open", spy)
    monkeypatch.setattr(io, "open", spy)
    table = naive.naive_forecasts(baseline, fig)
    monkeypatch.undo()
    # the revenue links are the baseline's too (its 2020 revenue levels); nothing of the record
    assert len(table) and set(opened) <= {"figures.csv", "assumptions.csv", "revenue_links.csv"}, opened

"""The realized-outcomes file, its checker and its IAMC rows."""
import builtins
import csv
import io
import re
from pathlib import Path

import pytest

from model.baseline import realized as rz
from model.core.files import REALIZED_FILE
from model.core.iamc import CLUSTER_VARIABLE, IAMC_COLUMNS, SCENARIO_4TH, SCENARIO_5TH, STATISTICS_MODEL

FILE = REALIZED_FILE


def rows_of(path: Path = FILE) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def write(tmp_path: Path, rows: list[dict[str, str]], columns=rz.REALIZED_FILE_COLUMNS) -> Path:
    path = tmp_path / "realized.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, list(columns), lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


GOOD = {"key": "va.gdp", "year": "2022", "period": "annual", "value": "41610.9", "unit": "100 million CNY",
        "publisher": "Beijing Municipal Bureau of Statistics", "document": "2022 communique (Mar 2023), repost",
        "url": "https://example.org/a", "vintage": "preliminary: 2022 communique, Mar 2023",
        "note": "Regional GDP", "census_basis": "4th", "status": "preliminary", "definition": "same"}


def broken(tmp_path, **changes) -> Path:
    """A copy of the shipped file whose first row is GOOD with ``changes``, at line 2."""
    return write(tmp_path, [{**GOOD, **changes}] + rows_of())


# --- the shipped file -------------------------------------------------------------------

def test_shipped_file_passes_its_checks():
    table = rz.load_realized()
    assert len(table) == len(rows_of()) > 0


def test_every_row_has_publisher_url_vintage_unit_and_basis():
    for o in rz.load_realized():
        assert o.publisher and o.vintage and o.unit and o.document
        assert o.url.startswith(("http://", "https://"))
        assert o.census_basis in rz.BASES and o.status in rz.STATUSES and o.definition


def test_shipped_file_covers_gdp_growth_and_the_three_sectors_2021_to_2025():
    table = rz.load_realized()
    for key in ("va.gdp", "growth.gdp", "va.primary", "va.secondary", "va.tertiary"):
        assert {o.year for o in table.select(key)} >= set(range(2021, 2026)), key


def test_levels_of_2024_on_are_on_the_revised_basis_and_2021_first_releases_on_the_old():
    table = rz.load_realized()
    assert {o.census_basis for o in table.select("va.gdp") if o.year >= 2024} == {"5th"}
    first_2021 = min((o for o in table.select("va.gdp") if o.year == 2021), key=lambda o: o.released)
    assert first_2021.census_basis == "4th"


def test_partial_year_figures_are_marked_as_such():
    for o in rz.load_realized():
        if o.period != "annual":
            assert o.period in rz.PERIODS
            assert rz.iamc_reason_left_out(o).startswith("partial year")


# --- each error path of the checker, on a broken copy -----------------------------------

@pytest.mark.parametrize("changes, column, message", [
    ({"census_basis": "6th"}, "census_basis", "unknown census basis '6th'"),
    ({"year": "2024", "vintage": "preliminary: Mar 2025"}, "census_basis", "on the 5th-census basis"),
    ({"census_basis": "5th", "vintage": "preliminary: Mar 2025"}, "status", "its status is 'revised'"),
    ({"census_basis": "5th", "status": "revised", "vintage": "revised: Mar 2023"}, "census_basis",
     "before the 5th census revision"),
    ({"publisher": ""}, "publisher", "empty publisher"),
    ({"url": "www.example.org"}, "url", "web address"),
    ({"url": ""}, "url", "web address"),
    ({"mirror": "www.example.org"}, "mirror", "expected empty or the web address of a repost"),
    ({"mirror": "https://example.org/a"}, "mirror", "is the url itself"),
    ({"mirror": "https://example.org/b"}, "url", "not a government or official-press host"),
    ({"url": "https://tjj.beijing.gov.cn/a", "mirror": "https://example.org/a"}, "document", "says 'repost'"),
    ({"url": "https://tjj.beijing.gov.cn/a", "mirror": "https://example.org/a", "document": "communique"},
     "document", "names no date"),
    ({"document": "2022 communique (Mar 2023)"}, "document", "not the publisher's page"),
    ({"vintage": ""}, "vintage", "empty vintage"),
    ({"definition": ""}, "definition", "empty definition"),
    ({"value": "about 4"}, "value", "expected a finite number"),
    ({"value": "nan"}, "value", "expected a finite number"),
    ({"value": "-3"}, "value", "must be positive"),
    ({"unit": "yuan"}, "unit", "unknown unit 'yuan'"),
    ({"unit": "%"}, "unit", "for a 'va' key"),
    ({"key": "gdp"}, "key", "expected '<family>.<name>'"),
    ({"key": "shares.gdp", "unit": "%", "value": "10"}, "key", "did you mean 'share'"),
    ({"period": "Q2"}, "period", "unknown period 'Q2'"),
    ({"year": "2019"}, "year", "expected a year in [2020, 2025]"),
    ({"year": "twenty"}, "year", "expected a whole year"),
    ({"status": "final!"}, "status", "did you mean 'final'"),
    ({"status": "final"}, "vintage", "does not say the status 'final'"),
    ({"vintage": "preliminary: communique"}, "vintage", "names no release month or year"),
    ({"vintage": "preliminary: yearbook 2022"}, "vintage", "before the annual 2022 figures could be known"),
    ({"vintage": "preliminary: Dec 2022"}, "vintage", "before the annual 2022 figures could be known"),
    ({"period": "Q1", "vintage": "preliminary: Q1 release, Mar 2022"}, "vintage",
     "before the Q1 2022 figures could be known"),
])
def test_checker_reports_each_error_with_its_line_and_column(tmp_path, changes, column, message):
    with pytest.raises(rz.RealizedDataError, match=re.escape(message)) as err:
        rz.load_realized(broken(tmp_path, **changes))
    assert any(p.line == 2 and p.path == column and message in p.message for p in err.value.problems)
    assert f"realized.csv:2: {column}: " in str(err.value)


@pytest.mark.parametrize("changes, message", [
    ({"key": "share.gdp", "unit": "%", "value": "130"}, "share of GDP must lie in"),
    ({"key": "growth.gdp", "unit": "%", "value": "-100"}, "above -100"),
    ({"key": "count.trillion_clusters", "unit": "count", "value": "2.5"}, "whole number"),
])
def test_checker_refuses_values_outside_what_the_family_allows(tmp_path, changes, message):
    with pytest.raises(rz.RealizedDataError, match=message):
        rz.load_realized(broken(tmp_path, **changes))


def test_duplicate_key_year_period_vintage_names_both_lines(tmp_path):
    path = write(tmp_path, [GOOD, dict(GOOD, value="41000")])
    with pytest.raises(rz.RealizedDataError, match=r"realized.csv:3: key: duplicate of line 2") as err:
        rz.load_realized(path)
    assert len(err.value.problems) == 1


def test_two_vintages_of_one_figure_are_both_kept(tmp_path):
    revised = dict(GOOD, value="41540.9", status="final", vintage="final: yearbook 2023, Sep 2023")
    table = rz.load_realized(write(tmp_path, [GOOD, revised]))
    assert [o.value for o in table.select("va.gdp")] == [41610.9, 41540.9]
    assert table.latest("va.gdp", 2022).value == 41540.9


def test_select_and_latest_agree_with_a_scan_of_every_row():
    """The table's lookups (each key's rows kept apart) give what a filter of all its rows gives, in file order,
    for every key, period and census basis of the shipped file, and nothing for a key it does not hold."""
    table = rz.load_realized()
    periods = {o.period for o in table} | {None}
    bases = {o.census_basis for o in table} | {None}
    checked = 0
    for key in {o.key for o in table}:
        for period in periods:
            for basis in bases:
                scanned = tuple(o for o in table.rows if o.key == key and period in (None, o.period)
                                and basis in (None, o.census_basis))
                assert table.select(key, period, basis) == scanned
                checked += bool(scanned)
                if period is None:
                    continue
                for year in {o.year for o in scanned}:
                    latest = max((o for o in scanned if o.year == year), key=rz.recency)
                    assert table.latest(key, year, period, basis) is latest
    assert checked > 100
    assert table.select("no.such_key") == () and table.latest("no.such_key", 2022) is None


def test_a_publisher_page_with_its_mirror_passes_and_keeps_both(tmp_path):
    row = dict(GOOD, document="2022 statistical communique (Mar 2023)", url="https://tjj.beijing.gov.cn/a",
               mirror="https://example.org/a")
    (o,) = rz.load_realized(write(tmp_path, [row])).rows
    assert (o.url, o.mirror) == ("https://tjj.beijing.gov.cn/a", "https://example.org/a")


def test_every_problem_is_reported_not_only_the_first(tmp_path):
    path = write(tmp_path, [dict(GOOD, unit="yuan"), dict(GOOD, vintage="preliminary: Apr 2023", url="x")])
    with pytest.raises(rz.RealizedDataError) as err:
        rz.load_realized(path)
    assert [(p.line, p.path) for p in err.value.problems] == [(2, "unit"), (3, "url")]


def test_wrong_header_is_one_clear_problem(tmp_path):
    columns = tuple("basis" if c == "census_basis" else c for c in rz.REALIZED_FILE_COLUMNS)
    path = write(tmp_path, [dict(GOOD, basis="4th")], columns=columns)
    with pytest.raises(rz.RealizedDataError, match=r"realized.csv:1: header: .*did you mean 'census_basis'"):
        rz.load_realized(path)


def test_error_is_a_data_error_not_a_traceback_of_csv_internals(tmp_path):
    from model.baseline.data import DataError
    with pytest.raises(DataError):
        rz.load_realized(broken(tmp_path, value=""))


def test_table_is_read_only():
    table = rz.load_realized()
    with pytest.raises(AttributeError):
        table.rows[0].value = 0.0
    with pytest.raises(AttributeError):
        table.rows = ()
    frame = table.frame()
    frame.loc[0, "value"] = -1.0
    assert table.rows[0].value != -1.0


# --- IAMC rows --------------------------------------------------------------------------

def test_iamc_rows_have_the_contract_columns_and_one_value_per_cell():
    df = rz.realized_timeseries()
    assert tuple(df.columns) == IAMC_COLUMNS
    assert set(df["model"]) == {STATISTICS_MODEL} and set(df["region"]) == {"Beijing"}
    assert set(df["scenario"]) <= {SCENARIO_4TH, SCENARIO_5TH}
    assert not df.duplicated(["scenario", "variable", "year"]).any()
    assert df["year"].dtype.kind == "i" and df["value"].notna().all()


def test_iamc_levels_never_mix_census_bases_within_one_scenario():
    table = rz.load_realized()
    df = rz.realized_timeseries(table)
    for scenario, basis in ((SCENARIO_4TH, "4th"), (SCENARIO_5TH, "5th")):
        for _, r in df[df["scenario"] == scenario].iterrows():
            key = next(k for k in (*rz.MODEL_VARIABLES, *rz.OTHER_VARIABLES) if rz.variable(k) == r["variable"])
            if key.startswith("growth."):
                assert scenario == SCENARIO_4TH
                continue
            sources = [o for o in table.select(key) if o.year == r["year"] and o.value == r["value"]]
            assert sources and {o.census_basis for o in sources} == {basis}, (scenario, key, r["year"])


def test_iamc_growth_rates_cover_every_year_in_one_scenario_across_the_break():
    df = rz.realized_timeseries()
    growth = df[df["variable"] == "Growth|Real GDP"]
    assert set(growth["scenario"]) == {SCENARIO_4TH}
    assert set(growth["year"]) >= set(range(2021, 2026))


def test_iamc_uses_the_models_variable_names_and_units():
    from model.baseline.calibration import build_baseline
    from model.projection.indicators import indicators
    from model.projection.simulate import project
    from model.scenario.loader import load_scenario
    p = project(load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"), build_baseline())
    units = {v: u for v, (u, _) in indicators(p).items()}
    df = rz.realized_timeseries()
    for key, var in rz.MODEL_VARIABLES.items():
        if key.startswith("growth.") and var not in units:
            continue
        assert var in units, var
    for var, unit in df[df["variable"].isin(units)].groupby("variable")["unit"].first().items():
        assert unit == units[var], var
    assert not set(rz.OTHER_VARIABLES.values()) & set(units)


def test_partial_year_and_differing_definitions_are_left_out_of_iamc(tmp_path):
    h1 = dict(GOOD, period="H1", vintage="preliminary: H1 release, Jul 2022")
    scope = dict(GOOD, key="revenue.ngit", value="30000", vintage="preliminary: blue book, Jul 2024",
                 definition="output value of the cluster, not operating revenue")
    bound = dict(GOOD, key="va.digital_economy", value="22000", vintage="preliminary: press conference, Mar 2023",
                 definition="lower bound ('over 2.2 trillion')")
    nbs = dict(GOOD, key="share.hightech_industries_nbs", unit="%", value="27.1",
               vintage="preliminary: communique, Mar 2023")
    table = rz.load_realized(write(tmp_path, [h1, scope, bound, nbs]))
    df = rz.realized_timeseries(table)
    assert list(df["variable"]) == ["Share of GDP (Cross-cutting)|High-tech Industries (NBS)"]
    reasons = [rz.iamc_reason_left_out(o) for o in table]
    assert reasons[0] == "partial year (H1)" and reasons[3] is None
    assert reasons[1] == reasons[2] == "definition differs from the series' (see its definition column)"


def test_iamc_takes_the_latest_release_within_a_basis_and_keeps_bases_apart(tmp_path):
    later = dict(GOOD, value="41540.9", status="final", vintage="final: yearbook, Sep 2023")
    census = dict(GOOD, value="45000.0", census_basis="5th", status="revised",
                  vintage="revised: 5th census restatement, Jan 2025")
    df = rz.realized_timeseries(rz.load_realized(write(tmp_path, [later, GOOD, census])))
    values = df.set_index("scenario")["value"].to_dict()
    assert values == {SCENARIO_4TH: 41540.9, SCENARIO_5TH: 45000.0}


def test_iamc_rows_load_beside_a_projection_in_pyam_layout():
    import pandas as pd

    from model.baseline.calibration import build_baseline
    from model.projection.results import timeseries
    from model.projection.simulate import project
    from model.scenario.loader import load_scenario
    p = project(load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"), build_baseline())
    both = pd.concat([timeseries(p, "baseline"), rz.realized_timeseries()], ignore_index=True)
    assert not both.duplicated(["model", "scenario", "region", "variable", "year"]).any()
    gdp = both[(both["variable"] == "GDP") & (both["year"] == 2022)]
    assert set(gdp["model"]) == {"Beijing Scenario Model", STATISTICS_MODEL}


# --- the calibration does not read it ---------------------------------------------------

def test_calibration_does_not_read_the_realized_file(monkeypatch):
    from model.baseline import data
    from model.baseline.calibration import build_baseline
    opened: list[str] = []
    real_open = builtins.open

    def recording_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    for cached in (data.figures, data.assumptions, data.revenue_links):
        cached.cache_clear()
    monkeypatch.setattr(builtins, "open", recording_open)
    monkeypatch.setattr(io, "open", recording_open)
    try:
        build_baseline()
    finally:
        monkeypatch.undo()
        for cached in (data.figures, data.assumptions, data.revenue_links):
            cached.cache_clear()
    assert any(f.endswith("figures.csv") for f in opened)      # the recording works
    assert not any(f.endswith(FILE.name) for f in opened)


def test_revenue_keys_follow_the_revenue_layers_series():
    from model.equations import revenue
    by_key = {s.key: s.variable for s in revenue.SERIES}
    for key, var in rz.MODEL_VARIABLES.items():
        family, name = key.split(".")
        if family in ("revenue", "output"):
            assert by_key.get(name) == var, key
    assert set(by_key) == {k.split(".")[1] for k in rz.MODEL_VARIABLES if k.split(".")[0] in ("revenue", "output")}
    assert rz.MODEL_VARIABLES["count.trillion_clusters"] == CLUSTER_VARIABLE


def test_a_vintage_without_month_is_read_as_january_of_its_year(tmp_path):
    undated = dict(GOOD, vintage="preliminary: press conference, 2024 (no month given)")
    dated = dict(GOOD, value="41000", vintage="preliminary: release, Mar 2023")
    table = rz.load_realized(write(tmp_path, [undated, dated]))
    assert [o.released.isoformat() for o in table] == ["2024-01-01", "2023-03-01"]
    assert table.latest("va.gdp", 2022).value == 41610.9


# --- partial periods ----------------------------------------------------------------------

def test_first_quarter_is_a_partial_year_period_kept_out_of_iamc(tmp_path):
    q1 = dict(GOOD, period="Q1", value="10000", vintage="preliminary: Q1 release, Apr 2022")
    table = rz.load_realized(write(tmp_path, [q1, GOOD]))
    assert [o.period for o in table] == ["Q1", "annual"]
    assert rz.iamc_reason_left_out(table.rows[0]) == "partial year (Q1)"
    df = rz.realized_timeseries(table)
    assert list(df["value"]) == [41610.9]


@pytest.mark.parametrize("period, released, refused", [
    ("Jan-Oct", "Oct 2025", True), ("Jan-Oct", "Dec 2025", False),
    ("Jan-May", "May 2025", True), ("Jan-May", "Jul 2025", False)])
def test_january_to_month_periods_end_in_their_month_and_stay_out_of_iamc(tmp_path, period, released, refused):
    row = dict(GOOD, key="revenue.software_info", year="2025", period=period, value="30000",
               vintage=f"preliminary: industry release, {released}", census_basis="5th")
    outcomes, problems = rz.check_rows([(2, row)])
    if refused:
        assert [(p.path, p.message) for p in problems] == [
            ("vintage", f"released {released}, before the {period} 2025 figures could be known")]
        return
    assert problems == () and rz.iamc_reason_left_out(outcomes[0]) == f"partial year ({period})"
    assert rz.realized_timeseries(rz.RealizedTable(outcomes)).empty


def test_software_revenue_partial_years_agree_with_each_other():
    """January-May 2025 ('close to 1.4 trillion', +13.8 %) implies a January-May 2024 level above
    the lower bound published for it ('passed 1 trillion'); January-October 2025 is above both."""
    table = rz.load_realized()
    may_2024 = table.latest("revenue.software_info", 2024, period="Jan-May")
    may_2025 = table.latest("revenue.software_info", 2025, period="Jan-May")
    oct_2025 = table.latest("revenue.software_info", 2025, period="Jan-Oct")
    assert may_2024.definition.startswith("lower bound") and oct_2025.definition.startswith("lower bound")
    assert "+13.8 %" in may_2025.note
    assert may_2025.value / 1.138 > may_2024.value
    assert oct_2025.value > may_2025.value
    assert (may_2024.census_basis, may_2025.census_basis, oct_2025.census_basis) == ("4th", "5th", "5th")
    iamc = rz.realized_timeseries(table)
    assert iamc.query("variable == 'Revenue|Software and Information Services' and year >= 2024").empty


def test_car_output_of_2024_is_a_lower_bound_of_a_wider_industry_never_a_level():
    o = rz.load_realized().latest("output.cars", 2024)
    assert o is not None and o.definition.startswith("lower bound") and "wider" in o.definition
    assert rz.iamc_reason_left_out(o).startswith("definition differs")
    assert rz.realized_timeseries().query("variable == 'Gross Output|Cars'").empty


def test_every_period_but_annual_ends_before_december():
    assert rz.PERIODS[0] == "annual" and rz.PERIOD_END_MONTH["annual"] == 12
    assert all(rz.PERIOD_END_MONTH[p] < 12 for p in rz.PERIODS[1:])


# --- the overlap year across the census break -------------------------------------------

def test_2023_gdp_is_published_on_both_census_bases_and_each_level_stays_in_its_scenario():
    table = rz.load_realized()
    old = table.latest("va.gdp", 2023, basis="4th")
    new = table.latest("va.gdp", 2023, basis="5th")
    assert old is not None and new is not None
    assert new.status == "revised" and new.released > old.released and new.value > old.value
    gdp = rz.realized_timeseries(table).query("variable == 'GDP' and year == 2023")
    assert gdp.set_index("scenario")["value"].to_dict() == {SCENARIO_4TH: old.value, SCENARIO_5TH: new.value}


def test_the_2024_level_continues_the_revised_2023_level_not_the_first_release():
    """2024 nominal growth over the revised 2023 level is close to the 2024 real growth rate
    (a deflator change of a few percent at most); over the first-release level it would imply
    a price jump no release reports.  This is why levels are never spliced across the break."""
    table = rz.load_realized()
    real = table.latest("growth.gdp", 2024).value / 100
    level_2024 = table.latest("va.gdp", 2024, basis="5th").value
    within = level_2024 / table.latest("va.gdp", 2023, basis="5th").value / (1 + real) - 1
    across = level_2024 / table.latest("va.gdp", 2023, basis="4th").value / (1 + real) - 1
    assert abs(within) < 0.03 < abs(across)


def test_shares_read_off_a_stated_difference_match_the_figure_they_come_from():
    """Two annual shares are published only as 'x points below' a figure of the same release;
    the file keeps both ends, and they must differ by exactly the stated points."""
    table = rz.load_realized()
    ict_2023 = table.latest("share.ict", 2023)
    assert "derived" in ict_2023.note
    assert table.latest("share.ict", 2024, period="H1").value - ict_2023.value == pytest.approx(3.2)
    combined = [table.latest("share.ict_finance_scitech", y) for y in (2021, 2022)]
    assert "derived" in combined[0].note
    assert combined[1].value - combined[0].value == pytest.approx(2.5)


def test_trillion_cluster_counts_never_fall_and_agree_with_medicine_and_health_revenue():
    """2 clusters in 2022 (new-generation IT, sci-tech services), 3 from 2024: medicine and
    health joined once its revenue passed 1 trillion (9,761 in 2023, 10,600 in 2024)."""
    table = rz.load_realized()
    counts = {y: o.value for y in range(2021, 2026) if (o := table.latest("count.trillion_clusters", y))}
    assert counts[2022] == 2 and counts[2025] == 3
    assert list(counts.values()) == sorted(counts.values())
    medicine = {y: table.latest("revenue.medicine_health", y).value for y in (2023, 2024)}
    assert medicine[2023] < 10000 <= medicine[2024]

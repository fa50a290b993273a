"""The revenue layer: links to value added, 2020 levels, clusters, overrides, its data file."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.baseline import data
from model.baseline.data import DataError, read_revenue_links
from model.core.sectors import INDEX, N_SECTORS
from model.equations.revenue import (
    NGIT_INCL_SOFTWARE,
    SERIES,
    TRILLION_YUAN,
    cluster_groups,
    count_at_least,
    link_value_added,
    link_weights,
    revenue_path,
    revenues,
    trillion_yuan_clusters,
)
from model.projection.indicators import indicators, revenue_link_parameters
from model.projection.simulate import project
from model.scenario.loader import ScenarioError, scenario_from_dict

LINKS = data.revenue_links()


@pytest.fixture(scope="module")
def projection(baseline):
    return project(scenario_from_dict({}, "t.yaml"), baseline)


# ---------------------------------------------------------------- equations
def test_revenue_path_reproduces_its_base_exactly():
    link = np.array([3.7, 5.1, 9.9])
    assert revenue_path(16261.2, link, 1.3)[0] == 16261.2


def test_constant_link_keeps_revenue_constant():
    np.testing.assert_array_equal(revenue_path(100.0, np.full(4, 7.0), 1.4), np.full(4, 100.0))


def test_elasticity_is_the_exponent_of_the_link_ratio():
    link = np.array([1.0, 2.0])
    assert revenue_path(10.0, link, 1.0)[1] == pytest.approx(20.0)
    assert revenue_path(10.0, link, 2.0)[1] == pytest.approx(40.0)
    assert revenue_path(10.0, link, 0.5)[1] == pytest.approx(10.0 * np.sqrt(2))


def test_link_is_the_weighted_sum_of_sectors():
    va = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(link_value_added(va, np.array([1.0, 0.5])), [2.0, 5.0])


def test_only_weight_ratios_matter(projection):
    params = dict(revenue_link_parameters())
    w = link_weights(params, "ngit")
    a = revenue_path(1.0, link_value_added(projection.va_nominal, w), 1.0)
    b = revenue_path(1.0, link_value_added(projection.va_nominal, 3.0 * w), 1.0)
    np.testing.assert_allclose(a, b, rtol=1e-13)


def test_count_at_least_includes_the_threshold():
    levels = np.array([[9999.0, 10000.0, 20000.0], [1.0, 2.0, 3.0]])
    assert count_at_least(levels, TRILLION_YUAN).tolist() == [2.0, 0.0]


# ---------------------------------------------------------------- the model's series
def test_every_series_reproduces_its_2020_level(projection):
    levels = revenues(projection.va_nominal, revenue_link_parameters())
    for s in SERIES:
        assert levels[s.key][0] == LINKS[f"{s.key}.base_2020"].value, s.key


def test_series_reach_the_results_with_units(projection):
    out = indicators(projection)
    for s in SERIES:
        unit, values = out[s.variable]
        assert unit == "100 million CNY/yr"          # a flow: an amount per year
        assert np.all(values > 0)
    assert out["Clusters|Trillion-yuan"][0] == "count"


def test_2020_has_the_published_two_trillion_yuan_clusters(projection):
    counts = trillion_yuan_clusters(revenues(projection.va_nominal, revenue_link_parameters()))
    assert counts[0] == 2          # new-generation IT incl. software, and sci-tech services (published)


def test_clusters_are_counted_on_the_plans_grouping():
    """Software and new-generation IT stand for one cluster, new-generation IT including software."""
    assert cluster_groups() == {NGIT_INCL_SOFTWARE: ("software_info", "ngit"),
                                "medicine_health": ("medicine_health",), "scitech": ("scitech",)}
    below, above = np.array([9999.0, 5000.0]), np.array([10000.0, 20000.0])
    for software, ngit, expected in ((above, above, [1, 1]), (above, below, [1, 1]), (below, above, [1, 1]),
                                     (below, below, [0, 0]), (below, np.array([5000.0, 10000.0]), [0, 1])):
        levels = {"software_info": software, "ngit": ngit, "medicine_health": below, "scitech": below}
        assert trillion_yuan_clusters(levels).tolist() == expected


def test_the_count_has_a_draw_axis_and_three_clusters_at_most():
    rng = np.random.default_rng(3)
    levels = {k: rng.uniform(5000, 15000, (40, 6)) for k in ("software_info", "ngit", "medicine_health", "scitech")}
    counts = trillion_yuan_clusters(levels)
    assert counts.shape == (40, 6) and counts.max() <= 3
    ngit = (np.maximum(levels["software_info"], levels["ngit"]) >= TRILLION_YUAN).astype(int)
    expected = ngit + (levels["medicine_health"] >= TRILLION_YUAN) + (levels["scitech"] >= TRILLION_YUAN)
    np.testing.assert_array_equal(counts, expected)


@settings(max_examples=40, deadline=None)
@given(st.fixed_dictionaries({f"{s.key}.base_2020": st.floats(LINKS[f"{s.key}.base_2020"].low,
                                                                 LINKS[f"{s.key}.base_2020"].high)
                              for s in SERIES if s.cluster}))
def test_2020_cluster_count_holds_across_the_documented_ranges(base_levels):
    va = np.ones((2, N_SECTORS))
    counts = trillion_yuan_clusters(revenues(va, revenue_link_parameters(base_levels)))
    assert counts[0] == 2


def test_pharmaceuticals_are_part_of_medicine_and_health():
    assert LINKS["pharma_mfg.base_2020"].high <= LINKS["medicine_health.base_2020"].low


# ---------------------------------------------------------------- overrides
def test_override_changes_later_years_not_2020(projection):
    default = indicators(projection)["Revenue|Software and Information Services"][1]
    faster = indicators(projection, {"software_info.elasticity": 1.2})["Revenue|Software and Information Services"][1]
    assert faster[0] == default[0]
    assert faster[-1] > default[-1]


def test_link_weight_override_moves_the_series(projection):
    default = indicators(projection)["Revenue|New-generation IT"][1]
    heavier = indicators(projection, {"ngit.weight.mfg_hightech": 1.0})["Revenue|New-generation IT"][1]
    assert heavier[-1] != pytest.approx(default[-1])


def test_unknown_override_is_refused():
    with pytest.raises(ValueError, match=r"revenue_links.software.elasticity: unknown key"):
        revenue_link_parameters({"software.elasticity": 1.2})


def test_override_outside_its_range_is_refused():
    with pytest.raises(ValueError, match=r"software_info.elasticity: got 3; expected a number in \[0.5, 1.5\]"):
        revenue_link_parameters({"software_info.elasticity": 3})


def test_every_override_problem_is_reported():
    with pytest.raises(ValueError) as info:
        revenue_link_parameters({"nope": 1, "ic.elasticity": "high"})
    assert "nope: unknown key" in str(info.value)
    assert "ic.elasticity: got 'high'" in str(info.value)


def test_parameters_are_read_only():
    params = revenue_link_parameters()
    with pytest.raises(TypeError):
        params["software_info.elasticity"] = 2.0



# ---------------------------------------------------------------- checked once, carried down
def test_a_scenario_carries_its_checked_links_with_every_parameter():
    s = scenario_from_dict({"revenue_links": {"software_info.elasticity": 1.2}}, "t.yaml")
    assert dict(s.revenue_links) == {"software_info.elasticity": 1.2}
    assert s.revenue_links.parameters["software_info.elasticity"] == 1.2
    assert s.revenue_links.parameters["ic.elasticity"] == LINKS["ic.elasticity"].value
    assert set(s.revenue_links.parameters) == set(LINKS)


def test_indicators_use_a_scenario_s_links_without_checking_them_again(projection, monkeypatch):
    s = scenario_from_dict({"revenue_links": {"software_info.elasticity": 1.2}}, "t.yaml")
    expected = indicators(projection, {"software_info.elasticity": 1.2})["Revenue|Software and Information Services"][1]

    def no_check(*args, **kwargs):
        raise AssertionError("checked again")
    monkeypatch.setattr("model.projection.indicators.ranged_overrides", no_check)
    monkeypatch.setattr("model.baseline.data.revenue_links", no_check)
    got = indicators(projection, s.revenue_links)["Revenue|Software and Information Services"][1]
    np.testing.assert_array_equal(got, expected)


def test_a_monte_carlo_run_checks_plain_overrides_once_not_per_chunk(baseline, monkeypatch):
    from model.analysis import montecarlo
    from model.projection import indicators as ind_module
    from model.targets.definitions import load_targets
    calls = []
    check = ind_module.ranged_overrides
    monkeypatch.setattr(ind_module, "ranged_overrides", lambda *a: calls.append(1) or check(*a))
    s = scenario_from_dict({"uncertainty": {"draws": 40, "vaccine_unwind": {"dist": "uniform", "low": 50,
                                                                            "high": 100}}}, "t.yaml")
    montecarlo.run(s, baseline, load_targets(), chunk=10, revenue_links={"software_info.elasticity": 1.2})
    assert len(calls) == 1


def test_plain_overrides_are_refused_with_every_problem_placed():
    with pytest.raises(ScenarioError) as info:
        revenue_link_parameters({"nope": 1, "ic.elasticity": 9})
    assert [p.path for p in info.value.problems] == ["revenue_links.nope", "revenue_links.ic.elasticity"]
    assert str(info.value).startswith("revenue-link overrides: revenue_links.nope: unknown key")


# ---------------------------------------------------------------- the data file
def test_every_series_has_base_elasticity_and_a_link():
    for s in SERIES:
        assert LINKS[f"{s.key}.base_2020"].unit == "100 million CNY"
        # 1 keeps the revenue to value-added ratio; AI's rests on its 2024-2025 record (revenue_links.csv)
        assert LINKS[f"{s.key}.elasticity"].value == (2.0 if s.key == "ai" else 1.0)
        assert any(k.startswith(f"{s.key}.weight.") for k in LINKS), s.key


def test_no_parameter_belongs_to_no_series():
    prefixes = {s.key for s in SERIES}
    for key in LINKS:
        assert key.split(".")[0] in prefixes, key
        if ".weight." in key:
            assert key.rsplit(".", 1)[1] in INDEX, key


def test_base_levels_say_where_they_come_from():
    for s in SERIES:
        row = LINKS[f"{s.key}.base_2020"]
        assert row.status in {"published", "derived", "assumption"}
        assert "http" in row.source, s.key
        assert row.low < row.high, s.key


def _links_file(tmp_path, row: str):
    path = tmp_path / "links.csv"
    path.write_text("key,value,low,high,unit,status,basis,source\n" + row + "\n", encoding="utf-8")
    return path


def test_bad_status_is_refused(tmp_path):
    path = _links_file(tmp_path, "a.elasticity,1,0.5,1.5,dimensionless,guess,why,assumption")
    with pytest.raises(DataError, match=r"links.csv:2: status 'guess' not in"):
        read_revenue_links(path)


def test_value_outside_range_is_refused(tmp_path):
    path = _links_file(tmp_path, "a.elasticity,2,0.5,1.5,dimensionless,assumption,why,assumption")
    with pytest.raises(DataError, match=r"links.csv:2: value 2.0 outside its range"):
        read_revenue_links(path)

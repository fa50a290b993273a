"""Two-lever maps: agreement with single runs, the goal-seek answer on the boundary, pairs, figures."""
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from model.analysis.goalseek import goal_seek, with_lever_growth  # noqa: E402
from model.analysis.levers import GRID, lever_map, lever_maps, nearest_table, pairs  # noqa: E402
from model.baseline.calibration import build_baseline  # noqa: E402
from model.core.years import level_row  # noqa: E402
from model.projection.indicators import Indicators  # noqa: E402
from model.projection.simulate import project  # noqa: E402
from model.scenario.loader import load_scenario  # noqa: E402
from model.targets.definitions import TargetsError, load_targets, parse_targets  # noqa: E402

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
TARGETS = load_targets()
BY_ID = {t.id: t for t in TARGETS}
SOURCE = {"publisher": "P", "document": "D", "url": "https://example.invalid", "unit": "%", "year": 2025,
          "description": "a target", "id": "t"}


@pytest.fixture(scope="module")
def shipped():
    s = load_scenario(SCENARIOS / "baseline.yaml")
    b = build_baseline(s.assumptions)
    return s, b, goal_seek(s, b)


@pytest.fixture(scope="module")
def maps(shipped):
    s, b, g = shipped
    return {m.pair: m for m in lever_maps(s, b, TARGETS, g)}


def single_run(s, b, pair, ra, rb, t):
    """One deterministic run with the two levers at constant rates from 2022 to the target year."""
    one = with_lever_growth(with_lever_growth(s, [pair[0]], ra, t.year), [pair[1]], rb, t.year)
    ind = Indicators(project(one, b), one.revenue_links)
    e = t.evaluate({v: ind.value(v)[level_row(t.year)] for v in t.variables})
    return float(e.value), bool(e.met)


def test_the_declared_pairs_become_maps_of_their_targets(maps):
    assert set(maps) == set(pairs(TARGETS, 2025))
    m = maps[("mfg_hightech", "mfg_other")]
    assert "manufacturing_share" in [t.id for t in m.targets]
    assert all(v.shape == (GRID, GRID) for v in m.values.values())
    assert len(m.table()) == GRID * GRID


@pytest.mark.parametrize("pair", [("mfg_hightech", "ict"), ("mfg_hightech", "mfg_other"), ("ict", "finance")])
def test_the_map_agrees_with_single_deterministic_runs_at_sampled_points(shipped, maps, pair):
    s, b, _ = shipped
    m = maps[pair]
    rng = np.random.default_rng(7)
    for i, j in rng.integers(0, GRID, size=(3, 2)):
        for t in m.targets:
            value, met = single_run(s, b, pair, m.rates_a[i], m.rates_b[j], t)
            assert m.values[t.id][j, i] == pytest.approx(value, rel=1e-11), (t.id, i, j)
            assert m.met[t.id][j, i] == met


# finance_first_pillar is met on the shipped path (finance above ICT): goal-seeking has no point for it
@pytest.mark.parametrize("target", ["manufacturing_share", "car_output"])
def test_the_goal_seek_answer_lies_on_the_maps_boundary_within_a_grid_step(shipped, maps, target):
    """The grid cell around the goal-seek point straddles the aimed boundary: the value crosses
    the aim (the central value of a band, the level of `>=`), or for `rank` the met flag changes."""
    s, b, _ = shipped
    t = BY_ID[target]
    m = maps[tuple(t.lever_pair)]
    assert target in m.goal
    i = int(np.searchsorted(m.rates_a, m.goal[target][0]))
    j = int(np.searchsorted(m.rates_b, m.goal[target][1]))
    assert 0 < i < GRID and 0 < j < GRID
    cell = (slice(j - 1, j + 1), slice(i - 1, i + 1))
    if t.comparator.gap_from_value:
        ind = Indicators(project(s, b), s.revenue_links)
        own = {v: float(ind.value(v)[level_row(t.year)]) for v in t.variables}
        aim, _ = t.comparator.boundary(own, own[t.variable])
        distance = m.values[target][cell] - aim
        assert distance.min() <= 0.0 <= distance.max()
    else:
        assert m.met[target][cell].any() and not m.met[target][cell].all()


def test_nearest_combination_meets_every_target_and_none_is_said_when_they_conflict(shipped, maps):
    s, b, g = shipped
    m = maps[("mfg_hightech", "ict")]
    assert m.nearest is not None
    i = int(np.argmin(abs(m.rates_a - m.nearest[0])))
    j = int(np.argmin(abs(m.rates_b - m.nearest[1])))
    assert m.all_met[j, i]
    closer = np.hypot(*np.meshgrid(m.rates_a - m.own[0], m.rates_b - m.own[1])) < np.hypot(
        m.nearest[0] - m.own[0], m.nearest[1] - m.own[1]) - 1e-12
    assert not (closer & m.all_met).any()
    conflict = lever_map(s, b, ("mfg_hightech", "mfg_other"),
                         [BY_ID["manufacturing_share"], BY_ID["manufacturing_share_stretch"]], g, n=41)
    assert conflict.nearest is None
    assert "none within bounds" in conflict.note()
    # the note names the levers in words, as the figure caption and the report show it
    for note in (m.note(), conflict.note()):
        assert "High-tech manufacturing" in note and "mfg_hightech" not in note
    assert "Information transmission, software and IT services" in m.note() and " ict " not in m.note()
    assert np.isnan(nearest_table([conflict])["nearest_a_pct"].iloc[0])


def test_the_scenarios_point_is_its_stated_constant_growth(shipped, maps):
    s, b, _ = shipped
    m = maps[("mfg_hightech", "mfg_other")]
    flat = with_lever_growth(s, ["mfg_other"], m.own[1], 2025)
    lone = lever_map(flat, b, ("mfg_hightech", "mfg_other"), [BY_ID["car_output"]], n=11)
    assert lone.own[1] == pytest.approx(m.own[1], rel=1e-12)


@pytest.mark.parametrize("pair, message", [
    (["ict"], "not a list of two sector keys"),
    (["ict", "banking"], "unknown sector 'banking'"),
    (["ict", "ict"], "listed twice"),
])
def test_a_bad_lever_pair_is_a_located_error(pair, message):
    entry = {**SOURCE, "variable": "x", "comparator": ">=", "value": 1, "levers": ["ict"], "lever_pair": pair}
    with pytest.raises(TargetsError, match=message):
        parse_targets([entry])


def test_a_lever_pair_on_a_target_not_modelled_is_refused():
    entry = {**SOURCE, "comparator": "not_modelled", "value": 1, "lever_pair": ["ict", "finance"]}
    with pytest.raises(TargetsError, match="lever_pair given on a not_modelled target"):
        parse_targets([entry])


def test_the_figures_draw_regions_points_and_bars(maps):
    import matplotlib.pyplot as plt

    from model.analysis.attribution import attribute
    from model.output.plots import headline, wrap
    from model.output.plots_attribution import plot_lever_map, plot_waterfall

    m = maps[("mfg_hightech", "ict")]
    ax = plot_lever_map(m)
    labels = [h.get_label() for h in ax.get_legend().legend_handles]
    assert labels[:len(m.targets)] == [f"met: {wrap(headline(t.description), 60)}" for t in m.targets]
    assert "nearest combination meeting all" in labels and "scenario" in labels
    plt.close(ax.figure)
    s = load_scenario(SCENARIOS / "manufacturing_revival.yaml")
    table = attribute(s, build_baseline(s.assumptions), TARGETS)
    ax = plot_waterfall(table, "manufacturing_share", kind="input")
    rows = table[(table["target"] == "manufacturing_share") & (table["kind"] == "input")]
    drawn = rows["contribution"].abs() > 1e-9 * rows["contribution"].abs().max()
    assert len(ax.patches) == drawn.sum() + 1
    assert ax.patches[-1].get_width() == pytest.approx(rows["contribution"].sum(), rel=1e-12)
    plt.close(ax.figure)


def test_the_composed_figures_hold_both_kinds_and_the_maps_note(maps):
    import matplotlib.pyplot as plt

    from model.analysis.attribution import attribute
    from model.output.plots_attribution import lever_map_figure, waterfall_figure

    s = load_scenario(SCENARIOS / "downside.yaml")
    table = attribute(s, build_baseline(s.assumptions), TARGETS)
    fig = waterfall_figure(table, "hightech_share", s.name)
    assert [ax.get_title().rsplit(" ", 1)[-1] for ax in fig.axes] == ["input", "sector"]
    plt.close(fig)
    m = maps[("mfg_hightech", "mfg_other")]
    fig = lever_map_figure(m, "baseline")
    assert any(m.note() in " ".join(t.get_text().split()) for t in fig.texts)     # wrapped to the width
    plt.close(fig)


def test_an_extra_pair_maps_the_targets_acting_on_either_sector_and_a_declared_one_is_not_repeated():
    got = pairs(TARGETS, 2025, extra=[("finance", "scitech"), ("ict", "finance"), ("agriculture", "construction")])
    assert [t.id for t in got[("finance", "scitech")]] == [t.id for t in TARGETS if t.modelled and
                                                           {"finance", "scitech"} & set(t.levers)]
    assert got[("ict", "finance")] == pairs(TARGETS, 2025)[("ict", "finance")]
    assert ("agriculture", "construction") not in got

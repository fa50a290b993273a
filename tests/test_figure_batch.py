"""A batch of twenty scenarios through the real figure functions: every scenario its own look, tick
labels apart (measured with the renderer), counts in whole numbers, no figure of a change that is
all zero; and the figure files: their formats and drawing on two processes."""
import dataclasses
import itertools
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from model.analysis.attribution import no_change  # noqa: E402
from model.analysis.levers import LeverMap  # noqa: E402
from model.core.iamc import CLUSTER_VARIABLE  # noqa: E402
from model.equations.revenue import SERIES  # noqa: E402
from model.output import figure_files, plots  # noqa: E402
from model.output.plots_attribution import lever_map_figure, plot_waterfall, waterfall_figure  # noqa: E402
from model.output.plots_backtest import backtest_figure  # noqa: E402
from model.output.plots_sensitivity import tornado_figure  # noqa: E402
from model.output.write import FIGURE_STYLE, SHARE_VARIABLES, comparison_figures  # noqa: E402
from model.targets.definitions import load_targets  # noqa: E402

NAMES = [f"scenario_{chr(ord('a') + i)}{'_long_name' * (i % 3)}" for i in range(20)]
YEARS = range(2020, 2036)        # sixteen years: every year labelled would not fit a panel


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def batch_rows() -> pd.DataFrame:
    """Twenty scenarios' rows of every variable the comparison draws, fanning out from 2020."""
    variables = [(v, "%", 10.0 + 10 * k) for k, (v, _) in enumerate(SHARE_VARIABLES)]
    variables += [(s.variable, "100 million CNY", 3000.0 + 500 * k) for k, s in enumerate(SERIES)]
    variables += [(CLUSTER_VARIABLE, "count", 2.0)]
    rows = []
    for i, name in enumerate(NAMES):
        for variable, unit, start in variables:
            for t, year in enumerate(YEARS):
                value = start * (1 + 0.002 * i * t) if unit != "count" else float(2 + (i * t) // 40)
                rows.append({"model": "m", "scenario": name, "region": "Beijing", "variable": variable, "unit": unit,
                             "year": year, "value": value})
    return pd.DataFrame(rows)


def batch_backtest() -> pd.DataFrame:
    rows = []
    for i, name in enumerate(NAMES):
        for year in range(2021, 2026):
            rows.append({"scenario": name, "series": "growth.gdp", "measure": "growth", "unit": "%", "year": year,
                         "projected": 5.0 + 0.05 * i, "realized": 5.2, "census_basis": "4th", "definition": "same"})
            rows.append({"scenario": name, "series": "share.finance", "measure": "share", "unit": "%",
                         "year": year, "projected": 19.0 + 0.1 * i, "realized": 19.5, "census_basis": "5th",
                         "definition": "same"})
    return pd.DataFrame(rows)


def oat_with_a_count() -> pd.DataFrame:
    shift = "pp shift of the stated growth path from 2022"
    rows = [("trillion_clusters", "growth.ict", shift, -2, 2, -2, -3, -1, "count"),
            ("trillion_clusters", "va.industry_2020", "100 million CNY", 4000, 4999.9, -2, -2, -1, "count"),
            ("hightech_share", "growth.ict", shift, -2, 2, 2.0, 1.0, 3.5, "%")]
    return pd.DataFrame([{"target": t, "parameter": p, "parameter_unit": u, "low_value": lo, "high_value": hi,
                          "base_gap": b, "gap_low": gl, "gap_high": gh, "swing": abs(gh - gl), "unit": unit}
                         for t, p, u, lo, hi, b, gl, gh, unit in rows])


def attribution(contributions, unit="count", target="trillion_clusters") -> pd.DataFrame:
    components = ["ict (numerator)", "finance (GDP)", "scitech (GDP)"][:len(contributions)]
    frames = [pd.DataFrame({"target": target, "reference": "baseline", "kind": kind, "component": components,
                            "contribution": contributions, "unit": unit}) for kind in ("sector", "input")]
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------- checks, with the renderer
def overlap(a, b) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(w, 0.0) * max(h, 0.0)


def assert_tick_labels_apart(fig) -> int:
    """No two tick labels of one axis overlap, on any panel of ``fig``; the number of labels checked."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    checked = 0
    for ax in (a for a in fig.axes if a.axison):
        for axis in ("x", "y"):
            labels = [t for t in getattr(ax, f"get_{axis}ticklabels")() if t.get_visible() and t.get_text()]
            boxes = [t.get_window_extent(renderer) for t in labels]
            for (ta, a), (tb, b) in itertools.combinations(zip(labels, boxes), 2):
                assert overlap(a, b) < 1.0, (ax.get_title(), axis, ta.get_text(), tb.get_text())
            checked += len(labels)
    return checked


def scenario_lines(ax) -> dict[str, tuple]:
    """Each scenario's line on ``ax``: name -> (colour, marker, line style)."""
    return {line.get_label().removesuffix(" (projection)"): (to_hex(line.get_color()), line.get_marker(),
                                                            line.get_linestyle())
            for line in ax.lines if line.get_label().removesuffix(" (projection)") in NAMES}


# ---------------------------------------------------------------- the twenty-scenario batch
def test_twenty_scenarios_each_keep_one_look_of_their_own_in_every_figure():
    everything = batch_rows()
    colours = plots.scenario_colours(everything["scenario"])
    figures = [job.draw() for job in comparison_figures(everything, colours, "caption", load_targets())]
    figures.append(backtest_figure(batch_backtest(), "batch", colours=colours))
    looks: dict[str, set] = {}
    for fig in figures:
        for ax in fig.axes:
            for name, look in scenario_lines(ax).items():
                looks.setdefault(name, set()).add(look)
        legend = fig.legends[0]
        drawn = {t.get_text().removesuffix(" (projection)"): (to_hex(h.get_color()), h.get_marker(),
                                                              h.get_linestyle())
                 for t, h in zip(legend.get_texts(), legend.legend_handles) if t.get_text().split(" ")[0] in NAMES}
        assert len(drawn) == 20 and all(looks[n] == {drawn[n]} for n in drawn)     # legend = lines
    assert sorted(looks) == sorted(NAMES)
    assert all(len(v) == 1 for v in looks.values())                  # the same look in every panel and figure
    pairs = [next(iter(v))[:2] for v in looks.values()]
    assert len(set(pairs)) == 20                                      # no (colour, marker) pair repeated
    colours_used = [p[0] for p in pairs]
    assert len(set(colours_used)) == len(plots.SCENARIO_PALETTE)      # every colour before any is used twice


def test_twenty_scenarios_drawn_with_no_tick_labels_running_into_each_other():
    everything = batch_rows()
    colours = plots.scenario_colours(everything["scenario"])
    for job in comparison_figures(everything, colours, "caption", load_targets()):
        fig = job.draw()
        assert assert_tick_labels_apart(fig) >= 6 * len([ax for ax in fig.axes if ax.axison]), job.stem
        years = [int(t.get_text().replace("\N{MINUS SIGN}", "-")) for t in fig.axes[0].get_xticklabels()
                 if t.get_text()]
        assert len(years) >= 3 and years == sorted(years)            # fewer year labels, still years
    assert assert_tick_labels_apart(backtest_figure(batch_backtest(), "batch", colours=colours)) > 10


def test_the_check_finds_year_labels_that_run_into_each_other():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot(list(YEARS), np.arange(len(YEARS)))
    ax.set_xticks(list(YEARS))                        # every year labelled: what the panels did before
    with pytest.raises(AssertionError):
        assert_tick_labels_apart(fig)


def test_a_count_gets_whole_number_ticks_in_every_figure_that_draws_one():
    everything = batch_rows()
    fig = comparison_figures(everything, plots.scenario_colours(NAMES), "caption", load_targets())[1].draw()
    counted = [ax for ax in fig.axes if ax.get_ylabel() == "count"]
    tornado = tornado_figure(oat_with_a_count(), "s", {"trillion_clusters": "Clusters of a trillion yuan"})
    waterfall = plot_waterfall(attribution([1.5, -0.5, 1.0]), "trillion_clusters", kind="sector")
    axes = [(ax.yaxis, ax) for ax in counted] + [(tornado.axes[0].xaxis, tornado.axes[0]), (waterfall.xaxis, waterfall)]
    assert len(axes) == 3
    for axis, ax in axes:
        ax.figure.canvas.draw()
        low, high = axis.get_view_interval()
        ticks = [t for t in axis.get_majorticklocs() if low <= t <= high]
        assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks), ticks
    assert assert_tick_labels_apart(tornado) > 0


def test_a_decomposition_that_is_all_zero_is_no_change_and_gets_no_figure(tmp_path):
    zero, small, moved = attribution([0.0, 0.0, 0.0]), attribution([0.2, -0.1, 0.0]), attribution([1.0, 0.0, -1.0])
    assert no_change(zero, "trillion_clusters") and no_change(small, "trillion_clusters")   # "+0" on every bar
    assert not no_change(moved, "trillion_clusters")           # +1 and -1: a figure, though the total is 0
    share = attribution([0.004, 0.0], unit="%", target="hightech_share")
    assert no_change(share, "hightech_share") and not no_change(attribution([0.01], "%", "hightech_share"),
                                                                  "hightech_share")
    assert not no_change(zero, "some_other_target")             # nothing attributed: not "no change"


@pytest.mark.slow               # one shipped scenario with every figure
def test_a_scenario_folder_has_no_waterfall_of_a_target_that_did_not_move(tmp_path):
    """The shipped ``plan`` changes nothing that decides finance's lead over its parent: no figure,
    and the report says "no change" where the figure would be."""
    from model import batch
    plan = Path(__file__).resolve().parents[1] / "scenarios" / "plan.yaml"
    options = batch.RunOptions(draws=0)
    (outcome, *_) = batch.run_batch([plan], tmp_path / "out", ["test"], options)
    assert outcome.ok, outcome.problems
    folder = tmp_path / "out" / "plan"
    table = pd.read_csv(folder / "attribution.csv")
    assert no_change(table, "finance_first_pillar") and not no_change(table, "hightech_share")
    assert not list(folder.glob("waterfall_finance_first_pillar.*"))
    assert (folder / "waterfall_hightech_share.png").is_file()
    report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "no change from the reference" in report


# ---------------------------------------------------------------- lever map: markers apart
def crowded_map() -> LeverMap:
    """A map whose scenario point, nearest combination and two goal-seek answers fall on one spot."""
    targets = [t for t in load_targets() if t.id in ("hightech_share", "manufacturing_share")]
    rates = np.linspace(-0.1, 0.4, 11)
    met = (rates[None, :] + rates[:, None]) > 0.2
    return LeverMap(pair=("ict", "finance"), rates_a=rates, rates_b=rates, first_year=2022, last_year=2025,
                    targets=tuple(targets), values={t.id: met.astype(float) for t in targets},
                    met={t.id: met for t in targets}, own=(0.136, 0.136),
                    goal={targets[0].id: (0.137, 0.135), targets[1].id: (0.3, 0.3)}, nearest=(0.14, 0.136))


def test_lever_map_markers_that_would_hide_each_other_are_drawn_apart():
    fig = lever_map_figure(crowded_map(), "s")
    ax = fig.axes[0]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    markers = [line for line in ax.lines if line.get_marker() in ("o", "x", "*") and line.get_linestyle() == "None"]
    assert len(markers) == 4                                  # two goal-seek answers, the scenario, the star
    boxes = [line.get_window_extent(renderer) for line in markers]
    for a, b in itertools.combinations(boxes, 2):
        assert overlap(a, b) < 0.2 * min(a.width * a.height, b.width * b.height)
    labels = [t.get_text() for t in fig.legends[0].get_texts()] if fig.legends else \
        [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("moved aside" in label for label in labels)


def test_lever_map_draws_markers_in_place_when_they_are_apart():
    fig = lever_map_figure(dataclasses.replace(crowded_map(), own=(0.0, 0.0), nearest=(0.35, 0.0)), "s")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert not any("moved aside" in label for label in labels)


# ---------------------------------------------------------------- files: formats and processes
def small_jobs():
    def figure(k):
        def make():
            fig, ax = plt.subplots(figsize=(3, 2), layout="constrained")
            ax.plot([0, 1], [0, k])
            ax.set_title(f"figure {k}")
            return fig
        return make
    return [figure_files.FigureJob("shares", figure(1)), figure_files.FigureJob("tornado", figure(2), dpi=110),
            figure_files.FigureJob("backtest", figure(3), cost=3.0)]


def test_each_figure_is_written_in_the_formats_its_readers_need(tmp_path):
    with plt.rc_context(FIGURE_STYLE):
        figure_files.draw_all(small_jobs(), tmp_path, n_processes=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backtest.png", "shares.png", "shares.svg", "tornado.png"]
    svg = (tmp_path / "shares.svg").read_text(encoding="utf-8")
    assert "<text" in svg and "figure 1" in svg               # text as text (svg.fonttype none in the house style)


def test_two_processes_write_the_same_files_as_one(tmp_path):
    for n in (1, 2):
        (tmp_path / str(n)).mkdir()
        with plt.rc_context({"svg.hashsalt": "x"}):
            figure_files.draw_all(small_jobs(), tmp_path / str(n), n_processes=n)
    one, two = sorted((tmp_path / "1").iterdir()), sorted((tmp_path / "2").iterdir())
    assert [p.name for p in one] == [p.name for p in two] and len(one) == 4
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(one, two))


def test_a_figure_failing_in_the_other_process_is_raised_here(tmp_path):
    def broken():
        raise ValueError("no such series")
    jobs = [figure_files.FigureJob("shares", small_jobs()[0].draw, cost=1.0),
            figure_files.FigureJob("tornado", broken, cost=5.0)]
    with pytest.raises((RuntimeError, ValueError), match="no such series"):
        figure_files.draw_all(jobs, tmp_path, n_processes=2)


def test_a_process_takes_the_next_figure_when_it_is_free_so_a_long_figure_does_not_hold_up_the_rest(tmp_path):
    """The costliest figure is taken first, and waits until every other figure is saved: only if the other
    process takes them all while it waits (rather than a share fixed in advance) does the drawing end."""
    import os
    import time
    small = small_jobs()[0].draw

    def longest():
        deadline = time.monotonic() + 30
        while len(list(tmp_path.glob("small*.png"))) < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
        (tmp_path / "drawer_of_longest").write_text(str(os.getpid()))
        return small()

    def quick(k):
        def draw():
            (tmp_path / f"drawer_of_small{k}").write_text(str(os.getpid()))
            return small()
        return draw
    jobs = [figure_files.FigureJob("longest", longest, cost=9.0)] + [
        figure_files.FigureJob(f"small{k}", quick(k), cost=c) for k, c in enumerate((4.0, 3.0, 2.0, 1.0))]
    figure_files.draw_all(jobs, tmp_path, n_processes=2)
    assert len(list(tmp_path.glob("small*.png"))) == 4
    others = {(tmp_path / f"drawer_of_small{k}").read_text() for k in range(4)}
    assert len(others) == 1 and others != {(tmp_path / "drawer_of_longest").read_text()}


def test_a_figure_failing_in_either_process_is_named_in_the_error(tmp_path):
    import time

    def slow():
        time.sleep(0.3)                           # one process is busy with it, the other takes the broken one
        return small_jobs()[0].draw()

    def broken():
        raise ValueError("no such series")
    jobs = [figure_files.FigureJob("shares", slow, cost=5.0), figure_files.FigureJob("tornado", broken, cost=1.0)]
    with pytest.raises(RuntimeError, match="drawing the figure tornado failed: ValueError: no such series"):
        figure_files.draw_all(jobs, tmp_path, n_processes=2)


def test_an_all_zero_waterfall_would_only_say_plus_zero():
    """What the figure left out would have shown: every bar "+0" (the reason for leaving it out)."""
    ax = waterfall_figure(attribution([0.0, 0.0, 0.0]), "trillion_clusters", "s").axes[0]
    assert {t.get_text() for t in ax.texts} == {"+0"}


def test_a_scenario_keeps_its_batch_look_in_its_own_backtest_figure():
    everything, table = batch_rows(), batch_backtest()
    colours = plots.scenario_colours(everything["scenario"])
    name = NAMES[12]                                  # past the palette's first round: dashed
    batch_look = scenario_lines(comparison_figures(everything, colours, "c", load_targets())[0].draw().axes[0])[name]
    own = backtest_figure(table[table["scenario"] == name], name, colours=colours)
    assert scenario_lines(own.axes[0]) == {name: batch_look} and batch_look[2] == "--"


def test_a_worker_of_a_process_pool_draws_its_figures_alone():
    import concurrent.futures
    import multiprocessing
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        assert pool.submit(figure_files.processes).result() == 1


def test_a_png_holds_the_pixels_matplotlib_would_write_in_rgb(tmp_path):
    from PIL import Image
    jobs = small_jobs()
    figure_files.save_figure(jobs[1].draw(), tmp_path / "ours", dpi=110, svg=False)
    theirs = jobs[1].draw()
    theirs.savefig(tmp_path / "theirs.png", dpi=110)
    ours, reference = Image.open(tmp_path / "ours.png"), Image.open(tmp_path / "theirs.png")
    assert ours.mode == "RGB" and reference.mode == "RGBA"
    rgba = np.asarray(reference)
    assert (rgba[..., 3] == 255).all()                               # an opaque canvas: alpha said nothing
    assert np.array_equal(np.asarray(ours), rgba[..., :3])
    assert round(ours.info["dpi"][0]) == 110


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 12), st.integers(1, 12), st.integers(30, 300), st.data())
def test_a_png_of_any_pixels_reads_back_as_those_pixels_at_its_resolution(height, width, dpi, data):
    import io

    from PIL import Image
    flat = data.draw(st.lists(st.integers(0, 255), min_size=height * width * 3, max_size=height * width * 3))
    rgb = np.array(flat, dtype=np.uint8).reshape(height, width, 3)
    image = Image.open(io.BytesIO(figure_files.png_bytes(rgb, dpi)))
    image.load()                                                    # checks every chunk's CRC and the data's
    assert image.mode == "RGB" and image.size == (width, height)
    assert np.array_equal(np.asarray(image), rgb)
    assert round(image.info["dpi"][0]) == dpi and not image.text    # no text chunks


def test_a_figure_png_is_near_the_size_of_an_adaptively_filtered_one():
    import io

    from PIL import Image
    fig = small_jobs()[1].draw()
    fig.set_dpi(110)
    fig.canvas.draw()
    rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    ours = figure_files.png_bytes(rgb, 110)
    adaptive = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb)).save(adaptive, format="png", compress_level=figure_files.PNG_COMPRESSION)
    assert len(ours) < 1.2 * len(adaptive.getvalue())
    plt.close(fig)


def test_an_axis_makes_no_ticks_past_its_view_and_draws_the_same_ones():
    from matplotlib.ticker import MaxNLocator

    from model.output.plots import InViewLocator

    def panel(locator):
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.plot(list(YEARS), np.linspace(3.3, 17.9, len(YEARS)))
        ax.yaxis.set_major_locator(locator)
        fig.canvas.draw()
        drawn = [(t.get_loc(), t.label1.get_text()) for t in ax.yaxis.get_major_ticks()
                 if ax.get_ylim()[0] <= t.get_loc() <= ax.get_ylim()[1]]
        return drawn, len(ax.yaxis.majorTicks)
    (everything, made), (in_view, made_in_view) = panel(MaxNLocator(6)), panel(InViewLocator(MaxNLocator(6)))
    assert in_view == everything and len(in_view) >= 4
    assert made_in_view == len(in_view) < made                       # none made past the ends


def test_the_collector_scans_the_heap_again_once_the_figures_are_drawn_even_after_a_failure(tmp_path):
    import gc
    seen = []

    def watched():
        seen.append(gc.get_freeze_count())
        return small_jobs()[0].draw()

    def broken():
        raise ValueError("no such series")
    figure_files.draw_all([figure_files.FigureJob("shares", watched)], tmp_path, n_processes=1)
    assert seen[0] > 0 and gc.get_freeze_count() == 0                # frozen while drawing, not after
    with pytest.raises(ValueError, match="no such series"):
        figure_files.draw_all([figure_files.FigureJob("shares", broken)], tmp_path, n_processes=1)
    assert gc.get_freeze_count() == 0


def test_the_figures_are_freed_when_the_drawing_ends_not_at_some_later_collection(tmp_path):
    """A figure is a web of reference cycles: only the collector frees it.  Drawing collects them before
    the run's heap is given back to the collector (a large heap makes full collections rare, and a batch
    run in one process grew with every scenario).  The automatic collector is held off here, so that
    only the drawing's own collection can free them."""
    import gc
    import weakref
    drawn = []

    def tracked(k):
        def draw():
            fig = small_jobs()[k].draw()
            drawn.append(weakref.ref(fig))
            return fig
        return draw
    jobs = [figure_files.FigureJob(f"figure{k}", tracked(k)) for k in range(3)]
    was = gc.isenabled()
    gc.disable()
    try:
        figure_files.draw_all(jobs, tmp_path, n_processes=1)
        assert len(drawn) == 3 and all(ref() is None for ref in drawn)
    finally:
        if was:
            gc.enable()

"""Figures: importing the package leaves matplotlib alone; targets are drawn as they describe themselves;
the figures are laid out without overlaps, in a colour-blind-safe palette, labelled in words."""
import itertools
import os
import subprocess
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from model.analysis.sensitivity import oat_inputs  # noqa: E402
from model.baseline.realized import REALIZED_FILE_COLUMNS  # noqa: E402
from model.core.iamc import CLUSTER_VARIABLE, SCENARIO_4TH, SCENARIO_5TH  # noqa: E402
from model.core.sectors import KEYS  # noqa: E402
from model.output import plots  # noqa: E402
from model.output.figures import by_scenario_figure, fan_figure, scorecard_matrix_figure  # noqa: E402
from model.output.plots import plot_by_scenario, plot_fan, plot_shares  # noqa: E402
from model.output.plots_attribution import component_label, plot_waterfall  # noqa: E402
from model.output.plots_backtest import backtest_figure, plot_backtest, series_description  # noqa: E402
from model.output.plots_sensitivity import parameter_description, plot_tornado, tornado_figure  # noqa: E402
from model.targets.definitions import load_targets  # noqa: E402
from model.targets.scorecard import MET, MISSED

ROOT = Path(__file__).resolve().parents[1]

IMPORT_EVERYTHING = """
import matplotlib
before = matplotlib.rcParams.copy()
import model.batch, model.output.write, model.output.plots, model.output.plots_sensitivity, model.output.comparison
import model.output.figures, model.output.plots_backtest, model.output.plots_attribution
after = matplotlib.rcParams.copy()
changed = sorted(k for k in before if before[k] != after[k])
print(changed)
"""


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_importing_the_package_changes_no_matplotlib_setting():
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    out = subprocess.run([sys.executable, "-c", IMPORT_EVERYTHING], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "[]"                 # neither the backend nor the SVG settings


def tidy(variable: str, values, scenario="s", unit="%") -> pd.DataFrame:
    return pd.DataFrame([{"model": "m", "scenario": scenario, "region": "r", "variable": variable, "unit": unit,
                          "year": y, "value": v} for y, v in zip(range(2020, 2026), values)])


SHARES = tuple(variable for variable, *_ in plots.SHARE_LINES)     # high-tech, manufacturing, finance
HIGHTECH, MANUFACTURING, FINANCE = SHARES


def test_shares_figure_draws_a_line_for_each_target_level_of_a_plotted_share():
    df = pd.concat([tidy(v, [10.0] * 6) for v in SHARES])
    ax = plot_shares(df, load_targets())
    labels = sorted(a.get_text() for a in ax.texts)
    assert labels == ["2025 target ≈ 13 %", "2025 target ≈ 15 % (stretch)", "2025 target ≥ 30 %"]


def test_by_scenario_figure_shades_a_range_and_a_tolerance_band():
    ax = plot_by_scenario(tidy(CLUSTER_VARIABLE, [1, 1, 2, 2, 3, 4], unit="count"), CLUSTER_VARIABLE,
                          load_targets())
    assert [a.get_text() for a in ax.texts] == ["2025 target 4-5"]
    assert [round(p.get_alpha(), 2) for p in ax.patches] == [0.15]     # a band alone, no dashed line
    ax = plot_by_scenario(tidy(MANUFACTURING, [8.0] * 6), MANUFACTURING, load_targets())
    assert [round(p.get_alpha(), 2) for p in ax.patches] == [0.12, 0.12]    # the tolerance band around each line
    assert len([line for line in ax.lines if line.get_linestyle() == "--"]) == 2


# ---------------------------------------------------------------- layout, checked with the renderer
def _area(a, b) -> float:
    """Overlap (square pixels) of two window extents."""
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(w, 0.0) * max(h, 0.0)


def assert_laid_out(fig):
    """No legend over any panel, no target label over any panel, every text inside the canvas."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    panels = [ax for ax in fig.axes if ax.axison]
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    assert legends
    for legend in legends:
        box = legend.get_window_extent(renderer)
        for ax in panels:
            assert _area(box, ax.get_window_extent(renderer)) < 1.0, (
                [t.get_text() for t in legend.get_texts()][:3], ax.get_title())
    for ax in panels:
        for note in ax.texts:
            if "target" in note.get_text():
                for other in panels:
                    assert _area(note.get_window_extent(renderer), other.get_window_extent(renderer)) < 1.0, \
                        note.get_text()
    canvas = fig.bbox
    texts = list(fig.texts) + [t for ax in fig.axes for t in (ax.title, ax._left_title, ax._right_title)]
    texts += [legend for legend in legends]
    for t in texts:
        if not t.get_visible() or (hasattr(t, "get_text") and not t.get_text()):
            continue
        box = t.get_window_extent(renderer)
        assert box.x0 >= canvas.x0 - 1 and box.x1 <= canvas.x1 + 1 and box.y0 >= canvas.y0 - 1 \
            and box.y1 <= canvas.y1 + 1, getattr(t, "get_text", lambda: "legend")()


def three_scenarios(finance=(19.9, 19.3, 19.9, 20.0, 20.1, 20.2)) -> pd.DataFrame:
    frames = []
    for i, name in enumerate(("baseline", "plan", "downside")):
        frames += [tidy(HIGHTECH, [27.4, 30.5, 29.7 + i, 30.8 + i, 31.7 + i, 32.7 + i], name),
                   tidy(MANUFACTURING, [9.8, 12.4, 9.9, 9.7 + i, 9.5 + i, 9.3 + i], name),
                   tidy(FINANCE, [f + 0.3 * i for f in finance], name)]
    return pd.concat(frames, ignore_index=True)


REALIZED_POINTS = pd.DataFrame({"model": "Beijing Statistics", "scenario": [SCENARIO_4TH, SCENARIO_5TH],
                                "region": "Beijing", "variable": HIGHTECH, "unit": "%",
                                "year": [2021, 2025], "value": [30.1, 33.0]})
PANELS = tuple(zip(SHARES, ("High-tech value added", "Manufacturing value added", "Finance value added")))


def test_comparison_figure_keeps_legends_and_target_labels_off_every_panel():
    df = three_scenarios()
    fig = by_scenario_figure(df, PANELS, 3, plots.scenario_colours(df["scenario"]), "Shares by scenario",
                             "A caption long enough to need wrapping on a figure of this width: " * 3,
                             load_targets(), REALIZED_POINTS)
    assert_laid_out(fig)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["baseline", "downside", "plan", "realized, 4th-census basis", "realized, 5th-census basis"]


def test_a_spread_of_under_two_points_is_not_stretched_to_the_full_height():
    ax = plot_by_scenario(three_scenarios(), FINANCE, load_targets())
    low, high = ax.get_ylim()
    assert high - low >= plots.MIN_SPAN["%"]
    assert low <= 19.3 and high >= 20.8                # the data still inside


def test_the_y_axis_holds_the_target_line():
    ax = plot_by_scenario(three_scenarios(), MANUFACTURING, load_targets())
    assert ax.get_ylim()[1] > 16.0                     # the stretch target's tolerance band (14-16) is shown


def test_counts_get_integer_ticks():
    ax = plot_by_scenario(tidy(CLUSTER_VARIABLE, [2, 2, 2, 3, 3, 4], unit="count"), CLUSTER_VARIABLE,
                          load_targets())
    ticks = [t for t in ax.get_yticks() if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]]
    assert ticks and all(float(t).is_integer() for t in ticks)


def test_a_small_share_keeps_its_own_scale():
    ax = plot_by_scenario(tidy(FINANCE, [0.28, 0.27, 0.26, 0.25, 0.24, 0.23]), FINANCE)
    low, high = ax.get_ylim()
    assert high - low < 1.0                           # not a 4-point axis for a 0.3 % share


# ---------------------------------------------------------------- palette: colour-blind safe
# Simulation of dichromacy on linear RGB (Machado, Oliveira & Fernandes 2009, severity 1).
DICHROMACY = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
    "normal vision": np.eye(3),
}
DELTA_E_MIN = 15.0      # CIE76 distance in CIELAB: clearly different lines, beyond "just noticeable" (~2.3)


def _lab(colour, matrix) -> np.ndarray:
    c = np.asarray(to_rgb(colour))
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    linear = np.clip(matrix @ linear, 0.0, 1.0)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def closest_pair(colours, matrix) -> float:
    return min(float(np.linalg.norm(_lab(a, matrix) - _lab(b, matrix))) for a, b in itertools.combinations(colours, 2))


@pytest.mark.parametrize("vision", sorted(DICHROMACY))
@pytest.mark.parametrize("palette", ["scenarios", "shares", "met and missed"])
def test_palette_colours_stay_distinct_under_colour_blindness(vision, palette):
    colours = {"scenarios": plots.SCENARIO_PALETTE, "shares": [c for _, _, c, _ in plots.SHARE_LINES],
               "met and missed": [plots.STATUS_COLOURS[MET], plots.STATUS_COLOURS[MISSED]]}[palette]
    assert closest_pair(colours, DICHROMACY[vision]) >= DELTA_E_MIN


def test_the_simulation_finds_a_pair_only_colour_vision_tells_apart():
    red, green = "#d62728", "#2ca02c"          # the classic confusion pair
    assert closest_pair([red, green], DICHROMACY["normal vision"]) > 50
    assert closest_pair([red, green], DICHROMACY["deuteranopia"]) < DELTA_E_MIN


def test_scenarios_keep_colour_and_marker_and_no_two_share_both():
    names = [f"s{i:03d}" for i in range(72)]
    colours, markers = plots.scenario_colours(names), plots.scenario_markers(names)
    assert len({(colours[n], markers[n]) for n in names}) == len(names)
    few = plots.scenario_colours(["plan", "baseline"])
    assert few == {k: colours_of(k, ["baseline", "plan"]) for k in few}       # sorted order, any input order


def colours_of(name, names):
    return plots.scenario_colours(names)[name]


def test_scorecard_matrix_writes_the_status_in_every_cell_and_labels_targets_in_words():
    cards = pd.DataFrame({"scenario": ["a", "a", "b", "b"], "target": ["hightech_share", "car_output"] * 2,
                          "description": ["High-tech value added above 30 % of GDP", "Car output over 700 billion"] * 2,
                          "status": [MET, MISSED, MISSED, MET], "gap": [2.0, -100.0, -1.0, 50.0],
                          "unit": ["%", "100 million CNY"] * 2, "p_met": [0.9, 0.1, np.nan, np.nan]})
    fig = scorecard_matrix_figure(cards, "caption")
    ax = fig.axes[0]
    cells = [t.get_text().split("\n")[0] for t in ax.texts]
    assert cells == [MET, MISSED, MISSED, MET]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert not {"hightech_share", "car_output"} & set(labels)
    assert labels[0].replace("\n", " ") == "High-tech value added above 30 % of GDP"
    assert_laid_out(fig)


# ---------------------------------------------------------------- fan chart
def fan_table() -> pd.DataFrame:
    rows = []
    for variable, centre in zip(SHARES, (30.0, 10.0, 20.0)):
        for k, year in enumerate(range(2020, 2026)):
            spread = 0.4 * k
            rows.append({"variable": variable, "year": year, "p05": centre - 2 * spread, "p10": centre - 1.6 * spread,
                         "p25": centre - spread, "p50": centre + 0.1, "p75": centre + spread,
                         "p90": centre + 1.6 * spread, "p95": centre + 2 * spread, "deterministic": centre + 0.3 * k})
    return pd.DataFrame(rows)


def test_fan_chart_draws_the_deterministic_path_and_names_its_bands():
    fan = fan_table()
    ax = plot_fan(fan, load_targets())
    deterministic = fan[fan["variable"] == HIGHTECH]["deterministic"].to_numpy()
    assert any(np.array_equal(np.asarray(line.get_ydata(), float), deterministic) and line.get_linestyle() == "-"
               for line in ax.lines)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(label.startswith("90 % band") for label in labels)
    assert any(label.startswith("50 % band") for label in labels)
    assert "scenario (deterministic projection)" in labels
    assert_laid_out(fan_figure(fan, load_targets(), "Fan", "caption"))


# ---------------------------------------------------------------- words, not keys
def test_every_sensitivity_input_is_described_in_words():
    for i in oat_inputs():
        text = parameter_description(i.parameter)
        assert text != i.parameter and i.parameter not in text, i.parameter


def oat_table() -> pd.DataFrame:
    rows = [("hightech_share", "va.industry_2020", "100 million CNY", 4000, 4999.9, 2.0, 1.5, 2.5),
            ("hightech_share", "growth.ict", "pp shift of the stated growth path from 2022", -2, 2, 2.0, 1.0, 3.5),
            ("hightech_share", "revenue_links.ic.base_2020", "100 million CNY", 800, 1400, 2.0, 2.0, 2.0),
            ("car_output", "revenue_links.cars.elasticity", "dimensionless", 0.5, 1.5, -900, -1500, -300)]
    return pd.DataFrame([{"target": t, "parameter": p, "parameter_unit": u, "low_value": lo, "high_value": hi,
                          "base_gap": b, "gap_low": gl, "gap_high": gh, "swing": abs(gh - gl),
                          "unit": "%" if t == "hightech_share" else "100 million CNY"}
                         for t, p, u, lo, hi, b, gl, gh in rows])


def test_tornado_labels_inputs_and_targets_in_words_and_keeps_its_legend_off_the_bars():
    descriptions = {"hightech_share": "High-tech value added above 30 % of GDP",
                    "car_output": "Car industry output value over 700 billion yuan (strive for)"}
    fig = tornado_figure(oat_table(), "s", descriptions)
    assert_laid_out(fig)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["Real growth: Information transmission,\nsoftware and IT services  [-2 to +2 pp]",
                      "Industry value added 2020  [4000 to 4999.9 100 million CNY]"]       # no swing: left out
    assert ax.get_title() == descriptions["hightech_share"]
    assert not any(key in "".join(labels) for key in ("va.industry_2020", "growth.ict"))


def test_tornado_high_end_differs_from_the_low_end_without_colour():
    ax = plot_tornado(oat_table(), "hightech_share")
    hatches = {p.get_hatch() for p in ax.patches}
    assert None in hatches and len(hatches) == 2


def test_attribution_components_are_named_by_sector():
    for key in KEYS:
        for role in ("numerator", "GDP", "link", "runner-up", "leader"):
            component = f"{key} ({role})"
            assert key not in component_label(component), component
    assert component_label("real growth") == "real growth"


def test_waterfall_names_sectors_titles_the_target_and_keeps_its_bars_inside():
    table = pd.DataFrame({"target": "hightech_share", "reference": 2020, "kind": "sector",
                          "component": ["ict (numerator)", "ict (GDP)", "scitech (GDP)", "mfg_hightech (numerator)"],
                          "contribution": [10.0, -3.0, -1.0, 2.0], "unit": "%"})
    ax = plot_waterfall(table, "hightech_share", kind="sector", description="High-tech value added above 30 % of GDP")
    ax.figure.canvas.draw()
    boxes = [t.get_window_extent() for t in ax.get_yticklabels()]
    assert all(_area(a, b) < 1.0 for a, b in itertools.combinations(boxes, 2))      # long sector names, one a row
    labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    assert labels[0] == "Information transmission, software and IT services (in the share)"
    assert "hightech_share" not in ax.get_title()
    low, high = ax.get_xlim()
    assert low < 0.0 and high > 10.0                 # the end of the first bar (10) is not cut off
    assert [t.get_text() for t in ax.texts] == ["+10.00", "-3.00", "+2.00", "-1.00", "+8.00"]   # not colour alone


# ---------------------------------------------------------------- backtest
def backtest_table() -> pd.DataFrame:
    rows = []
    for name, shift in (("a", 0.0), ("b", 0.5)):
        for year, realized, basis in ((2021, 5.5, "4th"), (2022, 3.0, "4th"), (2024, 5.0, "5th")):
            rows.append({"scenario": name, "series": "growth.gdp", "measure": "growth", "unit": "%", "year": year,
                         "projected": 5.0 + shift, "realized": realized, "census_basis": basis,
                         "definition": "same"})
        rows.append({"scenario": name, "series": "share.finance", "measure": "share", "unit": "%", "year": 2025,
                     "projected": 20.1 + shift, "realized": 16.6, "census_basis": "5th", "definition": "same"})
    return pd.DataFrame(rows)


def test_backtest_plot_draws_a_line_per_scenario_and_the_realized_points():
    ax = plot_backtest(backtest_table(), "growth.gdp")
    assert len(ax.lines) == 2
    points = np.concatenate([c.get_offsets() for c in ax.collections])
    assert sorted(points[:, 1].tolist()) == [3.0, 5.0, 5.5]
    assert ax.get_title() == "Real growth: GDP"
    with pytest.raises(KeyError, match="no series 'growth.nothing'"):
        plot_backtest(backtest_table(), "growth.nothing")


def test_backtest_figure_titles_panels_in_words_with_one_legend_off_the_panels():
    fig = backtest_figure(backtest_table(), "a")
    assert [ax.get_title() for ax in fig.axes if ax.axison] == ["Real growth: GDP", "Share of GDP: Finance"]
    assert len(fig.legends) == 1 and not any(ax.get_legend() for ax in fig.axes)
    assert_laid_out(fig)


def test_backtest_figure_draws_each_evaluation_in_its_own_panels_real_time_first():
    from model.analysis.backtest import LATEST, REAL_TIME
    table = backtest_table()
    table = pd.concat([table.assign(evaluation=LATEST, period="annual"),
                       table.assign(evaluation=REAL_TIME, period="annual"),
                       table.head(1).assign(evaluation=REAL_TIME, period="Q1-Q3", year=2023)])   # partial: table only
    fig = backtest_figure(table, "a")
    titles = [ax.get_title().replace("\n", " ") for ax in fig.axes if ax.axison]
    assert titles == ["Real growth: GDP (real-time, 4th census)", "Share of GDP: Finance (real-time, 4th census)",
                      "Real growth: GDP (latest, 5th census)", "Share of GDP: Finance (latest, 5th census)"]
    first = next(ax for ax in fig.axes if ax.axison)
    assert 2023 not in first.lines[0].get_xdata()


def test_every_realized_series_the_model_compares_is_described_in_words():
    from model.analysis.backtest_series import series_for
    keys = pd.read_csv(ROOT / "model" / "data" / "realized.csv", usecols=["key"])["key"].unique()
    compared = [k for k in keys if series_for(k) is not None]
    assert compared
    for key in compared:
        assert series_description(key) != key and key not in series_description(key), key
    assert REALIZED_FILE_COLUMNS[0] == "key"

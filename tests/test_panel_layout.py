"""The grid figures' layout (model/output/panel_layout.py), checked with the renderer: no panel's texts
reach over another panel or out of the canvas, the figure's title, legend and caption stay off the panels,
and the panels take the room the texts leave."""
import itertools

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from model.output import panel_layout  # noqa: E402
from model.output.plots import caption, lay_out_panels, panel_grid  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def overlap(a, b) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(w, 0.0) * max(h, 0.0)


def crowded_grid(figsize=(11.0, 7.0)):
    """Five panels on three columns, each with texts of another size around it: wide tick labels,
    an offset text, a two-line title, a note in the right margin, an x label of two lines."""
    fig, axes = panel_grid(5, 3, figsize)
    years = np.arange(2020, 2036)
    axes[0].plot(years, 25000 + 1000 * np.arange(16))                # wide tick labels: 25000 ...
    axes[0].set_ylabel("100 million CNY")
    axes[1].plot(years, 1e9 + np.linspace(0, 0.004, 16))            # an offset text above the axis
    axes[1].set_title("A title long enough to be\nwritten on two lines", fontsize=10, y=1.0)
    axes[2].plot(years, np.linspace(1, 2, 16))
    axes[2].annotate("2025 target ≥ 30000", (1.0, 1.5), xycoords=("axes fraction", "data"), xytext=(4, 0),
                     textcoords="offset points", va="center", fontsize=7)
    axes[3].barh([0, 1], [3, -2])
    axes[3].set_yticks([0, 1], ["Real growth: Information transmission,\nsoftware and IT services", "Finance"])
    axes[3].set_xlabel("gap to the target\nsolid line: the scenario's own gap")
    axes[4].plot(years, np.linspace(1, 2, 16))                       # narrow ones: 1.0 ...
    axes[4].set_ylabel("% of GDP")
    axes[0].plot([], [], label="a scenario with a long name")
    fig.legend(loc="outside right upper", frameon=False)
    texts = [fig.suptitle("The figure's title", fontsize=11),
             caption(fig, "A caption long enough to be wrapped on this figure: " * 4)]
    lay_out_panels(fig, *texts)
    return fig, axes, texts + fig.legends


def test_no_panel_text_reaches_another_panel_or_leaves_the_canvas():
    fig, axes, figure_texts = crowded_grid()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for (i, a), (j, b) in itertools.permutations(enumerate(axes), 2):
        assert overlap(a.get_tightbbox(renderer), b.get_window_extent(renderer)) < 1.0, (i, j)
    canvas = fig.bbox
    for item in [*axes, *figure_texts]:
        tight = item.get_tightbbox(renderer)
        assert tight.x0 >= canvas.x0 - 1 and tight.x1 <= canvas.x1 + 1 and tight.y0 >= canvas.y0 - 1 \
            and tight.y1 <= canvas.y1 + 1, item
    for text in figure_texts:
        for ax in axes:
            assert overlap(text.get_window_extent(renderer), ax.get_tightbbox(renderer)) < 1.0, text


def test_the_margins_follow_the_texts_and_the_panels_take_the_rest():
    fig, axes, _ = crowded_grid()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    sizes = {(round(ax.get_position().width, 9), round(ax.get_position().height, 9)) for ax in axes}
    assert len(sizes) == 1                                            # panels of one size
    tights = [ax.get_tightbbox(renderer) for ax in axes]
    dpi = fig.dpi
    left = min(t.x0 for t in tights) / dpi
    assert left < panel_layout.PAD + 0.02                            # the widest labels start at the pad
    columns = {}
    for ax in axes:
        columns.setdefault(ax.get_subplotspec().colspan.start, []).append(ax.get_window_extent(renderer).x0)
    assert all(max(x) - min(x) < 0.5 for x in columns.values())       # a column's panels aligned
    first = axes[0].get_window_extent(renderer).x0 - tights[0].x0     # wide labels: a wide left margin
    fifth = axes[4].get_window_extent(renderer).x0 - tights[4].x0
    assert first > fifth > 0


def test_a_figure_too_small_for_its_texts_is_left_as_it_is_with_a_warning():
    fig, axes = panel_grid(4, 2, (1.0, 1.0))
    for ax in axes:
        ax.set_title("a title of many words\n" * 4)
    before = [ax.get_position().bounds for ax in axes]
    lay_out_panels(fig, None, None)
    with pytest.warns(UserWarning, match="no room for the panels"):
        fig.canvas.draw()
    assert [ax.get_position().bounds for ax in axes] == before

"""Figures: importing the package leaves matplotlib alone; targets are drawn as they describe themselves."""
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from model.output.plots import plot_by_scenario, plot_shares
from model.projection.indicators import HIGHTECH_SHARE
from model.targets.targets import load_targets

ROOT = Path(__file__).resolve().parents[1]

IMPORT_EVERYTHING = """
import matplotlib
before = matplotlib.rcParams.copy()
import model.batch, model.output.report, model.output.plots, model.output.plots_sensitivity, model.output.comparison
after = matplotlib.rcParams.copy()
changed = sorted(k for k in before if before[k] != after[k])
print(changed)
"""


def test_importing_the_package_changes_no_matplotlib_setting():
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    out = subprocess.run([sys.executable, "-c", IMPORT_EVERYTHING], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "[]"                 # neither the backend nor the SVG settings


def tidy(variable: str, values, scenario="s", unit="%") -> pd.DataFrame:
    return pd.DataFrame([{"model": "m", "scenario": scenario, "region": "r", "variable": variable, "unit": unit,
                          "year": y, "value": v} for y, v in zip(range(2020, 2026), values)])


def test_shares_figure_draws_a_line_for_each_target_level_of_a_plotted_share():
    df = pd.concat([tidy(v, [10.0] * 6) for v in (HIGHTECH_SHARE, "Share of GDP|Manufacturing",
                                                  "Share of GDP|Finance")])
    ax = plot_shares(df, load_targets())
    labels = sorted(a.get_text() for a in ax.texts)
    assert labels == ["2025 target ≈ 13 %", "2025 target ≈ 15 % (stretch)", "2025 target ≥ 30 %"]


def test_by_scenario_figure_shades_a_range_and_a_tolerance_band():
    ax = plot_by_scenario(tidy("Clusters|Trillion-yuan", [1, 1, 2, 2, 3, 4], unit="count"), "Clusters|Trillion-yuan",
                          load_targets())
    assert [a.get_text() for a in ax.texts] == ["2025 target 4-5"]
    assert [round(p.get_alpha(), 2) for p in ax.patches] == [0.15]     # a band alone, no dashed line
    ax = plot_by_scenario(tidy("Share of GDP|Manufacturing", [8.0] * 6), "Share of GDP|Manufacturing", load_targets())
    assert [round(p.get_alpha(), 2) for p in ax.patches] == [0.12, 0.12]    # the tolerance band around each line
    assert len([line for line in ax.lines if line.get_linestyle() == "--"]) == 2

"""Figures: functions ``(table, ..., ax=None) -> ax``.  They never save or show."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

SYMBOLS = {">=": "≥", "~": "≈", "<=": "≤"}
SHARE_LINES = (
    ("Share of GDP|High-tech", "High-tech (gao-jing-jian)", "#c0392b"),
    ("Share of GDP|Manufacturing", "Manufacturing", "#2471a3"),
    ("Share of GDP|Finance", "Finance", "#7d8c2b"),
)


def plot_shares(df: pd.DataFrame, targets: list[dict] = (), ax: plt.Axes | None = None) -> plt.Axes:
    """Headline shares of GDP by year (one scenario) with the plan's target lines.

    ``df`` is a tidy table (:mod:`model.results`); ``targets`` are entries of
    ``model/data/targets.yaml`` whose variable is plotted here.
    """
    ax = ax or plt.figure(figsize=(8, 5)).add_subplot()
    colours = {}
    for variable, label, colour in SHARE_LINES:
        rows = df[df["variable"] == variable].sort_values("year")
        ax.plot(rows["year"], rows["value"], marker="o", ms=3, color=colour, label=label)
        colours[variable] = colour
    for t in targets:
        if t["variable"] not in colours:
            continue
        colour = colours[t["variable"]]
        ax.axhline(t["value"], color=colour, ls="--", lw=0.9, alpha=0.8)
        ax.plot([t["year"]], [t["value"]], marker="*", ms=11, color=colour, ls="none")
        label = f"{t['year']} target {SYMBOLS.get(t['comparator'], t['comparator'])} {t['value']:g} %"
        if "stretch" in t["description"]:
            label += " (stretch)"
        ax.annotate(label, (t["year"], t["value"]),
                    xytext=(-6, 4), textcoords="offset points", ha="right", fontsize=8, color=colour)
    scenario = ", ".join(sorted(df["scenario"].unique()))
    ax.set_title(f"Shares of Beijing's GDP, current prices: scenario {scenario}")
    ax.set_xlabel("year")
    ax.set_ylabel("% of GDP")
    ax.set_xticks(sorted(df["year"].unique()))
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=9, frameon=False)
    return ax

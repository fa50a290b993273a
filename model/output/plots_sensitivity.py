"""Sensitivity figures: functions ``(table, ..., ax=None) -> ax``.  They never save or show.

Inputs are labelled by what they are (:func:`parameter_description`), not by their keys.
Importing this module changes no matplotlib setting.
"""
from __future__ import annotations

from typing import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from ..core.sectors import LABELS as _SECTOR
from ..equations.revenue import SERIES
from .plots import SCENARIO_PALETTE, TITLE_Y, caption, headline, lay_out_panels, panel_grid, wrap

LOW_COLOUR, HIGH_COLOUR = SCENARIO_PALETTE[0], SCENARIO_PALETTE[1]       # blue and vermillion
HIGH_HATCH = "////"                  # the high end also hatched: the two ends differ without colour

# Short names of the labelled assumptions of model/data/assumptions*.csv (their basis column explains them).
ASSUMPTION_NAMES = {
    "va.industry_2020": "Industry value added 2020",
    "share.mining_utilities_in_industry": "Mining and utilities share of industry 2020",
    "hightech_weight.mfg_other": "Other manufacturing counted as high-tech",
    "hightech_weight.mfg_hightech": "High-tech manufacturing counted as high-tech",
    "trend.half_life_years": "Trend: half-life of sector growth gaps",
    "trend.aggregate_floor": "Trend: floor of real GDP growth",
    "price.half_life_years": "Prices: half-life of relative price drifts",
    "price.manufacturing_relative": "Prices: manufacturing relative drift",
    # the 2025 jump-off's (model/data/assumptions_2025.csv), in the tornado of a 2025-base scenario
    "share.industry_in_secondary_2025": "Industry share of the secondary sector 2025",
    "share.hightech_mfg_in_industry_2025": "High-tech manufacturing share of industry 2025",
    "share.wholesale_retail_in_tertiary_2025": "Wholesale and retail share of the tertiary sector 2025",
}
_SERIES = {s.key: s.label for s in SERIES}


def parameter_description(parameter: str, names: Mapping[str, str] = ASSUMPTION_NAMES) -> str:
    """What a sensitivity input (:func:`model.analysis.sensitivity.oat_inputs`) is, in words:
    ``growth.ict`` -> "Real growth: Information transmission, software and IT services",
    ``revenue_links.ic.base_2020`` -> "Integrated circuits: 2020 level".  An unknown key is
    returned as it is."""
    family, _, rest = parameter.partition(".")
    if parameter in names:
        return names[parameter]
    if family == "growth" and rest in _SECTOR:
        return f"Real growth: {_SECTOR[rest]}"
    if parameter == "deflator.all":
        return "Deflator of every sector"
    if parameter == "vaccine_unwind":
        return "Unwinding of the vaccine output"
    if family == "satellites":
        series, _, what = rest.partition(".")
        label = {"rd": "R&D spending", "budget": "Budget revenue"}.get(series, _SERIES.get(series, series))
        return f"{label}: {'elasticity to nominal GDP' if series in ('rd', 'budget') else 'elasticity'}" \
            if what == "elasticity" else f"{label}: factor on its 2025 level"
    if family == "revenue_links":
        series, _, what = rest.partition(".")
        label = _SERIES.get(series, series)
        if what == "base_2020":
            return f"{label}: 2020 level"
        if what == "elasticity":
            return f"{label}: elasticity to its value added"
        if what.startswith("weight.") and what[len("weight."):] in _SECTOR:
            return f"{label}: weight of {_SECTOR[what[len('weight.'):]]}"
    return parameter


def _parameter_label(r) -> str:
    """``Real growth: Finance  [-2 to +2 pp]``: the input in words and its range (shifts signed)."""
    shift = str(r.parameter_unit).startswith("pp")
    unit = "pp" if shift else ("" if r.parameter_unit == "dimensionless" else r.parameter_unit)
    form = "{:+g}" if shift else "{:g}"
    span = f"[{form.format(r.low_value)} to {form.format(r.high_value)}{' ' + unit if unit else ''}]"
    return f"{wrap(parameter_description(r.parameter), 44)}  {span}"


def plot_tornado(table: pd.DataFrame, target: str, ax: plt.Axes | None = None, top: int = 10,
                 title: str | None = None, legend: bool = True) -> plt.Axes:
    """One target's one-at-a-time swings as a tornado, largest at the top.

    ``table`` is :func:`model.analysis.sensitivity.tornado`'s output.  Each input is a
    horizontal bar from the scenario's own gap (solid line) to the gap at the low
    end of its range (solid blue) and at the high end (hatched vermillion); the target's
    boundary (gap 0) is dashed.  Labels say what each input is and give its range; the x
    axis is the gap in the target's unit.  Only the ``top`` inputs by swing are drawn, and
    only those with a swing (inputs that cannot move the target are left out).  ``title``
    (default: one naming ``target``) heads the panel; the legend (``legend``) sits under the x axis.
    """
    rows = table[table["target"] == target]
    if rows.empty:
        raise KeyError(f"no target {target!r} in the tornado table")
    rows = rows[rows["swing"] > 0].sort_values("swing", ascending=False, kind="stable").head(top)
    ax = ax or plt.figure(figsize=(10, 0.45 * len(rows) + 2.5), layout="constrained").add_subplot()
    base = float(rows["base_gap"].iloc[0])
    y = np.arange(len(rows))[::-1]
    ax.barh(y, rows["gap_low"] - base, left=base, color=LOW_COLOUR, height=0.6, label="input at the low end")
    ax.barh(y, rows["gap_high"] - base, left=base, color=HIGH_COLOUR, height=0.6, alpha=0.75, hatch=HIGH_HATCH,
            edgecolor="white", lw=0, label="input at the high end")
    ax.axvline(base, color="0.15", lw=1.0)
    ax.axvline(0.0, color="0.4", lw=0.9, ls="--")
    ax.set_yticks(y, [_parameter_label(r) for r in rows.itertuples()], fontsize=7)
    unit = rows["unit"].iloc[0]
    own = f"{base:+,.0f}" if abs(base) >= 100 else f"{base:+.3g}"
    ax.set_xlabel(f"gap to the target ({'percentage points' if unit == '%' else unit})\n"
                  f"solid line: the scenario's own gap ({own}); dashed: the target's boundary", fontsize=8)
    ax.set_title(title or wrap(f"Gap to target {target}: each input at the low and high end of its range, the "
                               f"others at the scenario's values (the {len(rows)} largest swings)", 90), fontsize=9,
                 y=TITLE_Y)
    ax.tick_params(axis="x", labelsize=8)
    ax.xaxis.set_major_locator(MaxNLocator(6, integer=unit == "count"))   # wide numbers (-17500) kept apart;
    #                                                                           a count's gap in whole steps
    ax.grid(axis="x", alpha=0.3)
    if legend:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=2, fontsize=7, frameon=False)
    return ax


def tornado_figure(oat: pd.DataFrame, scenario: str, descriptions: Mapping[str, str] | None = None,
                   top: int = 8) -> plt.Figure:
    """All targets' tornadoes in one figure, a panel per target headed by its description
    (``descriptions``: target id -> text; the id where missing), one file rather than one per target."""
    targets = list(dict.fromkeys(oat.loc[oat["swing"] > 0, "target"]))
    ncols = 2
    fig, axes = panel_grid(len(targets), ncols, (17, 3.9 * max(1, -(-len(targets) // ncols)) + 1.0))
    for ax, target in zip(axes, targets):
        plot_tornado(oat, target, ax=ax, top=top, title=wrap(headline((descriptions or {}).get(target, target)), 70),
                     legend=False)
    title = fig.suptitle(f"One-at-a-time sensitivity of each target's gap in its target year: scenario {scenario}",
                         fontsize=11)
    if targets:
        fig.legend(handles=axes[0].get_legend_handles_labels()[0], loc="outside right upper",
                   fontsize=8, frameon=False)
    note = caption(fig, "Inputs at the low and high ends of their documented ranges (assumptions.csv, "
                   "revenue_links.csv and, from a 2025 base, assumptions_2025.csv; growth ±2 pp, deflator ±1 pp, "
                   "vaccine unwind 50-100 %), the others at the scenario's values.", colour="0.4")
    lay_out_panels(fig, title, note)
    return fig

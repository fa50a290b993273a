"""Aggregates and shares derived from sector value added.

:func:`indicators` returns every reported series as ``variable -> (unit, values)``
with ``values`` shaped ``(n_years + 1,)``; :mod:`model.results` turns it into the
tidy table.  Variable names follow the IAMC convention (``Category|Sub``).
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from . import data, growth, revenue
from .sectors import INDEX, LEVEL1, PARENTS, SECTORS, mask
from .simulate import Projection

NOMINAL = "100 million CNY"
REAL = "100 million CNY (2020 prices)"
PERCENT = "%"
INDEX_UNIT = "Index (2020 = 100)"
COUNT = "count"


def revenue_link_parameters(overrides: Mapping[str, float] | None = None) -> Mapping[str, float]:
    """The revenue layer's parameters, read-only ``key -> value``: the defaults of
    ``model/data/revenue_links.csv`` with ``overrides`` (e.g. ``{"software_info.elasticity": 1.2}``).

    Raises ``ValueError`` naming every unknown key and every value outside its range.
    """
    return revenue.resolve(data.revenue_links(), overrides)


def revenue_levels(p: Projection, project_va: np.ndarray, project_output: np.ndarray,
                   revenue_links: Mapping[str, float] | None = None) -> dict[str, np.ndarray]:
    """Revenue-layer levels; a project that names a series adds its gross output to it directly.

    For such a series the link is computed without those projects' value added, so
    the project is counted once, at its gross output (both nominal, 100 million CNY).
    """
    params = revenue_link_parameters(revenue_links)
    levels = revenue.revenues(p.va_nominal, params)
    for key in sorted({k for k in p.project_revenue_series if k}):
        chosen = [i for i, k in enumerate(p.project_revenue_series) if k == key]
        without = np.array(p.va_nominal, dtype=float)
        for i in chosen:
            without[..., p.project_sectors[i]] -= project_va[i]
        levels[key] = revenue.series_path(without, params, key) + project_output[chosen].sum(axis=0)
    return levels


def indicators(p: Projection, revenue_links: Mapping[str, float] | None = None) -> dict[str, tuple[str, np.ndarray]]:
    """Every series of one projection, nominal (current prices) unless named ``Real``.

    ``revenue_links`` overrides parameters of the revenue layer (see
    :func:`revenue_link_parameters`); revenues and gross output are at current prices.
    """
    out: dict[str, tuple[str, np.ndarray]] = {}
    gdp = growth.total(p.va_nominal)
    gdp_real = growth.total(p.va_real)
    out["GDP"] = (NOMINAL, gdp)
    out["Real GDP"] = (REAL, gdp_real)
    out["Price Index|GDP"] = (INDEX_UNIT, 100.0 * gdp / gdp_real)
    out["Growth|Real GDP"] = (PERCENT, np.concatenate([[np.nan], 100.0 * growth.growth_rates(gdp_real[:, None])[:, 0]]))
    for s in SECTORS:
        out[s.variable] = (NOMINAL, p.va_nominal[:, INDEX[s.key]])
    for parent, group in PARENTS.items():
        out[parent] = (NOMINAL, p.va_nominal[:, mask(group)].sum(axis=-1))
    for s in SECTORS:
        out["Real " + s.variable] = (REAL, p.va_real[:, INDEX[s.key]])
    for parent, group in PARENTS.items():
        out["Real " + parent] = (REAL, p.va_real[:, mask(group)].sum(axis=-1))
    project_price = p.price_index[:, p.project_sectors].T                  # (n_projects, n_years + 1)
    project_va = p.project_va_real * project_price
    # a project counts as high-tech at its own share, not at its sector's weight
    reweight = p.project_hightech - p.hightech_weights[p.project_sectors]
    hightech = growth.weighted_sum(p.va_nominal, p.hightech_weights) + reweight @ project_va
    new_economy = growth.weighted_sum(p.va_nominal, p.new_economy_weights) + \
        (np.maximum(p.project_hightech, p.new_economy_weights[p.project_sectors])
         - p.new_economy_weights[p.project_sectors]) @ project_va
    out["High-tech|Value Added"] = (NOMINAL, hightech)
    out["New Economy|Value Added"] = (NOMINAL, new_economy)
    out["Share of GDP|High-tech"] = (PERCENT, growth.share_percent(hightech, gdp))
    out["Share of GDP|New Economy"] = (PERCENT, growth.share_percent(new_economy, gdp))
    for var in LEVEL1:
        out["Share of GDP|" + var.split("|", 1)[1]] = (PERCENT, growth.share_percent(out[var][1], gdp))
    for i, name in enumerate(p.project_names):
        out[f"Project|{name}|Gross Output"] = (NOMINAL, p.project_output_real[i] * project_price[i])
        out[f"Project|{name}|Value Added"] = (NOMINAL, project_va[i])
    levels = revenue_levels(p, project_va, p.project_output_real * project_price, revenue_links)
    for s in revenue.SERIES:
        out[s.variable] = (NOMINAL, levels[s.key])
    out[revenue.CLUSTER_VARIABLE] = (COUNT, revenue.trillion_yuan_clusters(levels))
    return out

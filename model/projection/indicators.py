"""Aggregates and shares derived from sector value added.

:func:`indicators` returns every reported series as ``variable -> (unit, values)``
with ``values`` shaped ``(n_years + 1,)``; :mod:`model.projection.results` turns it into the
tidy table.  Variable names follow the IAMC convention (``Category|Sub``); the names used
elsewhere are the constants below (and :attr:`model.core.sectors.Sector.variable`), never
restated.  The tree: ``Value Added|…`` and ``Share of GDP|…`` hold the partition of GDP only (a
parent equals the sum of its children); measures that cut across the partition (high-tech, new
economy) sit under their own roots, ``Value Added (Cross-cutting)|…`` and
``Share of GDP (Cross-cutting)|…``, so no check or reader adds them to it.
Revenue-link overrides arrive checked (:func:`checked_revenue_links`, a scenario's
``revenue_links``) and are used as they are.
"""
from __future__ import annotations

from typing import Callable, Iterator, Mapping

import numpy as np

from ..baseline import data
from ..core.iamc import (
    BUDGET_REVENUE,
    BUDGET_REVENUE_GROWTH,
    CLUSTER_VARIABLE,
    COUNT,
    DIGITAL_ECONOMY_SHARE,
    DIGITAL_ECONOMY_VALUE_ADDED,
    GDP,
    GDP_PRICE_INDEX,
    HIGHTECH_SHARE,
    HIGHTECH_VALUE_ADDED,
    NEW_ECONOMY_SHARE,
    NEW_ECONOMY_VALUE_ADDED,
    NOMINAL,
    PERCENT,
    PROJECT_GROSS_OUTPUT,
    PROJECT_VALUE_ADDED,
    RD_EXPENDITURE,
    RD_INTENSITY,
    REAL_GDP,
    REAL_GDP_GROWTH,
    REAL_GDP_GROWTH_5Y,
    group_price_index,
    index_unit,
    price_index,
    real,
    real_unit,
    share_of_gdp,
)
from ..core.problems import Checker, ScenarioError
from ..core.sectors import INDEX, LEVEL1, PARENTS, SECTORS, mask
from ..equations import growth, prices, revenue, satellite
from ..equations.revenue import RevenueOverrides
from ..projection.simulate import Projection
from ..scenario.spec import ranged_overrides

PLAN_PERIOD_YEARS = 5          # years of a five-year plan period (the span of the 5-year average growth)
# Satellite series (model/equations/satellite.py) and their variables; a projection reports those its baseline has.
SATELLITE_VARIABLES = {"rd": RD_EXPENDITURE, "budget": BUDGET_REVENUE}
# Revenue series whose 2025 level and elasticity the Monte Carlo draws (the parameter draws of
# model/analysis/parameter_draws.py): the plan's two new clusters, whose scope and growth the record pins least.
DRAWN_REVENUE_SERIES = ("ai", "green_energy")


def average_growth_percent(levels: np.ndarray, span: int, first_row: int = 0) -> np.ndarray:
    r"""Compound average annual growth over the ``span`` years ending in each row, in percent per year.

    .. math:: \bar g_t = 100\,\big((Q_t / Q_{t-s})^{1/s} - 1\big)

    with :math:`Q` the levels ``(..., n_rows)`` (rows are consecutive years, any leading draw axis)
    and :math:`s` = ``span``.  A row whose year :math:`t - s` lies before ``first_row`` (the first row
    that belongs to the projection, e.g. the base year of a later jump-off) is NaN: the average is
    never taken over rows outside the projection.  Returns an array of the shape of ``levels``.
    """
    if span < 1:
        raise ValueError(f"span {span} is not a positive number of years")
    q = np.asarray(levels, dtype=float)
    out = np.full(q.shape, np.nan)
    n = q.shape[-1]
    start = first_row + span
    if start < n:
        out[..., start:] = 100.0 * ((q[..., start:] / q[..., first_row:n - span]) ** (1.0 / span) - 1.0)
    return out


def checked_revenue_links(overrides: Mapping[str, float] | None = None,
                          source: str = "revenue-link overrides") -> RevenueOverrides:
    """Revenue-link overrides checked once, as :class:`model.equations.revenue.RevenueOverrides`.

    Overrides a scenario file gave (``scenario.revenue_links``) were checked when it was
    read and come back as they are; so do any other checked ones.  Any other mapping
    (``{"software_info.elasticity": 1.2}``) is checked here against
    ``model/data/revenue_links.csv``, the way a scenario file's are
    (:func:`model.scenario.spec.ranged_overrides`): a known key, a number within its range.
    Raises :class:`~model.core.problems.ScenarioError` listing every problem, placed at ``source``.
    """
    if isinstance(overrides, RevenueOverrides):
        return overrides
    c = Checker(source, {})
    given = dict(overrides) if isinstance(overrides, Mapping) else ({} if overrides is None else overrides)
    values = ranged_overrides(c, "revenue_links", given, data.revenue_links())
    if c.problems:
        raise ScenarioError(c.problems)
    return RevenueOverrides(data.revenue_links(), values)


def revenue_link_parameters(overrides: Mapping[str, float] | None = None) -> Mapping[str, float]:
    """The revenue layer's parameters, read-only ``key -> value``: the defaults of
    ``model/data/revenue_links.csv`` with ``overrides`` (e.g. ``{"software_info.elasticity": 1.2}``),
    checked as in :func:`checked_revenue_links`."""
    return checked_revenue_links(overrides).parameters


def revenue_levels(p: Projection, project_va: np.ndarray, project_output: np.ndarray,
                   revenue_links: RevenueOverrides) -> dict[str, np.ndarray]:
    """Revenue-layer levels; a project that names a series adds its gross output to it directly.

    For such a series the link is computed without those projects' value added, so
    the project is counted once, at its gross output (both nominal, 100 million CNY).
    ``project_va`` and ``project_output`` are ``([n_draws,] n_projects, n_years + 1)``;
    ``revenue_links`` are checked overrides, used as they are; the projection's drawn revenue data
    (``p.revenue_draws``, a Monte Carlo's data uncertainty) replace their values draw by draw.
    """
    params, reference, figures = revenue_links.parameters, p.revenue_reference, {}
    drawn = p.revenue_draws
    if drawn is not None:                     # data drawn per draw (Monte Carlo): they replace the central values
        params, figures = drawn.parameters(params), drawn.figures
        reference = reference if drawn.reference is None else drawn.reference
    levels = revenue.revenues(p.va_nominal, params, reference, p.revenue_anchors, figures)
    for key in sorted({k for k in p.project_revenue_series if k}):
        chosen = [i for i, k in enumerate(p.project_revenue_series) if k == key]
        without = np.array(p.va_nominal, dtype=float)
        for i in chosen:
            without[..., p.project_sectors[i]] -= project_va[..., i, :]
        levels[key] = revenue.series_path(without, params, key, reference, p.revenue_anchors.get(key),
                                          figures.get(key)) + project_output[..., chosen, :].sum(axis=-2)
    return levels


class Indicators(Mapping):
    """Every series of one projection as ``variable -> (unit, values)``, computed when first read.

    Values are ``([n_draws,] n_years + 1)``, nominal (current prices) unless the name
    says ``Real``.  Reading only the variables a Monte Carlo run needs costs only
    those; iterating gives every variable in reporting order.  ``revenue_links``:
    overrides of the revenue layer, best the checked ones a scenario carries
    (:func:`checked_revenue_links`; a plain mapping is checked on construction).  ``parameter_draws``:
    drawn values ``(n_draws,)`` of satellite and revenue parameters by key (``rd.elasticity``,
    ``ai.level_factor``, ...; :mod:`model.analysis.parameter_draws`), replacing the central ones in the
    satellites and in the revenue series of :data:`DRAWN_REVENUE_SERIES` after a later base year.
    """

    def __init__(self, p: Projection, revenue_links: Mapping[str, float] | None = None,
                 parameter_draws: Mapping[str, np.ndarray] | None = None):
        self.p, self.revenue_links = p, checked_revenue_links(revenue_links)
        self.parameter_draws = {k: np.asarray(v, dtype=float)[:, None] for k, v in (parameter_draws or {}).items()}
        self._cache: dict[str, tuple[str, np.ndarray]] = {}
        self._project_cache: tuple[np.ndarray, np.ndarray] | None = None
        self._revenue_cache: dict[str, np.ndarray] | None = None
        b: dict[str, tuple[str, Callable[[], np.ndarray]]] = {}
        b[GDP] = (NOMINAL, lambda: growth.total(p.va_nominal))
        real_ = real_unit(p.base_year)
        b[REAL_GDP] = (real_, lambda: growth.total(p.va_real))
        b[GDP_PRICE_INDEX] = (index_unit(p.base_year), lambda: 100.0 * self.value(GDP) / self.value(REAL_GDP))
        b[REAL_GDP_GROWTH] = (PERCENT, self._gdp_growth)
        b[REAL_GDP_GROWTH_5Y] = (PERCENT, lambda: average_growth_percent(
            self.value(REAL_GDP), PLAN_PERIOD_YEARS, int(p.base_year - p.years[0])))
        for sec in SECTORS:
            b[sec.variable] = (NOMINAL, lambda i=INDEX[sec.key]: p.va_nominal[..., i])
        masks = {parent: mask(group) for parent, group in PARENTS.items()}
        for parent, m in masks.items():
            b[parent] = (NOMINAL, lambda m=m: p.va_nominal[..., m].sum(axis=-1))
        for sec in SECTORS:
            b[real(sec.variable)] = (real_, lambda i=INDEX[sec.key]: p.va_real[..., i])
        for parent, m in masks.items():
            b[real(parent)] = (real_, lambda m=m: p.va_real[..., m].sum(axis=-1))
        index_ = index_unit(p.base_year)
        for sec in SECTORS:         # implicit deflators: nominal over real value added, 100 in the base year
            b[price_index(sec.variable)] = (index_, lambda v=sec.variable: prices.implicit_index(
                self.value(v), self.value(real(v))))
        for parent in masks:
            b[group_price_index(parent)] = (index_, lambda v=parent: prices.implicit_index(
                self.value(v), self.value(real(v))))
        b[HIGHTECH_VALUE_ADDED] = (NOMINAL, lambda: self._cross_cutting(p.hightech_weights, p.project_hightech))
        b[NEW_ECONOMY_VALUE_ADDED] = (NOMINAL, lambda: self._cross_cutting(
            p.new_economy_weights, np.maximum(p.project_hightech, p.new_economy_weights[p.project_sectors])))
        b[HIGHTECH_SHARE] = (PERCENT, lambda: self._share(HIGHTECH_VALUE_ADDED))
        b[NEW_ECONOMY_SHARE] = (PERCENT, lambda: self._share(NEW_ECONOMY_VALUE_ADDED))
        for var in LEVEL1:
            b[share_of_gdp(var)] = (PERCENT, lambda v=var: self._share(v))
        for i, name in enumerate(p.project_names):
            b[f"{PROJECT_GROSS_OUTPUT}|{name}"] = (NOMINAL, lambda i=i: self._projects()[1][..., i, :])
            b[f"{PROJECT_VALUE_ADDED}|{name}"] = (NOMINAL, lambda i=i: self._projects()[0][..., i, :])
        for rs in revenue.SERIES:
            b[rs.variable] = (NOMINAL, lambda k=rs.key: self._revenues()[k])
        b[CLUSTER_VARIABLE] = (COUNT, lambda: revenue.trillion_yuan_clusters(self._revenues()))
        if p.digital_economy_weights is not None:       # a later base year only (model/baseline/satellites.py)
            b[DIGITAL_ECONOMY_VALUE_ADDED] = (NOMINAL, lambda: self._cross_cutting(
                p.digital_economy_weights, p.digital_economy_weights[p.project_sectors]))
            b[DIGITAL_ECONOMY_SHARE] = (PERCENT, lambda: self._share(DIGITAL_ECONOMY_VALUE_ADDED))
        for key, variable in SATELLITE_VARIABLES.items():
            if key in p.satellites:
                b[variable] = (NOMINAL, lambda k=key: self._satellite(k))
        if "rd" in p.satellites:
            b[RD_INTENSITY] = (PERCENT, lambda: self._share(RD_EXPENDITURE))
        if "budget" in p.satellites:
            b[BUDGET_REVENUE_GROWTH] = (PERCENT, lambda: satellite.growth_percent(self.value(BUDGET_REVENUE)))
        self._builders = b

    def __getitem__(self, variable: str) -> tuple[str, np.ndarray]:
        if variable not in self._cache:
            unit, build = self._builders[variable]
            self._cache[variable] = (unit, build())
        return self._cache[variable]

    def __iter__(self) -> Iterator[str]:
        return iter(self._builders)

    def __len__(self) -> int:
        return len(self._builders)

    def value(self, variable: str) -> np.ndarray:
        return self[variable][1]

    def release(self) -> None:
        """Drop the computed arrays and the builders (which refer back to this object), so a
        loop over many chunks frees each chunk's memory at once rather than at garbage collection."""
        self._cache.clear()
        self._builders = {}
        self._project_cache = self._revenue_cache = None

    def _gdp_growth(self) -> np.ndarray:
        real = self.value(REAL_GDP)
        first = np.full(real.shape[:-1] + (1,), np.nan)
        return np.concatenate([first, 100.0 * (real[..., 1:] / real[..., :-1] - 1.0)], axis=-1)

    def _share(self, variable: str) -> np.ndarray:
        return growth.share_percent(self.value(variable), self.value(GDP))

    def _projects(self) -> tuple[np.ndarray, np.ndarray]:
        """Nominal value added and gross output of the projects, ``([n_draws,] n_projects, n_years + 1)``."""
        if self._project_cache is None:
            p = self.p
            price = np.moveaxis(p.price_index[..., p.project_sectors], -1, -2)
            self._project_cache = (p.project_va_real * price, p.project_output_real * price)
        return self._project_cache

    def _cross_cutting(self, weights: np.ndarray, project_shares: np.ndarray) -> np.ndarray:
        """Weighted sum of sectors; each project counts at its own share, not its sector's weight."""
        p = self.p
        project_va = self._projects()[0]
        reweight = project_shares - weights[p.project_sectors]
        return growth.weighted_sum(p.va_nominal, weights) + (reweight[:, None] * project_va).sum(axis=-2)

    def _revenues(self) -> dict[str, np.ndarray]:
        if self._revenue_cache is None:
            va, output = self._projects()
            self._revenue_cache = revenue_levels(self.p, va, output, self.revenue_links)
            if self.parameter_draws and self.p.base_year > self.p.years[0]:
                for key in DRAWN_REVENUE_SERIES:
                    self._revenue_cache[key] = self._drawn_revenue(key, self._revenue_cache[key])
        return self._revenue_cache

    def _base_row(self) -> int:
        return int(self.p.base_year - self.p.years[0])

    def _drawn(self, key: str, central: float) -> float | np.ndarray:
        """The drawn values ``(n_draws, 1)`` of parameter ``key``, or its ``central`` value without draws."""
        return self.parameter_draws.get(key, central)

    def _drawn_revenue(self, key: str, levels: np.ndarray) -> np.ndarray:
        r"""Revenue series ``key`` with its drawn level factor and elasticity from the base year,
        :math:`R_t = f R_b (L_t / L_b)^{\varepsilon}` (:func:`model.equations.satellite.linked_level`)."""
        params = self.revenue_links.parameters
        link = revenue.link_value_added(self.p.va_nominal, revenue.link_weights(params, key))
        b = self._base_row()
        return satellite.linked_level(levels[..., b:b + 1], link, link[..., b:b + 1],
                                      self._drawn(f"{key}.elasticity", params[f"{key}.elasticity"]),
                                      self._drawn(f"{key}.level_factor", 1.0))

    def _satellite(self, key: str) -> np.ndarray:
        """Satellite ``key`` (:class:`model.equations.satellite.Satellite`) on the projection, nominal."""
        s = self.p.satellites[key]
        link = growth.weighted_sum(self.p.va_nominal, s.weights)
        b = self._base_row()
        return satellite.linked_level(s.level, link, link[..., b:b + 1], self._drawn(f"{key}.elasticity", s.elasticity),
                                      self._drawn(f"{key}.level_factor", 1.0))


def indicators(p: Projection, revenue_links: Mapping[str, float] | None = None) -> Indicators:
    """Every series of one projection (see :class:`Indicators`)."""
    return Indicators(p, revenue_links)

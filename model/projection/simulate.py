"""Scenario + Baseline -> arrays -> projection.

:func:`growth_paths` assembles the year-by-sector rate matrices a scenario implies;
:func:`project` runs the equations of :mod:`model.equations.growth` on them.  Drawn parameter
values (Monte Carlo, sensitivity) enter as :class:`Draws`, all built by
:func:`shifted_draws`, which places each shift on the rows of the years it applies to.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping

import numpy as np

from ..baseline.calibration import Baseline
from ..core.parameters import BY_NAME, first_free_year, fmt
from ..core.sectors import INDEX, KEYS, N_SECTORS
from ..core.years import BASE_YEAR, level_years, n_steps, step_row, step_year
from ..equations import growth, prices
from ..equations.revenue import RevenueAnchor, RevenueDraws
from ..equations.satellite import Satellite
from ..scenario.loader import DEFAULT_FROM, Problem, Scenario, ScenarioError


@dataclass(frozen=True)
class Projection:
    """Arrays of one projected scenario; level rows are years ``BASE_YEAR..horizon``.

    ``va_real`` is in 100 million CNY at 2020 prices, ``va_nominal`` in 100 million
    CNY at current prices, ``price_index`` is 1 in 2020; all ``(n_years + 1, n_sectors)``
    and project value added included.  ``growth_real`` and ``deflator_growth`` are
    ``(n_years, n_sectors)`` fractions of the sectors' own path (projects excluded).
    ``project_output_real`` and ``project_va_real`` are ``(n_projects, n_years + 1)``.
    """

    years: np.ndarray
    growth_real: np.ndarray
    deflator_growth: np.ndarray
    va_real: np.ndarray
    price_index: np.ndarray
    va_nominal: np.ndarray
    hightech_weights: np.ndarray
    new_economy_weights: np.ndarray
    project_names: tuple[str, ...]
    project_sectors: np.ndarray        # (n_projects,) sector index
    project_hightech: np.ndarray       # (n_projects,) share of project value added counted as high-tech
    project_output_real: np.ndarray
    project_va_real: np.ndarray
    project_revenue_series: tuple[str | None, ...] = ()
    base_year: int = BASE_YEAR         # the jump-off: level rows before it are not part of the projection
    revenue_reference: np.ndarray | None = None   # (n_sectors,) 2020 levels the revenue anchors refer to
    revenue_anchors: Mapping[str, RevenueAnchor] = field(default_factory=dict)   # later base: published levels
    revenue_draws: RevenueDraws | None = None     # drawn revenue data, per draw (Monte Carlo); None: central
    digital_economy_weights: np.ndarray | None = None    # (n_sectors,) later base only (model/baseline/satellites.py)
    satellites: Mapping[str, Satellite] = field(default_factory=dict)   # later base only: R&D, budget revenue


@dataclass(frozen=True)
class Draws:
    """Sampled parameter values for a Monte Carlo run; the draws are the first axis.

    ``growth`` and ``deflator`` are ``(n_draws, n_years, n_sectors)`` fractions added to
    the stated paths; ``vaccine_unwind`` is ``(n_draws,)``; ``shock_loss`` and
    ``shock_recovered`` map a shock's name to ``(n_draws,)`` values replacing its own.
    ``None`` (or a missing name) keeps the scenario's value.  ``valid`` ``(n_draws,)``
    is False for a draw whose parameters left their ranges (``None``: every draw is valid).
    ``revenue`` holds the revenue layer's drawn data (:class:`~model.equations.revenue.RevenueDraws`),
    carried into the projection for the indicators (``None``: the central values).
    """

    n: int
    growth: np.ndarray | None = None
    deflator: np.ndarray | None = None
    vaccine_unwind: np.ndarray | None = None
    shock_loss: Mapping[str, np.ndarray] = field(default_factory=dict)
    shock_recovered: Mapping[str, np.ndarray] = field(default_factory=dict)
    valid: np.ndarray | None = None
    revenue: RevenueDraws | None = None


# The first year a drawn shift of each path enters: the year a plain number in a scenario file
# starts from (growth 2022, as 2021 is calibrated; deflators 2021, the first projected year).
SHIFT_FROM = DEFAULT_FROM


def shifted_draws(n: int, horizon: int, growth: Mapping[str, np.ndarray] | None = None,
                  deflator: Mapping[str, np.ndarray] | None = None, vaccine_unwind: np.ndarray | None = None,
                  shock_loss: Mapping[str, np.ndarray] | None = None,
                  shock_recovered: Mapping[str, np.ndarray] | None = None,
                  valid: np.ndarray | None = None, base: int = BASE_YEAR,
                  revenue: RevenueDraws | None = None) -> Draws:
    r"""The one builder of :class:`Draws`: per-draw values, in model units, placed on the paths.

    ``growth`` and ``deflator`` map ``"all"`` or a sector key to a shift (fraction per year)
    added to the stated path of that sector (every sector for ``"all"``), either one value
    per draw ``(n,)`` or one per draw and year ``(n, n_years)`` with the step rows of
    :mod:`model.core.years`.  A shift enters from the year :data:`SHIFT_FROM` names for its path
    (growth :math:`t \ge 2022`, deflators :math:`t \ge 2021`); earlier rows stay 0.  Keys
    add up in the order given.  ``vaccine_unwind`` ``(n,)`` (fraction), ``shock_loss`` and
    ``shock_recovered`` (shock name -> ``(n,)`` fractions), ``valid`` and the drawn revenue data
    ``revenue`` pass through.
    An empty or missing mapping keeps the scenario's path (the field is ``None``).
    From a later ``base`` (a scenario's ``base:``) every shift enters in the year after it.

    Returns
    -------
    Draws
        ``growth``/``deflator`` ``(n, n_years, n_sectors)`` or ``None``.
    """
    n_years = n_steps(horizon)
    paths = {}
    for name, shifts in (("growth", growth), ("deflator", deflator)):
        if not shifts:
            paths[name] = None
            continue
        first = step_row(SHIFT_FROM[name] if base == BASE_YEAR else first_free_year(name, base))
        out = np.zeros((n, n_years, N_SECTORS))
        for key, shift in shifts.items():
            shift = np.asarray(shift, dtype=float)
            per_year = np.broadcast_to(shift if shift.ndim == 2 else shift[:, None], (n, n_years))
            if key == "all":
                out[:, first:, :] += per_year[:, first:, None]
            else:
                out[:, first:, INDEX[key]] += per_year[:, first:]
        paths[name] = out
    return Draws(n=n, growth=paths["growth"], deflator=paths["deflator"], vaccine_unwind=vaccine_unwind,
                 shock_loss=dict(shock_loss or {}), shock_recovered=dict(shock_recovered or {}), valid=valid,
                 revenue=revenue)


def in_domain(p: "Projection") -> np.ndarray:
    """Per draw, whether the projection stays in the model's domain, ``(n_draws,)`` bool.

    Every growth and deflator rate above -100 %, every level (real and nominal value
    added, price index) positive and finite; GDP, a sum of positive levels, then is too.
    """
    ok = (p.growth_real > -1.0).all(axis=(-2, -1)) & (p.deflator_growth > -1.0).all(axis=(-2, -1))
    for levels in (p.va_real, p.price_index, p.va_nominal):
        ok &= (np.isfinite(levels) & (levels > 0.0)).all(axis=(-2, -1))
    return ok


def select_draws(p: "Projection", keep: np.ndarray) -> "Projection":
    """The projection of the draws where ``keep`` ``(n_draws,)`` is True."""
    return replace(p, growth_real=p.growth_real[keep], deflator_growth=p.deflator_growth[keep],
                   va_real=p.va_real[keep], price_index=p.price_index[keep], va_nominal=p.va_nominal[keep],
                   revenue_draws=None if p.revenue_draws is None else p.revenue_draws.select(keep))


def default_growth(baseline: Baseline, scenario: Scenario) -> np.ndarray:
    """Real growth ``(n_years, n_sectors)`` where no file speaks: calibrated 2021, then the path
    of the scenario's ``trend`` design."""
    default = baseline.trend_paths[scenario.trend][:n_steps(scenario.horizon)].copy()
    default[0] = baseline.growth_2021
    return default


def default_deflator(baseline: Baseline, scenario: Scenario) -> np.ndarray:
    """Deflator growth ``(n_years, n_sectors)`` where no file speaks: after the baseline's base year, the
    trend GDP deflator plus each sector's relative price drift, fading with its half-life
    (:func:`model.equations.prices.sector_deflators`); 0 up to it (a later jump-off's price index is 1
    in its base year)."""
    n = n_steps(scenario.horizon)
    first = max(step_row(baseline.base_year) + 1, 0)
    weight = np.zeros(n)
    weight[first:] = prices.fading(n - first, baseline.price_half_life)
    d = prices.sector_deflators(np.full(n, baseline.trend_deflator), baseline.price_drifts, weight)
    d[:first] = 0.0
    return d


def stated_growth(scenario: Scenario, baseline: Baseline) -> np.ndarray:
    """Real growth ``(n_years, n_sectors)`` as the scenario files state it: calibrated 2021,
    the scenario's ``trend`` design after, with the ``growth`` paths applied (before the vaccine
    unwind and shocks)."""
    return scenario.growth.resolve(default_growth(baseline, scenario))


def stated_deflator(scenario: Scenario, baseline: Baseline) -> np.ndarray:
    """Deflator growth ``(n_years, n_sectors)``: the trend GDP deflator with the ``deflator`` paths applied."""
    return scenario.deflator.resolve(default_deflator(baseline, scenario))


def rate_problems(scenario: Scenario, baseline: Baseline) -> list[Problem]:
    """Resolved rates outside their parameter's bounds, each located at the change that pushed it out.

    A ``"pp"`` change is checked where it lands: the rate it resolves to (the trend or a
    parent's value plus every change of the chain so far) must obey the same bounds as a
    level, growth in (-100, 300] and deflators in (-100, 100] %/yr.  The chain is walked
    root first (``scenario.parent`` is the chain without its last file), so the error
    names the first file, and the entry in it, whose change takes a cell out of bounds,
    even if a later file brings it back.
    """
    stages = []
    s = scenario
    while s is not None:
        stages.append(s)
        s = s.parent
    problems = []
    for param, default_of in (("growth", default_growth), ("deflator", default_deflator)):
        p = BY_NAME[param]
        reported = np.zeros((n_steps(scenario.horizon), N_SECTORS), dtype=bool)
        for stage in reversed(stages):
            rates = 100.0 * getattr(stage, param).resolve(default_of(baseline, stage))
            n = min(len(rates), len(reported))
            bad = ~((rates[:n] > p.low) & (rates[:n] <= p.high)) & ~reported[:n]
            reported[:n] |= bad
            groups: dict[tuple, list] = {}
            for r, col in zip(*np.nonzero(bad)):
                year = step_year(int(r))
                where = stage.origins.get((param, year, KEYS[col])) or Problem(stage.file, None, param, "")
                groups.setdefault((where, KEYS[col]), []).append((year, float(rates[r, col])))
            for (where, sector), cells in groups.items():
                ys = [y for y, _ in cells]
                years = (f"{ys[0]}" if len(ys) == 1 else f"{ys[0]}-{ys[-1]}" if ys[-1] - ys[0] == len(ys) - 1
                         else ", ".join(map(str, ys)))
                values = ", ".join(f"{v:g}" for _, v in cells[:3]) + (", ..." if len(cells) > 3 else "")
                problems.append(Problem(where.file, where.line, where.path,
                                        f"the {param} rate of {sector} resolves to {values} %/yr in {years}; "
                                        f"a resolved rate must be in ({fmt(p.low)}, {fmt(p.high)}] %/yr"))
    return problems


def level_problems(scenario: Scenario, projection: "Projection") -> list[Problem]:
    """Non-finite or non-positive levels of a deterministic projection: one problem per sector,
    at its first bad year.

    With rates in bounds this can only come from a shock larger than its year's growth
    (:math:`m_s = 1 - x/(1+g_s) \\le 0`); the problem then points at that shock.
    """
    problems = []
    quantities = (("real value added", projection.va_real), ("price index", projection.price_index),
                  ("nominal value added", projection.va_nominal))
    bad = np.zeros(projection.va_real.shape, dtype=bool)
    for _, values in quantities:
        bad |= ~(np.isfinite(values) & (values > 0))
    for col in np.flatnonzero(bad.any(axis=0)):
        row = int(np.flatnonzero(bad[:, col])[0])
        year, sector = int(projection.years[row]), KEYS[col]
        name, values = next((n, v) for n, v in quantities if not (np.isfinite(v[row, col]) and v[row, col] > 0))
        shock = next((e for e in scenario.shocks if sector in e.sectors and e.year <= year), None)
        where = shock.where if shock else Problem(scenario.file, None, "", "")
        cause = "; a shock's growth_loss must stay below 100 plus its year's growth (%/yr)" if shock else ""
        problems.append(Problem(where.file, where.line, where.path,
                                f"{name} of {sector} is {values[row, col]:g} in {year}; levels must be positive "
                                f"and finite{cause}"))
    return problems


def growth_paths(scenario: Scenario, baseline: Baseline,
                 draws: Draws | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Years ``(n_years + 1,)``, real growth and deflator growth ``([n_draws,] n_years, n_sectors)``.

    Real growth, in this order: the calibrated rates in 2021 and the trend path after;
    the scenario's ``growth`` path; in 2022 high-tech manufacturing loses the share
    ``vaccine_unwind`` of its 2021 level above trend (:func:`model.equations.growth.reversal_growth`);
    then each shock (:func:`model.equations.growth.shock_level_factor`).  Deflators: the trend
    GDP deflator, then the scenario's ``deflator`` path.  With ``draws`` (``n > 0``),
    every rate array has the leading draw axis ``n``, whichever parameters are drawn
    (none, or only a shock's), and the sampled values enter at the same places.
    """
    draws = draws or Draws(n=0)
    years = level_years(scenario.horizon)
    n = len(years) - 1
    lead = (draws.n,) if draws.n else ()                    # with draws, every path has the draw axis
    g = stated_growth(scenario, baseline)
    g = g + draws.growth if draws.growth is not None else np.broadcast_to(g, lead + g.shape).copy()
    if n >= 2:
        h = INDEX["mfg_hightech"]
        unwind = scenario.vaccine_unwind if draws.vaccine_unwind is None else draws.vaccine_unwind
        trend_2021 = baseline.trend_paths[scenario.trend][0, h]
        g[..., 1, h] = growth.reversal_growth(g[..., 1, h], g[..., 0, h], trend_2021, unwind)
    for shock in scenario.shocks:
        affected = np.isin(np.array(KEYS), shock.sectors)
        factor = growth.shock_level_factor(g, step_row(shock.year),
                                           draws.shock_loss.get(shock.name, shock.growth_loss), affected,
                                           shock.recovery_years,
                                           draws.shock_recovered.get(shock.name, shock.recovered))
        g = growth.apply_level_factor(g, factor)
    d = stated_deflator(scenario, baseline)
    d = d + draws.deflator if draws.deflator is not None else np.broadcast_to(d, lead + d.shape).copy()
    return years, g, d


def project(scenario: Scenario, baseline: Baseline, draws: Draws | None = None) -> Projection:
    """Project value added, real and nominal, from 2020 to the scenario's horizon.

    With ``draws`` the level arrays are ``(n_draws, n_years + 1, n_sectors)`` and draws
    that leave the model's domain are the caller's to find (:func:`in_domain`).  Without,
    resolved rates out of bounds (:func:`rate_problems`) and non-positive or non-finite
    levels (:func:`level_problems`) raise :class:`~model.scenario.loader.ScenarioError`.
    """
    if draws is None:
        problems = rate_problems(scenario, baseline)
        if problems:
            raise ScenarioError(problems)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):    # draws out of domain: in_domain()
        years, g, d = growth_paths(scenario, baseline, draws)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):    # draws out of domain: in_domain()
        price = growth.compound(np.ones(N_SECTORS), d)
    projects = scenario.projects
    sectors = np.array([INDEX[p.sector] for p in projects], dtype=int)
    output = np.array([p.gross_output * growth.ramp(years, p.start, p.ramp_years) for p in projects]).reshape(
        len(projects), len(years))
    va_projects = output * np.array([p.value_added_ratio for p in projects]).reshape(-1, 1)
    added = np.zeros((len(years), N_SECTORS))
    np.add.at(added.T, sectors, va_projects)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        va_real = growth.compound(baseline.va_2020, g)
    if len(projects):
        va_real += added
    hightech = np.array([baseline.hightech_weights[s] if p.hightech_share is None else p.hightech_share
                         for p, s in zip(projects, sectors)])
    with np.errstate(invalid="ignore", over="ignore"):
        va_nominal = growth.nominal(va_real, price)
    out = Projection(years=years, growth_real=g, deflator_growth=d, va_real=va_real, price_index=price,
                      va_nominal=va_nominal, hightech_weights=baseline.hightech_weights,
                      new_economy_weights=baseline.new_economy_weights,
                      project_names=tuple(p.name for p in projects), project_sectors=sectors,
                      project_hightech=hightech, project_output_real=output, project_va_real=va_projects,
                      project_revenue_series=tuple(p.revenue_series for p in projects),
                      base_year=baseline.base_year, revenue_reference=baseline.revenue_reference,
                      revenue_anchors=baseline.revenue_anchors,
                      revenue_draws=draws.revenue if draws is not None else None,
                      digital_economy_weights=baseline.digital_economy_weights, satellites=baseline.satellites)
    if draws is None:
        problems = level_problems(scenario, out)
        if problems:
            raise ScenarioError(problems)
    return out

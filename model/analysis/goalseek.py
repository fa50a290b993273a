"""What would it take: the constant growth of a target's lever sectors that meets it.

For every target a scenario misses (status "missed" in its deterministic scorecard)
this module finds the constant annual real growth rate :math:`r` which, given to the
target's ``levers`` (``model/data/targets.yaml``) in every year from 2022 to the
target year, puts the target's variable on the comparator's boundary
(:meth:`model.targets.comparators.Comparator.boundary`):

==============  ==========================================================
comparator      aimed at
==============  ==========================================================
``>=``          the value
``~``           the central value
``range``       the low end (the high end when the scenario is above it)
``rank``        a tie with the largest other variable
==============  ==========================================================

2021 stays the calibrated year (it is shaped by the observed H1-2021 facts and the
vaccine surge).  The rate replaces the levers' *stated* growth path
(:func:`model.projection.simulate.stated_growth`); the vaccine unwind of 2022 and the
scenario's shocks still apply on top of it, as for any path.  Every other sector
keeps its path.  The root is found with ``scipy.optimize.brentq`` in
:data:`BOUNDS`; when no rate in the bounds meets the target it is reported as
impossible within bounds.  Each step computes only the variables the target reads
(:func:`needed_variables`); the scenario's own projection and scorecard can be
passed in by a caller that holds them.

Pure computation: no files are written here (:mod:`model.output.write` writes).
"""
from __future__ import annotations

import dataclasses
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..baseline.calibration import Baseline
from ..core.iamc import CLUSTER_VARIABLE
from ..core.sectors import INDEX
from ..core.years import CALIBRATION_YEAR, level_row, step_rows
from ..equations.revenue import CLUSTER_GROUPS, SERIES, TRILLION_YUAN, cluster_groups
from ..projection.indicators import Indicators, checked_revenue_links
from ..projection.results import timeseries
from ..projection.simulate import Projection, project, stated_growth
from ..scenario.loader import Layered, Scenario
from ..targets.definitions import Target, load_targets
from ..targets.scorecard import MET, MISSED, evaluate

BOUNDS = (-0.50, 1.00)          # search interval for the lever rate, fraction per year (-50 to +100 %/yr)
XTOL = 1e-12                    # brentq's absolute tolerance on the rate (fraction per year)
LEVER_FIRST_YEAR = CALIBRATION_YEAR + 1   # first year the lever rate applies: 2022
REACHABLE, IMPOSSIBLE, MET_ALREADY = "reachable", "impossible within bounds", "met already"
GOALSEEK_COLUMNS = ("target", "levers", "year", "needed_growth_pct", "assumed_growth_pct", "extra_pp", "status", "note")
_VARIABLE_OF = {s.key: s.variable for s in SERIES}
# The plan's clusters (model.equations.revenue.cluster_groups), each as the variables of the series standing for it.
_CLUSTERS = tuple(tuple(_VARIABLE_OF[k] for k in keys) for keys in cluster_groups().values())
_CLUSTER_VARIABLES = tuple(v for variables in _CLUSTERS for v in variables)
_LABEL_OF = {s.key: s.label for s in SERIES}
CLUSTER_NAMES = tuple(CLUSTER_GROUPS[g] if g in CLUSTER_GROUPS else _LABEL_OF[g][:1].lower() + _LABEL_OF[g][1:]
                      for g in cluster_groups())


# ---------------------------------------------------------------- building the scenario
def with_lever_growth(scenario: Scenario, levers: Sequence[str], rate: float, last_year: int,
                      first_year: int = LEVER_FIRST_YEAR) -> Scenario:
    """A copy of ``scenario`` whose stated growth of ``levers`` is ``rate`` in every
    year from ``first_year`` (default :data:`LEVER_FIRST_YEAR`) to ``last_year`` (inclusive).

    From 2021 on, the rate also replaces the calibrated 2021 rate; the vaccine
    surge is then gone from the levers, so a high-tech manufacturing lever gets no
    2022 unwind either.

    The cells are set in the ``growth`` :class:`~model.scenario.loader.Layered` (level
    ``rate``, change 0), so they replace whatever the scenario chain said there;
    other cells, 2021 and years after ``last_year`` are unchanged.  ``rate`` is a
    fraction per year.  The input is not modified.
    """
    rows = step_rows(first_year, last_year)
    cols = [INDEX[k] for k in levers]
    level, change = np.array(scenario.growth.set), np.array(scenario.growth.add)
    for c in cols:
        level[rows, c] = rate
        change[rows, c] = 0.0
    level.setflags(write=False)
    change.setflags(write=False)
    unwind = 0.0 if first_year <= CALIBRATION_YEAR and "mfg_hightech" in levers else scenario.vaccine_unwind
    return dataclasses.replace(scenario, growth=Layered(level, change), vaccine_unwind=unwind)


def assumed_lever_growth(scenario: Scenario, baseline: Baseline, levers: Sequence[str], last_year: int,
                         first_year: int = LEVER_FIRST_YEAR, projection: Projection | None = None) -> float:
    r"""The levers' stated growth over ``first_year``..``last_year`` as one constant rate.

    Each year's rate of the lever group is weighted by the sectors' real value
    added of the year before in the scenario's own projection, and the years are
    chained into a geometric mean:

    .. math::
        \bar g_t = \frac{\sum_{i \in L} Q_{t-1,i}\, g^{s}_{t,i}}{\sum_{i \in L} Q_{t-1,i}},\qquad
        \bar r = \Big(\prod_{t} (1 + \bar g_t)\Big)^{1/T} - 1

    with :math:`g^s` the stated growth (:func:`model.projection.simulate.stated_growth`, before
    the vaccine unwind and shocks, like the needed rate) and :math:`T` the number
    of years.  Fraction per year.  ``projection`` is the scenario's own, when the caller
    has it (computed otherwise).
    """
    projection = project(scenario, baseline) if projection is None else projection
    # from 2021 the needed path replaces the vaccine year and its unwind, so compare with the
    # growth the scenario actually projects (unwind included) rather than the stated one
    g = projection.growth_real if first_year <= CALIBRATION_YEAR else stated_growth(scenario, baseline)
    q = projection.va_real
    cols = [INDEX[k] for k in levers]
    steps = step_rows(first_year, last_year)         # the rates g_t of first_year..last_year
    weights = q[level_row(first_year - 1):level_row(last_year)][:, cols]     # Q_{t-1}: the levels a year before
    group = (weights * g[steps][:, cols]).sum(axis=1) / weights.sum(axis=1)
    return float(np.prod(1.0 + group) ** (1.0 / len(group)) - 1.0)


# ---------------------------------------------------------------- the boundary
def boundary_distance(t: Target, values: Mapping[str, float], projected: float) -> tuple[float, float]:
    """Signed distance of the target-year values from the aimed boundary, and the side that meets it.

    ``values`` maps the target's variables (:func:`needed_variables`) to their
    target-year values; ``projected`` is the scenario's own value of the target's
    variable (it decides, for ``range``, which end is aimed at).  The aim and the side
    are the comparator's (:meth:`model.targets.comparators.Comparator.boundary`).  Returns
    ``(f, side)``: ``f`` is zero on the boundary and continuous in the lever rate; for
    one-sided boundaries ``side * f >= 0`` where the target holds (``side`` +1 or -1),
    for ``~`` ``side`` is 0 (the aimed centre is inside the band).

    The cluster count is a step function; its boundary is where the ``k``-th
    largest cluster (``k`` the aimed count; a cluster's level is the largest of the series standing for
    it, :func:`model.equations.revenue.trillion_yuan_clusters`) reaches 1 trillion yuan, so ``f``
    is that level minus :data:`model.equations.revenue.TRILLION_YUAN` (100 million CNY).  A count above
    the number of modelled clusters cannot be met: ``f`` is then infinite, on the wrong side.
    """
    aim, side = t.comparator.boundary(values, projected)
    if t.variable == CLUSTER_VARIABLE:
        levels = sorted((max(values[v] for v in variables) for variables in _CLUSTERS), reverse=True)
        k = int(aim) if side >= 0 else int(aim) + 1       # reach `aim` series, or let the (aim+1)-th fall below
        if not 1 <= k <= len(levels):
            return -side * np.inf, side                   # no count of the modelled series can meet it
        return levels[k - 1] - TRILLION_YUAN, side
    return values[t.variable] - aim, side


def needed_variables(t: Target) -> tuple[str, ...]:
    """The variables :func:`boundary_distance` reads: the target's, and the cluster series
    behind the cluster count."""
    return t.variables + (_CLUSTER_VARIABLES if t.variable == CLUSTER_VARIABLE else ())


def _values_in(projection: Projection, revenue_links: Mapping[str, float] | None, year: int,
               variables: Sequence[str]) -> dict[str, float]:
    """``variables`` in ``year``, computing only those (and what they are built from)."""
    ind = Indicators(projection, revenue_links)
    return {v: float(ind.value(v)[level_row(year)]) for v in variables}


def solve_rate(f: Callable[[float], float], side: float, bounds: tuple[float, float] = BOUNDS) -> float:
    """The rate in ``bounds`` where ``f`` changes sign; NaN when it does not.

    ``scipy.optimize.brentq`` to :data:`XTOL`.  With ``side`` of +1 or -1 the root
    is then nudged, by steps of growing size from :data:`XTOL`, until
    ``side * f >= 0`` (the side where the target holds), so that the reported rate
    meets a one-sided target when plugged back in; ``side`` 0 leaves the root as
    found.  NaN when ``f`` has the same strict sign at both bounds.
    """
    lo, hi = bounds
    f_lo, f_hi = f(lo), f(hi)
    if f_lo * f_hi > 0 or not (np.isfinite(f_lo) and np.isfinite(f_hi)):
        return np.nan
    from scipy import optimize  # after the scorecard: a run's first result does not wait for it
    r = optimize.brentq(f, lo, hi, xtol=XTOL, rtol=4 * np.finfo(float).eps, maxiter=200)
    towards = np.sign(f_hi - f_lo) * side             # the direction in which side * f grows
    step = XTOL
    while side and side * f(r) < 0 and lo <= r <= hi:
        r, step = r + towards * step, step * 2.0
    return float(np.clip(r, lo, hi))


# ---------------------------------------------------------------- all missed targets
def _unit_text(unit: str) -> str:
    return "pp" if unit == "%" else unit


def goal_seek(scenario: Scenario, baseline: Baseline, targets: Sequence[Target] | None = None,
              scorecard: pd.DataFrame | None = None, revenue_links: Mapping[str, float] | None = None,
              bounds: tuple[float, float] = BOUNDS, first_year: int = LEVER_FIRST_YEAR,
              projection: Projection | None = None) -> pd.DataFrame:
    """The lever growth each missed target needs, beside what the scenario assumes.

    Parameters
    ----------
    scenario, baseline
        The scenario and its calibrated baseline (built with its ``assumptions``).
    targets
        The targets (default: :func:`model.targets.definitions.load_targets`); each modelled one
        has ``levers``.
    scorecard
        The scenario's deterministic scorecard (:func:`model.targets.scorecard.evaluate`);
        computed when not given.
    revenue_links
        Overrides of the revenue layer (default: the scenario's own).
    bounds
        Search interval of the rate, fractions per year (default -50 % to +100 %).
    first_year
        First year of the constant rate: 2022 (default; 2021 keeps its calibration on
        the mid-2021 facts) or 2021 (the rate also replaces the calibrated year).
    projection
        The scenario's own projection (:func:`model.projection.simulate.project`); computed when
        not given.

    Each step of the root finder computes only the variables the target reads
    (:func:`needed_variables`).

    Returns
    -------
    pandas.DataFrame
        One row per target that is met or missed in its year (targets not modelled
        or not projected are left out), columns :data:`GOALSEEK_COLUMNS`: ``levers`` joined
        with ``+``; ``needed_growth_pct`` the constant real growth of the levers,
        %/yr from 2022 to ``year`` (NaN when met already or impossible);
        ``assumed_growth_pct`` their value-added-weighted stated growth over the
        same years (:func:`assumed_lever_growth`); ``extra_pp`` the difference in
        percentage points; ``status`` one of "reachable", "impossible within
        bounds", "met already"; ``note`` the result in words.
    """
    targets = tuple(load_targets() if targets is None else targets)
    links = checked_revenue_links(scenario.revenue_links if revenue_links is None else revenue_links)
    projection = project(scenario, baseline) if projection is None else projection
    if scorecard is None:
        scorecard = evaluate(timeseries(projection, scenario.name, revenue_links=links), targets)
    by_id = {t.id: t for t in targets}
    rows = []
    for card in scorecard.itertuples(index=False):
        if card.status not in (MET, MISSED):
            continue
        t = by_id[card.target]
        levers, year, needed = list(t.levers), t.year, needed_variables(t)
        assumed = 100.0 * assumed_lever_growth(scenario, baseline, levers, year, first_year, projection)
        row = {"target": t.id, "levers": "+".join(levers), "year": year, "needed_growth_pct": np.nan,
               "assumed_growth_pct": assumed, "extra_pp": np.nan}
        if card.status == MET:
            rows.append({**row, "status": MET_ALREADY,
                         "note": f"met already (gap {card.gap:+.4g} {_unit_text(t.unit)}); "
                                 f"assumes {assumed:.1f} %/yr"})
            continue
        distance, side = boundary_distance(t, _values_in(projection, links, year, needed), card.projected_value)
        if not np.isfinite(distance):             # a count above the modelled clusters: no rate can meet it
            rows.append({**row, "status": IMPOSSIBLE,
                         "note": f"the model counts at most {len(_CLUSTERS)} clusters ({', '.join(CLUSTER_NAMES)}), "
                                 f"so no lever growth meets {t.comparator.text()}; assumes {assumed:.1f} %/yr"})
            continue

        def at_rate(rate: float, levers=levers, year=year, needed=needed) -> dict[str, float]:
            return _values_in(project(with_lever_growth(scenario, levers, rate, year, first_year), baseline), links,
                              year, needed)

        def f(rate: float, t=t, projected=card.projected_value) -> float:
            return boundary_distance(t, at_rate(rate), projected)[0]

        rate = solve_rate(f, side, bounds)
        if np.isnan(rate):
            best = max(bounds, key=lambda b: (side or 1.0) * f(b))
            reached = at_rate(best)
            rows.append({**row, "status": IMPOSSIBLE,
                         "note": f"no constant rate of {100 * bounds[0]:g} to {100 * bounds[1]:g} %/yr meets it: "
                                 f"at {100 * best:g} %/yr {t.variable} is {reached[t.variable]:.4g} "
                                 f"{t.unit} in {year}; assumes {assumed:.1f} %/yr"})
            continue
        rate_pct = 100.0 * rate
        rows.append({**row, "needed_growth_pct": rate_pct, "extra_pp": rate_pct - assumed, "status": REACHABLE,
                     "note": f"needs {rate_pct:.1f} %/yr, assumes {assumed:.1f} %/yr ({rate_pct - assumed:+.1f} pp) "
                             f"over {first_year}-{year}"})
    return pd.DataFrame(rows, columns=list(GOALSEEK_COLUMNS))

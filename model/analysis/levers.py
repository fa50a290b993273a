r"""Two-lever maps: which combinations of two sectors' growth meet which targets.

A map varies the constant real growth of two *lever* sectors :math:`a` and
:math:`b` over a grid (default :data:`GRID` x :data:`GRID` rates in
:data:`BOUNDS`) in every year from 2022 (:data:`model.analysis.goalseek.LEVER_FIRST_YEAR`) to the
last target year of the map; every other sector, and each lever outside those
years, keeps the scenario's path.  As in goal-seeking, a rate replaces the
lever's *stated* growth; the vaccine unwind of 2022 and the shocks still apply on
top.  Every grid point is one draw of the Monte Carlo engine
(:func:`model.projection.simulate.project` with :class:`model.projection.simulate.Draws`): the draw's
growth shift is :math:`r - g^{s}` in the lever's cells (:math:`g^s` the stated
growth), 0 elsewhere, and the whole grid goes through the model in one call.

On the map: for each target, the region where it is met; the scenario's own point
(the levers' stated growth as constant rates, :func:`model.analysis.goalseek.assumed_lever_growth`;
an approximation when the stated path is not constant); the goal-seek answer where
the target's levers are the map's two sectors (goal-seeking gives both the same
rate, so it lies on the diagonal) or one of them (the other lever then at the
scenario's point, an approximation as for that point); and the grid point nearest to the scenario's
point (Euclidean, in percentage points) where every target of the map is met, or
none within the bounds.

The pairs come from ``lever_pair`` in ``model/data/targets.yaml`` (:func:`pairs`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..analysis.goalseek import LEVER_FIRST_YEAR, REACHABLE, assumed_lever_growth
from ..baseline.calibration import Baseline
from ..core.sectors import INDEX, LABELS
from ..core.years import level_row, step_rows
from ..projection.indicators import Indicators
from ..projection.simulate import Draws, Projection, in_domain, project, stated_growth
from ..scenario.loader import Scenario
from ..targets.definitions import Target

BOUNDS = (-0.10, 0.40)          # rates of each lever, fraction per year (-10 to +40 %/yr)
GRID = 101                      # rates per lever


@dataclass(frozen=True)
class LeverMap:
    """One evaluated map.  Rates are fractions per year; grids are ``(n_b, n_a)``: row ``j`` is
    ``rates_b[j]``, column ``i`` is ``rates_a[i]``.

    ``values`` and ``met`` map a target id to its target-year value and met flag on the grid
    (NaN and False where the draw leaves the model's domain); ``own`` is the scenario's
    point; ``goal`` maps a target id to its goal-seek point where it has one on this plane;
    ``nearest`` is the grid point nearest to ``own`` meeting every target
    of the map (``None``: none within the bounds).
    """

    pair: tuple[str, str]
    rates_a: np.ndarray
    rates_b: np.ndarray
    first_year: int
    last_year: int
    targets: tuple[Target, ...]
    values: Mapping[str, np.ndarray]
    met: Mapping[str, np.ndarray]
    own: tuple[float, float]
    goal: Mapping[str, tuple[float, float]]
    nearest: tuple[float, float] | None

    @property
    def name(self) -> str:
        """``levers_<a>_<b>``: the stem of the map's files."""
        return f"levers_{self.pair[0]}_{self.pair[1]}"

    @property
    def all_met(self) -> np.ndarray:
        """``(n_b, n_a)``: every target of the map met."""
        return np.logical_and.reduce([self.met[t.id] for t in self.targets])

    def table(self) -> pd.DataFrame:
        """Tidy grid: one row per point, the two rates in %/yr, each target's value and met flag."""
        a, b = np.meshgrid(self.rates_a, self.rates_b)
        out = {f"growth_{self.pair[0]}_pct": 100.0 * a.ravel(), f"growth_{self.pair[1]}_pct": 100.0 * b.ravel()}
        for t in self.targets:
            out[f"{t.id}_value"] = self.values[t.id].ravel()
            out[f"{t.id}_met"] = self.met[t.id].ravel()
        out["all_met"] = self.all_met.ravel()
        return pd.DataFrame(out)

    def note(self) -> str:
        """The nearest combination meeting every target of the map, in words."""
        a, b = (LABELS.get(k, k) for k in self.pair)
        if self.nearest is None:
            return (f"no combination of {a} and {b} growth in {100 * self.rates_a[0]:g} to "
                    f"{100 * self.rates_a[-1]:g} %/yr meets every target of the map (none within bounds)")
        return (f"nearest combination meeting every target of the map: {a} {100 * self.nearest[0]:.1f} %/yr, "
                f"{b} {100 * self.nearest[1]:.1f} %/yr (scenario: {100 * self.own[0]:.1f}, "
                f"{100 * self.own[1]:.1f} %/yr)")


def pairs(targets: Sequence[Target], horizon: int,
          extra: Sequence[Sequence[str]] = ()) -> dict[tuple[str, str], tuple[Target, ...]]:
    """The lever pairs the targets declare, each with its modelled targets within ``horizon``, in file
    order; then each pair of ``extra`` (e.g. from the command line) not declared, with the targets
    whose ``levers`` include either of its sectors (pairs with no such target are left out)."""
    out: dict[tuple[str, str], list[Target]] = {}
    for t in targets:
        if t.modelled and t.lever_pair and t.year <= horizon:
            out.setdefault(tuple(t.lever_pair), []).append(t)
    for a, b in extra:
        if (a, b) not in out:
            chosen = [t for t in targets if t.modelled and t.year <= horizon and {a, b} & set(t.levers)]
            if chosen:
                out[(a, b)] = chosen
    return {p: tuple(ts) for p, ts in out.items()}


def grid_draws(scenario: Scenario, baseline: Baseline, pair: Sequence[str], rates_a: np.ndarray,
               rates_b: np.ndarray, last_year: int, first_year: int = LEVER_FIRST_YEAR) -> Draws:
    """The grid as draws: point ``j * n_a + i`` gives lever ``a`` the rate ``rates_a[i]`` and lever
    ``b`` the rate ``rates_b[j]`` from ``first_year`` to ``last_year``; growth shifts
    ``(n_a n_b, n_years, n_sectors)``."""
    stated = stated_growth(scenario, baseline)
    rows = step_rows(first_year, last_year)
    a, b = np.meshgrid(rates_a, rates_b)
    shift = np.zeros((a.size,) + stated.shape)
    shift[:, rows, INDEX[pair[0]]] = a.reshape(-1, 1) - stated[rows, INDEX[pair[0]]]
    shift[:, rows, INDEX[pair[1]]] = b.reshape(-1, 1) - stated[rows, INDEX[pair[1]]]
    return Draws(n=a.size, growth=shift)


def evaluate_grid(scenario: Scenario, baseline: Baseline, pair: Sequence[str], targets: Sequence[Target],
                  rates_a: np.ndarray, rates_b: np.ndarray, last_year: int,
                  first_year: int = LEVER_FIRST_YEAR) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Each target's value and met flag on the grid, ``(n_b, n_a)``, in one pass through the engine."""
    p = project(scenario, baseline, grid_draws(scenario, baseline, pair, rates_a, rates_b, last_year, first_year))
    ok = in_domain(p)
    ind = Indicators(p, scenario.revenue_links)
    shape = (len(rates_b), len(rates_a))
    values, met = {}, {}
    for t in targets:
        r = level_row(t.year)
        e = t.evaluate({v: ind.value(v)[..., r] for v in t.variables})
        values[t.id] = np.where(ok, e.value, np.nan).reshape(shape)
        met[t.id] = (e.met & ok).reshape(shape)
    ind.release()
    return values, met


def lever_map(scenario: Scenario, baseline: Baseline, pair: Sequence[str], targets: Sequence[Target],
              goalseek: pd.DataFrame | None = None, bounds: tuple[float, float] = BOUNDS, n: int = GRID,
              first_year: int = LEVER_FIRST_YEAR, projection: Projection | None = None) -> LeverMap:
    """The map of ``targets`` over the growth of the two sectors ``pair``.

    ``goalseek`` is the scenario's goal-seek table (:func:`model.analysis.goalseek.goal_seek`), for the
    goal-seek points; ``bounds`` and ``n`` set each axis (fractions per year, number of rates);
    ``projection`` is the scenario's own (computed when not given).  The rates apply from
    ``first_year`` to the last year of the targets.
    """
    pair = (pair[0], pair[1])
    last_year = max(t.year for t in targets)
    rates = np.linspace(bounds[0], bounds[1], n)
    values, met = evaluate_grid(scenario, baseline, pair, targets, rates, rates, last_year, first_year)
    projection = project(scenario, baseline) if projection is None else projection
    own = tuple(assumed_lever_growth(scenario, baseline, [k], last_year, first_year, projection) for k in pair)
    goal = {}
    if goalseek is not None:
        for row in goalseek.itertuples(index=False):
            t = next((t for t in targets if t.id == row.target), None)
            if t is None or row.status != REACHABLE:
                continue
            rate = row.needed_growth_pct / 100.0
            if set(t.levers) == set(pair):
                goal[t.id] = (rate, rate)
            elif len(t.levers) == 1 and t.levers[0] in pair:      # the other lever on its own path
                goal[t.id] = (rate, own[1]) if t.levers[0] == pair[0] else (own[0], rate)
    everything = np.logical_and.reduce([met[t.id] for t in targets])
    nearest = None
    if everything.any():
        a, b = np.meshgrid(rates, rates)
        distance = np.where(everything, np.hypot(a - own[0], b - own[1]), np.inf)
        j, i = np.unravel_index(np.argmin(distance), distance.shape)
        nearest = (float(rates[i]), float(rates[j]))
    return LeverMap(pair=pair, rates_a=rates, rates_b=rates, first_year=first_year, last_year=last_year,
                    targets=tuple(targets), values=values, met=met, own=(float(own[0]), float(own[1])),
                    goal=goal, nearest=nearest)


def lever_maps(scenario: Scenario, baseline: Baseline, targets: Sequence[Target],
               goalseek: pd.DataFrame | None = None, projection: Projection | None = None,
               first_year: int = LEVER_FIRST_YEAR, extra: Sequence[Sequence[str]] = ()) -> list[LeverMap]:
    """One map per lever pair the ``targets`` declare, and per pair of ``extra`` (:func:`pairs`)."""
    projection = project(scenario, baseline) if projection is None else projection
    return [lever_map(scenario, baseline, pair, ts, goalseek, first_year=first_year, projection=projection)
            for pair, ts in pairs(targets, scenario.horizon, extra).items()]


NEAREST_COLUMNS = ("map", "lever_a", "lever_b", "targets", "own_a_pct", "own_b_pct", "nearest_a_pct",
                   "nearest_b_pct", "note")


def nearest_table(maps: Sequence[LeverMap]) -> pd.DataFrame:
    """One row per map: the pair, its targets, the scenario's point, the nearest point meeting
    every target of the map (NaN: none within bounds), %/yr, and the note.  Without maps (a target
    set with no lever pairs) the table has its header and no rows."""
    return pd.DataFrame([{"map": m.name, "lever_a": m.pair[0], "lever_b": m.pair[1],
                          "targets": "+".join(t.id for t in m.targets),
                          "own_a_pct": 100 * m.own[0], "own_b_pct": 100 * m.own[1],
                          "nearest_a_pct": 100 * m.nearest[0] if m.nearest else np.nan,
                          "nearest_b_pct": 100 * m.nearest[1] if m.nearest else np.nan, "note": m.note()}
                         for m in maps], columns=NEAREST_COLUMNS)

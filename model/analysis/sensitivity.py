"""Which inputs move the targets: one-at-a-time swings (tornado) and Sobol indices.

Two analyses of a scenario's gaps to the plan's targets (:mod:`model.targets.definitions`),
each gap in the target's unit in the target year, measured by the scorecard's own
evaluation (:meth:`model.targets.definitions.Target.evaluate`):

* :func:`tornado`: every uncertain input is set to the low and then the high end
  of its range, the others at the scenario's values; the *swing*
  :math:`|\\Delta_{high} - \\Delta_{low}|` ranks the inputs.
* :func:`sobol_indices`: variance-based first-order and total indices over the
  inputs that need no recalibration (growth shifts, vaccine unwind, deflator
  shift), computed with SALib (Saltelli sampling, Jansen/Sobol estimators) on vectorised
  batches of draws (:class:`model.projection.simulate.Draws`, built by
  :func:`model.projection.simulate.shifted_draws` as the Monte Carlo's are, and cut into chunks as
  its are, so memory does not grow with the sample's size).

An assumption end needs a recalibrated baseline: :func:`model.baseline.baselines.baseline_for`,
the cache the batch uses too.

Ranges: data assumptions and revenue-link parameters from their files
(``model/data/assumptions.csv``, for a 2025-base scenario ``model/data/assumptions_2025.csv`` too,
``model/data/revenue_links.csv``: the documented low and high); the growth, deflator and
vaccine-unwind ranges are the module constants below, each an assumption.  Pure computation: nothing is written here.
"""
from __future__ import annotations

import dataclasses
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..baseline import data
from ..baseline.baselines import baseline_for
from ..baseline.calibration import Baseline
from ..core.sectors import KEYS
from ..core.years import BASE_YEAR, level_row
from ..projection.indicators import Indicators, checked_revenue_links
from ..projection.results import timeseries
from ..projection.simulate import Draws, Projection, project, shifted_draws
from ..scenario.loader import Scenario
from ..targets.definitions import Target, load_targets
from ..targets.scorecard import evaluate, evaluated
from .montecarlo import chunk_size

# Assumption: each sector's stated growth path from 2022 is uncertain by +-2 percentage points a year,
# about one standard deviation of the published annual growth rates of 2015-2019 around the fitted
# trend (1.8 pp over the 23 annual observations of trend_fit.csv, model/baseline/calibration.py).
GROWTH_SHIFT_PP = 2.0
# Assumption: the deflator of every sector together, from 2021, +-1 percentage point a year around the
# trend (1.26 %/yr); the implied GDP deflator was 2.2, 0.7 and 0.9 %/yr in 2017, 2019 and 2020
# (model/baseline/calibration.py: implied_deflators), inside the range.
DEFLATOR_SHIFT_PP = 1.0
# Assumption: share (%) of the 2021 vaccine level that unwinds in 2022; 50-100 as in scenarios/baseline.yaml.
VACCINE_UNWIND_RANGE_PCT = (50.0, 100.0)
SOBOL_CONF_MAX = 0.1         # a confidence half-width above this flags the sample as too small
# Below this base sample size the estimators are noise (a few hundred runs for a dozen inputs): refused.
SOBOL_MIN_N = 64
OAT_COLUMNS = ("target", "parameter", "parameter_unit", "low_value", "high_value", "base_gap", "gap_low",
               "gap_high", "swing", "unit")
SOBOL_COLUMNS = ("target", "parameter", "S1", "S1_conf", "ST", "ST_conf", "N", "evaluations", "max_conf",
                 "adequate", "note")
GROWTH_UNIT = "pp shift of the stated growth path from 2022"
DEFLATOR_UNIT = "pp shift of every sector's deflator from 2021"


@dataclasses.dataclass(frozen=True)
class Input:
    """One uncertain input: ``kind`` is ``assumption``, ``revenue_link``, ``growth``,
    ``vaccine_unwind`` or ``deflator``; ``low``/``high`` in ``unit``."""

    parameter: str
    kind: str
    key: str
    low: float
    high: float
    unit: str


# ---------------------------------------------------------------- target variables over draws
class _Values(Mapping):
    """Read-only ``variable -> values`` view of :class:`model.projection.indicators.Indicators`."""

    def __init__(self, ind: Indicators):
        self._ind = ind

    def __getitem__(self, variable: str) -> np.ndarray:
        return self._ind.value(variable)

    def __iter__(self):
        return iter(self._ind)

    def __len__(self) -> int:
        return len(self._ind)


def target_variables(p: Projection, revenue_links: Mapping[str, float] | None = None) -> Mapping[str, np.ndarray]:
    """The series the plan's targets compare, ``variable -> (..., n_years + 1)``, draw-safe.

    A view of :class:`model.projection.indicators.Indicators`: each series is computed when read.
    """
    return _Values(Indicators(p, revenue_links))


def target_gaps(p: Projection, targets: Sequence[Target],
                revenue_links: Mapping[str, float] | None = None,
                parameters: Mapping[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Each target's gap in its year, ``id -> (...)`` (a scalar array without draws), in its unit.

    ``targets`` must be modelled and within the projection's years; ``parameters``: values of satellite
    parameters by key, ``(1,)`` each (:class:`model.projection.indicators.Indicators`' ``parameter_draws``).
    """
    values = _Values(Indicators(p, revenue_links, parameters)) if parameters else target_variables(p, revenue_links)
    return {t.id: t.evaluate({v: values[v][..., level_row(t.year)] for v in t.variables}).gap for t in targets}


def evaluated_targets(scenario: Scenario, baseline: Baseline, targets: Sequence[Target] | None = None,
                      revenue_links: Mapping[str, float] | None = None,
                      scorecard: pd.DataFrame | None = None) -> tuple[Target, ...]:
    """The targets the scenario's scorecard evaluates (status met or missed), in file order.

    ``scorecard`` is the scenario's (:func:`model.targets.scorecard.evaluate`); computed when not given.
    """
    targets = tuple(load_targets() if targets is None else targets)
    if scorecard is None:
        scorecard = evaluate(timeseries(project(scenario, baseline), scenario.name, revenue_links=revenue_links),
                             targets)
    return evaluated(targets, scorecard)


# ---------------------------------------------------------------- the inputs
def oat_inputs(base: int = BASE_YEAR) -> tuple[Input, ...]:
    """Every uncertain input with its range: data assumptions (from a later ``base``, the jump-off's
    of ``assumptions_2025.csv`` too), revenue links with ``low < high``, each sector's growth, the
    vaccine unwind, the deflator of all sectors."""
    table = {**data.assumptions(), **(data.assumptions_2025() if base != BASE_YEAR else {})}
    out = [Input(k, "assumption", k, a.low, a.high, a.unit) for k, a in table.items() if a.low < a.high]
    out += [Input(f"revenue_links.{k}", "revenue_link", k, r.low, r.high, r.unit)
            for k, r in data.revenue_links().items() if r.low < r.high]
    if base != BASE_YEAR:       # the satellites and the new clusters' level factors exist from a later base only
        out += [Input(f"satellites.{k}", "satellite", k, r.low, r.high, r.unit)
                for k, r in data.satellites().items()
                if r.low < r.high and k.endswith((".elasticity", ".level_factor"))]
    out += sobol_inputs()
    return tuple(out)


def sobol_inputs() -> tuple[Input, ...]:
    """The inputs that need no recalibration: growth of each sector, vaccine unwind, deflator."""
    return (*(Input(f"growth.{k}", "growth", k, -GROWTH_SHIFT_PP, GROWTH_SHIFT_PP, GROWTH_UNIT) for k in KEYS),
            Input("vaccine_unwind", "vaccine_unwind", "vaccine_unwind", *VACCINE_UNWIND_RANGE_PCT, "%"),
            Input("deflator.all", "deflator", "all", -DEFLATOR_SHIFT_PP, DEFLATOR_SHIFT_PP, DEFLATOR_UNIT))


def draws_for(scenario: Scenario, inputs: Sequence[Input], values: np.ndarray) -> Draws:
    """:class:`~model.projection.simulate.Draws` setting ``inputs`` (growth, vaccine_unwind, deflator
    kinds) to ``values`` ``(n, len(inputs))`` in their units; inputs not named keep the scenario.

    Growth and deflator shifts (pp) are added to the stated paths from the years
    :func:`model.projection.simulate.shifted_draws` gives them (growth from 2022, as 2021 is
    calibrated; deflators from 2021); the vaccine unwind (percent) replaces the scenario's.
    """
    values = np.asarray(values, dtype=float)
    n = len(values)
    growth: dict[str, np.ndarray] = {}
    deflator: dict[str, np.ndarray] = {}
    unwind = np.full(n, scenario.vaccine_unwind)
    for j, x in enumerate(inputs):
        if x.kind in ("growth", "deflator"):
            shifts = growth if x.kind == "growth" else deflator
            shifts[x.key] = shifts[x.key] + values[:, j] / 100.0 if x.key in shifts else values[:, j] / 100.0
        elif x.kind == "vaccine_unwind":
            unwind = values[:, j] / 100.0
        else:
            raise ValueError(f"input {x.parameter!r} ({x.kind}) cannot be drawn; it needs a new baseline or links")
    return shifted_draws(n, scenario.horizon, growth, deflator, unwind, base=scenario.base)


# ---------------------------------------------------------------- one at a time
def tornado(scenario: Scenario, baseline: Baseline, targets: Sequence[Target] | None = None,
            revenue_links: Mapping[str, float] | None = None, scorecard: pd.DataFrame | None = None,
            projection: Projection | None = None) -> pd.DataFrame:
    r"""One-at-a-time swings of every target's gap (:func:`oat_inputs`).

    For input :math:`k` with range :math:`[a_k, b_k]` and target gap
    :math:`\Delta(\cdot)` in the target year (target's unit), all other inputs at
    the scenario's values:

    .. math:: \text{swing}_k = |\Delta(b_k) - \Delta(a_k)|

    An assumption end recalibrates the baseline (:func:`model.baseline.baselines.baseline_for`, the
    scenario's own assumptions kept for the others); a revenue-link end overrides
    that parameter on top of ``revenue_links`` (default: the scenario's); from a later base a satellite
    parameter's end (an elasticity, a level factor; ``satellites.csv``) replaces its value in the
    indicators; growth,
    vaccine-unwind and deflator ends enter as one batch of draws.  ``scorecard`` and
    ``projection`` are the scenario's own, when the caller has them (computed otherwise).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`OAT_COLUMNS`, one row per evaluated target (met or missed
        in the scorecard) and input, targets in file order and within each target
        sorted by swing, largest first.  ``base_gap`` is the scenario's own gap.
    """
    links = checked_revenue_links(scenario.revenue_links if revenue_links is None else revenue_links)
    targets = evaluated_targets(scenario, baseline, targets, links, scorecard)
    base = project(scenario, baseline) if projection is None else projection
    base_gap = target_gaps(base, targets, links)
    ends: dict[str, tuple[dict, dict]] = {}
    inputs = oat_inputs(scenario.base)
    for x in inputs:
        if x.kind == "assumption":
            ends[x.parameter] = tuple(
                target_gaps(project(scenario, baseline_for({**scenario.assumptions, x.key: v}, scenario.base,
                                                           scenario.census)),
                            targets, links)
                for v in (x.low, x.high))
        elif x.kind == "revenue_link":
            ends[x.parameter] = tuple(target_gaps(base, targets, checked_revenue_links({**links, x.key: v}))
                                      for v in (x.low, x.high))
        elif x.kind == "satellite":
            ends[x.parameter] = tuple({t: float(np.ravel(g)[0]) for t, g in target_gaps(base, targets, links,
                                                                              {x.key: np.array([v])}).items()}
                                      for v in (x.low, x.high))
    drawn = [x for x in inputs if x.kind in ("growth", "vaccine_unwind", "deflator")]
    values = np.zeros((2 * len(drawn), len(drawn)))
    for j, x in enumerate(drawn):
        values[:, j] = _scenario_value(scenario, x)
        values[2 * j, j], values[2 * j + 1, j] = x.low, x.high
    batch = target_gaps(project(scenario, baseline, draws_for(scenario, drawn, values)), targets, links)
    for j, x in enumerate(drawn):
        ends[x.parameter] = tuple({t: g[2 * j + e] for t, g in batch.items()} for e in (0, 1))
    rows = []
    for t in targets:
        block = []
        for x in inputs:
            low, high = (float(ends[x.parameter][e][t.id]) for e in (0, 1))
            block.append({"target": t.id, "parameter": x.parameter, "parameter_unit": x.unit, "low_value": x.low,
                          "high_value": x.high, "base_gap": float(base_gap[t.id]), "gap_low": low, "gap_high": high,
                          "swing": abs(high - low), "unit": t.unit})
        rows += sorted(block, key=lambda r: -r["swing"])
    return pd.DataFrame(rows, columns=list(OAT_COLUMNS))


def _scenario_value(scenario: Scenario, x: Input) -> float:
    """The scenario's own value of a drawn input, in its unit (shifts: 0)."""
    return 100.0 * scenario.vaccine_unwind if x.kind == "vaccine_unwind" else 0.0


# ---------------------------------------------------------------- variance-based
def sobol_indices(scenario: Scenario, baseline: Baseline, targets: Sequence[Target] | None = None,
                  n: int = 1024, seed: int = 20210811, revenue_links: Mapping[str, float] | None = None,
                  inputs: Sequence[Input] | None = None, num_resamples: int = 200,
                  scorecard: pd.DataFrame | None = None) -> pd.DataFrame:
    r"""First-order and total Sobol indices of every target's gap, with SALib.

    The inputs (default :func:`sobol_inputs`) are independent and uniform on their
    ranges (an assumption: the ranges are bounds, not fitted distributions).  With
    :math:`Y` the gap of a target in its year,

    .. math::
        S_k = \frac{\operatorname{Var}(E[Y \mid X_k])}{\operatorname{Var}(Y)},\qquad
        S_{T,k} = \frac{E[\operatorname{Var}(Y \mid X_{\sim k})]}{\operatorname{Var}(Y)}

    estimated from Saltelli's scheme (``SALib.sample.sobol``, scrambled Sobol'
    sequence, ``n`` base samples, :math:`n(D+2)` model evaluations for :math:`D`
    inputs, second order off), evaluated as draws in chunks (:func:`sample_gaps`); confidence
    half-widths (95 %) by bootstrap (``SALib.analyze.sobol``).  SALib is the field's
    standard implementation of these estimators.  ``scorecard`` is the scenario's own,
    when the caller has it (computed otherwise).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SOBOL_COLUMNS`: per target and input ``S1``, ``ST`` and their
        half-widths; ``N`` (= ``n``), ``evaluations``, ``max_conf`` (largest
        half-width of the target) and ``adequate`` (:func:`sobol_adequacy`).  A gap that does not vary over the
        sample has no variance to apportion: its indices are NaN and ``note`` says so.
    """
    if n < SOBOL_MIN_N:
        raise ValueError(f"Sobol base sample size {n} is too small to estimate indices; use at least "
                         f"{SOBOL_MIN_N} (a power of 2 such as 1024)")
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    links = checked_revenue_links(scenario.revenue_links if revenue_links is None else revenue_links)
    targets = evaluated_targets(scenario, baseline, targets, links, scorecard)
    inputs = tuple(sobol_inputs() if inputs is None else inputs)
    problem = {"num_vars": len(inputs), "names": [x.parameter for x in inputs],
               "bounds": [[x.low, x.high] for x in inputs]}
    values = sample.sample(problem, n, calc_second_order=False, seed=seed)
    gaps = sample_gaps(scenario, baseline, inputs, values, targets, links)
    rows = []
    for t in targets:
        y = np.asarray(gaps[t.id], dtype=float)
        if np.ptp(y) == 0.0:
            result = {k: np.full(len(inputs), np.nan) for k in ("S1", "S1_conf", "ST", "ST_conf")}
            note = "the gap does not vary over the sample: no variance to apportion"
        else:
            result = analyze.analyze(problem, y, calc_second_order=False, num_resamples=num_resamples,
                                     conf_level=0.95, seed=seed)
            note = ""
        max_conf, adequate, why = sobol_adequacy(result["S1"], result["S1_conf"], result["ST"], result["ST_conf"])
        note = why or note
        for j, x in enumerate(inputs):
            rows.append({"target": t.id, "parameter": x.parameter, "S1": float(result["S1"][j]),
                         "S1_conf": float(result["S1_conf"][j]), "ST": float(result["ST"][j]),
                         "ST_conf": float(result["ST_conf"][j]), "N": n, "evaluations": len(values),
                         "max_conf": max_conf, "adequate": adequate, "note": note})
    return pd.DataFrame(rows, columns=list(SOBOL_COLUMNS))


def sample_gaps(scenario: Scenario, baseline: Baseline, inputs: Sequence[Input], values: np.ndarray,
                targets: Sequence[Target], revenue_links: Mapping[str, float]) -> dict[str, np.ndarray]:
    """Each target's gap at every row of ``values`` ``(n, len(inputs))``: ``id -> (n,)``.  The rows go
    through the model in chunks (:func:`model.analysis.montecarlo.chunk_size`, as the Monte Carlo's
    draws), so the projection's memory does not grow with the sample; the gaps do not depend on the cut."""
    step = chunk_size(len(values) or 1, scenario.horizon)
    parts: dict[str, list[np.ndarray]] = {t.id: [] for t in targets}
    for start in range(0, len(values), step):
        draws = draws_for(scenario, inputs, values[start:start + step])
        for key, gap in target_gaps(project(scenario, baseline, draws), targets, revenue_links).items():
            parts[key].append(np.asarray(gap, dtype=float))
    return {key: np.concatenate(chunks) if chunks else np.empty(0) for key, chunks in parts.items()}


def sobol_adequacy(s1, s1_conf, st, st_conf) -> tuple[float, bool | None, str]:
    """Whether one target's indices are estimated well enough: ``(max_conf, adequate, note)``.

    Not adequate when a confidence half-width exceeds :data:`SOBOL_CONF_MAX`, or when an
    index lies outside [0, 1] by more than its half-width (an index is a share of
    variance, so such an estimate is noise).  ``adequate`` is ``None`` when there are no
    indices (a gap without variance).
    """
    s = np.concatenate([np.asarray(s1, dtype=float), np.asarray(st, dtype=float)])
    conf = np.concatenate([np.asarray(s1_conf, dtype=float), np.asarray(st_conf, dtype=float)])
    if not np.isfinite(conf).any():
        return np.nan, None, ""
    max_conf = float(np.nanmax(conf))
    outside = ~np.isfinite(s) | (s + conf < 0.0) | (s - conf > 1.0)
    notes = []
    if max_conf > SOBOL_CONF_MAX:
        notes.append(f"confidence half-width up to {max_conf:.2f} > {SOBOL_CONF_MAX}")
    if outside.any():
        notes.append(f"{int(outside.sum())} indices outside [0, 1] beyond their confidence")
    return max_conf, not notes, ("; ".join(notes) + ": increase N") if notes else ""

"""One scenario computed, start to end, into one frozen record: the thing the batch hands to the writers.

:func:`run_scenario` takes a checked :class:`~model.scenario.loader.Scenario` through every step
(calibration, projection, plausibility checks, results table, scorecard, Monte Carlo, the published
record, the analyses, the backtest) and returns a :class:`ScenarioRun`.  It writes nothing and
prints nothing; the writers (:mod:`model.output.write`) read the record and recompute none of it.

A step that fails raises :class:`RunFailed`, which says *what* failed: the scenario (a problem found
while projecting it), the data (a data file the calibration cannot use), the assumptions (a
calibration that cannot honour them), or the model itself (an internal error, with the step).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable, Mapping

import pandas as pd

from ..baseline.baselines import baseline_for
from ..baseline.calibration import AssumptionsError, Baseline
from ..baseline.data import DataError, figures
from ..baseline.realized import RealizedTable, realized_timeseries
from ..core import forked
from ..core.parameters import UNCERTAINTY
from ..core.problems import ProblemsError
from ..core.years import BASE_YEAR
from ..projection import plausibility
from ..projection.results import timeseries
from ..projection.simulate import Projection, project
from ..scenario.loader import Scenario
from ..targets.definitions import Target
from ..targets.scorecard import evaluate, with_realized
from ..targets.sets import TargetSet
from . import backtest, backtest_metrics, montecarlo
from .attribution import attribute
from .goalseek import LEVER_FIRST_YEAR, goal_seek
from .levers import LeverMap, lever_maps, nearest_table
from .memory import MEMORY_BOUND, gib, largest_sobol, sobol_peak_bytes
from .sampling import DEFAULT_CHUNK
from .sensitivity import sobol_indices, tornado

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOptions:
    """Settings of a run that the command line gives (``None``: the scenario's own)."""

    draws: int | None = None
    seed: int | None = None
    chunk: int = DEFAULT_CHUNK      # draws simulated at once
    sobol: int = 0                  # base sample size N of the Sobol analysis; 0: none
    goal_from: int = LEVER_FIRST_YEAR   # first year of the goal-seeking's constant lever growth
    lever_pairs: tuple[tuple[str, str], ...] = ()   # lever maps besides those the target set declares
    targets: str | None = None      # target set of every scenario (model.core.target_sets); None: each its own
    figures: bool = True            # False: tables only, no PNG/SVG (``--no-figures``)
    analyses: bool = True           # False: no goal-seeking, sensitivity, attribution or lever maps (``--no-analyses``)

    def __post_init__(self):
        """A Sobol sample that would pass the memory bound is refused here (:mod:`model.analysis.memory`)."""
        if self.sobol and self.sobol > largest_sobol():
            raise ValueError(f"a Sobol base sample of {self.sobol:,} needs about {gib(sobol_peak_bytes(self.sobol))}"
                             f" of memory, above the bound of {gib(MEMORY_BOUND)}: at most {largest_sobol():,}")


@dataclass(frozen=True)
class Analyses:
    """What it would take (goal-seeking), the one-at-a-time sensitivity, the gap attribution, the lever
    maps and their nearest points, and (with ``--sobol``) the Sobol indices of one scenario; each
    ``None`` (or empty) when not computed."""

    goalseek: pd.DataFrame | None = None
    sensitivity_oat: pd.DataFrame | None = None
    attribution: pd.DataFrame | None = None
    levers: pd.DataFrame | None = None
    lever_maps: tuple[LeverMap, ...] = ()
    sobol: pd.DataFrame | None = None

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables computed, by the stem of their file (``goalseek.csv`` ...), in a fixed order."""
        named = {"goalseek": self.goalseek, "sensitivity_oat": self.sensitivity_oat,
                 "attribution": self.attribution, "levers": self.levers, "sobol": self.sobol}
        return {stem: table for stem, table in named.items() if table is not None}


@dataclass(frozen=True)
class PublishedRecord:
    """The published statistics, read once per batch: the checked table (scorecards judge targets on
    it), the flat frame the backtest compares with and its IAMC rows (beside the projections)."""

    table: RealizedTable
    frame: pd.DataFrame
    iamc: pd.DataFrame


@dataclass(frozen=True)
class ScenarioRun:
    """Everything computed for one scenario, frozen: the one record the writers read."""

    scenario: Scenario
    baseline: Baseline
    projection: Projection
    targets: TargetSet
    table: pd.DataFrame                 # the tidy IAMC table (model.core.iamc.IAMC_COLUMNS)
    scorecard: pd.DataFrame             # with P(met) and the published record's columns
    analyses: Analyses
    montecarlo: montecarlo.MonteCarloResult | None = None
    backtest: pd.DataFrame | None = None    # the scenario against the record (2020 base only)
    warnings: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.scenario.name


@dataclass
class RunFailed(Exception):
    """A scenario that could not be computed, by what failed: ``kind`` is ``scenario`` (a problem of
    the scenario found while projecting it), ``data`` (a data file the calibration cannot use),
    ``assumptions`` (a calibration that cannot honour the scenario's assumptions) or ``internal`` (an
    error of the model, in ``step``); ``problems`` are the lines to report, each naming the file."""

    kind: str
    step: str
    problems: list[str] = field(default_factory=list)
    warnings: tuple[str, ...] = ()

    def __str__(self) -> str:
        return "\n".join(self.problems)


Progress = Callable[[str], None]
DrawProgress = Callable[[int, int], None]


def _ignore(*_) -> None:
    """The progress callback of a run nobody watches."""


def run_scenario(scenario: Scenario, targets: TargetSet, options: RunOptions = RunOptions(),
                 published: PublishedRecord | None = None, step: Progress = _ignore,
                 draws: DrawProgress = _ignore, scored: Callable[[pd.DataFrame, pd.DataFrame], None] = _ignore,
                 parallel: bool = False) -> ScenarioRun:
    """Compute every result of ``scenario`` against ``targets``; raises :class:`RunFailed`.

    ``published`` is the published record (``None``: none usable; the scorecard's record columns
    stay blank and there is no backtest).  ``step`` is called with the name of each step as it
    starts, ``draws`` with the Monte Carlo's progress (draws done, of total), ``scored`` with the
    scorecard and the tidy table as soon as the scorecard is complete (before the analyses and the
    backtest).  ``parallel``: the goal-seeking and the lever maps are computed by a forked process
    meanwhile (:func:`model.core.forked.start`; the same results).
    """
    path = scenario.file
    warnings: list[str] = list(str(w) for w in scenario.warnings)
    current = "calibration"

    def enter(name: str) -> None:
        nonlocal current
        current = name
        step(name)

    try:
        enter("calibration")
        try:
            # one per assumptions, base and census basis, shared
            baseline = baseline_for(scenario.assumptions, scenario.base, scenario.census)
        except DataError as exc:
            raise RunFailed("data", current, [f"{path}: base {scenario.base} cannot be built from the data: {p}"
                                              for p in exc.problems], tuple(warnings)) from None
        except AssumptionsError as exc:
            raise RunFailed("assumptions", current, [f"{path}: assumptions: {exc}"], tuple(warnings)) from None
        enter("projection")
        projection = project(scenario, baseline)
        enter("plausibility checks")
        warnings += [str(w) for w in plausibility.warnings(scenario, baseline)]
        enter("results table")
        table = timeseries(projection, scenario.name, revenue_links=scenario.revenue_links)
        enter("scorecard")
        rebased = scenario.base != BASE_YEAR
        scorecard = evaluate(table, targets, base_year=scenario.base) if rebased else evaluate(table, targets)
        # a target of the base year or before is the record's, not the projection's
        future = tuple(t for t in targets if t.year > scenario.base) if rebased else tuple(targets)
        mc = None
        if scenario.uncertainty is not None:
            enter("Monte Carlo")
            mc = montecarlo.run(scenario, baseline, future, options.draws, options.seed, options.chunk,
                                scenario.revenue_links, progress=draws)
            warnings += list(mc.warnings)
        scorecard = montecarlo.with_probabilities(scorecard, mc)
        enter("scorecard against the published outcomes")
        # without a usable published record (reported once for the batch) the columns stay blank
        scorecard = with_realized(scorecard, future, published.table) if published is not None else \
            with_realized(scorecard, ())
        scored(scorecard, table)
        analyses = Analyses()
        if options.analyses:
            enter("goal-seeking, sensitivity, attribution and lever maps")
            reported = set(table["variable"])     # a 2025 jump-off's series are not there in a run from 2020
            analysed = tuple(t for t in targets if all(v in reported for v in t.variables))
            analyses = _analyses(scenario, baseline, analysed, scorecard, options, projection, parallel)
        enter("backtest")
        compared = None
        if published is not None and not rebased:
            # the bridges of the 4th-census partition; a 5th-census scenario's levels already carry them
            partition = baseline if baseline.census == backtest.MODEL_BASIS else baseline_for(scenario.assumptions)
            bridges = backtest.bridges_for(partition.va_2020, figures(), published.table)
            compared = backtest.compare(table, published.frame, bridges, scenario.name, baseline.census)
        if rebased and published is not None:    # by design, not a problem: logged (-v), not a warning
            log.info("%s: no backtest: base: %s starts from the published %s economy, so there is no "
                     "out-of-sample year to compare", path, scenario.base, scenario.base)
    except RunFailed:
        raise
    except ProblemsError as exc:   # found in projecting: rates out of bounds, levels not positive
        raise RunFailed("scenario", current, [str(p) for p in exc.problems], tuple(warnings)) from None
    except Exception as exc:       # a bug of ours (or no memory): reported with its step
        log.debug("internal error", exc_info=True)
        raise RunFailed("internal", current, [f"{path}: internal error in {current} ({type(exc).__name__}: {exc}); "
                                              "please report it"], tuple(warnings)) from None
    return ScenarioRun(scenario=scenario, baseline=baseline, projection=projection, targets=targets, table=table,
                       scorecard=scorecard, analyses=analyses, montecarlo=mc, backtest=compared,
                       warnings=tuple(warnings))


def _analyses(scenario: Scenario, baseline: Baseline, targets: tuple[Target, ...], scorecard: pd.DataFrame,
              options: RunOptions, projection: Projection, parallel: bool = False) -> Analyses:
    """What it would take (goal-seeking), sensitivity, gap attribution (against the parent, whose
    baseline is calibrated here) and lever maps of one scenario, from its projection and scorecard.
    From a later base year only the targets after it are attributed and mapped, and the levers move
    from the year after it."""
    first = options.goal_from if scenario.base == BASE_YEAR else max(options.goal_from, scenario.base + 1)
    later = tuple(t for t in targets if scenario.base == BASE_YEAR or t.year > scenario.base)

    def goals_and_maps():
        goals = goal_seek(scenario, baseline, targets, scorecard=scorecard, first_year=first, projection=projection)
        maps = lever_maps(scenario, baseline, later, goals if first == LEVER_FIRST_YEAR else None,
                          projection, extra=options.lever_pairs + scenario.lever_pairs,
                          # the goal-seeking's points: maps from 2022
                          first_year=LEVER_FIRST_YEAR if scenario.base == BASE_YEAR else first)
        return goals, maps
    # the goal-seeking (and its root finder's import) and the maps in a forked process, the rest here
    seeking = forked.start(goals_and_maps, parallel)
    try:
        oat = tornado(scenario, baseline, targets, scorecard=scorecard, projection=projection)
        attribution = attribute(scenario, baseline, later, projection)
        goals, maps = seeking.join()
    except BaseException:                  # an error here or there, Ctrl-C: the child is not left behind
        seeking.stop()
        raise
    sobol = None
    if options.sobol:
        seed = options.seed if options.seed is not None else (
            scenario.uncertainty.seed if scenario.uncertainty else UNCERTAINTY["seed"].default)
        sobol = sobol_indices(scenario, baseline, later, n=options.sobol, seed=seed, scorecard=scorecard)
    return Analyses(goalseek=goals, sensitivity_oat=oat, attribution=attribution, levers=nearest_table(maps),
                    lever_maps=tuple(maps), sobol=sobol)


def published_record(table: RealizedTable) -> PublishedRecord:
    """The published record of ``table`` in the three forms a batch uses."""
    frame = table.frame()
    return PublishedRecord(table, frame, backtest_metrics.with_derived_shares(realized_timeseries(table), frame))


@dataclass(frozen=True)
class ScenarioResult:
    """What a batch keeps of a :class:`ScenarioRun` once its folder is written: what the comparison, the
    workbook, the summary and the report read (no baseline, projection or draws)."""

    name: str
    file: str
    sha256: str
    description: str
    chain: tuple[tuple[str, str], ...]      # (file, sha256), the root of the chain first, its own last
    table: pd.DataFrame
    scorecard: pd.DataFrame
    goalseek: pd.DataFrame | None
    attribution: pd.DataFrame | None
    backtest: pd.DataFrame | None
    draws: int | None = None                # Monte Carlo draws (None: no Monte Carlo)
    seed: int | None = None

    @classmethod
    def of(cls, run: ScenarioRun) -> "ScenarioResult":
        s, mc = run.scenario, run.montecarlo
        return cls(name=s.name, file=s.file, sha256=s.sha256, description=s.description or "",
                   chain=tuple((c.file, c.sha256) for c in s.chain), table=run.table, scorecard=run.scorecard,
                   goalseek=run.analyses.goalseek, attribution=run.analyses.attribution, backtest=run.backtest,
                   draws=mc.draws if mc is not None else None, seed=mc.seed if mc is not None else None)


@dataclass(frozen=True)
class BatchRecord:
    """One batch, for the writers of its comparison, workbook, summary and report: the run's id and
    command, the results of the scenarios that ran (by name), what every scenario warned and every
    failure, the batch's backtest and the published record's IAMC rows (``None``: no usable record),
    and the result folders beside the batch's that another run wrote (``(name, their run)``)."""

    run_id: str
    command: tuple[str, ...]
    results: Mapping[str, ScenarioResult]
    warnings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    failures: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    backtest: backtest_metrics.BatchBacktest | None = None
    published_rows: pd.DataFrame | None = None
    stale: tuple[tuple[str, str | None], ...] = ()
    figures: bool = True
    drawing: int | None = None          # processes drawing the comparison's figures (None: as the machine allows)

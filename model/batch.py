"""Many scenarios, one command: a failing scenario is reported and the others still run."""
from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from .analysis import backtest, montecarlo
from .analysis.attribution import attribute
from .analysis.goalseek import LEVER_FIRST_YEAR, goal_seek
from .analysis.levers import lever_maps, nearest_table
from .analysis.naive import naive_forecasts
from .analysis.sampling import DEFAULT_CHUNK
from .analysis.sensitivity import sobol_indices, tornado
from .baseline.baselines import baseline_for
from .baseline.data import DataError, figures
from .baseline.realized import RealizedDataError, realized_table, realized_timeseries
from .core.files import REALIZED_FILE
from .core.parameters import UNCERTAINTY
from .core.target_sets import set_file
from .core.years import BASE_YEAR
from .output.atomic import locked, recover
from .output.comparison import stack, summary_markdown
from .output.show import describe
from .output.write import (
    COMPARISON,
    compared_rows,
    data_file_hashes,
    remove_comparison,
    remove_workbook,
    run_of,
    write_comparison,
    write_report,
    write_scenario,
    write_summary,
    write_workbook,
)
from .projection import plausibility
from .projection.results import timeseries
from .projection.simulate import project
from .scenario.loader import Scenario, ScenarioError, load_scenario
from .targets.definitions import TargetsError
from .targets.scorecard import evaluate, with_realized
from .targets.sets import load_set

MAX_CHUNK = 65_536          # draws simulated at once; more needs gigabytes at long horizons and is not faster

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What happened to one scenario file."""

    file: str
    name: str | None = None
    folder: Path | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.folder is not None and not self.problems


@dataclass(frozen=True)
class RunOptions:
    """Command-line settings of the analyses (``None``: the scenario's own)."""

    draws: int | None = None
    seed: int | None = None
    chunk: int = DEFAULT_CHUNK      # at most MAX_CHUNK
    sobol: int = 0                  # base sample size N of the Sobol analysis; 0: none
    goal_from: int = LEVER_FIRST_YEAR     # first year of the goal-seeking's constant lever growth
    lever_pairs: tuple[tuple[str, str], ...] = ()   # lever maps besides those targets.yaml declares
    targets: str | None = None      # target set of every scenario (model.targets.sets); None: each scenario's own
    figures: bool = True            # False: tables only, no PNG/SVG (``--no-figures``)


@dataclass(frozen=True)
class Progress:
    """Where a running batch is, for a progress display: scenario ``index`` of ``count``
    (1-based), named ``name``, at ``step``; in the Monte Carlo step, ``done`` of ``total``
    draws (both 0 in the other steps).  After the scenarios, the comparison is reported with
    ``index == count`` and ``name == "comparison"``."""

    index: int
    count: int
    name: str
    step: str
    done: int = 0
    total: int = 0


ProgressCallback = Callable[[Progress], None]


def _ignore(_: Progress) -> None:
    """The progress callback of a batch nobody watches."""


def run_batch(paths: list[Path], out_dir: Path, command: list[str],
              mc_options: RunOptions = RunOptions(), lock_wait: float = 10.0,
              progress: ProgressCallback | None = None) -> list[Outcome]:
    """Load, project and write every scenario in ``paths``; return one :class:`Outcome` each.

    Any problem of one scenario, expected or not, fails that scenario only.  After the
    scenarios, those that succeeded are compared (``out_dir/comparison/``) and the batch
    is summarised (``out_dir/summary.md``); if that fails, one more :class:`Outcome`
    (file ``comparison``) reports it.  The batch holds a lock on ``out_dir`` (waiting up
    to ``lock_wait`` seconds for another run; :class:`~model.output.atomic.OutputLocked`), first
    restores or removes what an interrupted run left there, and names its run
    (:func:`run_id`) in every manifest and in the summary.

    Each scenario is scored against its target set (``targets:``, or ``mc_options.targets``
    for all); each set used is read and checked once, and a broken set file is its own
    failure: the batch stops before writing anything.
    ``progress``, if given, is called with a :class:`Progress` at the start of every step of
    every scenario and after every chunk of Monte Carlo draws; it must not raise.  The batch
    itself prints nothing: it logs each step (``model.batch``, level INFO, with the seconds
    the previous one took) and leaves the display to the caller.
    """
    progress = progress or _ignore
    out_dir = Path(out_dir)
    loaded = _load_all(paths, progress)   # reads the scenario files only: nothing is written before the lock
    sets, broken = _target_sets(loaded, mc_options.targets)
    if broken:
        return broken
    with locked(out_dir, lock_wait):
        for note in recover(out_dir):
            log.warning("%s: %s", out_dir, note)
        run = run_id(loaded, mc_options)
        remove_comparison(out_dir)
        remove_workbook(out_dir)
        write_summary(out_dir, _in_progress(run))
        tables, scorecards, hashes, goals, attributions = {}, {}, {}, {}, {}
        realized, realized_problem = _realized()       # read once per batch, passed down
        compared, full = {}, {}
        for index, (outcome, scenario) in enumerate(loaded, start=1):
            if scenario is None:
                continue
            targets = sets[mc_options.targets or scenario.targets]
            steps = _Steps(progress, index, len(loaded), scenario.name)
            done = _run_one(outcome, scenario, out_dir, command, mc_options, run, targets, realized, steps)
            steps.finish()
            if done is not None:
                tables[scenario.name], scorecards[scenario.name], goals[scenario.name] = done[:3]
                full[scenario.name], compared[scenario.name], attributions[scenario.name] = done[3:]
                hashes[scenario.name] = scenario.sha256
            del scenario, done
        outcomes = [o for o, _ in loaded]
        del loaded
        steps = _Steps(progress, len(outcomes), len(outcomes), COMPARISON)
        steps("backtest and comparison")
        try:
            batch_bt = _batch_backtest(realized, compared, full)
        except Exception as exc:       # a bug of ours: report it, the comparison is still written
            log.debug("internal error", exc_info=True)
            batch_bt, realized_problem = None, Outcome(file="backtest", problems=[
                f"backtest: internal error ({type(exc).__name__}: {exc}); please report it"])
        # the workbook's IAMC table: every scenario's rows, then the realized rows
        iamc = pd.concat([full[n] for n in sorted(full)] + ([realized[1]] if realized is not None else []),
                         ignore_index=True) if full else None
        del full
        summary = _compare(out_dir, tables, scorecards, hashes, outcomes, command, goals, run, batch_bt,
                           attributions, iamc, mc_options.figures)
        steps.finish()
    return outcomes + ([summary] if summary.problems else []) + ([realized_problem] if realized_problem else [])


def _target_sets(loaded, override: str | None) -> tuple[dict, list[Outcome]]:
    """The target sets the loaded scenarios use (``override``: that one for all), each read once
    (:func:`model.targets.sets.load_set`), and one :class:`Outcome` per set file that cannot be used."""
    names = {override} if override else {s.targets for _, s in loaded if s is not None}
    sets, broken = {}, []
    for name in sorted(names):
        try:
            sets[name] = load_set(name)
        except TargetsError as exc:
            broken.append(Outcome(file=str(set_file(name)), problems=[str(p) for p in exc.problems]))
    return sets, broken


def _realized() -> tuple[tuple[pd.DataFrame, pd.DataFrame] | None, Outcome | None]:
    """The realized table as a frame (for :func:`model.analysis.backtest.compare`), its IAMC rows and
    the checked table itself (for :func:`model.targets.scorecard.with_realized`), read once;
    or ``None`` and an :class:`Outcome` naming every problem of the file (no backtest then)."""
    try:
        table = realized_table()
        frame = table.frame()
        return (frame, backtest.with_derived_shares(realized_timeseries(table), frame), table), None
    except RealizedDataError as exc:
        return None, Outcome(file=str(REALIZED_FILE), problems=[str(p) for p in exc.problems])


def _batch_backtest(realized, compared: dict, full: dict):
    """The batch's backtest (:func:`model.analysis.backtest.batch_backtest`), the naive forecasts built
    once from the central baseline; ``None`` without a realized table or a scenario that ran."""
    if realized is None or not compared:
        return None
    naive = naive_forecasts(baseline_for({}), figures())
    return backtest.batch_backtest(compared, naive, realized[0], realized[1], full)


class _Steps:
    """The steps of one scenario: each announced to the progress callback and logged with the
    time the previous one took; :attr:`name` is the current step, for error messages."""

    def __init__(self, progress: ProgressCallback, index: int, count: int, scenario: str):
        self.progress, self.index, self.count, self.scenario = progress, index, count, scenario
        self.name, self.started = "", time.perf_counter()

    def __call__(self, step: str) -> str:
        """Enter ``step`` (reported and logged); returns its name."""
        self._log_previous()
        self.name, self.started = step, time.perf_counter()
        log.info("[%d/%d] %s: %s", self.index, self.count, self.scenario, step)
        self.progress(Progress(self.index, self.count, self.scenario, step))
        return step

    def draws(self, done: int, total: int) -> None:
        """Monte Carlo progress of the current step: ``done`` of ``total`` draws simulated."""
        self.progress(Progress(self.index, self.count, self.scenario, self.name, done, total))

    def finish(self) -> None:
        self._log_previous()
        self.name = ""

    def _log_previous(self) -> None:
        if self.name:
            log.debug("[%d/%d] %s: %s took %.2f s", self.index, self.count, self.scenario, self.name,
                      time.perf_counter() - self.started)


def _load_all(paths: list[Path], progress: ProgressCallback = _ignore) -> list[tuple[Outcome, "Scenario | None"]]:
    """Each file loaded and checked (``None`` and the problems where it cannot be), names unique."""
    out, names = [], {}
    for index, path in enumerate(paths, start=1):
        _Steps(progress, index, len(paths), Path(path).name)("loading")
        outcome = Outcome(file=str(path))
        scenario = None
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            outcome.problems = [str(p) for p in exc.problems]
        except Exception as exc:       # a bug of ours: report it, keep the batch going
            log.debug("internal error", exc_info=True)
            outcome.problems = [f"{path}: internal error in loading the file ({type(exc).__name__}: {exc}); "
                                "please report it"]
        if scenario is not None:
            outcome.name = scenario.name
            outcome.warnings = [str(w) for w in scenario.warnings]
            key = scenario.name.casefold()     # folders differing only in case clash on some file systems
            if key in names:
                outcome.problems = [f"{path}: name: {scenario.name!r} is also the name of {names[key]}; "
                                    "names must differ, ignoring case (they name the output folders)"]
                scenario = None
            else:
                names[key] = str(path)
        out.append((outcome, scenario))
    return out


def run_id(loaded, options: RunOptions) -> str:
    """A short hash naming a run by what it computes: the scenarios (name and the hash of every
    file of their chains), the command-line settings and the data files.  The same inputs give
    the same id, so two identical runs write identical files.  Whether figures are drawn is
    left out: it changes no number, and a run with figures keeps the id it had before the option."""
    scenarios = {s.name: [x.sha256 for x in s.chain] for _, s in loaded if s is not None}
    failed = sorted(o.file for o, s in loaded if s is None)
    settings = {k: v for k, v in asdict(options).items() if k != "figures"}
    text = json.dumps({"scenarios": scenarios, "failed": failed, "options": settings,
                       "data": data_file_hashes()}, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _in_progress(run: str) -> str:
    return (f"# Run `{run}` in progress\n\nThis run has not finished. If this text stays, it was interrupted: "
            "the scenario folders here may come from different runs (each `manifest.json` names its run), "
            "and there is no comparison. Run the batch again.\n")


def _run_one(outcome: Outcome, scenario, out_dir: Path, command: list[str], options: RunOptions, run: str,
             targets, realized=None, steps: _Steps | None = None) -> tuple | None:
    """Project, analyse and write one scenario; its compared rows, scorecard, goal-seeking, full
    table, backtest (``None`` without ``realized``) and attribution, or ``None`` with
    ``outcome.problems`` set.  Each step is entered through ``steps`` (progress and log)."""
    path = outcome.file
    steps = steps or _Steps(_ignore, 1, 1, scenario.name)
    step = steps("calibration")
    try:
        baseline = baseline_for(scenario.assumptions, scenario.base)   # one per assumptions and base, shared
        step = steps("projection")
        projection = project(scenario, baseline)
        step = steps("plausibility checks")
        outcome.warnings += [str(w) for w in plausibility.warnings(scenario, baseline)]
        step = steps("results table")
        table = timeseries(projection, scenario.name, revenue_links=scenario.revenue_links)
        step = steps("scorecard")
        rebased = scenario.base != BASE_YEAR
        scorecard = evaluate(table, targets, base_year=scenario.base) if rebased else evaluate(table, targets)
        # a target of the base year or before is the record's, not the projection's
        future = tuple(t for t in targets if t.year > scenario.base) if rebased else targets
        mc = None
        if scenario.uncertainty is not None:
            step = steps("Monte Carlo")
            mc = montecarlo.run(scenario, baseline, future, options.draws, options.seed,
                                options.chunk, scenario.revenue_links, progress=steps.draws)
            outcome.warnings += list(mc.warnings)
        scorecard = montecarlo.with_probabilities(scorecard, mc)
        step = steps("scorecard against the published outcomes")
        # without a usable realized file (reported once for the batch) the columns stay blank
        scorecard = with_realized(scorecard, future, realized[2]) if realized is not None else \
            with_realized(scorecard, ())
        step = steps("goal-seeking, sensitivity, attribution and lever maps")
        analyses = _analyses(scenario, baseline, scorecard, options, projection)
        step = steps("backtest")
        compared = backtest.compare(table, realized[0], scenario.name) if realized is not None and not rebased \
            else None
        if rebased and realized is not None:    # by design, not a problem: logged (-v), not a warning
            log.info("%s: no backtest: base: %s starts from the published %s economy, so there is no "
                     "out-of-sample year to compare", path, scenario.base, scenario.base)
        step = steps("writing")
        outcome.folder = write_scenario(out_dir, scenario, baseline, projection, table, command, scorecard,
                                        outcome.warnings, scenario.revenue_links, mc, analyses, run,
                                        backtest=compared, targets=targets, figures=options.figures)
        return (compared_rows(table), scorecard, analyses["goalseek"], table, compared,
                analyses.get("attribution"))
    except ScenarioError as exc:   # found in projecting: rates out of bounds, levels not positive
        outcome.problems = [str(p) for p in exc.problems]
    except OSError as exc:
        outcome.problems = [f"{path}: cannot write results to {out_dir}: {exc}" if step == "writing"
                            else f"{path}: internal error in {step} ({type(exc).__name__}: {exc}); please report it"]
    except ValueError as exc:
        if step == "calibration" and isinstance(exc, DataError) and exc.problems:   # a data file, located
            outcome.problems = [f"{path}: base {scenario.base} cannot be built from the data: {p}"
                                for p in exc.problems]
        elif step == "calibration":      # calibration cannot honour the scenario's assumptions
            outcome.problems = [f"{path}: assumptions: {exc}"]
        else:
            log.debug("internal error", exc_info=True)
            outcome.problems = [f"{path}: internal error in {step} ({type(exc).__name__}: {exc}); please report it"]
    except Exception as exc:       # a bug of ours (or no memory): report it, keep the batch going
        log.debug("internal error", exc_info=True)
        outcome.problems = [f"{path}: internal error in {step} ({type(exc).__name__}: {exc}); please report it"]
    return None


def _analyses(scenario, baseline, scorecard, options: RunOptions, projection) -> dict:
    """What it would take (goal-seeking), sensitivity, gap attribution (against the parent, whose
    baseline is calibrated here, 0.05 s) and lever maps of one scenario, from its projection and
    scorecard against its target set (``options.targets`` or its own; read once, cached): tables by
    file stem, and the maps under ``lever_maps``.  From a later base year only the targets after it
    are attributed and mapped, and the levers move from the year after it."""
    targets = load_set(options.targets or scenario.targets)
    first = options.goal_from if scenario.base == BASE_YEAR else max(options.goal_from, scenario.base + 1)
    out = {"goalseek": goal_seek(scenario, baseline, targets, scorecard=scorecard, first_year=first,
                                 projection=projection),
           "sensitivity_oat": tornado(scenario, baseline, targets, scorecard=scorecard, projection=projection)}
    targets = tuple(t for t in targets if scenario.base == BASE_YEAR or t.year > scenario.base)
    out["attribution"] = attribute(scenario, baseline, targets, projection)
    maps = lever_maps(scenario, baseline, targets, out["goalseek"] if first == LEVER_FIRST_YEAR else None,
                      projection, extra=options.lever_pairs + scenario.lever_pairs,
                      # the goal-seeking's points: maps from 2022
                      first_year=LEVER_FIRST_YEAR if scenario.base == BASE_YEAR else first)
    out["levers"] = nearest_table(maps)
    out["lever_maps"] = maps
    if options.sobol:
        seed = options.seed if options.seed is not None else (
            scenario.uncertainty.seed if scenario.uncertainty else UNCERTAINTY["seed"].default)
        out["sobol"] = sobol_indices(scenario, baseline, targets, n=options.sobol, seed=seed, scorecard=scorecard)
    return out


def _compare(out_dir: Path, tables, scorecards, hashes, outcomes: list[Outcome], command: list[str],
             goals: dict | None = None, run: str | None = None, batch_bt=None,
             attributions: dict | None = None, iamc: pd.DataFrame | None = None, figures: bool = True) -> Outcome:
    """Write the comparison of the scenarios that succeeded, the workbook (with ``iamc``, the IAMC
    rows of every scenario and the realized ones), the report and the batch summary, which names
    the run and lists the folders beside it that another run wrote (without ``figures``: tables
    only, and the summary says so)."""
    outcome = Outcome(file=COMPARISON, name=COMPARISON)
    try:
        if tables:
            outcome.folder = write_comparison(out_dir, tables, scorecards, hashes, command, run, batch_bt,
                                               attributions, figures)
            if iamc is not None:
                write_workbook(out_dir, iamc, scorecards, run)
        warnings = {o.name or o.file: o.warnings for o in outcomes if o.warnings}
        failures = {o.file: o.problems for o in outcomes if o.problems}
        stacked = stack(scorecards) if scorecards else pd.DataFrame(columns=["scenario", "target", "status"])
        metrics = batch_bt.metrics if batch_bt is not None else None
        stale = stale_folders(out_dir, run)
        report = _report(out_dir, outcome, stacked, warnings, failures, goals, metrics, attributions, run, stale)
        text = summary_markdown(stacked, warnings, failures, goals or {}, metrics, attributions or {}, report,
                                figures)
        write_summary(out_dir, _with_run(text, run, sorted(tables), stale))
    except OSError as exc:
        outcome.problems = [f"cannot write the comparison to {out_dir}: {exc}"]
    except Exception as exc:       # a bug of ours: report it, the scenario folders stay written
        log.debug("internal error", exc_info=True)
        outcome.problems = [f"comparison: internal error ({type(exc).__name__}: {exc}); please report it"]
    return outcome


def _report(out_dir: Path, outcome: Outcome, stacked, warnings, failures, goals, metrics, attributions, run,
            stale) -> bool:
    """Write ``report.html`` from the tables the summary is made of; whether it was written (a
    problem is added to ``outcome`` otherwise, and the summary is still written)."""
    try:
        write_report(out_dir, stacked, warnings, failures, goals or {}, metrics, attributions or {}, run, stale)
        return True
    except OSError as exc:
        outcome.problems.append(f"cannot write the report to {out_dir}: {exc}")
    except Exception as exc:       # a bug of ours: report it, the summary is still written
        log.debug("internal error", exc_info=True)
        outcome.problems.append(f"report.html: internal error ({type(exc).__name__}: {exc}); please report it")
    return False


def stale_folders(out_dir: Path, run: str | None) -> list[tuple[str, str | None]]:
    """Result folders in ``out_dir`` written by another run than ``run``: ``(name, their run)``."""
    out = []
    for p in sorted(Path(out_dir).iterdir()):
        if p.is_dir() and not p.name.startswith(".") and p.name != COMPARISON and (p / "manifest.json").exists():
            theirs = run_of(p)
            if theirs != run:
                out.append((p.name, theirs))
    return out


def _with_run(text: str, run: str | None, compared: list[str], stale: list[tuple[str, str | None]]) -> str:
    """The summary text with the run it belongs to and the folders that are not part of it."""
    head, _, rest = text.partition("\n")
    lines = [head, "", f"Run `{run}`: {len(compared)} scenario folder(s) written and compared"
             + (f" ({', '.join(f'`{n}/`' for n in compared)})" if compared else "")
             + "; each folder's `manifest.json` and `comparison/manifest.json` name the same run."]
    if stale:
        lines += ["", "**Not part of this run** (left from earlier runs, not compared, possibly out of date): "
                  + ", ".join(f"`{n}/` (run `{r}`)" if r else f"`{n}/` (no run recorded)" for n, r in stale) + "."]
    return "\n".join(lines) + "\n" + rest


def show_scenarios(paths: list[Path]) -> tuple[str, int]:
    """The ``--show`` text of each scenario (problems instead, for a broken file) and the count of failures."""

    blocks, failed = [], 0
    for path in paths:
        try:
            scenario = load_scenario(path)
            baseline = baseline_for(scenario.assumptions, scenario.base)
            parent_baseline = baseline_for(scenario.parent.assumptions, scenario.parent.base) if scenario.parent \
                else None
            blocks.append(describe(scenario, baseline, parent_baseline))
        except ScenarioError as exc:
            failed += 1
            blocks.append(f"{path}: cannot be shown:\n" + "".join(f"  {p}\n" for p in exc.problems))
        except ValueError as exc:
            failed += 1
            blocks.append(f"{path}: assumptions: {exc}\n")
        except Exception as exc:       # a bug of ours: report it, show the others
            log.debug("internal error", exc_info=True)
            failed += 1
            blocks.append(f"{path}: internal error ({type(exc).__name__}: {exc}); please report it\n")
    return "\n".join(blocks), failed

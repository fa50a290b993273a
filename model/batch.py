"""Many scenarios, one command: a failing scenario is reported and the others still run.

Each scenario is loaded, computed into one record (:func:`model.analysis.run.run_scenario`) and
written (:func:`model.output.write.write_scenario`); what the batch keeps of it
(:class:`~model.analysis.run.ScenarioResult`) goes, with every failure and warning, into one
:class:`~model.analysis.run.BatchRecord` from which the comparison, the workbook, the summary and the
report are written.  The writers recompute nothing.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from .analysis import backtest, backtest_metrics
from .analysis.inputs import InputsError, path_of, read_inputs
from .analysis.memory import MEMORY_BOUND, PROCESS_BYTES, monte_carlo_peak_bytes, sobol_peak_bytes
from .analysis.naive import naive_forecasts
from .analysis.run import BatchRecord, PublishedRecord, RunFailed, RunOptions, ScenarioResult, run_scenario
from .baseline.baselines import baseline_for
from .baseline.calibration import AssumptionsError
from .baseline.data import DataError, figures
from .core import forked
from .core.files import COMPARISON
from .core.problems import ScenarioError
from .core.years import BASE_YEAR
from .output import atomic, drawer
from .output.atomic import NotOurs, OutputError, device_error, locked, recover
from .output.batch_set import FoldersFailed, previous_outputs, stale_folders, write_set
from .output.owned import in_the_way, run_of
from .output.show import describe
from .output.write import data_file_hashes, workbook_of, write_scenario
from .pool import Died, Interim, Task, can_fork, cpu_count, run_tasks
from .scenario.loader import Scenario, load_scenario

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MAX_CHUNK", "Journal", "Outcome", "OutputError", "Progress", "RunOptions", "cpu_count", "pool_size",
           "run_batch", "run_id", "show_scenarios", "stale_folders", "write_batch_outputs"]

MAX_CHUNK = 65_536          # draws simulated at once; more needs gigabytes at long horizons and is not faster

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What happened to one scenario file (``kind`` ``scenario``), to a data file the batch could not use
    (``data``: a target set, the published record), or to the batch's own outputs (``batch``)."""

    file: str
    name: str | None = None
    folder: Path | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    kind: str = "scenario"

    @property
    def ok(self) -> bool:
        return self.folder is not None and not self.problems


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


ScoredCallback = Callable[[str, "pd.DataFrame"], None]
_Scored = Callable[[str, "pd.DataFrame", "pd.DataFrame"], None]     # with the tidy table: inside the batch


def _ignore(*_) -> None:
    """The progress (or scorecard) callback of a batch nobody watches."""


@dataclass
class Journal:
    """How far a batch has come, for a message when it is stopped (Ctrl-C, a signal, a full device:
    :class:`~model.output.atomic.OutputError`): :func:`run_batch` fills it as it goes."""

    out_dir: Path | None = None
    started: bool = False                  # the lock is held: the batch may write
    previous_run: str | None = None        # the run of the batch outputs there when it started
    previous: tuple[str, ...] | None = None    # which of the batch outputs were there (None: not yet looked)
    run: str | None = None                 # this run's id
    replaced: list[str] = field(default_factory=list)    # scenario folders this run has written
    done: bool = False                     # the batch outputs are swapped in

    def kept(self) -> str:
        """What the output folder holds now, in words."""
        if not self.started:
            return "nothing was written"
        out = self.out_dir
        if self.done:
            return f"every output of run {self.run} was written to {out}"
        if atomic.swap_decided(out):
            return (f"the comparison, summary, report and workbook of run {self.run} were being swapped in; the "
                    f"next run into {out} finishes the swap")
        if self.previous is None:           # stopped while cleaning up after an earlier run
            return (f"nothing of this run was written; the earlier outputs in {out} are as they were, and the "
                    "next run into it finishes cleaning up")
        if self.previous:
            kept = (f"kept the previous {_names(self.previous)}" + (f" (run {self.previous_run})"
                                                                       if self.previous_run else ""))
        else:
            kept = "there was no earlier comparison, summary, report or workbook, and this run wrote none"
        folders = (f"scenario folders already replaced by this run (complete; each manifest.json names run "
                   f"{self.run}): {', '.join(n + '/' for n in self.replaced)}" if self.replaced
                   else "no scenario folder was replaced")
        return f"{kept}; {folders}; the next run into {out} removes what this one left unfinished"


def _names(names) -> str:
    shown = [n + "/" if n == COMPARISON else n for n in names]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def run_batch(paths: list[Path], out_dir: Path, command: list[str],
              mc_options: RunOptions | None = None, lock_wait: float = 10.0,
              progress: ProgressCallback | None = None, journal: Journal | None = None, jobs: int = 1,
              scored: ScoredCallback | None = None) -> list[Outcome]:
    """Load, project and write every scenario in ``paths``; return one :class:`Outcome` each.

    Any problem of one scenario, expected or not, fails that scenario only; so does a scenario
    whose folder would take the place of something the tool did not write (:mod:`model.output.owned`).
    After the scenarios, those that succeeded are compared and the batch is summarised: the
    comparison, the summary, the report and the workbook are built aside and swapped in together at
    the end (:func:`model.output.atomic.commit`), so an interrupted or failed batch leaves the
    previous set whole; if that fails, one more :class:`Outcome` (kind ``batch``) reports it.  The
    batch holds a lock on ``out_dir`` (waiting up to ``lock_wait`` seconds for another run;
    :class:`~model.output.atomic.OutputLocked`), first restores or removes what an interrupted run
    left there, and names its run (:func:`run_id`) in every manifest and in the summary.  A device
    that refuses writes (full, read-only) stops the batch with :class:`OutputError`.

    Before anything runs, every data file of ``model/data`` and every target set in use is read
    and checked once (:func:`model.analysis.inputs.read_inputs`); a broken file is an
    :class:`Outcome` of kind ``data`` with its problems (``file:line: problem``) and the batch
    stops there, writing nothing.  Each scenario is scored against its target set (``targets:``,
    or ``mc_options.targets`` for all).
    ``progress``, if given, is called with a :class:`Progress` at the start of every step of
    every scenario and after every chunk of Monte Carlo draws; it must not raise.  ``journal``, if
    given, is filled as the batch goes (:class:`Journal`: what is kept if it is stopped).  The batch
    itself prints nothing: it logs each step (``model.batch``, level INFO, with the seconds
    the previous one took) and leaves the display to the caller.  ``scored``, if given, is called with a
    scenario's name and its scorecard as soon as that is computed (before its analyses and its folder).

    ``jobs`` (default 1) is how many scenarios are computed at once, on as many worker processes
    (:mod:`model.pool`; :func:`pool_size`: no more than the scenarios, and as many as the memory bound
    allows); the outputs are the same, byte for byte, as with one.  A worker that dies (killed, crashed)
    fails its scenario only.  The workers ignore Ctrl-C: the batch's process stops them and says what is kept.  With one
    job the batch is one process in all, its figures too; a scenario computed in the batch's own process
    while more jobs are allowed draws its figures on the cores (:mod:`model.output.figure_files`).
    """
    progress = progress or _ignore
    scored = scored or _ignore
    mc_options = mc_options or RunOptions()
    journal = journal if journal is not None else Journal()
    out_dir = Path(out_dir)
    journal.out_dir = out_dir
    loaded = _load_all(paths, progress)   # reads the scenario files only: nothing is written before the lock
    try:                                  # every data file read and checked: nothing runs on a broken one
        inputs = read_inputs({mc_options.targets} if mc_options.targets else
                             {s.targets for _, s in loaded if s is not None})
    except InputsError as exc:
        return data_outcomes(exc.problems)
    sets, published, backtest_problem = inputs.sets, inputs.published, None
    with locked(out_dir, lock_wait):
        journal.started = True
        for note in recover(out_dir):
            log.warning("%s: %s", out_dir, note)
        journal.previous_run, journal.previous = previous_outputs(out_dir)
        run = journal.run = run_id(loaded, mc_options)
        results: dict[str, ScenarioResult] = {}
        todo = [(index, outcome, scenario) for index, (outcome, scenario) in enumerate(loaded, start=1)
                if scenario is not None]
        workers = pool_size(jobs, len(todo), mc_options)
        # --jobs 1: one process in all, the figures too; otherwise a scenario run alone draws its figures
        # on the cores (model.output.figure_files), and a pool's workers each on one
        drawing = 1 if jobs <= 1 else None
        shared = _Shared(out_dir, tuple(command), mc_options, run, sets, published, len(loaded), drawing)
        log.info("%d scenario(s) on %d process(es)", len(todo), workers)
        if workers > 1:
            _prepare_workers([s for _, _, s in todo], mc_options)
        # a scenario run alone is written by a forked process while its backtest and comparison are made
        deferred: list[_Writing] | None = [] if workers == 1 and len(todo) == 1 and drawing is None \
            and can_fork() else None
        if deferred is not None and mc_options.figures:
            drawer.start()              # matplotlib imported on the other core meanwhile
        early_workbook: list[forked.Pending] = []

        def on_scored(name: str, card: pd.DataFrame, table: pd.DataFrame) -> None:
            scored(name, card)
            if deferred is not None:    # a scenario run alone: its workbook is made while its analyses run
                early_workbook.append(forked.start(functools.partial(
                    workbook_of, {name: table}, {name: card}, published.iamc if published is not None else None,
                    run)))
        # on a pool, the scenarios are compared while the last folders are being written
        pool = _Pool(todo, shared, workers, progress, scored) if workers > 1 else None
        try:
            computed = pool.computed() if pool is not None else _inline(todo, shared, progress, on_scored, deferred)
            for name, result in computed:
                results[name] = result
                if deferred is None and pool is None:
                    journal.replaced.append(name)
            del todo
            outcomes = [o for o, _ in loaded]
            del loaded
            steps = _Steps(progress, len(outcomes), len(outcomes), COMPARISON)
            steps("backtest and comparison")

            def finish_writing() -> list[str]:
                """Wait for the folders being written; the names of those that could not be."""
                failed = []
                for writing in deferred or ():
                    name = writing.scenario.name
                    if writing.finish():
                        journal.replaced.append(name)
                    else:
                        failed.append(name)
                if deferred:
                    deferred.clear()
                if pool is not None:
                    written, unwritten = pool.finish()
                    journal.replaced.extend(n for n in written if n not in journal.replaced)
                    failed += unwritten
                for name in failed:
                    results.pop(name, None)
                return failed

            batch_bt, backtest_problem = _batch_backtest_or_problem(published, results)
            try:
                # the workbook made since the scorecard, if its scenario is the one compared (it stays in the
                # list: stopped at the end whatever happens, a no-op once it is joined)
                workbook = early_workbook[0] if early_workbook and len(results) == 1 else None
                summary = write_batch_outputs(out_dir, _record(run, command, results, outcomes, batch_bt, published,
                                                               out_dir, mc_options, drawing),
                                              before_report=finish_writing if deferred or pool else None,
                                              workbook=workbook)
            except FoldersFailed:       # a scenario's folder could not be written: compared without it
                batch_bt, backtest_problem = _batch_backtest_or_problem(published, results)
                summary = write_batch_outputs(out_dir, _record(run, command, results, outcomes, batch_bt, published,
                                                               out_dir, mc_options, drawing))
            finish_writing()            # the set failed before its report: the folders are still awaited
            journal.done = not summary.problems
            steps.finish()
        finally:                        # stopped (Ctrl-C, a full device): no writer is left behind
            for pending in early_workbook:
                pending.stop()
            for writing in deferred or ():
                writing.pending.stop()
                if run_of(out_dir / writing.scenario.name) == run:
                    journal.replaced.append(writing.scenario.name)
            for name in pool.close() if pool is not None else ():    # written, or being written when stopped
                if name not in journal.replaced and run_of(out_dir / name) == run:
                    journal.replaced.append(name)
            drawer.stop()
    log.info("peak resident memory: %s", peak_memory())
    return outcomes + ([summary] if summary.problems else []) + ([backtest_problem] if backtest_problem else [])


def _batch_backtest_or_problem(published: PublishedRecord | None, results: dict[str, ScenarioResult]):
    """:func:`_batch_backtest`, and ``None``; or ``None`` and the :class:`Outcome` of its internal error
    (the comparison is still written)."""
    try:
        return _batch_backtest(published, results), None
    except Exception as exc:       # a bug of ours: report it, the comparison is still written
        log.debug("internal error", exc_info=True)
        return None, Outcome(file="backtest", kind="batch", problems=[
            f"backtest: internal error ({type(exc).__name__}: {exc}); please report it"])


def _record(run: str, command: list[str], results: dict[str, ScenarioResult], outcomes: list[Outcome], batch_bt,
            published: PublishedRecord | None, out_dir: Path, options: RunOptions, drawing: int | None) -> BatchRecord:
    """The batch's record, from what its scenarios left (results, warnings, failures).  The folders of the
    scenarios compared are this run's, even while they are still being written (their manifests not yet
    swapped in): they are not among the stale ones."""
    return BatchRecord(
        run_id=run, command=tuple(command), results=dict(sorted(results.items())),
        warnings={o.name or o.file: tuple(o.warnings) for o in outcomes if o.warnings},
        failures={o.file: tuple(o.problems) for o in outcomes if o.problems}, backtest=batch_bt,
        published_rows=published.iamc if published is not None else None,
        stale=tuple((name, theirs) for name, theirs in stale_folders(out_dir, run) if name not in results),
        figures=options.figures, drawing=drawing)


def pool_size(jobs: int, scenarios: int, options: RunOptions) -> int:
    """How many scenarios run at once: ``jobs``, but no more than the ``scenarios``, and no more than fit
    in :data:`~model.analysis.memory.MEMORY_BOUND` beside the batch's own process, each taking the peak
    of a run with ``options`` (its Monte Carlo chunk, its Sobol sample); 1 without ``fork``."""
    if jobs <= 1 or scenarios <= 1 or not can_fork():
        return 1
    each = max(monte_carlo_peak_bytes(options.chunk), sobol_peak_bytes(options.sobol) if options.sobol else 0)
    return max(1, min(jobs, scenarios, (MEMORY_BOUND - PROCESS_BYTES) // each))


@dataclass(frozen=True)
class _Shared:
    """What every scenario of a batch is run with."""

    out_dir: Path
    command: tuple[str, ...]
    options: RunOptions
    run: str
    sets: dict
    published: PublishedRecord | None
    count: int                          # scenario files in the batch (the progress's ``of``)
    drawing: int | None = None          # processes drawing a folder's figures (None: as the machine allows)

    def run_one(self, outcome: Outcome, scenario: Scenario, steps: _Steps, scored: _Scored,
                deferred: list[_Writing] | None = None,
                on_computed: Callable[[ScenarioResult], None] | None = None) -> ScenarioResult | None:
        return _run_one(outcome, scenario, self.out_dir, list(self.command), self.options, self.run,
                        self.sets[self.options.targets or scenario.targets], self.published, steps, scored,
                        self.drawing, deferred, on_computed)


Todo = list[tuple[int, Outcome, Scenario]]


def _inline(todo: Todo, shared: _Shared, progress: ProgressCallback, scored: _Scored,
            deferred: list[_Writing] | None = None) -> Iterator[tuple[str, ScenarioResult]]:
    """The scenarios one after the other in this process; ``(name, result)`` of each that succeeded
    (with ``deferred``, of each computed: its folder is being written, :func:`_run_one`)."""
    for index, outcome, scenario in todo:
        steps = _Steps(progress, index, shared.count, scenario.name)
        result = shared.run_one(outcome, scenario, steps, scored, deferred)
        steps.finish()
        if result is not None:
            yield scenario.name, result


def _prepare_workers(scenarios: list[Scenario], options: RunOptions) -> None:
    """What every worker would otherwise do again, done once here before they start (each inherits it):
    the shared calibrations (:func:`_calibrate_shared`) and, with figures, matplotlib and the figure
    modules imported, with the font list read (a second or so a process)."""
    _calibrate_shared(scenarios, options)
    if options.figures:
        drawer.preload()


def _calibrate_shared(scenarios: list[Scenario], options: RunOptions) -> None:
    """Calibrate here, before the workers start (each inherits the cache of
    :func:`~model.baseline.baselines.baseline_for`), the baselines that several scenarios would
    otherwise each calibrate in their own process: their own, their parents' (the attribution) and the
    sensitivity's assumption ends.  A baseline that cannot be built is left to its scenario to report."""
    from .analysis.sensitivity import oat_inputs
    wanted: dict[tuple, tuple] = {}
    for s in scenarios:
        chain = [s, s.parent] if options.analyses and s.parent is not None else [s]
        for one in chain:
            wanted.setdefault(repr((sorted(one.assumptions.items()), one.base, one.census)),
                              (dict(one.assumptions), one.base, one.census))
        if options.analyses:
            for x in oat_inputs(s.base):
                if x.kind == "assumption":
                    for v in (x.low, x.high):
                        key = {**s.assumptions, x.key: v}
                        wanted.setdefault(repr((sorted(key.items()), s.base, s.census)), (key, s.base, s.census))
    for assumptions, base, census in wanted.values():
        try:
            baseline_for(assumptions, base, census)
        except Exception:          # noqa: BLE001 - the scenario's own run reports it, in its words
            log.debug("calibration before the workers", exc_info=True)


def _scenario_task(send, index: int, outcome: Outcome, scenario: Scenario, shared: _Shared):
    """One scenario in a worker (:mod:`model.pool`): its progress and scorecard sent as they come, then its
    warnings and what the batch keeps of it (an :class:`~model.pool.Interim`) once it is computed, before its
    folder is written; the outcome and whether the folder was written, or the device error that stops the
    batch."""
    steps = _Steps(lambda event: send(("progress", event)), index, shared.count, scenario.name)
    try:
        result = shared.run_one(outcome, scenario, steps, lambda name, card, _table: send(("scored", name, card)),
                                on_computed=lambda kept: send(Interim((list(outcome.warnings), kept))))
    except OutputError as exc:
        return "fatal", str(exc), False
    steps.finish()
    return "done", outcome, result is not None


class _Pool:
    """The scenarios of a batch on ``workers`` processes (:func:`model.pool.run_tasks`), the largest first.

    A worker sends a scenario's result as soon as it is computed and then writes its folder: :meth:`computed`
    yields ``(name, result)`` until every scenario is computed or has failed, so that the batch compares them
    while the last folders are being written; :meth:`finish` waits for the workers.  A worker that dies fails
    its scenario only; a full device (a worker's :class:`OutputError`) stops the batch."""

    def __init__(self, todo: Todo, shared: _Shared, workers: int, progress: ProgressCallback,
                 scored: ScoredCallback):
        self._by_index = {index: (outcome, scenario) for index, outcome, scenario in todo}
        self._open = set(self._by_index)            # neither computed nor ended
        self._computed: set[int] = set()            # computed, the folder being written
        self._written: list[str] = []
        self._unwritten: list[str] = []

        def on_message(_index, message) -> None:
            kind, *rest = message
            if kind == "progress":
                progress(rest[0])
            elif kind == "scored":
                scored(*rest)

        tasks = [Task(index, _scenario_task, (index, outcome, scenario, shared))
                 for index, outcome, scenario in sorted(todo, key=lambda t: _work_guess(t[2]), reverse=True)]
        self._events = run_tasks(tasks, workers, on_message)

    def computed(self) -> Iterator[tuple[str, ScenarioResult]]:
        """``(name, result)`` of each scenario as it is computed (its folder not written yet), until none is
        left running its computation."""
        if not self._open:
            return
        for index, value in self._events:      # leaving the loop leaves the workers running
            if isinstance(value, Interim):
                warnings, result = value.value
                outcome, scenario = self._by_index[index]
                outcome.warnings = warnings
                self._open.discard(index)
                self._computed.add(index)
                yield scenario.name, result
            else:
                self._end(index, value)
            if not self._open:
                return

    def finish(self) -> tuple[list[str], list[str]]:
        """Wait for the workers to end; the names of the computed scenarios whose folders were written, and of
        those whose folders could not be (each outcome says why).  Again: the same, at once."""
        for index, value in self._events:
            if not isinstance(value, Interim):       # every task sent its interim before the end of computing
                self._end(index, value)
        return list(self._written), list(self._unwritten)

    def close(self) -> list[str]:
        """Stop the workers still running (an interrupted batch); the names of the computed scenarios whose
        folders were written or being written."""
        self._events.close()
        return sorted(self._written + [self._by_index[index][1].name for index in self._computed])

    def _end(self, index: int, value) -> None:
        """A task has ended: what the worker found out goes into the scenario's own outcome."""
        outcome, scenario = self._by_index[index]
        self._open.discard(index)
        computed = index in self._computed
        self._computed.discard(index)
        if isinstance(value, Died):
            log.debug("worker of %s: %s", scenario.name, value)
            outcome.problems = [f"{scenario.file}: internal error: {value}; the other scenarios ran on; "
                                "please report it"]
            written = False
        else:
            kind, done, written = value
            if kind == "fatal":
                raise OutputError(done)
            for f in fields(Outcome):          # what the worker found out, into the batch's own outcome
                setattr(outcome, f.name, getattr(done, f.name))
        if computed:
            (self._written if written else self._unwritten).append(scenario.name)


def _work_guess(scenario: Scenario) -> tuple[bool, int]:
    """How much work a scenario is, to start the largest first (so that the last to end are short and the
    workers end together; the outputs do not depend on the order): a scenario from the 2020 base draws
    its backtest as well (its largest figure: a third more work), then the more Monte Carlo draws."""
    return scenario.base == BASE_YEAR, scenario.uncertainty.draws if scenario.uncertainty is not None else 0


def peak_memory() -> str:
    """The peak resident memory of this process and of its largest finished worker, in words (Linux and
    macOS; ``unknown`` elsewhere)."""
    try:
        import resource
        import sys
    except ImportError:
        return "unknown"
    unit = 1 if sys.platform == "darwin" else 1024          # ru_maxrss: bytes on macOS, KiB on Linux
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * unit
    return f"this process {own / (1 << 20):,.0f} MiB" + (f", the largest worker {workers / (1 << 20):,.0f} MiB"
                                                         if workers else "")


def data_outcomes(problems) -> list[Outcome]:
    """One :class:`Outcome` (kind ``data``) per data file with problems, named by its path."""
    out: dict[str, Outcome] = {}
    for p in problems:
        file = str(path_of(p.file))
        out.setdefault(file, Outcome(file=file, kind="data")).problems.append(str(p))
    return list(out.values())


def _batch_backtest(published: PublishedRecord | None, results: dict[str, ScenarioResult]):
    """The batch's backtest (:func:`model.analysis.backtest_metrics.batch_backtest`), the naive forecasts
    built once from the central baseline and compared with its census bridges; ``None`` without a
    published record or a scenario compared with it."""
    compared = {name: r.backtest for name, r in results.items() if r.backtest is not None}
    if published is None or not compared:
        return None
    central = baseline_for({})
    naive = naive_forecasts(central, figures())
    bridges = backtest.bridges_for(central.va_2020, figures(), published.table)
    full = {name: r.table for name, r in results.items()}
    return backtest_metrics.batch_backtest(compared, naive, published.frame, published.iamc, full, bridges)


class _Steps:
    """The steps of one scenario: each announced to the progress callback and logged with the
    time the previous one took."""

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
                outcome.problems = [f"{name_where(scenario)}: {scenario.name!r} is also the name of {names[key]}; "
                                    "names must differ, ignoring case (they name the output folders)"]
                scenario = None
            else:
                names[key] = name_where(scenario).rsplit(": name", 1)[0]
        out.append((outcome, scenario))
    return out


def _written(outcome: Outcome, scenario: Scenario, out_dir: Path, write: Callable[[], object]) -> bool:
    """``write()`` the folder of ``scenario`` (or wait for the process writing it); whether it was written
    (``outcome.folder`` set), else ``outcome.problems`` say why.  A device that refuses writes raises
    :class:`OutputError`: it stops the batch."""
    folder = out_dir / scenario.name
    try:
        write()
    except NotOurs as exc:
        outcome.problems = [_in_the_way(scenario, exc.path, exc.reason)]
        return False
    except OSError as exc:
        fatal = device_error(exc, folder)
        if fatal is not None:
            raise fatal from None
        outcome.problems = [f"{scenario.file}: cannot write results to {out_dir}: {exc}"]
        return False
    except Exception as exc:       # a bug of ours: report it, keep the batch going
        log.debug("internal error", exc_info=True)
        outcome.problems = [f"{scenario.file}: internal error in writing ({type(exc).__name__}: {exc}); "
                            "please report it"]
        return False
    outcome.folder = folder
    return True


@dataclass
class _Writing:
    """A scenario's folder being written by a forked process (:func:`model.output.forked.start`) while
    the batch computes its backtest and writes its comparison."""

    outcome: Outcome
    scenario: Scenario
    out_dir: Path
    pending: forked.Pending

    def finish(self) -> bool:
        """Wait for the folder; whether it was written (see :func:`_written`)."""
        return _written(self.outcome, self.scenario, self.out_dir, self.pending.join)


def run_id(loaded, options: RunOptions) -> str:
    """A short hash naming a run by what it computes: the scenarios (name and the hash of every
    file of their chains), the command-line settings and the data files.  The same inputs give
    the same id, so two identical runs write identical files.  Whether figures are drawn is
    left out: it changes no number, and a run with figures keeps the id it had before the option;
    so is ``analyses`` at its default (on), for the same reason."""
    scenarios = {s.name: [x.sha256 for x in s.chain] for _, s in loaded if s is not None}
    failed = sorted(o.file for o, s in loaded if s is None)
    settings = {k: v for k, v in asdict(options).items() if k != "figures" and not (k == "analyses" and v)}
    text = json.dumps({"scenarios": scenarios, "failed": failed, "options": settings,
                       "data": data_file_hashes()}, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def name_where(scenario: Scenario) -> str:
    """Where ``scenario``'s name is declared: ``file:line: name``, or the file when the name is its stem."""
    line = scenario.chain[-1].lines.get(("name",)) if scenario.chain else None
    return f"{scenario.file}:{line}: name" if line else f"{scenario.file}: name (the file's name)"


def _in_the_way(scenario: Scenario, path: Path, reason: str) -> str:
    return (f"{name_where(scenario)}: {scenario.name!r} would replace {path}, which {reason}; the tool replaces "
            "only results folders it wrote: rename the scenario, or move that entry away")


def _run_one(outcome: Outcome, scenario: Scenario, out_dir: Path, command: list[str], options: RunOptions,
             run: str, targets, published: PublishedRecord | None, steps: _Steps,
             scored: _Scored = _ignore, drawing: int | None = None,
             deferred: list[_Writing] | None = None,
             on_computed: Callable[[ScenarioResult], None] | None = None) -> ScenarioResult | None:
    """Compute and write one scenario; what the batch keeps of it, or ``None`` with
    ``outcome.problems`` set (by what failed: the scenario, the data, its assumptions, the model, writing
    its folder, or an entry in its folder's place that the tool did not write).  With a ``deferred``
    list, the folder is written by a forked process, a :class:`_Writing` appended to the list: the
    result holds only once that is finished (:meth:`_Writing.finish`).  ``on_computed``, if given, is
    called with what the batch keeps once the scenario is computed, before its folder is written."""
    folder = out_dir / scenario.name
    reason = in_the_way(folder)
    if reason is not None:         # refused before computing anything
        outcome.problems = [_in_the_way(scenario, folder, reason)]
        return None
    try:
        computed = run_scenario(scenario, targets, options, published, step=steps, draws=steps.draws,
                                scored=lambda card, table: scored(scenario.name, card, table),
                                parallel=drawing != 1 and forked.may_fork())   # --jobs 1, a pool's worker: no
    except RunFailed as failed:
        outcome.warnings = list(failed.warnings)
        outcome.problems = list(failed.problems)
        return None
    outcome.warnings = list(computed.warnings)
    if on_computed is not None:
        on_computed(ScenarioResult.of(computed))
    steps("writing")

    def write() -> None:
        write_scenario(out_dir, computed, command, run, figures=options.figures, processes=drawing)
    if deferred is not None:        # written by a forked process while the batch goes on
        deferred.append(_Writing(outcome, scenario, out_dir, forked.start(write)))
    elif not _written(outcome, scenario, out_dir, write):
        return None
    return ScenarioResult.of(computed)


def write_batch_outputs(out_dir: Path, record: BatchRecord, before_report: Callable[[], list[str]] | None = None,
                        workbook: forked.Pending | None = None) -> Outcome:
    """Write the comparison, the workbook, the report and the summary of ``record`` as one set
    (:func:`model.output.batch_set.write_set`, which calls ``before_report`` and takes the ``workbook``
    being made); an :class:`Outcome` of kind ``batch`` with its problems."""
    folder, problems = write_set(out_dir, record, before_report, workbook)
    return Outcome(file=COMPARISON, name=COMPARISON, kind="batch", folder=folder, problems=problems)


def show_scenarios(paths: list[Path]) -> tuple[str, int]:
    """The ``--show`` text of each scenario (problems instead, for a broken file) and the count of failures."""
    blocks, failed = [], 0
    for path in paths:
        try:
            scenario = load_scenario(path)
            baseline = baseline_for(scenario.assumptions, scenario.base, scenario.census)
            parent_baseline = baseline_for(scenario.parent.assumptions, scenario.parent.base,
                                             scenario.parent.census) if scenario.parent \
                else None
            blocks.append(describe(scenario, baseline, parent_baseline))
        except ScenarioError as exc:
            failed += 1
            blocks.append(f"{path}: cannot be shown:\n" + "".join(f"  {p}\n" for p in exc.problems))
        except AssumptionsError as exc:
            failed += 1
            blocks.append(f"{path}: assumptions: {exc}\n")
        except DataError as exc:
            failed += 1
            blocks.append(f"{path}: base cannot be built from the data:\n" + "".join(f"  {p}\n" for p in exc.problems))
        except Exception as exc:       # a bug of ours: report it, show the others
            log.debug("internal error", exc_info=True)
            failed += 1
            blocks.append(f"{path}: internal error ({type(exc).__name__}: {exc}); please report it\n")
    return "\n".join(blocks), failed

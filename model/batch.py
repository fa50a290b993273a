"""Many scenarios, one command: a failing scenario is reported and the others still run.

Each scenario is loaded, computed into one record (:func:`model.analysis.run.run_scenario`) and
written (:func:`model.output.write.write_scenario`); what the batch keeps of it
(:class:`~model.analysis.run.ScenarioResult`) goes, with every failure and warning, into one
:class:`~model.analysis.run.BatchRecord` from which the comparison, the workbook, the summary and the
report are written.  The writers recompute nothing.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from .analysis import backtest, backtest_metrics
from .analysis.naive import naive_forecasts
from .analysis.run import (
    BatchRecord,
    PublishedRecord,
    RunFailed,
    RunOptions,
    ScenarioResult,
    published_record,
    run_scenario,
)
from .baseline.baselines import baseline_for
from .baseline.calibration import AssumptionsError
from .baseline.data import DataError, figures
from .baseline.realized import RealizedDataError, realized_table
from .core.files import COMPARISON, REALIZED_FILE
from .core.problems import ScenarioError
from .core.target_sets import set_file
from .output.atomic import locked, recover
from .output.comparison import stack, summary_markdown
from .output.show import describe
from .output.write import (
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
from .scenario.loader import Scenario, load_scenario
from .targets.definitions import TargetsError
from .targets.sets import load_set

__all__ = ["MAX_CHUNK", "Outcome", "Progress", "RunOptions", "run_batch", "run_id", "show_scenarios",
           "stale_folders"]

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
              mc_options: RunOptions | None = None, lock_wait: float = 10.0,
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
    mc_options = mc_options or RunOptions()
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
        published, published_problem = _published()       # read once per batch, passed down
        results: dict[str, ScenarioResult] = {}
        for index, (outcome, scenario) in enumerate(loaded, start=1):
            if scenario is None:
                continue
            steps = _Steps(progress, index, len(loaded), scenario.name)
            result = _run_one(outcome, scenario, out_dir, command, mc_options, run,
                              sets[mc_options.targets or scenario.targets], published, steps)
            steps.finish()
            if result is not None:
                results[scenario.name] = result
            del scenario, result
        outcomes = [o for o, _ in loaded]
        del loaded
        steps = _Steps(progress, len(outcomes), len(outcomes), COMPARISON)
        steps("backtest and comparison")
        try:
            batch_bt = _batch_backtest(published, results)
        except Exception as exc:       # a bug of ours: report it, the comparison is still written
            log.debug("internal error", exc_info=True)
            batch_bt, published_problem = None, Outcome(file="backtest", problems=[
                f"backtest: internal error ({type(exc).__name__}: {exc}); please report it"])
        record = BatchRecord(
            run_id=run, command=tuple(command), results=dict(sorted(results.items())),
            warnings={o.name or o.file: tuple(o.warnings) for o in outcomes if o.warnings},
            failures={o.file: tuple(o.problems) for o in outcomes if o.problems}, backtest=batch_bt,
            published_rows=published.iamc if published is not None else None,
            stale=tuple(stale_folders(out_dir, run)), figures=mc_options.figures)
        summary = write_batch_outputs(out_dir, record)
        steps.finish()
    return outcomes + ([summary] if summary.problems else []) + ([published_problem] if published_problem else [])


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


def _published() -> tuple[PublishedRecord | None, Outcome | None]:
    """The published record (:func:`model.analysis.run.published_record`), read once; or ``None``
    and an :class:`Outcome` naming every problem of the file (no backtest then)."""
    try:
        return published_record(realized_table()), None
    except RealizedDataError as exc:
        return None, Outcome(file=str(REALIZED_FILE), problems=[str(p) for p in exc.problems])


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
    left out: it changes no number, and a run with figures keeps the id it had before the option;
    so is ``analyses`` at its default (on), for the same reason."""
    scenarios = {s.name: [x.sha256 for x in s.chain] for _, s in loaded if s is not None}
    failed = sorted(o.file for o, s in loaded if s is None)
    settings = {k: v for k, v in asdict(options).items() if k != "figures" and not (k == "analyses" and v)}
    text = json.dumps({"scenarios": scenarios, "failed": failed, "options": settings,
                       "data": data_file_hashes()}, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _in_progress(run: str) -> str:
    return (f"# Run `{run}` in progress\n\nThis run has not finished. If this text stays, it was interrupted: "
            "the scenario folders here may come from different runs (each `manifest.json` names its run), "
            "and there is no comparison. Run the batch again.\n")


def _run_one(outcome: Outcome, scenario: Scenario, out_dir: Path, command: list[str], options: RunOptions,
             run: str, targets, published: PublishedRecord | None, steps: _Steps) -> ScenarioResult | None:
    """Compute and write one scenario; what the batch keeps of it, or ``None`` with
    ``outcome.problems`` set (by what failed: the scenario, the data, its assumptions, the model, or
    writing its folder)."""
    try:
        computed = run_scenario(scenario, targets, options, published, step=steps, draws=steps.draws)
    except RunFailed as failed:
        outcome.warnings = list(failed.warnings)
        outcome.problems = list(failed.problems)
        return None
    outcome.warnings = list(computed.warnings)
    steps("writing")
    try:
        outcome.folder = write_scenario(out_dir, computed, command, run, figures=options.figures)
    except OSError as exc:
        outcome.problems = [f"{scenario.file}: cannot write results to {out_dir}: {exc}"]
        return None
    except Exception as exc:       # a bug of ours: report it, keep the batch going
        log.debug("internal error", exc_info=True)
        outcome.problems = [f"{scenario.file}: internal error in writing ({type(exc).__name__}: {exc}); "
                            "please report it"]
        return None
    return ScenarioResult.of(computed)


def write_batch_outputs(out_dir: Path, record: BatchRecord) -> Outcome:
    """Write the comparison of the scenarios that succeeded, the workbook, the report and the batch
    summary, which names the run and lists the folders beside it that another run wrote (without
    figures: tables only, and the summary says so)."""
    outcome = Outcome(file=COMPARISON, name=COMPARISON)
    try:
        if record.results:
            outcome.folder = write_comparison(out_dir, record)
            write_workbook(out_dir, record)
        report = _report(out_dir, outcome, record)
        write_summary(out_dir, _with_run(summary_text(record, report), record))
    except OSError as exc:
        outcome.problems = [f"cannot write the comparison to {out_dir}: {exc}"]
    except Exception as exc:       # a bug of ours: report it, the scenario folders stay written
        log.debug("internal error", exc_info=True)
        outcome.problems = [f"comparison: internal error ({type(exc).__name__}: {exc}); please report it"]
    return outcome


def summary_text(record: BatchRecord, report: bool) -> str:
    """The batch summary's Markdown (:func:`model.output.comparison.summary_markdown`) of ``record``."""
    stacked = stack({n: r.scorecard for n, r in record.results.items()}) if record.results else \
        pd.DataFrame(columns=["scenario", "target", "status"])
    return summary_markdown(stacked, {k: list(v) for k, v in record.warnings.items()},
                            {k: list(v) for k, v in record.failures.items()},
                            {n: r.goalseek for n, r in record.results.items() if r.goalseek is not None},
                            record.backtest.metrics if record.backtest is not None else None,
                            {n: r.attribution for n, r in record.results.items() if r.attribution is not None},
                            report, record.figures)


def _report(out_dir: Path, outcome: Outcome, record: BatchRecord) -> bool:
    """Write ``report.html``; whether it was written (a problem is added to ``outcome`` otherwise, and
    the summary is still written)."""
    try:
        write_report(out_dir, record)
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


def _with_run(text: str, record: BatchRecord) -> str:
    """The summary text with the run it belongs to and the folders that are not part of it."""
    compared, run, stale = sorted(record.results), record.run_id, record.stale
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

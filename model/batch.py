"""Many scenarios, one command: a failing scenario is reported and the others still run."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import montecarlo, plausibility
from .calibration import Baseline, build_baseline
from .comparison import stack, summary_markdown
from .report import COMPARISON, write_comparison, write_scenario, write_summary
from .results import timeseries
from .sampling import DEFAULT_CHUNK
from .scenario import ScenarioError, load_scenario
from .goalseek import FIRST_YEAR, goal_seek
from .parameters import UNCERTAINTY
from .sensitivity import sobol_indices, tornado
from .simulate import project
from .targets import TARGETS_FILE, TargetsError, evaluate, load_targets

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
    chunk: int = DEFAULT_CHUNK
    sobol: int = 0                  # base sample size N of the Sobol analysis; 0: none
    goal_from: int = FIRST_YEAR     # first year of the goal-seeking's constant lever growth


def run_batch(paths: list[Path], out_dir: Path, command: list[str],
              mc_options: RunOptions = RunOptions()) -> list[Outcome]:
    """Load, project and write every scenario in ``paths``; return one :class:`Outcome` each.

    After the scenarios, the scenarios that succeeded are compared (``out_dir/comparison/``)
    and the batch is summarised (``out_dir/summary.md``); if that fails, one more
    :class:`Outcome` (file ``comparison``) reports it.
    """
    try:
        targets = load_targets()        # read and checked once: a broken targets file is its own failure
    except TargetsError as exc:
        return [Outcome(file=str(TARGETS_FILE), problems=[str(p) for p in exc.problems])]
    baselines: dict[tuple, Baseline] = {}
    names: dict[str, str] = {}
    tables, scorecards, hashes, goals = {}, {}, {}, {}
    outcomes = []
    for path in paths:
        outcome = Outcome(file=str(path))
        outcomes.append(outcome)
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            outcome.problems = [str(p) for p in exc.problems]
            continue
        outcome.name = scenario.name
        outcome.warnings = [str(w) for w in scenario.warnings]
        if scenario.name == COMPARISON:
            outcome.problems = [f"{path}: name: {COMPARISON!r} is reserved for the folder comparing the scenarios"]
            continue
        if scenario.name in names:
            outcome.problems = [f"{path}: name: {scenario.name!r} is also the name of {names[scenario.name]}; "
                                "names must differ (they name the output folders)"]
            continue
        names[scenario.name] = str(path)
        key = tuple(sorted(scenario.assumptions.items()))
        try:
            if key not in baselines:
                baselines[key] = build_baseline(scenario.assumptions)
            projection = project(scenario, baselines[key])
            outcome.warnings += [str(w) for w in plausibility.warnings(scenario, baselines[key])]
            table = timeseries(projection, scenario.name, revenue_links=scenario.revenue_links)
            scorecard = evaluate(table, targets)
            mc = None
            if scenario.uncertainty is not None:
                mc = montecarlo.run(scenario, baselines[key], targets, mc_options.draws, mc_options.seed,
                                    mc_options.chunk, scenario.revenue_links)
                outcome.warnings += list(mc.warnings)
            scorecard = montecarlo.with_probabilities(scorecard, mc)
            analyses = _analyses(scenario, baselines[key], scorecard, mc_options, projection)
            outcome.folder = write_scenario(out_dir, scenario, baselines[key], projection, table, command,
                                            scorecard, outcome.warnings, scenario.revenue_links, mc, analyses)
            goals[scenario.name] = analyses["goalseek"]
            tables[scenario.name], scorecards[scenario.name] = table, scorecard
            hashes[scenario.name] = scenario.sha256
        except ScenarioError as exc:   # found in projecting: rates out of bounds, levels not positive
            outcome.problems = [str(p) for p in exc.problems]
        except ValueError as exc:      # calibration cannot honour the scenario's assumptions
            outcome.problems = [f"{path}: assumptions: {exc}"]
        except OSError as exc:
            outcome.problems = [f"{path}: cannot write results to {out_dir}: {exc}"]
        except Exception as exc:       # a bug of ours: report it, keep the batch going
            log.debug("internal error", exc_info=True)
            outcome.problems = [f"{path}: internal error ({type(exc).__name__}: {exc}); please report it"]
    summary = _compare(out_dir, tables, scorecards, hashes, outcomes, command, goals)
    return outcomes + ([summary] if summary.problems else [])


def _analyses(scenario, baseline, scorecard, options: RunOptions, projection) -> dict[str, pd.DataFrame]:
    """What it would take (goal-seeking) and sensitivity of one scenario, from its projection and scorecard."""
    out = {"goalseek": goal_seek(scenario, baseline, scorecard=scorecard, first_year=options.goal_from,
                                 projection=projection),
           "sensitivity_oat": tornado(scenario, baseline, scorecard=scorecard, projection=projection)}
    if options.sobol:
        seed = options.seed if options.seed is not None else (
            scenario.uncertainty.seed if scenario.uncertainty else UNCERTAINTY["seed"].default)
        out["sobol"] = sobol_indices(scenario, baseline, n=options.sobol, seed=seed, scorecard=scorecard)
    return out


def _compare(out_dir: Path, tables, scorecards, hashes, outcomes: list[Outcome], command: list[str],
             goals: dict | None = None) -> Outcome:
    """Write the comparison of the scenarios that succeeded and the batch summary."""
    outcome = Outcome(file=COMPARISON, name=COMPARISON)
    try:
        if tables:
            outcome.folder = write_comparison(out_dir, tables, scorecards, hashes, command)
        warnings = {o.name or o.file: o.warnings for o in outcomes if o.warnings}
        failures = {o.file: o.problems for o in outcomes if o.problems}
        stacked = stack(scorecards) if scorecards else pd.DataFrame(columns=["scenario", "target", "status"])
        write_summary(out_dir, summary_markdown(stacked, warnings, failures, goals or {}))
    except OSError as exc:
        outcome.problems = [f"cannot write the comparison to {out_dir}: {exc}"]
    except Exception as exc:       # a bug of ours: report it, the scenario folders stay written
        log.debug("internal error", exc_info=True)
        outcome.problems = [f"comparison: internal error ({type(exc).__name__}: {exc}); please report it"]
    return outcome


def show_scenarios(paths: list[Path]) -> tuple[str, int]:
    """The ``--show`` text of each scenario (problems instead, for a broken file) and the count of failures."""
    from .show import describe

    blocks, failed = [], 0
    for path in paths:
        try:
            scenario = load_scenario(path)
            baseline = build_baseline(scenario.assumptions)
            parent_baseline = build_baseline(scenario.parent.assumptions) if scenario.parent else None
            blocks.append(describe(scenario, baseline, parent_baseline))
        except ScenarioError as exc:
            failed += 1
            blocks.append(f"{path}: cannot be shown:\n" + "".join(f"  {p}\n" for p in exc.problems))
        except ValueError as exc:
            failed += 1
            blocks.append(f"{path}: assumptions: {exc}\n")
    return "\n".join(blocks), failed

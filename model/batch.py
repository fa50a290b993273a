"""Many scenarios, one command: a failing scenario is reported and the others still run."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from . import plausibility
from .calibration import Baseline, build_baseline
from .report import write_scenario
from .results import timeseries
from .scenario import ScenarioError, load_scenario
from .simulate import project

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


def run_batch(paths: list[Path], out_dir: Path, command: list[str]) -> list[Outcome]:
    """Load, project and write every scenario in ``paths``; return one :class:`Outcome` each."""
    baselines: dict[tuple, Baseline] = {}
    names: dict[str, str] = {}
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
            table = timeseries(projection, scenario.name)
            outcome.folder = write_scenario(out_dir, scenario, baselines[key], projection, table, command,
                                            outcome.warnings)
        except ValueError as exc:      # calibration cannot honour the scenario's assumptions
            outcome.problems = [f"{path}: assumptions: {exc}"]
        except OSError as exc:
            outcome.problems = [f"{path}: cannot write results to {out_dir}: {exc}"]
        except Exception as exc:       # a bug of ours: report it, keep the batch going
            log.debug("internal error", exc_info=True)
            outcome.problems = [f"{path}: internal error ({type(exc).__name__}: {exc}); please report it"]
    return outcomes


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

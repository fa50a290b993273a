"""The inputs of a batch, read and checked before any scenario runs.

Every data file of ``model/data`` that the model reads goes through its reader, each built on the one
located CSV reader (:mod:`model.core.csvio`) or the YAML reader that keeps lines (:mod:`model.core.yamlio`):
the sourced figures, both files of labelled assumptions, the revenue links, the satellite series'
parameters and history, the published record and every target set the batch scores against (checked
against the model's variables, :mod:`model.targets.variables`).  A broken file is a list of problems,
each ``file:line: problem`` (:class:`InputsError`): the batch then stops before anything is run or
written.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from ..baseline import data, realized
from ..baseline.calibration import AssumptionsError
from ..core.files import ASSUMPTIONS_FILE
from ..core.problems import Problem, ProblemsError
from ..core.target_sets import SETS, set_file
from ..targets.definitions import TargetsError
from ..targets.sets import TargetSet, load_set
from .run import PublishedRecord, published_record


class InputsError(ProblemsError):
    """A data file of the model cannot be used; ``problems`` lists every problem of every such file."""


@dataclass(frozen=True)
class Inputs:
    """What a batch reads once and passes down: the target sets in use, by name, and the published record."""

    sets: Mapping[str, TargetSet]
    published: PublishedRecord


def path_of(name: str) -> Path:
    """The path of the data file or target set named ``name`` (a problem's file), as the model reads it."""
    paths = {p.name: p for p in (data.FIGURES_FILE, data.ASSUMPTIONS_FILE, data.ASSUMPTIONS_2025_FILE,
                                 data.REVENUE_LINKS_FILE, data.SATELLITES_FILE, data.SATELLITE_HISTORY_FILE,
                                 realized.REALIZED_FILE)}
    paths.update({set_file(s).name: set_file(s) for s in SETS})
    return paths.get(name, Path(name))


def _problems_of(read) -> list[Problem]:
    try:
        read()
    except data.DataError as exc:         # realized.RealizedDataError is one too
        return list(exc.problems)
    return []


def read_inputs(set_names: Iterable[str]) -> Inputs:
    """Read and check every data file and the target sets ``set_names``; raise :class:`InputsError` with
    every problem found.

    The files are read through the readers the model uses (cached once read), so a batch that passes
    reads nothing again.  Files whose rows cannot be read are reported first: the target sets are
    checked (against the central baseline's variables, which reading them calibrates) only when the
    others can be read.  What only a later jump-off needs of the record (:mod:`model.baseline.rebase`)
    is checked when a scenario from that base runs: a problem there fails those scenarios, at its line.
    """
    problems: list[Problem] = []
    for read in (data.figures, data.assumptions, data.assumptions_2025, data.revenue_links, data.satellites,
                 data.history, realized.realized_table):
        problems += _problems_of(read)
    if problems:
        raise InputsError(problems)
    sets = {}
    for name in sorted(set(set_names)):
        try:
            sets[name] = load_set(name)
        except (TargetsError, data.DataError) as exc:     # DataError: the central baseline cannot be built
            problems += exc.problems
        except AssumptionsError as exc:
            problems.append(Problem(ASSUMPTIONS_FILE.name, None, "", f"the central assumptions cannot be "
                                                                      f"honoured: {exc}"))
    if problems:
        raise InputsError(problems)
    return Inputs(sets, published_record(realized.realized_table()))

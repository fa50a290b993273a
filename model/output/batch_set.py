"""The batch's outputs as one set: the comparison, the workbook, the report and the summary, built in a
staging folder and swapped in together at the end of a batch (:func:`model.output.atomic.commit`).

A problem while building them leaves the previous set whole; an earlier run's output that the new set
does not have (no comparison when no scenario ran, no report when it failed) is removed with the swap.
The summary names its run and the results folders beside it that another run wrote.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Callable

import pandas as pd

from ..analysis.run import BatchRecord
from ..core import forked
from ..core.files import BATCH_NAMES, COMPARISON, SUMMARY
from . import atomic
from .atomic import DEVICE_ERRORS, NotOurs, OutputError, device_error
from .comparison import stack, summary_markdown, wrap_markdown
from .owned import in_the_way, read_manifest, run_of, summary_run, tool_manifest
from .write import prepare_report, record_workbook, write_comparison, write_summary, write_workbook

log = logging.getLogger(__name__)


class FoldersFailed(Exception):
    """Scenario folders that were being written while the set was built could not be: the set, which
    compares them, was not swapped in (``names``: those scenarios)."""

    def __init__(self, names: list[str]):
        super().__init__(", ".join(names))
        self.names = names


def write_set(out_dir: Path, record: BatchRecord, before_report: Callable[[], list[str]] | None = None,
              workbook: forked.Pending | None = None) -> tuple[Path | None, list[str]]:
    """Write the comparison of the scenarios that succeeded, the workbook, the report and the batch
    summary, which names the run and lists the folders beside it that another run wrote (without
    figures: tables only, and the summary says so), as one set; ``(the comparison's folder, or None;
    the problems)``.  A full or read-only device raises :class:`model.output.atomic.OutputError`.

    ``before_report``, if given, is called once the comparison is written and before the report (which
    names the scenario folders' figures): it waits for scenario folders still being written and returns
    the names of those that could not be; if there are any, nothing of the set is kept and
    :class:`FoldersFailed` is raised, so that the caller builds the set again without them.  ``workbook``,
    if given, is the workbook's bytes being made already (:func:`model.output.write.workbook_of` of this
    record, started earlier); otherwise a forked process makes them while the rest is written."""
    out_dir = Path(out_dir)
    problems: list[str] = []
    folder = staged = None
    try:
        staged = atomic.stage(out_dir)
        if record.results and workbook is None:   # made by a forked process meanwhile (--jobs 1: here, first)
            workbook = forked.start(lambda: record_workbook(record), parallel=record.drawing != 1)
        try:
            if record.results:
                write_comparison(staged, record)
            # the summary and the report's page are made while the folders are being written
            page = _prepared_report(record, problems)
            text = summary_text(record, True)
            failed = before_report() if before_report is not None else []
            if failed:
                raise FoldersFailed(failed)
            report = _report(out_dir, staged, problems, page)
            write_summary(staged, with_run(text if report else summary_text(record, False), record))
            if record.results:
                write_workbook(staged, record, workbook.join())
        except BaseException:                   # an error, Ctrl-C (the wait included): the child is stopped
            if workbook is not None:
                workbook.stop()
            raise
        atomic.commit(out_dir, staged, BATCH_NAMES)
        if record.results:
            folder = out_dir / COMPARISON
    except (FoldersFailed, OutputError):
        raise
    except NotOurs as exc:
        problems = [f"the comparison, summary, report and workbook of this run were not written: {exc}; "
                    "the tool replaces only what it wrote: move it away"]
    except OSError as exc:
        fatal = device_error(exc, out_dir)
        if fatal is not None:
            raise fatal from None
        problems = [f"cannot write the comparison to {out_dir}: {exc}"]
    except Exception as exc:       # a bug of ours: report it, the scenario folders stay written
        log.debug("internal error", exc_info=True)
        problems = [f"comparison: internal error ({type(exc).__name__}: {exc}); please report it"]
    finally:
        if staged is not None and staged.exists():      # not swapped in: the previous set stays whole
            atomic.remove(staged)
    return folder, problems


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


def _prepared_report(record: BatchRecord, problems: list[str]) -> Callable[[Path, Path], Path] | None:
    """The report's page computed from ``record`` (:func:`model.output.write.prepare_report`), or ``None``
    with a problem added to ``problems``."""
    try:
        return prepare_report(record)
    except Exception as exc:       # a bug of ours: report it, the summary is still written
        _internal_error(problems, exc)
        return None


def _report(out_dir: Path, staged: Path, problems: list[str], page: Callable[[Path, Path], Path] | None) -> bool:
    """Write ``report.html`` into ``staged`` with the prepared ``page``; whether it was written (a problem is
    added to ``problems`` otherwise, and the summary is still written)."""
    if page is None:
        return False
    try:
        page(out_dir, staged)
        return True
    except OSError as exc:
        if exc.errno in DEVICE_ERRORS:
            raise
        problems.append(f"cannot write the report to {out_dir}: {exc}")
    except Exception as exc:       # a bug of ours: report it, the summary is still written
        _internal_error(problems, exc)
    return False


def _internal_error(problems: list[str], exc: Exception) -> None:
    log.debug("internal error", exc_info=True)
    problems.append(f"report.html: internal error ({type(exc).__name__}: {exc}); please report it")


def stale_folders(out_dir: Path, run: str | None) -> list[tuple[str, str | None]]:
    """Result folders in ``out_dir`` written by another run than ``run``: ``(name, their run)``.  Only
    folders the tool wrote are listed (a real folder with the tool's ``manifest.json``, read bounded)."""
    out = []
    for p in sorted(Path(out_dir).iterdir()):
        if p.name.startswith(".") or p.name == COMPARISON or p.is_symlink() or not p.is_dir():
            continue
        record = read_manifest(p)
        if tool_manifest(record) and "scenario" in record:
            theirs = record.get("run") if isinstance(record.get("run"), str) else None
            if theirs != run:
                out.append((p.name, theirs))
    return out


def previous_outputs(out_dir: Path) -> tuple[str | None, tuple[str, ...]]:
    """The run of the batch outputs in ``out_dir`` (from ``comparison/manifest.json``, else from
    ``summary.md``) and which of them are there (the tool's own only)."""
    present = tuple(n for n in BATCH_NAMES if os.path.lexists(Path(out_dir) / n)
                    and in_the_way(Path(out_dir) / n) is None)
    run = run_of(Path(out_dir) / COMPARISON) if COMPARISON in present else None
    if run is None and SUMMARY in present:
        run = summary_run(Path(out_dir) / SUMMARY)
    return run, present


def with_run(text: str, record: BatchRecord) -> str:
    """The summary text with the run it belongs to and the folders that are not part of it."""
    compared, run, stale = sorted(record.results), record.run_id, record.stale
    head, _, rest = text.partition("\n")
    lines = [head, "", f"Run `{run}`: {len(compared)} scenario folder(s) written and compared"
             + (f" ({', '.join(f'`{n}/`' for n in compared)})" if compared else "")
             + "; each folder's `manifest.json` and `comparison/manifest.json` name the same run."]
    if stale:
        lines += ["", "**Not part of this run** (left from earlier runs, not compared, possibly out of date): "
                  + ", ".join(f"`{n}/` (run `{r}`)" if r else f"`{n}/` (no run recorded)" for n, r in stale) + "."]
    return "\n".join(wrap_markdown(lines)) + "\n" + rest

"""Writing results: every file of an output folder is written here, through :mod:`model.output.atomic`
(whole folders and files swapped in when complete).  Figures are drawn and saved inside
``plt.rc_context(FIGURE_STYLE)``: importing this module changes no matplotlib setting (the command
line selects the Agg backend).
"""
from __future__ import annotations

import csv
import functools
import io
import json
import platform
from dataclasses import fields
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..analysis import backtest_metrics as bt
from ..analysis.attribution import HEADLINE_TARGETS, no_change
from ..analysis.run import Analyses, BatchRecord, ScenarioRun
from ..baseline import data
from ..core import forked
from ..core.files import COMPARISON, REPORT, SUMMARY, TOOL, WORKBOOK
from ..core.iamc import CLUSTER_VARIABLE, HIGHTECH_SHARE
from ..core.problems import printable
from ..core.sectors import KEYS
from ..core.target_sets import DEFAULT_SET, SETS, set_file
from ..equations.revenue import SERIES
from ..projection.indicators import revenue_link_parameters
from ..targets.sets import load_set
from . import comparison, drawer
from .atomic import write_atomically, write_file
from .drawer import FIGURE_STYLE  # noqa: F401 - the house style, read by the tests of the figures
from .figure_files import FigureJob
from .report import RunRecord, ScenarioRecord, report_page
from .workbook import workbook_bytes

if TYPE_CHECKING:
    pass

FLOAT_FORMAT = "%.12g"
PACKAGES = ("numpy", "scipy", "pandas", "matplotlib", "PyYAML", "openpyxl", "SALib")
CAPTION = ("Sources: model projection (Beijing Scenario Model); targets: Beijing Municipal People's Government, "
           "14th Five-Year plan for high-tech industries (Aug 2021), as reported on its publication.")
REVENUE_CAPTION = ("Revenues and output at current prices, 100 million CNY (1 trillion yuan = 10,000); 2020 levels "
                   "are estimates (model/data/revenue_links.csv), linked to sector value added.")
SHARE_VARIABLES = ((HIGHTECH_SHARE, "High-tech (gao-jing-jian) value added"),
                   ("Share of GDP|Manufacturing", "Manufacturing value added"),
                   ("Share of GDP|Finance", "Finance value added (target: largest sector)"))
def _csv_bytes(df: pd.DataFrame) -> bytes:
    """``df`` as CSV (no index, ``\\n`` line ends, floats as :data:`FLOAT_FORMAT`, a missing value empty),
    the bytes of ``df.to_csv(index=False, float_format=FLOAT_FORMAT)``.  The float columns are formatted
    here first, a column at a time: pandas formats a float through a Python function per value, which
    made the lever maps' tens of thousands of rows a good part of a run's writing."""
    text = df
    for i, dtype in enumerate(df.dtypes):
        if dtype.kind == "f":
            if text is df:
                text = df.copy(deep=False)
            values = df.iloc[:, i].to_numpy()
            formatted = np.array([FLOAT_FORMAT % x for x in values.tolist()], dtype=object)
            formatted[np.isnan(values)] = ""
            text.isetitem(i, formatted)
    return text.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _rows_csv(rows) -> bytes:
    rows = list(rows)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: (FLOAT_FORMAT % v if isinstance(v, float) else v) for k, v in r.items()})
    return buf.getvalue().encode("utf-8")


def package_versions() -> dict[str, str]:
    """The versions of Python and of :data:`PACKAGES` ("not installed" for one that is not)."""
    return dict(_versions())


@lru_cache(maxsize=1)
def _versions() -> tuple[tuple[str, str], ...]:
    """:func:`package_versions`, looked up once a process (each manifest and the report name them)."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return tuple(out.items())


def data_file_hashes() -> dict[str, str]:
    """SHA-256 of every data file the results depend on (``model/data/*.csv`` and every target set's file)."""
    return {**data.file_hashes(), **{set_file(name).name: _sha256(set_file(name)) for name in SETS}}


def _entry(e) -> dict:
    return {f.name: (list(v) if isinstance(v, tuple) else v) for f in fields(e)
            for v in [getattr(e, f.name)] if f.name not in ("where", "remove", "given")}


def manifest(run: ScenarioRun, command: Sequence[str], run_id: str | None) -> dict:
    """What produced a scenario's results (its ``manifest.json``): inputs with their hashes, resolved
    parameters, software, command, the run and the target set, the Monte Carlo's settings."""
    scenario, baseline, projection = run.scenario, run.baseline, run.projection
    years = [int(y) for y in projection.years[1:]]

    def path(a):       # the rates of the projected years (after the base year)
        return {k: {y: round(100.0 * float(x), 10) for y, x in zip(years, a[:, i]) if y > projection.base_year}
                for i, k in enumerate(KEYS)}

    record = {
        "scenario": {"name": scenario.name, "file": scenario.file, "sha256": scenario.sha256,
                     "chain": [{"file": s.file, "sha256": s.sha256} for s in scenario.chain]},
        "resolved_parameters": {
            "base": scenario.base, "horizon": scenario.horizon, "description": scenario.description,
            "vaccine_unwind_pct": 100.0 * scenario.vaccine_unwind,
            "growth_pct": path(projection.growth_real), "deflator_pct": path(projection.deflator_growth),
            "shocks": [_entry(e) for e in scenario.shocks], "projects": [_entry(e) for e in scenario.projects],
        },
        "assumptions_used": dict(sorted(baseline.assumptions.items())),
        "revenue_links_used": dict(sorted(revenue_link_parameters(scenario.revenue_links).items())),
        "data_files": data_file_hashes(),
        "packages": package_versions(),
        "command": list(command),
        "seed": None,
        "warnings": list(run.warnings),
        "run": run_id,
        "target_set": run.targets.record(),
        "tool": TOOL,
    }
    mc = run.montecarlo
    if mc is not None:
        record["seed"] = mc.seed
        record["monte_carlo"] = {"draws": mc.draws, "seed": mc.seed, "chunk": mc.chunk}
    return record


def _sha256(path: Path) -> str:
    import hashlib
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_scenario(out_dir: Path, run: ScenarioRun, command: Sequence[str], run_id: str | None = None,
                   figures: bool = True, colours: dict[str, str] | None = None,
                   processes: int | None = None) -> Path:
    """Write one scenario's folder from its record: the timeseries, the scorecard, the calibration
    reports, every analysis table (``<stem>.csv``) with its figures (the tornado, the waterfalls of
    the headline targets that moved, the lever maps), the Monte Carlo's tables and fan chart, the
    backtest and the manifest (:func:`manifest`; ``run_id`` names the batch the folder belongs to).
    The figures are drawn last, in their formats, on the cores (:func:`model.output.drawer.draw`:
    by the drawing process when one runs, else here, :func:`~model.output.figure_files.draw_all`).
    ``figures=False`` writes the tables only: no figure is drawn.  ``colours`` (the batch's
    :func:`~model.output.plots.scenario_colours`) gives the scenario's line in the backtest the look
    it has in the comparison's figures; by default it is the first of the palette, and the batch leaves it so:
    a scenario's folder holds the same bytes whichever batch it ran in (the comparison's colours depend on
    the batch's other scenarios; tests/test_cli.py, ``test_outputs_are_deterministic``).  ``processes``: how many
    processes draw the figures (default: :func:`~model.output.figure_files.processes`)."""
    scenario, baseline, table, scorecard, targets = run.scenario, run.baseline, run.table, run.scorecard, run.targets
    folder = Path(out_dir) / scenario.name
    analyses, mc = run.analyses, run.montecarlo

    def fill(tmp: Path) -> None:
        (tmp / "timeseries.csv").write_bytes(_csv_bytes(table))
        (tmp / "scorecard.csv").write_bytes(_csv_bytes(scorecard))
        (tmp / "base_year.csv").write_bytes(_rows_csv(baseline.provenance))
        (tmp / "trend_fit.csv").write_bytes(_rows_csv(baseline.trend_fit))
        if baseline.satellite_fit:  # a later jump-off: the satellites' elasticities fitted on their history
            (tmp / "satellite_fit.csv").write_bytes(_rows_csv(baseline.satellite_fit))
        if baseline.moments:        # a later jump-off (base: 2025) has no 2021 calibration
            (tmp / "calibration_2021.csv").write_bytes(_rows_csv(baseline.moments))
        for stem, frame in analyses.tables().items():
            (tmp / f"{stem}.csv").write_bytes(_csv_bytes(frame))
        for m in analyses.lever_maps:
            (tmp / f"{m.name}.csv").write_bytes(_csv_bytes(m.table()))
        if mc is not None:
            (tmp / "uncertainty.csv").write_bytes(_csv_bytes(mc.targets))
            (tmp / "fan.csv").write_bytes(_csv_bytes(mc.fan))
        if run.backtest is not None:
            (tmp / "backtest.csv").write_bytes(_csv_bytes(run.backtest))
        _write_json(tmp / "manifest.json", manifest(run, command, run_id))
        if figures:
            fan = None if mc is None else (mc.fan, mc.draws, mc.seed)
            drawer.draw(functools.partial(scenario_figures, scenario.name, table, tuple(targets), targets.title,
                                          scorecard, analyses, fan, run.backtest, colours), tmp, processes)

    write_atomically(folder, fill)
    return folder


def scenario_figures(name: str, table: pd.DataFrame, targets: Sequence, title: str, scorecard: pd.DataFrame,
                     analyses: Analyses, fan: tuple[pd.DataFrame, int, int] | None, backtest: pd.DataFrame | None,
                     colours: dict[str, str] | None = None) -> list[FigureJob]:
    """The figures of scenario ``name``'s folder (see :func:`write_scenario`), as jobs: the shares against
    the ``targets`` (of the set titled ``title``), a lever map each, the waterfalls of the headline targets
    that moved, the tornado, the fan chart (``fan``: the Monte Carlo's fan table, draws and seed) and the
    backtest.  Called where the figures are drawn (it imports the figure modules, and matplotlib)."""
    from ..output.figures import fan_figure, shares_figure
    from ..output.plots_attribution import lever_map_figure, waterfall_figure
    from ..output.plots_sensitivity import tornado_figure
    source = f"targets: {title}."
    targets = list(targets)
    jobs = [FigureJob("shares", lambda: shares_figure(table, targets, f"Model projection; {source}"))]
    for m in analyses.lever_maps:
        jobs.append(FigureJob(m.name, lambda m=m: lever_map_figure(m, name), dpi=110, cost=1.5))
    attribution = analyses.attribution
    described = dict(zip(scorecard["target"], scorecard["description"]))
    for target in HEADLINE_TARGETS:
        if attribution is not None and (attribution["target"] == target).any() \
                and not no_change(attribution, target):         # all "+0": no figure (the report says so)
            jobs.append(FigureJob(f"waterfall_{target}", lambda target=target: waterfall_figure(
                attribution, target, name, described.get(target)), dpi=110, cost=1.5))
    if analyses.sensitivity_oat is not None:
        oat = analyses.sensitivity_oat
        jobs.append(FigureJob("tornado", lambda: tornado_figure(oat, name, described), dpi=110,
                              cost=0.6 * oat.loc[oat["swing"] > 0, "target"].nunique()))
    if fan is not None:
        quantiles, draws, seed = fan
        jobs.append(FigureJob("fan", lambda: fan_figure(
            quantiles, targets, f"Shares of Beijing's GDP, {draws:,} draws: scenario {name}",
            f"Monte Carlo over the scenario's uncertainty block (seed {seed}); {source}"), cost=1.5))
    if backtest is not None:
        jobs += backtest_figures(backtest, name, colours)
    return jobs


def write_backtest(folder: Path, table: pd.DataFrame, scenario: str, colours: dict[str, str] | None = None,
                   figures: bool = True) -> list[FigureJob]:
    """``backtest.csv`` of one scenario into ``folder`` (a temporary folder being filled), and the job
    drawing ``backtest.png`` (none when no series can be drawn, or without ``figures``)."""
    (folder / "backtest.csv").write_bytes(_csv_bytes(table))
    return backtest_figures(table, scenario, colours) if figures else []


def backtest_figures(table: pd.DataFrame, scenario: str, colours: dict[str, str] | None = None) -> list[FigureJob]:
    """The job drawing a scenario's ``backtest.png`` from its backtest ``table`` (none when no series can
    be drawn)."""
    from ..output.plots_backtest import backtest_figure, backtest_panels
    panels = len(backtest_panels(table))
    draw = lambda: backtest_figure(table, scenario, colours=colours)         # noqa: E731
    return [FigureJob("backtest", draw, dpi=110, cost=0.35 * panels)] if panels else []


def _write_json(path: Path, record: dict) -> None:
    path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def compared_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a scenario's table that :func:`write_comparison` draws (a batch keeps only these)."""
    variables = {v for v, _ in SHARE_VARIABLES} | {s.variable for s in SERIES} | {CLUSTER_VARIABLE}
    return table[table["variable"].isin(variables)].reset_index(drop=True)


def write_comparison(out_dir: Path, record: BatchRecord) -> Path:
    """Write ``out_dir/comparison/`` from the batch's record: the scorecard matrices (CSV only: the
    report shows them as a table), the headline indicators by scenario against the target lines,
    every scenario's gap attribution stacked (``attribution.csv``) and a run record; atomically.

    With the batch's backtest, ``backtest_metrics.csv``, ``backtest_verdicts.csv`` and
    ``timeseries.csv`` (every scenario's rows and the published rows, IAMC layout), and the
    published points on the figures (:func:`write_batch_backtest`).  Without figures (the record's
    ``figures``), the tables only."""
    folder = Path(out_dir) / COMPARISON
    results, backtest, figures = record.results, record.backtest, record.figures
    stacked = comparison.stack({name: r.scorecard for name, r in results.items()})
    used = comparison.target_sets(stacked) or [DEFAULT_SET]
    targets = [t for name in used for t in load_set(name)]
    caption = CAPTION if used == [DEFAULT_SET] else (
        "Sources: model projection (Beijing Scenario Model); targets: "
        + "; ".join(f"{name}: {SETS[name].title}" for name in used) + " (each target's source in the scorecards).")
    tables = {name: compared_rows(r.table) for name, r in results.items()}
    everything = pd.concat([tables[name] for name in sorted(tables)], ignore_index=True)

    def fill(tmp: Path) -> None:
        drawing = None
        if figures:     # drawn meanwhile by a forked process (and the one it forks) while the tables are written
            # no figure of the scorecard matrix: the report's table and scorecard_matrix.csv hold it legibly
            make = functools.partial(comparison_figures, everything, None, caption, targets,
                                     backtest.realized if backtest is not None else None, tuple(sorted(tables)))
            drawing = forked.start(lambda: drawer.draw(make, tmp, record.drawing),
                                   parallel=record.drawing != 1 and not drawer.running())
        try:
            (tmp / "scorecards.csv").write_bytes(_csv_bytes(stacked))
            (tmp / "scorecard_matrix.csv").write_bytes(_csv_bytes(comparison.matrix(stacked, "status")))
            (tmp / "gap_matrix.csv").write_bytes(_csv_bytes(comparison.matrix(stacked, "gap")))
            if "realized_status" in stacked:
                (tmp / "realized_matrix.csv").write_bytes(_csv_bytes(comparison.realized_matrix(stacked)))
            attributed = {name: r.attribution for name, r in results.items() if r.attribution is not None}
            if attributed:
                (tmp / "attribution.csv").write_bytes(_csv_bytes(comparison.stack(attributed)))
            if backtest is not None:
                write_batch_backtest(tmp, backtest)
            _write_json(tmp / "manifest.json", {
                "run": record.run_id, "scenarios": {name: r.sha256 for name, r in sorted(results.items())},
                "data_files": data_file_hashes(), "target_sets": {name: load_set(name).record() for name in used},
                "packages": package_versions(), "command": list(record.command), "tool": TOOL})
        except BaseException:               # an error, Ctrl-C: the drawing is not left behind
            if drawing is not None:
                drawing.stop()
            raise
        if drawing is not None:
            drawing.join()

    write_atomically(folder, fill)
    return folder


def comparison_figures(everything: pd.DataFrame, colours: dict[str, str] | None, caption: str, targets,
                       realized: pd.DataFrame | None = None, names: Sequence[str] | None = None) -> list[FigureJob]:
    """The figures across scenarios (``comparison/``) of the stacked rows ``everything``
    (:func:`compared_rows` of each scenario): the headline shares and the revenues, car output and
    cluster count, a line per scenario in its style (``colours``: :func:`~model.output.plots.scenario_colours`
    of the batch; when ``None``, made here from the batch's scenario ``names``), with ``targets`` and the
    ``realized`` points."""
    from ..output.figures import by_scenario_figure
    from ..output.plots import scenario_colours
    if colours is None:
        colours = scenario_colours(names if names is not None else everything["scenario"])
    panels = [(s.variable, s.label) for s in SERIES] + [(CLUSTER_VARIABLE, "Trillion-yuan clusters (count)")]
    return [
        FigureJob("shares_by_scenario", lambda: by_scenario_figure(
            everything, SHARE_VARIABLES, 3, colours, "Shares of Beijing's GDP by scenario, % of GDP at current "
            "prices, with the plan's targets", caption + _realized_caption(realized), targets, realized), cost=3.0),
        FigureJob("revenues_by_scenario", lambda: by_scenario_figure(
            everything, panels, 4, colours, "Revenues, car output and trillion-yuan clusters by scenario, with the "
            "plan's targets", caption + " " + REVENUE_CAPTION + _realized_caption(realized), targets, realized),
            cost=len(panels))]


def _realized_caption(realized: pd.DataFrame | None) -> str:
    return "" if realized is None else (" Realized (black; circles 4th-census basis, squares 5th): Beijing "
                                        "Municipal Bureau of Statistics and others, model/data/realized.csv.")


def write_batch_backtest(folder: Path, backtest: "bt.BatchBacktest") -> None:
    """The batch's backtest files into ``folder`` (the comparison being filled)."""
    (folder / "backtest_metrics.csv").write_bytes(_csv_bytes(backtest.metrics))
    (folder / "backtest_verdicts.csv").write_bytes(_csv_bytes(backtest.verdicts))
    (folder / "timeseries.csv").write_bytes(_csv_bytes(backtest.timeseries))


def write_workbook(out_dir: Path, record: BatchRecord, content: bytes | None = None) -> Path:
    """Write ``out_dir/results.xlsx`` through a temporary file: ``content``, or the bytes of
    :func:`workbook_of` the record."""
    return write_file(Path(out_dir) / WORKBOOK, record_workbook(record) if content is None else content)


def record_workbook(record: BatchRecord) -> bytes:
    """:func:`workbook_of` the batch's record: its scenarios' tables and scorecards, its published rows."""
    return workbook_of({n: r.table for n, r in record.results.items()},
                       {n: r.scorecard for n, r in record.results.items()}, record.published_rows, record.run_id)


def workbook_of(tables: Mapping[str, pd.DataFrame], scorecards: Mapping[str, pd.DataFrame],
                published_rows: pd.DataFrame | None, run_id: str | None) -> bytes:
    """The bytes of the batch's workbook (:mod:`model.output.workbook`): the IAMC rows of every scenario
    (by name), then the published rows, and every scenario's scorecard."""
    frames = [tables[name] for name in sorted(tables)]
    if published_rows is not None:
        frames.append(published_rows)
    return workbook_bytes(pd.concat(frames, ignore_index=True), dict(scorecards), run_id)


def write_summary(out_dir: Path, text: str) -> Path:
    """Write ``out_dir/summary.md`` through a temporary file, so it is never half written."""
    return write_file(Path(out_dir) / SUMMARY, printable(text).encode("utf-8"))


def _svgs(folder: Path) -> dict[str, str]:
    """The SVG figures of a results folder: ``{file stem: text}``."""
    return {f.stem: f.read_text(encoding="utf-8") for f in sorted(Path(folder).glob("*.svg"))}


def _figure_files(folder: Path) -> dict[str, list[str]]:
    """The figures of a results folder: ``{file stem: its file names}`` (PNG, then SVG where written)."""
    files: dict[str, list[str]] = {}
    for f in sorted(Path(folder).glob("*.png")) + sorted(Path(folder).glob("*.svg")):
        files.setdefault(f.stem, []).append(f.name)
    return files


def write_report(out_dir: Path, record: BatchRecord, dest: Path | None = None) -> Path:
    """Write ``dest/report.html`` (default ``dest``: ``out_dir``; :func:`model.output.report.report_html`)
    through a temporary file, from the batch's record, the figures of ``dest/comparison/`` (the SVG
    ones inline) and the figure files of each scenario folder of ``out_dir`` (call after writing them)."""
    return prepare_report(record)(out_dir, dest)


def prepare_report(record: BatchRecord) -> Callable[[Path, Path | None], Path]:
    """:func:`write_report` in two steps: the page computed from the batch's record now (before the figures
    are drawn, :func:`model.output.report.report_page`), and a function ``(out_dir, dest)`` that reads the
    figures and writes the page."""
    results = record.results
    stacked = comparison.stack({n: r.scorecard for n, r in results.items()}) if results else \
        pd.DataFrame(columns=["scenario", "target", "status"])
    scenarios = {name: ScenarioRecord(description=r.description, chain=r.chain, draws=r.draws, seed=r.seed)
                 for name, r in results.items()}
    run = RunRecord(run=record.run_id, scenarios=scenarios, data_files=data_file_hashes(),
                    packages=package_versions(), stale=list(record.stale))
    page = report_page(stacked, run, {k: list(v) for k, v in record.warnings.items()},
                       {k: list(v) for k, v in record.failures.items()},
                       {n: r.goalseek for n, r in results.items() if r.goalseek is not None},
                       record.backtest.metrics if record.backtest is not None else None,
                       {n: r.attribution for n, r in results.items() if r.attribution is not None})

    def write(out_dir: Path, dest: Path | None = None) -> Path:
        out_dir = Path(out_dir)
        dest = out_dir if dest is None else Path(dest)
        figures = {COMPARISON: _svgs(dest / COMPARISON)}
        files = {name: _figure_files(out_dir / name) for name in sorted(results)}
        files[COMPARISON] = _figure_files(dest / COMPARISON)
        return write_file(dest / REPORT, printable(page(figures, files)).encode("utf-8"))
    return write

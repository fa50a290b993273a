"""Writing results: every file of an output folder is written here, through :mod:`model.output.atomic`
(whole folders and files swapped in when complete).  Figures are drawn and saved inside
``plt.rc_context(FIGURE_STYLE)``: importing this module changes no matplotlib setting (the command
line selects the Agg backend).
"""
from __future__ import annotations

import csv
import io
import json
import os
import platform
from dataclasses import fields
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import cycler

from ..analysis import backtest as bt
from ..baseline import data
from ..baseline.calibration import Baseline
from ..core.files import COMPARISON, REPORT, SUMMARY, WORKBOOK
from ..core.iamc import CLUSTER_VARIABLE, HIGHTECH_SHARE
from ..core.sectors import KEYS
from ..core.target_sets import DEFAULT_SET, SETS, set_file
from ..equations.revenue import SERIES
from ..output.figures import by_scenario_figure, fan_figure, scorecard_matrix_figure, shares_figure
from ..output.plots import SCENARIO_PALETTE, scenario_colours
from ..output.plots_attribution import HEADLINE_TARGETS, lever_map_figure, waterfall_figure
from ..output.plots_backtest import backtest_figure, backtest_panels
from ..output.plots_sensitivity import tornado_figure
from ..projection.indicators import revenue_link_parameters
from ..projection.simulate import Projection
from ..scenario.loader import Scenario
from ..targets.scorecard import evaluate, with_realized
from ..targets.sets import load_set
from . import comparison
from .atomic import remove, write_atomically, write_file
from .report import RunRecord, ScenarioRecord, report_html
from .workbook import workbook_bytes

if TYPE_CHECKING:
    from ..analysis.montecarlo import MonteCarloResult

FLOAT_FORMAT = "%.12g"
PACKAGES = ("numpy", "scipy", "pandas", "matplotlib", "PyYAML", "openpyxl", "SALib")
CAPTION = ("Sources: model projection (Beijing Scenario Model); targets: Beijing Municipal People's Government, "
           "14th Five-Year plan for high-tech industries (Aug 2021), as reported on its publication.")
REVENUE_CAPTION = ("Revenues and output at current prices, 100 million CNY (1 trillion yuan = 10,000); 2020 levels "
                   "are estimates (model/data/revenue_links.csv), linked to sector value added.")
SHARE_VARIABLES = ((HIGHTECH_SHARE, "High-tech (gao-jing-jian) value added"),
                   ("Share of GDP|Manufacturing", "Manufacturing value added"),
                   ("Share of GDP|Finance", "Finance value added (target: largest sector)"))
FIGURE_STYLE = {
    "svg.hashsalt": "beijing-scenario-model",     # stable SVG ids
    "svg.fonttype": "none",                       # text as text: smaller, searchable, faster
    "axes.prop_cycle": cycler(color=SCENARIO_PALETTE),    # anything not given a colour: the house palette
}


def _csv_bytes(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n").encode("utf-8")


def _rows_csv(rows) -> bytes:
    rows = list(rows)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: (FLOAT_FORMAT % v if isinstance(v, float) else v) for k, v in r.items()})
    return buf.getvalue().encode("utf-8")


MAX_PIXELS = 10_000_000     # a PNG's canvas (4 bytes a pixel): a figure growing with the scenarios gets fewer dpi


def _save_figure(fig: plt.Figure, stem: Path, dpi: int = 150) -> None:
    width, height = fig.get_size_inches()
    dpi = min(dpi, int((MAX_PIXELS / (width * height)) ** 0.5))
    fig.savefig(stem.with_suffix(".png"), dpi=dpi, metadata={"Software": None})
    fig.savefig(stem.with_suffix(".svg"), metadata={"Date": None, "Creator": None})
    plt.close(fig)


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def data_file_hashes() -> dict[str, str]:
    """SHA-256 of every data file the results depend on (``model/data/*.csv`` and every target set's file)."""
    return {**data.file_hashes(), **{set_file(name).name: _sha256(set_file(name)) for name in SETS}}


def _entry(e) -> dict:
    return {f.name: (list(v) if isinstance(v, tuple) else v) for f in fields(e)
            for v in [getattr(e, f.name)] if f.name not in ("where", "remove", "given")}


def run_record(scenario: Scenario, baseline: Baseline, projection: Projection, command: list[str],
               warnings: list[str], revenue_links: Mapping[str, float] | None = None) -> dict:
    """What produced a result: inputs with their hashes, resolved parameters, software, command."""
    years = [int(y) for y in projection.years[1:]]
    def path(a):       # the rates of the projected years (after the base year)
        return {k: {y: round(100.0 * float(x), 10) for y, x in zip(years, a[:, i]) if y > projection.base_year}
                for i, k in enumerate(KEYS)}

    return {
        "scenario": {"name": scenario.name, "file": scenario.file, "sha256": scenario.sha256,
                     "chain": [{"file": s.file, "sha256": s.sha256} for s in scenario.chain]},
        "resolved_parameters": {
            "base": scenario.base, "horizon": scenario.horizon, "description": scenario.description,
            "vaccine_unwind_pct": 100.0 * scenario.vaccine_unwind,
            "growth_pct": path(projection.growth_real), "deflator_pct": path(projection.deflator_growth),
            "shocks": [_entry(e) for e in scenario.shocks], "projects": [_entry(e) for e in scenario.projects],
        },
        "assumptions_used": dict(sorted(baseline.assumptions.items())),
        "revenue_links_used": dict(sorted(revenue_link_parameters(revenue_links).items())),
        "data_files": data_file_hashes(),
        "packages": package_versions(),
        "command": command,
        "seed": None,
        "warnings": list(warnings),
    }


def _sha256(path: Path) -> str:
    import hashlib
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_scenario(out_dir: Path, scenario: Scenario, baseline: Baseline, projection: Projection,
                   table: pd.DataFrame, command: list[str], scorecard: pd.DataFrame | None = None,
                   warnings: list[str] = (), revenue_links: Mapping[str, float] | None = None,
                   mc: "MonteCarloResult | None" = None, analyses: Mapping[str, object] | None = None,
                   run_id: str | None = None, backtest: pd.DataFrame | None = None,
                   targets=None, figures: bool = True) -> Path:
    """Write one scenario's folder: timeseries, scorecard, figure, calibration reports, run record.

    ``targets`` is the :class:`~model.targets.sets.TargetSet` the scenario is scored against
    (default: the scenario's own set), recorded as ``target_set`` in the manifest;
    ``scorecard`` defaults to the evaluation of ``table`` against it;
    ``revenue_links`` are the revenue-layer overrides the table was made with (recorded);
    ``mc``, a Monte Carlo result, adds ``uncertainty.csv``, ``fan.csv`` and the fan chart;
    ``analyses`` maps ``goalseek``, ``sensitivity_oat``, ``sobol``, ``attribution`` and ``levers``
    to their tables, each written as ``<key>.csv`` (the one-at-a-time table also gives
    ``tornado.png``/``.svg``, one panel per target; the attribution ``waterfall_<target>`` of the
    headline targets), and ``lever_maps`` to :class:`model.analysis.levers.LeverMap` objects, each written
    as ``levers_<a>_<b>.csv`` and its figure;
    ``run_id`` names the batch the folder belongs to (recorded as ``run`` in the manifest).
    ``backtest``, the scenario's :func:`model.analysis.backtest.compare` table, adds ``backtest.csv``
    and its figure (:func:`write_backtest`).
    ``figures=False`` writes the tables only: no figure is drawn.
    """
    folder = Path(out_dir) / scenario.name
    targets = load_set(getattr(scenario, "targets", DEFAULT_SET)) if targets is None else targets
    if scorecard is None:
        scorecard = with_realized(evaluate(table, targets), targets)
    source = f"targets: {getattr(targets, 'title', 'plan targets')}."

    def fill(tmp: Path) -> None:
        (tmp / "timeseries.csv").write_bytes(_csv_bytes(table))
        (tmp / "scorecard.csv").write_bytes(_csv_bytes(scorecard))
        (tmp / "base_year.csv").write_bytes(_rows_csv(baseline.provenance))
        (tmp / "trend_fit.csv").write_bytes(_rows_csv(baseline.trend_fit))
        if baseline.moments:        # a later jump-off (base: 2025) has no 2021 calibration
            (tmp / "calibration_2021.csv").write_bytes(_rows_csv(baseline.moments))
        if figures:
            _save_figure(shares_figure(table, list(targets), f"Model projection; {source}"), tmp / "shares")
        record = run_record(scenario, baseline, projection, command, list(warnings), revenue_links)
        record["run"] = run_id
        if hasattr(targets, "record"):
            record["target_set"] = targets.record()
        for stem, frame in (analyses or {}).items():
            if isinstance(frame, pd.DataFrame):
                (tmp / f"{stem}.csv").write_bytes(_csv_bytes(frame))
        for m in (analyses or {}).get("lever_maps", ()):
            (tmp / f"{m.name}.csv").write_bytes(_csv_bytes(m.table()))
            if figures:
                _save_figure(lever_map_figure(m, scenario.name), tmp / m.name, dpi=110)
        attribution = (analyses or {}).get("attribution")
        described = dict(zip(scorecard["target"], scorecard["description"]))
        for target in HEADLINE_TARGETS:
            if figures and attribution is not None and (attribution["target"] == target).any():
                _save_figure(waterfall_figure(attribution, target, scenario.name, described.get(target)),
                             tmp / f"waterfall_{target}", dpi=110)
        if figures and analyses and "sensitivity_oat" in analyses:
            _save_figure(tornado_figure(analyses["sensitivity_oat"], scenario.name, described), tmp / "tornado",
                         dpi=110)
        if mc is not None:
            (tmp / "uncertainty.csv").write_bytes(_csv_bytes(mc.targets))
            (tmp / "fan.csv").write_bytes(_csv_bytes(mc.fan))
            if figures:
                _save_figure(fan_figure(mc.fan, list(targets),
                                        f"Shares of Beijing's GDP, {mc.draws:,} draws: scenario {scenario.name}",
                                        f"Monte Carlo over the scenario's uncertainty block (seed {mc.seed}); "
                                        f"{source}"), tmp / "fan")
            record["seed"] = mc.seed
            record["monte_carlo"] = {"draws": mc.draws, "seed": mc.seed, "chunk": mc.chunk}
        if backtest is not None:
            write_backtest(tmp, backtest, scenario.name, figures)
        _write_json(tmp / "manifest.json", record)

    with plt.rc_context(FIGURE_STYLE):            # figures drawn and saved in the house style
        write_atomically(folder, fill)
    return folder


def write_backtest(folder: Path, table: pd.DataFrame, scenario: str, figures: bool = True) -> None:
    """``backtest.csv`` and ``backtest.png``/``.svg`` of one scenario into ``folder`` (a
    temporary folder being filled: call inside the house style); the table only without ``figures``."""
    (folder / "backtest.csv").write_bytes(_csv_bytes(table))
    if figures and backtest_panels(table):
        _save_figure(backtest_figure(table, scenario), folder / "backtest", dpi=110)


def _write_json(path: Path, record: dict) -> None:
    path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def compared_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a scenario's table that :func:`write_comparison` draws (a batch keeps only these)."""
    variables = {v for v, _ in SHARE_VARIABLES} | {s.variable for s in SERIES} | {CLUSTER_VARIABLE}
    return table[table["variable"].isin(variables)].reset_index(drop=True)


def write_comparison(out_dir: Path, tables: Mapping[str, pd.DataFrame], scorecards: Mapping[str, pd.DataFrame],
                     scenario_hashes: Mapping[str, str], command: list[str], run_id: str | None = None,
                     backtest: "bt.BatchBacktest | None" = None,
                     attributions: Mapping[str, pd.DataFrame] | None = None, figures: bool = True) -> Path:
    """Write ``out_dir/comparison/``: the scorecard matrices (CSV and figure), the headline
    indicators by scenario against the target lines, every scenario's gap attribution stacked
    (``attribution.csv``, with ``attributions``) and a run record; atomically.

    ``backtest`` adds ``backtest_metrics.csv``, ``backtest_verdicts.csv`` and
    ``timeseries.csv`` (every scenario's rows and the realized rows, IAMC layout), and
    puts the realized points on the figures (:func:`write_batch_backtest`).  ``figures=False``
    writes the tables only."""
    folder = Path(out_dir) / COMPARISON
    stacked = comparison.stack(scorecards)
    used = comparison.target_sets(stacked) or [DEFAULT_SET]
    targets = [t for name in used for t in load_set(name)]
    caption = CAPTION if used == [DEFAULT_SET] else (
        "Sources: model projection (Beijing Scenario Model); targets: "
        + "; ".join(f"{name}: {SETS[name].title}" for name in used) + " (each target's source in the scorecards).")
    everything = pd.concat([tables[name] for name in sorted(tables)], ignore_index=True)
    colours = scenario_colours(tables)

    def fill(tmp: Path) -> None:
        (tmp / "scorecards.csv").write_bytes(_csv_bytes(stacked))
        (tmp / "scorecard_matrix.csv").write_bytes(_csv_bytes(comparison.matrix(stacked, "status")))
        (tmp / "gap_matrix.csv").write_bytes(_csv_bytes(comparison.matrix(stacked, "gap")))
        if "realized_status" in stacked:
            (tmp / "realized_matrix.csv").write_bytes(_csv_bytes(comparison.realized_matrix(stacked)))
        attributed = {name: a for name, a in (attributions or {}).items() if a is not None}
        if attributed:
            (tmp / "attribution.csv").write_bytes(_csv_bytes(comparison.stack(attributed)))
        if backtest is not None:
            write_batch_backtest(tmp, backtest)
        _write_json(tmp / "manifest.json", {
            "run": run_id, "scenarios": dict(sorted(scenario_hashes.items())), "data_files": data_file_hashes(),
            "target_sets": {name: load_set(name).record() for name in used},
            "packages": package_versions(), "command": command})
        if not figures:
            return
        _save_figure(scorecard_matrix_figure(stacked, caption + " Gap = projection minus target in its year (rank: "
                                             "lead over the largest other sector; range: distance to the band)."),
                     tmp / "scorecard_matrix")
        realized = backtest.realized if backtest is not None else None
        fig = by_scenario_figure(everything, SHARE_VARIABLES, 3, colours, "Shares of Beijing's GDP by scenario, "
                                 "% of GDP at current prices, with the plan's targets",
                                 caption + _realized_caption(realized), targets, realized)
        _save_figure(fig, tmp / "shares_by_scenario")
        panels = [(s.variable, s.label) for s in SERIES] + [(CLUSTER_VARIABLE, "Trillion-yuan clusters (count)")]
        fig = by_scenario_figure(everything, panels, 4, colours, "Revenues, car output and trillion-yuan clusters "
                                 "by scenario, with the plan's targets", caption + " " + REVENUE_CAPTION
                                 + _realized_caption(realized), targets, realized)
        _save_figure(fig, tmp / "revenues_by_scenario")

    with plt.rc_context(FIGURE_STYLE):            # figures drawn and saved in the house style
        write_atomically(folder, fill)
    return folder


def _realized_caption(realized: pd.DataFrame | None) -> str:
    return "" if realized is None else (" Realized (black; circles 4th-census basis, squares 5th): Beijing "
                                        "Municipal Bureau of Statistics and others, model/data/realized.csv.")


def write_batch_backtest(folder: Path, backtest: "bt.BatchBacktest") -> None:
    """The batch's backtest files into ``folder`` (the comparison being filled)."""
    (folder / "backtest_metrics.csv").write_bytes(_csv_bytes(backtest.metrics))
    (folder / "backtest_verdicts.csv").write_bytes(_csv_bytes(backtest.verdicts))
    (folder / "timeseries.csv").write_bytes(_csv_bytes(backtest.timeseries))


def write_workbook(out_dir: Path, table: pd.DataFrame, scorecards: Mapping[str, pd.DataFrame],
                   run_id: str | None = None) -> Path:
    """Write ``out_dir/results.xlsx`` (:mod:`model.output.workbook`) through a temporary file.
    ``table``: the IAMC rows of every scenario and the realized rows; ``scorecards`` by scenario."""
    return write_file(Path(out_dir) / WORKBOOK, workbook_bytes(table, scorecards, run_id))


def remove_workbook(out_dir: Path) -> None:
    """Remove ``out_dir/results.xlsx`` (a batch starting: the old one no longer matches the folders)."""
    (Path(out_dir) / WORKBOOK).unlink(missing_ok=True)


def write_summary(out_dir: Path, text: str) -> Path:
    """Write ``out_dir/summary.md`` through a temporary file, so it is never half written."""
    return write_file(Path(out_dir) / SUMMARY, text.encode("utf-8"))


def _svgs(folder: Path) -> dict[str, str]:
    """The SVG figures of a results folder: ``{file stem: text}``."""
    return {f.stem: f.read_text(encoding="utf-8") for f in sorted(Path(folder).glob("*.svg"))}


def _scenario_record(folder: Path) -> ScenarioRecord | None:
    """What a scenario folder's ``manifest.json`` records for the report (None: unreadable)."""
    try:
        m = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
        mc = m.get("monte_carlo") or {}
        return ScenarioRecord(
            description=m["resolved_parameters"].get("description") or "",
            chain=tuple((c["file"], c["sha256"]) for c in m["scenario"]["chain"]),
            draws=mc.get("draws"), seed=mc.get("seed"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write_report(out_dir: Path, stacked: pd.DataFrame, warnings: Mapping[str, list[str]],
                 failures: Mapping[str, list[str]], goals: Mapping[str, pd.DataFrame] | None = None,
                 backtest: pd.DataFrame | None = None, attributions: Mapping[str, pd.DataFrame] | None = None,
                 run_id: str | None = None, stale: list[tuple[str, str | None]] = ()) -> Path:
    """Write ``out_dir/report.html`` (:func:`model.output.report.report_html`) through a temporary
    file: the batch's tables as given, the SVG figures and run records of ``comparison/`` and of
    each scenario folder in ``stacked``, read from ``out_dir`` (call after writing them)."""
    out_dir = Path(out_dir)
    names = sorted(stacked["scenario"].unique()) if len(stacked) else []
    figures = {name: _svgs(out_dir / name) for name in names}
    figures[COMPARISON] = _svgs(out_dir / COMPARISON)
    scenarios = {name: r for name in names for r in (_scenario_record(out_dir / name),) if r is not None}
    record = RunRecord(run=run_id, scenarios=scenarios, data_files=data_file_hashes(),
                            packages=package_versions(), stale=list(stale))
    page = report_html(stacked, record, warnings, failures, goals, backtest, attributions, figures)
    return write_file(out_dir / REPORT, page.encode("utf-8"))


def remove_comparison(out_dir: Path) -> None:
    """Remove the previous run's batch outputs, ``out_dir/comparison/`` and ``out_dir/report.html``
    (a batch starting: they no longer match the folders)."""
    folder = Path(out_dir) / COMPARISON
    if folder.exists() or folder.is_symlink():
        aside = folder.with_name(f".{COMPARISON}.discard.tmp")     # removed by `recover` if killed here
        os.replace(folder, aside)
        remove(aside)
    (Path(out_dir) / REPORT).unlink(missing_ok=True)


def run_of(folder: Path) -> str | None:
    """The run id recorded in ``folder/manifest.json`` (``None``: none, or not a results folder)."""
    try:
        return json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8")).get("run")
    except (OSError, ValueError, AttributeError):
        return None

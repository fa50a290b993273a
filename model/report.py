"""Writing results: the only module that writes files.

Each scenario's folder is written into a temporary sibling and swapped in at the
end, so an interrupted or failed run never leaves a half-overwritten folder.
"""
from __future__ import annotations

import csv
import io
import json
import os
import platform
import shutil
import sys
import tempfile
from dataclasses import fields
from importlib import metadata
from pathlib import Path
from typing import Callable

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from . import data  # noqa: E402
from .calibration import Baseline  # noqa: E402
from .plots import plot_shares  # noqa: E402
from .scenario import Scenario  # noqa: E402
from .sectors import KEYS  # noqa: E402
from .simulate import Projection  # noqa: E402
from .targets import TARGETS_FILE, load_targets  # noqa: E402

FLOAT_FORMAT = "%.12g"
PACKAGES = ("numpy", "scipy", "pandas", "matplotlib", "PyYAML")
matplotlib.rcParams["svg.hashsalt"] = "beijing-scenario-model"   # stable SVG ids


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


def _save_figure(fig: plt.Figure, stem: Path) -> None:
    fig.savefig(stem.with_suffix(".png"), dpi=150, metadata={"Software": None})
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


def _entry(e) -> dict:
    return {f.name: (list(v) if isinstance(v, tuple) else v) for f in fields(e)
            for v in [getattr(e, f.name)] if f.name not in ("where", "remove")}


def run_record(scenario: Scenario, baseline: Baseline, projection: Projection, command: list[str],
               warnings: list[str]) -> dict:
    """What produced a result: inputs with their hashes, resolved parameters, software, command."""
    years = [int(y) for y in projection.years[1:]]
    path = lambda a: {k: dict(zip(years, (round(100.0 * float(x), 10) for x in a[:, i]))) for i, k in enumerate(KEYS)}
    return {
        "scenario": {"name": scenario.name, "file": scenario.file, "sha256": scenario.sha256,
                     "chain": [{"file": s.file, "sha256": s.sha256} for s in scenario.chain]},
        "resolved_parameters": {
            "horizon": scenario.horizon, "description": scenario.description,
            "vaccine_unwind_pct": 100.0 * scenario.vaccine_unwind,
            "growth_pct": path(projection.growth_real), "deflator_pct": path(projection.deflator_growth),
            "shocks": [_entry(e) for e in scenario.shocks], "projects": [_entry(e) for e in scenario.projects],
        },
        "assumptions_used": dict(sorted(baseline.assumptions.items())),
        "data_files": {**data.file_hashes(), TARGETS_FILE.name: _sha256(TARGETS_FILE)},
        "packages": package_versions(),
        "command": command,
        "seed": None,
        "warnings": list(warnings),
    }


def _sha256(path: Path) -> str:
    import hashlib
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_atomically(folder: Path, fill: Callable[[Path], None]) -> None:
    """Create ``folder`` by letting ``fill`` write into a temporary sibling, then swap it in."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        fill(tmp)
        old = None
        if folder.exists():
            old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
            os.replace(folder, old)
        os.replace(tmp, folder)
        if old is not None:
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_scenario(out_dir: Path, scenario: Scenario, baseline: Baseline, projection: Projection,
                   table: pd.DataFrame, command: list[str], warnings: list[str] = ()) -> Path:
    """Write one scenario's folder: timeseries, figure, calibration reports, run record."""
    folder = Path(out_dir) / scenario.name

    def fill(tmp: Path) -> None:
        (tmp / "timeseries.csv").write_bytes(_csv_bytes(table))
        (tmp / "base_year.csv").write_bytes(_rows_csv(baseline.provenance))
        (tmp / "trend_fit.csv").write_bytes(_rows_csv(baseline.trend_fit))
        (tmp / "calibration_2021.csv").write_bytes(_rows_csv(baseline.moments))
        fig, ax = plt.subplots(figsize=(8, 5))
        plot_shares(table, list(load_targets()), ax=ax)
        fig.text(0.01, 0.01, "Model projection; targets: Beijing 14th Five-Year high-tech industry plan (2021).",
                 fontsize=7, color="0.4")
        fig.tight_layout(rect=(0, 0.03, 1, 1))
        _save_figure(fig, tmp / "shares")
        record = run_record(scenario, baseline, projection, command, list(warnings))
        (tmp / "manifest.json").write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    write_atomically(folder, fill)
    return folder

"""Where things are: the data files the model reads, the names of what a batch writes beside the
scenario folders of an output folder, and the mark its manifests carry."""
from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
FIGURES_FILE = DATA_DIR / "figures.csv"                   # the 2020 base year and the mid-2021 facts
ASSUMPTIONS_FILE = DATA_DIR / "assumptions.csv"           # labelled assumptions of the 2020 calibration
ASSUMPTIONS_2025_FILE = DATA_DIR / "assumptions_2025.csv"  # the 2025 jump-off's (model/baseline/rebase.py)
REVENUE_LINKS_FILE = DATA_DIR / "revenue_links.csv"       # the revenue layer's parameters
REALIZED_FILE = DATA_DIR / "realized.csv"                 # the published record after mid-2021
SATELLITES_FILE = DATA_DIR / "satellites.csv"             # the satellite series' parameters (R&D, budget, ...)
SATELLITE_HISTORY_FILE = DATA_DIR / "satellite_history.csv"   # the published history their fits rest on

# What a batch writes beside the scenario folders (so no scenario may be named so), compared ignoring case.
COMPARISON, SUMMARY, LOCK = "comparison", "summary.md", ".lock"
REPORT = "report.html"
WORKBOOK = "results.xlsx"
BATCH_NAMES = (COMPARISON, SUMMARY, REPORT, WORKBOOK)
MANIFEST = "manifest.json"
# Scenario names that would name a scenario file (with --out in a scenarios folder, its folder would take the
# file's place), compared ignoring case.
SCENARIO_FILE_SUFFIXES = (".yaml", ".yml")
# Every manifest.json the tool writes says so ("tool": TOOL): the proof that a folder is the tool's to replace.
TOOL = "beijing-scenarios"

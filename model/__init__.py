"""Scenario model of Beijing's economy: sector value added to 2025 against the
14th Five-Year high-tech industry plan's targets.

Data flows one way: scenario YAML -> validated Scenario; sourced data -> calibrated
Baseline; both -> pure equations (:mod:`model.growth`) -> tidy table
(:mod:`model.results`) -> figures and files (:mod:`model.report`).
"""

BASE_YEAR = 2020
CALIBRATION_YEAR = 2021

"""Sourced data -> calibrated Baseline: the checked data files, the published record, the 2020
calibration, the 2025 jump-off and the cache of baselines."""

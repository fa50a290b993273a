"""Sourced data -> calibrated Baseline: the sector partition, the checked data files, realized outcomes, calibration."""

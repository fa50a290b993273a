"""Scenario + Baseline -> projection -> indicators -> the tidy table; plausibility warnings."""

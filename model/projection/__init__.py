"""Scenario + Baseline -> projection -> indicators -> the tidy table; the year <-> row mapping."""

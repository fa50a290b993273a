"""Scenario YAML -> checked, resolved, frozen Scenario: parameters, reading, checking, inheritance, plausibility."""

"""Scenario YAML -> checked, resolved, frozen Scenario: reading, checking, inheritance."""

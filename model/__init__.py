"""Scenario model of Beijing's economy: sector value added projected from 2020 (or from the realized
2025 economy) and scored against the targets of the 14th and 15th Five-Year plans.

The package is a house whose floors go one way (docs/development.md, Layout); each imports only
the floors below it, and import-linter checks it in CI (``[tool.importlinter]`` in pyproject.toml):

* :mod:`model.cli` and :mod:`model.batch`: the command line; many scenarios, one record per run;
* :mod:`model.output`: every file a run writes, from the run's records;
* :mod:`model.analysis`: one scenario computed into a record; Monte Carlo, goal seeking,
  attribution, sensitivity, lever maps, backtest;
* :mod:`model.targets`: the plans' targets and their scorecards;
* :mod:`model.projection`: Scenario + Baseline -> projection -> indicators -> tidy table;
* :mod:`model.scenario`: scenario YAML -> checked, resolved, frozen Scenario;
* :mod:`model.baseline`: sourced data (``model/data``) -> calibrated Baseline;
* :mod:`model.equations`: the pure numpy equations;
* :mod:`model.core`: the ground floor, the vocabulary every floor shares.
"""

__version__ = "0.1.0"        # the one place of the version: pyproject.toml reads it from here

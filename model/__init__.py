"""Scenario model of Beijing's economy: sector value added to 2025 against the
14th Five-Year high-tech industry plan's targets.

Data flows one way, and each step has its own subpackage:

* :mod:`model.scenario`: scenario YAML -> checked, resolved, frozen Scenario;
* :mod:`model.baseline`: sourced data (``model/data``) -> calibrated Baseline;
* :mod:`model.equations`: the pure numpy equations both feed;
* :mod:`model.projection`: Scenario + Baseline -> projection -> indicators -> tidy table;
* :mod:`model.targets`: the plan's targets and their scorecards;
* :mod:`model.analysis`: Monte Carlo, goal seeking, attribution, sensitivity, backtest;
* :mod:`model.output`: figures, text and the files of ``results/``;
* :mod:`model.batch`: many scenarios through every step.
"""

__version__ = "0.1.0"        # the one place of the version: pyproject.toml reads it from here

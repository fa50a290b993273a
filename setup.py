"""The one build setting pyproject.toml cannot state: ``scenarios/``, the folder users edit, ships
inside the wheel as the data package ``model.shipped_scenarios`` (the same files, mapped at build
time, so an installed copy is the folder it was built from).  The data folders are listed as
packages (without ``__init__.py``) so that setuptools installs their files; what they hold is
declared in pyproject.toml, where everything else is."""
from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["model", "model.*"]), "model.data", "model.definitions.variable",
                "model.definitions.region", "model.shipped_scenarios"],
      package_dir={"model.shipped_scenarios": "scenarios"})

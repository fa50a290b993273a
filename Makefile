# Two set-up-free entry points: `make run` (every scenario -> results/) and `make test`.
# Each creates .venv on first use and installs the project from pyproject.toml.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) run.py $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# -n auto: one pytest-xdist worker per core; loadfile keeps a file's tests on one worker, so the runs
# a file's tests share (module and session fixtures) are made once
test: lint
	$(PY) -m pytest -q -n auto --dist loadfile $(ARGS)

clean:
	rm -rf $(VENV) results/*/ .pytest_cache

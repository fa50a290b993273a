# Two set-up-free entry points: `make run` (every scenario -> results/) and `make test`.
# Each creates .venv on first use and installs the project from pyproject.toml.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
IAMC   := $(VENV)/.installed-iamc

.PHONY: run test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The test set-up adds the iamc extra (pyam, for tests/test_iamc.py); `make run` does not need it.
$(IAMC): $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,iamc]'
	touch $(IAMC)

run: $(STAMP)
	$(PY) run.py $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# REQUIRE_PYAM=1: the pyam tests fail, rather than skip, if pyam cannot be imported.
test: lint $(IAMC)
	REQUIRE_PYAM=1 $(PY) -m pytest -q $(ARGS)

clean:
	rm -rf $(VENV) results/*/ .pytest_cache

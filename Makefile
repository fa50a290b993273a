# Two set-up-free entry points: `make run` (every scenario -> results/) and `make test`; and `make docs`
# (the documentation site -> site/). Each creates .venv on first use and installs the project from pyproject.toml.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
IAMC   := $(VENV)/.installed-iamc
DOCS   := $(VENV)/.installed-docs
BROWSER := $(VENV)/.chromium
CALC    := $(VENV)/.libreoffice
BYTECODE := $(VENV)/.bytecode
SOURCES  := $(shell find model -name '*.py')

.PHONY: run test lint docs docs-generate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The test set-up adds the iamc extra (pyam, for tests/test_iamc.py); `make run` does not need it.
$(IAMC): $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,iamc]'
	touch $(IAMC)

# The docs extra (MkDocs and its Material theme) builds the documentation: `make docs`, and the strict
# build of tests/test_docs.py under `make test`.
$(DOCS): $(STAMP)
	$(PY) -m pip install --quiet -e '.[docs]'
	touch $(DOCS)

# Debian packages that some tests need, installed when absent and apt-get is usable (as root, or
# through sudo without a password); otherwise, or if the install fails, those tests are skipped with
# the reason and the rest of `make test` runs. $(call APT_OPTIONAL,<test that it is there>,<what>,
# <which tests>,<packages>) touches the target once the packages are there.
define APT_OPTIONAL
	@if $(1); then touch $@; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
	  echo "no $(2) and no apt-get: the $(3) tests will be skipped"; \
	else \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	  else echo "no $(2), and apt-get needs root: the $(3) tests will be skipped"; exit 0; fi; \
	  echo "installing $(4) (apt-get) for the $(3) tests"; \
	  if $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	       --no-install-recommends $(4) >/dev/null; then touch $@; \
	  else echo "installing $(4) failed: the $(3) tests will be skipped"; fi; \
	fi
endef

# The browser tests (tests/test_html_report.py) open report.html in Debian's chromium and chromium-driver.
$(BROWSER): | $(STAMP)
	$(call APT_OPTIONAL,[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ],/usr/bin/chromium,browser,chromium chromium-driver)

# The spreadsheet test (tests/test_workbook.py) opens results.xlsx in LibreOffice Calc, headless
# (Debian's libreoffice-calc, without the recommended packages).
$(CALC): | $(STAMP)
	$(call APT_OPTIONAL,command -v soffice >/dev/null 2>&1,soffice,spreadsheet,libreoffice-calc)

# The model's bytecode, compiled once its sources change, as pip compiles an installed package: an editable
# install is not compiled, and where PYTHONDONTWRITEBYTECODE is set Python would compile the model's modules
# again at every start (a seventh of a second in each process; docs/performance.md).  A module edited since
# is compiled in memory, as always: a stale file is never used.
$(BYTECODE): $(STAMP) $(SOURCES)
	$(PY) -m compileall -q model || echo "the model's bytecode could not be written: each run compiles the model"
	touch $(BYTECODE)

# one scenario per core (run.py's default --jobs); ARGS="--jobs 1" for one at a time
run: $(STAMP) $(BYTECODE)
	$(PY) run.py $(ARGS)

# ruff (rules in pyproject.toml), then the import contract: the floors of model/ go one way
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

# The site, from docs/ (mkdocs.yml: strict, so a broken link or anchor stops the build); open site/index.html.
docs: $(DOCS)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

# The numbers of the README and docs/ that a run produces, rewritten from a fresh run (docs/generate.py).
docs-generate: $(STAMP)
	$(PY) docs/generate.py

# REQUIRE_PYAM=1, REQUIRE_MKDOCS=1: the pyam tests and the docs build fail, rather than skip, if pyam or
# MkDocs cannot be imported.
# -n auto: one pytest-xdist worker per core; loadfile keeps a file's tests on one worker, so the runs
# a file's tests share (module and session fixtures) are made once.  The benchmarks' agreement checks run
# among the tests at a small size (tests/test_benchmarks.py: an engine that drifts from the model fails);
# their timings are benchmarks/*.py's, run by hand (docs/performance.md).
test: lint $(IAMC) $(DOCS) $(BROWSER) $(CALC) $(BYTECODE)
	REQUIRE_PYAM=1 REQUIRE_MKDOCS=1 $(PY) -m pytest -q -n auto --dist loadfile $(ARGS)

clean:
	rm -rf $(VENV) results/*/ .pytest_cache site

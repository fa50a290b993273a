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

# The browser tests (tests/test_html_report.py) open report.html in Debian's chromium and
# chromium-driver. Installed here when /usr/bin/chromium is absent and apt-get is usable (as root,
# or through sudo without a password); otherwise, or if the install fails, those tests are
# skipped with the reason and the rest of `make test` runs.
$(BROWSER): | $(STAMP)
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then touch $@; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
	  echo "no /usr/bin/chromium and no apt-get: the browser tests will be skipped"; \
	else \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	  else echo "no /usr/bin/chromium, and apt-get needs root: the browser tests will be skipped"; exit 0; fi; \
	  echo "installing chromium and chromium-driver (apt-get) for the browser tests"; \
	  if $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	       --no-install-recommends chromium chromium-driver >/dev/null; then touch $@; \
	  else echo "installing chromium failed: the browser tests will be skipped"; fi; \
	fi

# The spreadsheet test (tests/test_workbook.py) opens results.xlsx in LibreOffice Calc, headless
# (Debian's libreoffice-calc, without the recommended packages). Installed here when soffice is
# absent and apt-get is usable, as for chromium above; otherwise those tests are skipped with the reason.
$(CALC): | $(STAMP)
	@if command -v soffice >/dev/null 2>&1; then touch $@; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
	  echo "no soffice and no apt-get: the spreadsheet tests will be skipped"; \
	else \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	  else echo "no soffice, and apt-get needs root: the spreadsheet tests will be skipped"; exit 0; fi; \
	  echo "installing libreoffice-calc (apt-get) for the spreadsheet tests"; \
	  if $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	       --no-install-recommends libreoffice-calc >/dev/null; then touch $@; \
	  else echo "installing libreoffice-calc failed: the spreadsheet tests will be skipped"; fi; \
	fi

# one scenario per core (run.py's default --jobs); ARGS="--jobs 1" for one at a time
run: $(STAMP)
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
test: lint $(IAMC) $(DOCS) $(BROWSER) $(CALC)
	REQUIRE_PYAM=1 REQUIRE_MKDOCS=1 $(PY) -m pytest -q -n auto --dist loadfile $(ARGS)

clean:
	rm -rf $(VENV) results/*/ .pytest_cache site

# ddb-lab: `make lab` opens the course, `make test` runs every test. Both set up .venv first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.ddb-lab-installed
NODE_STAMP := node_modules/.ddb-lab-installed
PORT ?= 8888
LAB_FLAGS ?=

.PHONY: lab test test-fast bench lint typecheck notebooks lock browser-deps node-deps clean help

help:
	@echo "make lab    - set up .venv and open the course in JupyterLab"
	@echo "make test   - set up .venv and run every test (unit, engine, notebooks, browser)"
	@echo "make bench  - run the benchmarks"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "ddb-lab needs Python 3.11 or newer (found: $$($(PYTHON) --version))."; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Install (or update) the package and its test tools whenever their definitions change.
$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv || true
	if [ -x $(BIN)/uv ]; then \
	  $(BIN)/uv pip install --python $(BIN)/python -c constraints.txt -e '.[test]'; \
	else \
	  $(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'; \
	fi
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR) --port=$(PORT) \
	  $$( [ "$$(id -u)" = 0 ] && echo --allow-root ) $(LAB_FLAGS) notebooks/00_welcome.ipynb

# Browser tests drive JupyterLab in Debian's chromium. In CI (as root) it is installed here;
# elsewhere the browser tests skip with a message when no chromium is found.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$CI" = "true" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "note: chromium not found; browser tests will be skipped (set CI=true as root to install it)"; \
	  fi; \
	fi

# A second DynamoDB engine (dynalite, npm) for the endpoint-backend tests.
node-deps: $(NODE_STAMP)
$(NODE_STAMP): package.json package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
	  if [ "$$CI" = "true" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; \
	  fi; \
	fi
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --loglevel=error && touch $(NODE_STAMP); \
	else \
	  echo "note: npm not found; the dynalite tests will be skipped"; \
	fi

test: $(STAMP) browser-deps node-deps
	$(BIN)/ruff check ddb_lab tests benchmarks conftest.py
	$(BIN)/mypy
	PYTHONHASHSEED=0 $(BIN)/pytest

test-fast: $(STAMP)
	PYTHONHASHSEED=0 $(BIN)/pytest -m "not browser" --ignore=tests/notebooks

bench: $(STAMP)
	$(BIN)/python -m benchmarks

lint: $(STAMP)
	$(BIN)/ruff check ddb_lab tests benchmarks conftest.py
	$(BIN)/ruff format --check ddb_lab tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

# Re-execute the course notebooks in place (outputs are what nbval compares), then write
# exercises/ from solutions/ (the one source of truth) and execute it too.
notebooks: $(STAMP)
	PYTHONHASHSEED=0 $(BIN)/python -m ddb_lab.notebook_tools execute notebooks/*.ipynb solutions/*.ipynb
	PYTHONHASHSEED=0 $(BIN)/ddb-lab release

# Re-pin the tested versions after changing dependencies in pyproject.toml.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra test --python-version 3.11 -o constraints.txt

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache test-artifacts

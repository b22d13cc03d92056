# One obvious command for each job. Both `run` and `test` create .venv and install what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)
PEGBOARD_PORT ?= 8000

NODE_STAMP := node_modules/.installed-$(shell cat package.json package-lock.json | sha1sum | cut -c1-12)

.PHONY: run test lint typecheck pytest coverage bench install browser clean wrk assets

## Pegboard's modules compiled to bytecode once: pip installs src editable, so a clean clone has none, and
## where PYTHONDONTWRITEBYTECODE is set (this machine) none is ever written: every `pegboard` command then
## compiled the modules it imports again (about 0.14 s of CPU for a plan, BENCHMARKS.md "first5").
install: $(STAMP) assets
	$(BIN)/python -m compileall -q -j 0 src

## The web app's front-end packages (htmx, Chart.js, Sortable, axe-core) from npm, by the lockfile
assets: $(NODE_STAMP)

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm; }
	npm ci --no-audit --no-fund --loglevel=error
	rm -f node_modules/.installed-*
	touch $@

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

## make run: set up, load the lightsaber demo into pegboard.db (if empty, with backorders open), make a
## demo admin when nobody can sign in (its password is printed), and serve
run: install
	$(BIN)/pegboard init
	$(BIN)/pegboard demo --if-empty --steps 3
	$(BIN)/pegboard user ensure-demo-admin
	$(BIN)/pegboard serve --host 0.0.0.0 --port $(PEGBOARD_PORT)

## make test: ruff, import contracts (lint-imports), mypy, and every test on SQLite and PostgreSQL, pages in Chromium.
## Ruff and lint-imports take seconds and go first; mypy (a minute or more from a clean clone, no cache) runs
## beside the tests, which wait on databases, servers and Chromium much of the time. A mypy error still
## fails `make test`, once the tests have finished.
test: $(STAMP) assets browser lint
	$(MAKE) --no-print-directory -j 2 typecheck pytest

## Debian's Chromium for the page tests (Playwright drives it; it never downloads a browser)
browser:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

## Three workers (pytest-xdist) on the two cores, each test file on one worker so a module's served workshop
## is served once: with two, the run kept only about 1.45 cores busy (the tests wait on databases, servers
## and Chromium), so a third worker fills the gaps. The files of a few long tests and no module fixtures
## (tests/conftest.py's EACH_TEST_APART, the stateful rules first) go out a test at a time instead, its
## pytest_xdist_make_scheduler hook. The 25 slowest tests are listed at the end of every run (CI logs
## included), to see where the time goes. Work goes out in collection order, where tests/conftest.py puts
## the longest first (LONGEST_FIRST), so no long file is left to run alone at the end. Coverage doubles
## the time of in-process tests, so it has its own target (pyproject loads only xdist's and Hypothesis's
## plugins; it adds pytest-cov's). Pegboard and the tests' helpers are compiled once first: a clean clone
## has no bytecode (pip installs src editable), and with PYTHONDONTWRITEBYTECODE none is ever written,
## so every worker and every `pegboard` process a test starts compiled src again (about 0.45 s of CPU).
PYTEST_WORKERS ?= 3
PYTEST_DIST := -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder
pytest: $(STAMP)
	$(BIN)/python -m compileall -q -j 0 src tests
	$(BIN)/pytest -q --durations=25 $(PYTEST_DIST)

coverage: $(STAMP) assets browser
	$(BIN)/pytest -p pytest_cov --cov=pegboard --cov-report=term:skip-covered -q $(PYTEST_DIST)

bench: $(STAMP) wrk
	$(BIN)/python -m bench.run_all

# The HTTP benchmarks drive the server with wrk (Debian's package) when it is there.
wrk:
	@command -v wrk >/dev/null || (apt-get install -y -q wrk >/dev/null 2>&1 || sudo apt-get install -y -q wrk)

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache

# Two entry points (see README): `make demo` and `make test`.
# Both create or reuse .venv from requirements.lock; nothing else needs installing by hand.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Prefect: no telemetry, project-local home, quiet logs (see README "Prefect").
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 120

.PHONY: demo test lint venv clean browser

# The import-cycle checker lives in the shared tools beside the checkout (as CI lays it out); without it
# `make lint` says so and carries on.
IMPORT_CYCLES := ../shared/tools/import_cycles.py

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/newsignal demo --out demo-output

# Two workers (this machine's two cores): most slow tests wait on a subprocess (Prefect's start-up, a
# stalled server); the demo build's tests share one worker (tests/conftest.py) so it is built once.
test: $(STAMP) lint browser
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# ruff and mypy read their settings from pyproject.toml; each check fails the target on its own.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	@if [ -f $(IMPORT_CYCLES) ]; then \
	  echo "$(BIN)/python $(IMPORT_CYCLES) ."; $(BIN)/python $(IMPORT_CYCLES) .; \
	else echo "$(IMPORT_CYCLES) not found: import-cycle check skipped"; fi

# Browser tests (dashboard, digest screenshot) need Debian's chromium and chromedriver. Installed here
# when missing and we may (root with apt-get); otherwise those tests skip and say why.
browser:
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing chromium and chromium-driver for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else echo "chromium not installed and cannot install it here: browser tests will be skipped"; fi

clean:
	rm -rf $(VENV) demo-output .prefect .pytest_cache .mypy_cache .ruff_cache

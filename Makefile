# Snowledger's two entry points are `make demo` and `make test`; both create the
# virtual environment first, from the committed lock file, so a fresh machine needs
# nothing but Python 3.11 and access to PyPI.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export SNOWLEDGER_SOURCE_DB ?= $(CURDIR)/data/snowflake.duckdb
export SNOWLEDGER_TARGET_DB ?= $(CURDIR)/data/snowledger.duckdb

.PHONY: help env demo simulate build test lint pytest dbt-test fakesnow-test benchmark lock clean

help:  ## List the targets.
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.lock pyproject.toml
	@echo "==> creating $(VENV) from requirements.lock"
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --python $(PY) -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(PY) --no-deps -e .
	@touch $@

env: $(VENV)/.installed  ## Create the virtual environment (idempotent).

demo: env  ## Simulate an organisation, build the ledger on DuckDB, print a summary.
	$(BIN)/snowledger demo

simulate: env  ## Write a simulated Snowflake organisation to $SNOWLEDGER_SOURCE_DB.
	$(BIN)/snowledger simulate --output $(SNOWLEDGER_SOURCE_DB)

build: env  ## Run `dbt build` on the embedded default (DuckDB).
	$(BIN)/dbt build

test: env  ## Run the whole test gate: lint, pytest (incl. dbt build and fakesnow).
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/python -m pytest --durations=10

benchmark: env  ## Measure the simulator and the build at scale (see benchmarks/).
	$(BIN)/python benchmarks/build.py

lock:  ## Re-resolve requirements.lock from requirements.in.
	$(BIN)/uv pip compile -p 3.11 requirements.in -o requirements.lock

clean:  ## Remove build output and simulated data (keeps the environment).
	rm -rf target logs data/*.duckdb data/*.json

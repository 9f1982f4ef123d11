# tstui: `make run` (the TUI on the embedded simulator) and `make test` are all a newcomer needs.
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help setup run test lint format typecheck check bench clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv and install tstui with its dev tools

run: $(STAMP) ## Open the TUI on the embedded simulator (demo login, no account needed)
	$(BIN)/tstui --demo

test: $(STAMP) ## Run the test suite (simulator on loopback, no internet), one worker per core
	$(BIN)/pytest -n auto

lint: $(STAMP) ## ruff lint + format check + the import contracts (import-linter)
	$(BIN)/ruff check tstui tests bench
	$(BIN)/ruff format --check tstui tests bench
	$(BIN)/lint-imports --no-cache

format: $(STAMP) ## Format the code with ruff
	$(BIN)/ruff format tstui tests bench
	$(BIN)/ruff check --fix tstui tests bench

typecheck: $(STAMP) ## mypy --strict on the package
	$(BIN)/mypy

check: lint typecheck test ## Everything CI runs

bench: $(STAMP) ## Benchmarks: ratios and medians measured side by side in one run
	$(BIN)/python -m bench

clean: ## Remove the virtualenv and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

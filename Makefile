# hetsim — set-up is automatic: every target creates .venv (Python 3.12) and installs on first use.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCENARIO ?= status_quo
# Mesa >= 3.4 needs Python 3.12: take python3.12 from PATH, else pyenv's, else the system's.
PY312 := $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 \
	/usr/local/bin/python3.12 /usr/bin/python3.12; do \
	"$$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null \
	&& { echo "$$p"; break; }; done)
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1
export MKL_NUM_THREADS := 1

.PHONY: run test lint format bench claims clean

$(STAMP): pyproject.toml
	@test -n "$(PY312)" || { echo "Python 3.12 not found (install it, e.g. pyenv install 3.12)"; exit 1; }
	test -x $(BIN)/python || $(PY312) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: run the default scenario, write results/ and print a summary
run: $(STAMP)
	$(BIN)/hetsim run $(SCENARIO)

## test: lint and run the whole test suite
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_trainer.py
	$(BIN)/python benchmarks/bench_scale.py

## claims: run every claim with its ablation (20 seeds) and write docs/claims.md
claims: $(STAMP)
	$(BIN)/hetsim claims --seeds 20 --out docs/claims.md

clean:
	rm -rf $(VENV) results .pytest_cache .ruff_cache

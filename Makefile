# hetsim — set-up is automatic: every target creates .venv (Python 3.12) and installs on first use.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCENARIO ?= status_quo
# `make test` runs pytest on 2 processes where 2 cores are available (pytest-xdist;
# tests/conftest.py keeps the claims suite, the browser tests and each module whole), as on
# a CI machine. On a 2-core machine that others keep busy a second process finds no free core
# and costs ~25% more CPU (benchmarks/results.md): pass TEST_WORKERS=1 there.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ "$$n" -ge 2 ] && echo 2 || echo 1)
# Mesa >= 3.4 needs Python 3.12: take python3.12 from PATH, else pyenv's, else the system's.
PY312 := $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 \
	/usr/local/bin/python3.12 /usr/bin/python3.12; do \
	"$$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null \
	&& { echo "$$p"; break; }; done)
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1
export MKL_NUM_THREADS := 1

.PHONY: run ui test lint format typecheck bench claims figures clean FORCE

# The install is editable in setuptools' strict mode: a tree of links to the source files under
# build/, so editors, type checkers and other static tools resolve hetsim.simulation.model to
# simulation/model.py (the default mode maps the four folders with an import hook that static
# tools never run). A link tree holds the files that existed when it was made: it is remade
# whenever a module or scenario file is added or removed.
# Three stamps: $(RUNTIME) is what running hetsim needs (`make run`); $(UI) adds the browser UI
# (the `ui` extra, `make ui`); $(STAMP) adds the dev extras (tests, linters, type checker, and the
# UI for the browser tests), installed by the targets that use them.
# Strict mode always prints a notice that it made a link tree; it is silenced, nothing else.
SOURCES := $(shell git ls-files --cached --others --exclude-standard -- \
	hetsim simulation agents scenarios analysis 2>/dev/null | grep -E '\.(py|toml)$$' | sort)
LINKS := $(VENV)/.links
RUNTIME := $(VENV)/.runtime
UI := $(VENV)/.ui
# --no-compile: Python writes the bytecode of the modules hetsim imports when it first imports
# them; compiling every installed module up front (pip's default) adds ~200 MB never used.
EDITABLE := PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet \
	--no-compile
STRICT := --config-settings editable_mode=strict

$(RUNTIME): pyproject.toml
	@test -n "$(PY312)" || { echo "Python 3.12 not found (install it, e.g. pyenv install 3.12)"; exit 1; }
	test -x $(BIN)/python || $(PY312) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(EDITABLE) -e . $(STRICT)
	echo "$(SOURCES)" > $(LINKS)
	touch $(RUNTIME)

$(UI): $(RUNTIME)
	$(EDITABLE) -e '.[ui]' $(STRICT)
	echo "$(SOURCES)" > $(LINKS)
	touch $(UI)

$(STAMP): $(RUNTIME)
	$(EDITABLE) -e '.[dev]' $(STRICT)
	echo "$(SOURCES)" > $(LINKS)
	touch $(UI) $(STAMP)

$(LINKS).check: $(RUNTIME) FORCE
	@echo "$(SOURCES)" | cmp -s - $(LINKS) || { \
	  echo "source files added or removed: relinking the editable install"; \
	  $(EDITABLE) --no-deps -e . $(STRICT) \
	    && echo "$(SOURCES)" > $(LINKS); }

## run: run the default scenario, write results/ and print a summary (runtime install only)
run: $(LINKS).check
	$(BIN)/hetsim run $(SCENARIO)

## ui: serve the browser UI on http://127.0.0.1:8765/ (installs the ui extra first)
ui: $(UI) $(LINKS).check
	$(BIN)/hetsim ui

## test: lint and run the whole test suite (installs the dev extras first)
test: $(STAMP) $(LINKS).check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	MYPYPATH=$$(echo build/__editable__.hetsim-*) $(BIN)/mypy --python-executable $(BIN)/python
	$(BIN)/python -m pytest $(if $(filter-out 1,$(TEST_WORKERS)),-n $(TEST_WORKERS))

## typecheck: mypy over the packages (configured in pyproject.toml)
typecheck: $(STAMP) $(LINKS).check
	MYPYPATH=$$(echo build/__editable__.hetsim-*) $(BIN)/mypy --python-executable $(BIN)/python

lint: $(STAMP)
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# bench: the speed suite (benchmarks/README.md), written to benchmarks/latest.md; BASELINE=DIR (an
# earlier checkout with its own .venv) adds the before/after ratios of whole runs
bench: $(STAMP)
	$(BIN)/python benchmarks/suite.py $(if $(BASELINE),--baseline $(BASELINE))

## claims: run every claim with its ablation (20 seeds); write docs/claims.md and README's verdict table
claims: $(RUNTIME)
	nice -n 10 $(BIN)/hetsim claims --seeds 20 --out docs/claims.md --readme README.md

## figures: regenerate the tutorial's figures with the tutorial's own code (10 seeds × 40 steps)
figures: $(RUNTIME)
	nice -n 10 $(BIN)/python docs/make_tutorial_figures.py results/tutorial

clean:
	rm -rf $(VENV) results .pytest_cache .ruff_cache

# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench validate graph docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/calcinosis

# two workers per core (pytest-xdist): much of a test's time is spent waiting (Textual's
# pilot waits for the app to be idle after every key, and many tests wait for a process
# they started), and a second worker uses the core meanwhile; a worker that is done takes
# tests from a busy one. Another count: make test WORKERS=4.
# The tests start hundreds of Python processes: they read compiled bytecode, kept in
# .venv/pycache (never in the checkout), even where PYTHONDONTWRITEBYTECODE is set;
# otherwise each process compiles the package again (about 0.1 s each).
WORKERS ?= $(shell python3 -c 'import os; print(2 * (os.cpu_count() or 1))' 2>/dev/null || echo auto)
test: $(STAMP)
	PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX="$(CURDIR)/$(VENV)/pycache" \
		$(BIN)/python -m pytest -n $(WORKERS) --dist worksteal

validate: $(STAMP)
	$(BIN)/calcinosis validate

graph: $(STAMP)
	$(BIN)/calcinosis graph

# the data dictionary, generated from dialogs/, content/ and the contract
docs: $(STAMP)
	$(BIN)/calcinosis docs -o docs/answers.md

# every script runs (the "-"), each says whether its targets are met
bench: $(STAMP)
	-$(BIN)/python benchmarks/assess_speed.py
	-$(BIN)/python benchmarks/cli_speed.py
	-$(BIN)/python benchmarks/score_vignettes.py tests/vignettes
	-$(BIN)/python benchmarks/storage_speed.py
	-$(BIN)/python benchmarks/tui_speed.py
	-$(BIN)/python benchmarks/matching_speed.py
	-$(BIN)/python benchmarks/reading.py

# ruff and mypy are pinned in the test extra and configured in pyproject.toml
lint: $(STAMP)
	$(BIN)/ruff check chatbot tests benchmarks
	$(BIN)/ruff format --check chatbot tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build dist .pytest_cache

# Two commands on a fresh machine (Python 3.11+ and make):
#   make demo   set up .venv and audit the bundled demo clinic site
#   make test   set up .venv and run the linters and the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test lint format clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@# Bytecode ahead of time: a spot check must not compile ~120 modules when
	@# PYTHONDONTWRITEBYTECODE is set (an editable install compiles nothing itself).
	$(BIN)/python -m compileall -q src
	@touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/audit demo --config config.yaml

test: $(STAMP) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .ruff_cache

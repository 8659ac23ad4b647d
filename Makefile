# unspin — one command to set up and run the demo, one to run the tests.
#   make demo   create .venv, install unspin, analyse the bundled sample article
#   make test   install test tools and services (PostgreSQL, Chromium), run the whole test suite
#   make lint   ruff (lint + format check) and mypy
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip

.PHONY: setup setup-dev demo test lint fixtures services clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(PIP) install -q -e '.[all]'
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) install -q -e '.[all,train,dev]'
	touch $@

setup: $(VENV)/.installed

setup-dev: $(VENV)/.installed-dev

demo: setup
	$(BIN)/unspin analyze examples/sample.txt

services: setup-dev
	scripts/setup-services.sh

test: setup-dev services
	$(BIN)/python -m pytest -q

lint: setup-dev
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache

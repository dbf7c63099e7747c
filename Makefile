# Lantern: two commands on a fresh clone, `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-stamp

.PHONY: setup demo test test-fast lint docs clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $(STAMP)

demo: setup  ## a synthetic national world through the whole pipeline to the web app
	scripts/demo.sh

test: setup  ## the whole suite, SQLite and PostgreSQL, slow suites included
	scripts/test.sh

test-fast: setup  ## while iterating: skip the slow suites (Spark, browser, load)
	scripts/test.sh -m "not slow"

lint: setup
	$(VENV)/bin/ruff check lantern tests bench
	$(VENV)/bin/mypy lantern

docs: setup  ## regenerate the CLI reference in README.md
	$(VENV)/bin/python -m lantern.cli.reference --write README.md

clean:
	rm -rf lantern-data demo-world demo-run .pytest_cache .mypy_cache .ruff_cache

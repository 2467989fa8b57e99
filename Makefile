# The two commands a newcomer needs: `make run` and `make test`. Everything else is a step of them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV_VERSION := 0.9.5
# uv lives outside the work tree, so a fresh clone reuses it (and uv's own package cache).
TOOLS := $(HOME)/.cache/store-api/uv-$(UV_VERSION)
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help install services services-stop migrate run lint test diagrams bench clean

help:
	@echo "make run            install, start services, migrate, serve API + worker + beat on :8000"
	@echo "make test           install, start services, ruff + mypy + migrations check + pytest"
	@echo "make services       start PostgreSQL, Redis, Elasticsearch for this checkout"
	@echo "make services-stop  stop them"
	@echo "make diagrams       redraw the state-machine diagrams in docs/ from the code"
	@echo "make bench          search benchmark (BENCH_ARGS=\"--products 10000\"), writes docs/PERFORMANCE.md"

# uv itself is pinned and installed with pip; it then installs exactly what uv.lock says.
$(UV):
	@$(PYTHON) -m venv $(TOOLS) || { apt-get update -qq && apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(TOOLS); }
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: $(VENV)/.synced

services:
	@scripts/services.sh start

services-stop:
	@scripts/services.sh stop

migrate: install services
	$(BIN)/python manage.py migrate --noinput

run: migrate
	$(BIN)/honcho start -f Procfile

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/python manage.py makemigrations --check --dry-run

test: install services lint
	$(BIN)/pytest

diagrams: install
	@command -v dot >/dev/null || { apt-get update -qq && apt-get install -y -qq graphviz; }
	$(BIN)/python manage.py draw_state_machines

# Seeds, reindexes, starts the API and measures search; minutes, not a test.
BENCH_ARGS ?= --products 100000
bench: migrate
	$(BIN)/python bench/search.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

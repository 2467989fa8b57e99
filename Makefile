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

.PHONY: help install browser services services-stop migrate run lint test test-browser fuzz screenshots diagrams bench bench-setup bench-checkout bench-events bench-webhooks bench-storefront bench-startup load chaos clean bench-relevance

help:
	@echo "make run            install, start services, migrate, serve API + worker + beat on :8000"
	@echo "make test           install, start services, ruff + mypy + migrations check + pytest"
	@echo "                    (the storefront's tests run in headless Chromium, installed when missing)"
	@echo "make test-browser   only the storefront's browser tests"
	@echo "make screenshots    browser tests, then copy the home, search and suggestions screenshots to docs/"
	@echo "make fuzz           schemathesis with a long budget (FUZZ_MAX_EXAMPLES=100, FUZZ_SEED)"
	@echo "make services       start PostgreSQL, Redis, Elasticsearch for this checkout"
	@echo "make services-stop  stop them"
	@echo "make diagrams       redraw the state-machine diagrams in docs/ from the code"
	@echo "make bench          search benchmark (BENCH_ARGS=\"--products 10000\"), writes docs/PERFORMANCE.md"
	@echo "make bench-relevance judged queries: nDCG@10, success@1, zero results; writes docs/RELEVANCE.md"
	@echo "make bench-checkout checkout, current vs frozen baseline-21 (CHECKOUT_ARGS=\"--buyers 16 --seconds 20\")"
	@echo "make bench-events   event relay benchmark, Redis and Kafka (EVENTS_ARGS=\"--events 20000\")"
	@echo "make bench-webhooks webhook deliveries/s and commit-to-delivered lag (WEBHOOKS_ARGS=...)"
	@echo "make bench-storefront keystroke-to-results in Chromium on the bench catalog (STOREFRONT_ARGS=...)"
	@echo "make bench-startup  make run to a healthy API (warm), Ctrl-C to everything stopped"
	@echo "make load           locust, 32 shoppers on the 100k catalog, current vs frozen baseline-21, worker stopped"
	@echo "make chaos          faults: Elasticsearch, Redis, a worker killed mid-drain, a 3-node cluster losing a node"

# uv itself is pinned and installed with pip; it then installs exactly what uv.lock says.
$(UV):
	@$(PYTHON) -m venv $(TOOLS) || { scripts/services.sh apt-install python3-venv && $(PYTHON) -m venv $(TOOLS); }
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: $(VENV)/.synced

# Headless Chromium + chromedriver (Debian) and axe-core (npm, from package-lock.json).
browser:
	@scripts/browser.sh

services:
	@scripts/services.sh start

services-stop:
	@scripts/services.sh stop

migrate: install services
	$(BIN)/python manage.py migrate --noinput

# gunicorn (config/gunicorn.py, which migrates first and, on an empty database, seeds the demo
# catalog: SEED_DEMO_PRODUCTS, 3000; SEED_DEMO=0 to skip), a Celery worker and beat (Procfile)
# until Ctrl-C; PORT=8001 to move.
SEED_DEMO ?= 1
SEED_DEMO_PRODUCTS ?= 3000
run: install services
	@SEED_DEMO_PRODUCTS=$(if $(filter 0,$(SEED_DEMO)),0,$(SEED_DEMO_PRODUCTS)) \
	  $(BIN)/python scripts/run.py Procfile

# Django's deployment checks with the production settings (STORE_ENV=production, a throwaway
# strong key): clean, or silenced in config/settings.py with the reason (SILENCED_SYSTEM_CHECKS).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/python manage.py makemigrations --check --dry-run
	STORE_ENV=production SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

# The event tests need a real Kafka broker too.
test: export WITH_KAFKA = 1
test: install services browser lint
	$(BIN)/pytest

# The fuzz suite `make test` runs (tests/fuzz), with a long budget; then bench/fuzz_report.py
# writes docs/RELIABILITY.md's figures from this run's reports, passed or failed. The exit
# status is pytest's (or the report's, should pytest pass and the report fail).
FUZZ_MAX_EXAMPLES ?= 100
FUZZ_COMMAND = make fuzz$(if $(filter-out file default,$(origin FUZZ_MAX_EXAMPLES)), \
  FUZZ_MAX_EXAMPLES=$(FUZZ_MAX_EXAMPLES))$(if $(FUZZ_SEED), FUZZ_SEED=$(FUZZ_SEED))
fuzz: install services
	rm -f .fuzz/report-*.json .fuzz/schemathesis-*.txt .fuzz/schemathesis-*.toml
	started=$$(date +%s); \
	FUZZ_MAX_EXAMPLES=$(FUZZ_MAX_EXAMPLES) FUZZ_LOG_DIR=$(CURDIR)/.fuzz $(BIN)/pytest tests/fuzz -s; \
	status=$$?; \
	$(BIN)/python -m bench.fuzz_report $(CURDIR)/.fuzz --pytest-status $$status \
	  --seconds $$(( $$(date +%s) - started )) --command "$(FUZZ_COMMAND)" \
	  || { [ $$status -ne 0 ] || status=1; }; \
	exit $$status

test-browser: install services browser
	$(BIN)/pytest tests/browser

# The screenshots README shows come from the browser tests' own run.
screenshots: install services browser
	STOREFRONT_SCREENSHOTS=.screenshots $(BIN)/pytest tests/browser -q
	mkdir -p docs/screenshots
	cp .screenshots/home.png .screenshots/search.png .screenshots/suggestions.png \
	  .screenshots/search-controls.png .screenshots/search-1280.png .screenshots/search-390.png \
	  .screenshots/search-390-filters.png docs/screenshots/

diagrams: install
	@command -v dot >/dev/null || scripts/services.sh apt-install graphviz
	$(BIN)/python manage.py draw_state_machines

# Benchmarks run against a database, Redis db and index prefix of their own, never the
# development data: minutes each, not tests. Each rewrites its section of docs/PERFORMANCE.md.
BENCH_ENV = DATABASE_URL=postgres://store:store@127.0.0.1:$${PG_PORT:-55432}/store_bench \
	REDIS_URL=redis://127.0.0.1:$${REDIS_PORT:-56379}/5 ELASTICSEARCH_INDEX_PREFIX=bench
BENCH_ARGS ?= --products 100000
CHECKOUT_ARGS ?= --buyers 16 --seconds 20

bench-setup: install services
	@scripts/services.sh database store_bench
	$(BENCH_ENV) $(BIN)/python manage.py migrate --noinput -v 0

# Seeds, reindexes, starts the API and measures search.
bench: bench-setup
	$(BENCH_ENV) $(BIN)/python -m bench.search $(BENCH_ARGS)

# Hand-judged queries over the demo catalog (a database and index prefix of its own).
RELEVANCE_ARGS ?= --products 5000
bench-relevance: install services
	@scripts/services.sh database store_relevance
	DATABASE_URL=postgres://store:store@127.0.0.1:$${PG_PORT:-55432}/store_relevance \
	  REDIS_URL=redis://127.0.0.1:$${REDIS_PORT:-56379}/5 ELASTICSEARCH_INDEX_PREFIX=relevance \
	  $(BIN)/python -m bench.relevance $(RELEVANCE_ARGS)

# 16 concurrent buyers, the current code against the frozen baseline-21 (a git worktree under
# .bench/, its own database store_bench_base, Redis db 7, index prefix benchbase): bag reads
# and adds, orders/s and POST /api/orders/ latency, distinct and hot products, the psycopg
# floor, CPU per order by component.
bench-checkout: bench-setup
	$(BENCH_ENV) $(BIN)/python -m bench.checkout $(CHECKOUT_ARGS)

# Relay throughput and commit-to-published lag on Redis Streams and on Kafka.
EVENTS_ARGS ?= --events 20000 --orders 200
bench-events: export WITH_KAFKA = 1
bench-events: bench-setup
	$(BENCH_ENV) $(BIN)/python -m bench.events $(EVENTS_ARGS)

# Webhook deliveries to a local receiver, and their lag beside the stream relay's.
WEBHOOKS_ARGS ?= --deliveries 2000 --orders 200 --rate 10
bench-webhooks: bench-setup
	$(BENCH_ENV) $(BIN)/python -m bench.webhooks $(WEBHOOKS_ARGS)

# Time from a keystroke to updated results, in Chromium, on the bench catalog.
STOREFRONT_ARGS ?= --products 100000
bench-storefront: bench-setup browser
	$(BENCH_ENV) $(BIN)/python -m bench.storefront $(STOREFRONT_ARGS)

# `make run` to a healthy API, warm (services up), and Ctrl-C to everything stopped.
STARTUP_ARGS ?= --runs 3
bench-startup: install services
	$(BIN)/python -m bench.startup $(STARTUP_ARGS)

# Mixed workload at 32 shoppers with locust, the current code against the frozen baseline-21
# (each with its own catalog; the baseline's in store_bench_base, Redis db 7, prefix
# benchbase), then the current side with its Celery worker stopped for a third of the run.
LOAD_ARGS ?= --products 100000 --users 32 --seconds 120
load: bench-setup
	$(BENCH_ENV) $(BIN)/python -m bench.load $(LOAD_ARGS)

# Faults against the real services, each reported as writes made during the fault and writes
# visible after recovery: Elasticsearch stopped, Redis stopped, a worker killed mid-drain, a
# 3-node Elasticsearch cluster losing a node. A database, Redis db and prefix of their own.
CHAOS_ENV = DATABASE_URL=postgres://store:store@127.0.0.1:$${PG_PORT:-55432}/store_chaos \
	REDIS_URL=redis://127.0.0.1:$${REDIS_PORT:-56379}/6 ELASTICSEARCH_INDEX_PREFIX=chaos
CHAOS_ARGS ?= --products 20000
chaos: install services
	@scripts/services.sh database store_chaos
	$(CHAOS_ENV) $(BIN)/python manage.py migrate --noinput -v 0
	$(CHAOS_ENV) $(BIN)/python -m bench.chaos $(CHAOS_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache node_modules .screenshots

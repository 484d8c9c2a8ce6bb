# Two commands do everything: `make serve` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DATA_DIR ?= $(CURDIR)/data
GRAPHIQL_DIR := graphql_api/static/graphiql
export HOST PORT DATA_DIR

.PHONY: serve test lint format bench bench-dashboard bench-e2e bench-ingest bench-truth bench-scale bench-queues bench-identities schema assets mutation clean

# The environment: created when missing, reinstalled when pyproject.toml changes.
$(VENV): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is required") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lint,bench,s3]'
	touch $(VENV)

# GraphiQL's scripts and styles, taken from the npm registry at install time so the IDE works
# offline (Strawberry's bundled page loads them from a CDN).
assets: $(GRAPHIQL_DIR)/.complete
$(GRAPHIQL_DIR)/.complete: scripts/graphiql_assets.txt scripts/fetch_graphiql.py
	$(PYTHON) scripts/fetch_graphiql.py scripts/graphiql_assets.txt $(GRAPHIQL_DIR)

serve: $(VENV) assets
	$(BIN)/artifact-miner serve --host $(HOST) --port $(PORT)

lint: $(VENV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	# No function in mining/ above cyclomatic complexity 10: rule chains are tables (ARCHITECTURE.md).
	$(BIN)/lizard --languages python --CCN 10 --warnings_only mining

test: $(VENV) assets lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

format: $(VENV)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: $(VENV)
	$(BIN)/artifact-miner export-schema

bench: $(VENV)
	$(BIN)/python -m bench
	$(MAKE) bench-dashboard
	$(MAKE) bench-e2e

bench-dashboard: $(VENV)
	$(BIN)/python -m bench.dashboard_bench

bench-e2e: $(VENV)
	$(BIN)/python -m bench.e2e_bench

bench-ingest: $(VENV)
	$(BIN)/python -m bench.ingest_bench

# QUEUE=postgres: throughput with 1 vs 2 workers and enqueue-to-start latency (PostgreSQL:
# BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local server's postgres database).
bench-scale: $(VENV)
	$(BIN)/python -m bench.scale_bench

bench-queues: $(VENV)
	$(BIN)/python -m bench.queue_engines

bench-identities: $(VENV)
	$(BIN)/python -m bench.identities_bench

bench-truth: $(VENV)
	TRUTH_REPOS=$(TRUTH_REPOS) $(BIN)/python -m bench.truth_bench

# Mutation testing (mutmut) of the mining core and the ZIP extractor, each against the tests that
# cover it; not part of `make test` (slow). MUTATION=parse history analyze extract (default: all).
mutation: $(VENV)
	nice -n 15 $(BIN)/python scripts/mutation.py $(MUTATION)

clean:
	rm -rf $(VENV) $(GRAPHIQL_DIR) build *.egg-info

# Two commands do everything: `make serve` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DATA_DIR ?= $(CURDIR)/data
GRAPHIQL_DIR := graphql_api/static/graphiql
# The schema's checkers (graphql-schema-linter, graphql-codegen): npm packages at the exact
# versions of tools/graphql/package.json, installed without a lock file.
SCHEMA_TOOLS := tools/graphql
NODE_BIN := $(SCHEMA_TOOLS)/node_modules/.bin
export HOST PORT DATA_DIR

.PHONY: serve test lint lint-schema schema-tools format bench bench-dashboard bench-e2e bench-ingest bench-truth bench-scale bench-queues bench-identities schema assets mutation clean

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

lint: $(VENV) lint-schema
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	# No function in mining/ or graphql_api/ above cyclomatic complexity 10: rule chains are
	# tables, long functions small steps (ARCHITECTURE.md).
	$(BIN)/lizard --languages python --CCN 10 --warnings_only mining graphql_api

# Every rule of graphql-schema-linter (the list in tools/graphql/package.json) on the committed
# schema. A new type, field, argument or enum value without a description fails here: give it
# one (description= in Strawberry), then `make schema`.
lint-schema: schema-tools
	$(NODE_BIN)/graphql-schema-linter --config-directory $(SCHEMA_TOOLS) schema.graphql

schema-tools: $(SCHEMA_TOOLS)/node_modules/.installed
$(SCHEMA_TOOLS)/node_modules/.installed: $(SCHEMA_TOOLS)/package.json
	@command -v npm >/dev/null || { echo "npm (Node.js) is required: the schema checks run graphql-schema-linter and graphql-codegen" >&2; exit 1; }
	cd $(SCHEMA_TOOLS) && npm install --no-package-lock --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

test: $(VENV) assets lint schema-tools
	$(BIN)/python -m pytest $(PYTEST_ARGS)

format: $(VENV)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: $(VENV)
	$(BIN)/artifact-miner export-schema
	$(MAKE) --no-print-directory lint-schema

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
	rm -rf $(VENV) $(GRAPHIQL_DIR) $(SCHEMA_TOOLS)/node_modules build *.egg-info

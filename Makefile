# Valet: `make run` serves the API on :8090; `make test` runs lint and every test suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint unit postgres rabbitmq bench-test bench clean
BENCH_STAMP := $(VENV)/.installed-bench

$(STAMP): setup.cfg setup.py pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

# The API on 0.0.0.0:8090 (etc/valet/valet.conf: SQLite under ./state, the local
# engine, etc/valet/inventory.yaml); valet-api upgrades the schema first. Ctrl-C stops it.
run: $(STAMP)
	mkdir -p state
	$(BIN)/valet-api --config-file etc/valet/valet.conf

$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[test,bench]'
	touch $(BENCH_STAMP)

lint: $(STAMP)
	$(BIN)/ruff check ostro valet_api valet_openstack tests benchmarks

unit: $(STAMP)
	$(BIN)/pytest tests/unit tests/api

# The store against a real PostgreSQL server the tests start themselves
# (needs the server binaries: /usr/lib/postgresql/*/bin; .ci/run installs them).
postgres: $(STAMP)
	$(BIN)/pytest tests/postgres

# [engine] mode = rpc over a real RabbitMQ broker the tests start themselves
# (needs rabbitmq-server: /usr/lib/rabbitmq/bin; .ci/run installs it).
rabbitmq: $(STAMP)
	$(BIN)/pytest tests/rabbitmq

# The Nova baseline runs real nova classes: its own pytest process, and a
# smoke run of every benchmark suite at small sizes (figures are not checked).
bench-test: $(BENCH_STAMP)
	$(BIN)/pytest tests/bench
	$(BIN)/valet-sim bench --quick --output $$(mktemp -d)

test: lint unit postgres rabbitmq bench-test

bench: $(BENCH_STAMP)
	$(BIN)/valet-sim bench --output doc/benchmarks

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache .hypothesis

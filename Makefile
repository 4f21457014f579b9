# Valet: `make run` plans the example stack; `make test` runs lint and every test suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint unit bench clean

$(STAMP): setup.cfg setup.py pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/valet-sim place --inventory etc/valet/inventory.yaml \
		--resources etc/valet/examples/stack.json --groups etc/valet/examples/groups.yaml

lint: $(STAMP)
	$(BIN)/ruff check ostro valet_api valet_openstack tests benchmarks

unit: $(STAMP)
	$(BIN)/pytest tests/unit

test: lint unit

bench: $(STAMP)
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/valet-sim bench --output doc/benchmarks

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache .hypothesis

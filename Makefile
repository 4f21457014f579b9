# Valet: `make run` serves the API on :8090; `make test` runs lint and every test suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint unit postgres keystone rabbitmq nova-func cinder-func nova policy-sample bench-test bench clean
.PHONY: heat cinder system-packages deploy daemon
BENCH_STAMP := $(VENV)/.installed-bench
HEAT_STAMP := $(VENV)/.installed-heat
CINDER_STAMP := $(VENV)/.installed-cinder
# Keystone for the auth tests lives in its own venv: its pins never touch .venv.
KEYSTONE_VENV ?= .venv-keystone
KEYSTONE_STAMP := $(KEYSTONE_VENV)/.installed

# NOTE: an existing venv is kept (tox's, for one: tox.ini runs `make test VENV=...`).
$(STAMP): setup.cfg setup.py pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

# The API on 127.0.0.1:8090 (etc/valet/valet.conf: SQLite under ./state, the local
# engine, etc/valet/inventory.yaml); valet-api upgrades the schema first. Ctrl-C stops it.
run: $(STAMP)
	mkdir -p state
	$(BIN)/valet-api --config-file etc/valet/valet.conf

$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[test,bench]'
	touch $(BENCH_STAMP)

# etc/valet/valet.conf.sample from the options in the code (and oslo.log's);
# tests/unit/test_config_sample.py fails while the committed one is stale.
.PHONY: config-sample
config-sample: $(STAMP)
	$(BIN)/oslo-config-generator --config-file etc/valet/valet-config-generator.conf

lint: $(STAMP)
	$(BIN)/ruff check ostro valet_api valet_openstack tests benchmarks

unit: $(STAMP)
	$(BIN)/pytest tests/unit tests/api

# valet and openstack valet as real processes against real valet-api processes
# (noauth); `make keystone` runs them through a real Keystone as well.
.PHONY: cli
cli: $(STAMP)
	$(BIN)/pytest tests/cli

# The store against a real PostgreSQL server the tests start themselves
# (needs the server binaries: /usr/lib/postgresql/*/bin; .ci/run installs them).
postgres: $(STAMP)
	$(BIN)/pytest tests/postgres

$(KEYSTONE_STAMP):
	$(PYTHON) -m venv $(KEYSTONE_VENV)
	$(KEYSTONE_VENV)/bin/pip install -q 'keystone>=30' 'gunicorn>=21'
	touch $(KEYSTONE_STAMP)

# valet-api in keystone mode against a real Keystone the tests start
# (SQLite, gunicorn on 127.0.0.1): its own pytest process, one Keystone.
keystone: $(STAMP) $(KEYSTONE_STAMP)
	VALET_KEYSTONE_VENV=$(KEYSTONE_VENV) $(BIN)/pytest tests/keystone

# The policy defaults as a commented YAML file (tests/api/test_policy_sample.py
# fails when the committed one differs from what this writes now).
policy-sample: $(STAMP)
	$(BIN)/oslopolicy-sample-generator --namespace valet --output-file etc/valet/policy.yaml.sample

# [engine] mode = rpc over a real RabbitMQ broker the tests start themselves
# (needs rabbitmq-server: /usr/lib/rabbitmq/bin; .ci/run installs it).
rabbitmq: $(STAMP)
	$(BIN)/pytest tests/rabbitmq

NOVA_STAMP := $(VENV)/.installed-nova
$(NOVA_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[test,nova]'
	touch $(NOVA_STAMP)

# The nova inventory driver and reconciliation against a real in-process Nova
# (nova's functional test base, fake computes): its own pytest process.
nova-func: $(NOVA_STAMP)
	$(BIN)/pytest -p no:warnings tests/nova_func

# The nova driver's Cinder reader against a real in-process Cinder (cinder's
# functional test base: API on 127.0.0.1, scheduler, volume services with a
# fake driver): its own pytest process, like nova-func.
cinder-func: $(CINDER_STAMP)
	$(BIN)/pytest -p no:warnings -o faulthandler_timeout=120 tests/cinder_func

# The Nova baseline runs real nova classes: its own pytest process, and a
# smoke run of every benchmark suite at small sizes (figures are not checked).
bench-test: $(BENCH_STAMP)
	$(BIN)/pytest tests/bench
	$(BIN)/valet-sim bench --quick --output $$(mktemp -d)

$(HEAT_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[test,heat]'
	touch $(HEAT_STAMP)

$(CINDER_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[test,cinder]'
	touch $(CINDER_STAMP)

# Valet's Heat plugins inside a real in-process heat engine (legacy and
# convergence) against a real valet-api: heat's test base must not share a
# pytest process with nova's or cinder's (RECIPES §2).
heat: $(HEAT_STAMP)
	HOME=$$(mktemp -d) $(BIN)/pytest tests/heat

# Cinder's ValetFilter through cinder's own filter handler, real valet-api.
cinder: $(CINDER_STAMP)
	$(BIN)/pytest tests/cinder

# ValetFilter inside a real in-process nova (fake computes) and a real
# valet-api: nova's test base needs a pytest process of its own.
nova: $(NOVA_STAMP)
	$(BIN)/pytest tests/nova

# The Debian packages the suites run for real (PostgreSQL, RabbitMQ, Apache with
# mod_wsgi, nginx, uwsgi, systemd-analyze, logrotate, Debian's python3-venv):
# installed when missing (as root), else a message naming them.
system-packages:
	tools/debian-packages

# The engine service as a real process (valet-engine; no broker needed).
daemon: $(STAMP)
	$(BIN)/pytest tests/daemon

# The wheel installed into a venv of Debian's python3 (the one mod_wsgi and
# uwsgi's python3 plugin embed), then the deployment samples with the real
# apache2, nginx, uwsgi, systemd-analyze and logrotate.
# NOTE: outside the checkout, whose parents (e.g. /root) the valet user the
# servers run as may not be allowed to enter; one per checkout.
DEPLOY_VENV ?= /var/tmp/valet-deploy-$(shell printf %s '$(CURDIR)' | md5sum | cut -c1-8)
deploy: $(STAMP) system-packages
	tools/build-deploy-venv $(DEPLOY_VENV)
	VALET_DEPLOY_VENV=$(abspath $(DEPLOY_VENV)) $(BIN)/pytest tests/deploy

test: system-packages lint unit cli postgres keystone rabbitmq daemon browser nova-func cinder-func nova heat cinder deploy bench-test

BROWSER_STAMP := $(VENV)/.installed-browser
$(BROWSER_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[test,browser]'
	touch $(BROWSER_STAMP)

# The dashboard in a real headless Chromium (Debian's /usr/bin/chromium, from
# system-packages; Playwright never downloads a browser) against real valet-api
# processes; it rewrites doc/images/dashboard*.png.
.PHONY: browser
browser: $(BROWSER_STAMP) system-packages
	$(BIN)/pytest tests/browser

bench: $(BENCH_STAMP)
	$(BIN)/valet-sim bench --output doc/benchmarks

clean:
	rm -rf $(VENV) $(KEYSTONE_VENV) $(DEPLOY_VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis

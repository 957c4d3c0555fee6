# Every target sets itself up: a virtualenv from the pinned requirements, the pinned CDK CLI
# from package-lock.json, and (for the integration suite) MariaDB from Debian's packages.
# Usage: make synth [ARGS="-c profile=prod -c region=eu-west-1"], make test, make help.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SERVER_VENV := .venv-server
CDK := node_modules/.bin/cdk
ARGS ?=
# make local: the state directory, and fixed ports instead of free ones (PORT=5000).
LOCAL_DIR ?= .local
PORT ?=
DB_PORT ?=
S3_PORT ?=

# jsii prints a large banner on Node 20 on every run; the CLI's version check and notices
# would reach for the network.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_VERSION_CHECK := 1

.PHONY: help deps synth test unit integration integration-deps server-venv previous-venvs lint \
        bench bench-synth bench-server bench-runs bench-retention bench-cold-start cost-diff clean local local-stop local-screenshot

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s "$$(printf '\t')"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The tracking server's own pinned requirements (the file the Dockerfile installs), in a
# virtualenv of their own so the integration suite runs exactly what the image runs.
$(SERVER_VENV)/.installed: container/requirements.txt
	test -x $(SERVER_VENV)/bin/python || $(PYTHON) -m venv $(SERVER_VENV)
	$(SERVER_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r container/requirements.txt
	touch $@

deps: $(VENV)/.installed node_modules/.installed ## set up .venv and the pinned CDK CLI

server-venv: $(SERVER_VENV)/.installed ## set up .venv-server from container/requirements.txt

# The upgrade matrix's previous MLflow releases (tests/integration/requirements-previous*.txt),
# each in a virtualenv of its own; the harness installs them (a no-op when its stamp matches).
previous-venvs: deps ## set up .venv-server-prev and .venv-server-prev2 (the upgrade matrix's previous releases)
	$(PY) -c 'import sys; sys.path.insert(0, "tests/integration"); import harness; \
	    [print(harness.previous_release_python(r)) for r in harness.PREVIOUS_RELEASES]'

integration-deps: ## install MariaDB from Debian's packages if it is missing
	@bash tests/integration/install-deps.sh

local: deps server-venv ## try MLflow on this machine: the production server on MariaDB + an S3 stand-in, until Ctrl-C
	@bash tests/integration/install-deps.sh mariadb
	$(PY) tests/integration/local.py run --dir "$(LOCAL_DIR)" $(if $(PORT),--port "$(PORT)") \
	    $(if $(DB_PORT),--db-port "$(DB_PORT)") $(if $(S3_PORT),--s3-port "$(S3_PORT)")

local-stop: ## stop `make local` (from another terminal): no process or directory of it is left
	@if [ -x $(PY) ]; then $(PY) tests/integration/local.py stop --dir "$(LOCAL_DIR)"; \
	else echo "make local-stop: nothing to stop ($(PY) is missing)"; fi

local-screenshot: deps server-venv integration-deps ## refresh docs/img/local-ui.png and run-costs.png from the browser tests of `make local`
	LOCAL_UI_SCREENSHOT=$(CURDIR)/docs/img/local-ui.png \
	RUN_COSTS_SCREENSHOT=$(CURDIR)/docs/img/run-costs.png $(PY) -m pytest \
	    tests/integration/test_local.py -k browser $(PYTEST_ARGS)

synth: deps ## synthesize the app offline; prints the cost summary, writes cdk.out/
	$(CDK) synth --quiet --no-notices $(ARGS)

unit: deps ## the fast tests (no integration suite, no whole-app synths or CLI subprocesses)
	$(PY) -m pytest tests --ignore=tests/integration -m "not slow" $(PYTEST_ARGS)

integration: deps server-venv previous-venvs integration-deps ## the integration suite alone (MariaDB + moto + the container entrypoint)
	$(PY) -m pytest tests/integration $(PYTEST_ARGS)

test: deps server-venv previous-venvs integration-deps ## the whole test suite, integration tests included
	$(PY) -m pytest tests $(PYTEST_ARGS)

lint: deps ## ruff and mypy
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

bench: bench-synth ## all cost-engine benchmarks

bench-synth: deps ## synth with and without the cost estimate, on the app and on a generated 1,000+ resource app
	$(PY) benchmarks/synth_bench.py

bench-server: deps server-venv integration-deps ## tuned vs stock MLflow server under load on local stand-ins
	$(PY) benchmarks/server_bench.py

bench-runs: deps server-venv integration-deps ## `cost runs` on 100,000 runs of the local server: runs/s and peak memory (ARGS="--runs N")
	$(PY) benchmarks/runs_bench.py $(ARGS)

bench-retention: deps server-venv integration-deps ## `cost retention` plan and apply (MLflow gc) on 15,000 runs of the local server (ARGS="--runs N")
	$(PY) benchmarks/retention_bench.py $(ARGS)

bench-cold-start: deps server-venv integration-deps ## tracking server task start to healthy (office hours scale up from zero every morning)
	$(PY) benchmarks/cold_start.py $(ARGS)

# CI passes its values as the shell variables COST_DIFF_BASE / COST_DIFF_ARGS: make would expand
# `$(shell ...)` in a make variable given on the command line, the shell only expands `$$`.
cost-diff: deps ## cost difference between BASE (a git ref, default origin/main or main) and the working tree
	PYTHONPATH=. $(PY) .ci/cost_diff.py --base "$${COST_DIFF_BASE:-$(or $(BASE),main)}" -- $(ARGS) $${COST_DIFF_ARGS:-}

clean: ## remove build output (keeps the virtualenvs)
	rm -rf cdk.out .pytest_cache .integration .bench

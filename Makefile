# ServicePro — `make run` starts everything on the embedded default; `make test` runs the whole
# suite. Both set themselves up from a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := run

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
TOOLS := .tools
BUN_VERSION := 1.4.5
PORT ?= 3000

export PATH := $(CURDIR)/$(TOOLS)/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)
export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := false
export PYTHONUNBUFFERED := 1

.PHONY: run run-prod test test-unit test-postgres test-e2e setup services chromium bench clean-data

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(TOOLS)/node_modules/.bin/bun:
	npm install --prefix $(TOOLS) --no-audit --no-fund --loglevel=error bun@$(BUN_VERSION)

setup: $(VENV)/.installed $(TOOLS)/node_modules/.bin/bun

# Migrations and demo data (idempotent), then the Huey worker beside `reflex run`.
run: setup
	$(PY) -m backend.cli migrate
	@$(PY) -m backend.cli seed-demo
	@echo ""
	@echo "  ServicePro is starting at http://localhost:3000  (sign in with a demo login above)"
	@echo ""
	@mkdir -p data; trap 'kill 0' EXIT INT TERM; \
	  export REFLEX_HOT_RELOAD_EXCLUDE_PATHS=$(CURDIR)/data; \
	  $(VENV)/bin/huey_consumer backend.jobs.worker.huey -k thread -w 4 -q & \
	  $(VENV)/bin/reflex run

# Production mode: compiled frontend and backend on one port.
run-prod: setup
	$(PY) -m backend.cli migrate
	@$(PY) -m backend.cli seed-demo
	@echo "  ServicePro (prod mode) at http://localhost:$(PORT)"
	@trap 'kill 0' EXIT INT TERM; \
	  export SERVICEPRO_PUBLIC_URL=$${SERVICEPRO_PUBLIC_URL:-http://localhost:$(PORT)}; \
	  export SERVICEPRO_API_URL=$${SERVICEPRO_API_URL:-$$SERVICEPRO_PUBLIC_URL}; \
	  $(VENV)/bin/huey_consumer backend.jobs.worker.huey -k thread -w 4 -q & \
	  $(VENV)/bin/reflex run --env prod --single-port --frontend-port $(PORT)

services:
	@bash scripts/ensure-services.sh

chromium:
	@bash scripts/ensure-chromium.sh

test: setup services chromium
	$(MAKE) --no-print-directory test-unit test-postgres test-e2e

test-unit: setup
	$(PY) -m pytest tests/unit tests/integration tests/isolation tests/agent_eval -q

test-postgres: setup services
	TEST_DB=postgres $(PY) -m pytest tests/integration tests/isolation -q

test-e2e: setup chromium
	$(PY) -m pytest tests/e2e -q

bench: setup services
	$(PY) benchmarks/isolation_overhead.py

clean-data:
	rm -rf data

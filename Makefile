# seqmarket: every target does its own set-up, and every target is safe to run twice.
#   make round   run one full sealed-bid market round on a local chain (anvil, or eth-tester without it)
#                (MECHANISM=lottery: lottery rounds for the three price curves; options in ROUND_ARGS)
#   make test    lint, type-check, fuzz and analyse the contracts, and run the whole test suite
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(CURDIR)/node_modules/.bin:$(PATH)
# Ape keeps its data (compiler caches, accounts) inside the project so runs don't depend on ~/.ape.
export APE_DATA_FOLDER ?= $(CURDIR)/.cache/ape

ROUND_ARGS ?=
MECHANISM ?= sealed
NETWORK ?= $(shell test -x $(BIN)/anvil && echo ethereum:local:foundry || echo ethereum:local:test)

.PHONY: setup round deploy test lint fuzz slither compile clean help

help:
	@sed -n '1,4p' Makefile | sed 's/^# \{0,1\}//'

setup: $(VENV)/.installed node_modules/.installed $(BIN)/anvil
	@$(BIN)/python toolchain/register_solc.py

$(VENV)/.installed: pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	@echo "installing Python packages into $(VENV) (first run takes a few minutes)..."
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $@

node_modules/.installed: package.json package-lock.json
	@echo "installing solc-js, anvil and forge from npm..."
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# ape-foundry looks for `anvil` on PATH; link the real binary (not npm's node wrapper) so ape can
# stop it cleanly.
# slither-analyzer installs solc-select, whose `solc` shim downloads compilers (unreachable here, so it
# hangs); point `solc` at the offline adapter instead, for anything that runs `solc` from PATH.
$(BIN)/anvil: node_modules/.installed $(VENV)/.installed
	@for tool in anvil forge; do \
	  real=$$(ls node_modules/@foundry-rs/$$tool-*/bin/$$tool 2>/dev/null | head -n1); \
	  if [ -n "$$real" ]; then ln -sf "$(CURDIR)/$$real" $(BIN)/$$tool; \
	  else echo "warning: no $$tool binary for this platform; using eth-tester"; fi; \
	done
	@ln -sf "$(CURDIR)/toolchain/solc-adapter.js" $(BIN)/solc
	@touch -c $@

compile: setup
	@$(BIN)/ape compile

round: setup
	@$(BIN)/ape run round --mechanism $(MECHANISM) --network $(NETWORK) $(ROUND_ARGS)

deploy: setup
	@$(BIN)/ape run deploy --network $(NETWORK)

lint: setup
	@$(BIN)/ruff check seqmarket scripts tests
	@$(BIN)/ruff format --check seqmarket scripts tests
	@$(BIN)/mypy

# Fuzz and invariant tests of the contracts (tests/forge, settings in foundry.toml).
fuzz: setup
	@forge test $(FORGE_ARGS)

# Static analysis of contracts/ (exclusions: slither.config.json, reasons: README). slither drives
# `forge build` after a `forge clean`: give it its own output folders so the fuzz build cache survives.
slither: setup
	@FOUNDRY_OUT=.cache/forge/slither/out FOUNDRY_CACHE_PATH=.cache/forge/slither/cache $(BIN)/slither .

test: lint fuzz slither
	@$(BIN)/ape test tests $(TEST_ARGS)

clean:
	rm -rf $(VENV) node_modules .build .cache

# Clearing benchmark (issue 4): engine vs plain scipy MILP on CATS instances, checked against SCIP.
# Takes about an hour on 2 cores; results and table go to benchmarks/results/ (see benchmarks/README.md).
BENCH_ARGS ?=
.PHONY: bench-clearing
bench-clearing: setup
	@$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,bench]"
	@$(BIN)/python benchmarks/clearing.py --out benchmarks/results/clearing.json $(BENCH_ARGS)

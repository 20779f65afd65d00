# seqmarket: every target does its own set-up, and every target is safe to run twice.
# Set-up keeps its state inside this checkout (.venv/, node_modules/, .cache/); `make clean` removes it.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3.11
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(CURDIR)/node_modules/.bin:$(PATH)

ROUND_ARGS ?=
MECHANISM ?= sealed
# make chain and make deploy: the persistent local testnet and a market on it (seqmarket chain / deploy).
CHAIN_ARGS ?=
MARKET ?= $(MECHANISM)
DEPLOY_ARGS ?=
NETWORK ?= $(shell test -x $(BIN)/anvil && echo ethereum:local:foundry || echo ethereum:local:test)

# A .venv made by another Python (the project needs 3.11) is rebuilt rather than kept failing.
ifneq ($(wildcard $(BIN)/python),)
ifneq ($(shell $(BIN)/python -c 'import sys; print(sys.version_info[:2] == (3, 11))' 2>/dev/null),True)
$(info .venv was made with $(shell $(BIN)/python --version 2>&1); seqmarket needs Python 3.11: rebuilding .venv)
$(shell rm -rf $(VENV))
endif
endif

.PHONY: help setup chain round arena deploy test lint fuzz fuzz-long slither compile clean bench-clearing soak

help: ## list the targets
	@awk -F':.*## ' '/^[a-z-]+:.*## / {printf "  make %-15s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo "  Options: CHAIN_ARGS=\"...\" for chain (seqmarket chain --help: --port, --fresh, --block-time),"
	@echo "           MARKET=sealed|lottery and DEPLOY_ARGS=\"...\" for deploy (seqmarket deploy MARKET --help),"
	@echo "           MECHANISM=sealed|lottery and ROUND_ARGS=\"...\" for round (ape run round --help),"
	@echo "           MECHANISM and ARENA_ARGS=\"...\" for arena (ape run arena --help, --list),"
	@echo "           FORGE_ARGS for fuzz and fuzz-long, TEST_ARGS for test, BENCH_ARGS for bench-clearing."

setup: $(VENV)/.installed node_modules/.installed $(BIN)/anvil ## install everything into this checkout (done by every target)
	@$(BIN)/python toolchain/checkout_env.py
	@$(BIN)/python toolchain/register_solc.py

$(VENV)/.installed: pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "seqmarket needs Python 3.11: install it, or run make PYTHON=/path/to/python3.11" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing Python packages into $(VENV) (first run: a few minutes; log in .cache/pip.log)"
	@mkdir -p .cache
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --progress-bar off -c constraints.txt -e ".[dev]" 2>&1 \
	  | tee .cache/pip.log | { grep --line-buffered -E '^(Collecting|Requirement already satisfied|Installing collected)' || true; } \
	  | awk -v tty=$$([ -t 1 ] && echo 1) '/^(Collecting|Requirement already satisfied)/ {n++; if (tty) {printf "\r  %d packages resolved", n; fflush()}} \
	      /^Installing/ {printf "%s  %d packages resolved, installing...\n", (tty ? "\r" : ""), n; fflush()}' \
	  || { echo; tail -n 20 .cache/pip.log >&2; exit 1; }
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

compile: setup ## compile the contracts with ape
	@$(BIN)/ape compile

round: setup ## the round job: a full market round on a local chain (MECHANISM=lottery, ROUND_ARGS)
	@$(BIN)/ape run round --mechanism $(MECHANISM) --network $(NETWORK) $(ROUND_ARGS)

# The arena's default cast: honest bidders against a ladder, a walk-away, a copycat and a shill rollup,
# with a malicious operator and a watcher (sealed), or the lottery's attackers. ARENA_ARGS replaces it.
ARENA_SEALED ?= --bidder honest:3 --bidder ladder --bidder walk-away --bidder copycat --rollup shill:R0 --operator malicious-operator --keeper watcher
ARENA_LOTTERY ?= --bidder honest-buyer:3 --bidder sniper --bidder pumper --rollup lottery-shill:R1 --keeper draw-chooser
ARENA_ARGS ?= $(if $(filter lottery,$(MECHANISM)),$(ARENA_LOTTERY),$(ARENA_SEALED))
arena: setup ## adversarial strategies against a market on a local chain (MECHANISM, ARENA_ARGS)
	@$(BIN)/ape run arena --mechanism $(MECHANISM) --network $(NETWORK) $(ARENA_ARGS)

# The local testnet runs in the foreground until Ctrl-C, its state kept in .cache/chain/ across restarts.
chain: setup ## a local testnet that keeps its state across restarts, on 127.0.0.1:8545 (CHAIN_ARGS)
	@$(BIN)/seqmarket chain $(CHAIN_ARGS)

# Deploys on the running `make chain` and records the market in deployments/31337.json, which every
# other `seqmarket` command reads. Other networks: seqmarket deploy ... --network CHOICE --account ALIAS.
deploy: setup ## deploy a market on the running `make chain` (MARKET=sealed|lottery, DEPLOY_ARGS)
	@$(BIN)/seqmarket deploy $(MARKET) $(DEPLOY_ARGS)

lint: setup ## ruff and mypy
	@$(BIN)/ruff check seqmarket scripts tests benchmarks toolchain docs
	@$(BIN)/ruff format --check seqmarket scripts tests benchmarks toolchain docs
	@$(BIN)/mypy

soak: setup ## 50 consecutive rounds, 20 bidders, settled by the operator service (SOAK_ARGS)
	@$(BIN)/seqmarket soak $(SOAK_ARGS)

fuzz: setup ## forge fuzz and invariant tests of the contracts (FORGE_ARGS)
	@forge test --show-progress $(FORGE_ARGS)

# The invariant campaigns at 1,000 runs x depth 50 (foundry.toml's [profile.long]): about eight minutes on 2
# cores, too long for CI, which runs fewer, deeper runs (see foundry.toml for both figures).
fuzz-long: setup ## the invariant campaigns at 1,000 runs x depth 50, outside CI (FORGE_ARGS)
	@FOUNDRY_PROFILE=long forge test --show-progress --match-path 'tests/forge/invariant/*' $(FORGE_ARGS)

# Static analysis of contracts/ (exclusions: slither.config.json, reasons: README). slither drives
# `forge build` after a `forge clean`: give it its own output folders so the fuzz build cache survives.
slither: setup ## slither static analysis of the contracts
	@FOUNDRY_OUT=.cache/forge/slither/out FOUNDRY_CACHE_PATH=.cache/forge/slither/cache $(BIN)/slither .

# Tests that drive real processes (anvil, `seqmarket chain`, the operator service) and mostly wait on them.
E2E_TESTS := tests/operator/test_service.py tests/cli/test_agents.py tests/cli/test_testnet.py \
  tests/rounds/test_arena.py tests/jobs

# Three stages at once (stages.sh's "&"): the forge campaigns and the end-to-end tests run in the background
# beside the rest of pytest. Forge keeps the cores busy, pytest mostly one, the end-to-end tests mostly wait;
# the contracts are compiled first so the two pytest sessions do not both compile them.
test: setup ## everything CI runs: lint, slither, forge fuzz and the pytest suite (stages timed)
	@toolchain/stages.sh \
	  lint "$(MAKE) --no-print-directory lint" \
	  slither "$(MAKE) --no-print-directory slither" \
	  compile "$(BIN)/ape compile" \
	  "&fuzz" "forge test $(FORGE_ARGS)" \
	  "&e2e" "$(BIN)/ape test $(E2E_TESTS) --basetemp .cache/pytest-e2e $(TEST_ARGS)" \
	  pytest "$(BIN)/ape test tests $(addprefix --ignore=,$(E2E_TESTS)) $(TEST_ARGS)"

clean: ## remove everything set-up made in this checkout
	rm -rf $(VENV) node_modules .build .cache build dist

# Clearing benchmark: engine vs plain scipy MILP (HiGHS, mip_rel_gap=0) on instances of the CATS
# generator's distributions at two magnitudes (CATS prices x 1e6, and wei), checked against SCIP.
# About an hour and a half on 2 cores; BENCH_ARGS=--quick for a few-minute smoke run. Results and table
# go to benchmarks/results/ (see benchmarks/README.md).
BENCH_ARGS ?=
bench-clearing: setup ## the clearing benchmark (~1.5 h; BENCH_ARGS=--quick: minutes)
	@$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,bench]"
	@$(BIN)/python benchmarks/clearing.py --out benchmarks/results/clearing.json $(BENCH_ARGS)

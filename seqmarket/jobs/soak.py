"""The soak: many consecutive sealed-bid rounds, 20 bidders of mixed arena strategies, on a persistent local
testnet, settled by the operator service alone (`seqmarket operator`, its own process), then checked.

What it does: start a testnet (`seqmarket chain`, its state on disk) on a free loopback port, deploy a VCG
market and write its deployment file, start the operator on it, then for every round send the seats'
commits (the round taking bids) and the previous round's reveals, as each seat's strategy decides
(seqmarket.agents.strategies; adversarial ones included: some never open a bid, some copy others'
commitments). A pacer mines a block every ``pace`` seconds besides the blocks transactions make. Nobody but
the operator proposes, claims, finalizes or releases. At the end: every round with bids finalized, every
bidder released, no forfeit left undistributed, and the market's balance equal to what it owes everyone, to
the wei; the report gives rounds per minute and the operator's latencies and counters.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ape import chain

from seqmarket.chain.client import CHECKOUT
from seqmarket.chain.config import SealedBidConfig
from seqmarket.chain.connection import Endpoint, connected, local_account
from seqmarket.chain.deployment import deploy, record
from seqmarket.chain.sealed_bid_client import SealedBidClient
from seqmarket.chain.testnet import block_number, check_port_free, rpc_call
from seqmarket.errors import ChainUnavailable, RoundCheckFailed
from seqmarket.jobs.bidders import Bidders, seats, wait_for
from seqmarket.operator.store import Stats, Store
from seqmarket.protocol.rules import PaymentRule
from seqmarket.protocol.schedule import Phase

#: The seats' strategies: 20 bidders, mostly honest, some adversarial (arena strategies): ladders commit
#: several rungs and open one, walk-aways never open their largest bid (both forfeit locks).
MIX = (("honest", 9), ("shaded", 5), ("ladder", 4), ("walk-away", 2))
#: Test accounts: the deployer, the operator, the rollups' payouts, then the bidders.
DEPLOYER, OPERATOR, FIRST_PAYOUT, FIRST_BIDDER = 0, 1, 2, 10


@dataclass(frozen=True)
class SoakConfig:
    """How long and how fast the soak runs."""

    rounds: int = 50
    rollups: int = 6
    phase_blocks: int = 260
    pace: float = 0.03
    seed: int = 7
    folder: Path = CHECKOUT / ".cache" / "soak"
    port: int = 8651


@dataclass
class SoakReport:
    """What the soak measured."""

    rounds: int
    settled: int
    seconds: float
    bidder_transactions: int
    bidder_refusals: dict[str, int]
    stats: Stats
    propose_blocks: list[int]
    propose_seconds: list[float]
    finalize_blocks: list[int]
    balance: int
    owed: int
    phase_blocks: int
    pace: float
    seats: dict[str, int] = field(default_factory=dict)

    @property
    def rounds_per_minute(self) -> float:
        return self.rounds / (self.seconds / 60)

    def lines(self) -> list[str]:
        def spread(values: list[Any], unit: str, digits: int = 0) -> str:
            if not values:
                return "n/a"
            ordered = sorted(values)
            p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
            fmt = f"{{:.{digits}f}}"
            median = fmt.format(statistics.median(ordered))
            return (
                f"median {median} {unit}, p95 {fmt.format(p95)} {unit}, max {fmt.format(ordered[-1])} {unit}"
            )

        s = self.stats
        refusals = ", ".join(f"{k} {v}" for k, v in sorted(self.bidder_refusals.items())) or "none"
        return [
            f"rounds: {self.rounds} consecutive, {self.settled} finalized by the operator",
            f"bidders: {sum(self.seats.values())} ({', '.join(f'{k} {v}' for k, v in self.seats.items())})",
            f"wall time: {self.seconds:.1f} s: {self.rounds_per_minute:.1f} rounds per minute "
            f"(phases of {self.phase_blocks} blocks; an empty block after {self.pace} s without one)",
            f"bidder transactions: {self.bidder_transactions} (refused by the market: {refusals})",
            f"reveal close -> proposal landed: {spread(self.propose_blocks, 'blocks')}; "
            f"{spread(self.propose_seconds, 's', 3)}",
            f"settle opens -> finalized: {spread(self.finalize_blocks, 'blocks')}",
            f"operator: {s.transactions} transactions ({s.proposals} proposals, {s.claims} W(-i) claims, "
            f"{s.finalized} finalizes, {s.released} releases), {s.reverted} refused, gas {s.gas_used} "
            f"({s.gas_wei} wei), solve time {s.solve_seconds_total:.3f} s total, "
            f"{s.solve_seconds_max:.4f} s max",
            f"funds: market balance {self.balance} wei, owed to everyone {self.owed} wei: "
            + ("conserved to the wei" if self.balance == self.owed else "NOT CONSERVED"),
        ]


class _Pacer(threading.Thread):
    """Mines an empty block whenever none came for ``pace`` seconds (as `seqmarket chain`'s ticker does,
    faster), and none while paused: phases advance while nobody sends anything, bursts are not stretched."""

    def __init__(self, url: str, pace: float) -> None:
        super().__init__(daemon=True)
        self.url, self.pace = url, pace
        self.stopped = threading.Event()
        self.paused = threading.Event()

    def run(self) -> None:
        last = -1
        while not self.stopped.wait(self.pace):
            if self.paused.is_set():
                continue
            try:
                height = block_number(self.url)
                if height == last:
                    rpc_call(self.url, "evm_mine")
                    height += 1
                last = height
            except ChainUnavailable:
                pass


def run_soak(config: SoakConfig, say: Callable[[str], None]) -> SoakReport:
    """Run the soak; RoundCheckFailed if a round is left unsettled or the books do not balance."""
    folder = config.folder
    folder.mkdir(parents=True, exist_ok=True)
    check_port_free("127.0.0.1", config.port)
    seqmarket = str(Path(sys.executable).parent / "seqmarket")
    state = folder / "chain.json"
    chain_log = (folder / "chain.log").open("w")
    testnet = subprocess.Popen(
        [
            seqmarket,
            "chain",
            "--port",
            str(config.port),
            "--state",
            str(state),
            "--block-time",
            "30",
            "--fresh",
        ],
        stdout=chain_log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{config.port}"
    operator: subprocess.Popen[bytes] | None = None
    try:
        wait_for(lambda: _answers(url), 60, "the testnet to start")
        say(f"testnet on {url} (state {state})")
        with connected(Endpoint(rpc=url)):
            client, deployment = _deploy(config, url, folder)
            say(f"market {client.address} deployed; deployment file {deployment}")
            store_path = folder / "operator.sqlite"
            for suffix in ("", "-wal", "-shm"):
                Path(str(store_path) + suffix).unlink(missing_ok=True)
            operator_log = (folder / "operator.log").open("w")
            operator = subprocess.Popen(
                [
                    seqmarket,
                    "operator",
                    "--deployment",
                    str(deployment),
                    "--account",
                    str(OPERATOR),
                    "--state",
                    str(store_path),
                    "--poll",
                    "0.05",
                    "--from-round",
                    "0",
                    "--until-round",
                    str(config.rounds - 1),
                ],
                stdout=operator_log,
                stderr=subprocess.STDOUT,
            )
            wait_for(
                lambda: "event=start" in (folder / "operator.log").read_text(), 60, "the operator to start"
            )
            say(f"operator started (log {folder / 'operator.log'})")
            pacer = _Pacer(url, config.pace)
            seated = seats(MIX, config.rollups, config.seed, FIRST_BIDDER)
            driver = Bidders(client, seated, config.seed, config.phase_blocks, pacer.paused)
            pacer.start()
            started = time.monotonic()
            try:
                driver.play(config.rounds, say)
                wait_for(
                    lambda: operator is not None and operator.poll() is not None,
                    600,
                    "the operator to finish",
                )
            finally:
                pacer.stopped.set()
            seconds = time.monotonic() - started
            if operator.returncode != 0:
                raise RoundCheckFailed(
                    f"the operator exited with {operator.returncode}: see {folder / 'operator.log'}"
                )
            return _check(config, client, driver, Store(store_path), seconds)
    finally:
        for process in (operator, testnet):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()


def _answers(url: str) -> bool:
    try:
        block_number(url)
        return True
    except ChainUnavailable:
        return False


def _deploy(config: SoakConfig, url: str, folder: Path) -> tuple[SealedBidClient, Path]:
    payouts = tuple(local_account(FIRST_PAYOUT + i).address for i in range(config.rollups))
    rng = random.Random(config.seed)
    market = SealedBidConfig(
        payouts=payouts,
        reserves=tuple(rng.randint(1, 5) * 10**16 for _ in range(config.rollups)),
        start_block=int(chain.blocks.height) + 5,
        commit_blocks=config.phase_blocks,
        reveal_blocks=config.phase_blocks,
        challenge_blocks=config.phase_blocks,
        settle_blocks=4 * config.phase_blocks,
        min_lock=10**15,
        max_commits_per_bidder=4,
        payment_rule=PaymentRule.VCG,
    )
    deployed = deploy(market, local_account(DEPLOYER))
    path = folder / "deployment.json"
    path.unlink(missing_ok=True)
    record(path, deployed, "ethereum:local:foundry", url)
    return SealedBidClient.at(deployed.address), path


def _check(
    config: SoakConfig, client: SealedBidClient, driver: Bidders, store: Store, seconds: float
) -> SoakReport:
    schedule = client.schedule
    settled, finalize_blocks = 0, []
    for r in range(config.rounds):
        if not driver.commitments.get(r):
            continue
        if not client.is_finalized(r):
            raise RoundCheckFailed(f"round {r} was not finalized")
        settled += 1
        for address in {c.bidder for c in driver.commitments[r]}:
            if not client.participation(r, address).released:
                raise RoundCheckFailed(f"round {r}: {address} was not released")
        if client.forfeits(r):
            raise RoundCheckFailed(f"round {r}: forfeits left undistributed")
    propose_blocks, propose_seconds = [], []
    for action in store.actions():
        if action.status.value != "landed" or action.block is None:
            continue
        r = action.action.round
        if action.action.kind.value == "propose":
            propose_blocks.append(action.block - schedule.phase_start(r, Phase.CHALLENGE))
        if action.action.kind.value == "finalize":
            finalize_blocks.append(action.block - schedule.phase_start(r, Phase.SETTLE))
    propose_seconds = store.propose_seconds()
    everyone = [local_account(i).address for i in range(FIRST_BIDDER + sum(c for _, c in MIX))]
    balance, owed = client.balance(), client.owed_to(everyone)
    report = SoakReport(
        rounds=config.rounds,
        settled=settled,
        seconds=seconds,
        bidder_transactions=driver.transactions,
        bidder_refusals=driver.refusals,
        stats=store.stats(),
        propose_blocks=propose_blocks,
        propose_seconds=propose_seconds,
        finalize_blocks=finalize_blocks,
        balance=balance,
        owed=owed,
        phase_blocks=config.phase_blocks,
        pace=config.pace,
        seats=dict(MIX),
    )
    if balance != owed:
        raise RoundCheckFailed("\n".join(["funds not conserved", *report.lines()]))
    return report

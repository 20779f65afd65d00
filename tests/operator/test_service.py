"""The operator service as a process against anvil, with faults injected: overlapping rounds settled end to
end, SIGKILL at every kind of step and a restart, an RPC outage, two operators racing, a malicious proposal
beaten by the watcher, and a lottery drawn and finalized.

Every test deploys its own market on one anvil shared by the module; the operator runs as `seqmarket
operator` in a subprocess (tests/support/operator_harness.py), bids are sent from this process, and a pacer
mines a block every PACE seconds while the operators are alive (a restart never costs a deadline that was
reachable: the service must meet every deadline it can reach).
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from ape import chain
from ape.exceptions import ContractLogicError

from seqmarket.chain.config import LotteryConfig, SealedBidConfig
from seqmarket.chain.connection import Endpoint, connected, local_account
from seqmarket.chain.lottery_client import LotteryClient
from seqmarket.chain.sealed_bid_client import SealedBidClient
from seqmarket.operator.planner import ActionKind, Solution, solve, solve_instance
from seqmarket.operator.store import Status, Store
from seqmarket.protocol.commitment import SealedBid
from seqmarket.protocol.rules import PaymentRule
from seqmarket.protocol.schedule import Phase
from tests.support.operator_harness import Anvil, OperatorProcess, Pacer, RpcProxy, wait_until

E = 10**15
N = 4
PACE = 0.15  # seconds per block the pacer mines
PHASE = 16  # blocks of the commit and reveal phases: room for the test's bids and the operator's transactions
CHALLENGE = 3 * PHASE  # the challenge phase: time to propose and claim on a loaded CI machine
DEPLOYER, PAYOUTS, BIDDERS = 0, (4, 5, 6, 7), tuple(range(10, 16))

#: Each round's bids: (bidder index into BIDDERS, bundle, amount in E); the last round leaves one commitment
#: of bidder 5 unopened (its lock is forfeited and distributed to the rollups).
ROUNDS: list[list[tuple[int, int, int]]] = [
    [(0, 0b0011, 9), (1, 0b0001, 4), (2, 0b0010, 3), (3, 0b1100, 6), (4, 0b0100, 2)],
    [(0, 0b1111, 14), (1, 0b0011, 7), (2, 0b1100, 8), (3, 0b0101, 5)],
    [(2, 0b0110, 9), (3, 0b0001, 3), (4, 0b1000, 4), (1, 0b1001, 6), (5, 0b0011, 2)],
]
UNOPENED = (2, 5)  # (round, bidder index): committed, never revealed


@dataclass
class Net:
    anvil: Anvil
    proxy: RpcProxy

    @property
    def url(self) -> str:
        return self.anvil.url


@pytest.fixture(scope="module")
def net() -> Iterator[Net]:
    anvil = Anvil()
    proxy = RpcProxy(anvil.net.port)
    try:
        with connected(Endpoint(rpc=anvil.url)):
            yield Net(anvil, proxy)
    finally:
        proxy.stop()
        anvil.stop()


def deploy_sealed(
    rule: PaymentRule = PaymentRule.VCG, payouts: tuple[int, ...] = PAYOUTS, phase: int = PHASE
) -> SealedBidClient:
    """A sealed market paying the test accounts ``payouts`` (a reserve of E each), commit and reveal
    phases of ``phase`` blocks."""
    config = SealedBidConfig(
        payouts=tuple(local_account(i).address for i in payouts),
        reserves=(E,) * len(payouts),
        start_block=chain.blocks.height + 3,
        commit_blocks=phase,
        reveal_blocks=phase,
        challenge_blocks=CHALLENGE,
        settle_blocks=3 * phase,
        min_lock=E,
        payment_rule=rule,
    )
    return SealedBidClient.deploy(config, local_account(DEPLOYER))


@dataclass
class Scenario:
    """Bids ROUNDS into a sealed market while operator processes serve it; restarts any that was killed
    with the next crash point of ``crashes`` (or none), and counts the kills."""

    net: Net
    client: SealedBidClient
    operators: list[OperatorProcess]
    crashes: list[str] = field(default_factory=list)
    kills: int = 0
    sealed: dict[int, list[tuple[int, SealedBid]]] = field(default_factory=dict)

    def supervise(self) -> None:
        for k, process in enumerate(self.operators):
            if process.returncode == -signal.SIGKILL:
                self.kills += 1
                crash = self.crashes.pop(0) if self.crashes else ""
                restarted = OperatorProcess(
                    process.rpc, process.market, process.account, process.state, process.extra, crash
                )
                restarted.lines.extend(process.lines)  # one log across restarts
                self.operators[k] = restarted.start()

    def wait(self, condition, timeout: float, what: str) -> None:
        def check() -> bool:
            self.supervise()
            return condition()

        wait_until(check, timeout, what)

    def next_block(self) -> int:
        return int(chain.blocks.height) + 1

    def play(self, rounds: int = len(ROUNDS), timeout: float = 90) -> None:
        pacer = Pacer(self.net.url, PACE, lambda: self.operators)
        schedule = self.client.schedule
        try:
            for r in range(rounds + 1):
                with pacer.paused():
                    if r < rounds:
                        self.client.advance_to(r, Phase.COMMIT)
                        self._commit(r)
                    if r > 0:
                        self._reveal(r - 1)
                pacer.running.set()
                self.wait(
                    lambda r=r: self.next_block() >= schedule.round_start(r + 1), 60, f"round {r + 1} to open"
                )
            self.wait(lambda: all(not p.alive for p in self.operators), timeout, "the operators to finish")
        finally:
            pacer.close()
        for process in self.operators:
            if os.environ.get("SHOW_OPERATOR_LOG"):
                print("\n".join(process.lines + process.errors))
            assert process.returncode == 0, process.tail()

    def _commit(self, round_: int) -> None:
        for who, bundle, amount in ROUNDS[round_]:
            bidder = local_account(BIDDERS[who])
            assert (
                self.client.phase(round_) == Phase.COMMIT
                or self.client.schedule.phase_at(round_, self.next_block()) == Phase.COMMIT
            ), "a commit would land after the commit phase: make PHASE longer"
            sealed = self.client.seal(bidder, round_, bundle, amount * E, amount * E)
            self.client.commit(bidder, sealed, value=amount * E)
            self.sealed.setdefault(round_, []).append((who, sealed))

    def _reveal(self, round_: int) -> None:
        for who, sealed in self.sealed.get(round_, []):
            if (round_, who) == UNOPENED:
                continue
            assert self.client.schedule.phase_at(round_, self.next_block()) == Phase.REVEAL
            self.client.reveal(local_account(BIDDERS[who]), sealed)


def everyone() -> list[str]:
    return [local_account(i).address for i in (DEPLOYER, 1, 2, 3, *PAYOUTS, *BIDDERS)]


def assert_settled(client: SealedBidClient, rounds: int = len(ROUNDS)) -> None:
    """Every round finalized with the optimum, every W(-i) claimed exactly, every bidder released, forfeits
    distributed, and the market's books balance to the wei."""
    for r in range(rounds):
        assert client.is_finalized(r), f"round {r} not finalized"
        expected = solve(client.reserves(r), client.bids(r), True)
        assert client.best_partition(r) == (expected.bundles, expected.value)
        for c in expected.counterfactuals:
            assert client.counterfactual_value(r, c.bidder) == c.value
        for who, _, _ in ROUNDS[r]:
            assert client.participation(r, local_account(BIDDERS[who]).address).released
        assert client.forfeits(r) == 0
    assert client.forfeits(UNOPENED[0]) == 0 and client.contract.forfeitsHeld() == 0
    assert client.balance() == client.owed_to(everyone())


def expected_lottery(client: LotteryClient, round_: int) -> Solution:
    return solve_instance(client.instance(round_))


def landed(store: Store) -> list[str]:
    return [r.action.key for r in store.actions() if r.status is Status.LANDED]


def sent_on_chain(store: Store) -> int:
    """Transactions the store says reached the chain (landed, or mined and reverted)."""
    return sum(1 for r in store.actions() if r.status is Status.LANDED or r.tx)


def operator(
    net: Net, client, account: int, tmp_path: Path, *extra: str, crash: str = "", rpc: str = ""
) -> OperatorProcess:
    return OperatorProcess(
        rpc or net.url, client.address, account, tmp_path / f"operator-{account}.sqlite", extra, crash
    )


def test_settles_overlapping_rounds(net, tmp_path):
    """Three rounds bid back to back: the operator clears each as its reveals close, proposes, claims every
    W(-i), finalizes, releases everyone and distributes the forfeited lock, with 3+ rounds in flight."""
    client = deploy_sealed()
    process = operator(net, client, 1, tmp_path, "--from-round", "0", "--until-round", "2").start()
    scenario = Scenario(net, client, [process])
    scenario.play()
    assert_settled(client)
    store = Store(tmp_path / "operator-1.sqlite")
    stats = store.stats()
    assert stats.rounds_cleared == 3 and stats.rounds_done == 3 and stats.proposals == 3
    assert stats.finalized == 3 and stats.released == sum(len(r) for r in ROUNDS)
    assert stats.claims == sum(
        len(solve(client.reserves(r), client.bids(r), True).counterfactuals) for r in range(3)
    )
    assert stats.gas_used > 0 and stats.gas_wei > 0 and stats.propose_latency_blocks is not None
    # Never a transaction the store does not know of: the account's nonce is exactly what it recorded.
    assert chain.provider.get_nonce(local_account(1).address) == sent_on_chain(store)
    in_flight = [int(e["in_flight"]) for e in process.events("propose") + process.events("release")]
    assert max(in_flight) >= 3, in_flight
    assert any(e["key"].endswith("/distribute") for e in process.events("distribute"))


CRASHES = [
    "propose:sent",  # landed, killed before recording it
    "claim:intent",  # intent recorded, killed before sending
    "propose:intent",
    "claim:sent:2",
    "finalize:intent",
    "finalize:sent",  # mid-finalize
    "release:sent:3",
    "distribute:intent",
]


def test_sigkill_at_every_step_then_restart(net, tmp_path):
    """Killed with SIGKILL after recording an intent and after a transaction landed, at each kind of step:
    every restart completes the rounds, and nothing is ever sent twice."""
    client = deploy_sealed()
    first = operator(net, client, 1, tmp_path, "--from-round", "0", "--until-round", "2", crash=CRASHES[0])
    scenario = Scenario(net, client, [first.start()], crashes=CRASHES[1:])
    scenario.play(timeout=150)
    assert scenario.kills == len(CRASHES), scenario.operators[0].tail()
    assert_settled(client)
    store = Store(tmp_path / "operator-1.sqlite")
    keys = landed(store)
    assert len(keys) == len(set(keys))
    assert chain.provider.get_nonce(local_account(1).address) == sent_on_chain(store)
    recovered = scenario.operators[0].events("recovered")
    assert {e["status"] for e in recovered} == {"landed", "abandoned"}, recovered
    # each kill left exactly one open intent, settled at the restart
    assert len(recovered) == len(CRASHES)
    assert store.stats().pending_intents == 0


def test_rpc_outage_is_ridden_out(net, tmp_path):
    """The RPC goes away for a few blocks just as round 0's reveals close: the operator warns, one line per
    retry, and proposes once it is back, inside the challenge phase."""
    client = deploy_sealed()
    process = operator(
        net, client, 1, tmp_path, "--from-round", "0", "--until-round", "1", rpc=net.proxy.url
    ).start()
    scenario = Scenario(net, client, [process])
    schedule = client.schedule
    pacer = Pacer(net.url, 2 * PACE, lambda: scenario.operators)  # the first look after an outage is slow
    try:
        for r in range(3):
            with pacer.paused():
                if r < 2:
                    client.advance_to(r, Phase.COMMIT)
                    scenario._commit(r)
                if r > 0:
                    scenario._reveal(r - 1)
                if r == 1:  # round 0's reveals are in: cut the RPC before its challenge phase opens (cut
                    net.proxy.stop()  # later, the operator may propose in the phase's first block first)
                if r == 2:  # round 0's challenge phase is open: 4 more blocks without the RPC
                    for _ in range(4):
                        chain.mine(1)
                    wait_until(
                        lambda: len(process.events("rpc-unavailable")) >= 2, 20, "the warnings", process.tail
                    )
                    net.proxy.start()
            pacer.running.set()
            scenario.wait(lambda r=r: scenario.next_block() >= schedule.round_start(r + 1), 60, "next round")
        scenario.wait(lambda: not process.alive, 90, "the operator to finish")
    finally:
        pacer.close()
    assert process.returncode == 0, process.tail()
    if os.environ.get("SHOW_OPERATOR_LOG"):
        print("\n".join(process.lines))
    assert len(process.events("rpc-restored")) >= 1
    assert not any("Traceback" in line for line in process.errors + process.lines)
    proposal = process.events("propose")[0]
    challenge = client.phase_start(0, Phase.CHALLENGE)
    assert challenge + 4 <= int(proposal["block"]) < challenge + CHALLENGE
    for r in range(2):
        assert client.is_finalized(r)
        expected = solve(client.reserves(r), client.bids(r), True)
        assert client.best_partition(r) == (expected.bundles, expected.value)
    assert chain.provider.get_nonce(local_account(1).address) == sent_on_chain(
        Store(tmp_path / "operator-1.sqlite")
    )


def test_two_racing_operators_waste_a_bounded_number_of_attempts(net, tmp_path):
    """Two operators on one market: every effect lands once, the rounds settle, and the refused attempts
    are at most one per action the rounds needed."""
    client = deploy_sealed()
    processes = [
        operator(net, client, account, tmp_path, "--from-round", "0", "--until-round", "2").start()
        for account in (1, 2)
    ]
    scenario = Scenario(net, client, processes)
    scenario.play()
    assert_settled(client)
    stores = [Store(tmp_path / f"operator-{a}.sqlite") for a in (1, 2)]
    keys = [key for store in stores for key in landed(store)]
    assert len(keys) == len(set(keys)), "an effect landed twice"
    needed = len(set(keys))
    refused = sum(store.stats().reverted for store in stores)
    assert refused <= needed
    for account, store in zip((1, 2), stores, strict=True):
        assert chain.provider.get_nonce(local_account(account).address) == sent_on_chain(store)
    both = [ActionKind(k.split("/")[1]) for k in keys]
    assert both.count(ActionKind.PROPOSE) == 3 and both.count(ActionKind.FINALIZE) == 3


def test_watcher_beats_a_malicious_operator(net, tmp_path):
    """A malicious operator proposes a worse (valid) partition and claims understated W(-i) the moment the
    challenge opens; the watcher replaces the partition with the optimum and raises the claims."""
    client = deploy_sealed()
    watcher = operator(net, client, 3, tmp_path, "--watch", "--from-round", "0", "--until-round", "0").start()
    scenario = Scenario(net, client, [watcher])
    malicious = local_account(2)
    client.advance_to(0, Phase.COMMIT)
    scenario._commit(0)
    client.advance_to(0, Phase.REVEAL)
    scenario._reveal(0)
    client.advance_to(0, Phase.CHALLENGE)
    expected = solve(client.reserves(0), client.bids(0), True)
    worse = sorted(expected.bundles)[:-1]
    assert int(client.contract.valuePartition(0, worse)) < expected.value
    # The worse partition first (it beats the singletons), then understated claims (worth less than it, so
    # none replaces it). The watcher is already running: it may answer before the last claim is sent.
    client.propose(malicious, 0, worse)
    for c in expected.counterfactuals:
        with contextlib.suppress(ContractLogicError):  # the watcher may have raised it first
            client.claim_counterfactual(malicious, 0, c.bidder, [])
    pacer = Pacer(net.url, PACE, lambda: scenario.operators)
    pacer.running.set()
    try:
        scenario.wait(lambda: not watcher.alive, 60, "the watcher to finish")
    finally:
        pacer.close()
    assert watcher.returncode == 0, watcher.tail()
    assert client.best_partition(0) == (expected.bundles, expected.value)
    for c in expected.counterfactuals:
        assert client.counterfactual_value(0, c.bidder) == c.value
    stats = Store(tmp_path / "operator-3.sqlite").stats()
    assert stats.proposals == 1 and stats.proposals_replaced == 1 and stats.finalized == 0


def test_lottery_is_drawn_inside_the_window_and_finalized(net, tmp_path):
    """Tickets sold in two rounds: the operator proposes the optimum, draws inside each draw window and
    finalizes; buyers of losing bundles can then be refunded; the books balance."""
    config = LotteryConfig(
        payouts=tuple(local_account(i).address for i in PAYOUTS),
        reserves=(E,) * N,
        start_block=chain.blocks.height + 3,
        chain_id=chain.chain_id,
        sale_blocks=PHASE,
        challenge_blocks=PHASE,
        lookahead=PHASE + 4,
        draw_window=12,
        target_tickets=4,
        price_floor=10**12,
    )
    client = LotteryClient.deploy(config, local_account(DEPLOYER))
    process = operator(net, client, 1, tmp_path, "--from-round", "0", "--until-round", "1").start()
    pacer = Pacer(net.url, PACE, lambda: [process])
    try:
        for r in range(2):
            with pacer.paused():
                client.advance_to(r, Phase.COMMIT)
                for who, bundle, count in [(0, 0b0011, 3), (1, 0b0001, 2), (2, 0b1100, 4), (3, 0b0110, 1)]:
                    client.buy(local_account(BIDDERS[who]), r, bundle, count)
            pacer.running.set()
            wait_until(lambda r=r: chain.blocks.height + 1 >= client.schedule.round_start(r + 1), 60, "round")
        wait_until(lambda: not process.alive, 90, "the operator to finish")
    finally:
        pacer.close()
    assert process.returncode == 0, process.tail()
    for r in range(2):
        state = client.draw_state(r)
        assert state.drawn and state.finalized and state.drawer == local_account(1).address
        assert client.best_partition(r) == (
            expected_lottery(client, r).bundles,
            expected_lottery(client, r).value,
        )
    draws = process.events("draw")
    assert len(draws) == 2
    assert client.balance() == client.owed_to(everyone())


ATTACK_ROLLUPS = 27


def play_tie_attack(net, tmp_path, *extra: str):
    """A 27-rollup first-price market, round 0 the ties attack, round 1 three honest bids, served by one
    operator (``extra``: its options) until both rounds are settled.

    The attack: nine pairs of equal wei bids on interchangeable bundles, chained into one component by
    low bids (2**9 optimal packings of equal W, each inside the others' rounding). Leaving them out one
    solve at a time, the engine gave up after 256 solves (SolverError), which stopped the operator, and
    every restart stopped again on that round; the LP certificate now proves the optimum at once."""
    payouts = (2, 3, 8, *range(16, 40))  # ATTACK_ROLLUPS test accounts
    # 40-block phases: the attack's 26 commits and 26 reveals each mine a block
    client = deploy_sealed(PaymentRule.FIRST_PRICE, payouts, phase=40)
    attack: list[tuple[int, int]] = []  # (bundle, amount in wei): no common factor, equal within a pair
    for j in range(9):
        amount = (10 + 3 * j) * 10 * E + 7919 * j + 1
        attack += [((1 << 3 * j) | (1 << 3 * j + 1), amount), ((1 << 3 * j + 1) | (1 << 3 * j + 2), amount)]
    attack += [((1 << 3 * j + 1) | (1 << 3 * j + 4), 5 * E + j) for j in range(8)]  # links: one component
    honest = [(0b0011, 9 * E), (0b0001, 4 * E), (0b1100, 6 * E)]
    rounds = [attack, honest]
    process = operator(net, client, 1, tmp_path, "--from-round", "0", "--until-round", "1", *extra).start()
    pacer = Pacer(net.url, PACE, lambda: [process])
    sealed: dict[int, list[tuple[int, SealedBid]]] = {}
    try:
        for r in range(len(rounds) + 1):
            with pacer.paused():
                if r < len(rounds):
                    client.advance_to(r, Phase.COMMIT)
                    for k, (bundle, amount) in enumerate(rounds[r]):
                        who = BIDDERS[k % 5]  # five identities: at most 6 commits each
                        bid = client.seal(local_account(who), r, bundle, amount, amount)
                        client.commit(local_account(who), bid, value=amount)
                        sealed.setdefault(r, []).append((who, bid))
                if r > 0:
                    for who, bid in sealed[r - 1]:
                        client.reveal(local_account(who), bid)
            pacer.running.set()
            wait_until(lambda r=r: chain.blocks.height + 1 >= client.schedule.round_start(r + 1), 90, "round")
        wait_until(lambda: not process.alive, 120, "the operator to finish")
    finally:
        pacer.close()
    assert process.returncode == 0, process.tail()
    expected = solve(client.reserves(1), client.bids(1), False)
    assert client.is_finalized(1) and client.best_partition(1) == (expected.bundles, expected.value)
    for r in range(2):
        for who, _ in sealed[r]:
            assert client.participation(r, local_account(who).address).released
    accounts = [local_account(i).address for i in (DEPLOYER, 1, *BIDDERS, *payouts)]
    assert client.balance() == client.owed_to(accounts)
    return client, process


def test_the_ties_attack_is_cleared_exactly(net, tmp_path):
    """The attacker loses: the operator proposes round 0's optimum (the LP certificate proves it among
    its 512 ties) and finalizes it, then serves the next round; the books balance to the wei."""
    client, process = play_tie_attack(net, tmp_path)
    assert process.events("clearing-failed") == []
    expected = solve(client.reserves(0), client.bids(0), False)
    assert expected.value > ATTACK_ROLLUPS * E  # the attack's pairs are worth more than the singletons
    assert client.is_finalized(0) and client.best_partition(0) == (expected.bundles, expected.value)


def test_a_round_not_cleared_in_time_is_left_to_settle(net, tmp_path):
    """With --clearing-limit too short for round 0's MILP, the operator logs `clearing-failed`, proposes
    nothing for it (the singletons stand: every rollup at its reserve) and still clears, finalizes and
    releases round 1, instead of stopping."""
    client, process = play_tie_attack(net, tmp_path, "--clearing-limit", "0.001")
    failed = process.events("clearing-failed")
    assert [int(e["round"]) for e in failed] == [0], failed
    assert client.is_finalized(0) and client.best_partition(0) == ((), ATTACK_ROLLUPS * E)

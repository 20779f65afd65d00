"""Fixtures and helpers for the tests that need a chain: roles from the local chain's funded accounts,
market factories, block-exact phase helpers and a strict custom-error assertion.

Each folder of chain tests re-exports the fixtures in its conftest.py; pure tests never import this.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from ape import chain
from ape.exceptions import ContractLogicError

from seqmarket.chain.client import MarketClient
from seqmarket.chain.config import LotteryConfig, SealedBidConfig
from seqmarket.chain.lottery_client import LotteryClient
from seqmarket.chain.reverts import decode_revert
from seqmarket.chain.sealed_bid_client import SealedBidClient
from seqmarket.protocol.commitment import SealedBid
from seqmarket.protocol.rules import PaymentRule, SplitRule
from seqmarket.protocol.schedule import Phase

#: The fixtures a folder's conftest.py re-exports (``from tests.support.onchain import *``).
__all__ = [
    "bidders",
    "make_lottery",
    "make_market",
    "market",
    "operator",
    "outsider",
    "rollup_payouts",
]

ETH = 10**18
MIN_LOCK = 10**15
N_ROLLUPS = 4


@pytest.fixture(scope="session")
def operator(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def rollup_payouts(accounts):
    return [accounts[2 + i] for i in range(N_ROLLUPS)]


@pytest.fixture(scope="session")
def bidders(accounts):
    return [accounts[10 + i] for i in range(8)]


@pytest.fixture(scope="session")
def outsider(accounts):
    return accounts[30]


@pytest.fixture
def make_market(operator, rollup_payouts) -> Callable[..., SealedBidClient]:
    """Deploy a market whose round 0 opens two blocks after deployment (so NotOpen is testable)."""

    def make(
        reserves: tuple[int, ...] = (0,) * N_ROLLUPS,
        commit_blocks: int = 6,
        reveal_blocks: int = 6,
        challenge_blocks: int = 4,
        min_lock: int = MIN_LOCK,
        max_commits: int = 4,
        split_rule: SplitRule = SplitRule.SINGLETON_VALUES,
        payment_rule: PaymentRule = PaymentRule.FIRST_PRICE,
        start_offset: int = 3,
        claim_bounty_bps: int = 1_000,
        settle_blocks: int = 20,
    ) -> SealedBidClient:
        config = SealedBidConfig(
            payouts=tuple(a.address for a in rollup_payouts[: len(reserves)]),
            reserves=reserves,
            start_block=chain.blocks.height + start_offset,
            commit_blocks=commit_blocks,
            reveal_blocks=reveal_blocks,
            challenge_blocks=challenge_blocks,
            min_lock=min_lock,
            max_commits_per_bidder=max_commits,
            split_rule=split_rule,
            payment_rule=payment_rule,
            claim_bounty_bps=claim_bounty_bps,
            settle_blocks=settle_blocks,
        )
        return SealedBidClient.deploy(config, operator)

    return make


@pytest.fixture
def market(make_market) -> SealedBidClient:
    return make_market()


def next_tx_at(block: int) -> None:
    """Mine so that the next transaction is included in ``block`` exactly."""
    gap = block - chain.blocks.height - 1
    assert gap >= 0, f"block {block} is already past (height {chain.blocks.height})"
    if gap:
        chain.mine(gap)


def phase_edges(client: MarketClient, round_: int, phase: Phase) -> tuple[int, int]:
    """(first block, last block) of ``phase`` in ``round_``."""
    first = client.phase_start(round_, phase)
    if phase == Phase.CHALLENGE:
        nxt = first + client.schedule.challenge_blocks
    else:
        nxt = client.phase_start(round_, Phase(int(phase) + 1))
    return first, nxt - 1


@contextmanager
def reverts_with(error: str, **inputs: Any) -> Iterator[None]:
    """Expect a revert with custom error ``error`` and these input values (an unknown name fails)."""
    with pytest.raises(ContractLogicError) as info:
        yield
    revert = decode_revert(info.value)
    assert revert.name == error, f"expected {error}, got {revert.name}: {info.value}"
    for name, expected in inputs.items():
        assert name in revert.inputs, f"{error} has no input {name!r} (inputs: {revert.inputs})"
        got = revert.inputs[name]
        assert got == expected, f"{error}.{name} = {got!r}, expected {expected!r}"


def books_balance(client: MarketClient, accounts: list) -> None:
    """No wei created or lost: the market holds exactly what it owes everyone."""
    assert client.balance() == client.owed_to([a.address for a in accounts])


def sealed_commit(
    client: SealedBidClient, bidder, round_: int, bundle: int, amount: int, lock: int | None = None
) -> SealedBid:
    """Seal and commit a bid (mining up to the commit phase if needed), depositing exactly its lock."""
    client.advance_to(round_, Phase.COMMIT)
    sealed = client.seal(bidder, round_, bundle, amount, lock if lock is not None else max(amount, MIN_LOCK))
    client.commit(bidder, sealed, value=sealed.lock)
    return sealed


def commit_and_reveal(client: SealedBidClient, bids: list[tuple[Any, int, int]], round_: int = 0) -> list:
    """Commit every (bidder, bundle, amount), then reveal them all in the reveal phase."""
    sealed = [sealed_commit(client, bidder, round_, bundle, amount) for bidder, bundle, amount in bids]
    client.advance_to(round_, Phase.REVEAL)
    for (bidder, _, _), s in zip(bids, sealed, strict=True):
        client.reveal(bidder, s)
    return sealed


@pytest.fixture
def make_lottery(operator, rollup_payouts):
    """Deploy a LotteryMarket whose round 0 sale opens three blocks after deployment."""

    def make(reserves: tuple[int, ...] = (0,) * N_ROLLUPS, **overrides: Any) -> LotteryClient:
        fields: dict[str, Any] = dict(
            payouts=tuple(a.address for a in rollup_payouts[: len(reserves)]),
            reserves=reserves,
            start_block=chain.blocks.height + 3,
            chain_id=chain.chain_id,
            sale_blocks=12,
            challenge_blocks=4,
            lookahead=6,
            draw_window=3,
            target_tickets=4,
            price_floor=10**12,
        )
        fields.update(overrides)
        return LotteryClient.deploy(LotteryConfig(**fields), operator)

    return make

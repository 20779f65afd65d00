"""Fixtures and helpers for the tests that need a chain: roles from the local chain's funded accounts,
market factories, block-exact phase helpers and a strict custom-error assertion.

Each folder of chain tests re-exports the fixtures in its conftest.py; pure tests never import this.
"""

from __future__ import annotations

from ast import literal_eval
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from ape import chain, project
from ape.exceptions import ContractLogicError
from eth_abi import decode as abi_decode
from eth_utils import keccak, to_checksum_address

from seqmarket.chain.client import MarketClient
from seqmarket.chain.config import LotteryConfig, SealedBidConfig
from seqmarket.chain.lottery_client import LotteryClient
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
    "treasury",
]

ETH = 10**18
PENALTY = 10**15
N_ROLLUPS = 4


@pytest.fixture(scope="session")
def operator(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def treasury(accounts):
    """Receives non-reveal penalties."""
    return accounts[1]


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
def make_market(operator, treasury, rollup_payouts) -> Callable[..., SealedBidClient]:
    """Deploy a market whose round 0 opens two blocks after deployment (so NotOpen is testable)."""

    def make(
        reserves: tuple[int, ...] = (0,) * N_ROLLUPS,
        commit_blocks: int = 6,
        reveal_blocks: int = 6,
        challenge_blocks: int = 4,
        penalty: int = PENALTY,
        max_commits: int = 4,
        split_rule: SplitRule = SplitRule.SINGLETON_VALUES,
        payment_rule: PaymentRule = PaymentRule.FIRST_PRICE,
        start_offset: int = 3,
    ) -> SealedBidClient:
        config = SealedBidConfig(
            payouts=tuple(a.address for a in rollup_payouts[: len(reserves)]),
            reserves=reserves,
            start_block=chain.blocks.height + start_offset,
            commit_blocks=commit_blocks,
            reveal_blocks=reveal_blocks,
            challenge_blocks=challenge_blocks,
            non_reveal_penalty=penalty,
            max_commits_per_bidder=max_commits,
            split_rule=split_rule,
            payment_rule=payment_rule,
            penalty_recipient=treasury.address,
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
    raised = info.value
    name, actual = type(raised).__name__, getattr(raised, "inputs", {}) or {}
    if name == "ContractLogicError":
        name, actual = _decode_undecoded(raised)
    assert name == error, f"expected {error}, got {name}: {raised}"
    for name, expected in inputs.items():
        assert name in actual, f"{error} has no input {name!r} (inputs: {actual})"
        assert actual[name] == expected, f"{error}.{name} = {actual[name]!r}, expected {expected!r}"


def _decode_undecoded(raised: ContractLogicError) -> tuple[str, dict[str, Any]]:
    """Decode a custom error ape's eth-tester provider left as raw bytes.

    ape 0.8.51 turns revert data into text with str(bytes) and only parses it back when the repr uses
    single quotes; data containing a 0x27 byte is printed b"..." and stays undecoded (about 1 in 8
    errors carrying a random bytes32). Decode it here against the project's error ABIs instead.
    """
    message = str(raised.message)
    if message.startswith(("b'", 'b"')):
        data = literal_eval(message)
    elif message.startswith("0x"):
        data = bytes.fromhex(message[2:])
    else:
        return "ContractLogicError", {}
    for contract_type in project.contracts.values():
        for abi in contract_type.errors:
            if keccak(text=abi.selector)[:4] == data[:4]:
                types = [str(i.canonical_type) for i in abi.inputs]
                values = [
                    to_checksum_address(v) if t == "address" else v
                    for t, v in zip(types, abi_decode(types, data[4:]), strict=True)
                ]
                return abi.name, dict(zip([i.name for i in abi.inputs], values, strict=True))
    return "ContractLogicError", {}


def books_balance(client: MarketClient, accounts: list) -> None:
    """No wei created or lost: the market holds exactly what it owes everyone."""
    assert client.balance() == client.owed_to([a.address for a in accounts])


def sealed_commit(
    client: SealedBidClient, bidder, round_: int, bundle: int, amount: int, lock: int | None = None
) -> SealedBid:
    """Seal and commit a bid (mining up to the commit phase if needed), depositing exactly its lock."""
    client.advance_to(round_, Phase.COMMIT)
    sealed = client.seal(bidder, round_, bundle, amount, lock if lock is not None else max(amount, PENALTY))
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

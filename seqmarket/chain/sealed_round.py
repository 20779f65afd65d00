"""One sealed-bid round driven end to end on a chain: commit, reveal, clear and propose, finalize, release."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ape.api import AccountAPI

from seqmarket.agents.honest import HonestBidder
from seqmarket.chain.client import GasRecord, MarketClient, Phase, RollupPayment, Sale
from seqmarket.chain.commitment import SealedBid
from seqmarket.chain.config import PaymentRule
from seqmarket.clearing import Clearing, Instance
from seqmarket.errors import RoundCheckFailed
from seqmarket.operator import ClearingOperator


@dataclass
class RoundOutcome:
    """Everything that happened in one round, for reports and checks."""

    round: int
    commitments: list[SealedBid] = field(default_factory=list)
    revealed: list[tuple[str, int, int]] = field(default_factory=list)
    instance: Instance | None = None
    clearing: Clearing | None = None
    proposed: bool = False
    counterfactuals: dict[str, int] = field(default_factory=dict)
    partition: tuple[int, ...] = ()
    value: int = 0
    sales: list[Sale] = field(default_factory=list)
    payments: list[RollupPayment] = field(default_factory=list)
    sequencers: list[str] = field(default_factory=list)
    gas: list[GasRecord] = field(default_factory=list)


PhaseHook = Callable[[str, RoundOutcome], Any]


def run_round(
    client: MarketClient,
    round_: int,
    bidders: Sequence[HonestBidder],
    operator: ClearingOperator,
    keeper: AccountAPI,
    rng: random.Random,
    on_phase: PhaseHook | None = None,
) -> RoundOutcome:
    """Drive ``round_`` through every phase; ``on_phase`` is told after each one (for progress output)."""
    outcome = RoundOutcome(round=round_)
    gas_start = len(client.gas_log)

    def done(phase: str) -> None:
        if on_phase is not None:
            on_phase(phase, outcome)

    client.advance_to(round_, Phase.COMMIT)
    for bidder in bidders:
        outcome.commitments.extend(bidder.commit(client, round_, rng))
    done("commit")

    client.advance_to(round_, Phase.REVEAL)
    for bidder in bidders:
        bidder.reveal(client)
    outcome.revealed = client.revealed_bids(round_)
    done("reveal")

    client.advance_to(round_, Phase.CHALLENGE)
    outcome.instance, outcome.clearing, outcome.proposed = operator.submit(round_)
    if client.payment_rule == PaymentRule.VCG:
        outcome.counterfactuals = {
            b.account.address: value
            for b in bidders
            if (value := client.counterfactual_value(round_, b.account.address))
        }
    done("challenge")

    client.advance_to(round_, Phase.SETTLE)
    client.finalize(keeper, round_)
    for bidder in {b.account.address: b for b in bidders}.values():
        if bidder.sealed:
            client.release(keeper, round_, bidder.account.address)
    outcome.partition, outcome.value = client.best_partition(round_)
    outcome.sales = client.sales(round_)
    outcome.payments = client.rollup_payments(round_)
    outcome.sequencers = [client.sequencer_of(round_, i) for i in range(client.rollup_count)]
    outcome.gas = client.gas_log[gas_start:]
    _check(client, outcome, [b.account.address for b in bidders])
    done("settle")
    return outcome


def _check(client: MarketClient, outcome: RoundOutcome, accounts: Sequence[str]) -> None:
    """The finalized partition is the off-chain optimum, and every wei in the market is accounted for."""
    assert outcome.clearing is not None
    if outcome.value != outcome.clearing.value or outcome.partition != outcome.clearing.bundles:
        raise RoundCheckFailed(
            f"chain finalized {outcome.partition} worth {outcome.value}, "
            f"clearing found {outcome.clearing.bundles} worth {outcome.clearing.value}"
        )
    revenue = sum(s.price for s in outcome.sales)
    paid = sum(p.amount for p in outcome.payments)
    if revenue != paid:
        raise RoundCheckFailed(f"winners paid {revenue} wei but rollups were credited {paid}")
    owed = client.owed_to(accounts)
    balance = client.balance()
    if balance != owed:
        raise RoundCheckFailed(f"market holds {balance} wei but owes {owed}")

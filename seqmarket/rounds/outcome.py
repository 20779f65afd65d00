"""What a round driver records, step by step, and the checks every round must pass.

A round's outcome is filled in as the driver goes; after each step the driver tells its hook (a reporter
prints it). The checks compare the chain's settlement with the off-chain clearing and draw, and the
market's balance with what it owes everyone, to the wei.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from typing import Any

from seqmarket.chain.client import GasRecord, KeeperFee, MarketClient, RollupPayment, Sale
from seqmarket.chain.lottery_client import DrawState, LotteryClient, LotteryWin, TicketPurchase
from seqmarket.clearing import Clearing, Instance
from seqmarket.errors import RoundCheckFailed
from seqmarket.protocol.commitment import SealedBid
from seqmarket.protocol.draw import draw_bounty, ticket_holder, winning_ticket
from seqmarket.protocol.pricing import base_in_round


class Step(StrEnum):
    """A completed stage of a round: sealed rounds commit, reveal, challenge, settle; lottery rounds sell,
    challenge, draw, settle."""

    COMMIT = "commit"
    REVEAL = "reveal"
    SALE = "sale"
    CHALLENGE = "challenge"
    DRAW = "draw"
    SETTLE = "settle"


#: Told (step, outcome so far) after each step.
StepHook = Callable[[Step, Any], None]


@dataclass
class SealedRoundOutcome:
    """Everything that happened in one sealed-bid round."""

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
    keeper_fees: list[KeeperFee] = field(default_factory=list)
    sequencers: list[str] = field(default_factory=list)
    gas: list[GasRecord] = field(default_factory=list)


@dataclass
class LotteryRoundOutcome:
    """Everything that happened in one lottery round."""

    round: int
    purchases: list[TicketPurchase] = field(default_factory=list)
    instance: Instance | None = None
    clearing: Clearing | None = None
    proposed: bool = False
    draw: DrawState | None = None
    wins: list[LotteryWin] = field(default_factory=list)
    payments: list[RollupPayment] = field(default_factory=list)
    keeper_fees: list[KeeperFee] = field(default_factory=list)
    refunds: list[tuple[str, int, int]] = field(default_factory=list)
    sequencers: list[str] = field(default_factory=list)
    #: Per bundle bought: tickets kept (all sold if it sold in the partition, else none: refunded).
    kept_tickets: dict[int, int] = field(default_factory=dict)
    #: Per bundle bought: its base price next round (fixed before this round's partition was final).
    next_base_prices: dict[int, int] = field(default_factory=dict)
    #: Per bundle bought: its base price two rounds on, the first this round's kept tickets move.
    later_base_prices: dict[int, int] = field(default_factory=dict)
    gas: list[GasRecord] = field(default_factory=list)


def check_sealed_round(client: MarketClient, outcome: SealedRoundOutcome, accounts: Sequence[str]) -> None:
    """The finalized partition is the off-chain optimum, winners' payments reached the rollups, and every
    wei in the market is accounted for."""
    assert outcome.clearing is not None
    if outcome.value != outcome.clearing.value or outcome.partition != outcome.clearing.bundles:
        raise RoundCheckFailed(
            f"chain finalized {outcome.partition} worth {outcome.value}, "
            f"clearing found {outcome.clearing.bundles} worth {outcome.clearing.value}"
        )
    revenue = sum(s.price for s in outcome.sales)
    paid = sum(p.amount for p in outcome.payments) + sum(f.amount for f in outcome.keeper_fees)
    if revenue != paid:
        raise RoundCheckFailed(f"winners paid {revenue} wei but rollups and keepers were credited {paid}")
    check_books(client, accounts)


def check_lottery_round(client: LotteryClient, outcome: LotteryRoundOutcome, accounts: Sequence[str]) -> None:
    """The chain agrees with the off-chain clearing and draw, and every wei is accounted for."""
    assert outcome.clearing is not None and outcome.draw is not None
    partition = client.best_partition(outcome.round)
    if partition != (outcome.clearing.bundles, outcome.clearing.value):
        raise RoundCheckFailed(f"chain finalized {partition}, clearing found {outcome.clearing}")
    for win in outcome.wins:
        bought = sorted((p for p in outcome.purchases if p.bundle == win.bundle), key=lambda p: p.first)
        ends = [p.first + p.count for p in bought]
        ticket = winning_ticket(outcome.draw.seed, win.bundle, ends[-1])
        holder = ticket_holder(ends, [p.buyer for p in bought], ticket)
        if (ticket, holder) != (win.ticket, win.winner):
            raise RoundCheckFailed(f"bundle {win.bundle:#x}: chain drew {win.ticket}, recomputed {ticket}")
    paid = sum(p.amount for p in outcome.payments) + sum(f.amount for f in outcome.keeper_fees)
    if sum(w.revenue for w in outcome.wins) != paid:
        raise RoundCheckFailed("rollups and keepers were not credited exactly the winning bundles' revenue")
    _check_draw_bounty(client, outcome)
    _check_kept_tickets(client, outcome)
    check_books(client, accounts)


def _check_draw_bounty(client: LotteryClient, outcome: LotteryRoundOutcome) -> None:
    """The drawer, and nobody else, was credited its bounty out of each winning bundle's revenue."""
    assert outcome.draw is not None
    expected = [
        (w.bundle, outcome.draw.drawer, fee)
        for w in outcome.wins
        if (fee := draw_bounty(w.revenue, client.draw_bounty_bps))
    ]
    paid = [(f.bundle, f.keeper, f.amount) for f in outcome.keeper_fees]
    if sorted(paid) != sorted(expected):
        raise RoundCheckFailed(f"draw bounties {paid} differ from the drawer's due {expected}")


def _check_kept_tickets(client: LotteryClient, outcome: LotteryRoundOutcome) -> None:
    """Tickets kept are all a bundle sold if it sold on the partition (never those refunded), and base prices
    the next two rounds are what protocol/pricing.py's mirror makes of every round's kept tickets."""
    assert outcome.instance is not None and outcome.clearing is not None and outcome.draw is not None
    listed = outcome.clearing.bundles
    sells = set(listed) | {1 << i for i in outcome.instance.sold_singletons(listed)}
    cutoff = client.round_start(outcome.round + 2)
    voided = outcome.draw.voided and outcome.draw.voided_at < cutoff
    target, floor = client.price_curve.target, client.price_floor
    for bundle, kept in outcome.kept_tickets.items():
        sold = sum(p.count for p in outcome.purchases if p.bundle == bundle)
        expected = sold if bundle in sells and not voided else 0
        if kept != expected:
            raise RoundCheckFailed(f"bundle {bundle:#x}: {kept} tickets kept, expected {expected} of {sold}")
        history = client.kept_history(bundle, outcome.round)
        starting = partial(client.starting_price_at, bundle)
        for round_, base in (
            (outcome.round + 1, outcome.next_base_prices[bundle]),
            (outcome.round + 2, outcome.later_base_prices[bundle]),
        ):
            mirror = base_in_round(history, round_, starting, target, floor)
            if base != mirror:
                raise RoundCheckFailed(
                    f"bundle {bundle:#x}: base price {base} in round {round_}, the mirror makes {mirror} of "
                    f"the tickets kept {history}"
                )


def check_books(client: MarketClient, accounts: Sequence[str]) -> None:
    """No wei created or lost: the market holds exactly what it owes ``accounts``, rollups and the rest."""
    owed, balance = client.owed_to(accounts), client.balance()
    if owed != balance:
        raise RoundCheckFailed(f"market holds {balance} wei but owes {owed}")

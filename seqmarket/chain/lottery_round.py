"""One lottery round end to end: ticket sale, clearing and proposal, RANDAO draw, settlement, refunds."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ape.api import AccountAPI

from seqmarket.agents.lottery import LotteryBidder
from seqmarket.chain.client import GasRecord, Phase, RollupPayment
from seqmarket.chain.lottery_client import DrawState, LotteryClient, LotteryWin, TicketPurchase
from seqmarket.clearing import Clearing, Instance
from seqmarket.errors import RoundCheckFailed
from seqmarket.lottery import ticket_holder, winning_ticket
from seqmarket.operator import ClearingOperator


@dataclass
class LotteryOutcome:
    """Everything that happened in one lottery round, for reports and checks."""

    round: int
    purchases: list[TicketPurchase] = field(default_factory=list)
    instance: Instance | None = None
    clearing: Clearing | None = None
    proposed: bool = False
    draw: DrawState | None = None
    rearms: int = 0
    wins: list[LotteryWin] = field(default_factory=list)
    payments: list[RollupPayment] = field(default_factory=list)
    refunds: list[tuple[str, int, int]] = field(default_factory=list)
    sequencers: list[str] = field(default_factory=list)
    next_base_prices: dict[int, int] = field(default_factory=dict)
    gas: list[GasRecord] = field(default_factory=list)


PhaseHook = Callable[[str, LotteryOutcome], Any]


def run_lottery_round(
    client: LotteryClient,
    round_: int,
    bidders: Sequence[LotteryBidder],
    keeper: AccountAPI,
    on_phase: PhaseHook | None = None,
) -> LotteryOutcome:
    """Drive ``round_`` through sale, challenge, draw and settlement; ``on_phase`` hears each step."""
    outcome = LotteryOutcome(round=round_)
    gas_start = len(client.gas_log)

    def done(phase: str) -> None:
        if on_phase is not None:
            on_phase(phase, outcome)

    client.advance_to(round_, Phase.COMMIT)  # the sale
    for bidder in bidders:
        bidder.buy(client, round_)
    outcome.purchases = client.purchases(round_)
    done("sale")

    client.advance_to(round_, Phase.CHALLENGE)
    outcome.instance, outcome.clearing, outcome.proposed = ClearingOperator(client, keeper).submit(round_)
    done("challenge")

    state = client.draw_state(round_)
    while not (state.drawn or state.voided):
        client.advance_to_block(state.target)
        client.draw(keeper, round_)
        state = client.draw_state(round_)
    outcome.draw = state
    outcome.rearms = state.rearms
    done("draw")

    client.advance_to(round_, Phase.SETTLE)
    client.finalize(keeper, round_)
    outcome.wins = client.wins(round_)
    outcome.payments = client.rollup_payments(round_)
    outcome.sequencers = [client.sequencer_of(round_, i) for i in range(client.rollup_count)]
    won = {w.bundle for w in outcome.wins}
    accounts = {b.account.address: b.account for b in bidders}
    for buyer, bundle in sorted({(p.buyer, p.bundle) for p in outcome.purchases if p.bundle not in won}):
        amount = int(client.contract.paidBy(round_, bundle, buyer))
        client.claim_refund(accounts[buyer], round_, bundle)
        outcome.refunds.append((buyer, bundle, amount))
    outcome.next_base_prices = {
        b: client.base_price(b, round_ + 1) for b in sorted({p.bundle for p in outcome.purchases})
    }
    outcome.gas = client.gas_log[gas_start:]
    _check(client, outcome, list(accounts))
    done("settle")
    return outcome


def _check(client: LotteryClient, outcome: LotteryOutcome, accounts: Sequence[str]) -> None:
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
    if sum(w.revenue for w in outcome.wins) != sum(p.amount for p in outcome.payments):
        raise RoundCheckFailed("rollups were not credited exactly the winning bundles' revenue")
    owed, balance = client.owed_to(accounts), client.balance()
    if owed != balance:
        raise RoundCheckFailed(f"market holds {balance} wei but owes {owed}")

"""One lottery round end to end: ticket sale, clearing and proposal, RANDAO draw, settlement, refunds."""

from __future__ import annotations

from collections.abc import Sequence

from ape.api import AccountAPI

from seqmarket.agents.lottery import LotteryBidder
from seqmarket.chain.lottery_client import LotteryClient
from seqmarket.protocol.schedule import Phase
from seqmarket.rounds.operator import ClearingOperator
from seqmarket.rounds.outcome import LotteryRoundOutcome, Step, StepHook, check_lottery_round
from seqmarket.rounds.participant import Participant


def run_lottery_round(
    client: LotteryClient,
    round_: int,
    bidders: Sequence[Participant[LotteryBidder]],
    keeper: AccountAPI,
    on_step: StepHook | None = None,
) -> LotteryRoundOutcome:
    """Drive ``round_`` through sale, challenge, draw and settlement and check the result; ``on_step``
    hears each completed step. ``keeper`` proposes, draws (re-arming past missed windows, earning the draw
    bounty when it draws the seed) and finalizes."""
    outcome = LotteryRoundOutcome(round=round_)
    gas_start = len(client.gas_log)
    accounts = {bidder.address: bidder.account for bidder in bidders}

    def done(step: Step) -> None:
        if on_step is not None:
            on_step(step, outcome)

    client.advance_to(round_, Phase.COMMIT)  # the sale
    for bidder in bidders:
        for bundle, count in bidder.agent.orders(client, round_).items():
            client.buy(bidder.account, round_, bundle, count)
    outcome.purchases = client.purchases(round_)
    done(Step.SALE)

    client.advance_to(round_, Phase.CHALLENGE)
    submission = ClearingOperator(client, keeper).submit(round_)
    outcome.instance, outcome.clearing, outcome.proposed = (
        submission.instance,
        submission.clearing,
        submission.proposed,
    )
    done(Step.CHALLENGE)

    state = client.draw_state(round_)
    while not (state.drawn or state.voided):
        client.advance_to_block(state.target)
        client.draw(keeper, round_)
        state = client.draw_state(round_)
    outcome.draw = state
    done(Step.DRAW)

    client.advance_to(round_, Phase.SETTLE)
    client.finalize(keeper, round_)
    outcome.wins = client.wins(round_)
    outcome.payments = client.rollup_payments(round_)
    outcome.keeper_fees = client.keeper_fees(round_)
    outcome.sequencers = client.sequencers(round_)
    won = {w.bundle for w in outcome.wins}
    for buyer, bundle in sorted({(p.buyer, p.bundle) for p in outcome.purchases if p.bundle not in won}):
        amount = client.paid_by(round_, bundle, buyer)
        client.claim_refund(accounts[buyer], round_, bundle)
        outcome.refunds.append((buyer, bundle, amount))
    bundles = sorted({p.bundle for p in outcome.purchases})
    # The round's kept tickets move each bundle's base from round + 2 on; round + 1's base was fixed from
    # the rounds before this one (whose partition was not final when round + 1's sale opened).
    outcome.kept_tickets = {b: client.tickets_kept(round_, b) for b in bundles}
    outcome.next_base_prices = {b: client.base_price(b, round_ + 1) for b in bundles}
    outcome.later_base_prices = {b: client.base_price(b, round_ + 2) for b in bundles}
    outcome.gas = client.gas_log[gas_start:]
    check_lottery_round(client, outcome, [*accounts, keeper.address])
    done(Step.SETTLE)
    return outcome

"""The views an outside integrator reads instead of events: a commitment's state and a round's sales."""

from __future__ import annotations

import pytest

from seqmarket.chain.sealed_bid_client import CommitmentState
from seqmarket.protocol.rules import PaymentRule
from seqmarket.protocol.schedule import Phase
from seqmarket.rounds.operator import VcgOperator
from tests.support.onchain import commit_and_reveal, reverts_with, sealed_commit

UNIT = 10**15
A, B, C = 1, 2, 4


def test_commitment_state_follows_commit_and_reveal(market, bidders):
    first = sealed_commit(market, bidders[0], 0, A | B, 3 * UNIT, lock=5 * UNIT)
    second = sealed_commit(market, bidders[1], 0, C, 2 * UNIT)
    assert market.commitment_state(0, bidders[0].address, first.commitment) == CommitmentState(
        registered=True, revealed=False, lock=5 * UNIT, order=0
    )
    assert market.commitment_state(0, bidders[1].address, second.commitment).order == 1
    # A commitment is the bidder's own: the same hash under another bidder, or another round, is unknown.
    assert market.commitment_state(0, bidders[1].address, first.commitment) == CommitmentState(
        False, False, 0, 0
    )
    assert not market.commitment_state(1, bidders[0].address, first.commitment).registered
    market.advance_to(0, Phase.REVEAL)
    market.reveal(bidders[0], first)
    assert market.commitment_state(0, bidders[0].address, first.commitment) == CommitmentState(
        registered=True, revealed=True, lock=5 * UNIT, order=0
    )
    assert not market.commitment_state(0, bidders[1].address, second.commitment).revealed


@pytest.mark.parametrize("rule", [PaymentRule.FIRST_PRICE, PaymentRule.VCG])
def test_sales_view_matches_the_bundle_sold_events(make_market, bidders, operator, rule):
    """Listed bundles first, then singletons by index, each at the price BundleSold reported."""
    market = make_market(payment_rule=rule, challenge_blocks=8)
    commit_and_reveal(
        market,
        [
            (bidders[0], A | B, 30 * UNIT),
            (bidders[1], A | B, 20 * UNIT),
            (bidders[2], C, 8 * UNIT),
            (bidders[3], C, 6 * UNIT),
        ],
    )
    market.advance_to(0, Phase.CHALLENGE)
    if rule == PaymentRule.VCG:
        VcgOperator(market, operator).submit(0)
    else:
        market.propose(operator, 0, [A | B])
    market.advance_to(0, Phase.SETTLE)
    with reverts_with("RoundNotFinalized", round=0):
        market.contract.salesOf(0)
    assert market.sales(0) == []
    market.finalize(operator, 0)
    logged = [
        (int(log.bundle), str(log.winner), int(log.bid), int(log.price))
        for log in market._logs("BundleSold", 0)
    ]
    viewed = [(s.bundle, s.winner, s.bid, s.price) for s in market.sales(0)]
    assert viewed == logged
    expected_prices = (30, 8) if rule == PaymentRule.FIRST_PRICE else (20, 6)
    assert [(s.bundle, s.winner) for s in market.sales(0)] == [
        (A | B, bidders[0].address),
        (C, bidders[2].address),
    ]
    assert [s.price for s in market.sales(0)] == [p * UNIT for p in expected_prices]


def test_lottery_sales_view_matches_the_lottery_won_events(make_lottery, bidders, operator):
    lottery = make_lottery(lookahead=5)
    lottery.advance_to(0, Phase.COMMIT)
    lottery.buy(bidders[0], 0, A | B, 3)
    lottery.buy(bidders[1], 0, A | B, 2)
    lottery.buy(bidders[2], 0, C, 2)
    lottery.advance_to(0, Phase.CHALLENGE)
    lottery.propose(operator, 0, [A | B])
    lottery.advance_to_block(lottery.draw_state(0).target)
    lottery.draw(operator, 0)
    lottery.advance_to(0, Phase.SETTLE)
    lottery.finalize(operator, 0)
    logged = [
        (int(log.bundle), str(log.winner), int(log.ticket), int(log.revenue))
        for log in lottery._logs("LotteryWon", 0)
    ]
    assert [(w.bundle, w.winner, w.ticket, w.revenue) for w in lottery.wins(0)] == logged
    assert [(s.bundle, s.bid, s.price) for s in lottery.sales(0)] == [
        (A | B, lottery.revenues(0)[A | B], lottery.revenues(0)[A | B]),
        (C, lottery.revenues(0)[C], lottery.revenues(0)[C]),
    ]

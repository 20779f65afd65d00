"""Whole sealed-bid rounds with honest agents: overlapping rounds, and funds conserved to the wei at every
step."""

from __future__ import annotations

import random

from seqmarket.agents.honest import HonestBidder
from seqmarket.agents.valuation import SynergyValuation
from seqmarket.clearing import clear
from seqmarket.protocol.schedule import Phase
from seqmarket.rounds.operator import ClearingOperator
from seqmarket.rounds.participant import Participant
from seqmarket.rounds.sealed import commit_bids
from tests.support.onchain import books_balance


def _participants(bidders, n_rollups, rng):
    return [
        Participant(
            account,
            HonestBidder(f"b{k}", SynergyValuation.random(rng, n_rollups, mean_value=10**16), max_bids=3),
        )
        for k, account in enumerate(bidders)
    ]


def test_overlapping_rounds_conserve_funds(make_market, bidders, operator, rollup_payouts):
    """Round 1 takes commits while round 0 is in reveal and then challenge; both settle correctly."""
    rng = random.Random(2024)
    # Reveal shorter than commit: round 1 takes commits through round 0's reveal and challenge.
    market = make_market(reserves=(2 * 10**15, 0, 5 * 10**15, 10**15), commit_blocks=40, reveal_blocks=30)
    everyone = [*bidders, *rollup_payouts, operator]
    round0 = _participants(bidders[:4], 4, rng)
    round1 = _participants(bidders[2:6], 4, rng)  # two bidders take part in both rounds
    operator_ = ClearingOperator(market, operator)

    market.advance_to(0, Phase.COMMIT)
    sealed0 = [commit_bids(market, 0, bidder, rng) for bidder in round0]
    books_balance(market, everyone)

    market.advance_to(0, Phase.REVEAL)
    sealed1 = []
    for bidder0, bids0, bidder1 in zip(round0, sealed0, round1, strict=True):
        for sealed in bids0:
            market.reveal(bidder0.account, sealed)
        sealed1.append(commit_bids(market, 1, bidder1, rng))  # round 1 opened as round 0's commits closed
        assert (market.phase(0), market.phase(1)) == (Phase.REVEAL, Phase.COMMIT)
        books_balance(market, everyone)

    market.advance_to(0, Phase.CHALLENGE)
    clearing0 = operator_.submit(0).clearing
    assert (market.phase(0), market.phase(1)) == (Phase.CHALLENGE, Phase.COMMIT)

    market.advance_to(1, Phase.REVEAL)
    for bidder1, bids1 in zip(round1, sealed1, strict=True):
        for sealed in bids1:
            market.reveal(bidder1.account, sealed)
    market.advance_to(0, Phase.SETTLE)
    market.finalize(operator, 0)
    for bidder in round0:
        market.release(operator, 0, bidder.address)
    books_balance(market, everyone)

    market.advance_to(1, Phase.CHALLENGE)
    clearing1 = operator_.submit(1).clearing
    market.advance_to(1, Phase.SETTLE)
    market.finalize(operator, 1)
    for bidder in round1:
        market.release(operator, 1, bidder.address)
    books_balance(market, everyone)

    for round_, clearing in ((0, clearing0), (1, clearing1)):
        assert market.best_partition(round_) == (clearing.bundles, clearing.value)
        assert clearing == clear(market.instance(round_))
        revenue = sum(s.price for s in market.sales(round_))
        assert revenue == sum(p.amount for p in market.rollup_payments(round_)) > 0

    # Everyone withdraws everything: the market ends with exactly zero.
    for account in everyone:
        total, locked = market.collateral(account.address)
        assert locked == 0
        if total:
            market.withdraw_collateral(account, total)
        if market.credit(account.address):
            market.withdraw_credit(account)
    assert market.balance() == 0

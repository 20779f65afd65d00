"""Whole rounds with honest agents: overlapping rounds, and funds conserved to the wei at every step."""

from __future__ import annotations

import random

from conftest import books_balance

from seqmarket.agents.honest import HonestBidder
from seqmarket.agents.valuation import SynergyValuation
from seqmarket.chain.client import Phase
from seqmarket.clearing import clear
from seqmarket.operator import ClearingOperator


def _agents(bidders, n_rollups, rng):
    return [
        HonestBidder(f"b{k}", account, SynergyValuation.random(rng, n_rollups, mean_value=10**16), max_bids=3)
        for k, account in enumerate(bidders)
    ]


def test_overlapping_rounds_conserve_funds(make_market, bidders, operator, treasury, rollup_payouts):
    """Round 1 takes commits while round 0 is in reveal and then challenge; both settle correctly."""
    rng = random.Random(2024)
    # Reveal shorter than commit: round 1 takes commits through round 0's reveal and challenge.
    market = make_market(reserves=(2 * 10**15, 0, 5 * 10**15, 10**15), commit_blocks=40, reveal_blocks=30)
    everyone = [*bidders, *rollup_payouts, treasury, operator]
    round0 = _agents(bidders[:4], 4, rng)
    round1 = _agents(bidders[2:6], 4, rng)  # two bidders take part in both rounds
    operator_ = ClearingOperator(market, operator)

    market.advance_to(0, Phase.COMMIT)
    for agent in round0:
        agent.commit(market, 0, rng)
    books_balance(market, everyone)

    market.advance_to(0, Phase.REVEAL)
    for reveal0, commit1 in zip(round0, round1, strict=True):
        reveal0.reveal(market)
        commit1.commit(market, 1, rng)  # round 1 opened as round 0's commits closed
        assert (market.phase(0), market.phase(1)) == (Phase.REVEAL, Phase.COMMIT)
        books_balance(market, everyone)

    market.advance_to(0, Phase.CHALLENGE)
    _, clearing0, _ = operator_.submit(0)
    assert (market.phase(0), market.phase(1)) == (Phase.CHALLENGE, Phase.COMMIT)

    market.advance_to(1, Phase.REVEAL)
    for agent in round1:
        agent.reveal(market)
    market.advance_to(0, Phase.SETTLE)
    market.finalize(operator, 0)
    for agent in round0:
        market.release(operator, 0, agent.account.address)
    books_balance(market, everyone)

    market.advance_to(1, Phase.CHALLENGE)
    _, clearing1, _ = operator_.submit(1)
    market.advance_to(1, Phase.SETTLE)
    market.finalize(operator, 1)
    for agent in round1:
        market.release(operator, 1, agent.account.address)
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

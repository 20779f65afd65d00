"""The VCG operator on-chain: its proposal and W(-i) claims make the chain charge exactly the off-chain
VCG payments."""

from __future__ import annotations

import random

import pytest

from seqmarket.clearing import best_bids, rollups_of
from seqmarket.clearing.vcg import vcg
from seqmarket.protocol.rules import PaymentRule
from seqmarket.protocol.schedule import Phase
from seqmarket.protocol.vcg_charges import SoldBundle, vcg_charges
from seqmarket.rounds.operator import VcgOperator
from tests.support.onchain import books_balance, commit_and_reveal

UNIT = 10**15


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_on_chain_vcg_matches_python(make_market, bidders, operator, rollup_payouts, seed):
    """Random rounds: the operator's claims make the chain charge exactly Python's VCG payments, never
    above a bid; each bundle's price and claim bounty match the charges mirror to the wei (the bounty goes
    to the operator, who claimed); the books balance."""
    rng = random.Random(seed)
    market = make_market(
        reserves=tuple(rng.choice([0, 2 * UNIT]) for _ in range(4)),
        payment_rule=PaymentRule.VCG,
        commit_blocks=20,
        reveal_blocks=20,
        challenge_blocks=12,
    )
    plan = []
    for bidder in bidders[:6]:
        for bundle in rng.sample(range(1, 16), 2):
            plan.append((bidder, bundle, rng.randint(1, 12) * UNIT))
    commit_and_reveal(market, plan)
    market.advance_to(0, Phase.CHALLENGE)
    VcgOperator(market, operator).submit(0)
    expected = vcg(market.reserves(0), market.bids(0))
    market.advance_to(0, Phase.SETTLE)
    market.finalize(operator, 0)
    sales = market.sales(0)
    assert market.best_partition(0) == (expected.clearing.bundles, expected.clearing.value)
    paid: dict[str, int] = {}
    for sale in sales:
        assert sale.price <= sale.bid
        paid[sale.winner] = paid.get(sale.winner, 0) + sale.price
    assert paid == {p.bidder: p.payment for p in expected.payments}

    reserves, bids = market.reserves(0), market.bids(0)
    sold = [SoldBundle(sale.bundle, sale.winner, sale.bid) for sale in sales]
    dissolved = {
        winner: sum(
            max(reserves[r], without.get(1 << r, 0))
            for sale in sold
            if sale.winner == winner
            for r in rollups_of(sale.bundle)
        )
        for winner in paid
        for without in [{b: bid.amount for b, bid in best_bids(bids, exclude=winner).items()}]
    }
    claims = {winner: market.counterfactual_value(0, winner) for winner in paid}
    charges = vcg_charges(sold, expected.clearing.value, dissolved, claims, market.claim_bounty_bps)
    assert [s.price for s in sales] == [c.price for c in charges]
    fees = {fee.bundle: fee for fee in market.keeper_fees(0)}
    assert {b: f.amount for b, f in fees.items()} == {
        sale.bundle: c.bounty for sale, c in zip(sales, charges, strict=True) if c.bounty
    }
    assert {f.keeper for f in fees.values()} <= {operator.address}
    credited = sum(p.amount for p in market.rollup_payments(0)) + sum(f.amount for f in fees.values())
    assert credited == sum(s.price for s in sales)
    books_balance(market, [*bidders, *rollup_payouts, operator])

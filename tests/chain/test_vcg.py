"""VCG payments verified on-chain: W(-i) claimed by counterfactual partitions, raised by challengers."""

from __future__ import annotations

import pytest

from seqmarket.protocol.revenue import split
from seqmarket.protocol.rules import PaymentRule
from seqmarket.protocol.schedule import Phase
from seqmarket.rounds.operator import VcgOperator
from tests.support.onchain import books_balance, commit_and_reveal, next_tx_at, phase_edges, reverts_with

UNIT = 10**15
A, B, C, D = 1, 2, 4, 8


@pytest.fixture
def vcg_market(make_market):
    return make_market(payment_rule=PaymentRule.VCG, challenge_blocks=8)


def test_seed_example_pays_24_9_on_chain(vcg_market, bidders, operator, rollup_payouts):
    """A+B bid 25 beats A 10 and B 14.9; the A+B winner pays W(-3) - (W - 25) = 24.9 - 0."""
    market = vcg_market
    b1, b3, b4 = bidders[0], bidders[2], bidders[3]
    commit_and_reveal(market, [(b1, A, 10 * UNIT), (b3, A | B, 25 * UNIT), (b4, B, 149 * UNIT // 10)])
    market.advance_to(0, Phase.CHALLENGE)
    VcgOperator(market, operator).submit(0)
    assert market.best_partition(0) == ((A | B,), 25 * UNIT)
    assert market.counterfactual_value(0, b3.address) == 249 * UNIT // 10
    market.advance_to(0, Phase.SETTLE)
    market.finalize(operator, 0)
    [sale] = market.sales(0)
    assert (sale.winner, sale.bid, sale.price) == (b3.address, 25 * UNIT, 249 * UNIT // 10)
    credits = [market.credit(p.address) for p in rollup_payouts[:2]]
    assert credits == split(249 * UNIT // 10, [10 * UNIT, 149 * UNIT // 10])
    for bidder in (b1, b3, b4):
        market.release(operator, 0, bidder.address)
    assert market.collateral(b3.address) == (UNIT // 10, 0)  # locked 25, paid 24.9
    books_balance(market, [*bidders, *rollup_payouts])


def test_low_counterfactual_is_raised_by_a_challenger(vcg_market, bidders, operator, rollup_payouts):
    """The operator under-claims W(-x) (cheaper for x); a rollup raises it and x pays the true VCG price."""
    market = vcg_market
    x, y, z, w, v = bidders[:5]
    commit_and_reveal(
        market,
        [
            (x, A | B | C, 30 * UNIT),
            (y, A | B, 16 * UNIT),
            (z, C, 8 * UNIT),
            (w, A, 5 * UNIT),
            (v, B | C, 18 * UNIT),
        ],
    )
    market.advance_to(0, Phase.CHALLENGE)
    market.propose(operator, 0, [A | B | C])
    market.claim_counterfactual(operator, 0, x.address, [B | C])  # A 5 + B+C 18 = 23
    assert market.counterfactual_value(0, x.address) == 23 * UNIT
    with reverts_with("NotBetter", value=13 * UNIT, best=23 * UNIT):
        market.claim_counterfactual(rollup_payouts[0], 0, x.address, [])  # singletons: 5 + 8
    receipt = market.claim_counterfactual(rollup_payouts[0], 0, x.address, [A | B])  # 16 + 8 = 24
    [log] = receipt.decode_logs()
    assert (log.event_name, log.bidder, log.claimant, log.value) == (
        "CounterfactualClaimed",
        x.address,
        rollup_payouts[0].address,
        24 * UNIT,
    )
    market.advance_to(0, Phase.SETTLE)
    market.finalize(operator, 0)
    [sale] = market.sales(0)
    assert (sale.bid, sale.price) == (30 * UNIT, 24 * UNIT)


def test_counterfactual_worth_more_than_w_replaces_the_partition(vcg_market, bidders, operator, outsider):
    """A counterfactual beating W proves W suboptimal: it becomes the round's partition."""
    market = vcg_market
    x, y, z = bidders[:3]
    commit_and_reveal(market, [(x, A | B, 20 * UNIT), (y, C | D, 15 * UNIT), (z, A | B, 19 * UNIT)])
    market.advance_to(0, Phase.CHALLENGE)
    market.propose(operator, 0, [A | B])  # leaves C+D out: W = 20
    receipt = market.claim_counterfactual(outsider, 0, x.address, [A | B, C | D])  # without x: 19 + 15
    assert [log.event_name for log in receipt.decode_logs()] == ["CounterfactualClaimed", "PartitionProposed"]
    assert market.best_partition(0) == ((A | B, C | D), 35 * UNIT)  # valued with x's bid: 20 + 15
    market.advance_to(0, Phase.SETTLE)
    market.finalize(operator, 0)
    prices = {s.winner: s.price for s in market.sales(0)}
    # x: W(-x) = 34 claimed, W - b_x = 15: pays 19. y: no claim, floor W - 15 = 20 stands: pays 0.
    assert prices == {x.address: 19 * UNIT, y.address: 0}


def test_first_price_market_takes_no_counterfactuals(market, bidders, operator):
    commit_and_reveal(market, [(bidders[0], A | B, UNIT)])
    market.advance_to(0, Phase.CHALLENGE)
    with reverts_with("VcgDisabled"):
        market.claim_counterfactual(operator, 0, bidders[0].address, [])


def test_counterfactual_rules(vcg_market, bidders, operator):
    market = vcg_market
    x, y = bidders[:2]
    commit_and_reveal(market, [(x, A | B, 9 * UNIT), (x, C | D, 3 * UNIT), (y, C | D, 2 * UNIT)])
    _, last_reveal = phase_edges(market, 0, Phase.REVEAL)
    _, last = phase_edges(market, 0, Phase.CHALLENGE)
    next_tx_at(last_reveal)
    with reverts_with("WrongPhase", expected=int(Phase.CHALLENGE), actual=int(Phase.REVEAL)):
        market.claim_counterfactual(operator, 0, x.address, [C | D])
    with reverts_with("ZeroBidder"):
        market.claim_counterfactual(operator, 0, "0x" + "00" * 20, [C | D])
    with reverts_with("NoBidForBundle", bundle=A | B):
        market.claim_counterfactual(operator, 0, x.address, [A | B])  # only x bid on A+B
    market.claim_counterfactual(operator, 0, x.address, [C | D])  # y's 2 stands in for x's 3
    assert market.counterfactual_value(0, x.address) == 2 * UNIT
    next_tx_at(last + 1)
    with reverts_with("WrongPhase", expected=int(Phase.CHALLENGE), actual=int(Phase.SETTLE)):
        market.claim_counterfactual(operator, 0, y.address, [])


def test_vcg_payment_spread_never_charges_a_bundle_above_its_bid(vcg_market, bidders, operator):
    """x wins R0 (bid 1 wei), R1 and R2 (1000 each, tied with y and z who committed later); W(-x) = 2000 and
    W - b_x = 0, so x pays 2000 over bids of 1, 1000, 1000: no bundle may be charged more than its bid."""
    market = vcg_market
    x, y, z = bidders[:3]
    commit_and_reveal(market, [(x, A, 1), (x, B, 1000), (x, C, 1000), (y, B, 1000), (z, C, 1000)])
    market.advance_to(0, Phase.CHALLENGE)
    claims = VcgOperator(market, operator).submit(0).counterfactuals
    assert claims[x.address] == 2000
    market.advance_to(0, Phase.SETTLE)
    market.finalize(operator, 0)
    sales = {s.bundle: (s.bid, s.price) for s in market.sales(0)}
    assert sales == {A: (1, 1), B: (1000, 1000), C: (1000, 999)}

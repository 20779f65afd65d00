"""Finalize and release: phase edges, payments, the corrected revenue split, penalties, sequencerOf,
and the books balancing to the wei."""

from __future__ import annotations

from seqmarket.protocol.revenue import split
from seqmarket.protocol.rules import SplitRule
from seqmarket.protocol.schedule import Phase
from tests.support.onchain import (
    books_balance,
    commit_and_reveal,
    next_tx_at,
    phase_edges,
    reverts_with,
    sealed_commit,
)

R0, R1, R2, R3 = 1, 2, 4, 8
MILLI = 10**15


def test_finalize_phase_edges_and_once_only(market, bidders, operator, outsider):
    commit_and_reveal(market, [(bidders[0], R0, 5 * MILLI)])
    _, last_challenge = phase_edges(market, 0, Phase.CHALLENGE)
    next_tx_at(last_challenge)
    with reverts_with("WrongPhase", round=0, expected=int(Phase.SETTLE), actual=int(Phase.CHALLENGE)):
        market.finalize(operator, 0)
    market.finalize(outsider, 0)  # anyone may finalize, on the first settle block
    with reverts_with("AlreadyFinalized", round=0):
        market.finalize(operator, 0)


def test_singleton_partition_stands_without_proposal(make_market, bidders, operator, rollup_payouts):
    """No proposal: singleton bids at or above reserve sell; a bundle bid, however high, does not."""
    market = make_market(reserves=(4 * MILLI, 4 * MILLI, 0, 0))
    commit_and_reveal(
        market,
        [
            (bidders[0], R0, 4 * MILLI),  # exactly the reserve: sells
            (bidders[1], R1, 3 * MILLI),  # below the reserve: unsold
            (bidders[2], R2 | R3, 90 * MILLI),  # nobody proposed it
        ],
    )
    market.advance_to(0, Phase.SETTLE)
    market.finalize(operator, 0)
    assert market.sales(0)[0].bundle == R0 and len(market.sales(0)) == 1
    zero = "0x" + "00" * 20
    assert [market.sequencer_of(0, i) for i in range(4)] == [bidders[0].address, zero, zero, zero]
    assert market.credit(rollup_payouts[0].address) == 4 * MILLI


def test_first_price_payments_and_split_by_singleton_bids(market, bidders, operator, rollup_payouts):
    """Winner of R0+R1+R2 pays its bid; rollups share it in proportion to max(singleton bid, reserve)."""
    bids = [
        (bidders[0], R0 | R1 | R2, 100 * MILLI + 1),
        (bidders[1], R0, 10 * MILLI),
        (bidders[2], R1, 20 * MILLI),
        (bidders[3], R2, 7 * MILLI),
        (bidders[3], R3, 2 * MILLI),
    ]
    commit_and_reveal(market, bids)
    market.advance_to(0, Phase.CHALLENGE)
    market.propose(operator, 0, [R0 | R1 | R2])
    market.advance_to(0, Phase.SETTLE)
    market.finalize(operator, 0)
    for bidder in bidders[:4]:
        market.release(operator, 0, bidder.address)

    shares = split(100 * MILLI + 1, [10 * MILLI, 20 * MILLI, 7 * MILLI])
    credits = [market.credit(p.address) for p in rollup_payouts]
    assert credits == [*shares, 2 * MILLI]
    assert sum(shares) == 100 * MILLI + 1
    # Bundle winner paid exactly its bid; the R3 singleton winner paid its bid.
    assert market.collateral(bidders[0].address) == (0, 0)
    assert market.collateral(bidders[3].address) == (7 * MILLI, 0)
    assert market.contract.resultOf(0).revenue == 102 * MILLI + 1
    books_balance(market, [*bidders, *rollup_payouts])


def test_split_by_reserves_ignores_self_bids(make_market, bidders, operator, rollup_payouts):
    """Reserve weighting: a rollup bidding on itself (shilling) cannot raise its share of a bundle."""
    market = make_market(reserves=(1 * MILLI, 3 * MILLI, 0, 0), split_rule=SplitRule.RESERVES)
    shill = rollup_payouts[0]  # rollup 0's own account bids on rollup 0 to inflate its weight
    commit_and_reveal(market, [(bidders[0], R0 | R1, 40 * MILLI), (shill, R0, 30 * MILLI)])
    market.advance_to(0, Phase.CHALLENGE)
    market.propose(operator, 0, [R0 | R1])
    market.advance_to(0, Phase.SETTLE)
    market.finalize(operator, 0)
    assert market.credit(rollup_payouts[0].address) == 10 * MILLI
    assert market.credit(rollup_payouts[1].address) == 30 * MILLI


def test_split_never_exceeds_revenue_when_reserve_beats_singleton_bid(
    make_market, bidders, operator, rollup_payouts
):
    """The seed's formula would pay R0 max(1, 50) + (60 - 11)/11 * 1 plus R1 10 + (49/11)*10: 109.5 > 60.
    The corrected split pays exactly the 60 the winner paid, weighted 50:10."""
    market = make_market(reserves=(50 * MILLI, 0, 0, 0))
    commit_and_reveal(
        market, [(bidders[0], R0 | R1, 61 * MILLI), (bidders[1], R0, 1 * MILLI), (bidders[2], R1, 10 * MILLI)]
    )
    market.advance_to(0, Phase.CHALLENGE)
    market.propose(operator, 0, [R0 | R1])
    market.advance_to(0, Phase.SETTLE)
    market.finalize(operator, 0)
    paid = [market.credit(p.address) for p in rollup_payouts[:2]]
    assert paid == split(61 * MILLI, [50 * MILLI, 10 * MILLI])
    assert sum(paid) == 61 * MILLI


def test_bundle_without_any_weight_splits_equally(market, bidders, operator, rollup_payouts):
    """No singleton bids and zero reserves: equal shares, the 2-wei remainder to the lowest rollup."""
    commit_and_reveal(market, [(bidders[0], R0 | R1 | R2, 10 * MILLI + 1)])
    market.advance_to(0, Phase.CHALLENGE)
    market.propose(operator, 0, [R0 | R1 | R2])
    market.advance_to(0, Phase.SETTLE)
    market.finalize(operator, 0)
    credits = [market.credit(p.address) for p in rollup_payouts[:3]]
    assert credits == [3333333333333335, 3333333333333333, 3333333333333333]
    assert credits == split(10 * MILLI + 1, [0, 0, 0])


def test_unrevealed_commitments_forfeit_their_locks_to_the_rollups(market, bidders, operator, rollup_payouts):
    revealed = sealed_commit(market, bidders[0], 0, R0, 5 * MILLI, lock=8 * MILLI)
    sealed_commit(market, bidders[0], 0, R1, 6 * MILLI, lock=8 * MILLI)  # never revealed
    sealed_commit(market, bidders[1], 0, R1, 6 * MILLI, lock=7 * MILLI)  # never revealed
    market.advance_to(0, Phase.REVEAL)
    market.reveal(bidders[0], revealed)
    market.advance_to(0, Phase.SETTLE)
    market.finalize(operator, 0)
    market.release(operator, 0, bidders[0].address)
    market.release(operator, 0, bidders[1].address)
    # bidder0: 16 deposited, paid 5 for R0, forfeits the 8 behind R1; bidder1: 7 deposited, 7 forfeited.
    assert market.collateral(bidders[0].address) == (16 * MILLI - 5 * MILLI - 8 * MILLI, 0)
    assert market.collateral(bidders[1].address) == (0, 0)
    assert market.forfeits(0) == 15 * MILLI
    paid = [market.credit(p.address) for p in rollup_payouts]
    market.distribute_forfeits(bidders[2], 0)  # anyone may distribute
    shares = [market.credit(p.address) - before for p, before in zip(rollup_payouts, paid, strict=True)]
    assert shares == split(15 * MILLI, [0, 0, 0, 0])  # equal shares, remainder to rollup 0
    with reverts_with("NoForfeits", round=0):
        market.distribute_forfeits(operator, 0)
    with reverts_with("AlreadyReleased", round=0, bidder=bidders[1].address):
        market.release(operator, 0, bidders[1].address)
    with reverts_with("NothingToRelease", round=0, bidder=bidders[2].address):
        market.release(operator, 0, bidders[2].address)
    books_balance(market, [*bidders, *rollup_payouts])


def test_sequencer_of_errors(market, bidders, operator):
    commit_and_reveal(market, [(bidders[0], R0, 5 * MILLI)])
    with reverts_with("RoundNotFinalized", round=0):
        market.contract.sequencerOf(0, 0)
    market.advance_to(0, Phase.SETTLE)
    market.finalize(operator, 0)
    with reverts_with("UnknownRollup", rollup=4):
        market.contract.sequencerOf(0, 4)
    assert market.sequencer_of(0, 0) == bidders[0].address

"""The seed's last-look scenario under commit-reveal: Bidder 4 cannot act on Bidder 3's bid.

Seed: Bidder 1 bids 10 on A, Bidder 2 bids 8 on B, Bidder 3 bids 25 on A+B. With open bids, Bidder 4
would see the 25 and bid 14.9 on B. Sealed, there is nothing to see until commits are closed.
"""

from __future__ import annotations

from seqmarket.clearing import clear
from seqmarket.protocol.commitment import SealedBid
from seqmarket.protocol.revenue import split
from seqmarket.protocol.schedule import Phase
from tests.support.onchain import books_balance, reverts_with, sealed_commit

UNIT = 10**15  # one seed "unit"
A, B = 0b01, 0b10


def test_bidder4_cannot_act_on_bidder3s_bid(make_market, bidders, operator, rollup_payouts):
    market = make_market(reserves=(0, 0))
    b1, b2, b3, b4 = bidders[:4]
    lock = 40 * UNIT  # same public lock for everyone: it says nothing about the amounts
    s1 = sealed_commit(market, b1, 0, A, 10 * UNIT, lock)
    s2 = sealed_commit(market, b2, 0, B, 8 * UNIT, lock)
    s3 = sealed_commit(market, b3, 0, A | B, 25 * UNIT, lock)

    # During commit, Bidder 4 sees commitments and equal locks only: no bundle, no amount on chain.
    for bundle in (A, B, A | B):
        best, second = market.top_bids(0, bundle)
        assert best.amount == 0 and second.amount == 0
    committed = market.contract.Committed.range(market.round_start(0), market.round_start(0) + 50)
    assert {int(log.lock) for log in committed} == {lock}
    # Bidder 4 must commit blind; it hedges with two sealed bids on B.
    hedge_low = sealed_commit(market, b4, 0, B, 9 * UNIT, lock)
    hedge_high = sealed_commit(market, b4, 0, B, 149 * UNIT // 10, lock)

    market.advance_to(0, Phase.REVEAL)
    for bidder, sealed in ((b1, s1), (b2, s2), (b3, s3)):
        market.reveal(bidder, sealed)
    assert market.top_bids(0, A | B)[0].amount == 25 * UNIT  # now Bidder 4 can see the 25...

    # ...but can no longer bid on it,
    late = market.seal(b4, 0, B, 149 * UNIT // 10, lock)
    with reverts_with("WrongPhase", round=0, expected=int(Phase.COMMIT), actual=int(Phase.REVEAL)):
        market.commit(b4, late, value=lock)
    # nor open a commitment to an amount it did not commit to,
    with reverts_with("UnknownCommitment"):
        market.reveal(b4, SealedBid(**{**hedge_low.__dict__, "amount": 149 * UNIT // 10}))
    # and choosing which hedge to open forfeits the whole lock of the other one.
    market.reveal(b4, hedge_high)

    market.advance_to(0, Phase.CHALLENGE)
    optimum = clear(market.instance(0))
    assert optimum.bundles == (A | B,) and optimum.value == 25 * UNIT  # 10 + 14.9 = 24.9 < 25
    market.propose(operator, 0, optimum.bundles)
    market.advance_to(0, Phase.SETTLE)
    market.finalize(operator, 0)
    for bidder in (b1, b2, b3, b4):
        market.release(operator, 0, bidder.address)

    assert [market.sequencer_of(0, i) for i in (0, 1)] == [b3.address, b3.address]
    assert market.collateral(b3.address) == (lock - 25 * UNIT, 0)
    assert market.collateral(b4.address) == (2 * lock - lock, 0)  # the unopened hedge's lock is gone
    assert market.forfeits(0) == lock
    market.distribute_forfeits(operator, 0)  # ...to the rollups, in equal shares
    revenue = split(25 * UNIT, [10 * UNIT, 149 * UNIT // 10])
    assert [market.credit(p.address) for p in rollup_payouts[:2]] == [share + lock // 2 for share in revenue]
    books_balance(market, [*bidders, *rollup_payouts])

"""The agents' decisions, without a chain: what the honest bidder seals and what the lottery bidder buys."""

from __future__ import annotations

import random
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from seqmarket.agents.honest import HonestBidder
from seqmarket.agents.lottery import LotteryBidder, tickets_worth_buying
from seqmarket.agents.valuation import SynergyValuation
from seqmarket.clearing import rollups_of
from seqmarket.protocol.pricing import PriceCurve


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 10**6), min_lock=st.integers(0, 10**17), shading=st.sampled_from([0.0, 0.1, 0.3]))
def test_honest_plans_bid_shaded_values_behind_larger_locks(seed, min_lock, shading):
    rng = random.Random(seed)
    valuation = SynergyValuation.random(rng, 6, mean_value=10**17)
    bidder = HonestBidder("h", valuation, shading=shading, max_bids=3)
    plans = bidder.plan(rng, min_lock)
    assert 1 <= len(plans) <= 3
    for plan in plans:
        assert plan.bundle & ~valuation.interest == 0  # only rollups it values
        assert plan.amount == int(valuation.value(plan.bundle) * (1 - shading))
        assert plan.lock > plan.amount and plan.lock >= min_lock  # the lock hides the bid, meets the minimum


def test_bigger_bundles_come_first():
    valuation = SynergyValuation(standalone=(10, 20, 30, 0), synergy=0.5, interest=0b0111)
    plans = HonestBidder("h", valuation, max_bids=2).plan(random.Random(0), min_lock=0)
    assert [len(rollups_of(p.bundle)) for p in plans] == [3, 2]


@settings(max_examples=100, deadline=None)
@given(
    value=st.integers(0, 10**18),
    base=st.integers(1, 10**17),
    sold=st.integers(0, 20),
)
def test_tickets_worth_buying_stops_where_a_ticket_costs_more_than_it_adds(value, base, sold):
    curve = PriceCurve(10)
    count = tickets_worth_buying(value, curve, base, sold)
    assert 0 <= count <= curve.max_tickets - sold
    rivals = max(sold, curve.target // 2)
    for k in range(count):  # every ticket bought added at least its price in win probability
        gain = value * (k + 1) // (rivals + k + 1) - (value * k // (rivals + k) if k else 0)
        assert gain >= curve.ticket_price(base, sold + k + 1)


@dataclass
class Book:
    """A sale as a buyer sees it: the curve, a base price and tickets sold per bundle."""

    price_curve: PriceCurve
    sold: dict[int, int]

    def base_price(self, bundle: int, round_: int) -> int:
        return 10**15

    def tickets_sold(self, round_: int, bundle: int) -> int:
        return self.sold.get(bundle, 0)


def test_lottery_orders_target_the_most_valuable_bundles():
    valuation = SynergyValuation(standalone=(10**17, 10**17, 0), synergy=0.3, interest=0b011)
    bidder = LotteryBidder("l", valuation, max_bundles=2)
    orders = bidder.orders(Book(PriceCurve(10), sold={}), round_=0)
    assert set(orders) <= set(bidder.targets()) and bidder.targets()[0] == 0b011
    assert orders[0b011] > 0
    sold_out = bidder.orders(Book(PriceCurve(10), sold={0b011: 20, 0b001: 20}), round_=0)
    assert 0b011 not in sold_out and 0b001 not in sold_out

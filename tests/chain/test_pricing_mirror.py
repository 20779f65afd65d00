"""The Python price curves and base-price update against the Solidity library, to the wei (hypothesis)."""

from __future__ import annotations

import pytest
from ape import project
from hypothesis import given, settings
from hypothesis import strategies as st

from seqmarket.protocol.pricing import (
    MAX_BASE,
    MAX_BETA,
    MAX_GAMMA,
    Curve,
    PriceCurve,
    decay,
    exp_wad,
    next_base,
)
from seqmarket.protocol.schedule import Phase

bases = st.integers(1, MAX_BASE)
targets = st.integers(2, 400)


@pytest.fixture(scope="module")
def harness(accounts):
    return project.TicketPricingHarness.deploy(sender=accounts[0])


@pytest.mark.parametrize("curve", list(Curve))
def test_ticket_prices_match_the_contract(harness, curve):
    @settings(max_examples=120, deadline=None)
    @given(
        base=bases,
        target=targets,
        data=st.data(),
        beta=st.integers(0, MAX_BETA),
        gamma=st.integers(0, MAX_GAMMA),
    )
    def check(base, target, data, beta, gamma):
        k = data.draw(st.integers(1, 2 * target))
        mirror = PriceCurve(target, curve, beta, gamma)
        assert mirror.ticket_price(base, k) == harness.ticketPrice(int(curve), base, target, k, beta, gamma)

    check()


@pytest.mark.parametrize("curve", list(Curve))
def test_costs_match_the_contract(harness, curve):
    @settings(max_examples=60, deadline=None)
    @given(base=bases, target=st.integers(2, 60), data=st.data())
    def check(base, target, data):
        sold = data.draw(st.integers(0, 2 * target - 1))
        count = data.draw(st.integers(1, 2 * target - sold))
        mirror = PriceCurve(target, curve)
        assert mirror.cost(base, sold, count) == harness.cost(
            int(curve), base, target, sold, count, mirror.beta, mirror.gamma
        )

    check()


def test_base_price_update_matches_the_contract(harness):
    @settings(max_examples=150, deadline=None)
    @given(base=bases, target=targets, data=st.data(), floor=st.integers(1, 10**18))
    def check(base, target, data, floor):
        sold = data.draw(st.integers(0, 2 * target))
        rounds = data.draw(st.integers(0, 2000))
        assert next_base(base, sold, target, floor) == harness.nextBase(base, sold, target, floor)
        assert decay(base, rounds, target, floor) == harness.decay(base, rounds, target, floor)

    check()


def test_exp_matches_the_contract(harness):
    @settings(max_examples=80, deadline=None)
    @given(x=st.integers(0, MAX_GAMMA))
    def check(x):
        assert exp_wad(x) == harness.expWad(x)

    check()


@pytest.mark.parametrize("curve", list(Curve))
def test_deployed_lottery_quotes_match_the_mirror(make_lottery, bidders, curve):
    """The deployed LotteryMarket's quotes, after real purchases, equal the mirror's costs."""
    lottery = make_lottery(curve=curve, target_tickets=10, reserves=(3 * 10**15, 10**15, 0, 0))
    lottery.advance_to(0, Phase.COMMIT)
    mirror = lottery.price_curve
    bought = {0b0001: 4, 0b0011: 14, 0b0110: 17, 0b1000: 0}
    for bundle, count in bought.items():
        if count:
            lottery.buy(bidders[0], 0, bundle, count)

    @settings(max_examples=40, deadline=None)
    @given(bundle=st.sampled_from(sorted(bought)), data=st.data())
    def check(bundle, data):
        sold = bought[bundle]
        count = data.draw(st.integers(1, 2 * mirror.target - sold))
        base = lottery.base_price(bundle, 0)
        assert lottery.quote(0, bundle, count) == mirror.cost(base, sold, count)

    check()

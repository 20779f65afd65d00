"""Properties of the ticket price curves and the base-price update (the mirror; tests/chain holds it
against the contract)."""

from __future__ import annotations

import pytest

from seqmarket.protocol.pricing import LN2_WAD, WAD, Curve, PriceCurve, decay, exp_wad, next_base


@pytest.mark.parametrize("curve", list(Curve))
def test_default_curves_end_at_twice_the_base(curve):
    """Flat to 1.5T, rising after, at 2p on ticket 2T (the exponential one wei short from rounding)."""
    base, target = 10**15, 40
    prices = [PriceCurve(target, curve).ticket_price(base, k) for k in range(1, 2 * target + 1)]
    assert prices[: 3 * target // 2] == [base] * (3 * target // 2)
    assert all(a < b for a, b in zip(prices[3 * target // 2 - 1 :], prices[3 * target // 2 :], strict=False))
    assert 2 * base - 1 <= prices[-1] <= 2 * base


def test_eip1559_moves_at_most_an_eighth_and_respects_the_floor():
    assert next_base(800, 20, 10, 1) == 900  # sold 2T: +12.5%
    assert next_base(800, 0, 10, 1) == 700  # sold nothing: -12.5%
    assert next_base(800, 10, 10, 1) == 800  # on target: unchanged
    assert next_base(800, 0, 10, 750) == 750
    assert decay(10**18, 10**9, 10, 100) == 100  # many empty rounds: the floor, in bounded steps
    assert decay(7, 10**9, 10, 5) == 7  # below 8 wei an eighth rounds to zero: the price stops moving


def test_exponential_default_is_ln2():
    assert abs(exp_wad(LN2_WAD) - 2 * WAD) < 100

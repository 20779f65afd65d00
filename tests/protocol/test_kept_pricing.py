"""The base price on kept tickets (protocol/pricing.base_in_round) against its definition, step by step: a
bundle no round kept tickets of is at its starting price; from the first round K that kept some, one
EIP-1559 step per round q from K to round - 2 on the tickets q kept. tests/chain holds the mirror against
the contract (every lottery round's checks, tests/chain/test_lottery_econ.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqmarket.errors import InvalidInput
from seqmarket.protocol.pricing import base_in_round, next_base

T, FLOOR = 4, 10**12


def _by_definition(kept: dict[int, int], round_: int, starting) -> int:
    counted = [q for q in range(round_ - 1) if kept.get(q, 0)]
    if not counted:
        return starting(round_)
    base = starting(counted[0])
    for q in range(counted[0], round_ - 1):
        base = next_base(base, kept.get(q, 0), T, FLOOR)
    return base


@settings(max_examples=300, deadline=None)
@given(
    kept=st.dictionaries(st.integers(0, 30), st.integers(0, 2 * T), max_size=8),
    round_=st.integers(0, 40),
    start=st.integers(FLOOR, 10**18),
    drift=st.integers(0, 10**15),
)
def test_base_in_round_is_its_definition(kept, round_, start, drift):
    def starting(q: int) -> int:  # reserves may change between rounds: so may the starting price
        return start + q * drift

    assert base_in_round(kept, round_, starting, T, FLOOR) == _by_definition(kept, round_, starting)


def test_refunded_rounds_leave_no_trace_and_the_last_two_rounds_wait():
    def start(_: int) -> int:
        return 2 * 10**15

    assert base_in_round({0: 0, 3: 0}, 6, start, T, FLOOR) == 2 * 10**15  # all refunded: as never sold
    assert base_in_round({5: 8}, 6, start, T, FLOOR) == 2 * 10**15  # round 5 not final when 6 opens
    assert base_in_round({5: 8}, 7, start, T, FLOOR) == 2 * 10**15 * 9 // 8  # a win raises it from 7 on
    assert base_in_round({5: 8, 6: 0}, 8, start, T, FLOOR) == 2 * 10**15 * 9 // 8 * 7 // 8  # then decays


def test_a_negative_round_is_refused():
    with pytest.raises(InvalidInput):
        base_in_round({}, -1, lambda _: FLOOR, T, FLOOR)

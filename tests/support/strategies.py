"""Hypothesis strategies shared by the pure tests."""

from __future__ import annotations

from hypothesis import strategies as st

from seqmarket.clearing import Bid


@st.composite
def bid_rounds(draw: st.DrawFn, max_n: int = 6, max_amount: int = 40) -> tuple[tuple[int, ...], list[Bid]]:
    """Small random rounds for the off-chain clearing: reserves and bids from four bidders."""
    n = draw(st.integers(1, max_n))
    reserves = tuple(draw(st.lists(st.integers(0, 10), min_size=n, max_size=n)))
    count = draw(st.integers(0, 3 * n))
    bids = [
        Bid(
            draw(st.sampled_from("abcd")), draw(st.integers(1, 2**n - 1)), draw(st.integers(1, max_amount)), k
        )
        for k in range(count)
    ]
    return reserves, bids

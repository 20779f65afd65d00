"""CATS scheduling with the CATS generator's defaults (v2.1, scheduling.cpp).

Goods are time slots 0..n-1 of one machine. A bidder's job needs l ~ U{1..10} consecutive slots
(max_length 10, whatever n); its first deadline d1 ~ U{l-1..n-1}, and while a coin of probability 0.7
says so (and the last slot is not reached) a later deadline d ~ U{previous + 1..n-1}. It bids on
every window of l slots that ends by a deadline and not by an earlier one, at dev * l^1.2 * d1 / d
(dev ~ U[0.5, 1.5], additivity 0.2): one XOR set per bidder. Bidders are drawn until the bid set
holds ``bids`` bids (CATS stops after the bidder that reaches it, so a few more may be kept).
"""

from __future__ import annotations

import numpy as np

from seqmarket.clearing.generators.bidset import BidSet

MAX_LENGTH = 10
DEVIATION = 0.5
ADDITIONAL_DEADLINE = 0.7
ADDITIVITY = 0.2


def scheduling(goods: int, bids: int, rng: np.random.Generator, dominance: bool) -> BidSet:
    """Scheduling bidders until the bid set holds ``bids`` bids."""
    out = BidSet(goods, dominance)
    longest = min(MAX_LENGTH, goods)
    while len(out) < bids:
        length = 1 + int(rng.integers(longest))
        first = length - 1 + int(rng.integers(goods - length + 1))
        dev = 1 - DEVIATION + 2 * float(rng.random()) * DEVIATION
        met = -1  # the latest deadline whose windows are already bid on
        due = first
        while True:
            for start in range(goods):
                end = start + length - 1
                if end <= due and met < end:
                    mask = ((1 << length) - 1) << start
                    # d1 = 0 (a one-slot job due at slot 0) prices its windows at 0: dropped when converted
                    out.add_xor(mask, dev * length ** (1 + ADDITIVITY) * first / due if due else 0.0)
            met = due
            if met == goods - 1:
                break
            due = met + 1 + int(rng.integers(goods - met - 1))
            if not rng.random() <= ADDITIONAL_DEADLINE:
                break
        out.done_xor()
    return out

"""CATS's legacy distributions (L2, L3, L4, L6, L7) with the CATS generator's defaults.

Facts from the CATS generator (v2.1, Legacy.cpp): every bid is its own bidder's, on distinct goods
drawn uniformly; sizes and prices with its default parameters:
  L2 size uniform on 1..n,                          price U[1, 1000] * size  ("linear random")
  L3 size 3,                                        price U[0, 1000]         ("fixed random")
  L4 size: count the draws of U[0, 1] <= 0.55 before the first one above (at most n; 0 draws again),
                                                    price U[1, 1000] * size
  L6 size 1 + floor(-5 ln(1 - (1 - e^(-n/5)) U))   (exponential, q = 5), price U[1, 1000] * size
  L7 every good with probability 0.2 (none: again), price U[1, 1000] * size
Bids are added one at a time with the dominance check on (CATS's default), so no bundle is bid twice
and no bid survives next to a sub-bundle bid at least as high; bids are drawn until ``bids`` remain.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from seqmarket.clearing.generators.bidset import BidSet

LOW_LINEAR, HIGH_LINEAR = 1.0, 1000.0
LOW_FIXED, HIGH_FIXED = 0.0, 1000.0
L3_SIZE = 3
DECAY_ALPHA = 0.55
EXPONENTIAL_Q = 5.0
BINOMIAL_P = 0.2
MAX_TRIES_PER_BID = 1000  # CATS would loop forever; a bid count out of reach is an input error


def _linear(size: int, rng: np.random.Generator) -> float:
    return float(rng.random()) * size * (HIGH_LINEAR - LOW_LINEAR) + LOW_LINEAR * size


def _fixed(size: int, rng: np.random.Generator) -> float:
    return float(rng.random()) * (HIGH_FIXED - LOW_FIXED) + LOW_FIXED


def _random_size(goods: int, rng: np.random.Generator) -> int:
    return int(rng.random() * goods) + 1


def _constant_size(goods: int, rng: np.random.Generator) -> int:
    return min(L3_SIZE, goods)


def _decay_size(goods: int, rng: np.random.Generator) -> int:
    while True:
        size = 0
        while size < goods and rng.random() <= DECAY_ALPHA:
            size += 1
        if size:
            return size


def _exponential_size(goods: int, rng: np.random.Generator) -> int:
    q = EXPONENTIAL_Q
    return 1 + math.floor(-q * math.log(1.0 - (1.0 - math.exp(-goods / q)) * float(rng.random())))


def _binomial_size(goods: int, rng: np.random.Generator) -> int:
    while True:
        size = int((rng.random(goods) < BINOMIAL_P).sum())
        if size:
            return size


Size = Callable[[int, np.random.Generator], int]
Price = Callable[[int, np.random.Generator], float]
LEGACY_RULES: dict[str, tuple[Size, Price]] = {
    "L2": (_random_size, _linear),
    "L3": (_constant_size, _fixed),
    "L4": (_decay_size, _linear),
    "L6": (_exponential_size, _linear),
    "L7": (_binomial_size, _linear),
}


def possible_bundles(name: str, goods: int) -> int | None:
    """How many distinct bundles the distribution can draw, when that is small enough to matter (L3)."""
    return math.comb(goods, L3_SIZE) if name == "L3" else None


def independent(name: str, goods: int, bids: int, rng: np.random.Generator, dominance: bool) -> BidSet:
    """Single-bid bidders of legacy distribution ``name`` until ``bids`` bids remain."""
    size_of, price_of = LEGACY_RULES[name]
    out = BidSet(goods, dominance)
    tries = 0
    while len(out) < bids:
        tries += 1
        if tries > MAX_TRIES_PER_BID * bids:
            from seqmarket.errors import InvalidInput

            raise InvalidInput(f"{name}: {bids} undominated bids on {goods} goods are out of reach")
        size = size_of(goods, rng)
        price = price_of(size, rng)
        chosen = rng.choice(goods, size=size, replace=False)
        mask = 0
        for g in chosen.tolist():
            mask |= 1 << g
        out.add(mask, price)
    return out

"""The earlier generator's versions of the legacy distributions CATS includes from earlier papers
(Sandholm 1999; Fujishima et al. 1999).

Each bid comes from a different bidder (no XOR sets); bundle sizes and prices are drawn from simple
statistical distributions, as described in Leyton-Brown, Pearson & Shoham (2000), section 2:
  L2 weighted random: size uniform on 1..n, price uniform on [0, size].
  L3 uniform:         size fixed (3), price uniform on [0, 1].
  L4 decay:           start with one good, add another with probability alpha (0.55), repeat;
                      price uniform on [0, size].
  L6 exponential:     size k with probability proportional to exp(-k/q), q = 5;
                      price uniform on [0.5 size, 1.5 size].
  L7 binomial:        every good independently with probability p (0.2);
                      price uniform on [0.5 size, 1.5 size].
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from seqmarket.clearing.generators.common import RoundBuilder


def _independent(
    goods: int, bids: int, rng: np.random.Generator, size: Callable[[], int], price: Callable[[int], float]
) -> RoundBuilder:
    """``bids`` single-bid bidders, each on ``size()`` distinct random goods at ``price(size)``."""
    builder = RoundBuilder(goods, resolution=1000.0)
    for _ in range(bids):
        k = min(goods, max(1, size()))
        chosen = rng.choice(goods, size=k, replace=False)
        builder.add_bidder([(chosen, price(k))])
    return builder


def weighted_random(goods: int, bids: int, rng: np.random.Generator) -> RoundBuilder:
    """L2: size uniform on 1..n, price uniform on [0, size]."""
    return _independent(
        goods, bids, rng, lambda: int(rng.integers(1, goods + 1)), lambda k: rng.uniform(0, k)
    )


def uniform(goods: int, bids: int, rng: np.random.Generator, size: int = 3) -> RoundBuilder:
    """L3: every bid names ``size`` goods, price uniform on [0, 1]."""
    return _independent(goods, bids, rng, lambda: size, lambda k: rng.uniform(0, 1))


def decay(goods: int, bids: int, rng: np.random.Generator, alpha: float = 0.55) -> RoundBuilder:
    """L4: one good, then another with probability ``alpha`` again and again; price uniform on [0, size]."""

    def size() -> int:
        k = 1
        while k < goods and rng.random() < alpha:
            k += 1
        return k

    return _independent(goods, bids, rng, size, lambda k: rng.uniform(0, k))


def exponential(goods: int, bids: int, rng: np.random.Generator, q: float = 5.0) -> RoundBuilder:
    """L6: size k in 1..n with probability proportional to exp(-k/q); price uniform on [0.5k, 1.5k]."""
    sizes = np.arange(1, goods + 1)
    weights = np.exp(-sizes / q)
    weights /= weights.sum()
    return _independent(
        goods, bids, rng, lambda: int(rng.choice(sizes, p=weights)), lambda k: rng.uniform(0.5 * k, 1.5 * k)
    )


def binomial(goods: int, bids: int, rng: np.random.Generator, p: float = 0.2) -> RoundBuilder:
    """L7: each good joins independently with probability ``p`` (never empty); price ~ U[0.5k, 1.5k]."""
    builder = RoundBuilder(goods, resolution=1000.0)
    for _ in range(bids):
        chosen = np.flatnonzero(rng.random(goods) < p)
        if chosen.size == 0:
            chosen = rng.choice(goods, size=1)
        k = int(chosen.size)
        builder.add_bidder([(chosen, rng.uniform(0.5 * k, 1.5 * k))])
    return builder

"""CATS regions and arbitrary, with the CATS generator's default parameters and price model.

Facts from the CATS generator (v2.1, regions.cpp / arbitrary.cpp), reimplemented here:
- Goods have a common value c ~ U[1, 100]. Each instance picks, with probability 1/2 each, uniform
  private values p ~ U[-50, 50] (deviation 0.5 of the maximum good value) or normal ones p ~ N(0, 30);
  a bidder draws a private value for every good.
- Goods are weighted for a bidder by pn = p + 50 (uniform) or p - (the smallest p drawn so far in the
  instance, all bidders) (normal), normalised. The first good is drawn by pn; then, while a coin of
  probability 0.9 says so, one more good: with probability 0.05 (regions only) any good not yet in
  the bundle, else a good drawn by sum over the bundle's goods g of w(g, h), where w(g, h) = pn(h)
  when g and h are neighbours (regions) or pn(h) * d(g, h) (arbitrary, d ~ U(0, 1] per pair). No
  weight left: nothing is added that time.
- regions' map: a floor(sqrt(n)) square grid; each cell links to the next row and column with
  probability 0.9 each, and with probability 0.2 to one of its two diagonals (even odds); a map with
  an isolated cell gets more links drawn over it. Goods past the square have no neighbours.
- A bundle is worth sum(c + p) + |B|^1.2 (additivity 0.2); a bidder whose first bundle is worth
  <= 0 starts again. Then one substitute per good of the first bundle: that good grown the same way
  to the same size. Substitutes worth 0 to 1.5x the first bundle (budget factor), whose common value
  is at least half the first's (resale factor) and that differ from it are valid; the 5 most valuable
  valid ones (duplicates skipped) join the first bundle in an XOR set. None valid: the first bundle
  is bid alone.
"""

from __future__ import annotations

import math

import numpy as np

from seqmarket.clearing.generators.bidset import BidSet

MAX_GOOD_VALUE = 100.0
DEVIATION = 0.5
NORMAL_STDEV = 30.0
ADDITIONAL_LOCATION = 0.9
JUMP = 0.05
ADDITIVITY = 0.2
BUDGET_FACTOR = 1.5
RESALE_FACTOR = 0.5
MAX_SUBSTITUTES = 5
REMOVE_NEIGHBOUR = 0.1
ADD_DIAGONAL = 0.2


def grid_links(goods: int, rng: np.random.Generator) -> np.ndarray:
    """regions' map: neighbour matrix (0/1) of a square grid with dropped links and added diagonals."""
    side = math.isqrt(goods)
    linked = np.zeros((goods, goods))

    def connect(i: int, j: int, x: int, y: int) -> None:
        if 0 <= i < side and 0 <= x < side and 0 <= j < side and 0 <= y < side:
            a, b = i * side + j, x * side + y
            linked[a, b] = linked[b, a] = 1.0

    while True:  # links accumulate over redraws, as in CATS
        for i in range(side):
            for j in range(side):
                if rng.random() > REMOVE_NEIGHBOUR:
                    connect(i, j, i + 1, j)
                if rng.random() > REMOVE_NEIGHBOUR:
                    connect(i, j, i, j + 1)
                if rng.random() < ADD_DIAGONAL:
                    if rng.integers(2) == 0:
                        connect(i, j, i + 1, j + 1)
                    else:
                        connect(i + 1, j, i, j + 1)
        if side == 0 or linked[: side * side].any(axis=1).all():
            return linked


def random_relatedness(goods: int, rng: np.random.Generator) -> np.ndarray:
    """arbitrary's d(g, h) ~ U(0, 1], symmetric."""
    d = np.triu(1.0 - rng.random((goods, goods)), 1)
    return d + d.T


class _Bidder:
    """One bidder's private values and how it grows bundles."""

    def __init__(self, pn: np.ndarray, related: np.ndarray, jump: float, rng: np.random.Generator) -> None:
        self.pn = pn
        self.related = related  # neighbour 0/1 (regions) or d (arbitrary); weight = pn(h) * related[g, h]
        self.jump = jump
        self.rng = rng

    def add_good(self, bundle: list[int], pull: np.ndarray) -> None:
        """CATS's Add_Good_to_Bundle: a jump, or a good drawn by its weight to the bundle."""
        goods = len(self.pn)
        if len(bundle) >= goods:
            return
        rng = self.rng
        if rng.random() < self.jump:
            while True:
                g = int(rng.integers(goods))
                if g not in bundle:
                    break
        else:
            weight = self.pn * pull
            weight[bundle] = 0.0
            running = weight.cumsum()
            total = running[-1]
            if total <= 0:
                return
            g = int(running.searchsorted(rng.random() * total, side="left"))
            if g >= goods:  # rounding: the last good that has any weight
                g = int(np.flatnonzero(self.pn > 0)[-1])
        bundle.append(g)
        pull += self.related[g]

    def grow(self, start: int, size: int | None) -> list[int]:
        """A bundle from ``start``: to ``size`` goods, or while the 0.9 coin says so (size None)."""
        bundle = [start]
        pull = self.related[start].copy()
        if size is None:
            while self.rng.random() <= ADDITIONAL_LOCATION:
                self.add_good(bundle, pull)
        else:
            while len(bundle) < size:
                self.add_good(bundle, pull)
        return bundle


def proximity(goods: int, bids: int, rng: np.random.Generator, arbitrary: bool, dominance: bool) -> BidSet:
    """regions (arbitrary False) or arbitrary: bidders until the bid set holds ``bids`` bids."""
    related = random_relatedness(goods, rng) if arbitrary else grid_links(goods, rng)
    jump = 0.0 if arbitrary else JUMP
    normal = bool(rng.integers(2))
    common = rng.random(goods) * (MAX_GOOD_VALUE - 1) + 1
    spread = DEVIATION * MAX_GOOD_VALUE
    lowest = math.inf  # CATS's minP: the smallest normal private value drawn so far, over all bidders
    out = BidSet(goods, dominance)
    while len(out) < bids:
        if normal:
            private = rng.normal(0.0, NORMAL_STDEV, goods)
            lowest = min(lowest, float(private.min()))
            pn = private - lowest
        else:
            private = rng.random(goods) * 2 * spread - spread
            pn = private + spread
        pn = pn / pn.sum()
        bidder = _Bidder(pn, related, jump, rng)
        first_good = int(np.searchsorted(np.cumsum(pn), rng.random(), side="left"))
        if first_good >= goods:
            first_good = int(np.flatnonzero(pn > 0)[-1])
        first = bidder.grow(first_good, None)

        def value(bundle: list[int], private: np.ndarray = private) -> float:
            return float((common[bundle] + private[bundle]).sum()) + len(bundle) ** (1 + ADDITIVITY)

        worth = value(first)
        if worth <= 0:
            continue
        budget = BUDGET_FACTOR * worth
        min_resale = RESALE_FACTOR * float(common[first].sum())
        first_set = frozenset(first)
        substitutes = []
        for start in first:
            alt = bidder.grow(start, len(first))
            alt_worth = value(alt)
            ok = 0 <= alt_worth <= budget and float(common[alt].sum()) >= min_resale and set(alt) != first_set
            substitutes.append((alt_worth, frozenset(alt), ok))
        if not any(ok for _, _, ok in substitutes):
            out.add(_mask(first), worth)
            continue
        out.add_xor(_mask(first), worth)
        substitutes.sort(key=lambda s: -s[0])
        seen: set[frozenset[int]] = set()
        taken = 0
        for alt_worth, alt_set, ok in substitutes:
            if taken >= MAX_SUBSTITUTES:
                break
            if ok and alt_set not in seen:
                out.add_xor(_mask(alt_set), alt_worth)
                taken += 1
            seen.add(alt_set)
        out.done_xor()
    return out


def _mask(goods: list[int] | frozenset[int]) -> int:
    mask = 0
    for g in goods:
        mask |= 1 << int(g)
    return mask

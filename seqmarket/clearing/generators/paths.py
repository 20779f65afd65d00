"""CATS paths with the CATS generator's defaults (v2.1, paths.cpp).

Facts from the CATS generator, reimplemented here:
- Cities: int(1.2 n / 3) random points in the unit square (edge density 3). Roads: each city to its
  2 nearest cities, then roads between random pairs of cities until there are 3 per city. (CATS's
  road builder runs a shortest path over all pairs with one building penalty for every pair, so it
  always builds the direct road.) When 3 per city cannot be reached (a city count too small, or no
  new road in as many tries as there are cities), one more city; a disconnected map is redrawn.
- A bidder connects two random cities at a distance D: it bids on the (up to) 5 cheapest simple
  routes whose length is below U[1, 1.5] * D (shipping cost factor 1.5), all at the same price: that
  bound, lowered to the fifth route's length once 5 are found. One route: a plain bid; more: an
  XOR set. No dominance check (CATS skips it when a bidder may bid on more than one route).
- Goods are the roads used in bids. Once bids use n roads, bids outside the largest group of
  connected bids are dropped (their roads are no longer counted as used), and, still n or more,
  the unused roads are removed from the map; the bidder that reached n roads stops adding routes
  there. Reaching the bid count before that throws the map away for one with one more city.
"""

from __future__ import annotations

import itertools

import numpy as np

from seqmarket.clearing.generators.bidset import BidSet

EDGE_DENSITY = 3.0
INITIAL_CONNECTIONS = 2
SHIPPING_COST_FACTOR = 1.5
MAX_ROUTES = 5


class _Map:
    """Cities, roads (numbered in building order: the goods) and their lengths."""

    def __init__(self, cities: int, rng: np.random.Generator) -> None:
        self.points = rng.random((cities, 2))
        self.distance = np.hypot(*(self.points[:, None, :] - self.points[None, :, :]).transpose(2, 0, 1))
        self.road: dict[tuple[int, int], int] = {}  # (a, b), a < b -> road id
        self.ends: list[tuple[int, int]] = []
        self.adjacent: list[list[int]] = [[] for _ in range(cities)]

    def build(self, a: int, b: int) -> bool:
        """The road a-b, unless it exists."""
        key = (min(a, b), max(a, b))
        if key in self.road:
            return False
        self.road[key] = len(self.ends)
        self.ends.append(key)
        self.adjacent[a].append(b)
        self.adjacent[b].append(a)
        return True

    def remove(self, road: int) -> None:
        a, b = self.ends[road]
        del self.road[(a, b)]
        self.adjacent[a].remove(b)
        self.adjacent[b].remove(a)

    def connected(self) -> bool:
        seen = {0}
        todo = [0]
        while todo:
            for nxt in self.adjacent[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return len(seen) == len(self.adjacent)


def _draw_map(cities: int, rng: np.random.Generator) -> _Map | None:
    """A road map, or None when 3 roads per city cannot be built (CATS then adds a city)."""
    roads = _Map(cities, rng)
    for a in range(cities):
        order = np.argsort(roads.distance[a], kind="stable")
        for b in [int(b) for b in order if b != a][:INITIAL_CONNECTIONS]:
            roads.build(a, b)
    idle = 0
    while len(roads.ends) < cities * EDGE_DENSITY:
        a = int(rng.integers(cities))
        b = a
        while b == a:
            b = int(rng.integers(cities))
        idle = 0 if roads.build(a, b) else idle + 1
        if idle > cities:
            return None
    return roads


def _routes(roads: _Map, source: int, target: int, bound: float) -> tuple[list[list[int]], float]:
    """The (up to) 5 cheapest simple routes shorter than ``bound``, as road lists, and the final bound."""
    distance = roads.distance
    best: list[tuple[float, list[int]]] = []
    limit = bound
    order = [sorted(nbrs, key=lambda c: distance[target, c]) for nbrs in roads.adjacent]
    path = [source]
    on_path = {source}

    def search(cost: float) -> None:
        nonlocal limit
        last = path[-1]
        for nxt in order[last]:
            step = cost + distance[last, nxt]
            if nxt in on_path or step + distance[nxt, target] >= limit:
                continue
            path.append(nxt)
            if nxt == target:
                best.append((step, list(path)))
                best.sort(key=lambda r: r[0])
                del best[MAX_ROUTES:]
                if len(best) == MAX_ROUTES:
                    limit = best[-1][0]
            else:
                on_path.add(nxt)
                search(step)
                on_path.discard(nxt)
            path.pop()

    search(0.0)
    routes = [[roads.road[(min(a, b), max(a, b))] for a, b in itertools.pairwise(p)] for _, p in best]
    return routes, limit


def _bids(roads: _Map, goods: int, bids: int, rng: np.random.Generator) -> BidSet | None:
    """Bidders on this map until ``bids`` bids; None when they come before ``goods`` roads are used."""
    cities = len(roads.adjacent)
    out = BidSet(len(roads.ends), dominance=False)
    used = np.zeros(len(roads.ends), dtype=bool)
    pruned = False
    while len(out) < bids:
        a = int(rng.integers(cities))
        b = a
        while b == a:
            b = int(rng.integers(cities))
        factor = float(rng.random()) * (SHIPPING_COST_FACTOR - 1) + 1
        routes, price = _routes(roads, a, b, factor * roads.distance[a, b])
        alone = False
        for i, route in enumerate(routes):
            mask = 0
            for road in route:
                mask |= 1 << road
                used[road] = True
            if len(routes) == 1 or (not pruned and used.sum() >= goods):
                if i == 0:
                    out.add(mask, price)
                    alone = True
                else:
                    out.add_xor(mask, price)
                break
            out.add_xor(mask, price)
        if not alone:
            out.done_xor()
        if not pruned and used.sum() >= goods:
            _drop_disconnected(out, used)
            if used.sum() >= goods:
                for road in np.flatnonzero(~used).tolist():
                    if tuple(roads.ends[road]) in roads.road:
                        roads.remove(road)
                pruned = True
    return out if pruned else None


def _drop_disconnected(out: BidSet, used: np.ndarray) -> None:
    """Drop bids outside the largest group of connected bids; their roads count as unused again."""
    labels = out.conflict_labels()
    if len(set(labels.tolist())) < 2:
        return
    sizes = np.bincount(labels)
    # CATS keeps the first-found largest group: groups are found from the lowest bid up
    firsts = {int(lab): k for k, lab in reversed(list(enumerate(labels.tolist())))}
    keep = min((lab for lab in firsts if sizes[lab] == sizes.max()), key=firsts.__getitem__)
    position = list(range(len(labels)))  # original bid -> current position
    at = list(range(len(labels)))  # current position -> original bid
    for original in [k for k, lab in enumerate(labels.tolist()) if lab != keep]:
        here = position[original]
        goods = out.goods_of(here)
        road = 0
        while goods:
            if goods & 1:
                used[road] = False
            goods >>= 1
            road += 1
        out.remove(here)
        moved = at[-1]
        at[here] = moved
        position[moved] = here
        at.pop()


def paths(goods: int, bids: int, rng: np.random.Generator, dominance: bool) -> tuple[BidSet, int]:
    """CATS paths: the bid set and the number of roads on the map it refers to."""
    cities = int(1.2 * goods / EDGE_DENSITY)
    while True:
        roads = _draw_map(cities, rng) if cities >= 2 else None
        if roads is None:
            cities += 1
            continue
        if not roads.connected():
            continue
        out = _bids(roads, goods, bids, rng)
        if out is None:
            cities += 1
            continue
        return out, len(roads.ends)

"""The earlier generator's CATS "realistic" distributions (see legacy/__init__.py), written from the
descriptions in Leyton-Brown, Pearson & Shoham, "Towards a Universal Test Suite for Combinatorial
Auction Algorithms" (EC 2000).

regions / arbitrary (proximity in space; arbitrary relationships):
    Every good has a common value c(g) ~ U[1, 100]. A bidder draws private deviations
    p(g) ~ U[-50, 50] (deviation 0.5 of the maximum good value). Its first bundle starts at a good
    chosen in proportion to its normalised private value and grows: with probability 0.9 another good is
    added, either a random one (jump, probability 0.05) or one related to the bundle, chosen in
    proportion to private value times relatedness. In "regions" goods sit on a grid (horizontal and
    vertical links each dropped with probability 0.1, diagonals added with probability 0.2) and related
    means adjacent; in "arbitrary" every pair of goods has a random relatedness d(g, h) ~ U(0, 1].
    A bundle is worth sum(c + p) * |B|^0.2 (additivity 0.2: mildly superadditive). The bidder then
    builds substitutes starting from each good of the first bundle and keeps, best first, up to 4
    that cost at most 1.5x the first bid (budget factor) and whose common value is at least half the
    first bundle's (resale factor).
paths (transport links between cities on a plane):
    Cities are random points in the unit square; goods are the shortest links, added until there are
    n of them. A bidder wants to connect two cities: it values the connection at 1-1.5x the
    shortest route's length and bids on up to 5 alternative routes (shortest paths with randomly
    perturbed link lengths), each at its value minus the extra length of that route.
scheduling (one machine, time slots):
    Goods are time slots. A bidder has a job of length l ~ U{1..max(2, n/10)} and deadlines d1 < d2 < ...
    (each further deadline with probability 0.7) worth v1 > v2 > ... (v1 = l * U[1, 100], each later one
    worth 50-100% of the previous); it bids on every window of l consecutive slots, at the value of the
    earliest deadline the window meets.
"""

from __future__ import annotations

import heapq
import math

import numpy as np

from seqmarket.clearing.generators.common import RoundBuilder
from seqmarket.errors import InvalidInput

MAX_GOOD_VALUE = 100.0
DEVIATION = 0.5
ADDITIONAL = 0.9
JUMP = 0.05
ADDITIVITY = 0.2
BUDGET_FACTOR = 1.5
RESALE_FACTOR = 0.5
MAX_SUBSTITUTES = 5


def _grid_relatedness(goods: int, rng: np.random.Generator) -> np.ndarray:
    """Adjacency (0/1) of goods on a near-square grid with some links dropped and diagonals added."""
    cols = math.ceil(math.sqrt(goods))
    related = np.zeros((goods, goods))
    for g in range(goods):
        r, c = divmod(g, cols)
        for dr, dc, keep in ((0, 1, 0.9), (1, 0, 0.9), (1, 1, 0.2), (1, -1, 0.2)):
            rr, cc = r + dr, c + dc
            h = rr * cols + cc
            if 0 <= cc < cols and h < goods and rng.random() < keep:
                related[g, h] = related[h, g] = 1.0
    return related


def _random_relatedness(goods: int, rng: np.random.Generator) -> np.ndarray:
    """Symmetric random relatedness in (0, 1] between every pair of goods."""
    d = 1.0 - rng.random((goods, goods))
    d = np.triu(d, 1)
    return d + d.T


def _proximity(goods: int, bids: int, rng: np.random.Generator, related: np.ndarray) -> RoundBuilder:
    """Bidders for regions/arbitrary: a first bundle grown by relatedness, then substitutes."""
    common = rng.uniform(1.0, MAX_GOOD_VALUE, goods)
    builder = RoundBuilder(goods)
    spread = DEVIATION * MAX_GOOD_VALUE

    def grow(start: int, private: np.ndarray, weight: np.ndarray) -> frozenset[int]:
        bundle = {start}
        pull = related[start].copy()
        while len(bundle) < goods and rng.random() < ADDITIONAL:
            free = np.ones(goods, dtype=bool)
            free[list(bundle)] = False
            scores = weight * pull * free
            if rng.random() < JUMP or scores.sum() <= 0:
                scores = free.astype(float)
            g = int(rng.choice(goods, p=scores / scores.sum()))
            bundle.add(g)
            pull += related[g]
        return frozenset(bundle)

    def worth(bundle: frozenset[int], private: np.ndarray) -> float:
        idx = list(bundle)
        return float(np.maximum(common[idx] + private[idx], 1.0).sum()) * len(bundle) ** ADDITIVITY

    while len(builder.entries) < bids:
        private = rng.uniform(-spread, spread, goods)
        weight = (private + spread) / (2 * spread) + 1e-9
        first = grow(int(rng.choice(goods, p=weight / weight.sum())), private, weight)
        value = worth(first, private)
        budget = BUDGET_FACTOR * value
        min_resale = RESALE_FACTOR * float(common[list(first)].sum())
        substitutes: dict[frozenset[int], float] = {}
        for start in sorted(first):
            alt = grow(start, private, weight)
            alt_value = worth(alt, private)
            if alt != first and alt_value <= budget and float(common[list(alt)].sum()) >= min_resale:
                substitutes[alt] = alt_value
        best = sorted(substitutes.items(), key=lambda kv: (-kv[1], sorted(kv[0])))[: MAX_SUBSTITUTES - 1]
        builder.add_bidder([(first, value), *best])
    return builder


def regions(goods: int, bids: int, rng: np.random.Generator) -> RoundBuilder:
    """CATS regions: goods on a grid, bundles of adjacent goods."""
    return _proximity(goods, bids, rng, _grid_relatedness(goods, rng))


def arbitrary(goods: int, bids: int, rng: np.random.Generator) -> RoundBuilder:
    """CATS arbitrary: like regions, with a random relatedness between every pair of goods."""
    return _proximity(goods, bids, rng, _random_relatedness(goods, rng))


def _shortest_path(adj: list[list[tuple[int, int]]], lengths: np.ndarray, a: int, b: int) -> list[int] | None:
    """Dijkstra from city a to b; returns the links (goods) used, or None when b is unreachable."""
    dist = {a: 0.0}
    via: dict[int, tuple[int, int]] = {}
    heap = [(0.0, a)]
    while heap:
        d, u = heapq.heappop(heap)
        if u == b:
            break
        if d > dist[u]:
            continue
        for v, link in adj[u]:
            nd = d + float(lengths[link])
            if nd < dist.get(v, math.inf):
                dist[v], via[v] = nd, (u, link)
                heapq.heappush(heap, (nd, v))
    if b not in via:
        return None
    route, node = [], b
    while node != a:
        node, link = via[node]
        route.append(link)
    return route


def paths(goods: int, bids: int, rng: np.random.Generator) -> RoundBuilder:
    """CATS paths: goods are links between cities; bidders bid on alternative routes between two cities."""
    cities = max(3, math.ceil(goods / 1.5))
    points = rng.random((cities, 2))
    pairs = sorted(
        (float(np.hypot(*(points[i] - points[j]))), i, j) for i in range(cities) for j in range(i + 1, cities)
    )[:goods]
    lengths = np.array([p[0] for p in pairs])
    adj: list[list[tuple[int, int]]] = [[] for _ in range(cities)]
    for link, (_, i, j) in enumerate(pairs):
        adj[i].append((j, link))
        adj[j].append((i, link))
    builder = RoundBuilder(goods, resolution=1000.0)
    attempts = 0
    while len(builder.entries) < bids:
        attempts += 1
        if attempts > 100 * bids:
            raise InvalidInput(f"paths: {goods} links do not connect enough cities to make {bids} bids")
        a, b = (int(x) for x in rng.choice(cities, size=2, replace=False))
        shortest = _shortest_path(adj, lengths, a, b)
        if shortest is None:
            continue
        base = float(lengths[shortest].sum())
        value = base * rng.uniform(1.0, 1.5)
        routes: dict[frozenset[int], float] = {frozenset(shortest): value}
        for _ in range(4 * MAX_SUBSTITUTES):
            if len(routes) >= MAX_SUBSTITUTES:
                break
            route = _shortest_path(adj, lengths * rng.uniform(1.0, 2.0, goods), a, b)
            assert route is not None  # same graph, same connectivity
            extra = float(lengths[route].sum()) - base
            if value - extra > 0:
                routes.setdefault(frozenset(route), value - extra)
        builder.add_bidder(routes.items())
    return builder


def scheduling(goods: int, bids: int, rng: np.random.Generator) -> RoundBuilder:
    """CATS scheduling: windows of consecutive time slots, valued by the earliest deadline they meet."""
    builder = RoundBuilder(goods)
    max_length = max(2, goods // 10)
    while len(builder.entries) < bids:
        length = int(rng.integers(1, max_length + 1))
        deadline = int(rng.integers(length, goods + 1))
        value = length * rng.uniform(1.0, MAX_GOOD_VALUE)
        deadlines = [(deadline, value)]
        while deadline < goods and rng.random() < 0.7:
            deadline = int(rng.integers(deadline + 1, goods + 1))
            value *= rng.uniform(0.5, 1.0)
            deadlines.append((deadline, value))
        windows = []
        earlier = length - 1
        for due, worth in deadlines:
            for end in range(earlier + 1, due + 1):  # windows [end - length, end) that first meet `due`
                windows.append((range(end - length, end), worth))
            earlier = due
        builder.add_bidder(windows)
    return builder

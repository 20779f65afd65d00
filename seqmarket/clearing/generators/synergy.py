"""A rollup-market model: sequencers value bundles of rollups in the same ecosystem superadditively.

Rollups have lognormal stand-alone values (block rewards plus MEV, heavy-tailed) and belong to a few
ecosystems (shared bridges, shared liquidity). Each rollup's reserve is 30-70% of its stand-alone value.
A sequencer specialises in one ecosystem: it values a rollup at its stand-alone value times
U[0.8, 1.2] and a bundle at sum * (1 + s * (|B| - 1)), with synergy s ~ U[0.05, 0.3] inside its
ecosystem and a tenth of that across ecosystems (cross-ecosystem atomicity is worth less). It bids on
single rollups and on a few bundles of 2-6 rollups drawn mostly (85%) from its ecosystem, at 70-100%
of its value (shaded bids).
"""

from __future__ import annotations

import numpy as np

from seqmarket.clearing.generators.common import RoundBuilder


def rollup_synergy(goods: int, bids: int, rng: np.random.Generator) -> RoundBuilder:
    """Sequencers bidding on singles and ecosystem bundles of rollups, with reserves."""
    standalone = rng.lognormal(mean=3.0, sigma=1.0, size=goods)
    ecosystems = max(1, goods // 8)
    home = rng.integers(0, ecosystems, size=goods)
    members = [np.flatnonzero(home == e) for e in range(ecosystems)]
    builder = RoundBuilder(goods, resolution=1000.0, reserves=list(standalone * rng.uniform(0.3, 0.7, goods)))
    while len(builder.entries) < bids:
        eco = int(rng.integers(ecosystems))
        own = members[eco] if members[eco].size else np.arange(goods)
        taste = standalone * rng.uniform(0.8, 1.2, goods)
        synergy = rng.uniform(0.05, 0.3)
        offers: dict[frozenset[int], float] = {}
        for g in rng.choice(own, size=min(2, own.size), replace=False):
            offers[frozenset([int(g)])] = float(taste[g])
        for _ in range(int(rng.integers(1, 5))):
            size = min(goods, int(rng.integers(2, 7)))
            pick: set[int] = set()
            while len(pick) < size:
                pool = (
                    own
                    if rng.random() < 0.85 and own.size > len(pick & set(own.tolist()))
                    else np.arange(goods)
                )
                pick.add(int(rng.choice(pool)))
            inside = sum(1 for g in pick if home[g] == eco)
            s = synergy if inside == len(pick) else synergy / 10
            offers[frozenset(pick)] = float(taste[list(pick)].sum()) * (1 + s * (len(pick) - 1))
        builder.add_bidder((b, v * rng.uniform(0.7, 1.0)) for b, v in offers.items())
    return builder

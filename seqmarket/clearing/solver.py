"""Exact winner determination: the partition of rollups into bundles that maximises total value.

The value of a partition is baseline + sum of gain(B) over its listed bundles, where
gain(B) = b(B) - sum_{i in B} v({i}). Only bundles with positive gain can improve on the singleton
partition, so the problem is a maximum-weight set packing over those bundles.

Tie rule, matching the contract: a proposal must be *strictly* better to replace the standing one, and
the singleton partition stands first. So among optimal partitions we return one that covers the fewest
rollups with multi-rollup bundles (the singleton partition whenever it is optimal); remaining ties are
broken deterministically by the search order (bundles in ascending bitmask order).
"""

from __future__ import annotations

from functools import cache

from seqmarket.clearing.instance import Clearing, Instance, rollups_of


def positive_bundles(instance: Instance) -> dict[int, int]:
    """Multi-rollup bundles whose bid beats their rollups sold alone, with that gain."""
    return {
        bundle: gain
        for bundle in sorted(instance.bids)
        if bundle & (bundle - 1) and (gain := instance.gain(bundle)) > 0
    }


def clear(instance: Instance) -> Clearing:
    """Return an optimal partition of ``instance`` (exact, deterministic)."""
    gains = positive_bundles(instance)
    if not gains:
        return Clearing(bundles=(), value=instance.baseline(), method="dp")

    # Bundles indexed by their lowest rollup: a search that always settles the lowest open rollup
    # only needs the bundles starting there.
    by_lowest: dict[int, list[tuple[int, int, int]]] = {}
    for bundle, gain in gains.items():
        lowest = (bundle & -bundle).bit_length() - 1
        by_lowest.setdefault(lowest, []).append((bundle, gain, len(rollups_of(bundle))))
    relevant = 0
    for bundle in gains:
        relevant |= bundle

    @cache
    def best(open_rollups: int) -> tuple[int, int, tuple[int, ...]]:
        """(gain, -covered, bundles) of the best packing using only ``open_rollups``."""
        if open_rollups == 0:
            return (0, 0, ())
        low_bit = open_rollups & -open_rollups
        lowest = low_bit.bit_length() - 1
        # Option 1: the lowest open rollup stays a singleton.
        result = best(open_rollups & ~low_bit)
        for bundle, gain, size in by_lowest.get(lowest, ()):
            if bundle & open_rollups != bundle:
                continue
            g, neg_cov, chosen = best(open_rollups & ~bundle)
            candidate = (g + gain, neg_cov - size, (bundle, *chosen))
            if candidate[:2] > result[:2]:
                result = candidate
        return result

    gain, _, bundles = best(relevant)
    best.cache_clear()
    return Clearing(bundles=tuple(sorted(bundles)), value=instance.baseline() + gain, method="dp")

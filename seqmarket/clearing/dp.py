"""Exact packing by dynamic programming over open-rollup sets: best for small or tiny components.

The search always settles the lowest open rollup: it stays a singleton, or one of the bundles whose
lowest rollup it is gets listed. Results are memoised per set of open rollups. Cost grows with the
number of reachable open sets, so the engine uses it only where that is small.
"""

from __future__ import annotations

from functools import cache

from seqmarket.clearing.milp import Packing


def dp_packing(gains: dict[int, int]) -> Packing:
    """The packing with the largest total gain; among those, the one covering the fewest rollups.

    Remaining ties are broken by the search order (bundles in ascending bitmask order), so the result
    is deterministic.
    """
    by_lowest: dict[int, list[tuple[int, int, int]]] = {}
    relevant = 0
    for bundle in sorted(gains):
        lowest = (bundle & -bundle).bit_length() - 1
        by_lowest.setdefault(lowest, []).append((bundle, gains[bundle], bundle.bit_count()))
        relevant |= bundle

    @cache
    def best(open_rollups: int) -> tuple[int, int, tuple[int, ...]]:
        """(gain, -covered, bundles) of the best packing using only ``open_rollups``."""
        if open_rollups == 0:
            return (0, 0, ())
        low_bit = open_rollups & -open_rollups
        lowest = low_bit.bit_length() - 1
        result = best(open_rollups & ~low_bit)  # the lowest open rollup stays a singleton
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
    return Packing(tuple(sorted(bundles)), gain)

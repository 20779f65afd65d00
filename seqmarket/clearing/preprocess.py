"""Preprocessing for winner determination: keep only bundles that can matter, split into components.

After best-bid-per-bundle (the Instance already holds only that), three exact reductions:
1. Only multi-rollup bundles with positive gain can improve on the singleton partition.
2. A bundle is dominated when a proper sub-bundle has at least its gain: any packing using it can
   swap in the sub-bundle without losing value while covering fewer rollups, which the tie rule
   prefers. Dropping it changes neither the optimal value nor the tie-rule choice.
3. Bundles that share no rollup, directly or through a chain of bundles, form independent components;
   each is solved alone and the packings are joined.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seqmarket.clearing.instance import Instance

WORD = 64


def bundle_matrix(bundles: list[int], n: int) -> np.ndarray:
    """Membership matrix (len(bundles) x n, bool): row k marks the rollups of bundles[k]."""
    words = (n + WORD - 1) // WORD
    packed = np.array(
        [[(b >> (WORD * w)) & 0xFFFFFFFFFFFFFFFF for w in range(words)] for b in bundles], dtype=np.uint64
    ).reshape(len(bundles), words)
    as_bytes = packed.astype("<u8").view(np.uint8).reshape(len(bundles), words * 8)
    return np.unpackbits(as_bytes, axis=1, bitorder="little")[:, :n].astype(bool)


@dataclass(frozen=True)
class Reduction:
    """The packing problem left after preprocessing, as independent components of bundle -> gain."""

    baseline: int
    components: tuple[dict[int, int], ...]
    positive: int
    dominated: int


def singleton_values(instance: Instance) -> np.ndarray:
    """v({i}) = max(b({i}), r_i) for every rollup, as Python ints in an object array (exact)."""
    return np.array([instance.singleton_value(i) for i in range(instance.n)], dtype=object)


def reduce(instance: Instance) -> Reduction:
    """Drop bundles that cannot matter and split the rest into independent components."""
    n = instance.n
    singles = singleton_values(instance)
    multi = [b for b in instance.bids if b & (b - 1)]
    baseline = int(singles.sum()) if n else 0
    if not multi:
        return Reduction(baseline, (), 0, 0)
    member = bundle_matrix(multi, n)
    # Exact gains: bid minus the singleton values it displaces (Python ints; wei can exceed int64).
    gains = [instance.bids[b] - int(singles[row].sum()) for b, row in zip(multi, member, strict=True)]
    keep = [k for k, g in enumerate(gains) if g > 0]
    positive = len(keep)
    bundles = [multi[k] for k in keep]
    gain = [gains[k] for k in keep]
    member = member[keep]
    alive = _undominated(member, gain)
    bundles = [b for b, a in zip(bundles, alive, strict=True) if a]
    gain = [g for g, a in zip(gain, alive, strict=True) if a]
    member = member[alive]
    return Reduction(baseline, _components(bundles, gain, member), positive, positive - len(bundles))


def _undominated(member: np.ndarray, gain: list[int], chunk: int = 1024) -> np.ndarray:
    """Mask of bundles with no proper sub-bundle of at least equal gain."""
    m = len(gain)
    alive = np.ones(m, dtype=bool)
    if m < 2:
        return alive
    a = member.astype(np.float32)
    outside = (~member).astype(np.float32)
    sizes = member.sum(axis=1)
    # Ranks of the exact gains (ties share a rank) so that the comparison is exact in numpy.
    order = sorted(range(m), key=gain.__getitem__)
    rank = np.empty(m, dtype=np.int64)
    current, previous = -1, None
    for k in order:
        if gain[k] != previous:
            current, previous = current + 1, gain[k]
        rank[k] = current
    for start in range(0, m, chunk):
        stop = min(m, start + chunk)
        # missing[i, j] = |B_i \ B_j|: B_i is inside B_j exactly when it is 0.
        missing = a @ outside[start:stop].T
        inside = (missing == 0) & (sizes[:, None] < sizes[None, start:stop])
        beats = rank[:, None] >= rank[None, start:stop]
        alive[start:stop] = ~(inside & beats).any(axis=0)
    return alive


def _components(bundles: list[int], gain: list[int], member: np.ndarray) -> tuple[dict[int, int], ...]:
    """Group bundles into connected components of the rollups-shared relation (union-find on rollups)."""
    n = member.shape[1]
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for row in member:
        items = np.flatnonzero(row)
        root = find(int(items[0]))
        for i in items[1:]:
            other = find(int(i))
            if other != root:
                parent[other] = root
    groups: dict[int, dict[int, int]] = {}
    for b, g, row in zip(bundles, gain, member, strict=True):
        groups.setdefault(find(int(np.flatnonzero(row)[0])), {})[b] = g
    return tuple(groups[k] for k in sorted(groups))

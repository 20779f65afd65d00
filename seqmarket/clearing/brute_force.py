"""Reference winner determination by enumerating every set partition (Bell(n) of them; n <= 10).

Independent of the solver on purpose: it values whole partitions with Instance.value and shares no
search code, so agreement between the two is evidence, not tautology.
"""

from __future__ import annotations

from collections.abc import Iterator

from seqmarket.clearing.instance import Clearing, Instance, SolvedBy
from seqmarket.errors import InvalidInput, InvalidInstance


def set_partitions(n: int) -> Iterator[list[int]]:
    """All partitions of {0..n-1}, each as a list of block bitmasks (restricted growth strings)."""
    labels = [0] * n

    def extend(position: int, blocks: int) -> Iterator[list[int]]:
        if position == n:
            masks = [0] * blocks
            for item, label in enumerate(labels):
                masks[label] |= 1 << item
            yield masks
            return
        for label in range(blocks + 1):
            labels[position] = label
            yield from extend(position + 1, max(blocks, label + 1))

    if n == 0:
        yield []
        return
    yield from extend(0, 0)


def clear_brute_force(instance: Instance) -> Clearing:
    """Best partition by exhaustive enumeration, preferring fewer rollups in multi-rollup bundles on ties."""
    if instance.n > 10:
        raise InvalidInput("brute force is for n <= 10")
    best: tuple[int, int] | None = None
    best_bundles: tuple[int, ...] = ()
    for blocks in set_partitions(instance.n):
        listed = [b for b in blocks if b & (b - 1)]
        try:
            value = instance.value(listed)
        except InvalidInstance:
            continue
        covered = sum(bin(b).count("1") for b in listed)
        key = (value, -covered)
        if best is None or key > best:
            best, best_bundles = key, tuple(sorted(listed))
    assert best is not None  # the singleton partition is always valid
    return Clearing(bundles=best_bundles, value=best[0], method=SolvedBy.BRUTE_FORCE)

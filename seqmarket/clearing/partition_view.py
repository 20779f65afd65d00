"""A partition as the market settles it: its listed bundles, then every other rollup, sold alone to its
best singleton bid when that meets the reserve, else left unsold at its reserve.

Reports and the CLI show partitions this way; the contracts' settlement walks rollups in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from seqmarket.clearing.instance import Instance, bundle_of, rollups_of


class PartKind(Enum):
    """How a part of the partition settles."""

    LISTED = "listed"  # a multi-rollup bundle, sold to its best bid
    SOLD_ALONE = "sold alone"  # a rollup sold to its best singleton bid (which meets its reserve)
    UNSOLD = "unsold"  # a rollup kept at its reserve: nobody sequences it


@dataclass(frozen=True)
class PartitionPart:
    """One part of a settled partition: a bundle (a single rollup unless listed) and its value v(B)."""

    bundle: int
    value: int
    kind: PartKind


def partition_view(instance: Instance, bundles: Iterable[int]) -> list[PartitionPart]:
    """The parts of the partition listing ``bundles``: the listed bundles in order, then each other rollup."""
    listed = list(bundles)
    parts = [PartitionPart(bundle, instance.bids[bundle], PartKind.LISTED) for bundle in listed]
    covered = bundle_of(i for bundle in listed for i in rollups_of(bundle))
    sold = set(instance.sold_singletons(listed))
    for i in range(instance.n):
        if not covered >> i & 1:
            kind = PartKind.SOLD_ALONE if i in sold else PartKind.UNSOLD
            parts.append(PartitionPart(1 << i, instance.singleton_value(i), kind))
    return parts

"""How a market ranks partitions, mirrored from contracts/market/PartitionChallenge.sol.

A higher value first; at equal value, fewer rollups in listed bundles (the off-chain clearing's tie
rule); then the smaller tie key, the sum modulo 2**256 of keccak256(abi.encode(bundle)) over the listed
bundles. The order is total, so which partition a round keeps depends on what was proposed, not on the
order the proposals arrived in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from eth_abi import encode
from eth_utils import keccak

_WORD = 2**256


def tie_key(bundles: Iterable[int]) -> int:
    """Sum (mod 2**256) of keccak256(abi.encode(bundle)) over ``bundles``: independent of their order."""
    return sum(int.from_bytes(keccak(encode(["uint256"], [bundle])), "big") for bundle in bundles) % _WORD


@dataclass(frozen=True)
class Rank:
    """A partition's rank: its value, the rollups its listed bundles cover, and its tie key."""

    value: int
    covered: int
    tie_key: int

    @classmethod
    def of(cls, bundles: Iterable[int], value: int) -> Rank:
        """The rank of the partition listing ``bundles``, worth ``value``."""
        listed = list(bundles)
        return cls(value, sum(bundle.bit_count() for bundle in listed), tie_key(listed))

    def outranks(self, other: Rank) -> bool:
        """Whether a proposal of this rank replaces a standing partition of rank ``other``."""
        if self.value != other.value:
            return self.value > other.value
        if self.covered != other.covered:
            return self.covered < other.covered
        return self.tie_key < other.tie_key

"""The clearing operator: reads a round's revealed bids, clears them exactly, proposes the partition.

It holds no special power: its proposal is checked on-chain and anyone may replace it with a better one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from seqmarket.clearing import Clearing, Instance, clear

if TYPE_CHECKING:
    from ape.api import AccountAPI

    from seqmarket.chain.client import MarketClient


@dataclass
class ClearingOperator:
    """Computes the optimal partition off-chain and submits it if it beats the standing one."""

    client: MarketClient
    account: AccountAPI

    def clear(self, round_: int) -> tuple[Instance, Clearing]:
        instance = self.client.instance(round_)
        return instance, clear(instance)

    def submit(self, round_: int) -> tuple[Instance, Clearing, bool]:
        """Clear ``round_`` and propose the result; returns whether a proposal was sent."""
        instance, clearing = self.clear(round_)
        _, standing = self.client.best_partition(round_)
        if clearing.value > standing:
            self.client.propose(self.account, round_, clearing.bundles)
            return instance, clearing, True
        return instance, clearing, False

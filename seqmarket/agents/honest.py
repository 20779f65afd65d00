"""The honest sealed bidder: bids on bundles it values, locks more than it bids, and always reveals."""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import combinations

from seqmarket.agents.valuation import SynergyValuation
from seqmarket.clearing import rollups_of


@dataclass(frozen=True)
class PlannedBid:
    """A bid the agent intends to seal: the bundle, the amount, and the (larger) public lock."""

    bundle: int
    amount: int
    lock: int


def candidate_bundles(interest: int) -> list[int]:
    """Bundles worth considering inside an interest set: all of it, each rollup alone, each pair."""
    members = rollups_of(interest)
    bundles = {interest}
    bundles.update(1 << i for i in members)
    bundles.update((1 << i) | (1 << j) for i, j in combinations(members, 2))
    return sorted(bundles, key=lambda b: (-bin(b).count("1"), b))


@dataclass
class HonestBidder:
    """Follows the protocol: bids ``(1 - shading)`` of its value on up to ``max_bids`` bundles, reveals all.

    Shading is the usual first-price response (bidding the full value leaves no surplus); the bid is
    still sealed before anyone else's is known. The lock exceeds the bid by a random margin so the
    public collateral does not give the amount away.
    """

    name: str
    valuation: SynergyValuation
    shading: float = 0.1
    max_bids: int = 4

    def plan(self, rng: random.Random, min_lock: int) -> list[PlannedBid]:
        """Which bundles to bid on, how much, and how much collateral to show (at least ``min_lock``)."""
        plans = []
        for bundle in candidate_bundles(self.valuation.interest)[: self.max_bids]:
            amount = int(self.valuation.value(bundle) * (1 - self.shading))
            if amount <= 0:
                continue
            lock = max(int(amount * rng.uniform(1.05, 1.5)), min_lock, 1)
            plans.append(PlannedBid(bundle, amount, lock))
        return plans

"""The honest bidder: bids on bundles it values, commits, and always reveals."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING

from seqmarket.agents.valuation import SynergyValuation
from seqmarket.clearing import rollups_of

if TYPE_CHECKING:
    from ape.api import AccountAPI

    from seqmarket.chain.client import MarketClient
    from seqmarket.chain.commitment import SealedBid


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
    account: AccountAPI
    valuation: SynergyValuation
    shading: float = 0.1
    max_bids: int = 4
    sealed: list[SealedBid] = field(default_factory=list)

    def plan(self, rng: random.Random, penalty: int) -> list[PlannedBid]:
        """Pure decision: which bundles to bid on, how much, and how much collateral to show."""
        plans = []
        for bundle in candidate_bundles(self.valuation.interest)[: self.max_bids]:
            amount = int(self.valuation.value(bundle) * (1 - self.shading))
            if amount <= 0:
                continue
            lock = max(int(amount * rng.uniform(1.05, 1.5)), penalty, 1)
            plans.append(PlannedBid(bundle, amount, lock))
        return plans

    def commit(self, client: MarketClient, round_: int, rng: random.Random) -> list[SealedBid]:
        """Seal and commit this round's bids, depositing exactly the collateral they lock."""
        penalty = int(client.contract.nonRevealPenalty())
        self.sealed = [
            client.seal(self.account, round_, p.bundle, p.amount, p.lock) for p in self.plan(rng, penalty)
        ]
        for sealed in self.sealed:
            client.commit(self.account, sealed, value=sealed.lock)
        return self.sealed

    def reveal(self, client: MarketClient) -> None:
        """Open every commitment made this round."""
        for sealed in self.sealed:
            client.reveal(self.account, sealed)

"""Valuation models for sequencers: bundles are worth more than their parts (synergy)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from seqmarket.clearing import rollups_of


@dataclass(frozen=True)
class SynergyValuation:
    """v(B) = sum of stand-alone values of B's rollups * (1 + synergy * (|B| - 1)), for B inside ``interest``.

    Sequencing several rollups together (cross-rollup atomicity, shared MEV) is worth more than the
    parts, growing with the bundle's size. Rollups outside the sequencer's interest are worth nothing.
    """

    standalone: tuple[int, ...]
    synergy: float
    interest: int

    def value(self, bundle: int) -> int:
        """Value in wei of sequencing exactly ``bundle``; 0 outside the interest set."""
        if bundle == 0 or bundle & ~self.interest:
            return 0
        members = rollups_of(bundle)
        total = sum(self.standalone[i] for i in members)
        return int(total * (1 + self.synergy * (len(members) - 1)))

    @classmethod
    def random(
        cls,
        rng: random.Random,
        n_rollups: int,
        *,
        mean_value: int = 10**17,
        synergy: tuple[float, float] = (0.1, 0.4),
        interest_size: tuple[int, int] = (2, 4),
    ) -> SynergyValuation:
        """A sequencer interested in a random handful of rollups, each worth about ``mean_value``."""
        size = rng.randint(min(interest_size[0], n_rollups), min(interest_size[1], n_rollups))
        members = rng.sample(range(n_rollups), size)
        interest = 0
        for i in members:
            interest |= 1 << i
        standalone = tuple(
            int(mean_value * rng.uniform(0.5, 1.5)) if interest >> i & 1 else 0 for i in range(n_rollups)
        )
        return cls(standalone=standalone, synergy=rng.uniform(*synergy), interest=interest)

"""Shared plumbing for the generators: collect real-valued bids per bidder, then emit an integer round."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from seqmarket.clearing.instance import Bid, Instance, bundle_of


@dataclass(frozen=True)
class Generated:
    """A generated round: reserves and labelled bids (integer amounts), plus how it was made."""

    reserves: tuple[int, ...]
    bids: tuple[Bid, ...]
    distribution: str
    seed: int
    params: dict[str, int] = field(default_factory=dict)

    def instance(self) -> Instance:
        """The clearing instance: best bid per bundle."""
        return Instance.from_bids(self.reserves, self.bids)


@dataclass
class RoundBuilder:
    """Bids as the distributions produce them: (bidder, goods, real price), bidder by bidder."""

    goods: int
    resolution: float = 1.0
    reserves: list[float] = field(default_factory=list)
    entries: list[tuple[int, int, float]] = field(default_factory=list)
    bidders: int = 0

    def add_bidder(self, bids: Iterable[tuple[Iterable[int], float]]) -> None:
        """Record one bidder's bids (each a set of goods and a price); non-positive prices are dropped."""
        bidder = self.bidders
        added = False
        for goods, price in bids:
            mask = bundle_of(int(g) for g in goods)
            if mask and price > 0:
                self.entries.append((bidder, mask, float(price)))
                added = True
        if added:
            self.bidders += 1

    def finish(self, *, distribution: str, seed: int, precision: int, unit: int, bids: int) -> Generated:
        """Keep the first ``bids`` bids; amounts are round(price * resolution * precision) * unit, >= unit.

        ``resolution`` is the distribution's natural price grain (prices in [0, 1] get 1000), so that
        precision=1 keeps ties rare without making numbers needlessly large.
        """
        scale = self.resolution * precision
        kept = self.entries[:bids]
        out = tuple(
            Bid(bidder=f"b{bidder}", bundle=mask, amount=max(1, round(price * scale)) * unit, order=k)
            for k, (bidder, mask, price) in enumerate(kept)
        )
        reserves = self.reserves or [0.0] * self.goods
        return Generated(
            reserves=tuple(round(r * scale) * unit for r in reserves),
            bids=out,
            distribution=distribution,
            seed=seed,
            params={"goods": self.goods, "bids": len(out), "precision": precision, "unit": unit},
        )

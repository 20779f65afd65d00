"""A clearing instance: rollup reserves and the best bid per bundle, valued as the contract values them."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from seqmarket.errors import InvalidInstance


def rollups_of(bundle: int) -> list[int]:
    """Indices of the rollups in a bundle bitmask, lowest first."""
    out = []
    index = 0
    while bundle:
        if bundle & 1:
            out.append(index)
        bundle >>= 1
        index += 1
    return out


def bundle_of(rollups: Iterable[int]) -> int:
    """The bitmask of a collection of rollup indices."""
    mask = 0
    for index in rollups:
        mask |= 1 << index
    return mask


@dataclass(frozen=True)
class Bid:
    """A revealed bid. ``order`` is its commit position in the round: equal amounts go to the earlier."""

    bidder: str
    bundle: int
    amount: int
    order: int = 0


def best_bids(bids: Iterable[Bid], exclude: str | None = None) -> dict[int, Bid]:
    """The winning bid per bundle (highest amount, then earliest order), ignoring ``exclude``'s bids.

    With ``exclude`` set this is what the contract's stored second-best distinct-bidder bid gives.
    """
    best: dict[int, Bid] = {}
    for bid in bids:
        amount = bid.amount
        if amount <= 0 or bid.bidder == exclude:
            continue
        held = best.get(bid.bundle)
        if held is None or _beats(amount, bid.order, held):
            best[bid.bundle] = bid
    return best


def _beats(amount: int, order: int, held: Bid) -> bool:
    """Whether a bid of ``amount`` at commit position ``order`` outranks ``held`` (higher, then earlier)."""
    return amount > held.amount or (amount == held.amount and order < held.order)


def ranked_bids(bids: Iterable[Bid]) -> dict[int, tuple[Bid, Bid | None]]:
    """Per bundle: the best bid and the best bid from any other bidder (None if there is none).

    The runner-up is what best_bids(bids, exclude=best bidder) would pick for that bundle, and what the
    contract stores as the second-best distinct-bidder bid. One pass, for VCG's many counterfactuals.
    """
    ranked: dict[int, tuple[Bid, Bid | None]] = {}
    for bid in bids:
        amount = bid.amount
        if amount <= 0:
            continue
        held = ranked.get(bid.bundle)
        if held is None:
            ranked[bid.bundle] = (bid, None)
            continue
        best, second = held
        if _beats(amount, bid.order, best):
            ranked[bid.bundle] = (bid, second if bid.bidder == best.bidder else best)
        elif bid.bidder != best.bidder and (second is None or _beats(amount, bid.order, second)):
            ranked[bid.bundle] = (best, bid)
    return ranked


def runner_ups_by_bidder(ranked: Mapping[int, tuple[Bid, Bid | None]]) -> dict[str, dict[int, int | None]]:
    """Per bidder, the bundles where it holds the best bid, each with the runner-up's amount (None: no
    other bid): what changes in the round without that bidder."""
    held: dict[str, dict[int, int | None]] = {}
    for bundle, (best, second) in ranked.items():
        held.setdefault(best.bidder, {})[bundle] = None if second is None else second.amount
    return held


@dataclass(frozen=True)
class Instance:
    """Reserves r_i and best bids b(B) for one round.

    ``bids`` maps a bundle bitmask to the best bid for exactly that bundle (only bundles that
    received a positive bid appear). Values are integers (wei) so results match the contract exactly.
    """

    reserves: tuple[int, ...]
    bids: Mapping[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.reserves)
        if not 1 <= n <= 256:
            raise InvalidInstance(f"between 1 and 256 rollups are allowed, got {n}")
        if any(r < 0 for r in self.reserves):
            raise InvalidInstance("reserves must be non-negative")
        for bundle, amount in self.bids.items():
            if bundle <= 0 or bundle >> n:
                raise InvalidInstance(f"bundle {bundle:#x} is empty or names a rollup >= {n}")
            if amount <= 0:
                raise InvalidInstance(f"bid for bundle {bundle:#x} must be positive, got {amount}")

    @classmethod
    def from_bids(cls, reserves: Iterable[int], bids: Iterable[Bid], exclude: str | None = None) -> Instance:
        """The instance formed by the best bid per bundle, optionally without one bidder's bids."""
        return cls(tuple(reserves), {b: bid.amount for b, bid in best_bids(bids, exclude).items()})

    @property
    def n(self) -> int:
        """Number of rollups."""
        return len(self.reserves)

    def singleton_value(self, rollup: int) -> int:
        """v({i}) = max(b({i}), r_i)."""
        return max(self.bids.get(1 << rollup, 0), self.reserves[rollup])

    def baseline(self) -> int:
        """Value of the partition into singletons."""
        return sum(self.singleton_value(i) for i in range(self.n))

    def gain(self, bundle: int) -> int:
        """What listing multi-rollup ``bundle`` adds over leaving its rollups as singletons."""
        return self.bids[bundle] - sum(self.singleton_value(i) for i in rollups_of(bundle))

    def value(self, bundles: Iterable[int]) -> int:
        """Value of the partition listing ``bundles``; InvalidInstance where the contract would revert."""
        covered = 0
        total = self.baseline()
        for bundle in bundles:
            if bundle <= 0 or bundle >> self.n:
                raise InvalidInstance(f"bundle {bundle:#x} is empty or out of range")
            if bundle & (bundle - 1) == 0:
                raise InvalidInstance(f"bundle {bundle:#x} is a singleton; singletons are implicit")
            if bundle & covered:
                raise InvalidInstance(f"bundle {bundle:#x} overlaps another bundle")
            if bundle not in self.bids:
                raise InvalidInstance(f"bundle {bundle:#x} has no bid")
            reserves = sum(self.reserves[i] for i in rollups_of(bundle))
            if self.bids[bundle] < reserves:
                raise InvalidInstance(
                    f"bundle {bundle:#x} bids {self.bids[bundle]}, below its reserves {reserves}"
                )
            covered |= bundle
            total += self.gain(bundle)
        return total

    def sold_singletons(self, bundles: Iterable[int]) -> list[int]:
        """Rollups outside ``bundles`` that sell alone: their best singleton bid meets the reserve."""
        covered = bundle_of(i for b in bundles for i in rollups_of(b))
        return [
            i
            for i in range(self.n)
            if not covered >> i & 1 and self.bids.get(1 << i, 0) > 0 and self.bids[1 << i] >= self.reserves[i]
        ]


@dataclass(frozen=True)
class Packing:
    """An optimal packing of one component: its bundles (ascending) and exact total gain."""

    bundles: tuple[int, ...]
    gain: int


class SolvedBy(enum.Flag):
    """The exact methods that found a clearing: a round's components may combine several (DP | MILP)."""

    TRIVIAL = 0  # no bundle gains over its singletons: nothing to solve
    DP = enum.auto()
    TABLE = enum.auto()
    MILP = enum.auto()
    REUSED = enum.auto()  # a component already solved for a related round (VCG counterfactuals)
    LOCAL = enum.auto()  # W(-i) searched around i's bundles in the round's subset table
    BRACKET = enum.auto()  # W(-i) = W: the optimum minus i's bundles already reaches it
    RELAXATION = enum.auto()  # W(-i) proven by the round's LP relaxation
    BRUTE_FORCE = enum.auto()

    def __str__(self) -> str:
        """The methods' names joined by "+" ("dp+milp"), or "trivial": what the CLI and benchmark print."""
        names = sorted((member.name or "").lower().replace("_", "-") for member in self)
        return "+".join(names) or "trivial"


@dataclass(frozen=True)
class Clearing:
    """An optimal partition: the multi-rollup bundles it lists (ascending), its value, how it was found."""

    bundles: tuple[int, ...]
    value: int
    method: SolvedBy = SolvedBy.DP

    @property
    def covered(self) -> int:
        """Number of rollups inside listed multi-rollup bundles (the contract's tie rule prefers fewer)."""
        return sum(len(rollups_of(b)) for b in self.bundles)

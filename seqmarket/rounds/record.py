"""What an arena round leaves behind: every attempt and the chain's result, as plain data.

The arena (seqmarket.rounds.arena) fills these records from the chain; scoring (seqmarket.rounds.scoring)
reads them without touching a chain, so a record can be scored again, or saved and scored elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from seqmarket.agents.strategies.base import Act, Commit, OwnCommit, Step, Timing
from seqmarket.clearing import Bid, Instance
from seqmarket.protocol.draw import ticket_holder, winning_ticket


@dataclass(frozen=True)
class Attempt:
    """One action a seat sent, and what the market did with it: "" when it went through, else the custom
    error it reverted with (or why it never reached the market)."""

    round: int
    seat: str
    step: Step
    timing: Timing
    act: Act
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class Purchase:
    """A lottery purchase: ``count`` tickets of ``bundle`` bought by ``buyer`` for ``cost`` wei."""

    bundle: int
    buyer: str
    count: int
    cost: int


@dataclass(frozen=True)
class Sold:
    """A bundle sold when the round settled: to whom, and what its winner paid (lottery: the bundle's
    ticket revenue, paid by all its ticket holders)."""

    bundle: int
    winner: str
    price: int


@dataclass
class ArenaRound:
    """One arena round: every attempt, and what scoring needs of the chain's result."""

    round: int
    reserves: tuple[int, ...] = ()
    attempts: list[Attempt] = field(default_factory=list)
    commits: dict[str, list[OwnCommit]] = field(default_factory=dict)  # per seat, as sealed
    commitments: list[Commit] = field(default_factory=list)  # sealed: everyone's, in commit order
    opened: set[bytes] = field(default_factory=set)  # sealed: the commitments opened so far
    revealed: list[Bid] = field(default_factory=list)  # sealed: every opened bid, in reveal order
    purchases: list[Purchase] = field(default_factory=list)  # lottery: in order
    turns: dict[str, int] = field(default_factory=dict)  # lottery: purchases before each seat's on-time turn
    base_prices: dict[int, int] = field(default_factory=dict)  # lottery: bundle -> base price this round
    partition: tuple[int, ...] = ()
    value: int = 0
    sold: list[Sold] = field(default_factory=list)
    rollup_revenue: dict[int, int] = field(default_factory=dict)  # rollup -> credited for sales
    forfeited: dict[str, int] = field(default_factory=dict)  # address -> lock forfeited
    forfeit_pot: int = 0  # sealed: forfeited locks shared out to the rollups
    credited: dict[str, int] = field(default_factory=dict)  # address -> credit gained in the round
    fees: dict[str, int] = field(default_factory=dict)  # keeper -> claim or draw bounty earned
    seed: bytes = b""  # lottery: the seed drawn
    fair_seed: bytes = b""  # lottery: the seed an honest draw in the window's first block gave
    seeds_seen: int = 0  # lottery: seeds a proposer looked at before drawing
    voided: bool = False
    lapsed: bool = False

    def errors(self, seat: str) -> list[Attempt]:
        """The seat's refused attempts."""
        return [a for a in self.attempts if a.seat == seat and not a.ok]


def sold_bundles(reserves: Sequence[int], revenues: dict[int, int], partition: Sequence[int]) -> list[int]:
    """A lottery round's sold bundles: the partition's, then rollups alone whose tickets meet the reserve."""
    instance = Instance(tuple(reserves), revenues)
    return [*partition, *(1 << i for i in instance.sold_singletons(partition))]


def revenues_of(purchases: Sequence[Purchase]) -> dict[int, int]:
    """Ticket revenue per bundle."""
    revenues: dict[int, int] = {}
    for purchase in purchases:
        revenues[purchase.bundle] = revenues.get(purchase.bundle, 0) + purchase.cost
    return revenues


def holder_of(purchases: Sequence[Purchase], bundle: int, seed: bytes) -> str:
    """The holder of ``bundle``'s winning ticket under ``seed`` (LotteryMarket's draw, recomputed)."""
    ends, buyers, sold = [], [], 0
    for purchase in purchases:
        if purchase.bundle == bundle:
            sold += purchase.count
            ends.append(sold)
            buyers.append(purchase.buyer)
    return ticket_holder(ends, buyers, winning_ticket(seed, bundle, sold))


def lottery_winners(
    reserves: Sequence[int], purchases: Sequence[Purchase], partition: Sequence[int], seed: bytes
) -> dict[int, str]:
    """Each sold bundle's winner under ``seed``."""
    sold = sold_bundles(reserves, revenues_of(purchases), partition)
    return {bundle: holder_of(purchases, bundle, seed) for bundle in sold}

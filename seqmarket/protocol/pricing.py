"""Lottery ticket pricing, mirrored from contracts/libraries/TicketPricing.sol to the wei.

Within a round the k-th ticket (k = 1..2T) costs the base price p up to 1.5T, then rises with
x = (k - 1.5T)/(0.5T) along one of three curves, all ending at 2p with default parameters:
linear p(1 + x) (the seed's curve with its algebra slip corrected: docs/design.md, departure 1), quadratic
p(1 + beta x^2), exponential p e^(gamma x). Between rounds the base price moves EIP-1559 style:
p' = p (1 + (kept - T)/T/8), within +-12.5%, never below a floor, on the tickets a round KEPT (sold in its
final partition; refunded ones count as none), and round q's step applies from round q + 2 on, the first
round whose sale opens after q's partition is final (LotteryMarket.basePrice; ``base_in_round``). Every
operation is the contract's integer arithmetic, in the same order, so results agree exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import IntEnum

from seqmarket.errors import InvalidInput

WAD = 10**18
LN2_WAD = 693147180559945309
MAX_GAMMA = 4 * WAD
MAX_BETA = 8 * WAD
MAX_BASE = 2**96 - 1


class Curve(IntEnum):
    """Price curve past 1.5T (same numbering as TicketPricing.Curve)."""

    LINEAR = 0
    QUADRATIC = 1
    EXPONENTIAL = 2


def exp_wad(x: int) -> int:
    """e^(x / WAD) in WAD by the Taylor series with each term floored, as TicketPricing.expWad."""
    term = WAD
    total = WAD
    n = 1
    while term != 0:
        term = term * x // (n * WAD)
        total += term
        n += 1
    return total


@dataclass(frozen=True)
class PriceCurve:
    """A round's price curve: target T, curve shape and its parameter (beta or gamma, in WAD)."""

    target: int
    curve: Curve = Curve.LINEAR
    beta: int = WAD
    gamma: int = LN2_WAD

    def __post_init__(self) -> None:
        if self.target < 2:
            raise InvalidInput("the target must be at least 2 tickets")
        if not 0 <= self.beta <= MAX_BETA or not 0 <= self.gamma <= MAX_GAMMA:
            raise InvalidInput("beta must be in [0, 8] and gamma in [0, 4] (WAD)")

    @property
    def max_tickets(self) -> int:
        """No ticket beyond 2T is sold."""
        return 2 * self.target

    def ticket_price(self, base: int, k: int) -> int:
        """Price of the k-th ticket (1-indexed)."""
        t = self.target
        if not 1 <= k <= 2 * t:
            raise InvalidInput(f"ticket {k} is outside 1..{2 * t}")
        if 2 * k <= 3 * t:
            return base
        d = 2 * k - 3 * t
        if self.curve == Curve.LINEAR:
            return base + base * d // t
        if self.curve == Curve.QUADRATIC:
            return base + base * self.beta * d * d // (WAD * t * t)
        return base * exp_wad(self.gamma * d // t) // WAD

    def cost(self, base: int, sold: int, count: int) -> int:
        """Exact cost of tickets sold+1 .. sold+count."""
        if sold + count > 2 * self.target:
            raise InvalidInput(f"only {2 * self.target - sold} tickets are left")
        return sum(self.ticket_price(base, k) for k in range(sold + 1, sold + count + 1))


def next_base(base: int, sold: int, target: int, floor: int) -> int:
    """One EIP-1559 step of the base price on ``sold`` tickets (a round's kept tickets) against ``target``."""
    if sold >= target:
        nxt = base + base * (sold - target) // (8 * target)
    else:
        nxt = base - base * (target - sold) // (8 * target)
    return min(max(nxt, floor), MAX_BASE)


def decay(base: int, rounds: int, target: int, floor: int) -> int:
    """Base price after ``rounds`` rounds with no sale (stops once it no longer moves)."""
    for _ in range(rounds):
        nxt = next_base(base, 0, target, floor)
        if nxt == base:
            break
        base = nxt
    return base


def starting_price(reserves: list[int], target: int, floor: int) -> int:
    """Base price of a bundle never sold before: its target tickets raise its rollups' reserves."""
    return min(max(sum(reserves) // target, floor), MAX_BASE)


def base_in_round(
    kept: Mapping[int, int], round_: int, starting: Callable[[int], int], target: int, floor: int
) -> int:
    """Base price of a bundle in ``round_`` given ``kept[q]``, the tickets it kept in each round q (absent:
    none), and ``starting(q)``, its starting price in round q (``starting_price`` of that round's reserves).

    Until a round keeps tickets of it, a bundle is priced as never sold: ``starting(round_)``. From the
    first round K that keeps some, its base is ``starting(K)`` moved one step per round q from K to
    ``round_ - 2`` on ``kept[q]`` (none: a step down); the last two rounds do not count yet, their partitions
    not being final when ``round_``'s sale opens. LotteryMarket.basePrice and ticketsKept.
    """
    if round_ < 0 or any(q < 0 or n < 0 for q, n in kept.items()):
        raise InvalidInput("rounds and tickets kept cannot be negative")
    moved = sorted(q for q, n in kept.items() if n > 0 and q <= round_ - 2)
    if not moved:
        return starting(round_)
    base, q = starting(moved[0]), moved[0]
    for r in moved:
        base = decay(base, r - q, target, floor)  # the rounds in between kept nothing
        base = next_base(base, kept[r], target, floor)
        q = r + 1
    return decay(base, round_ - 1 - q, target, floor)

"""VCG payments: each winner pays the welfare its presence costs the others.

p_i = W(-i) - (W - b_i), where W is the optimal partition's value, b_i what bidder i bid on the bundles
it wins, and W(-i) the optimal value with all of i's bids removed (each bundle then valued by the best
bid from another bidder, exactly what the contract's stored second-best bid provides). Since the
optimum minus i's bundles is feasible without i, W - b_i <= W(-i) <= W, so 0 <= p_i <= b_i.
(The seed writes p_i as a sum of second-best bids; that is wrong in general: DESIGN.md erratum 3.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from seqmarket.clearing.instance import Bid, Clearing, Instance, best_bids
from seqmarket.clearing.solver import clear


@dataclass(frozen=True)
class VcgPayment:
    """One winner's VCG payment and the counterfactual partition that proves W(-i)."""

    bidder: str
    bundles: tuple[int, ...]
    bid: int
    welfare_without: int
    counterfactual: tuple[int, ...]
    payment: int


@dataclass(frozen=True)
class VcgOutcome:
    clearing: Clearing
    payments: tuple[VcgPayment, ...]


def winners(instance: Instance, clearing: Clearing, bids: Iterable[Bid]) -> dict[str, list[Bid]]:
    """Winning bids of the partition, grouped by bidder: listed bundles plus singletons that sell."""
    best = best_bids(bids)
    sold = list(clearing.bundles) + [1 << i for i in instance.sold_singletons(clearing.bundles)]
    grouped: dict[str, list[Bid]] = {}
    for bundle in sold:
        grouped.setdefault(best[bundle].bidder, []).append(best[bundle])
    return grouped


def vcg(
    reserves: Sequence[int],
    bids: Sequence[Bid],
    solve: Callable[[Instance], Clearing] = clear,
) -> VcgOutcome:
    """Clear the round and compute every winner's VCG payment (one extra exact solve per winner)."""
    instance = Instance.from_bids(reserves, bids)
    clearing = solve(instance)
    payments = []
    for bidder, won in sorted(winners(instance, clearing, bids).items()):
        without = solve(Instance.from_bids(reserves, bids, exclude=bidder))
        bid = sum(b.amount for b in won)
        payment = without.value - (clearing.value - bid)
        assert 0 <= payment <= bid, "W - b_i <= W(-i) <= W must hold for an exact solver"
        payments.append(
            VcgPayment(
                bidder=bidder,
                bundles=tuple(sorted(b.bundle for b in won)),
                bid=bid,
                welfare_without=without.value,
                counterfactual=without.bundles,
                payment=payment,
            )
        )
    return VcgOutcome(clearing, tuple(payments))

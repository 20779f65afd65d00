"""What a VCG market charges each sold bundle, mirrored from SealedBidMarket._vcgCharges to the wei.

Winner i, bidding b_i in all on the bundles it wins, pays p_i = min(b_i, W(-i) - (W - b_i)), where W(-i) is
the best claim but never below the dissolved floor W - b_i + D_i (D_i: i's rollups as singletons valued
without i). With no claim i pays min(b_i, D_i). Both amounts are spread over i's bundles in proportion to
their bids: floored shares, then the remainder one wei at a time, in order, to bundles still below their
bid. The claimant earns bounty_bps of what the claim added to each bundle's price.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

BPS = 10_000


@dataclass(frozen=True)
class SoldBundle:
    """A bundle sold at settlement: who won it and its winning bid."""

    bundle: int
    winner: str
    bid: int


@dataclass(frozen=True)
class Charge:
    """What a sold bundle's winner pays, and the claimant's bounty out of it."""

    price: int
    bounty: int


def vcg_charges(
    sold: Sequence[SoldBundle],
    welfare: int,
    dissolved: Mapping[str, int],
    claims: Mapping[str, int],
    bounty_bps: int,
) -> list[Charge]:
    """Each sold bundle's charge, in the order sold (the partition's bundles, then singletons by rollup).

    ``dissolved`` is D_i per winner, ``claims`` the standing W(-i) claim per winner (absent: none).
    """
    totals: dict[str, int] = {}
    for sale in sold:
        totals[sale.winner] = totals.get(sale.winner, 0) + sale.bid
    payments, floors = {}, {}
    for winner, total in totals.items():
        others = welfare - total
        without = max(claims.get(winner, 0), others + dissolved[winner])
        payments[winner] = min(total, without - others)
        floors[winner] = min(total, dissolved[winner])
    prices = _spread(sold, totals, payments)
    floor_prices = _spread(sold, totals, floors)
    return [
        Charge(price, (price - floor) * bounty_bps // BPS if price > floor else 0)
        for price, floor in zip(prices, floor_prices, strict=True)
    ]


def _spread(sold: Sequence[SoldBundle], totals: Mapping[str, int], payments: Mapping[str, int]) -> list[int]:
    """Each winner's payment over its bundles: floored shares of the bids, then the remainder in order."""
    shares = [payments[s.winner] * s.bid // totals[s.winner] for s in sold]
    left = dict(payments)
    for share, sale in zip(shares, sold, strict=True):
        left[sale.winner] -= share
    for k, sale in enumerate(sold):
        if left[sale.winner] > 0 and shares[k] < sale.bid:
            shares[k] += 1
            left[sale.winner] -= 1
    return shares

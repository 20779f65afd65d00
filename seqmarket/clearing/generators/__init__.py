"""Instance generators: the CATS distributions as the CATS generator makes them, and a rollup model.

``generate(distribution, goods, bids, seed)`` makes a round. Its CATS distributions follow the
original CATS generator (v2.1) with its default parameters: the same bundle and price models, its
XOR sets and dominance check (regions.py, paths.py, scheduling.py, artificial.py, bidset.py). Like
the converted original instances in benchmarks/instances/cats-original, a round has no dummy goods
(every bid an OR bid), reserves 0 and one bidder per bid (rollup-synergy, the project's own model,
keeps its bidders and reserves). Prices are real numbers, converted by ``scale``:
- "cats": as CATS writes them (6 significant digits), times 1e6, as integers: the original
  instances' conversion;
- "wei": at full resolution, times one integer factor per round that brings the median bid to
  1e17 wei (bids then span about 1e15 to 1e18 wei and have no common factor); equal real prices stay
  equal.
``unit`` multiplies every amount afterwards. ``generator="legacy"`` selects the earlier generator
(legacy/), on which the benchmark history before the seventh session was measured.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Literal

import numpy as np

from seqmarket.clearing.generators.artificial import LEGACY_RULES, independent, possible_bundles
from seqmarket.clearing.generators.bidset import BidSet
from seqmarket.clearing.generators.common import Generated, RoundBuilder
from seqmarket.clearing.generators.legacy import LEGACY
from seqmarket.clearing.generators.paths import paths
from seqmarket.clearing.generators.regions import proximity
from seqmarket.clearing.generators.scheduling import scheduling
from seqmarket.clearing.generators.synergy import rollup_synergy
from seqmarket.clearing.instance import Bid
from seqmarket.errors import InvalidInput

DISTRIBUTIONS = (
    "arbitrary",
    "regions",
    "paths",
    "scheduling",
    "L2",
    "L3",
    "L4",
    "L6",
    "L7",
    "rollup-synergy",
)
Scale = Literal["cats", "wei"]
CATS_DIGITS = 6  # CATS writes prices with C++'s default stream precision
CATS_FACTOR = 10**6  # the original instances' conversion: round(price * 1e6)
WEI_MEDIAN = 10**17


def generate(
    distribution: str,
    goods: int,
    bids: int,
    seed: int = 0,
    *,
    scale: Scale = "cats",
    unit: int = 1,
    precision: int = 1,
    generator: Literal["cats", "legacy"] = "cats",
    dominance: bool | None = None,
) -> Generated:
    """A round of ``distribution`` on ``goods`` rollups with about ``bids`` bids, deterministic in seed.

    CATS distributions may keep a few more bids than asked for (CATS stops after the bidder that
    reaches the count). ``dominance`` None keeps CATS's dominance check on, except where the bid count
    is out of its reach (L3 with fewer 3-bundles than bids, which CATS needs -no_dom_check for).
    ``precision`` is the legacy generator's price grain.
    """
    if distribution not in DISTRIBUTIONS:
        raise InvalidInput(f"unknown distribution {distribution!r}; choose from {', '.join(DISTRIBUTIONS)}")
    if not 1 <= goods <= 256:
        raise InvalidInput(f"goods must be between 1 and 256, got {goods}")
    if bids < 1:
        raise InvalidInput(f"bids must be positive, got {bids}")
    if precision < 1 or unit < 1:
        raise InvalidInput("precision and unit must be positive integers")
    if scale not in ("cats", "wei"):
        raise InvalidInput(f"scale must be 'cats' or 'wei', got {scale!r}")
    rng = np.random.default_rng(seed)
    if generator == "legacy":
        builder = LEGACY[distribution](goods, bids, rng)
        return builder.finish(distribution=distribution, seed=seed, precision=precision, unit=unit, bids=bids)
    if generator != "cats":
        raise InvalidInput(f"generator must be 'cats' or 'legacy', got {generator!r}")
    if distribution == "rollup-synergy":
        return _synergy(rollup_synergy(goods, bids, rng), scale, unit, seed, bids)
    if dominance is None:
        reachable = possible_bundles(distribution, goods)
        dominance = reachable is None or reachable >= bids
    made, used_goods = _cats(distribution, goods, bids, rng, dominance)
    priced = made.bids()
    if distribution == "paths":  # CATS renumbers the roads used in bids (its compact())
        priced, used_goods = _compact(priced)
    amounts = convert([price for _, price in priced], scale)
    out = tuple(
        Bid(bidder=f"b{k}", bundle=mask, amount=amount * unit, order=k)
        for k, ((mask, _), amount) in enumerate(zip(priced, amounts, strict=True))
        if amount > 0
    )
    return Generated(
        reserves=(0,) * used_goods,
        bids=out,
        distribution=distribution,
        seed=seed,
        params={"goods": used_goods, "bids": len(out), "unit": unit, "dominance": int(dominance)},
    )


def _synergy(builder: RoundBuilder, scale: Scale, unit: int, seed: int, bids: int) -> Generated:
    """The rollup model's real bids and reserves at ``scale`` (one factor for both), its bidders kept."""
    kept = builder.entries[:bids]
    prices = [price for _, _, price in kept]
    amounts = convert(prices + list(builder.reserves), scale, reference=prices)
    out = tuple(
        Bid(bidder=f"b{bidder}", bundle=mask, amount=amount * unit, order=k)
        for k, ((bidder, mask, _), amount) in enumerate(zip(kept, amounts, strict=False))
        if amount > 0
    )
    reserves = tuple(a * unit for a in amounts[len(kept) :])
    params = {"goods": builder.goods, "bids": len(out), "unit": unit}
    return Generated(reserves=reserves, bids=out, distribution="rollup-synergy", seed=seed, params=params)


def _cats(
    distribution: str, goods: int, bids: int, rng: np.random.Generator, dominance: bool
) -> tuple[BidSet, int]:
    if distribution in ("regions", "arbitrary"):
        return proximity(goods, bids, rng, distribution == "arbitrary", dominance), goods
    if distribution == "scheduling":
        return scheduling(goods, bids, rng, dominance), goods
    if distribution == "paths":
        return paths(goods, bids, rng, dominance)
    assert distribution in LEGACY_RULES
    return independent(distribution, goods, bids, rng, dominance), goods


def _compact(priced: list[tuple[int, float]]) -> tuple[list[tuple[int, float]], int]:
    """Goods renumbered 0.. in order, keeping only those some bid names."""
    every = 0
    for mask, _ in priced:
        every |= mask
    new_of: dict[int, int] = {}
    g = 0
    while every >> g:
        if every >> g & 1:
            new_of[g] = len(new_of)
        g += 1
    out = []
    for mask, price in priced:
        renumbered = 0
        for old, new in new_of.items():
            if mask >> old & 1:
                renumbered |= 1 << new
        out.append((renumbered, price))
    return out, len(new_of)


def convert(prices: list[float], scale: Scale, reference: list[float] | None = None) -> list[int]:
    """Real prices as integer amounts (see the module docstring); non-positive or NaN prices give 0.

    At wei scale the factor brings the median of ``reference`` (default: the prices) to 1e17.
    """
    if scale == "cats":
        return [
            int((Decimal(f"{p:.{CATS_DIGITS}g}") * CATS_FACTOR).to_integral_value(ROUND_HALF_EVEN))
            if p > 0
            else 0
            for p in prices
        ]
    positive = [p for p in (prices if reference is None else reference) if p > 0]
    if not positive:
        return [0] * len(prices)
    factor = max(1, round(WEI_MEDIAN / float(np.median(positive))))
    return [round(Fraction(p) * factor) if p > 0 else 0 for p in prices]


__all__ = ["DISTRIBUTIONS", "Generated", "convert", "generate"]

"""The markets' rule choices, numbered as the contracts' enums (SealedBidMarket.sol, RevenueSplit.sol)."""

from __future__ import annotations

from enum import IntEnum


class PaymentRule(IntEnum):
    """What winners pay: their bids, or W(-i) - (W - b_i) each (VCG)."""

    FIRST_PRICE = 0
    VCG = 1


class SplitRule(IntEnum):
    """How a bundle's revenue is weighted among its rollups: by each rollup's singleton value
    max(b({i}), r_i), or by its reserve alone (which a rollup cannot raise by bidding on itself)."""

    SINGLETON_VALUES = 0
    RESERVES = 1

"""Off-chain clearing: exact winner determination with the contract's valuation and tie rules.

Pure logic: nothing here imports chain code, so the operator and the simulator share it.
"""

from seqmarket.clearing.instance import (
    Bid,
    Clearing,
    Instance,
    Packing,
    SolvedBy,
    best_bids,
    bundle_of,
    rollups_of,
)
from seqmarket.clearing.solver import Method, clear
from seqmarket.errors import ClearingTimeout, InvalidInstance

__all__ = [
    "Bid",
    "Clearing",
    "ClearingTimeout",
    "Instance",
    "InvalidInstance",
    "Method",
    "Packing",
    "SolvedBy",
    "best_bids",
    "bundle_of",
    "clear",
    "rollups_of",
]

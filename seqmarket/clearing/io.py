"""The JSON instance format read by `seqmarket clear`.

    {
      "reserves": [0, 5, 3],                       # one reserve per rollup (integers, e.g. wei)
      "bids": [                                    # any number of bids; the best per bundle counts
        {"bundle": [0, 1], "amount": 25, "bidder": "alice"},
        {"bundle": [2], "amount": 4}
      ]
    }

Bundles are lists of rollup indices; "bidder" is optional and only used in the output.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seqmarket.clearing.instance import Instance, InvalidInstance, bundle_of


@dataclass(frozen=True)
class BidBook:
    """A parsed instance plus who holds each bundle's best bid (for reporting)."""

    instance: Instance
    holders: dict[int, str]


def load_instance(path: Path) -> BidBook:
    """Read and validate a JSON instance; raises InvalidInstance with a readable message."""
    try:
        data = json.loads(path.read_text())
    except OSError as err:
        raise InvalidInstance(f"cannot read {path}: {err.strerror}") from err
    except json.JSONDecodeError as err:
        raise InvalidInstance(f"{path} is not JSON: {err}") from err
    return parse_instance(data)


def parse_instance(data: Any) -> BidBook:
    if not isinstance(data, dict) or not isinstance(data.get("reserves"), list):
        raise InvalidInstance('expected an object with a "reserves" list and a "bids" list')
    reserves = data["reserves"]
    if not all(isinstance(r, int) and not isinstance(r, bool) for r in reserves):
        raise InvalidInstance("reserves must be integers")
    bids: dict[int, int] = {}
    holders: dict[int, str] = {}
    for k, bid in enumerate(data.get("bids", [])):
        try:
            rollups, amount = bid["bundle"], bid["amount"]
        except (TypeError, KeyError) as err:
            raise InvalidInstance(f'bid {k} needs "bundle" and "amount"') from err
        if not isinstance(amount, int) or not isinstance(rollups, list) or not rollups:
            raise InvalidInstance(f"bid {k}: bundle must be a non-empty list of indices, amount an integer")
        if not all(isinstance(i, int) and 0 <= i < len(reserves) for i in rollups):
            raise InvalidInstance(f"bid {k}: rollup indices must be between 0 and {len(reserves) - 1}")
        bundle = bundle_of(rollups)
        if amount > bids.get(bundle, 0):
            bids[bundle] = amount
            holders[bundle] = str(bid.get("bidder", f"bid {k}"))
    return BidBook(Instance(reserves=tuple(reserves), bids=bids), holders)

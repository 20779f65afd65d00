"""The JSON instance format read by `seqmarket clear` and written by `seqmarket generate`.

    {
      "format": "seqmarket-instance/1",            # optional
      "reserves": [0, 5, 3],                       # one reserve per rollup
      "bids": [                                    # any number of bids; the best per bundle counts
        {"bundle": [0, 1], "amount": 25, "bidder": "alice"},
        {"bundle": [2], "amount": "4000000000000000000001"}
      ],
      "meta": {"distribution": "arbitrary", "seed": 1}   # optional, ignored by clearing
    }

- Amounts and reserves are integers from 0 to 2**128 - 1 in the chain's unit (wei), the range the
  markets accept. They may be written as JSON numbers or as decimal strings of ASCII digits; write
  strings above 2**53, which many JSON tools (not Python) would round.
- A bundle is a non-empty list of rollup indices in 0..len(reserves)-1; repeated indices count once.
- "bidder" is optional (default "bid K" for the K-th bid); it names who pays under VCG, so bids
  with the same bidder are one bidder's. Bids are in commit order: among equal amounts for the same
  bundle, the earlier bid is the best (the contract's tie rule).
- Files without "format" or "meta" (the original format) read the same way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seqmarket.clearing.instance import Bid, Instance, best_bids, bundle_of, rollups_of
from seqmarket.errors import InvalidInstance

FORMAT = "seqmarket-instance/1"


@dataclass(frozen=True)
class BidBook:
    """A parsed instance plus the labelled bids behind it (for VCG) and who holds each best bid."""

    instance: Instance
    holders: dict[int, str]
    bids: tuple[Bid, ...] = ()
    meta: Mapping[str, Any] | None = None


def load_instance(path: Path) -> BidBook:
    """Read and validate a JSON instance; raises InvalidInstance with a readable message."""
    try:
        data = json.loads(path.read_text())
    except OSError as err:
        raise InvalidInstance(f"cannot read {path}: {err.strerror}") from err
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InvalidInstance(f"{path} is not JSON: {err}") from err
    return parse_instance(data)


#: The markets refuse reserves and bids from 2**128 wei on (RollupRegistry, SealedBidMarket's lock cap).
AMOUNT_LIMIT = 2**128


def _integer(value: Any, what: str) -> int:
    """A JSON integer or decimal string (ASCII digits), from 0 to AMOUNT_LIMIT - 1 as a market accepts."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInstance(f"{what} must be an integer (a JSON number or a decimal string), got {value!r}")
    if not 0 <= value < AMOUNT_LIMIT:
        raise InvalidInstance(f"{what} must be between 0 and 2**128 - 1 (what a market accepts), got {value}")
    return value


def parse_instance(data: Any) -> BidBook:
    """Validate decoded JSON and build the instance; every rejection names the offending entry."""
    if not isinstance(data, dict) or not isinstance(data.get("reserves"), list):
        raise InvalidInstance('expected an object with a "reserves" list and a "bids" list')
    if "format" in data and data["format"] != FORMAT:
        raise InvalidInstance(f'unknown format {data["format"]!r}; this reader knows "{FORMAT}"')
    reserves = [_integer(r, f"reserve {k}") for k, r in enumerate(data["reserves"])]
    raw_bids = data.get("bids", [])
    if not isinstance(raw_bids, list):
        raise InvalidInstance('"bids" must be a list')
    bids: list[Bid] = []
    for k, bid in enumerate(raw_bids):
        if not isinstance(bid, dict) or "bundle" not in bid or "amount" not in bid:
            raise InvalidInstance(f'bid {k} needs "bundle" and "amount"')
        rollups = bid["bundle"]
        if not isinstance(rollups, list) or not rollups:
            raise InvalidInstance(f"bid {k}: bundle must be a non-empty list of indices")
        if not all(
            isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(reserves) for i in rollups
        ):
            raise InvalidInstance(f"bid {k}: rollup indices must be between 0 and {len(reserves) - 1}")
        amount = _integer(bid["amount"], f"bid {k}: amount")
        bidder = str(bid.get("bidder", f"bid {k}"))
        bids.append(Bid(bidder=bidder, bundle=bundle_of(rollups), amount=amount, order=k))
    best = best_bids(bids)
    meta = data.get("meta")
    return BidBook(
        instance=Instance.from_bids(reserves, bids),
        holders={bundle: bid.bidder for bundle, bid in best.items()},
        bids=tuple(bids),
        meta=meta if isinstance(meta, dict) else None,
    )


def dump_instance(reserves: Sequence[int], bids: Sequence[Bid], meta: Mapping[str, Any] | None = None) -> str:
    """The JSON text of an instance (amounts above 2**53 as strings, so no reader rounds them)."""

    def number(value: int) -> int | str:
        return value if value < 2**53 else str(value)

    ordered = sorted(bids, key=lambda b: b.order)
    lines = [
        json.dumps({"bundle": rollups_of(b.bundle), "amount": number(b.amount), "bidder": b.bidder})
        for b in ordered
    ]
    header = {"format": FORMAT, "reserves": [number(r) for r in reserves]}
    body = json.dumps(header)[:-1]
    if meta:
        body += ', "meta": ' + json.dumps(dict(meta))
    return body + ',\n "bids": [\n  ' + ",\n  ".join(lines) + "\n ]\n}\n"

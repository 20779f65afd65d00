"""Sealed-bid commitments, mirrored from contracts/SealedBidMarket.sol (commitmentOf)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from eth_abi import encode
from eth_utils import keccak, to_checksum_address


def commitment_hash(
    chain_id: int, market: str, round_: int, bidder: str, bundle: int, amount: int, salt: bytes
) -> bytes:
    """keccak256(abi.encode(chainid, market, round, bidder, bundle, amount, salt))."""
    return keccak(
        encode(
            ["uint256", "address", "uint256", "address", "uint256", "uint256", "bytes32"],
            [
                chain_id,
                to_checksum_address(market),
                round_,
                to_checksum_address(bidder),
                bundle,
                amount,
                salt,
            ],
        )
    )


@dataclass(frozen=True)
class SealedBid:
    """A bid a bidder has committed to and must later reveal; the salt is the secret."""

    round: int
    bidder: str
    bundle: int
    amount: int
    lock: int
    salt: bytes
    commitment: bytes

    @classmethod
    def seal(
        cls, chain_id: int, market: str, round_: int, bidder: str, bundle: int, amount: int, lock: int
    ) -> SealedBid:
        """Draw a fresh random salt and compute the commitment."""
        salt = secrets.token_bytes(32)
        return cls(
            round=round_,
            bidder=bidder,
            bundle=bundle,
            amount=amount,
            lock=lock,
            salt=salt,
            commitment=commitment_hash(chain_id, market, round_, bidder, bundle, amount, salt),
        )

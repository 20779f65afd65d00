"""The lottery draw, mirrored from contracts/LotteryMarket.sol (the seed taken in draw, winningTicket,
ticketHolder), so anyone can recompute the winners off-chain."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from seqmarket.errors import InvalidInput


def draw_seed(prevrandao: int, chain_id: int, market: str, round_: int) -> bytes:
    """keccak256(abi.encode(block.prevrandao, block.chainid, market, round))."""
    return keccak(
        encode(
            ["uint256", "uint256", "address", "uint256"],
            [prevrandao, chain_id, to_checksum_address(market), round_],
        )
    )


def winning_ticket(seed: bytes, bundle: int, sold: int) -> int:
    """uint256(keccak256(abi.encode(seed, bundle))) % sold: the winning ticket, 0-indexed."""
    if sold <= 0:
        raise InvalidInput("a bundle without tickets has no winner")
    return int.from_bytes(keccak(encode(["bytes32", "uint256"], [seed, bundle])), "big") % sold


def ticket_holder(ends: Sequence[int], buyers: Sequence[str], ticket: int) -> str:
    """Holder of ``ticket`` given purchases as cumulative ends (ascending) and their buyers."""
    if not 0 <= ticket < (ends[-1] if ends else 0):
        raise InvalidInput(f"ticket {ticket} was not sold")
    return buyers[bisect_right(ends, ticket)]

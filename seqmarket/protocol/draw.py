"""The lottery draw, mirrored from contracts/LotteryMarket.sol (the seed taken in draw, winningTicket,
ticketHolder, the draw bounty, drawLimits), so anyone can recompute the winners off-chain and a deployment
is checked against its chain's draw limits before gas is spent."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

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


#: The draw bounty is ``draw_bounty_bps / BPS`` of each sold bundle's revenue.
BPS = 10_000

#: anvil (31337) and ape's eth-tester (1337): no beacon chain behind PREVRANDAO, so no draw limits.
LOCAL_CHAINS = frozenset({31337, 1337})

#: Ethereum mainnet and its public testnets (Sepolia, Holesky, Hoodi): docs/randao-bias.md's limits.
ETHEREUM_CHAINS = frozenset({1, 11155111, 17000, 560048})

UNLIMITED = 2**256 - 1


@dataclass(frozen=True)
class DrawLimits:
    """What a chain needs of a lottery's draw settings (LotteryMarket.drawLimits): unsupported chains
    have no beacon-chain RANDAO (or were not analysed); otherwise lookahead >= min_lookahead, draw window
    <= max_draw_window and re-arms <= max_rearms."""

    supported: bool
    min_lookahead: int = 0
    max_draw_window: int = UNLIMITED
    max_rearms: int = UNLIMITED


def draw_limits(chain_id: int) -> DrawLimits:
    """The draw limits of chain ``chain_id`` (docs/randao-bias.md, "Per-chain minimums")."""
    if chain_id in LOCAL_CHAINS:
        return DrawLimits(supported=True)
    if chain_id in ETHEREUM_CHAINS:
        return DrawLimits(supported=True, min_lookahead=128, max_draw_window=2, max_rearms=1)
    return DrawLimits(supported=False, min_lookahead=0, max_draw_window=0, max_rearms=0)


def draw_bounty(revenue: int, bounty_bps: int) -> int:
    """The drawer's fee out of a sold bundle's ticket revenue: floor(revenue * bps / 10000)."""
    if not 0 <= bounty_bps <= BPS:
        raise InvalidInput(f"the draw bounty is 0 to {BPS} basis points, got {bounty_bps}")
    return revenue * bounty_bps // BPS

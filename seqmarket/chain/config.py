"""Deployment configurations of both markets, validated before they reach the chain."""

from __future__ import annotations

from dataclasses import dataclass

from seqmarket.errors import ConfigError
from seqmarket.protocol.draw import BPS, draw_limits
from seqmarket.protocol.pricing import LN2_WAD, WAD, Curve, PriceCurve
from seqmarket.protocol.rules import PaymentRule, SplitRule

#: SealedBidMarket's cap: a claimant earns at most half of what its claim adds, so rollups never get less.
MAX_CLAIM_BOUNTY_BPS = 5_000


def _check_rollups(payouts: tuple[str, ...], reserves: tuple[int, ...]) -> None:
    """What RollupRegistry's constructor checks: 1 to 256 rollups, one reserve each, below 2**128."""
    n = len(payouts)
    if not 1 <= n <= 256:
        raise ConfigError(f"a market sells 1 to 256 rollups, got {n}")
    if len(reserves) != n:
        raise ConfigError(f"{n} payout addresses but {len(reserves)} reserves")
    if any(r < 0 or r >= 2**128 for r in reserves):
        raise ConfigError("reserves must be between 0 and 2**128 - 1 wei")


@dataclass(frozen=True)
class SealedBidConfig:
    """Everything fixed at deployment of a SealedBidMarket. Phase lengths are in blocks.

    ``min_lock`` is the least a commitment locks (an unopened commitment forfeits its whole lock, so at
    least this). ``claim_bounty_bps`` of what a W(-i) claim adds to a VCG payment goes to its claimant. A
    round nobody finalizes within ``settle_blocks`` of its settle phase lapses: collateral is released.
    """

    payouts: tuple[str, ...]
    reserves: tuple[int, ...]
    start_block: int
    commit_blocks: int = 10
    reveal_blocks: int = 10
    challenge_blocks: int = 5
    min_lock: int = 10**15
    max_commits_per_bidder: int = 8
    split_rule: SplitRule = SplitRule.RESERVES
    payment_rule: PaymentRule = PaymentRule.FIRST_PRICE
    claim_bounty_bps: int = 1_000
    settle_blocks: int = 7_200

    def __post_init__(self) -> None:
        _check_rollups(self.payouts, self.reserves)
        if min(self.commit_blocks, self.reveal_blocks, self.challenge_blocks) < 1:
            raise ConfigError("every phase must last at least one block")
        if not 1 <= self.min_lock < 2**128:
            raise ConfigError("min_lock must be between 1 and 2**128 - 1 wei")
        if not 1 <= self.max_commits_per_bidder < 2**32:
            raise ConfigError("max_commits_per_bidder must be between 1 and 2**32 - 1")
        if not 0 <= self.claim_bounty_bps <= MAX_CLAIM_BOUNTY_BPS:
            raise ConfigError(f"claim_bounty_bps must be between 0 and {MAX_CLAIM_BOUNTY_BPS}")
        if not 1 <= self.settle_blocks < 2**32:
            raise ConfigError("settle_blocks must be between 1 and 2**32 - 1")

    def as_struct(self) -> tuple:
        """The constructor argument, in the Solidity struct's field order."""
        return (
            list(self.payouts),
            list(self.reserves),
            self.start_block,
            self.commit_blocks,
            self.reveal_blocks,
            self.challenge_blocks,
            self.min_lock,
            self.max_commits_per_bidder,
            int(self.split_rule),
            int(self.payment_rule),
            self.claim_bounty_bps,
            self.settle_blocks,
        )


@dataclass(frozen=True)
class LotteryConfig:
    """Everything fixed at deployment of a LotteryMarket on chain ``chain_id``. Phase lengths are in blocks.

    The draw of round r is accepted from block saleEnd + lookahead for draw_window blocks; the
    lookahead must exceed the challenge phase so the seed is unknown while partitions are proposed. A
    missed window re-arms the draw at most max_rearms times; one more miss voids the round and refunds
    every ticket. Each chain's draw limits (docs/randao-bias.md, "Per-chain minimums") are checked here:
    on Ethereum mainnet and its testnets a lookahead of at least 128 blocks, a window of at most 2 and one
    re-arm (the defaults); local chains need nothing; other chains are refused. The challenge may not
    outlast the sale: base prices wait for a round's partition to be final. Whoever draws the seed earns
    draw_bounty_bps of each sold bundle's revenue. Revenue is split by reserves by default: a rollup
    cannot raise its share by buying its own singleton's tickets (refunded when its bundle wins).
    """

    payouts: tuple[str, ...]
    reserves: tuple[int, ...]
    start_block: int
    chain_id: int
    sale_blocks: int = 20
    challenge_blocks: int = 4
    lookahead: int = 128
    draw_window: int = 2
    target_tickets: int = 10
    curve: Curve = Curve.LINEAR
    beta: int = WAD
    gamma: int = LN2_WAD
    price_floor: int = 10**12
    max_rearms: int = 1
    draw_bounty_bps: int = 100
    split_rule: SplitRule = SplitRule.RESERVES

    def __post_init__(self) -> None:
        _check_rollups(self.payouts, self.reserves)
        if self.max_rearms < 0:
            raise ConfigError("max_rearms cannot be negative")
        if min(self.sale_blocks, self.challenge_blocks, self.draw_window) < 1:
            raise ConfigError("the sale, the challenge and the draw window last at least one block")
        if self.lookahead <= self.challenge_blocks:
            raise ConfigError("the lookahead must be longer than the challenge phase")
        if self.challenge_blocks > self.sale_blocks:
            raise ConfigError(
                "the challenge phase may not outlast the sale: a round's base price waits for the partition "
                "of the round two sales back to be final"
            )
        if self.target_tickets < 2:
            raise ConfigError("the ticket target must be at least 2")
        if self.price_floor < 1:
            raise ConfigError("the price floor must be at least 1 wei")
        if not 0 <= self.draw_bounty_bps <= BPS:
            raise ConfigError(f"the draw bounty is 0 to {BPS} basis points")
        self.price_curve  # noqa: B018 - validates beta and gamma
        self._check_draw_limits()

    def _check_draw_limits(self) -> None:
        """What LotteryMarket's constructor checks against drawLimits(block.chainid)."""
        limits = draw_limits(self.chain_id)
        if not limits.supported:
            raise ConfigError(
                f"chain {self.chain_id} has no beacon-chain RANDAO the lottery can draw from (or was not "
                "analysed): see docs/randao-bias.md, 'Per-chain minimums'"
            )
        if self.lookahead < limits.min_lookahead:
            raise ConfigError(
                f"chain {self.chain_id} needs a lookahead of at least {limits.min_lookahead} blocks, "
                f"got {self.lookahead}"
            )
        if self.draw_window > limits.max_draw_window:
            raise ConfigError(
                f"chain {self.chain_id} allows a draw window of at most {limits.max_draw_window} blocks, "
                f"got {self.draw_window}"
            )
        if self.max_rearms > limits.max_rearms:
            raise ConfigError(
                f"chain {self.chain_id} allows at most {limits.max_rearms} re-arms, got {self.max_rearms}"
            )

    @property
    def price_curve(self) -> PriceCurve:
        return PriceCurve(self.target_tickets, self.curve, self.beta, self.gamma)

    def as_struct(self) -> tuple:
        """The constructor argument, in the Solidity struct's field order (the chain id is the chain's)."""
        return (
            list(self.payouts),
            list(self.reserves),
            self.start_block,
            self.sale_blocks,
            self.challenge_blocks,
            self.lookahead,
            self.draw_window,
            self.target_tickets,
            int(self.curve),
            self.beta,
            self.gamma,
            self.price_floor,
            self.max_rearms,
            self.draw_bounty_bps,
            int(self.split_rule),
        )

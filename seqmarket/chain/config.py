"""Deployment configurations of both markets, validated before they reach the chain."""

from __future__ import annotations

from dataclasses import dataclass

from seqmarket.errors import ConfigError
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
    """Everything fixed at deployment of a LotteryMarket. Phase lengths are in blocks.

    The draw of round r is accepted from block saleEnd + lookahead for draw_window blocks; the
    lookahead must exceed the challenge phase so the seed is unknown while partitions are proposed
    (on a live chain use at least 128 blocks: docs/randao-bias.md). A missed window re-arms the draw
    at most max_rearms times; one more miss voids the round and refunds every ticket.
    """

    payouts: tuple[str, ...]
    reserves: tuple[int, ...]
    start_block: int
    sale_blocks: int = 20
    challenge_blocks: int = 4
    lookahead: int = 6
    draw_window: int = 4
    target_tickets: int = 10
    curve: Curve = Curve.LINEAR
    beta: int = WAD
    gamma: int = LN2_WAD
    price_floor: int = 10**12
    per_bidder_cap: int = 0
    max_rearms: int = 1
    split_rule: SplitRule = SplitRule.SINGLETON_VALUES

    def __post_init__(self) -> None:
        _check_rollups(self.payouts, self.reserves)
        if self.max_rearms < 0:
            raise ConfigError("max_rearms cannot be negative")
        if min(self.sale_blocks, self.challenge_blocks, self.draw_window) < 1:
            raise ConfigError("the sale, the challenge and the draw window last at least one block")
        if self.lookahead <= self.challenge_blocks:
            raise ConfigError("the lookahead must be longer than the challenge phase")
        if self.target_tickets < 2:
            raise ConfigError("the ticket target must be at least 2")
        if self.price_floor < 1:
            raise ConfigError("the price floor must be at least 1 wei")
        self.price_curve  # noqa: B018 - validates beta and gamma

    @property
    def price_curve(self) -> PriceCurve:
        return PriceCurve(self.target_tickets, self.curve, self.beta, self.gamma)

    def as_struct(self) -> tuple:
        """The constructor argument, in the Solidity struct's field order."""
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
            self.per_bidder_cap,
            self.max_rearms,
            int(self.split_rule),
        )

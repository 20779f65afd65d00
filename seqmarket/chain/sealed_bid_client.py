"""SealedBidClient: collateral, sealed bids, VCG counterfactual claims and release on a SealedBidMarket."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

from ape import chain
from ape.api import AccountAPI, ReceiptAPI

from seqmarket.chain.client import MarketClient
from seqmarket.chain.config import SealedBidConfig
from seqmarket.clearing import Bid, Instance
from seqmarket.protocol.commitment import SealedBid
from seqmarket.protocol.rules import PaymentRule


@dataclass(frozen=True)
class StoredBid:
    """A bid as the contract keeps it; amount 0 means none."""

    amount: int
    order: int
    bidder: str


@dataclass(frozen=True)
class CommitmentState:
    """A commitment as the contract holds it (commitmentState): posted, opened, its lock and commit order."""

    registered: bool
    revealed: bool
    lock: int
    order: int


@dataclass(frozen=True)
class Commitment:
    """A commitment posted in a round (from its Committed event): who, the hash, its lock and order."""

    bidder: str
    commitment: bytes
    lock: int
    order: int


@dataclass(frozen=True)
class Participation:
    """A bidder's round (participationOf): commits, reveals, whether released, locked, unopened locks."""

    commits: int
    reveals: int
    released: bool
    locked: int
    unopened: int


@dataclass(frozen=True)
class Claim:
    """The standing W(-bidder) claim of a round: its value and who made it (paid the claim bounty)."""

    bidder: str
    value: int
    claimant: str


@dataclass
class SealedBidClient(MarketClient):
    """Client of a SealedBidMarket: collateral, sealed bids, VCG counterfactuals, release."""

    contract_name: ClassVar[str] = "SealedBidMarket"

    @classmethod
    def deploy(cls, config: SealedBidConfig, deployer: AccountAPI) -> SealedBidClient:
        """Deploy a new sealed-bid market with ``config``."""
        return cls._deploy(config.as_struct(), deployer)

    def deposit(self, bidder: AccountAPI, amount: int) -> ReceiptAPI:
        return self._send("deposit", bidder, "deposit", value=amount)

    def seal(self, bidder: AccountAPI, round_: int, bundle: int, amount: int, lock: int) -> SealedBid:
        """Prepare a sealed bid (nothing is sent)."""
        return SealedBid.seal(chain.chain_id, self.address, round_, bidder.address, bundle, amount, lock)

    def commit(self, bidder: AccountAPI, sealed: SealedBid, value: int = 0) -> ReceiptAPI:
        """Post a sealed bid's commitment and lock its collateral (``value`` is deposited first)."""
        return self._send(
            "commit", bidder, "commit", sealed.round, sealed.commitment, sealed.lock, value=value
        )

    def reveal(self, bidder: AccountAPI, sealed: SealedBid) -> ReceiptAPI:
        return self._send("reveal", bidder, "reveal", sealed.round, sealed.bundle, sealed.amount, sealed.salt)

    def claim_counterfactual(
        self, claimant: AccountAPI, round_: int, bidder: str, bundles: Sequence[int]
    ) -> ReceiptAPI:
        """Claim W(-bidder) with a partition valued without ``bidder``'s bids (VCG markets)."""
        return self._send(
            "claimCounterfactual", claimant, "claimCounterfactual", round_, bidder, list(bundles)
        )

    def release(self, caller: AccountAPI, round_: int, bidder: str) -> ReceiptAPI:
        return self._send("release", caller, "release", round_, bidder)

    def distribute_forfeits(self, caller: AccountAPI, round_: int) -> ReceiptAPI:
        """Credit the rollups, in equal shares, the forfeited locks released so far for ``round_``."""
        return self._send("distributeForfeits", caller, "distributeForfeits", round_)

    def forfeits(self, round_: int) -> int:
        """Forfeited locks of ``round_`` released but not yet distributed to the rollups."""
        return int(self.contract.resultOf(round_).forfeits)

    def withdraw_collateral(self, bidder: AccountAPI, amount: int) -> ReceiptAPI:
        return self._send("withdrawCollateral", bidder, "withdrawCollateral", amount, bidder.address)

    # ------------------------------------------------------------------ reads
    def committers(self, round_: int) -> list[str]:
        """Every address that committed in ``round_``, in first-commit order (each releases once)."""
        return list(dict.fromkeys(str(log.bidder) for log in self._logs("Committed", round_)))

    def revealed_bids(self, round_: int) -> list[tuple[str, int, int]]:
        """(bidder, bundle, amount) of every bid revealed in ``round_``, in reveal order."""
        logs = self._logs("Revealed", round_)
        return [(str(log.bidder), int(log.bundle), int(log.amount)) for log in logs if int(log.amount) > 0]

    def bids(self, round_: int) -> list[Bid]:
        """The bids the contract keeps for ``round_``: the top two from distinct bidders per bundle.

        That is all clearing and VCG need: without bidder i, each bundle's value is its best bid
        from anyone else, which is one of these two.
        """
        kept = []
        for bundle in sorted({bundle for _, bundle, _ in self.revealed_bids(round_)}):
            for stored in self.top_bids(round_, bundle):
                if stored.amount:
                    kept.append(Bid(stored.bidder, bundle, stored.amount, stored.order))
        return kept

    def instance(self, round_: int) -> Instance:
        """The round's clearing instance: reserves and best bid per bundle, read from the contract."""
        return Instance.from_bids(self.reserves(round_), self.bids(round_))

    def top_bids(self, round_: int, bundle: int) -> tuple[StoredBid, StoredBid]:
        """Best and second-best bids (distinct bidders) kept for exactly ``bundle``."""
        best, second = self.contract.topBids(round_, bundle)
        return StoredBid(*map(_int_or_str, best)), StoredBid(*map(_int_or_str, second))

    @cached_property
    def payment_rule(self) -> PaymentRule:
        return PaymentRule(int(self.contract.paymentRule()))

    @cached_property
    def min_lock(self) -> int:
        """The least a commitment locks; an unopened commitment forfeits its whole lock."""
        return int(self.contract.minLock())

    @cached_property
    def claim_bounty_bps(self) -> int:
        """What a W(-i) claimant earns of what its claim adds to a VCG payment, in basis points."""
        return int(self.contract.claimBountyBps())

    def settle_deadline(self, round_: int) -> int:
        """The block from which ``round_`` can no longer be finalized: it lapses, collateral is released."""
        return int(self.contract.settleDeadline(round_))

    @cached_property
    def max_commits_per_bidder(self) -> int:
        return int(self.contract.maxCommitsPerBidder())

    def is_finalized(self, round_: int) -> bool:
        return bool(self.contract.resultOf(round_).finalized)

    def commitment_state(self, round_: int, bidder: str, commitment: bytes) -> CommitmentState:
        """Whether ``bidder`` posted ``commitment`` in ``round_``, whether it was opened, lock and order."""
        state = self.contract.commitmentState(round_, bidder, commitment)
        return CommitmentState(
            bool(state.registered), bool(state.revealed), int(state.lock), int(state.order)
        )

    def commitments(self, round_: int) -> list[Commitment]:
        """Every commitment posted in ``round_``, in commit order."""
        return [
            Commitment(str(log.bidder), bytes(log.commitment), int(log.lock), int(log.order))
            for log in self._logs("Committed", round_)
        ]

    def claims(self, round_: int) -> list[Claim]:
        """The standing W(-i) claim of every bidder someone claimed for in ``round_``."""
        claimed = dict.fromkeys(str(log.bidder) for log in self._logs("CounterfactualClaimed", round_))
        return [
            Claim(
                b, self.counterfactual_value(round_, b), str(self.contract.counterfactualClaimant(round_, b))
            )
            for b in claimed
        ]

    def rounds_of(self, bidder: str) -> list[int]:
        """The rounds ``bidder`` committed in, oldest first."""
        logs = self.contract.Committed.range(
            self.schedule.start_block, chain.blocks.height + 1, search_topics={"bidder": bidder}
        )
        return sorted({int(log.round) for log in logs})

    def participation(self, round_: int, bidder: str) -> Participation:
        p = self.contract.participationOf(round_, bidder)
        return Participation(int(p.commits), int(p.reveals), bool(p.released), int(p.locked), int(p.unopened))

    def is_lapsed(self, round_: int) -> bool:
        """Whether ``round_`` can no longer be finalized (its settlement window closed unfinalized)."""
        return not self.is_finalized(round_) and self.next_block() >= self.settle_deadline(round_)

    def counterfactual_value(self, round_: int, bidder: str) -> int:
        return int(self.contract.counterfactualValue(round_, bidder))

    def collateral(self, bidder: str) -> tuple[int, int]:
        """(total, locked) collateral of ``bidder``."""
        return int(self.contract.collateralOf(bidder)), int(self.contract.lockedOf(bidder))

    def owed_to(self, accounts: Sequence[str]) -> int:
        """Collateral and credits of ``accounts`` and every rollup payout, plus forfeits not yet distributed.

        With every participant named this must equal balance(): no wei created or lost.
        """
        everyone = set(accounts) | set(self.payouts())
        held = int(self.contract.forfeitsHeld())
        return held + sum(int(self.contract.collateralOf(a)) + self.credit(a) for a in everyone)


def _int_or_str(value: Any) -> Any:
    return value if isinstance(value, str) else int(value)

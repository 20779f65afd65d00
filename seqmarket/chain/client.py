"""Market clients: the one way scripts, tests, agents and the CLI talk to deployed markets.

MarketClientBase holds what both mechanisms share (schedule, partition proposals, settlement reads,
credits); MarketClient speaks to a SealedBidMarket, LotteryClient (lottery_client.py) to a LotteryMarket.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, ClassVar, Self

from ape import chain, project
from ape.api import AccountAPI, ReceiptAPI
from ape.api.networks import LOCAL_NETWORK_NAME
from ape.contracts import ContractInstance

from seqmarket.chain.commitment import SealedBid
from seqmarket.chain.config import MarketConfig, PaymentRule
from seqmarket.clearing import Bid, Instance


class Phase(IntEnum):
    """Round phases, numbered as in RoundSchedule.sol."""

    NOT_OPEN = 0
    COMMIT = 1
    REVEAL = 2
    CHALLENGE = 3
    SETTLE = 4


@dataclass(frozen=True)
class GasRecord:
    """Gas used by one transaction the client sent."""

    action: str
    sender: str
    gas_used: int


@dataclass(frozen=True)
class Sale:
    """A bundle sold in a finalized round: what the winner bid and what it paid."""

    bundle: int
    winner: str
    bid: int
    price: int


@dataclass(frozen=True)
class RollupPayment:
    """What one rollup was credited for a finalized round."""

    rollup: int
    payout: str
    amount: int


@dataclass(frozen=True)
class StoredBid:
    """A bid as the contract keeps it; amount 0 means none."""

    amount: int
    order: int
    bidder: str


@dataclass
class MarketClientBase:
    """Thin typed wrapper around a market contract; records gas per transaction for reports."""

    contract: ContractInstance
    gas_log: list[GasRecord] = field(default_factory=list)

    #: Name of the contract type in the ape project.
    contract_name: ClassVar[str] = ""

    @classmethod
    def _deploy(cls, struct: tuple, deployer: AccountAPI) -> Self:
        contract = getattr(project, cls.contract_name).deploy(struct, sender=deployer)
        client = cls(contract)
        receipt = contract.creation_metadata.receipt if contract.creation_metadata else None
        client.gas_log.append(GasRecord("deploy", deployer.address, _gas(receipt)))
        return client

    @classmethod
    def at(cls, address: str) -> Self:
        """Attach to an existing market."""
        return cls(getattr(project, cls.contract_name).at(address))

    @property
    def address(self) -> str:
        return str(self.contract.address)

    def _send(self, action: str, sender: AccountAPI, method: str, *args: Any, **kwargs: Any) -> ReceiptAPI:
        receipt = getattr(self.contract, method)(*args, sender=sender, **kwargs)
        self.gas_log.append(GasRecord(action, sender.address, _gas(receipt)))
        return receipt

    def _logs(self, event: str, round_: int) -> list[Any]:
        """Logs of ``event`` for ``round_`` (indexed by round) since the round opened."""
        return list(
            getattr(self.contract, event).range(
                self.round_start(round_), chain.blocks.height + 1, search_topics={"round": round_}
            )
        )

    # ------------------------------------------------------------------ shared transactions
    def propose(self, proposer: AccountAPI, round_: int, bundles: Sequence[int]) -> ReceiptAPI:
        return self._send("propose", proposer, "propose", round_, list(bundles))

    def finalize(self, caller: AccountAPI, round_: int) -> ReceiptAPI:
        return self._send("finalize", caller, "finalize", round_)

    def withdraw_credit(self, account: AccountAPI) -> ReceiptAPI:
        return self._send("withdrawCredit", account, "withdrawCredit", account.address)

    def set_reserve(self, payout: AccountAPI, rollup: int, reserve: int) -> ReceiptAPI:
        return self._send("setReserve", payout, "setReserve", rollup, reserve)

    # ------------------------------------------------------------------ schedule
    def phase(self, round_: int) -> Phase:
        return Phase(self.contract.phaseOf(round_))

    def round_start(self, round_: int) -> int:
        return int(self.contract.roundStart(round_))

    def phase_start(self, round_: int, phase: Phase) -> int:
        """First block of ``phase`` in ``round_``."""
        start = self.round_start(round_)
        lengths = [
            int(self.contract.commitBlocks()),
            int(self.contract.revealBlocks()),
            int(self.contract.challengeBlocks()),
        ]
        return start + sum(lengths[: int(phase) - 1]) if phase >= Phase.COMMIT else 0

    def advance_to_block(self, target: int, poll_seconds: float = 2.0) -> None:
        """Return once the next transaction lands in block ``target`` or later (mine or wait)."""
        if chain.provider.network.name == LOCAL_NETWORK_NAME:
            gap = target - chain.blocks.height - 1
            if gap > 0:
                chain.mine(gap)
            return
        while chain.blocks.height + 1 < target:
            time.sleep(poll_seconds)

    def advance_to(self, round_: int, phase: Phase, poll_seconds: float = 2.0) -> None:
        """Return once the next transaction lands in ``round_``'s ``phase`` (or later)."""
        self.advance_to_block(self.phase_start(round_, phase), poll_seconds)

    # ------------------------------------------------------------------ shared reads
    @property
    def rollup_count(self) -> int:
        return int(self.contract.rollupCount())

    def reserves(self, round_: int) -> tuple[int, ...]:
        return tuple(int(self.contract.reserveAt(i, round_)) for i in range(self.rollup_count))

    def best_partition(self, round_: int) -> tuple[tuple[int, ...], int]:
        bundles, value = self.contract.bestPartition(round_)
        return tuple(int(b) for b in bundles), int(value)

    def rollup_payments(self, round_: int) -> list[RollupPayment]:
        return [
            RollupPayment(int(log.rollup), str(log.payout), int(log.amount))
            for log in self._logs("RollupPaid", round_)
        ]

    def sequencer_of(self, round_: int, rollup: int) -> str:
        return str(self.contract.sequencerOf(round_, rollup))

    def credit(self, account: str) -> int:
        return int(self.contract.creditOf(account))

    def balance(self) -> int:
        return int(chain.provider.get_balance(self.address))

    def payouts(self) -> list[str]:
        return [str(self.contract.payoutOf(i)) for i in range(self.rollup_count)]

    def instance(self, round_: int) -> Instance:
        """The round's clearing instance as the contract values it (each mechanism says how)."""
        raise NotImplementedError


@dataclass
class MarketClient(MarketClientBase):
    """Client of a SealedBidMarket: collateral, sealed bids, VCG counterfactuals, release."""

    contract_name: ClassVar[str] = "SealedBidMarket"

    @classmethod
    def deploy(cls, config: MarketConfig, deployer: AccountAPI) -> MarketClient:
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

    def withdraw_collateral(self, bidder: AccountAPI, amount: int) -> ReceiptAPI:
        return self._send("withdrawCollateral", bidder, "withdrawCollateral", amount, bidder.address)

    # ------------------------------------------------------------------ reads
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

    def sales(self, round_: int) -> list[Sale]:
        return [
            Sale(int(log.bundle), str(log.winner), int(log.bid), int(log.price))
            for log in self._logs("BundleSold", round_)
        ]

    @property
    def payment_rule(self) -> PaymentRule:
        return PaymentRule(int(self.contract.paymentRule()))

    def counterfactual_value(self, round_: int, bidder: str) -> int:
        return int(self.contract.counterfactualValue(round_, bidder))

    def collateral(self, bidder: str) -> tuple[int, int]:
        """(total, locked) collateral of ``bidder``."""
        return int(self.contract.collateralOf(bidder)), int(self.contract.lockedOf(bidder))

    def owed_to(self, accounts: Sequence[str]) -> int:
        """Collateral plus credits of ``accounts`` and of every rollup payout and the penalty recipient.

        With every participant named this must equal balance(): no wei created or lost.
        """
        everyone = set(accounts)
        everyone.update(self.payouts())
        everyone.add(str(self.contract.penaltyRecipient()))
        return sum(int(self.contract.collateralOf(a)) + self.credit(a) for a in everyone)


def _int_or_str(value: Any) -> Any:
    return value if isinstance(value, str) else int(value)


def _gas(receipt: ReceiptAPI | None) -> int:
    return int(receipt.gas_used) if receipt is not None else 0

"""Market clients: the one way round drivers, jobs, tests and the CLI talk to deployed markets.

MarketClient holds what both mechanisms share (schedule, partition proposals, settlement reads, credits);
SealedBidClient (sealed_bid_client.py) speaks to a SealedBidMarket, LotteryClient (lottery_client.py) to a
LotteryMarket. Every parameter a participant needs has a typed reader here, so nobody calls the contract
object directly.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any, ClassVar, Self

from ape import Project, chain
from ape.api import AccountAPI, ReceiptAPI
from ape.api.networks import LOCAL_NETWORK_NAME
from ape.contracts import ContractInstance

from seqmarket.clearing import Instance
from seqmarket.errors import ConfigError
from seqmarket.protocol.rules import SplitRule
from seqmarket.protocol.schedule import Phase, Schedule

#: The checkout holding the contracts (this package's parent folder).
CHECKOUT = Path(__file__).resolve().parents[2]


@cache
def market_project() -> Any:
    """The ape project holding the market contracts: this checkout, wherever a command runs (ape's own
    ``project`` is the current folder, which may hold other .sol files or none)."""
    if not (CHECKOUT / "ape-config.yaml").exists():
        raise ConfigError(f"the market contracts are not at {CHECKOUT}: run seqmarket from its checkout")
    return Project(CHECKOUT)


@dataclass(frozen=True)
class GasRecord:
    """Gas used by one transaction the client sent."""

    action: str
    sender: str
    gas_used: int


@dataclass(frozen=True)
class Sale:
    """A bundle sold in a finalized round: what the winner bid and what it paid (IMarket.Sale; the lottery's
    bid and price are the bundle's ticket revenue)."""

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
class KeeperFee:
    """A keeper's fee out of a sold bundle's price (a VCG claimant's bounty, the drawer's reward)."""

    bundle: int
    keeper: str
    amount: int


@dataclass
class MarketClient(ABC):
    """Thin typed wrapper around a market contract; records gas per transaction for reports."""

    contract: ContractInstance
    gas_log: list[GasRecord] = field(default_factory=list)

    #: Name of the contract type in the ape project.
    contract_name: ClassVar[str] = ""

    @classmethod
    def _deploy(cls, struct: tuple, deployer: AccountAPI) -> Self:
        contract = getattr(market_project(), cls.contract_name).deploy(struct, sender=deployer)
        client = cls(contract)
        receipt = contract.creation_metadata.receipt if contract.creation_metadata else None
        client.gas_log.append(GasRecord("deploy", deployer.address, _gas(receipt)))
        return client

    @classmethod
    def at(cls, address: str) -> Self:
        """Attach to an existing market."""
        return cls(getattr(market_project(), cls.contract_name).at(address))

    @property
    def address(self) -> str:
        return str(self.contract.address)

    def _send(self, action: str, sender: AccountAPI, method: str, *args: Any, **kwargs: Any) -> ReceiptAPI:
        receipt = getattr(self.contract, method)(*args, sender=sender, **kwargs)
        self.gas_log.append(GasRecord(action, sender.address, _gas(receipt)))
        return receipt

    def transact(
        self, action: str, sender: AccountAPI, method: str, *args: Any, nonce: int | None = None
    ) -> ReceiptAPI:
        """Send ``method(*args)`` from ``sender``, under ``nonce`` when given: for a caller that must know
        which nonce a transaction used (the operator service records it before sending, so a restart can
        tell whether the transaction landed and never sends it twice)."""
        extra = {} if nonce is None else {"nonce": nonce}
        return self._send(action, sender, method, *args, **extra)

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

    def withdraw_credit(self, account: AccountAPI, to: str | None = None) -> ReceiptAPI:
        """Withdraw ``account``'s whole credit, paid to ``to`` (default: itself)."""
        return self._send("withdrawCredit", account, "withdrawCredit", to or account.address)

    def set_reserve(self, payout: AccountAPI, rollup: int, reserve: int) -> ReceiptAPI:
        return self._send("setReserve", payout, "setReserve", rollup, reserve)

    # ------------------------------------------------------------------ schedule
    @cached_property
    def schedule(self) -> Schedule:
        """The market's block schedule (immutable, so read once)."""
        c = self.contract
        return Schedule(
            int(c.startBlock()), int(c.commitBlocks()), int(c.revealBlocks()), int(c.challengeBlocks())
        )

    def phase(self, round_: int) -> Phase:
        """The phase ``round_`` is in at the chain's current block, as the contract sees it."""
        return Phase(self.contract.phaseOf(round_))

    def round_start(self, round_: int) -> int:
        return self.schedule.round_start(round_)

    def phase_start(self, round_: int, phase: Phase) -> int:
        """First block of ``phase`` in ``round_``."""
        return self.schedule.phase_start(round_, phase)

    def next_block(self) -> int:
        """The block the next transaction is expected in (phases are judged there, not at the head)."""
        return int(chain.blocks.height) + 1

    def open_round(self, phase: Phase) -> int | None:
        """The most recent round in ``phase`` at the next block, or None (rounds overlap: see Schedule)."""
        return self.schedule.latest_round_in(phase, self.next_block())

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
    @cached_property
    def rollup_count(self) -> int:
        return int(self.contract.rollupCount())

    @cached_property
    def split_rule(self) -> SplitRule:
        return SplitRule(int(self.contract.splitRule()))

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

    def keeper_fees(self, round_: int) -> list[KeeperFee]:
        """Fees paid to keepers out of the winners' payments when ``round_`` was finalized."""
        return [
            KeeperFee(int(log.bundle), str(log.keeper), int(log.amount))
            for log in self._logs("KeeperPaid", round_)
        ]

    def sales(self, round_: int) -> list[Sale]:
        """The bundles ``round_`` sold, in settlement order (salesOf); none until it is final."""
        if not self.is_finalized(round_):
            return []
        return [
            Sale(int(sale.bundle), str(sale.winner), int(sale.bid), int(sale.price))
            for sale in self.contract.salesOf(round_)
        ]

    def sequencer_of(self, round_: int, rollup: int) -> str:
        """Who sequences ``rollup`` in finalized ``round_``; the zero address if it went unsold."""
        return str(self.contract.sequencerOf(round_, rollup))

    def sequencers(self, round_: int) -> list[str]:
        """sequencer_of for every rollup, in index order."""
        return [self.sequencer_of(round_, i) for i in range(self.rollup_count)]

    @abstractmethod
    def is_finalized(self, round_: int) -> bool:
        """Whether ``round_`` has been settled."""

    def credit(self, account: str) -> int:
        return int(self.contract.creditOf(account))

    def balance(self) -> int:
        return int(chain.provider.get_balance(self.address))

    def payouts(self) -> list[str]:
        return [str(self.contract.payoutOf(i)) for i in range(self.rollup_count)]

    @abstractmethod
    def owed_to(self, accounts: Sequence[str]) -> int:
        """What the market owes ``accounts`` and every other party it knows of; equals balance() when no
        wei was created or lost."""

    @abstractmethod
    def instance(self, round_: int) -> Instance:
        """The round's clearing instance as the contract values it (each mechanism says how)."""


def _gas(receipt: ReceiptAPI | None) -> int:
    return int(receipt.gas_used) if receipt is not None else 0

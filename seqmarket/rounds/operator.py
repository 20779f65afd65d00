"""The clearing operator: reads a round's bids (or ticket revenues), clears them exactly, proposes.

It holds no special power: its proposal is checked on-chain and anyone may replace it with a better one.
In a VCG market it also claims every winner's W(-i), from the same computation that cleared the round, and
earns the claim bounty for each claim that raises a payment. A transaction that reverts (someone proposed
an equal or better partition first, or raised a claim) is recorded and the operator carries on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ape.api import AccountAPI
from ape.exceptions import ContractLogicError

from seqmarket.chain.client import MarketClient
from seqmarket.chain.reverts import decode_revert
from seqmarket.chain.sealed_bid_client import SealedBidClient
from seqmarket.clearing import Clearing, Instance, clear
from seqmarket.clearing.vcg import vcg
from seqmarket.protocol.ranking import Rank


@dataclass(frozen=True)
class Submission:
    """What the operator computed and sent for a round."""

    instance: Instance
    clearing: Clearing
    proposed: bool
    #: W(-i) per winner, in VCG markets (claimed on-chain where it beat the standing claim).
    counterfactuals: dict[str, int] = field(default_factory=dict)
    #: Transactions that reverted, as "action: error" (the operator carried on after each).
    reverted: tuple[str, ...] = ()


@dataclass
class ClearingOperator:
    """Computes the optimal partition off-chain and proposes it if it beats the standing one."""

    client: MarketClient
    account: AccountAPI

    reverted: list[str] = field(default_factory=list, init=False)

    def submit(self, round_: int) -> Submission:
        """Clear ``round_`` and propose the result when it is better than the partition standing."""
        instance = self.client.instance(round_)
        clearing = clear(instance)
        return Submission(instance, clearing, self._propose(round_, clearing), reverted=self._drain())

    def _propose(self, round_: int, clearing: Clearing) -> bool:
        """Propose ``clearing`` if it ranks above the standing partition (else the proposal would revert)."""
        standing = Rank.of(*self.client.best_partition(round_))
        if not Rank.of(clearing.bundles, clearing.value).outranks(standing):
            return False
        return self._send("propose", self.client.propose, self.account, round_, clearing.bundles)

    def _send(self, action: str, transaction: Callable[..., Any], *args: Any) -> bool:
        """Send one transaction; a revert (someone got there first) is recorded, not raised."""
        try:
            transaction(*args)
        except ContractLogicError as err:
            self.reverted.append(f"{action}: {decode_revert(err).name}")
            return False
        return True

    def _drain(self) -> tuple[str, ...]:
        reverted, self.reverted = tuple(self.reverted), []
        return reverted


@dataclass
class VcgOperator(ClearingOperator):
    """The operator of a VCG market: proposes, then claims W(-i) for every winner.

    A winner nobody claimed for pays as if W(-i) were the floor W - b_i, so every claim the contract does
    not already hold is sent. Non-winners pay nothing whatever their W(-i), so they need no claim.
    """

    client: SealedBidClient

    def submit(self, round_: int) -> Submission:
        reserves, bids = self.client.reserves(round_), self.client.bids(round_)
        outcome = vcg(reserves, bids)
        proposed = self._propose(round_, outcome.clearing)
        claims = {}
        for payment in outcome.payments:
            if payment.welfare_without > self.client.counterfactual_value(round_, payment.bidder):
                bidder, partition = payment.bidder, payment.counterfactual
                self._send("claim", self.client.claim_counterfactual, self.account, round_, bidder, partition)
            claims[payment.bidder] = payment.welfare_without
        instance = Instance.from_bids(reserves, bids)
        return Submission(instance, outcome.clearing, proposed, claims, reverted=self._drain())

"""The clearing operator: reads a round's bids (or ticket revenues), clears them exactly, proposes.

It holds no special power: its proposal is checked on-chain and anyone may replace it with a better one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from seqmarket.chain.client import MarketClient, MarketClientBase
from seqmarket.chain.config import PaymentRule
from seqmarket.clearing import Clearing, Instance, clear
from seqmarket.clearing.vcg import VcgPayment, vcg

if TYPE_CHECKING:
    from ape.api import AccountAPI


@dataclass
class ClearingOperator:
    """Computes the optimal partition off-chain and submits it if it beats the standing one."""

    client: MarketClientBase
    account: AccountAPI

    def clear(self, round_: int) -> tuple[Instance, Clearing]:
        instance = self.client.instance(round_)
        return instance, clear(instance)

    def submit(self, round_: int) -> tuple[Instance, Clearing, bool]:
        """Clear ``round_`` and propose the result (and, in a VCG market, every winner's W(-i) claim).

        Returns whether a partition proposal was sent.
        """
        instance, clearing = self.clear(round_)
        _, standing = self.client.best_partition(round_)
        proposed = clearing.value > standing
        if proposed:
            self.client.propose(self.account, round_, clearing.bundles)
        if isinstance(self.client, MarketClient) and self.client.payment_rule == PaymentRule.VCG:
            self.submit_counterfactuals(round_)
        return instance, clearing, proposed

    def submit_counterfactuals(self, round_: int) -> list[VcgPayment]:
        """Claim W(-i) for every winner whose counterfactual beats both the standing claim and W - b_i."""
        assert isinstance(self.client, MarketClient)
        outcome = vcg(self.client.reserves(round_), self.client.bids(round_))
        for payment in outcome.payments:
            floor = outcome.clearing.value - payment.bid
            standing = self.client.counterfactual_value(round_, payment.bidder)
            if payment.welfare_without > max(floor, standing):
                self.client.claim_counterfactual(self.account, round_, payment.bidder, payment.counterfactual)
        return list(outcome.payments)

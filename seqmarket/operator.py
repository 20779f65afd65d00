"""The clearing operator: reads a round's bids (or ticket revenues), clears them exactly, proposes.

It holds no special power: its proposal is checked on-chain and anyone may replace it with a better one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from seqmarket.chain.client import MarketClient, MarketClientBase
from seqmarket.chain.config import PaymentRule
from seqmarket.clearing import Clearing, Instance, clear

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

    def submit_counterfactuals(self, round_: int) -> dict[str, int]:
        """Claim W(-i) for every bidder whose counterfactual beats the standing claim; returns the claims.

        Every bidder, not only the current winners: claims do not depend on the final partition, and a
        winner nobody claimed for would pay nothing (its W(-i) would default to the floor W - b_i).
        """
        assert isinstance(self.client, MarketClient)
        reserves, bids = self.client.reserves(round_), self.client.bids(round_)
        claims = {}
        for bidder in sorted({bid.bidder for bid in bids}):
            without = clear(Instance.from_bids(reserves, bids, exclude=bidder))
            if without.value > self.client.counterfactual_value(round_, bidder):
                self.client.claim_counterfactual(self.account, round_, bidder, without.bundles)
            claims[bidder] = without.value
        return claims

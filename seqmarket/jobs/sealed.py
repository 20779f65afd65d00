"""The sealed-bid round job (`make round`): deploy a SealedBidMarket on a local chain, run one full round
with honest agents, report every step, withdraw everything and check the market ends empty."""

from __future__ import annotations

import random
from dataclasses import dataclass

from ape import chain

from seqmarket.agents.honest import HonestBidder
from seqmarket.agents.valuation import SynergyValuation
from seqmarket.chain.config import SealedBidConfig
from seqmarket.chain.local import local_roles
from seqmarket.chain.sealed_bid_client import SealedBidClient
from seqmarket.errors import RoundCheckFailed
from seqmarket.jobs.report import JobReport, sealed_summary
from seqmarket.jobs.results import BidderSetup, MarketSetup, RollupSetup, SealedJobResult, Withdrawal
from seqmarket.protocol.rules import PaymentRule, SplitRule
from seqmarket.rounds.operator import ClearingOperator, VcgOperator
from seqmarket.rounds.participant import Participant
from seqmarket.rounds.sealed import run_sealed_round

MEAN_VALUE = 10**17  # 0.1 ETH: a rollup slot's typical stand-alone value to a sequencer


@dataclass(frozen=True)
class SealedJob:
    """What the sealed-bid round job runs: market size, seed and the market's rules."""

    rollups: int = 6
    bidders: int = 5
    seed: int = 7
    split_rule: SplitRule = SplitRule.RESERVES
    payment_rule: PaymentRule = PaymentRule.FIRST_PRICE

    @property
    def challenge_blocks(self) -> int:
        """Room for the operator's proposal and, under VCG, one counterfactual claim per bidder."""
        return 4 + (self.bidders if self.payment_rule == PaymentRule.VCG else 0)

    @property
    def settle_blocks(self) -> int:
        """Room to finalize, release everyone and distribute forfeits before the round could lapse."""
        return 2 * self.bidders + 10

    @property
    def phase_blocks(self) -> int:
        """Commit and reveal phases long enough for every bid: local chains mine one block per transaction."""
        return max(8, self.bidders * HonestBidder.max_bids + 4)


def rule_name(rule: PaymentRule) -> str:
    return "VCG" if rule == PaymentRule.VCG else "first-price"


def run_sealed_job(settings: SealedJob, report: JobReport) -> SealedJobResult:
    """Deploy, run round 0, withdraw everything, and check the market ends empty."""
    rng = random.Random(settings.seed)
    roles = local_roles(settings.rollups, settings.bidders)
    reserves = tuple(int(MEAN_VALUE * rng.uniform(0.2, 0.9)) for _ in range(settings.rollups))
    config = SealedBidConfig(
        payouts=tuple(a.address for a in roles.rollups),
        reserves=reserves,
        start_block=chain.blocks.height + 3,
        commit_blocks=settings.phase_blocks,
        reveal_blocks=settings.phase_blocks,
        challenge_blocks=settings.challenge_blocks,
        min_lock=MEAN_VALUE // 100,
        split_rule=settings.split_rule,
        payment_rule=settings.payment_rule,
        settle_blocks=settings.settle_blocks,
    )
    client = SealedBidClient.deploy(config, roles.operator)
    # Under VCG truthful bidding is optimal; under first price honest agents shade a little.
    shading = 0.0 if settings.payment_rule == PaymentRule.VCG else 0.1
    bidders = [
        Participant(
            account,
            HonestBidder(
                f"bidder{k}", SynergyValuation.random(rng, settings.rollups, mean_value=MEAN_VALUE), shading
            ),
        )
        for k, account in enumerate(roles.bidders)
    ]
    split = settings.split_rule.name.lower().replace("_", " ")
    result = SealedJobResult(
        setup=MarketSetup(
            contract="SealedBidMarket",
            market=client.address,
            chain_id=chain.chain_id,
            rollups=[
                RollupSetup(name, account.address, reserve)
                for name, account, reserve in zip(roles.rollup_names, roles.rollups, reserves, strict=True)
            ],
            bidders=[BidderSetup(b.agent.name, b.address, b.agent.valuation) for b in bidders],
            names=roles.names(),
        ),
        payment_rule=rule_name(settings.payment_rule),
        split_rule=split,
    )
    report.opened(
        result.setup,
        f"[bold]seqmarket[/bold] · SealedBidMarket at {client.address} on chain {chain.chain_id} · "
        f"{settings.rollups} rollups, {settings.bidders} bidders, seed {settings.seed}, "
        f"split by {split}, {result.payment_rule} payments",
    )

    vcg = settings.payment_rule == PaymentRule.VCG
    operator = VcgOperator(client, roles.operator) if vcg else ClearingOperator(client, roles.operator)
    result.outcome = run_sealed_round(client, 0, bidders, operator, roles.operator, rng, on_step=report)

    names = result.setup.names
    for account in (*roles.rollups, roles.operator):
        credit = client.credit(account.address)
        if credit:
            client.withdraw_credit(account)
            result.withdrawals.append(Withdrawal(names[account.address], account.address, credit))
    for bidder in bidders:
        total, locked = client.collateral(bidder.address)
        if total - locked:
            client.withdraw_collateral(bidder.account, total - locked)
            result.withdrawals.append(Withdrawal(names[bidder.address], bidder.address, total - locked))
    result.left = client.balance()
    if result.left != 0:
        raise RoundCheckFailed(f"{result.left} wei stayed in the market after everyone withdrew")
    report.closed(result.withdrawals, result.left, sealed_summary(result))
    return result

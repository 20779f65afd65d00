"""The lottery round job (`make round MECHANISM=lottery`): deploy a LotteryMarket per price curve, run
rounds with lottery bidders, report every step, withdraw everything and check the market ends empty."""

from __future__ import annotations

import random
from dataclasses import dataclass

from ape import chain

from seqmarket.agents.lottery import LotteryBidder
from seqmarket.agents.valuation import SynergyValuation
from seqmarket.chain.config import LotteryConfig
from seqmarket.chain.local import local_roles
from seqmarket.chain.lottery_client import LotteryClient
from seqmarket.errors import RoundCheckFailed
from seqmarket.jobs.report import JobReport, lottery_summary
from seqmarket.jobs.results import BidderSetup, LotteryJobResult, MarketSetup, RollupSetup, Withdrawal
from seqmarket.protocol.pricing import Curve
from seqmarket.protocol.rules import SplitRule
from seqmarket.rounds.lottery import run_lottery_round
from seqmarket.rounds.participant import Participant

MEAN_VALUE = 10**17


@dataclass(frozen=True)
class LotteryJob:
    """What the lottery round job runs: market size, seed, rounds per curve, ticket target, split rule (by
    reserves unless asked: a rollup cannot buy itself a bigger share) and the drawer's bounty."""

    rollups: int = 4
    bidders: int = 5
    seed: int = 7
    rounds: int = 2
    target_tickets: int = 10
    split_rule: SplitRule = SplitRule.RESERVES
    draw_bounty_bps: int = 100
    lookahead: int = 6

    @property
    def sale_blocks(self) -> int:
        """Local chains mine a block per transaction, and the next round's sale opens as this one's closes:
        leave room for this round's draw and refunds and the next round's purchases in one sale window."""
        return self.lookahead + 4 * self.bidders + 12


def run_lottery_job(settings: LotteryJob, curve: Curve, report: JobReport) -> LotteryJobResult:
    """Deploy a market with ``curve``, run the rounds, withdraw everything, check the market ends empty."""
    rng = random.Random(settings.seed)
    roles = local_roles(settings.rollups, settings.bidders)
    reserves = tuple(int(MEAN_VALUE * rng.uniform(0.1, 0.5)) for _ in range(settings.rollups))
    config = LotteryConfig(
        payouts=tuple(a.address for a in roles.rollups),
        reserves=reserves,
        start_block=chain.blocks.height + 3,
        chain_id=chain.chain_id,
        sale_blocks=settings.sale_blocks,
        challenge_blocks=4,
        lookahead=settings.lookahead,
        draw_window=4,
        target_tickets=settings.target_tickets,
        curve=curve,
        price_floor=MEAN_VALUE // 1000,
        draw_bounty_bps=settings.draw_bounty_bps,
        split_rule=settings.split_rule,
    )
    client = LotteryClient.deploy(config, roles.operator)
    bidders = [
        Participant(
            account,
            LotteryBidder(
                f"bidder{k}", SynergyValuation.random(rng, settings.rollups, mean_value=MEAN_VALUE)
            ),
        )
        for k, account in enumerate(roles.bidders)
    ]
    name = curve.name.lower()
    result = LotteryJobResult(
        setup=MarketSetup(
            contract="LotteryMarket",
            market=client.address,
            chain_id=chain.chain_id,
            rollups=[
                RollupSetup(rollup, account.address, reserve)
                for rollup, account, reserve in zip(roles.rollup_names, roles.rollups, reserves, strict=True)
            ],
            bidders=[BidderSetup(b.agent.name, b.address, b.agent.valuation) for b in bidders],
            names=roles.names(),
        ),
        curve=name,
        target_tickets=settings.target_tickets,
    )
    report.opened(
        result.setup,
        f"[bold]seqmarket[/bold] · LotteryMarket ({name} curve) at {client.address} "
        f"on chain {chain.chain_id} · "
        f"{settings.rollups} rollups, {settings.bidders} bidders, seed {settings.seed}, "
        f"target {settings.target_tickets} tickets per bundle",
    )
    for round_ in range(settings.rounds):
        result.outcomes.append(run_lottery_round(client, round_, bidders, roles.operator, on_step=report))

    for account in (*roles.rollups, *roles.bidders, roles.operator):  # the operator drew: its bounty
        credit = client.credit(account.address)
        if credit:
            client.withdraw_credit(account)
            result.withdrawals.append(
                Withdrawal(result.setup.names[account.address], account.address, credit)
            )
    result.left = client.balance()
    if result.left != 0:
        raise RoundCheckFailed(f"{result.left} wei stayed in the lottery market after everyone withdrew")
    report.closed(result.withdrawals, result.left, lottery_summary(result))
    return result

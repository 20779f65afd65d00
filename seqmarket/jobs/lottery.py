"""The lottery round job (`make round MECHANISM=lottery`): deploy a LotteryMarket per price curve, run
rounds with lottery bidders, print every step, withdraw everything and check the market ends empty."""

from __future__ import annotations

import random
from dataclasses import dataclass

from ape import chain
from rich.console import Console
from rich.table import Table

from seqmarket.agents.lottery import LotteryBidder
from seqmarket.agents.valuation import SynergyValuation
from seqmarket.chain.config import LotteryConfig
from seqmarket.chain.local import local_roles
from seqmarket.chain.lottery_client import LotteryClient
from seqmarket.errors import RoundCheckFailed
from seqmarket.jobs.report import LotteryRoundReporter, eth
from seqmarket.protocol.pricing import Curve
from seqmarket.protocol.rules import SplitRule
from seqmarket.rounds.lottery import run_lottery_round
from seqmarket.rounds.outcome import LotteryRoundOutcome
from seqmarket.rounds.participant import Participant

MEAN_VALUE = 10**17


@dataclass(frozen=True)
class LotteryJob:
    """What the lottery round job runs: market size, seed, rounds per curve, ticket target and cap."""

    rollups: int = 4
    bidders: int = 5
    seed: int = 7
    rounds: int = 2
    target_tickets: int = 10
    per_bidder_cap: int = 0
    split_rule: SplitRule = SplitRule.SINGLETON_VALUES
    lookahead: int = 6

    @property
    def sale_blocks(self) -> int:
        """Local chains mine a block per transaction, and the next round's sale opens as this one's closes:
        leave room for this round's draw and refunds and the next round's purchases in one sale window."""
        return self.lookahead + 4 * self.bidders + 12


def run_lottery_job(settings: LotteryJob, curve: Curve, console: Console) -> list[LotteryRoundOutcome]:
    """Deploy a market with ``curve``, run the rounds, withdraw everything, check the market ends empty."""
    rng = random.Random(settings.seed)
    roles = local_roles(settings.rollups, settings.bidders)
    rollup_names = roles.rollup_names
    reserves = tuple(int(MEAN_VALUE * rng.uniform(0.1, 0.5)) for _ in range(settings.rollups))
    config = LotteryConfig(
        payouts=tuple(a.address for a in roles.rollups),
        reserves=reserves,
        start_block=chain.blocks.height + 3,
        sale_blocks=settings.sale_blocks,
        challenge_blocks=4,
        lookahead=settings.lookahead,
        draw_window=4,
        target_tickets=settings.target_tickets,
        curve=curve,
        price_floor=MEAN_VALUE // 1000,
        per_bidder_cap=settings.per_bidder_cap,
        split_rule=settings.split_rule,
    )
    client = LotteryClient.deploy(config, roles.operator)
    console.rule(f"[bold]LotteryMarket[/bold] · {curve.name.lower()} curve · {client.address}")
    names = roles.names()
    bidders = [
        Participant(
            account,
            LotteryBidder(
                f"bidder{k}", SynergyValuation.random(rng, settings.rollups, mean_value=MEAN_VALUE)
            ),
        )
        for k, account in enumerate(roles.bidders)
    ]
    reporter = LotteryRoundReporter(console, rollup_names, names, client.price_curve)
    outcomes = [
        run_lottery_round(client, r, bidders, roles.operator, on_step=reporter)
        for r in range(settings.rounds)
    ]

    withdrawn = 0
    for account in (*roles.rollups, *roles.bidders):
        credit = client.credit(account.address)
        if credit:
            client.withdraw_credit(account)
            withdrawn += credit
    left = client.balance()
    if left != 0:
        raise RoundCheckFailed(f"{left} wei stayed in the lottery market after everyone withdrew")
    summary = Table(title=f"{curve.name.lower()} curve: {settings.rounds} rounds settled")
    summary.add_column("withdrawn by rollups and bidders (ETH)", justify="right")
    summary.add_column("left in the market (ETH)", justify="right")
    summary.add_row(eth(withdrawn), eth(left))
    console.print(summary)
    return outcomes

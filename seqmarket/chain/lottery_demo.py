"""The lottery main job: deploy a LotteryMarket per price curve, run rounds with lottery bidders, print it."""

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
from seqmarket.chain.lottery_round import LotteryOutcome, run_lottery_round
from seqmarket.errors import RoundCheckFailed
from seqmarket.pricing import Curve
from seqmarket.report import LotteryReporter, eth

MEAN_VALUE = 10**17


@dataclass(frozen=True)
class LotterySettings:
    rollups: int = 4
    bidders: int = 5
    seed: int = 7
    rounds: int = 2
    target_tickets: int = 10
    per_bidder_cap: int = 0

    lookahead: int = 6

    @property
    def sale_blocks(self) -> int:
        """Local chains mine a block per transaction, and the next round's sale opens as this one's closes:
        leave room for this round's draw and refunds and the next round's purchases in one sale window."""
        return self.lookahead + 4 * self.bidders + 12


def run_lottery_demo(settings: LotterySettings, curve: Curve, console: Console) -> list[LotteryOutcome]:
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
    )
    client = LotteryClient.deploy(config, roles.operator)
    console.rule(f"[bold]LotteryMarket[/bold] · {curve.name.lower()} curve · {client.address}")
    names = roles.names()
    bidders = [
        LotteryBidder(
            f"bidder{k}", account, SynergyValuation.random(rng, settings.rollups, mean_value=MEAN_VALUE)
        )
        for k, account in enumerate(roles.bidders)
    ]
    reporter = LotteryReporter(console, rollup_names, names, client.price_curve)
    outcomes = [
        run_lottery_round(client, r, bidders, roles.operator, on_phase=reporter)
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

"""The sealed-bid round job (`make round`): deploy a SealedBidMarket on a local chain, run one full round
with honest agents, print every step, withdraw everything and check the market ends empty."""

from __future__ import annotations

import random
from dataclasses import dataclass

from ape import chain
from rich.console import Console
from rich.table import Table

from seqmarket.agents.honest import HonestBidder
from seqmarket.agents.valuation import SynergyValuation
from seqmarket.chain.config import SealedBidConfig
from seqmarket.chain.local import local_roles
from seqmarket.chain.sealed_bid_client import SealedBidClient
from seqmarket.errors import RoundCheckFailed
from seqmarket.jobs.report import SealedRoundReporter, eth
from seqmarket.protocol.rules import PaymentRule, SplitRule
from seqmarket.rounds.operator import ClearingOperator, VcgOperator
from seqmarket.rounds.outcome import SealedRoundOutcome
from seqmarket.rounds.participant import Participant
from seqmarket.rounds.sealed import run_sealed_round

MEAN_VALUE = 10**17  # 0.1 ETH: a rollup slot's typical stand-alone value to a sequencer


@dataclass(frozen=True)
class SealedJob:
    """What the sealed-bid round job runs: market size, seed and the market's rules."""

    rollups: int = 6
    bidders: int = 5
    seed: int = 7
    split_rule: SplitRule = SplitRule.SINGLETON_VALUES
    payment_rule: PaymentRule = PaymentRule.FIRST_PRICE

    @property
    def challenge_blocks(self) -> int:
        """Room for the operator's proposal and, under VCG, one counterfactual claim per bidder."""
        return 4 + (self.bidders if self.payment_rule == PaymentRule.VCG else 0)

    @property
    def phase_blocks(self) -> int:
        """Commit and reveal phases long enough for every bid: local chains mine one block per transaction."""
        return max(8, self.bidders * HonestBidder.max_bids + 4)


def rule_name(rule: PaymentRule) -> str:
    return "VCG" if rule == PaymentRule.VCG else "first-price"


def run_sealed_job(settings: SealedJob, console: Console) -> SealedRoundOutcome:
    """Deploy, run round 0, withdraw everything, and check the market ends empty."""
    rng = random.Random(settings.seed)
    roles = local_roles(settings.rollups, settings.bidders)
    rollup_names = roles.rollup_names
    reserves = tuple(int(MEAN_VALUE * rng.uniform(0.2, 0.9)) for _ in range(settings.rollups))
    config = SealedBidConfig(
        payouts=tuple(a.address for a in roles.rollups),
        reserves=reserves,
        start_block=chain.blocks.height + 3,
        commit_blocks=settings.phase_blocks,
        reveal_blocks=settings.phase_blocks,
        challenge_blocks=settings.challenge_blocks,
        non_reveal_penalty=MEAN_VALUE // 100,
        split_rule=settings.split_rule,
        payment_rule=settings.payment_rule,
        penalty_recipient=roles.penalty_recipient.address,
    )
    client = SealedBidClient.deploy(config, roles.operator)
    console.print(
        f"[bold]seqmarket[/bold] · SealedBidMarket at {client.address} on chain {chain.chain_id} · "
        f"{settings.rollups} rollups, {settings.bidders} bidders, seed {settings.seed}, "
        f"split by {settings.split_rule.name.lower().replace('_', ' ')}, "
        f"{rule_name(settings.payment_rule)} payments"
    )
    names = roles.names()

    setup = Table(title="Market set-up: rollups and bidders' valuations")
    setup.add_column("rollup")
    setup.add_column("reserve (ETH)", justify="right")
    bidders = []
    for k, account in enumerate(roles.bidders):
        valuation = SynergyValuation.random(rng, settings.rollups, mean_value=MEAN_VALUE)
        # Under VCG truthful bidding is optimal; under first price honest agents shade a little.
        shading = 0.0 if settings.payment_rule == PaymentRule.VCG else 0.1
        bidders.append(Participant(account, HonestBidder(f"bidder{k}", valuation, shading=shading)))
        setup.add_column(f"bidder{k} (synergy {valuation.synergy:.0%})", justify="right")
    for i in range(settings.rollups):
        setup.add_row(
            rollup_names[i],
            eth(reserves[i]),
            *(
                eth(b.agent.valuation.standalone[i]) if b.agent.valuation.standalone[i] else "·"
                for b in bidders
            ),
        )
    console.print(setup)

    vcg = settings.payment_rule == PaymentRule.VCG
    operator = VcgOperator(client, roles.operator) if vcg else ClearingOperator(client, roles.operator)
    reporter = SealedRoundReporter(console, rollup_names, names, rule_name(settings.payment_rule))
    outcome = run_sealed_round(client, 0, bidders, operator, roles.operator, rng, on_step=reporter)

    withdrawals = Table(title="Pull withdrawals")
    withdrawals.add_column("account")
    withdrawals.add_column("withdrew (ETH)", justify="right")
    for account in (*roles.rollups, roles.penalty_recipient):
        credit = client.credit(account.address)
        if credit:
            client.withdraw_credit(account)
            withdrawals.add_row(names[account.address], eth(credit))
    for bidder in bidders:
        total, locked = client.collateral(bidder.address)
        if total - locked:
            client.withdraw_collateral(bidder.account, total - locked)
            withdrawals.add_row(names[bidder.address], eth(total - locked))
    left = client.balance()
    withdrawals.add_section()
    withdrawals.add_row("left in the market", eth(left))
    console.print(withdrawals)
    if left != 0:
        raise RoundCheckFailed(f"{left} wei stayed in the market after everyone withdrew")
    console.print(
        f"[green]Round 0 final:[/green] {len(outcome.sales)} sales, value {eth(outcome.value)} ETH, "
        "chain matches the off-chain clearing, books balance to the wei."
    )
    return outcome

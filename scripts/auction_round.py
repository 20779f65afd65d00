"""ape run auction_round: one full sealed-bid market round on a local chain, printed phase by phase."""

import click
from ape.cli import ConnectedProviderCommand
from ape.logging import logger
from rich.console import Console

from seqmarket.chain.config import PaymentRule
from seqmarket.chain.demo import DemoSettings, run_demo
from seqmarket.chain.local import TEST_ACCOUNTS
from seqmarket.revenue import SplitRule


@click.command(cls=ConnectedProviderCommand, short_help="Run one sealed-bid market round.")
@click.option("--rollups", default=6, show_default=True, type=click.IntRange(2, 16), help="Rollups on sale.")
@click.option(
    "--bidders", default=5, show_default=True, type=click.IntRange(1, 20), help="Honest sequencers."
)
@click.option(
    "--seed", default=7, show_default=True, type=int, help="Seed for valuations, reserves, salts' draws."
)
@click.option(
    "--split-rule",
    type=click.Choice(["singleton-bids", "reserves"]),
    default="singleton-bids",
    show_default=True,
    help="How a bundle's revenue is weighted among its rollups.",
)
@click.option(
    "--payment-rule",
    type=click.Choice(["first-price", "vcg"]),
    default="first-price",
    show_default=True,
    help="What winners pay: their bid, or VCG (verified on-chain through counterfactual claims).",
)
def cli(network, rollups, bidders, seed, split_rule, payment_rule):
    """Deploy a SealedBidMarket, let honest bidders commit and reveal sealed bids on bundles, clear the
    round off-chain, propose the optimal partition, finalize, and withdraw everything.

    Runs on a local chain (anvil through ape-foundry, or ape's in-process eth-tester).
    """
    if not network.is_local:
        raise click.UsageError("auction_round mines blocks to move through phases: use a local network")
    if rollups + bidders + 2 > TEST_ACCOUNTS:
        raise click.BadParameter(f"rollups + bidders must be at most {TEST_ACCOUNTS - 2}")
    logger.set_level("WARNING")
    settings = DemoSettings(
        rollups=rollups,
        bidders=bidders,
        seed=seed,
        split_rule=SplitRule.RESERVES if split_rule == "reserves" else SplitRule.SINGLETON_BIDS,
        payment_rule=PaymentRule.VCG if payment_rule == "vcg" else PaymentRule.FIRST_PRICE,
    )
    try:
        run_demo(settings, Console())
    except Exception as err:  # every failure ends with a message and exit status 1, not a traceback
        raise click.ClickException(f"{type(err).__name__}: {err}") from err

"""ape run lottery_round: lottery rounds (ticket sale, RANDAO draw, settlement) for each price curve."""

import click
from ape.cli import ConnectedProviderCommand
from ape.logging import logger
from rich.console import Console

from seqmarket.chain.local import TEST_ACCOUNTS
from seqmarket.chain.lottery_demo import LotterySettings, run_lottery_demo
from seqmarket.pricing import Curve

CURVES = {curve.name.lower(): curve for curve in Curve}


@click.command(cls=ConnectedProviderCommand, short_help="Run lottery rounds for each price curve.")
@click.option(
    "--curve",
    type=click.Choice([*CURVES, "all"]),
    default="all",
    show_default=True,
    help="Ticket price curve past 1.5T; 'all' runs one market per curve.",
)
@click.option("--rollups", default=4, show_default=True, type=click.IntRange(2, 16), help="Rollups on sale.")
@click.option("--bidders", default=5, show_default=True, type=click.IntRange(1, 20), help="Ticket buyers.")
@click.option("--rounds", default=2, show_default=True, type=click.IntRange(1, 10), help="Rounds per market.")
@click.option(
    "--target", default=10, show_default=True, type=click.IntRange(2, 1000), help="Target tickets T."
)
@click.option(
    "--cap",
    default=0,
    show_default=True,
    type=click.IntRange(0),
    help="Tickets per bidder per bundle (0: no cap).",
)
@click.option("--seed", default=7, show_default=True, type=int, help="Seed for valuations and reserves.")
def cli(network, curve, rollups, bidders, rounds, target, cap, seed):
    """Deploy a LotteryMarket per curve; bidders buy tickets on bundles, the partition is cleared by ticket
    revenue and proposed, the draw reads RANDAO in its window, winners are paid out and losers refunded.
    The base price moves between rounds with demand. Runs on a local chain."""
    if not network.is_local:
        raise click.UsageError("lottery_round mines blocks to move through phases: use a local network")
    if rollups + bidders + 2 > TEST_ACCOUNTS:
        raise click.BadParameter(f"rollups + bidders must be at most {TEST_ACCOUNTS - 2}")
    logger.set_level("WARNING")
    settings = LotterySettings(
        rollups=rollups, bidders=bidders, seed=seed, rounds=rounds, target_tickets=target, per_bidder_cap=cap
    )
    console = Console()
    try:
        for chosen in CURVES.values() if curve == "all" else [CURVES[curve]]:
            run_lottery_demo(settings, chosen, console)
    except Exception as err:  # every failure ends with a message and exit status 1, not a traceback
        raise click.ClickException(f"{type(err).__name__}: {err}") from err

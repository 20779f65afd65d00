"""ape run deploy: deploy a SealedBidMarket to any network ape can reach."""

import click
from ape import accounts, chain
from ape.cli import ConnectedProviderCommand, account_option, verbosity_option

from seqmarket.chain.config import SealedBidConfig
from seqmarket.chain.logs import ape_logs_to_stderr
from seqmarket.chain.reverts import describe_failure
from seqmarket.chain.sealed_bid_client import SealedBidClient
from seqmarket.errors import ConfigError
from seqmarket.protocol.rules import PaymentRule, SplitRule

ape_logs_to_stderr()


@click.command(cls=ConnectedProviderCommand, short_help="Deploy a SealedBidMarket.")
@verbosity_option(default="WARNING")
@account_option(prompt=False)
@click.option("--payout", "payouts", multiple=True, help="Rollup payout address, once per rollup (in order).")
@click.option("--reserve", "reserves", multiple=True, type=int, help="Reserve in wei, once per rollup.")
@click.option(
    "--rollups",
    default=4,
    show_default=True,
    type=click.IntRange(1, 256),
    help="On a local network without --payout: rollups backed by test accounts.",
)
@click.option(
    "--start-in", default=5, show_default=True, type=click.IntRange(1), help="Blocks until round 0."
)
@click.option("--commit-blocks", default=20, show_default=True, type=click.IntRange(1))
@click.option("--reveal-blocks", default=20, show_default=True, type=click.IntRange(1))
@click.option("--challenge-blocks", default=10, show_default=True, type=click.IntRange(1))
@click.option(
    "--min-lock",
    default=10**15,
    show_default=True,
    type=click.IntRange(1),
    help="Least collateral a commitment locks (wei); an unopened commitment forfeits its lock.",
)
@click.option(
    "--max-commits",
    default=8,
    show_default=True,
    type=click.IntRange(1),
    help="Commits per bidder per round.",
)
@click.option(
    "--split-rule",
    type=click.Choice(["reserves", "singleton-values"]),
    default="reserves",
    show_default=True,
    help="Weights of a bundle's revenue split: reserves, or max(singleton bid, reserve).",
)
@click.option(
    "--payment-rule", type=click.Choice(["first-price", "vcg"]), default="first-price", show_default=True
)
@click.option(
    "--claim-bounty-bps",
    default=1_000,
    show_default=True,
    type=click.IntRange(0, 5_000),
    help="Share of what a W(-i) claim adds to a VCG payment paid to its claimant (basis points).",
)
@click.option(
    "--settle-blocks",
    default=7_200,
    show_default=True,
    type=click.IntRange(1),
    help="Blocks a round waits for finalize before it lapses (collateral released, nothing sold).",
)
def cli(
    network,
    account,
    payouts,
    reserves,
    rollups,
    start_in,
    commit_blocks,
    reveal_blocks,
    challenge_blocks,
    min_lock,
    max_commits,
    split_rule,
    payment_rule,
    claim_bounty_bps,
    settle_blocks,
):
    """Deploy a market. On a local network, rollup payouts default to funded test accounts; on any other
    network pass --payout and --reserve once per rollup."""
    if account is None:
        if not network.is_local:
            raise click.UsageError("choose the deploying account with --account ALIAS")
        account = accounts.test_accounts[0]
    if not payouts:
        if not network.is_local:
            raise click.UsageError("give each rollup's payout address with --payout on a live network")
        available = len(accounts.test_accounts) - 1
        if rollups > available:
            raise click.BadParameter(
                f"a local chain has test accounts for at most {available} rollups", param_hint="--rollups"
            )
        payouts = tuple(accounts.test_accounts[1 + i].address for i in range(rollups))
    if not reserves:
        reserves = (0,) * len(payouts)
    try:
        config = SealedBidConfig(
            payouts=tuple(payouts),
            reserves=tuple(reserves),
            start_block=chain.blocks.height + start_in,
            commit_blocks=commit_blocks,
            reveal_blocks=reveal_blocks,
            challenge_blocks=challenge_blocks,
            min_lock=min_lock,
            max_commits_per_bidder=max_commits,
            split_rule=SplitRule.RESERVES if split_rule == "reserves" else SplitRule.SINGLETON_VALUES,
            payment_rule=PaymentRule.VCG if payment_rule == "vcg" else PaymentRule.FIRST_PRICE,
            claim_bounty_bps=claim_bounty_bps,
            settle_blocks=settle_blocks,
        )
    except ConfigError as err:
        raise click.BadParameter(str(err)) from err
    try:
        client = SealedBidClient.deploy(config, account)
    except Exception as err:  # a message and exit status 1, not a traceback
        raise click.ClickException(f"deployment failed: {describe_failure(err)}") from err
    click.echo(
        f"SealedBidMarket deployed at {client.address} on {network.ecosystem.name}:{network.name} "
        f"({len(payouts)} rollups, round 0 opens at block {config.start_block}, "
        f"gas {client.gas_log[0].gas_used:,})"
    )

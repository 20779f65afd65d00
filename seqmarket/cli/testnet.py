"""`seqmarket chain` (a persistent local testnet) and `seqmarket deploy sealed|lottery` (a market on it, or on
any network ape reaches, recorded in the deployment file every other command reads)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from seqmarket.cli.common import JSON_HELP, WEI, one_line_errors, report

SPLIT_RULES = ("reserves", "singleton-values")
PAYMENT_RULES = ("first-price", "vcg")
CURVES = ("linear", "quadratic", "exponential")


@click.command("chain", short_help="Run a local testnet that keeps its state (Ctrl-C stops it).")
@click.option(
    "--port", default=8545, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on."
)
@click.option(
    "--state",
    type=click.Path(dir_okay=False, path_type=Path),
    help="State file, loaded at start and saved at exit and every 30 s. [default: .cache/chain/state.json]",
)
@click.option(
    "--block-time",
    default=2.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds after which an idle chain mines an empty block, so phases advance on their own.",
)
@click.option("--fresh", is_flag=True, help="Start a new chain; the saved state is moved aside, not deleted.")
def chain_command(port: int, state: Path | None, block_time: float, fresh: bool) -> None:
    """Run a local testnet in the foreground until Ctrl-C; its state is kept on disk across restarts.

    anvil on 127.0.0.1:PORT (chain id 31337) with the 40 funded test accounts of ape-config.yaml (use
    them with --account 0..39 in the other commands), mining each transaction at once and an empty block
    whenever none came for --block-time seconds: round phases, counted in blocks, move on while nobody
    sends anything. Contracts, balances, blocks and logs are saved to the state file at exit (Ctrl-C or
    SIGTERM) and every 30 s, and loaded at the next start: a market deployed today is still there
    tomorrow. anvil's own output goes to anvil.log beside the state file.
    """
    from seqmarket.chain.testnet import DEFAULT_STATE, Testnet, run_testnet, state_lock

    net = Testnet(port=port, state=state or DEFAULT_STATE, block_time=block_time)
    with one_line_errors():
        if fresh and net.state.exists():
            # Not from under a chain running on it (that chain would save it back at exit).
            with state_lock(net):
                aside = net.state.with_name(
                    f"{net.state.stem}-{time.strftime('%Y%m%d-%H%M%S')}{net.state.suffix}"
                )
                net.state.rename(aside)
            click.echo(f"the previous chain's state is kept in {aside}")

        def ready(height: int, resumed: bool) -> None:
            origin = f"resumed from {net.state}" if resumed else f"a new chain, saved to {net.state}"
            click.echo(
                f"local testnet at {net.rpc} (chain 31337), block {height}, {origin}; an idle block every "
                f"{block_time:g} s; test accounts 0-39 hold 10000 ETH each; Ctrl-C stops it, saving the state"
            )

        status = run_testnet(net, ready)
    if status != 0:
        raise click.ClickException(f"anvil exited with status {status} (see {net.log})")
    click.echo(f"stopped; state saved in {net.state}")


@click.group("deploy", short_help="Deploy a market and record it in the deployment file.")
def deploy_group() -> None:
    """Deploy a market and record it in the deployment file the other commands read.

    On the local testnet (the default) rollup payouts are test accounts 1..N and the deployer is test
    account 0; elsewhere give --network, --account and one --payout per rollup. The file is
    deployments/<chain id>.json in the checkout (or --deployment FILE); it holds one market of each kind,
    and a new deployment of a kind replaces the previous one there.
    """


def _shared(command: Any) -> Any:
    """Options both markets take: where, who, the rollups, when round 0 opens, the split rule, output."""
    options = [
        click.option("--json", "as_json", is_flag=True, help=JSON_HELP),
        click.option(
            "--split-rule",
            type=click.Choice(SPLIT_RULES),
            default="reserves",
            show_default=True,
            help="Weights of a bundle's revenue split: reserves (a rollup cannot raise them by bidding on "
            "itself), or max(singleton bid, reserve).",
        ),
        click.option(
            "--start-in", default=5, show_default=True, type=click.IntRange(1), help="Blocks until round 0."
        ),
        click.option(
            "--reserve",
            "reserves",
            multiple=True,
            type=WEI,
            help="Reserve price (wei, or 0.01eth): once for all rollups, or once per rollup. [default: 0]",
        ),
        click.option(
            "--payout", "payouts", multiple=True, help="A rollup's payout address, once per rollup."
        ),
        click.option(
            "--rollups",
            default=4,
            show_default=True,
            type=click.IntRange(1, 39),
            help="On a local chain without --payout: rollups paid to test accounts 1..N.",
        ),
        click.option(
            "--account",
            envvar="SEQMARKET_ACCOUNT",
            metavar="INDEX|ALIAS",
            help="Who deploys. [default: test account 0 on a local chain]",
        ),
        click.option(
            "--network", envvar="SEQMARKET_NETWORK", metavar="CHOICE", help="An ape network choice."
        ),
        click.option(
            "--rpc",
            envvar="SEQMARKET_RPC",
            metavar="URL",
            help="The local testnet's address. [default: http://127.0.0.1:8545]",
        ),
        click.option(
            "--deployment",
            type=click.Path(dir_okay=False, path_type=Path),
            envvar="SEQMARKET_DEPLOYMENT",
            help="Deployment file to write. [default: deployments/<chain id>.json in the checkout]",
        ),
    ]
    for option in options:
        command = option(command)
    return command


@deploy_group.command("sealed", short_help="Deploy a SealedBidMarket.")
@_shared
@click.option("--commit-blocks", default=20, show_default=True, type=click.IntRange(1), help="Commit phase.")
@click.option("--reveal-blocks", default=20, show_default=True, type=click.IntRange(1), help="Reveal phase.")
@click.option(
    "--challenge-blocks", default=10, show_default=True, type=click.IntRange(1), help="Challenge phase."
)
@click.option(
    "--settle-blocks",
    default=7_200,
    show_default=True,
    type=click.IntRange(1),
    help="Blocks a round waits for finalize before it lapses (collateral released, nothing sold).",
)
@click.option(
    "--min-lock",
    default="0.001eth",
    show_default=True,
    type=WEI,
    help="Least collateral a commitment locks; an unopened commitment forfeits its whole lock.",
)
@click.option(
    "--max-commits",
    default=8,
    show_default=True,
    type=click.IntRange(1),
    help="Commits per bidder per round.",
)
@click.option("--payment-rule", type=click.Choice(PAYMENT_RULES), default="first-price", show_default=True)
@click.option(
    "--claim-bounty-bps",
    default=1_000,
    show_default=True,
    type=click.IntRange(0, 5_000),
    help="VCG: share (basis points) of what a W(-i) claim adds to a payment, paid to its claimant.",
)
def deploy_sealed(**options: Any) -> None:
    """Deploy a SealedBidMarket: commit-reveal sealed bids on bundles, first price or VCG."""
    from seqmarket.chain.config import SealedBidConfig
    from seqmarket.chain.deployment import parse_label
    from seqmarket.protocol.rules import PaymentRule, SplitRule

    def build(payouts: tuple[str, ...], reserves: tuple[int, ...], start_block: int, chain_id: int) -> Any:
        return SealedBidConfig(
            payouts=payouts,
            reserves=reserves,
            start_block=start_block,
            commit_blocks=options["commit_blocks"],
            reveal_blocks=options["reveal_blocks"],
            challenge_blocks=options["challenge_blocks"],
            min_lock=options["min_lock"],
            max_commits_per_bidder=options["max_commits"],
            split_rule=parse_label(SplitRule, options["split_rule"]),
            payment_rule=parse_label(PaymentRule, options["payment_rule"]),
            claim_bounty_bps=options["claim_bounty_bps"],
            settle_blocks=options["settle_blocks"],
        )

    _deploy(options, build)


@deploy_group.command("lottery", short_help="Deploy a LotteryMarket.")
@_shared
@click.option("--sale-blocks", default=20, show_default=True, type=click.IntRange(1), help="Ticket sale.")
@click.option(
    "--challenge-blocks", default=4, show_default=True, type=click.IntRange(1), help="Challenge phase."
)
@click.option(
    "--lookahead",
    type=click.IntRange(1),
    help="Blocks from the sale's end to the draw. [default: the chain's minimum (128 on Ethereum), and more "
    "than the challenge phase]",
)
@click.option(
    "--draw-window", default=2, show_default=True, type=click.IntRange(1), help="Blocks the draw is open."
)
@click.option(
    "--max-rearms", default=1, show_default=True, type=click.IntRange(0), help="Missed windows re-armed."
)
@click.option(
    "--draw-bounty-bps",
    default=100,
    show_default=True,
    type=click.IntRange(0, 10_000),
    help="The drawer's share (basis points) of each sold bundle's revenue.",
)
@click.option(
    "--target-tickets", default=10, show_default=True, type=click.IntRange(2), help="T, per bundle."
)
@click.option(
    "--curve", type=click.Choice(CURVES), default="linear", show_default=True, help="Price past 1.5T."
)
@click.option(
    "--beta", default=str(10**18), show_default=True, type=WEI, help="Quadratic curve's beta (WAD)."
)
@click.option(
    "--gamma",
    default="693147180559945309",
    show_default=True,
    type=WEI,
    help="Exponential curve's gamma (WAD).",
)
@click.option("--price-floor", default="1000000000000", show_default=True, type=WEI, help="Least base price.")
def deploy_lottery(**options: Any) -> None:
    """Deploy a LotteryMarket: tickets per bundle on a price curve, winners drawn from RANDAO."""
    from seqmarket.chain.config import LotteryConfig
    from seqmarket.chain.deployment import parse_label
    from seqmarket.protocol.draw import draw_limits
    from seqmarket.protocol.pricing import Curve
    from seqmarket.protocol.rules import SplitRule

    def build(payouts: tuple[str, ...], reserves: tuple[int, ...], start_block: int, chain_id: int) -> Any:
        lookahead = options["lookahead"]
        if lookahead is None:
            lookahead = max(draw_limits(chain_id).min_lookahead, options["challenge_blocks"] + 1)
        return LotteryConfig(
            payouts=payouts,
            reserves=reserves,
            start_block=start_block,
            chain_id=chain_id,
            sale_blocks=options["sale_blocks"],
            challenge_blocks=options["challenge_blocks"],
            lookahead=lookahead,
            draw_window=options["draw_window"],
            target_tickets=options["target_tickets"],
            curve=parse_label(Curve, options["curve"]),
            beta=options["beta"],
            gamma=options["gamma"],
            price_floor=options["price_floor"],
            max_rearms=options["max_rearms"],
            draw_bounty_bps=options["draw_bounty_bps"],
            split_rule=parse_label(SplitRule, options["split_rule"]),
        )

    _deploy(options, build)


def _deploy(options: dict[str, Any], build: Any) -> None:
    """Connect, build the configuration (checked before any gas), deploy, and record it in the file."""
    from seqmarket.chain import deployment as files
    from seqmarket.chain.connection import (
        DEFAULT_RPC,
        LOCAL_TESTNET,
        Endpoint,
        connected,
        is_local_chain,
        local_account,
        resolve_account,
    )
    from seqmarket.chain.logs import quiet_ape

    quiet_ape()
    endpoint = Endpoint(options["network"] or LOCAL_TESTNET, options["rpc"] or DEFAULT_RPC)
    with one_line_errors(), connected(endpoint):
        from ape import chain

        local = is_local_chain()
        if options["account"] is None and not local:
            raise click.UsageError("choose the deploying account with --account ALIAS")
        deployer = resolve_account(options["account"]) if options["account"] else local_account(0)
        payouts = tuple(options["payouts"])
        if not payouts:
            if not local:
                raise click.UsageError("give each rollup's payout address with --payout on a live network")
            payouts = tuple(local_account(1 + i).address for i in range(options["rollups"]))
        reserves = tuple(options["reserves"]) or (0,)
        if len(reserves) == 1:
            reserves *= len(payouts)
        height = chain.blocks.height
        config = build(payouts, reserves, height + 1 + options["start_in"], chain.chain_id)
        path = options["deployment"] or files.default_path(chain.chain_id)
        market = files.deploy(config, deployer)
        replaced = files.record(path, market, endpoint.network, endpoint.rpc if endpoint.is_testnet else None)
        chain_id = chain.chain_id
    note = f"; replaces the {market.kind.value} market at {replaced.address}" if replaced else ""
    line = (
        f"{market.kind.contract} deployed at {market.address} in block {market.block} of chain {chain_id} "
        f"({len(payouts)} rollups; round 0 opens at block {config.start_block}); recorded in {path}{note}"
    )
    report(
        options["as_json"],
        line,
        {
            "deployment": str(path),
            "chain_id": chain_id,
            "market": market.kind.value,
            **market.document(),
            "replaced": replaced.address if replaced else None,
        },
    )

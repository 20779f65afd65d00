"""ape run arena: rounds of a market played by a cast of strategies, honest and adversarial, on a local
chain; prints each seat's utility against honest play. `make arena` runs it."""

from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand, verbosity_option

from seqmarket.agents.strategies import Mechanism, Role
from seqmarket.chain.logs import ape_logs_to_stderr
from seqmarket.chain.reverts import describe_failure
from seqmarket.errors import SeqmarketError
from seqmarket.jobs.arena import (
    ArenaJob,
    Casting,
    arena_document,
    load_cast,
    print_report,
    run_arena_job,
    strategy_help,
)
from seqmarket.jobs.output import make_console, print_json
from seqmarket.protocol.rules import PaymentRule, SplitRule

SPLIT_RULES = {rule.name.lower().replace("_", "-"): rule for rule in SplitRule}
PAYMENT_RULES = {rule.name.lower().replace("_", "-"): rule for rule in PaymentRule}

ape_logs_to_stderr()


def _list(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    if value:
        click.echo(strategy_help())
        ctx.exit()


@click.command(cls=ConnectedProviderCommand, short_help="Play a cast of strategies against a market.")
@verbosity_option(default="WARNING")
@click.option(
    "--list",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_list,
    help="List the strategies and exit.",
)
@click.option(
    "--mechanism",
    type=click.Choice([m.value for m in Mechanism]),
    default="sealed",
    show_default=True,
    help="Sealed bids on bundles, or lottery tickets per bundle.",
)
@click.option(
    "--payment-rule",
    type=click.Choice(list(PAYMENT_RULES)),
    default="first-price",
    show_default=True,
    help="Sealed: winners pay their bid, or VCG.",
)
@click.option(
    "--split-rule",
    type=click.Choice(list(SPLIT_RULES)),
    default="reserves",
    show_default=True,
    help="How a bundle's revenue is weighted among its rollups.",
)
@click.option("--rollups", default=4, show_default=True, type=click.IntRange(2, 8), help="Rollups on sale.")
@click.option("--rounds", default=3, show_default=True, type=click.IntRange(1, 50), help="Rounds to play.")
@click.option("--seed", default=7, show_default=True, type=int, help="Seed for valuations and reserves.")
@click.option(
    "--bidder", "bidders", multiple=True, metavar="NAME[:COUNT]", help="Bidder seats, e.g. honest:4."
)
@click.option(
    "--rollup", "rollups_cast", multiple=True, metavar="NAME:R<i>", help="A rollup's strategy, e.g. shill:R0."
)
@click.option("--operator", metavar="NAME", help="The operator's strategy. [default: honest-operator]")
@click.option(
    "--keeper", "keepers", multiple=True, metavar="NAME[:COUNT]", help="Keeper seats, e.g. watcher."
)
@click.option(
    "--cast",
    "cast_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A TOML or JSON cast file (keys bidders, rollups, keepers, operator); adds to the options.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (docs/json.md), not tables.")
def cli(
    network,
    mechanism,
    payment_rule,
    split_rule,
    rollups,
    rounds,
    seed,
    bidders,
    rollups_cast,
    operator,
    keepers,
    cast_file,
    as_json,
):
    """The arena: deploy a market on a local chain, seat a cast of strategies, play ROUNDS rounds, and print
    per seat the value it won, what it paid, its penalties (forfeited locks), what it was credited, its net
    utility and the same seat's utility had it played honestly in the same rounds (re-run off-chain with
    the same clearing code); then rollup revenue against reserves, each round's partition against the
    optimum, every refused attempt by its custom error, and the market's balance after everyone withdrew.

    Without --bidder four honest bidders play; without --operator an honest operator clears. Strategies
    are listed by --list (docs/attacks.md says what each attack tries and what stops it).

    Example: ape run arena --bidder honest:4 --bidder ladder --rollup shill:R0 --payment-rule vcg
    """
    if not network.is_local:
        raise click.UsageError("the arena mines blocks to move through phases: use a local network")
    try:
        cast = [Casting.parse(Role.BIDDER, b) for b in bidders]
        cast += [Casting.parse(Role.ROLLUP, r) for r in rollups_cast]
        cast += [Casting.parse(Role.KEEPER, k) for k in keepers]
        if operator:
            cast.append(Casting.parse(Role.OPERATOR, operator))
        if cast_file is not None:
            cast += load_cast(cast_file)
        job = ArenaJob(
            mechanism=Mechanism(mechanism),
            payment_rule=PAYMENT_RULES[payment_rule],
            split_rule=SPLIT_RULES[split_rule],
            rollups=rollups,
            rounds=rounds,
            seed=seed,
            cast=tuple(cast),
        )
        job.check()
    except SeqmarketError as err:
        raise click.UsageError(str(err)) from err
    progress = make_console(stderr=True)

    def played(arena_round):
        refused = sum(not a.ok for a in arena_round.attempts)
        progress.print(
            f"round {arena_round.round} played: {len(arena_round.attempts)} attempts, {refused} refused"
        )

    try:
        result = run_arena_job(job, on_round=played)
    except Exception as err:  # every failure ends with a message and exit status 1, not a traceback
        raise click.ClickException(describe_failure(err)) from err
    if as_json:
        print_json(arena_document(result))
    else:
        print_report(make_console(), result)

"""The `seqmarket` command: clear an instance file offline, or inspect a deployed market's round."""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from seqmarket import __version__
from seqmarket.clearing import clear, rollups_of
from seqmarket.clearing.generators import DISTRIBUTIONS, generate
from seqmarket.clearing.io import dump_instance, load_instance
from seqmarket.clearing.partition_view import PartKind, partition_view
from seqmarket.clearing.solver import Method
from seqmarket.clearing.vcg import vcg
from seqmarket.errors import ClearingTimeout, InvalidInstance


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="seqmarket")
def main() -> None:
    """seqmarket: a combinatorial market for rollup sequencing slots.

    The round job (a full market round on a local chain) is `make round`; this command offers the pieces.
    """


@main.command("clear")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--method", type=click.Choice(["auto", "dp", "milp"]), default="auto", show_default=True)
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), help="Seconds per exact solve.")
@click.option(
    "--vcg/--no-vcg", "with_vcg", default=True, show_default=True, help="Also compute VCG payments."
)
def clear_command(file: Path, method: Method, time_limit: float | None, with_vcg: bool) -> None:
    """Clear the instance in FILE (JSON; format in seqmarket/clearing/io.py).

    Prints the optimal partition, its value and solve time, and each winner's VCG payment.
    """
    try:
        book = load_instance(file)
    except InvalidInstance as err:
        raise click.ClickException(str(err)) from err
    instance = book.instance
    try:
        started = time.perf_counter()
        outcome = None
        if with_vcg:  # VCG clears the round itself: one clearing serves both tables
            forced = None if method == "auto" else partial(clear, method=method, time_limit=time_limit)
            outcome = vcg(instance.reserves, book.bids, forced, time_limit=time_limit)
            result = outcome.clearing
        else:
            result = clear(instance, method=method, time_limit=time_limit)
        elapsed = time.perf_counter() - started
    except ClearingTimeout as err:
        raise click.ClickException(str(err)) from err

    table = Table(title=f"Optimal partition of {file.name}")
    for col in ("bundle", "value", "sold to"):
        table.add_column(col, justify="right" if col == "value" else "left")
    for part in partition_view(instance, result.bundles):
        holder = "unsold (reserve)" if part.kind == PartKind.UNSOLD else book.holders[part.bundle]
        table.add_row(str(rollups_of(part.bundle)), str(part.value), holder)
    table.add_section()
    timing = f"{elapsed * 1000:.1f} ms" + (" with VCG" if outcome else "")
    table.add_row("value", str(result.value), f"{result.method}, {timing}")
    console = Console()
    console.print(table)
    if outcome is not None:
        payments = Table(title="VCG payments")
        for col in ("bidder", "bundles", "bid", "W(-i)", "pays"):
            payments.add_column(col, justify="left" if col in ("bidder", "bundles") else "right")
        for p in outcome.payments:
            bundles = " ".join(str(rollups_of(b)) for b in p.bundles)
            payments.add_row(p.bidder, bundles, str(p.bid), str(p.welfare_without), str(p.payment))
        console.print(payments)


@main.command("generate")
@click.argument("distribution", type=click.Choice(list(DISTRIBUTIONS)))
@click.option("--goods", type=click.IntRange(1, 256), required=True, help="Rollups (CATS goods).")
@click.option("--bids", type=click.IntRange(min=1), required=True, help="Number of bids.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--precision", type=click.IntRange(min=1), default=1, show_default=True, help="Price grain.")
@click.option("--unit", type=click.IntRange(min=1), default=1, show_default=True, help="Multiply amounts.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def generate_command(
    distribution: str, goods: int, bids: int, seed: int, precision: int, unit: int, output: Path
) -> None:
    """Write an instance of a CATS DISTRIBUTION (or rollup-synergy) to a JSON file for `clear`."""
    try:
        made = generate(distribution, goods, bids, seed, precision=precision, unit=unit)
        output.write_text(
            dump_instance(
                made.reserves, made.bids, {"distribution": distribution, "seed": seed, **made.params}
            )
        )
    except (ValueError, OSError) as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"wrote {output}: {goods} rollups, {len(made.bids)} bids ({distribution}, seed {seed})")


@main.command("status")
@click.argument("market")
@click.argument("round_", metavar="ROUND", type=click.IntRange(0))
@click.option("--network", default="ethereum:local:foundry", show_default=True, help="ape network choice.")
def status_command(market: str, round_: int, network: str) -> None:
    """Show MARKET's ROUND: its phase, the best partition so far and, once final, who sequences what.

    Run it from the project folder (ape loads the contract types from there).
    """
    from ape import networks

    from seqmarket.chain.sealed_bid_client import SealedBidClient

    try:
        with networks.parse_network_choice(network):
            client = SealedBidClient.at(market)
            phase = client.phase(round_)
            bundles, value = client.best_partition(round_)
            console = Console()
            console.print(
                f"round {round_}: {phase.name.lower()}; best partition {[rollups_of(b) for b in bundles]}"
                f" worth {value} wei"
            )
            if client.is_finalized(round_):
                for i, sequencer in enumerate(client.sequencers(round_)):
                    console.print(f"  rollup {i}: {sequencer}")
    except Exception as err:  # a message, not a traceback
        raise click.ClickException(f"{type(err).__name__}: {err}") from err


if __name__ == "__main__":
    main()

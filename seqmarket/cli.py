"""The `seqmarket` command: clear an instance file offline, or inspect a deployed market's round."""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from seqmarket.clearing import clear, rollups_of
from seqmarket.clearing.generators import DISTRIBUTIONS, generate
from seqmarket.clearing.io import dump_instance, load_instance
from seqmarket.clearing.solver import Method
from seqmarket.clearing.vcg import vcg
from seqmarket.errors import ClearingTimeout, InvalidInstance


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """seqmarket: a combinatorial market for rollup sequencing slots.

    The main job (a full round on a local chain) is `make round`; this command offers the pieces.
    """


@main.command("clear")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--method",
    type=click.Choice([m.value for m in (Method.AUTO, Method.DP, Method.MILP)]),
    default=Method.AUTO.value,
    show_default=True,
)
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), help="Seconds per exact solve.")
@click.option(
    "--vcg/--no-vcg", "with_vcg", default=True, show_default=True, help="Also compute VCG payments."
)
def clear_command(file: Path, method: str, time_limit: float | None, with_vcg: bool) -> None:
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
        result = clear(instance, method=Method(method), time_limit=time_limit)
        elapsed = time.perf_counter() - started
        outcome = None
        if with_vcg:
            started = time.perf_counter()
            outcome = vcg(instance.reserves, book.bids, time_limit=time_limit)
            vcg_elapsed = time.perf_counter() - started
    except ClearingTimeout as err:
        raise click.ClickException(str(err)) from err

    table = Table(title=f"Optimal partition of {file.name}")
    for col in ("bundle", "value", "sold to"):
        table.add_column(col, justify="right" if col == "value" else "left")
    covered = 0
    for bundle in result.bundles:
        covered |= bundle
        table.add_row(str(rollups_of(bundle)), str(instance.bids[bundle]), book.holders[bundle])
    sold = set(instance.sold_singletons(result.bundles))
    for i in range(instance.n):
        if not covered >> i & 1:
            holder = book.holders[1 << i] if i in sold else "unsold (reserve)"
            table.add_row(f"[{i}]", str(instance.singleton_value(i)), holder)
    table.add_section()
    table.add_row("value", str(result.value), f"{result.method}, {elapsed * 1000:.1f} ms")
    console = Console()
    console.print(table)
    if outcome is not None:
        payments = Table(title=f"VCG payments ({vcg_elapsed * 1000:.1f} ms for all winners)")
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

    from seqmarket.chain.client import MarketClient

    try:
        with networks.parse_network_choice(network):
            client = MarketClient.at(market)
            phase = client.phase(round_)
            bundles, value = client.best_partition(round_)
            console = Console()
            console.print(
                f"round {round_}: {phase.name.lower()}; best partition {[rollups_of(b) for b in bundles]}"
                f" worth {value} wei"
            )
            if client.contract.resultOf(round_).finalized:
                for i in range(client.rollup_count):
                    console.print(f"  rollup {i}: {client.sequencer_of(round_, i)}")
    except Exception as err:  # a message, not a traceback
        raise click.ClickException(f"{type(err).__name__}: {err}") from err


if __name__ == "__main__":
    main()

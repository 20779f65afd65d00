"""The `seqmarket` command: clear an instance file offline, or inspect a deployed market's round."""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from seqmarket.clearing import InvalidInstance, clear, rollups_of
from seqmarket.clearing.io import load_instance


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """seqmarket: a combinatorial market for rollup sequencing slots.

    The main job (a full round on a local chain) is `make round`; this command offers the pieces.
    """


@main.command("clear")
@click.argument("file", type=click.Path(path_type=Path))
def clear_command(file: Path) -> None:
    """Clear the instance in FILE (JSON; format in seqmarket/clearing/io.py) and print the partition."""
    try:
        book = load_instance(file)
    except InvalidInstance as err:
        raise click.ClickException(str(err)) from err
    instance = book.instance
    started = time.perf_counter()
    result = clear(instance)
    elapsed = time.perf_counter() - started

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
    Console().print(table)


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

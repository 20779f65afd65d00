"""Commands that need no chain: clear an instance file, generate one."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from seqmarket.clearing import clear, rollups_of
from seqmarket.clearing.generators import DISTRIBUTIONS, generate
from seqmarket.clearing.io import dump_instance, load_instance
from seqmarket.clearing.partition_view import PartKind, partition_view
from seqmarket.clearing.solver import Method
from seqmarket.clearing.vcg import vcg
from seqmarket.cli.common import JSON_HELP
from seqmarket.errors import ClearingTimeout, InvalidInstance
from seqmarket.jobs.output import make_console, print_json, table, wei

#: Seconds between progress lines when stderr is not a terminal (a log keeps every line a spinner drops).
PROGRESS_EVERY = 5.0


def _winner_progress(
    console: Console, update: Callable[[str], None], work: str
) -> Callable[[int, int], None]:
    """VCG's per-winner callback: the spinner's text on a terminal, else a line every PROGRESS_EVERY s."""
    last = time.monotonic()

    def report(done: int, total: int) -> None:
        nonlocal last
        line = f"{work}: VCG payment of winner {done} of {total} done"
        if console.is_terminal:
            update(line)
        elif time.monotonic() - last >= PROGRESS_EVERY:
            console.print(line)
            last = time.monotonic()

    return report


@click.command("clear", short_help="Clear an instance file offline (optimal partition, VCG).")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--method",
    type=click.Choice([m.value for m in (Method.AUTO, Method.DP, Method.MILP)]),
    default=Method.AUTO.value,
    show_default=True,
)
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), help="Seconds per exact solve.")
@click.option(
    "--vcg/--no-vcg",
    "with_vcg",
    default=True,
    show_default=True,
    help="Also compute every winner's VCG payment (one more solve per winner on hard instances).",
)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def clear_command(file: Path, method: str, time_limit: float | None, with_vcg: bool, as_json: bool) -> None:
    """Clear the instance in FILE (JSON; format in seqmarket/clearing/io.py).

    Prints the optimal partition, its value and solve time, and each winner's VCG payment.
    """
    try:
        book = load_instance(file)
    except InvalidInstance as err:
        raise click.ClickException(str(err)) from err
    instance = book.instance
    progress = make_console(stderr=True)
    work = f"clearing {instance.n} rollups, {len(book.bids)} bids" + (" and VCG payments" if with_vcg else "")
    try:
        with progress.status(work) as status:
            chosen = Method(method)
            started = time.perf_counter()
            outcome = None
            if with_vcg:  # VCG clears the round itself: one clearing serves both tables
                forced = (
                    None if chosen == Method.AUTO else partial(clear, method=chosen, time_limit=time_limit)
                )
                report = _winner_progress(progress, status.update, work)
                outcome = vcg(instance.reserves, book.bids, forced, time_limit=time_limit, progress=report)
                result = outcome.clearing
            else:
                result = clear(instance, method=chosen, time_limit=time_limit)
            elapsed = time.perf_counter() - started
    except ClearingTimeout as err:
        raise click.ClickException(str(err)) from err

    parts = [
        (part, None if part.kind == PartKind.UNSOLD else book.holders[part.bundle])
        for part in partition_view(instance, result.bundles)
    ]
    if as_json:
        document: dict[str, Any] = {
            "instance": str(file),
            "rollups": instance.n,
            "bids": len(book.bids),
            "value": wei(result.value),
            "method": str(result.method),
            "seconds": round(elapsed, 6),
            "partition": [
                {
                    "bundle": rollups_of(part.bundle),
                    "value": wei(part.value),
                    "kind": part.kind.value,
                    "holder": holder,
                }
                for part, holder in parts
            ],
            "vcg": None
            if outcome is None
            else [
                {
                    "bidder": p.bidder,
                    "bundles": [rollups_of(b) for b in p.bundles],
                    "bid": wei(p.bid),
                    "welfare_without": wei(p.welfare_without),
                    "payment": wei(p.payment),
                    "counterfactual": [rollups_of(b) for b in p.counterfactual],
                }
                for p in outcome.payments
            ],
        }
        print_json(document)
        return
    made = table(f"Optimal partition of {file.name}", "bundle", "value", "sold to", numeric=["value"])
    for part, holder in parts:
        made.add_row(str(rollups_of(part.bundle)), str(part.value), holder or "unsold (reserve)")
    made.add_section()
    timing = f"{elapsed * 1000:.1f} ms" + (" with VCG" if outcome else "")
    made.add_row("value", str(result.value), f"{result.method}, {timing}")
    console = make_console()
    console.print(made)
    if outcome is not None:
        amounts = ("bid", "W(-i)", "pays")
        payments = table("VCG payments", "bidder", "bundles", *amounts, numeric=amounts)
        for p in outcome.payments:
            bundles = " ".join(str(rollups_of(b)) for b in p.bundles)
            payments.add_row(p.bidder, bundles, str(p.bid), str(p.welfare_without), str(p.payment))
        console.print(payments)


@click.command("generate", short_help="Write a random instance file for `clear`.")
@click.argument("distribution", type=click.Choice(list(DISTRIBUTIONS)))
@click.option("--goods", type=click.IntRange(1, 256), required=True, help="Rollups (CATS goods).")
@click.option("--bids", type=click.IntRange(min=1), required=True, help="Number of bids.")
@click.option("--seed", type=click.IntRange(0), default=0, show_default=True, help="Seed of the generator.")
@click.option(
    "--scale",
    type=click.Choice(["cats", "wei"]),
    default="cats",
    show_default=True,
    help="Amounts: CATS prices x 1e6 (6 significant digits), or wei with a median bid of 1e17.",
)
@click.option("--unit", type=click.IntRange(min=1), default=1, show_default=True, help="Multiply amounts.")
@click.option(
    "--generator",
    type=click.Choice(["cats", "legacy"]),
    default="cats",
    show_default=True,
    help="The CATS generator's models, or the earlier generator (benchmark history).",
)
@click.option(
    "--precision",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Legacy generator's price grain.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def generate_command(
    distribution: str,
    goods: int,
    bids: int,
    seed: int,
    scale: str,
    unit: int,
    generator: str,
    precision: int,
    output: Path,
) -> None:
    """Write an instance of a CATS DISTRIBUTION (or rollup-synergy) to a JSON file for `clear`."""
    try:
        made = generate(
            distribution,
            goods,
            bids,
            seed,
            scale=scale,  # type: ignore[arg-type]
            unit=unit,
            precision=precision,
            generator=generator,  # type: ignore[arg-type]
        )
        output.write_text(
            dump_instance(
                made.reserves, made.bids, {"distribution": distribution, "seed": seed, **made.params}
            )
        )
    except (ValueError, OSError) as err:
        raise click.ClickException(str(err)) from err
    click.echo(
        f"wrote {output}: {len(made.reserves)} rollups, {len(made.bids)} bids ({distribution}, seed {seed})"
    )

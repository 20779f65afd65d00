"""`seqmarket soak`: many consecutive rounds with 20 bidders on a persistent testnet, settled by the operator
service alone, then checked (seqmarket.jobs.soak); prints the report, optionally writes it as Markdown."""

from __future__ import annotations

from pathlib import Path

import click

from seqmarket.cli.common import json_option, one_line_errors, report


@click.command("soak", short_help="Soak test: consecutive rounds, 20 bidders, the operator settling.")
@click.option("--rounds", default=50, show_default=True, type=click.IntRange(1), help="Consecutive rounds.")
@click.option("--rollups", default=6, show_default=True, type=click.IntRange(2, 16), help="Rollups sold.")
@click.option(
    "--phase-blocks",
    default=260,
    show_default=True,
    type=click.IntRange(4),
    help="Blocks of each phase: must hold a round's commits and the previous round's reveals.",
)
@click.option(
    "--pace", default=0.03, show_default=True, type=click.FloatRange(min=0.01), help="Seconds per idle block."
)
@click.option(
    "--port", default=8651, show_default=True, type=click.IntRange(1, 65535), help="The testnet's port."
)
@click.option("--seed", default=7, show_default=True, help="Valuations and reserves.")
@click.option(
    "--report", "report_path", type=click.Path(dir_okay=False, path_type=Path), help="Write it as Markdown."
)
@json_option
def soak_command(
    rounds: int,
    rollups: int,
    phase_blocks: int,
    pace: float,
    port: int,
    seed: int,
    report_path: Path | None,
    as_json: bool,
) -> None:
    """Start a testnet (its state under .cache/soak/), deploy a VCG market, run `seqmarket operator` on it and
    play ROUNDS consecutive rounds with 20 bidders (honest, shaded, ladder and walk-away strategies of the
    arena). Fails unless every round is finalized, every bidder released and the market's balance equals
    what it owes everyone to the wei. Reports rounds per minute and the operator's latencies."""
    from seqmarket.chain.logs import quiet_ape
    from seqmarket.jobs.soak import SoakConfig, run_soak

    quiet_ape()
    with one_line_errors():
        config = SoakConfig(
            rounds=rounds, rollups=rollups, phase_blocks=phase_blocks, pace=pace, seed=seed, port=port
        )
        result = run_soak(config, lambda line: click.echo(line, err=True))
    lines = result.lines()
    if report_path is not None:
        report_path.write_text("\n".join(["```", *lines, "```", ""]))
    document = {
        "rounds": result.rounds,
        "finalized": result.settled,
        "seconds": result.seconds,
        "rounds_per_minute": result.rounds_per_minute,
        "propose_latency_blocks": result.propose_blocks,
        "propose_latency_seconds": result.propose_seconds,
        "finalize_latency_blocks": result.finalize_blocks,
        "operator": result.stats.document(),
        "balance": str(result.balance),
        "owed": str(result.owed),
    }
    report(as_json, "\n".join(lines), document)

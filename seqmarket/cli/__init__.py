"""The `seqmarket` command, one module per concern: offline clearing (offline.py), the local testnet and
deployments (testnet.py), sealed bids (bidding.py), lottery tickets (lottery.py), settling a round
(settle.py) and status (status.py). Shared options, parsing and one-line errors are in common.py."""

from __future__ import annotations

import click

from seqmarket import __version__
from seqmarket.cli.agents import agents_command
from seqmarket.cli.bidding import bids_command, commit_command, deposit_command, reveal_command
from seqmarket.cli.lottery import buy_command, draw_command, quote_command, refund_command
from seqmarket.cli.offline import clear_command, generate_command
from seqmarket.cli.operator import operator_group
from seqmarket.cli.settle import (
    claim_command,
    finalize_command,
    propose_command,
    release_command,
    withdraw_command,
)
from seqmarket.cli.soak import soak_command
from seqmarket.cli.status import status_command
from seqmarket.cli.testnet import chain_command, deploy_group


class _InOrder(click.Group):
    """Lists commands in the order a round uses them, not alphabetically."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


@click.group(cls=_InOrder, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="seqmarket")
def main() -> None:
    """seqmarket: a combinatorial market for rollup sequencing slots.

    Run a market you can join: `seqmarket chain` in one terminal (a local testnet that keeps its state),
    `seqmarket deploy sealed` (or lottery) in another, then bid with deposit, commit and reveal (or quote and
    buy), settle with propose, claim, draw, finalize, release and withdraw, and watch with status. Commands
    find the market in the deployment file; each prints one line, or JSON with --json (docs/json.md).
    """


for command in (
    chain_command,
    deploy_group,
    status_command,
    deposit_command,
    commit_command,
    reveal_command,
    bids_command,
    quote_command,
    buy_command,
    propose_command,
    claim_command,
    draw_command,
    finalize_command,
    release_command,
    refund_command,
    withdraw_command,
    operator_group,
    agents_command,
    soak_command,
    clear_command,
    generate_command,
):
    main.add_command(command)


if __name__ == "__main__":
    main()

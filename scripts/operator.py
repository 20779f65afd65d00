"""ape run operator: the operator service on any network ape connects to (`seqmarket operator` is the same
service for the local testnet and deployment files). Serves one market, from one account, until Ctrl-C."""

from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand, verbosity_option

from seqmarket.chain.connection import resolve_account
from seqmarket.chain.deployment import MarketKind, detect_kind
from seqmarket.chain.logs import ape_logs_to_stderr
from seqmarket.chain.lottery_client import LotteryClient
from seqmarket.chain.sealed_bid_client import SealedBidClient
from seqmarket.errors import SeqmarketError
from seqmarket.operator.events import EventLog
from seqmarket.operator.planner import Mode
from seqmarket.operator.service import OperatorService, ServiceConfig
from seqmarket.operator.store import Store

ape_logs_to_stderr()


@click.command(cls=ConnectedProviderCommand, short_help="Run the operator service on a market.")
@verbosity_option(default="WARNING")
@click.option("--market", "address", required=True, help="The market's address (either kind).")
@click.option("--account", required=True, help="Who signs: a test account's index, or an ape account alias.")
@click.option("--state", type=click.Path(dir_okay=False, path_type=Path), required=True, help="SQLite state.")
@click.option(
    "--watch", is_flag=True, help="Verifier: only challenge worse proposals and understated claims."
)
@click.option("--poll", default=1.0, show_default=True, type=click.FloatRange(min=0.01))
@click.option(
    "--until-round", type=click.IntRange(0), help="Exit once every round up to this one is settled."
)
@click.option("--log-json", is_flag=True, help="JSON log lines.")
@click.option(
    "--clearing-limit",
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds each clearing solve may take, as for `seqmarket operator`. [default: no limit]",
)
def cli(
    address: str,
    account: str,
    state: Path,
    watch: bool,
    poll: float,
    until_round: int | None,
    log_json: bool,
    clearing_limit: float | None,
) -> None:
    """Serve a market as `seqmarket operator` does (docs/operator.md)."""
    try:
        kind = detect_kind(address)
        client = (SealedBidClient if kind is MarketKind.SEALED else LotteryClient).at(address)
        signer = resolve_account(account)
        mode = Mode.WATCH if watch else Mode.OPERATE
        store = Store(state)
        store.bind({"market": client.address, "account": str(signer.address), "mode": mode.value})
        service = OperatorService(
            client,
            signer,
            store,
            EventLog(as_json=log_json, fields={"mode": mode.value}),
            ServiceConfig(
                mode=mode, poll_seconds=poll, until_round=until_round, clearing_limit=clearing_limit
            ),
        )
        service.install_signals()
        service.run()
    except SeqmarketError as err:
        raise click.ClickException(str(err)) from err

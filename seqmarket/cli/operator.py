"""`seqmarket operator`: the long-running service that settles every round of a market (seqmarket.operator),
and `seqmarket operator stats`, its counters read from its state file while it runs (or after)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from seqmarket.cli.common import (
    Where,
    json_option,
    one_line_errors,
    open_market,
    report,
    where_options,
)
from seqmarket.errors import OperatorStateError

#: Where state files live unless --state says otherwise (one per chain, market, account and mode).
STATE_FOLDER = Path(__file__).resolve().parents[2] / ".cache" / "operator"


def default_state(chain_id: int, market: str, account: str, watch: bool) -> Path:
    mode = "watch" if watch else "operate"
    return STATE_FOLDER / f"{chain_id}-{market.lower()}-{account.lower()}-{mode}.sqlite"


@click.group(
    "operator",
    invoke_without_command=True,
    short_help="Run the operator service: settle every round (or --watch: verify them).",
)
@click.option(
    "--state",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The service's SQLite state. [default: .cache/operator/<chain>-<market>-<account>-<mode>.sqlite]",
)
@click.option(
    "--watch", is_flag=True, help="Verifier: only challenge worse proposals and understated claims."
)
@click.option(
    "--poll", default=0.5, show_default=True, type=click.FloatRange(min=0.01), help="Seconds between looks."
)
@click.option("--from-round", type=click.IntRange(0), help="First round to serve. [default: the oldest open]")
@click.option(
    "--until-round", type=click.IntRange(0), help="Exit once every round up to this one is settled."
)
@click.option("--log-json", is_flag=True, help="Log JSON lines instead of key=value lines.")
@click.option(
    "--clearing-limit",
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds each clearing solve may take (in a VCG market the round's and each W(-i)); a round not "
    "cleared in time is left to settle with the standing partition. [default: no limit]",
)
@click.option(
    "--account", envvar="SEQMARKET_ACCOUNT", metavar="INDEX|ALIAS", help="Who signs (required to run)."
)
@where_options
@click.pass_context
def operator_group(
    ctx: click.Context,
    state: Path | None,
    watch: bool,
    poll: float,
    from_round: int | None,
    until_round: int | None,
    log_json: bool,
    clearing_limit: float | None,
    account: str | None,
    where: Where,
) -> None:
    """Run the operator service in the foreground until Ctrl-C (or SIGTERM).

    For every round in flight it clears the round the moment its reveals close, proposes the optimum when it
    beats the standing partition, claims every winner's W(-i) in a VCG market, finalizes, releases every
    bidder's collateral and distributes forfeits; in a lottery market it proposes, draws inside the window
    and finalizes. With --watch it only re-clears each round and challenges a worse proposal (or an
    understated claim). One log line per action; SIGUSR1 logs the counters, `seqmarket operator stats`
    prints them. Killed at any point, it resumes from its state file without sending anything twice
    (docs/operator.md).
    """
    if ctx.invoked_subcommand is not None:
        return
    if account is None:
        raise click.UsageError("Missing option '--account' (a test account's index, or an ape alias).")
    from seqmarket.operator.events import EventLog
    from seqmarket.operator.planner import Mode
    from seqmarket.operator.service import OperatorService, ServiceConfig
    from seqmarket.operator.store import Store

    with one_line_errors(), open_market(where) as target:
        from ape import chain

        signer = target.account(account)
        path = state or default_state(chain.chain_id, target.client.address, str(signer.address), watch)
        store = Store(path)
        mode = Mode.WATCH if watch else Mode.OPERATE
        store.bind(
            {
                "chain_id": str(chain.chain_id),
                "market": target.client.address,
                "account": str(signer.address),
                "mode": mode.value,
            }
        )
        log = EventLog(as_json=log_json, fields={"mode": mode.value})
        config = ServiceConfig(
            mode=mode,
            poll_seconds=poll,
            from_round=from_round,
            until_round=until_round,
            clearing_limit=clearing_limit,
        )
        service = OperatorService(target.client, signer, store, log, config)
        service.install_signals()
        log.emit("state", path=str(path))
        try:
            service.run()
        finally:
            store.close()


@operator_group.command("stats", short_help="Print the operator's counters from its state file.")
@click.option(
    "--state",
    "state_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The state file. [default: the most recently used one in .cache/operator/]",
)
@json_option
def stats_command(state_path: Path | None, as_json: bool) -> None:
    """Rounds cleared and settled, solve time, transactions, gas spent, proposals that replaced someone
    else's, claims, and the latency from reveals closing to the proposal landing."""
    from seqmarket.operator.store import Store

    with one_line_errors():
        path = state_path or _latest_state()
        if not path.exists():
            raise OperatorStateError(f"{path} does not exist: no operator ran with this state")
        store = Store(path)
        try:
            stats = store.stats()
            meta = store.meta()
        finally:
            store.close()
    document: dict[str, Any] = {"state": str(path), **meta, **stats.document()}
    report(as_json, f"{path.name}: {stats.line()}", document)


def _latest_state() -> Path:
    found = sorted(STATE_FOLDER.glob("*.sqlite"), key=lambda p: p.stat().st_mtime)
    if not found:
        raise OperatorStateError(f"no operator state in {STATE_FOLDER}: give --state")
    return found[-1]

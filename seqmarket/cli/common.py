"""What every chain command of `seqmarket` shares: where the market is, who signs, amounts and bundles as
people type them, one-line errors and one-line (or JSON) output.

Which market: the deployment file (``--deployment FILE``, default ``deployments/<chain id>.json`` of the
chain reached), then ``--market sealed|lottery`` when it holds both, or ``--market ADDRESS`` for any market.
Which chain: the one the deployment file names, else the local testnet at ``--rpc`` (``seqmarket chain``),
else ``--network`` (an ape network choice). Each option also reads an environment variable, so a terminal
can be set up once: ``SEQMARKET_DEPLOYMENT``, ``SEQMARKET_MARKET``, ``SEQMARKET_NETWORK``, ``SEQMARKET_RPC``,
``SEQMARKET_ACCOUNT``.

Chain modules are imported inside the functions that need them: ``seqmarket clear`` and every ``--help``
never load ape.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from seqmarket.clearing import rollups_of
from seqmarket.errors import SeqmarketError
from seqmarket.jobs.output import print_json
from seqmarket.protocol.schedule import Phase

if TYPE_CHECKING:
    from ape.api import AccountAPI

    from seqmarket.chain.client import MarketClient
    from seqmarket.chain.connection import Endpoint
    from seqmarket.chain.deployment import MarketDeployment, MarketKind
    from seqmarket.chain.lottery_client import LotteryClient
    from seqmarket.chain.sealed_bid_client import SealedBidClient

JSON_HELP = "Print one JSON document (docs/json.md) instead of text."
ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
UNITS = {"wei": 1, "gwei": 10**9, "eth": 10**18, "ether": 10**18}
Command = TypeVar("Command", bound=Callable[..., Any])


class WeiAmount(click.ParamType):
    """An amount of wei, written as wei or with a unit: ``1000``, ``0.05eth``, ``2 gwei``, ``1e15``."""

    name = "AMOUNT"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().lower().replace("_", "")
        match = re.fullmatch(r"(\d+(?:\.\d+)?(?:e\+?\d+)?)\s*(wei|gwei|eth|ether)?", text)
        if match is None:
            self.fail(f"{value!r} is not an amount (wei, or with a unit: 0.05eth, 2gwei)", param, ctx)
        number, unit = match.groups()
        amount = Decimal(number) * UNITS[unit or "wei"]
        if amount != amount.to_integral_value() or amount < 0:
            self.fail(f"{value!r} is not a whole, non-negative number of wei", param, ctx)
        return int(amount)


class BundleParam(click.ParamType):
    """A bundle as rollup indices: ``0,1`` (or ``0+1``, ``R0,R1``, ``[0, 1]``); returns its bitmask."""

    name = "BUNDLE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        parts = [p for p in re.split(r"[,+\s]+", str(value).strip().strip("[]")) if p]
        try:
            indices = [int(p.upper().removeprefix("R")) for p in parts]
        except ValueError:
            self.fail(f"{value!r} is not a bundle: rollup indices such as 0,1", param, ctx)
        if not indices or len(set(indices)) != len(indices) or not all(0 <= i < 256 for i in indices):
            self.fail(f"{value!r}: a bundle is distinct rollup indices from 0 to 255", param, ctx)
        return sum(1 << i for i in indices)


WEI = WeiAmount()
BUNDLE = BundleParam()


@dataclass(frozen=True)
class Where:
    """Where a command's market is, as given on the command line (or the environment)."""

    deployment: Path | None
    network: str | None
    rpc: str | None
    market: str | None


def where_options(command: Command) -> Command:
    """Add --deployment, --network, --rpc and --market; the command receives them as ``where``."""

    @functools.wraps(command)
    def wrapped(
        *args: Any,
        deployment: Path | None,
        network: str | None,
        rpc: str | None,
        market: str | None,
        **kwargs: Any,
    ) -> Any:
        return command(*args, where=Where(deployment, network, rpc, market), **kwargs)

    options = [
        click.option(
            "--deployment",
            type=click.Path(dir_okay=False, path_type=Path),
            envvar="SEQMARKET_DEPLOYMENT",
            help="Deployment file. [default: deployments/<chain id>.json in the checkout]",
        ),
        click.option(
            "--market",
            envvar="SEQMARKET_MARKET",
            metavar="sealed|lottery|ADDRESS",
            help="Which market of the deployment file, or any market by address.",
        ),
        click.option(
            "--rpc",
            envvar="SEQMARKET_RPC",
            metavar="URL",
            help="Where the local testnet listens. [default: the deployment's, else http://127.0.0.1:8545]",
        ),
        click.option(
            "--network",
            envvar="SEQMARKET_NETWORK",
            metavar="CHOICE",
            help="An ape network choice instead of the local testnet (ethereum:sepolia:node...).",
        ),
    ]
    for option in options:
        wrapped = option(wrapped)
    return cast(Command, wrapped)


def account_option(command: Command) -> Command:
    """Add --account (required): a test account's index on a local chain, or an ape account alias."""
    return cast(
        Command,
        click.option(
            "--account",
            envvar="SEQMARKET_ACCOUNT",
            required=True,
            metavar="INDEX|ALIAS",
            help="Who signs: a test account's index (0-39) on a local chain, or an ape account alias.",
        )(command),
    )


def json_option(command: Command) -> Command:
    return cast(Command, click.option("--json", "as_json", is_flag=True, help=JSON_HELP)(command))


def round_option(command: Command) -> Command:
    return cast(
        Command,
        click.option(
            "--round",
            "round_",
            type=click.IntRange(0),
            help="The round. [default: the one this step is open in]",
        )(command),
    )


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Turn anything a command can fail with into `Error: <one line>` and exit status 1, never a traceback."""
    try:
        yield
    except click.ClickException:
        raise
    except (SeqmarketError, OSError) as err:
        raise click.ClickException(str(err)) from err
    except Exception as err:
        from seqmarket.chain.reverts import describe_failure

        raise click.ClickException(describe_failure(err)) from err


@dataclass
class Target:
    """The market a command acts on, reached: its kind, client, deployment entry (if from a file) and the
    deployment file's path (its bid books live beside it)."""

    kind: MarketKind
    client: MarketClient
    endpoint: Endpoint
    deployment_folder: Path
    deployment: MarketDeployment | None

    @property
    def sealed(self) -> SealedBidClient:
        """The client of a market opened for sealed-bid commands (``needs=MarketKind.SEALED``)."""
        return cast("SealedBidClient", self.client)

    @property
    def lottery(self) -> LotteryClient:
        """The client of a market opened for lottery commands (``needs=MarketKind.LOTTERY``)."""
        return cast("LotteryClient", self.client)

    def account(self, name: str) -> AccountAPI:
        """The account ``--account`` names, on this chain."""
        from seqmarket.chain.connection import resolve_account

        return resolve_account(name)


@contextmanager
def open_market(where: Where, needs: MarketKind | None = None) -> Iterator[Target]:
    """Connect to the chain of ``where`` and attach to its market (of kind ``needs``, for commands that work
    with one kind only); the deployment file is checked against the chain first."""
    from seqmarket.chain import deployment as files
    from seqmarket.chain.connection import DEFAULT_RPC, LOCAL_TESTNET, Endpoint, connected
    from seqmarket.chain.logs import quiet_ape
    from seqmarket.chain.lottery_client import LotteryClient
    from seqmarket.chain.sealed_bid_client import SealedBidClient

    quiet_ape()
    by_address = where.market is not None and ADDRESS.match(where.market) is not None
    wanted = None if by_address or where.market is None else _kind(where.market)
    if needs is not None and wanted is not None and wanted is not needs:
        raise click.UsageError(
            f"this command works with the {needs.value} market, not the {wanted.value} one"
        )
    book = files.load(where.deployment) if where.deployment is not None else None
    endpoint = Endpoint(
        where.network or (book.network if book else LOCAL_TESTNET),
        where.rpc or (book.rpc if book and book.rpc else DEFAULT_RPC),
    )
    with connected(endpoint):
        from ape import chain

        path = where.deployment or files.default_path(chain.chain_id)
        entry = None
        if by_address:
            address = str(where.market)
            if book is None and path.exists():
                book = files.load(path)
            known = [
                m for m in (book.markets.values() if book else ()) if m.address.lower() == address.lower()
            ]
            entry = known[0] if known else None
            kind = entry.kind if entry else files.detect_kind(address)
        else:
            book = book or files.load(path)
            entry = book.market(wanted or needs)
            kind, address = entry.kind, entry.address
        if book is not None and entry is not None:
            files.check_on_chain(book, entry)
        if needs is not None and kind is not needs:
            raise click.UsageError(
                f"this command works with a {needs.value} market; {address} is a {kind.value} one"
            )
        client: MarketClient = (SealedBidClient if kind is files.MarketKind.SEALED else LotteryClient).at(
            address
        )
        yield Target(kind, client, endpoint, path.parent, entry)


def _kind(text: str) -> MarketKind:
    from seqmarket.chain.deployment import MarketKind

    try:
        return MarketKind(text.lower())
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not sealed, lottery or a market address", param_hint="--market"
        ) from None


def report(as_json: bool, line: str, document: dict[str, Any]) -> None:
    """A command's result: one line for a person, or one JSON document."""
    if as_json:
        print_json(document)
    else:
        click.echo(line)


def blocks(count: int) -> str:
    return f"{count} block" if count == 1 else f"{count} blocks"


def tx(receipt: Any) -> str:
    """A transaction's hash, as reports show it."""
    return str(receipt.txn_hash)


def eth(amount: int) -> str:
    """Wei for a person: exact, with the ether value beside it when it is large enough to matter."""
    if amount >= 10**12:
        return f"{amount} wei ({Decimal(amount) / 10**18:f} ETH)"
    return f"{amount} wei"


def check_bundle(client: MarketClient, bundle: int) -> None:
    """Refuse a bundle naming a rollup the market does not sell."""
    if bundle >> client.rollup_count:
        raise click.ClickException(
            f"the market sells rollups 0 to {client.rollup_count - 1}, not {rollups_of(bundle)}"
        )


def pick_round(client: MarketClient, given: int | None, phase: Phase) -> int:
    """``given``, else the most recent round in ``phase`` at the next block; a one-line error naming when the
    next round gets there if none is."""
    if given is not None:
        return given
    found = client.open_round(phase)
    if found is not None:
        return found
    block = client.next_block()
    name = phase.name.lower()
    first = client.schedule.round_at(block)
    for round_ in range(first, first + 2):
        start = client.schedule.phase_start(round_, phase)
        if start >= block:
            raise click.ClickException(
                f"no round is in its {name} phase at block {block}: round {round_} enters it at block "
                f"{start} (in {blocks(start - block)}); or give --round"
            )
    raise click.ClickException(f"no round is in its {name} phase at block {block}; give --round")

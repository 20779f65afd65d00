"""Sealed bids from a terminal: `deposit`, `commit`, `reveal`, and `bids` (the bid book and what the chain
holds of each bid)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from seqmarket.clearing import rollups_of
from seqmarket.cli.common import (
    BUNDLE,
    WEI,
    Where,
    account_option,
    check_bundle,
    eth,
    json_option,
    one_line_errors,
    open_market,
    pick_round,
    report,
    round_option,
    tx,
    where_options,
)
from seqmarket.jobs.output import print_json, wei
from seqmarket.protocol.schedule import Phase


def _book_option(command: Any) -> Any:
    return click.option(
        "--bid-book",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar="SEQMARKET_BID_BOOK",
        help="The bid book. [default: bids/<chain id>-<market>-<deploy block hash>.jsonl beside the "
        "deployment file]",
    )(command)


def _book(target: Any, given: Path | None) -> Any:
    from ape import chain

    from seqmarket.chain.bidbook import BidBook, default_book

    deployed_in = target.deployment.block_hash if target.deployment is not None else None
    return BidBook(
        given or default_book(chain.chain_id, target.client.address, target.deployment_folder, deployed_in)
    )


@click.command("deposit", short_help="Add to your collateral (sealed bids).")
@click.argument("amount", type=WEI)
@account_option
@where_options
@json_option
def deposit_command(amount: int, account: str, where: Where, as_json: bool) -> None:
    """Add AMOUNT (wei, or 0.5eth) to your collateral in the sealed-bid market.

    Collateral backs the locks of your commitments and is reused across rounds; what is not locked can be
    withdrawn at any time (`seqmarket withdraw`). `commit` deposits what a lock lacks by itself.
    """
    from seqmarket.chain.deployment import MarketKind

    with one_line_errors(), open_market(where, MarketKind.SEALED) as target:
        bidder = target.account(account)
        receipt = target.sealed.deposit(bidder, amount)
        total, locked = target.sealed.collateral(bidder.address)
    report(
        as_json,
        f"deposited {eth(amount)} for {bidder.address}: collateral {eth(total)}, {eth(locked)} locked "
        f"(tx {tx(receipt)})",
        {
            "bidder": bidder.address,
            "deposited": wei(amount),
            "collateral": wei(total),
            "locked": wei(locked),
            "transaction": tx(receipt),
        },
    )


@click.command("commit", short_help="Seal a bid on a bundle and commit it (kept in the bid book).")
@click.argument("bundle", type=BUNDLE)
@click.argument("amount", type=WEI)
@click.option(
    "--lock",
    type=WEI,
    help="Collateral locked behind the bid, public; lock more than AMOUNT to hide it. "
    "[default: AMOUNT, at least the market's minimum]",
)
@round_option
@_book_option
@account_option
@where_options
@json_option
def commit_command(
    bundle: int,
    amount: int,
    lock: int | None,
    round_: int | None,
    bid_book: Path | None,
    account: str,
    where: Where,
    as_json: bool,
) -> None:
    """Seal a bid of AMOUNT on BUNDLE (rollup indices: 0,1) and commit it.

    A random salt seals the bid; the bid, salt included, is written to your bid book (fsync'd, readable by
    you only) before the commitment is sent, so it can always be revealed: `seqmarket reveal` opens it in the
    reveal phase. A commitment never revealed forfeits its whole lock. Collateral the lock lacks is deposited
    with the commit. The round defaults to the one taking commits now.
    """
    from seqmarket.chain.bidbook import commit_with_book
    from seqmarket.chain.deployment import MarketKind

    with one_line_errors(), open_market(where, MarketKind.SEALED) as target:
        client = target.sealed
        bidder = target.account(account)
        round_ = pick_round(client, round_, Phase.COMMIT)
        check_bundle(client, bundle)  # the contract checks it only at reveal, when the lock is at stake
        locked = max(amount, client.min_lock) if lock is None else lock
        total, held = client.collateral(bidder.address)
        top_up = max(0, locked - (total - held))
        book = _book(target, bid_book)
        sealed = client.seal(bidder, round_, bundle, amount, locked)
        entry, receipt = commit_with_book(client, book, bidder, sealed, top_up)
        state = client.commitment_state(round_, bidder.address, sealed.commitment)
        reveal_from, reveal_to = (
            client.phase_start(round_, Phase.REVEAL),
            client.phase_start(round_, Phase.CHALLENGE),
        )
    deposited = f", deposited {eth(top_up)}" if top_up else ""
    report(
        as_json,
        f"committed a sealed bid on {rollups_of(bundle)} for round {round_} (commitment {entry.commitment}, "
        f"order {state.order}, lock {eth(locked)}{deposited}); kept in {book.path}: reveal it in blocks "
        f"{reveal_from}-{reveal_to - 1} with `seqmarket reveal`",
        {
            "round": round_,
            "bidder": bidder.address,
            "bundle": rollups_of(bundle),
            "amount": wei(amount),
            "lock": wei(locked),
            "deposited": wei(top_up),
            "commitment": entry.commitment,
            "order": state.order,
            "bid_book": str(book.path),
            "reveal_blocks": [reveal_from, reveal_to - 1],
            "transaction": tx(receipt),
        },
    )


@click.command("reveal", short_help="Reveal your bids of the round in its reveal phase.")
@round_option
@_book_option
@account_option
@where_options
@json_option
def reveal_command(
    round_: int | None, bid_book: Path | None, account: str, where: Where, as_json: bool
) -> None:
    """Reveal every bid of yours in the bid book whose round is in its reveal phase now (or --round's bids).

    Each bid's commitment is looked up on the chain first: one already open is skipped, and one whose commit
    never landed (a failed send) is reported, not sent.
    """
    from seqmarket.chain.bidbook import bids_of, reveal_from_book
    from seqmarket.chain.deployment import MarketKind

    with one_line_errors(), open_market(where, MarketKind.SEALED) as target:
        client = target.sealed
        bidder = target.account(account)
        book = _book(target, bid_book)
        block = client.next_block()
        due = [
            e
            for e in bids_of(client, book, bidder.address)
            if (
                e.bid.round == round_
                if round_ is not None
                else client.schedule.phase_at(e.bid.round, block) == Phase.REVEAL
            )
        ]
        done = reveal_from_book(client, book, bidder, due)
    if as_json:
        print_json(
            {
                "bidder": bidder.address,
                "bid_book": str(book.path),
                "bids": [
                    {
                        "round": r.entry.bid.round,
                        "commitment": r.entry.commitment,
                        "bundle": rollups_of(r.entry.bid.bundle),
                        "amount": wei(r.entry.bid.amount),
                        "outcome": r.outcome.value,
                        "transaction": r.transaction,
                    }
                    for r in done
                ],
            }
        )
        return
    if not done:
        which = f"round {round_}" if round_ is not None else f"a round in its reveal phase at block {block}"
        click.echo(f"nothing to reveal: no bid of {bidder.address} for {which} in {book.path}")
    for r in done:
        click.echo(
            f"round {r.entry.bid.round}: {r.outcome.value} {eth(r.entry.bid.amount)} on "
            f"{rollups_of(r.entry.bid.bundle)} (commitment {r.entry.commitment}"
            + (f", tx {r.transaction})" if r.transaction else ")")
        )


@click.command("bids", short_help="List the bid book, with each bid's state on chain.")
@click.option("--round", "round_", type=click.IntRange(0), help="Only this round's bids.")
@_book_option
@click.option("--account", envvar="SEQMARKET_ACCOUNT", metavar="INDEX|ALIAS", help="Only this bidder's bids.")
@where_options
@json_option
def bids_command(
    round_: int | None, bid_book: Path | None, account: str | None, where: Where, as_json: bool
) -> None:
    """List the sealed bids in your bid book, with what the chain holds of each (posted, revealed)."""
    from seqmarket.chain.deployment import MarketKind

    with one_line_errors(), open_market(where, MarketKind.SEALED) as target:
        client = target.sealed
        book = _book(target, bid_book)
        who = target.account(account).address if account else None
        rows = []
        for entry in book.entries():
            if entry.market != client.address or (who and entry.bid.bidder != who):
                continue
            if round_ is not None and entry.bid.round != round_:
                continue
            state = client.commitment_state(entry.bid.round, entry.bid.bidder, entry.bid.commitment)
            on_chain = "revealed" if state.revealed else "committed" if state.registered else "not on chain"
            phase = client.phase(entry.bid.round).name.lower()
            rows.append((entry, on_chain, phase))
    if as_json:
        print_json(
            {
                "bid_book": str(book.path),
                "bids": [
                    {
                        "round": e.bid.round,
                        "bidder": e.bid.bidder,
                        "bundle": rollups_of(e.bid.bundle),
                        "amount": wei(e.bid.amount),
                        "lock": wei(e.bid.lock),
                        "commitment": e.commitment,
                        "book": e.status.value,
                        "chain": on_chain,
                        "phase": phase,
                    }
                    for e, on_chain, phase in rows
                ],
            }
        )
        return
    if not rows:
        click.echo(f"no bids in {book.path}")
    for e, on_chain, phase in rows:
        click.echo(
            f"round {e.bid.round} ({phase}): {e.bid.bidder} bids {e.bid.amount} wei on "
            f"{rollups_of(e.bid.bundle)}, "
            f"lock {e.bid.lock} wei, commitment {e.commitment}: {on_chain}"
        )

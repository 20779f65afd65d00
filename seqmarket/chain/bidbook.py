"""The bid book: every sealed bid a person commits, kept on disk before its commitment is sent.

A sealed bid is worth nothing without its salt, and a commitment left unopened forfeits its whole lock. So
``commit`` writes the bid (round, bundle, amount, lock, salt, commitment, market, chain, bidder) to the book,
flushed and fsync'd, before the transaction leaves; only then sends it; then appends that it was sent. A
crash, a kill or a failed send between the two leaves the bid in the book, and ``reveal`` asks the chain
(``commitmentState``) whether its commitment landed, not the book: the bid is revealed if it did.

The book is a JSON-lines file, append-only (a record is never rewritten, so a crash mid-write costs at most
the last, partial line, which reading skips), readable by its owner only (0600, in a 0700 folder holding a
``.gitignore`` so the salts never reach a repository). Records:

- ``{"record": "sealed", "chain_id", "market", "round", "bidder", "bundle", "amount", "lock", "salt",
  "commitment", "written"}``: the bid, before its commit is sent;
- ``{"record": "sent", "commitment", "transaction"}``: its commit was mined;
- ``{"record": "send-failed", "commitment", "error"}``: its commit was refused (the bid was never posted);
- ``{"record": "revealed", "commitment", "transaction"}``: it was opened.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from ape import chain
from ape.api import AccountAPI, ReceiptAPI
from ape.exceptions import ContractLogicError

from seqmarket.chain.deployment import DEPLOYMENTS
from seqmarket.chain.reverts import decode_revert
from seqmarket.chain.sealed_bid_client import SealedBidClient
from seqmarket.clearing import bundle_of, rollups_of
from seqmarket.errors import BidBookError
from seqmarket.protocol.commitment import SealedBid, commitment_hash


class BookStatus(Enum):
    """What the book knows of a bid (the chain has the last word: see ``commitmentState``)."""

    SEALED = "sealed"  # written; its commit was not confirmed sent
    SENT = "sent"
    SEND_FAILED = "send-failed"
    REVEALED = "revealed"


@dataclass(frozen=True)
class BookEntry:
    """A sealed bid in the book, with the market and chain it is for and what happened to it."""

    chain_id: int
    market: str
    bid: SealedBid
    status: BookStatus
    written: str

    @property
    def commitment(self) -> str:
        return "0x" + self.bid.commitment.hex()


def default_book(
    chain_id: int, market: str, folder: Path = DEPLOYMENTS, deployed_in: str | None = None
) -> Path:
    """The book of ``market`` on chain ``chain_id``: beside the deployment files, in ``bids/``, named also by
    the hash of the block that deployed it (``deployed_in``) when known. A local chain started afresh deploys
    the same market at the same address again: without the hash its book would list the old chain's bids
    (as not on chain) beside the new ones."""
    tag = f"-{deployed_in.removeprefix('0x')[:8]}" if deployed_in else ""
    return folder / "bids" / f"{chain_id}-{market}{tag}.jsonl"


@dataclass(frozen=True)
class BidBook:
    """One bid book file."""

    path: Path

    def write(self, chain_id: int, market: str, bid: SealedBid) -> BookEntry:
        """Record ``bid`` durably (on disk when this returns). Checks the commitment first: a book must never
        hold a salt that does not open its commitment."""
        expected = commitment_hash(chain_id, market, bid.round, bid.bidder, bid.bundle, bid.amount, bid.salt)
        if expected != bid.commitment:
            raise BidBookError("the sealed bid does not match its commitment; nothing was written")
        written = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        self._append(
            {
                "record": BookStatus.SEALED.value,
                "chain_id": chain_id,
                "market": market,
                "round": bid.round,
                "bidder": bid.bidder,
                "bundle": rollups_of(bid.bundle),
                "amount": str(bid.amount),
                "lock": str(bid.lock),
                "salt": "0x" + bid.salt.hex(),
                "commitment": "0x" + bid.commitment.hex(),
                "written": written,
            }
        )
        return BookEntry(chain_id, market, bid, BookStatus.SEALED, written)

    def mark(self, entry: BookEntry, status: BookStatus, **details: str) -> None:
        """Append what happened to ``entry`` (sent, send-failed, revealed), with a transaction or error."""
        self._append({"record": status.value, "commitment": entry.commitment, **details})

    def entries(self) -> list[BookEntry]:
        """Every bid in the book, in the order written, each with its latest status."""
        bids: dict[str, BookEntry] = {}
        for record in self._records():
            kind = record.get("record")
            if kind == BookStatus.SEALED.value:
                entry = _entry(record)
                bids[entry.commitment] = entry
            elif record.get("commitment") in bids:
                entry = bids[record["commitment"]]
                bids[entry.commitment] = BookEntry(
                    entry.chain_id, entry.market, entry.bid, BookStatus(kind), entry.written
                )
        return list(bids.values())

    def _records(self) -> Iterator[dict[str, Any]]:
        try:
            lines = self.path.read_text().splitlines()
        except FileNotFoundError:
            return
        except OSError as err:
            raise BidBookError(f"cannot read the bid book {self.path}: {err.strerror}") from err
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as err:
                if number == len(lines):  # a write cut short by a crash: that record never completed
                    return
                raise BidBookError(f"{self.path}, line {number}: not a bid book record") from err
            yield record

    def _append(self, record: dict[str, Any]) -> None:
        """Append one line and wait until it is on disk (the folder entry too, for a new file)."""
        folder = self.path.parent
        try:
            if not folder.exists():
                folder.mkdir(mode=0o700, parents=True)
                (folder / ".gitignore").write_text("# sealed bids and their salts: never commit them\n*\n")
            created = not self.path.exists()
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(descriptor, (json.dumps(record) + "\n").encode())
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
            if created:
                directory = os.open(folder, os.O_RDONLY)
                try:
                    os.fsync(directory)
                finally:
                    os.close(directory)
        except OSError as err:
            raise BidBookError(f"cannot write the bid book {self.path}: {err.strerror}") from err


def _entry(record: dict[str, Any]) -> BookEntry:
    try:
        bid = SealedBid(
            round=int(record["round"]),
            bidder=str(record["bidder"]),
            bundle=bundle_of(record["bundle"]),
            amount=int(record["amount"]),
            lock=int(record["lock"]),
            salt=bytes.fromhex(str(record["salt"]).removeprefix("0x")),
            commitment=bytes.fromhex(str(record["commitment"]).removeprefix("0x")),
        )
        return BookEntry(
            int(record["chain_id"]), str(record["market"]), bid, BookStatus.SEALED, str(record["written"])
        )
    except (KeyError, TypeError, ValueError) as err:
        raise BidBookError(f"a sealed record of the bid book is incomplete: {err!r}") from err


class RevealOutcome(Enum):
    """What ``reveal_from_book`` did with one bid."""

    REVEALED = "revealed"
    ALREADY_REVEALED = "already revealed"
    NOT_ON_CHAIN = "not on chain"  # its commit never landed: nothing to open, nothing locked


@dataclass(frozen=True)
class Revealed:
    entry: BookEntry
    outcome: RevealOutcome
    transaction: str | None = None


def commit_with_book(
    client: SealedBidClient, book: BidBook, bidder: AccountAPI, sealed: SealedBid, value: int
) -> tuple[BookEntry, ReceiptAPI]:
    """Write ``sealed`` to ``book``, then commit it (depositing ``value`` first), then note it was sent.

    A refused commit (a revert, caught before anything is mined) is noted as send-failed and raised. Any other
    failure leaves the bid as written: whether its transaction landed is for the chain to say at reveal.
    """
    entry = book.write(chain.chain_id, client.address, sealed)
    try:
        receipt = client.commit(bidder, sealed, value=value)
    except ContractLogicError as err:
        book.mark(entry, BookStatus.SEND_FAILED, error=str(decode_revert(err)))
        raise
    book.mark(entry, BookStatus.SENT, transaction=_hash(receipt))
    return entry, receipt


def bids_of(client: SealedBidClient, book: BidBook, bidder: str) -> list[BookEntry]:
    """``bidder``'s bids in ``book`` for this market on this chain."""
    return [
        e
        for e in book.entries()
        if e.chain_id == chain.chain_id and e.market == client.address and e.bid.bidder == bidder
    ]


def reveal_from_book(
    client: SealedBidClient, book: BidBook, bidder: AccountAPI, entries: list[BookEntry]
) -> list[Revealed]:
    """Open each of ``entries`` whose commitment the chain holds unopened, and note it in the book; the chain
    decides, so a bid whose commit landed after a crash is revealed, and one that never landed is skipped."""
    done = []
    for entry in entries:
        state = client.commitment_state(entry.bid.round, bidder.address, entry.bid.commitment)
        if not state.registered:
            done.append(Revealed(entry, RevealOutcome.NOT_ON_CHAIN))
            continue
        if state.revealed:
            if entry.status is not BookStatus.REVEALED:
                book.mark(entry, BookStatus.REVEALED, transaction="")
            done.append(Revealed(entry, RevealOutcome.ALREADY_REVEALED))
            continue
        receipt = client.reveal(bidder, entry.bid)
        book.mark(entry, BookStatus.REVEALED, transaction=_hash(receipt))
        done.append(Revealed(entry, RevealOutcome.REVEALED, _hash(receipt)))
    return done


def _hash(receipt: ReceiptAPI) -> str:
    return str(receipt.txn_hash)

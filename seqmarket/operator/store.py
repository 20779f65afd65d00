"""The operator's memory: one SQLite file (write-ahead log) per market it serves.

Two tables. ``rounds``: each round's stage, its clearing (so a restart does not solve it again) and when the
service saw its reveals close. ``actions``: every transaction by what it achieves (``Action.key``), with its
status: INTENT is written, and committed, *before* the transaction is sent, together with the sender's
nonce it will use; the outcome (LANDED, REVERTED, ABANDONED, FAILED) replaces it afterwards. An INTENT found
at start-up is a send whose outcome was lost (killed, or the RPC went away): the service settles it against
the chain (service.py) before sending anything else. Counters (rounds cleared, solve time, gas, proposals
replaced, latency) are queries over these tables, so ``seqmarket operator stats`` reads them while the
service runs (WAL lets a reader in beside the writer).

Pure: sqlite3 only, no chain code.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from seqmarket.errors import OperatorStateError
from seqmarket.operator.planner import Action, ActionKind, Solution, Stage

SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rounds (
    round INTEGER PRIMARY KEY,
    stage TEXT NOT NULL,
    solution TEXT,
    solve_seconds REAL,
    challenge_block INTEGER,
    seen_challenge_at REAL,
    done_at REAL
);
CREATE TABLE IF NOT EXISTS actions (
    key TEXT PRIMARY KEY,
    round INTEGER NOT NULL,
    kind TEXT NOT NULL,
    action TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    nonce INTEGER,
    head INTEGER,
    tx TEXT,
    block INTEGER,
    gas_used INTEGER NOT NULL DEFAULT 0,
    gas_wei TEXT NOT NULL DEFAULT '0',
    error TEXT,
    intent_at REAL,
    landed_at REAL
);
CREATE INDEX IF NOT EXISTS actions_by_status ON actions (status);
"""


class Status(StrEnum):
    """Where one action's transaction stands."""

    INTENT = "intent"  # recorded with its nonce; maybe sent, outcome not yet known
    LANDED = "landed"  # mined and succeeded
    REVERTED = "reverted"  # refused by the market (at estimation: no gas spent; or mined and reverted)
    ABANDONED = "abandoned"  # never reached the chain (the nonce stayed unused): may be planned again
    FAILED = "failed"  # refused too often: the service stops trying

    @property
    def open(self) -> bool:
        return self is Status.INTENT


@dataclass(frozen=True)
class ActionRecord:
    """An action as the store holds it."""

    action: Action
    status: Status
    attempts: int
    nonce: int | None
    head: int | None
    tx: str | None
    block: int | None
    gas_used: int
    gas_wei: int
    error: str | None


@dataclass(frozen=True)
class Stats:
    """The service's counters, from the store."""

    rounds_seen: int
    rounds_cleared: int
    rounds_done: int
    rounds_skipped: int
    solve_seconds_total: float
    solve_seconds_max: float
    transactions: int
    reverted: int
    gas_used: int
    gas_wei: int
    proposals: int
    proposals_replaced: int
    claims: int
    finalized: int
    released: int
    draws: int
    pending_intents: int
    #: Blocks from the reveal phase's close to the proposal landing (median, max), over rounds proposed.
    propose_latency_blocks: tuple[float, int] | None
    #: Seconds from the service seeing the reveals closed to the proposal landing (median, max).
    propose_latency_seconds: tuple[float, float] | None

    def document(self) -> dict[str, Any]:
        document = asdict(self)
        document["gas_wei"] = str(self.gas_wei)
        return document

    def line(self) -> str:
        """The counters as one key=value line."""
        parts = [
            f"rounds_cleared={self.rounds_cleared}",
            f"rounds_done={self.rounds_done}",
            f"rounds_skipped={self.rounds_skipped}",
            f"solve_s={self.solve_seconds_total:.3f}",
            f"solve_max_s={self.solve_seconds_max:.3f}",
            f"txs={self.transactions}",
            f"reverted={self.reverted}",
            f"gas={self.gas_used}",
            f"gas_wei={self.gas_wei}",
            f"proposals={self.proposals}",
            f"proposals_replaced={self.proposals_replaced}",
            f"claims={self.claims}",
            f"finalized={self.finalized}",
            f"released={self.released}",
            f"draws={self.draws}",
            f"pending={self.pending_intents}",
        ]
        if self.propose_latency_blocks is not None:
            parts.append(f"propose_latency_blocks_median={self.propose_latency_blocks[0]:g}")
        if self.propose_latency_seconds is not None:
            parts.append(f"propose_latency_s_median={self.propose_latency_seconds[0]:.3f}")
        return " ".join(parts)


class Store:
    """The SQLite file of one market's operator. Every write is its own committed transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=10.0, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            # FULL: an intent is on disk before the transaction it announces is sent.
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as err:
            raise OperatorStateError(f"cannot open the operator state {path}: {err}") from err

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            yield self._db
            self._db.execute("COMMIT")
        except sqlite3.Error as err:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise OperatorStateError(f"operator state {self.path}: {err}") from err
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    # ------------------------------------------------------------------ identity
    def bind(self, identity: dict[str, str]) -> None:
        """Tie the file to one market, chain and operator account; refuse a file made for another."""
        rows = {row["key"]: row["value"] for row in self._db.execute("SELECT key, value FROM meta")}
        if not rows:
            with self._write() as db:
                db.executemany(
                    "INSERT INTO meta (key, value) VALUES (?, ?)",
                    [("schema", SCHEMA_VERSION), *identity.items()],
                )
            return
        for key, value in identity.items():
            if rows.get(key, "").lower() != value.lower():
                raise OperatorStateError(
                    f"{self.path} is the state of {key} {rows.get(key)!r}, not {value!r}: "
                    "give another --state"
                )

    def meta(self) -> dict[str, str]:
        return {row["key"]: row["value"] for row in self._db.execute("SELECT key, value FROM meta")}

    # ------------------------------------------------------------------ rounds
    def first_unfinished(self) -> int | None:
        """The lowest round not finished, or (all finished) None."""
        row = self._db.execute(
            "SELECT MIN(round) AS r FROM rounds WHERE stage NOT IN (?, ?)", (Stage.DONE, Stage.SKIPPED)
        ).fetchone()
        return None if row["r"] is None else int(row["r"])

    def last_round(self) -> int | None:
        row = self._db.execute("SELECT MAX(round) AS r FROM rounds").fetchone()
        return None if row["r"] is None else int(row["r"])

    def stage(self, round_: int) -> Stage | None:
        row = self._db.execute("SELECT stage FROM rounds WHERE round = ?", (round_,)).fetchone()
        return None if row is None else Stage(row["stage"])

    def set_stage(self, round_: int, stage: Stage) -> None:
        done = time.time() if stage.finished else None
        with self._write() as db:
            db.execute(
                "INSERT INTO rounds (round, stage, done_at) VALUES (?, ?, ?) "
                "ON CONFLICT (round) DO UPDATE SET stage = excluded.stage, done_at = excluded.done_at",
                (round_, stage.value, done),
            )

    def saw_challenge(self, round_: int, block: int) -> None:
        """Note the first time the service saw ``round_``'s reveals closed (kept across restarts)."""
        with self._write() as db:
            db.execute(
                "INSERT INTO rounds (round, stage) VALUES (?, ?) ON CONFLICT (round) DO NOTHING",
                (round_, Stage.CHALLENGE.value),
            )
            db.execute(
                "UPDATE rounds SET challenge_block = ?, seen_challenge_at = ? "
                "WHERE round = ? AND seen_challenge_at IS NULL",
                (block, time.time(), round_),
            )

    def solution(self, round_: int) -> Solution | None:
        row = self._db.execute("SELECT solution FROM rounds WHERE round = ?", (round_,)).fetchone()
        if row is None or row["solution"] is None:
            return None
        return Solution.from_document(json.loads(row["solution"]))

    def save_solution(self, round_: int, solution: Solution) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO rounds (round, stage) VALUES (?, ?) ON CONFLICT (round) DO NOTHING",
                (round_, Stage.CHALLENGE.value),
            )
            db.execute(
                "UPDATE rounds SET solution = ?, solve_seconds = ? WHERE round = ?",
                (json.dumps(solution.document()), solution.solve_seconds, round_),
            )

    # ------------------------------------------------------------------ actions
    def record(self, key: str) -> ActionRecord | None:
        row = self._db.execute("SELECT * FROM actions WHERE key = ?", (key,)).fetchone()
        return None if row is None else _record(row)

    def open_intents(self) -> list[ActionRecord]:
        """Actions whose transaction may have been sent but whose outcome was never recorded."""
        rows = self._db.execute("SELECT * FROM actions WHERE status = ? ORDER BY nonce", (Status.INTENT,))
        return [_record(row) for row in rows]

    def intend(self, action: Action, nonce: int, head: int) -> None:
        """Record, durably, that ``action`` is about to be sent with ``nonce`` (the chain at ``head``)."""
        with self._write() as db:
            db.execute(
                "INSERT INTO actions (key, round, kind, action, status, attempts, nonce, head, intent_at) "
                "VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
                "action = excluded.action, status = excluded.status, attempts = attempts + 1, "
                "nonce = excluded.nonce, head = excluded.head, intent_at = excluded.intent_at, "
                "tx = NULL, block = NULL, error = NULL",
                (
                    action.key,
                    action.round,
                    action.kind.value,
                    json.dumps(action.document()),
                    Status.INTENT.value,
                    nonce,
                    head,
                    time.time(),
                ),
            )

    def settle(
        self,
        key: str,
        status: Status,
        *,
        tx: str | None = None,
        block: int | None = None,
        gas_used: int = 0,
        gas_wei: int = 0,
        error: str | None = None,
    ) -> None:
        """Record an action's outcome (its gas adds to what earlier attempts spent)."""
        with self._write() as db:
            db.execute(
                "UPDATE actions SET status = ?, tx = ?, block = ?, gas_used = gas_used + ?, "
                "gas_wei = CAST(CAST(gas_wei AS INTEGER) + ? AS TEXT), error = ?, landed_at = ? "
                "WHERE key = ?",
                (status.value, tx, block, gas_used, gas_wei, error, time.time(), key),
            )

    # ------------------------------------------------------------------ counters
    def stats(self) -> Stats:
        db = self._db
        count = {
            row["stage"]: int(row["n"])
            for row in db.execute("SELECT stage, COUNT(*) AS n FROM rounds GROUP BY stage")
        }
        solved = db.execute(
            "SELECT COUNT(*) AS n, COALESCE(SUM(solve_seconds), 0) AS total, "
            "COALESCE(MAX(solve_seconds), 0) AS most "
            "FROM rounds WHERE solution IS NOT NULL"
        ).fetchone()
        landed = {
            row["kind"]: int(row["n"])
            for row in db.execute(
                "SELECT kind, COUNT(*) AS n FROM actions WHERE status = ? GROUP BY kind", (Status.LANDED,)
            )
        }
        gas = db.execute(
            "SELECT COALESCE(SUM(gas_used), 0) AS used, COALESCE(SUM(CAST(gas_wei AS INTEGER)), 0) AS wei "
            "FROM actions"
        ).fetchone()
        reverted = db.execute(
            "SELECT COUNT(*) AS n FROM actions WHERE status IN (?, ?)", (Status.REVERTED, Status.FAILED)
        ).fetchone()["n"]
        replaced = 0
        for row in db.execute(
            "SELECT action FROM actions WHERE kind = ? AND status = ?", ("propose", "landed")
        ):
            replaced += bool(json.loads(row["action"])["replaces"])
        latency = db.execute(
            "SELECT a.block - r.challenge_block AS blocks, a.landed_at - r.seen_challenge_at AS seconds "
            "FROM actions a JOIN rounds r ON a.round = r.round WHERE a.kind = ? AND a.status = ? "
            "AND r.challenge_block IS NOT NULL",
            (ActionKind.PROPOSE.value, Status.LANDED.value),
        ).fetchall()
        blocks = [int(row["blocks"]) for row in latency]
        seconds = [float(row["seconds"]) for row in latency]
        return Stats(
            rounds_seen=sum(count.values()),
            rounds_cleared=int(solved["n"]),
            rounds_done=count.get(Stage.DONE.value, 0),
            rounds_skipped=count.get(Stage.SKIPPED.value, 0),
            solve_seconds_total=float(solved["total"]),
            solve_seconds_max=float(solved["most"]),
            transactions=sum(landed.values()),
            reverted=int(reverted),
            gas_used=int(gas["used"]),
            gas_wei=int(gas["wei"]),
            proposals=landed.get(ActionKind.PROPOSE.value, 0),
            proposals_replaced=replaced,
            claims=landed.get(ActionKind.CLAIM.value, 0),
            finalized=landed.get(ActionKind.FINALIZE.value, 0),
            released=landed.get(ActionKind.RELEASE.value, 0),
            draws=landed.get(ActionKind.DRAW.value, 0),
            pending_intents=len(self.open_intents()),
            propose_latency_blocks=(statistics.median(blocks), max(blocks)) if blocks else None,
            propose_latency_seconds=(statistics.median(seconds), max(seconds)) if seconds else None,
        )

    def propose_seconds(self) -> list[float]:
        """Per proposal landed: seconds from the service seeing its round's reveals closed to the landing."""
        rows = self._db.execute(
            "SELECT a.landed_at - r.seen_challenge_at AS s FROM actions a JOIN rounds r ON a.round = r.round "
            "WHERE a.kind = ? AND a.status = ? AND r.seen_challenge_at IS NOT NULL ORDER BY a.round",
            (ActionKind.PROPOSE.value, Status.LANDED.value),
        )
        return [float(row["s"]) for row in rows]

    def actions(self, round_: int | None = None) -> list[ActionRecord]:
        """Every action recorded (of ``round_``), in the order first intended."""
        if round_ is None:
            rows = self._db.execute("SELECT * FROM actions ORDER BY rowid")
        else:
            rows = self._db.execute("SELECT * FROM actions WHERE round = ? ORDER BY rowid", (round_,))
        return [_record(row) for row in rows]


def _record(row: sqlite3.Row) -> ActionRecord:
    return ActionRecord(
        Action.from_document(json.loads(row["action"])),
        Status(row["status"]),
        int(row["attempts"]),
        row["nonce"],
        row["head"],
        row["tx"],
        row["block"],
        int(row["gas_used"]),
        int(row["gas_wei"]),
        row["error"],
    )

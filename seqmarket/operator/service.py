"""The operator service's chain side: watch every round in flight, send what the planner says is missing.

Each tick (a new block, or right after the service's own transaction) it reads every unfinished round from
the oldest one it still owes work to up to the round taking bids, plans it (planner.py) and sends the
actions one at a time. Rounds overlap on chain (round r + 1 takes bids while r reveals, r - 1 is challenged
and older ones settle), so several are in flight at once.

Never twice: before a transaction is sent its intent is committed to the store with the sender's next
nonce. Its outcome is recorded when the receipt comes back. An intent left open (SIGKILL, or an RPC outage
after the send) is settled against the chain before anything else is sent: if the nonce has been used, the
transaction that used it is found and recorded (landed or reverted); if the nonce is still pending in the
node it is waited for; if neither, it never reached the chain and the action may be planned again, under
the same (still unused) nonce. Any two transactions for one action would therefore have to share a nonce,
so at most one of them can land. The planner only asks for what the chain lacks, so an action that landed
is not planned again. Races with another operator cost at most one refused attempt per action and
operator (the market refuses the loser, almost always at gas estimation, before anything is sent); an
action refused ``max_attempts`` times is given up.
"""

from __future__ import annotations

import math
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ape import chain
from ape.api import AccountAPI, ReceiptAPI
from ape.exceptions import ContractLogicError
from eth_utils import keccak, to_checksum_address

from seqmarket.chain.client import MarketClient
from seqmarket.chain.lottery_client import LotteryClient
from seqmarket.chain.reverts import decode_revert
from seqmarket.chain.sealed_bid_client import SealedBidClient
from seqmarket.clearing import Bid, Instance
from seqmarket.errors import ClearingTimeout, SeqmarketError, SolverError
from seqmarket.operator.events import EventLog
from seqmarket.operator.planner import (
    Action,
    ActionKind,
    LotteryRound,
    Mode,
    Plan,
    SealedRound,
    Solution,
    Stage,
    plan_lottery,
    plan_sealed,
    solve,
    solve_instance,
)
from seqmarket.operator.store import Status, Store
from seqmarket.protocol.rules import PaymentRule
from seqmarket.protocol.schedule import Phase

#: Which actions go first when several rounds want something at once: a challenge phase is a few blocks,
#: a draw window too; finalizing has the settlement window; releasing has no deadline at all.
URGENCY = {
    ActionKind.PROPOSE: 0,
    ActionKind.CLAIM: 1,
    ActionKind.DRAW: 2,
    ActionKind.FINALIZE: 3,
    ActionKind.DISTRIBUTE: 4,
    ActionKind.RELEASE: 5,
}

#: Event signatures the service reads with eth_getLogs (round is the first indexed field of each).
COMMITTED = "Committed(uint256,address,bytes32,uint256,uint256)"
REVEALED = "Revealed(uint256,address,uint256,uint256,bytes32)"
TICKETS_BOUGHT = "TicketsBought(uint256,uint256,address,uint256,uint256,uint256)"

#: Which rounds are served first in a look, by phase (others after).
ROUND_URGENCY = {Phase.CHALLENGE: 0, Phase.SETTLE: 1}

#: The environment variable naming a crash point for fault-injection tests: ``KIND:WHEN[:N]``, e.g.
#: ``propose:sent`` (SIGKILL right after the proposal's receipt, before recording it) or ``release:intent:3``
#: (after recording the third release's intent, before sending it).
CRASH_ENV = "SEQMARKET_OPERATOR_CRASH"


@dataclass(frozen=True)
class ServiceConfig:
    """How the service runs."""

    mode: Mode = Mode.OPERATE
    #: Seconds between looks at the chain when no block came.
    poll_seconds: float = 0.5
    #: The first round to serve (default: the oldest one that may still need settling).
    from_round: int | None = None
    #: Stop once every round up to this one is finished (default: run until stopped).
    until_round: int | None = None
    #: Attempts per action before it is given up.
    max_attempts: int = 3
    #: Longest wait between retries while the RPC does not answer.
    backoff_max: float = 4.0
    #: Seconds each clearing solve may take (VCG: each W(-i) too; None: no limit); past it the round is
    #: left unsolved.
    clearing_limit: float | None = None


@dataclass
class CrashPoint:
    """Kills this process with SIGKILL at a chosen point (fault-injection tests only; see CRASH_ENV)."""

    kind: str = ""
    when: str = ""
    nth: int = 1
    seen: int = 0

    @classmethod
    def from_env(cls) -> CrashPoint:
        text = os.environ.get(CRASH_ENV, "")
        if not text:
            return cls()
        parts = text.split(":")
        return cls(parts[0], parts[1] if len(parts) > 1 else "sent", int(parts[2]) if len(parts) > 2 else 1)

    def reached(self, kind: ActionKind, when: str) -> None:
        if kind.value == self.kind and when == self.when:
            self.seen += 1
            if self.seen == self.nth:
                os.kill(os.getpid(), signal.SIGKILL)


def is_connection_error(err: BaseException) -> bool:
    """Whether ``err`` (or what caused it) is the RPC not answering rather than a refusal or a bug."""
    seen: BaseException | None = err
    while seen is not None:
        if isinstance(seen, (ConnectionError, TimeoutError)):
            return True
        name = type(seen).__name__
        if any(word in name for word in ("Connection", "Timeout", "NotConnected", "ProviderNotConnected")):
            return True
        text = str(seen).lower()
        if any(
            word in text for word in ("connection refused", "connection reset", "not connected", "remote end")
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class Outcome(Enum):
    """What became of one action the planner asked for."""

    SKIPPED = "skipped"  # not sent: its intent is still pending, it landed already, or it was given up
    LANDED = "landed"
    REFUSED = "refused"  # the market refused it (at estimation, or mined and reverted)


@dataclass
class _RoundMemo:
    """What the service read of a round that can no longer change (bidders once commits closed...)."""

    bidders: tuple[str, ...] | None = None
    revealed: bool | None = None
    sold: bool | None = None
    released: set[str] = field(default_factory=set)
    stage: Stage | None = None
    saw_challenge: bool = False
    #: Why the round's clearing failed (the engine could not prove an optimum): it is not tried again.
    unsolved: str | None = None

    @property
    def finished(self) -> bool:
        return self.stage is not None and self.stage.finished


class OperatorService:
    """Serves one market from one account: plans, sends, records; see the module docstring."""

    def __init__(
        self,
        client: MarketClient,
        account: AccountAPI,
        store: Store,
        log: EventLog,
        config: ServiceConfig = ServiceConfig(),
        crash: CrashPoint | None = None,
        clock: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.account = account
        self.address = str(account.address)
        self.store = store
        self.log = log
        self.config = config
        self.crash = crash or CrashPoint.from_env()
        self.sleep = clock
        self.stopping = False
        self.stats_wanted = False
        self._memo: dict[int, _RoundMemo] = {}
        self._low: int | None = None
        self._last_height = -1
        #: Rounds the service tracks that are not finished (taking bids, revealing, challenged, settling).
        self.in_flight = 0
        self._sealed = isinstance(client, SealedBidClient)
        self._vcg = isinstance(client, SealedBidClient) and client.payment_rule == PaymentRule.VCG
        schedule = client.schedule
        if isinstance(client, SealedBidClient):
            self._settle_blocks = client.settle_deadline(0) - schedule.phase_start(0, Phase.SETTLE)
            tail = schedule.reveal_blocks + schedule.challenge_blocks + self._settle_blocks
        else:
            assert isinstance(client, LotteryClient)
            self._settle_blocks = 0
            self._draw_window = client.draw_window
            rearms = int(client.contract.maxRearms())
            tail = schedule.challenge_blocks + (rearms + 1) * (client.lookahead + client.draw_window)
        #: Rounds older than this many rounds before the one taking bids are past anything the service can do.
        self._reach = math.ceil(tail / schedule.commit_blocks) + 1

    # ------------------------------------------------------------------ the loop
    def install_signals(self) -> None:
        """SIGTERM and SIGINT stop the loop after the action in progress; SIGUSR1 logs the counters."""

        def stop(signum: int, frame: Any) -> None:
            self.stopping = True

        def stats(signum: int, frame: Any) -> None:
            self.stats_wanted = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGUSR1, stats)

    def run(self) -> None:
        """Serve until stopped (or, with ``until_round``, until every round up to it is finished)."""
        self.log.emit("start", account=self.address, mode=self.config.mode.value, market=self.client.address)
        backoff = 0.0
        while not self.stopping:
            if self.stats_wanted:
                self.stats_wanted = False
                self.log.emit("stats", **self.store.stats().document())
            try:
                worked = self.tick()
            except ContractLogicError as err:  # a read refused: report, and look again at the next block
                self.log.error("refused", error=str(decode_revert(err)))
                self.sleep(self.config.poll_seconds)
                continue
            except (SeqmarketError, KeyboardInterrupt):
                raise
            except Exception as err:
                backoff = min(self.config.backoff_max, max(0.25, backoff * 2))
                if is_connection_error(err):
                    self.log.warning("rpc-unavailable", error=type(err).__name__, retry_in=f"{backoff:g}s")
                else:
                    self.log.error("unexpected", error=f"{type(err).__name__}: {_first_line(err)}")
                self._last_height = -1
                self.sleep(backoff)
                continue
            if backoff:
                self.log.emit("rpc-restored")
                backoff = 0.0
            if self.finished():
                self.log.emit("finished", until_round=self.config.until_round)
                break
            if not worked:
                self.sleep(self.config.poll_seconds)
        self.log.emit("stop", **self.store.stats().document())

    def finished(self) -> bool:
        """Whether every round up to ``until_round`` is finished."""
        last = self.config.until_round
        if last is None or self._low is None:
            return False
        return self._low > last

    def tick(self) -> bool:
        """One look at the chain: settle open intents, plan every round in flight, send. Returns whether
        anything was sent (the chain then moved: look again at once)."""
        height = self._height()
        if height == self._last_height:
            return False
        self._last_height = height
        for record in self.store.open_intents():
            if not self._resolve(record.action, record.nonce, record.head):
                return False  # still in the node's mempool: wait for it
        next_block = height + 1
        schedule = self.client.schedule
        current = schedule.round_at(next_block)
        low = self._first_round(current)
        open_rounds = [
            r for r in range(low, current + 1) if not (self._memo.get(r) and self._memo[r].finished)
        ]
        self.in_flight = len(open_rounds)
        # Rounds in their challenge phase first (a few blocks to propose and claim), then those settling
        # (a draw window; the settlement window), then the rest; within a round the most urgent action
        # first. One round's actions are independent of each other, so they go out back to back; a refusal
        # (someone else got there, or a phase closed) ends the look, and the next one plans afresh.
        sent = False
        for round_ in sorted(
            open_rounds, key=lambda r: (ROUND_URGENCY.get(schedule.phase_at(r, next_block), 2), r)
        ):
            memo = self._memo.setdefault(round_, _RoundMemo())
            plan = self._plan(round_, next_block, memo)
            if plan.stage != memo.stage:
                self.store.set_stage(round_, plan.stage)
                if plan.stage.finished:
                    self.log.emit("round-" + plan.stage.value, round=round_)
                memo.stage = plan.stage
            for action in sorted(plan.actions, key=self._priority):
                if self.stopping:
                    return sent
                outcome = self._execute(action)
                sent |= outcome is not Outcome.SKIPPED
                if outcome is Outcome.REFUSED:
                    return sent
        while self._low is not None and self._low in self._memo and self._memo[self._low].finished:
            self._memo.pop(self._low)
            self._low += 1
        return sent

    def _priority(self, action: Action) -> tuple[int, int, bytes]:
        """Urgency, then round; releases in an order of this account's own (a hash of account and bidder),
        so two operators releasing the same round seldom collide on the same bidder."""
        spread = keccak(text=self.address + action.bidder) if action.kind is ActionKind.RELEASE else b""
        return URGENCY[action.kind], action.round, spread

    def _first_round(self, current: int) -> int:
        if self._low is None:
            if self.config.from_round is not None:
                self._low = self.config.from_round
            else:
                unfinished, last = self.store.first_unfinished(), self.store.last_round()
                if unfinished is not None:
                    self._low = unfinished
                elif last is not None:
                    self._low = last + 1
                else:
                    self._low = max(0, current - self._reach)
            for round_ in range(self._low, current + 1):  # finished before a restart
                stage = self.store.stage(round_)
                if stage is not None and stage.finished:
                    self._memo.setdefault(round_, _RoundMemo()).stage = stage
        return self._low

    # ------------------------------------------------------------------ reading a round
    def _plan(self, round_: int, next_block: int, memo: _RoundMemo) -> Plan:
        if isinstance(self.client, SealedBidClient):
            view = self._sealed_view(self.client, round_, next_block, memo)
            plan = plan_sealed(view, self.store.solution(round_), self.config.mode)
            if plan.needs_solution:
                if not self._cleared(round_, memo):
                    return Plan(plan.stage)
                view = self._sealed_view(self.client, round_, next_block, memo)
                plan = plan_sealed(view, self.store.solution(round_), self.config.mode)
            return plan
        assert isinstance(self.client, LotteryClient)
        view_l = self._lottery_view(self.client, round_, next_block, memo)
        plan = plan_lottery(view_l, self.store.solution(round_), self.config.mode)
        if plan.needs_solution:
            if not self._cleared(round_, memo):
                return Plan(plan.stage)
            plan = plan_lottery(view_l, self.store.solution(round_), self.config.mode)
        return plan

    def _cleared(self, round_: int, memo: _RoundMemo) -> bool:
        """Clear the round; False when the engine cannot prove an optimum (SolverError), or not within
        ``clearing_limit`` seconds (ClearingTimeout).

        The round then settles with the standing partition (the singletons' unless someone proposed), and
        the service goes on to the next rounds: a round whose bids defeat the engine must not stop it,
        nor stall it on that round for ever after every restart.
        """
        if memo.unsolved is not None:
            return False
        try:
            self._solve(round_)
        except (SolverError, ClearingTimeout) as err:
            memo.unsolved = str(err)
            self.log.error("clearing-failed", round=round_, error=memo.unsolved)
            return False
        return True

    def _sealed_view(
        self, client: SealedBidClient, round_: int, next_block: int, memo: _RoundMemo
    ) -> SealedRound:
        schedule = client.schedule
        phase = schedule.phase_at(round_, next_block)
        deadline = schedule.phase_start(round_, Phase.SETTLE) + self._settle_blocks
        if phase < Phase.CHALLENGE:
            return SealedRound(round_, phase, next_block, deadline)
        if memo.bidders is None:
            memo.bidders = tuple(
                dict.fromkeys(_address(log["topics"][2]) for log in self._logs(COMMITTED, round_))
            )
            memo.revealed = bool(self._revealed_bundles(round_)) if memo.bidders else False
        if not memo.bidders:
            return SealedRound(round_, phase, next_block, deadline)
        if phase is Phase.CHALLENGE:
            self._saw_challenge(round_, memo)
            standing = client.best_partition(round_)
            solution = self.store.solution(round_)
            claims = {}
            if self._vcg and solution is not None:
                claims = {
                    c.bidder: client.counterfactual_value(round_, c.bidder) for c in solution.counterfactuals
                }
            return SealedRound(
                round_,
                phase,
                next_block,
                deadline,
                memo.bidders,
                bool(memo.revealed),
                standing,
                bool(standing[0]),
                self._vcg,
                claims,
            )
        finalized = client.is_finalized(round_)
        forfeits = 0
        if finalized or next_block >= deadline:
            for bidder in memo.bidders:
                if bidder not in memo.released and client.participation(round_, bidder).released:
                    memo.released.add(bidder)
            if memo.released.issuperset(memo.bidders):
                forfeits = client.forfeits(round_)
        return SealedRound(
            round_,
            phase,
            next_block,
            deadline,
            memo.bidders,
            bool(memo.revealed),
            vcg=self._vcg,
            finalized=finalized,
            released=frozenset(memo.released),
            forfeits=forfeits,
        )

    def _lottery_view(
        self, client: LotteryClient, round_: int, next_block: int, memo: _RoundMemo
    ) -> LotteryRound:
        phase = client.schedule.phase_at(round_, next_block)
        if phase < Phase.CHALLENGE:
            return LotteryRound(round_, phase, next_block)
        if memo.sold is None:
            memo.sold = bool(self._logs(TICKETS_BOUGHT, round_))
        if not memo.sold:
            return LotteryRound(round_, phase, next_block)
        if phase is Phase.CHALLENGE:
            self._saw_challenge(round_, memo)
            standing = client.best_partition(round_)
            return LotteryRound(round_, phase, next_block, True, standing, bool(standing[0]))
        state = client.draw_state(round_)
        return LotteryRound(
            round_,
            phase,
            next_block,
            True,
            draw_target=state.target,
            draw_window=self._draw_window,
            drawn=state.drawn,
            voided=state.voided,
            finalized=state.finalized,
        )

    def _saw_challenge(self, round_: int, memo: _RoundMemo) -> None:
        if not memo.saw_challenge:
            self.store.saw_challenge(round_, self.client.schedule.phase_start(round_, Phase.CHALLENGE))
            memo.saw_challenge = True

    def _solve(self, round_: int) -> Solution:
        client = self.client
        if isinstance(client, SealedBidClient):
            bids = [
                Bid(stored.bidder, bundle, stored.amount, stored.order)
                for bundle in sorted(self._revealed_bundles(round_))
                for stored in client.top_bids(round_, bundle)
                if stored.amount
            ]
            solution = solve(client.reserves(round_), bids, self._vcg, self.config.clearing_limit)
        else:
            assert isinstance(client, LotteryClient)
            bundles = sorted(
                {int.from_bytes(log["topics"][2], "big") for log in self._logs(TICKETS_BOUGHT, round_)}
            )
            revenues = {b: client.revenue_of(round_, b) for b in bundles}
            solution = solve_instance(Instance(client.reserves(round_), revenues), self.config.clearing_limit)
        self.store.save_solution(round_, solution)
        self.log.emit(
            "cleared",
            round=round_,
            bundles=list(solution.bundles),
            value=solution.value,
            counterfactuals=len(solution.counterfactuals),
            solve_s=f"{solution.solve_seconds:.4f}",
        )
        return solution

    # ------------------------------------------------------------------ sending
    def _logs(self, signature: str, round_: int) -> list[Any]:
        """The market's ``signature`` events of ``round_`` (indexed first), asked of the node (eth_getLogs):
        an error is raised, never an empty answer (ape's event queries can answer [] when the node does not
        answer, and a round wrongly seen without bids would be skipped for good)."""
        web3 = chain.provider.web3  # type: ignore[attr-defined]
        return list(
            web3.eth.get_logs(
                {
                    "address": self.client.address,
                    "fromBlock": self.client.round_start(round_),
                    "toBlock": self._height(),
                    "topics": ["0x" + keccak(text=signature).hex(), "0x" + round_.to_bytes(32, "big").hex()],
                }
            )
        )

    def _revealed_bundles(self, round_: int) -> set[int]:
        """Bundles with a bid revealed in ``round_`` (a zero amount opens a decoy: no bid)."""
        bundles = set()
        for log in self._logs(REVEALED, round_):
            data = bytes(log["data"])
            if int.from_bytes(data[32:64], "big"):
                bundles.add(int.from_bytes(data[0:32], "big"))
        return bundles

    def _height(self) -> int:
        """The chain's height, asked of the node (ape's chain.blocks.height answers a cached value when the
        node does not answer, which would hide an outage)."""
        return int(chain.provider.web3.eth.block_number)  # type: ignore[attr-defined]

    def _nonce(self, block: str) -> int:
        web3 = chain.provider.web3  # type: ignore[attr-defined]
        return int(web3.eth.get_transaction_count(self.address, block))

    def _execute(self, action: Action) -> Outcome:
        """Send ``action`` unless its intent is still open or it was given up."""
        record = self.store.record(action.key)
        if record is not None:
            if record.status is Status.INTENT and not self._resolve(action, record.nonce, record.head):
                return Outcome.SKIPPED
            record = self.store.record(action.key)
            assert record is not None
            if record.status in (Status.LANDED, Status.FAILED):
                return Outcome.SKIPPED  # landed: the chain will show it at the next look; failed: given up
            if record.attempts >= self.config.max_attempts:
                self.store.settle(action.key, Status.FAILED, error=record.error)
                self.log.error("gave-up", key=action.key, attempts=record.attempts, error=record.error)
                return Outcome.SKIPPED
        nonce, head = self._nonce("pending"), self._height()
        self.store.intend(action, nonce, head)
        self.crash.reached(action.kind, "intent")
        try:
            receipt = self._send(action, nonce)
        except ContractLogicError as err:
            refused = str(decode_revert(err))
            if self._nonce("latest") > nonce:  # it was mined and reverted: record the gas it burnt
                self._resolve(action, nonce, head)
            else:
                self.store.settle(action.key, Status.REVERTED, error=refused)
            self.log.warning("refused", key=action.key, error=refused, **_details(action))
            return Outcome.REFUSED
        self.crash.reached(action.kind, "sent")
        self._landed(action, receipt)
        return Outcome.LANDED

    def _send(self, action: Action, nonce: int) -> ReceiptAPI:
        client, sender, round_ = self.client, self.account, action.round
        kind = action.kind
        if kind is ActionKind.PROPOSE:
            return client.transact("propose", sender, "propose", round_, list(action.bundles), nonce=nonce)
        if kind is ActionKind.FINALIZE:
            return client.transact("finalize", sender, "finalize", round_, nonce=nonce)
        if kind is ActionKind.CLAIM:
            return client.transact(
                "claim",
                sender,
                "claimCounterfactual",
                round_,
                action.bidder,
                list(action.bundles),
                nonce=nonce,
            )
        if kind is ActionKind.RELEASE:
            return client.transact("release", sender, "release", round_, action.bidder, nonce=nonce)
        if kind is ActionKind.DISTRIBUTE:
            return client.transact("distributeForfeits", sender, "distributeForfeits", round_, nonce=nonce)
        return client.transact("draw", sender, "draw", round_, nonce=nonce)

    def _landed(self, action: Action, receipt: ReceiptAPI) -> None:
        gas = int(receipt.gas_used)
        price = int(getattr(receipt, "gas_price", 0) or 0)
        block = int(receipt.block_number)
        tx = _hex(receipt.txn_hash)
        self.store.settle(action.key, Status.LANDED, tx=tx, block=block, gas_used=gas, gas_wei=gas * price)
        self.log.emit(
            action.kind.value,
            key=action.key,
            tx=tx,
            block=block,
            gas=gas,
            in_flight=self.in_flight,
            **_details(action),
        )

    def _resolve(self, action: Action, nonce: int | None, head: int | None) -> bool:
        """Settle an open intent against the chain; False while its transaction waits in the mempool."""
        if nonce is None:
            self.store.settle(action.key, Status.ABANDONED, error="no nonce recorded")
            return True
        if self._nonce("latest") > nonce:
            found = self._find(nonce, head or 0)
            if found is None:
                self.store.settle(
                    action.key, Status.ABANDONED, error=f"nonce {nonce} used by another transaction"
                )
                self.log.warning("intent-superseded", key=action.key, nonce=nonce)
                return True
            tx, block, gas, price, ok = found
            status = Status.LANDED if ok else Status.REVERTED
            self.store.settle(
                action.key,
                status,
                tx=tx,
                block=block,
                gas_used=gas,
                gas_wei=gas * price,
                error=None if ok else "reverted on chain",
            )
            self.log.emit("recovered", key=action.key, status=status.value, tx=tx, block=block, nonce=nonce)
            return True
        if self._nonce("pending") > nonce:
            self.log.emit("intent-pending", key=action.key, nonce=nonce)
            return False
        self.store.settle(action.key, Status.ABANDONED, error="never reached the chain")
        self.log.emit("recovered", key=action.key, status=Status.ABANDONED.value, nonce=nonce)
        return True

    def _find(self, nonce: int, head: int) -> tuple[str, int, int, int, bool] | None:
        """The transaction this account sent under ``nonce``, searched from block ``head`` on: (hash, block,
        gas used, gas price, succeeded)."""
        web3 = chain.provider.web3  # type: ignore[attr-defined]
        latest = int(web3.eth.block_number)
        for number in range(max(0, head), latest + 1):
            block = web3.eth.get_block(number, full_transactions=True)
            for tx in block["transactions"]:
                if str(tx["from"]).lower() == self.address.lower() and int(tx["nonce"]) == nonce:
                    receipt = web3.eth.get_transaction_receipt(tx["hash"])
                    price = int(receipt.get("effectiveGasPrice", 0) or 0)
                    return (
                        _hex(tx["hash"]),
                        number,
                        int(receipt["gasUsed"]),
                        price,
                        int(receipt["status"]) == 1,
                    )
        return None


def _details(action: Action) -> dict[str, Any]:
    details: dict[str, Any] = {"round": action.round}
    if action.bundles or action.kind is ActionKind.PROPOSE:
        details["bundles"] = list(action.bundles)
    if action.bidder:
        details["bidder"] = action.bidder
    if action.value:
        details["value"] = action.value
    if action.kind is ActionKind.PROPOSE:
        details["replaces"] = action.replaces
    return details


def _address(topic: Any) -> str:
    return str(to_checksum_address(bytes(topic)[-20:]))


def _hex(value: Any) -> str:
    text = value.hex() if isinstance(value, bytes) else str(value)
    return text if text.startswith("0x") else "0x" + text


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0][:200] if text else ""

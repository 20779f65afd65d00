"""Arena bidders on a chain: seats (a strategy, an account, a valuation each) that commit and reveal in a
sealed-bid market round after round as their strategies decide, waiting for the chain's blocks. The soak
drives them (seqmarket.jobs.soak), and so does `seqmarket agents` beside a person bidding by hand."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ape import chain
from ape.api import AccountAPI
from ape.exceptions import ApeException, ContractLogicError

from seqmarket.agents.strategies import REGISTRY, Act, Action, Mechanism, Strategy, Timing, View
from seqmarket.agents.strategies.base import Commit, Opening, OwnCommit, Step
from seqmarket.agents.valuation import SynergyValuation
from seqmarket.chain.connection import local_account
from seqmarket.chain.reverts import decode_revert
from seqmarket.chain.sealed_bid_client import SealedBidClient
from seqmarket.clearing import Bid
from seqmarket.errors import RoundCheckFailed
from seqmarket.protocol.commitment import SealedBid
from seqmarket.protocol.schedule import Phase


@dataclass
class Seat:
    """One bidder: its strategy, account and valuation."""

    label: str
    strategy: Strategy
    account: AccountAPI
    valuation: SynergyValuation


def seats(mix: Sequence[tuple[str, int]], rollups: int, seed: int, first_account: int) -> list[Seat]:
    """Bidders of ``mix`` (strategy name, count), on test accounts from ``first_account``, each with a
    synergy valuation over ``rollups`` drawn from ``seed``."""
    rng = random.Random(seed)
    made, index = [], first_account
    for name, count in mix:
        for k in range(count):
            valuation = SynergyValuation.random(rng, rollups, interest_size=(2, 3))
            made.append(Seat(f"{name}-{k}", REGISTRY[name](), local_account(index), valuation))
            index += 1
    return made


def wait_for(condition: Callable[[], bool], timeout: float, what: str, poll: float = 0.02) -> None:
    """Poll ``condition`` every ``poll`` seconds until true; RoundCheckFailed after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RoundCheckFailed(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(poll)


def reached(block: int) -> Callable[[], bool]:
    """Whether the next transaction lands in ``block`` or later."""
    return lambda: int(chain.blocks.height) + 1 >= block


@dataclass
class Bidders:
    """Sends the seats' commits and reveals round after round (rounds overlap: r's reveals go out with
    r + 1's commits), waiting for the chain's blocks; ``paused``, if given, is set during each burst (the
    soak's pacer then mines no idle blocks)."""

    client: SealedBidClient
    seats: list[Seat]
    seed: int
    phase_blocks: int
    paused: threading.Event | None = None
    transactions: int = 0
    sent: dict[str, int] = field(default_factory=dict)
    refusals: dict[str, int] = field(default_factory=dict)
    own: dict[tuple[str, int], list[tuple[OwnCommit, SealedBid]]] = field(default_factory=dict)
    commitments: dict[int, list[Commit]] = field(default_factory=dict)
    revealed: dict[int, list[Bid]] = field(default_factory=dict)
    openings: dict[int, list[Opening]] = field(default_factory=dict)

    def play(self, rounds: int, say: Callable[[str], None], first: int = 0, every: int = 10) -> None:
        """Bid in rounds ``first`` .. ``first + rounds - 1``; ``say`` a line every ``every`` rounds."""
        schedule = self.client.schedule
        for r in range(first, first + rounds + 1):
            # The soak's blocks come every few hundredths of a second; a person's chain, every 2 s at most.
            poll = 0.02 if self.paused is not None else 0.2
            wait_for(reached(schedule.round_start(r)), 600, f"round {r}", poll)
            if self.paused is not None:
                self.paused.set()  # the burst's own transactions make its blocks
            if r < first + rounds:
                self._step(r, Step.COMMIT)
            if r > first:
                self._step(r - 1, Step.REVEAL)
            if self.paused is not None:
                self.paused.clear()
            if r > first:
                phase = schedule.phase_at(r - 1, int(chain.blocks.height) + 1)
                if phase != Phase.REVEAL:
                    raise RoundCheckFailed(
                        f"round {r - 1}'s reveals overran the phase ({self.sent} bidder transactions so "
                        f"far): give the market phases longer than {self.phase_blocks} blocks"
                    )
            if r < first + rounds and (r - first) % every == 0:
                say(f"round {r} open: commits sent; {self.transactions} bidder transactions so far")

    def _view(self, seat: Seat, round_: int, timing: Timing) -> View:
        own = self.own.get((seat.label, round_), [])
        return View(
            mechanism=Mechanism.SEALED,
            market=self.client.address,
            round=round_,
            timing=timing,
            reserves=self._reserves,
            split_rule=self._split,
            identities=(str(seat.account.address),),
            valuation=seat.valuation,
            rng=random.Random(f"{self.seed}/{round_}/{seat.label}"),
            payment_rule=self._payment_rule,
            min_lock=self._min_lock,
            max_commits=self._max_commits,
            commitments=tuple(self.commitments.get(round_, ())),
            own_commits=tuple(c for c, _ in own),
            revealed=tuple(self.revealed.get(round_, ())),
            openings=tuple(self.openings.get(round_, ())),
        )

    def __post_init__(self) -> None:
        self._reserves = self.client.reserves(0)
        self._split = self.client.split_rule
        self._min_lock = self.client.min_lock
        self._max_commits = self.client.max_commits_per_bidder
        self._payment_rule = self.client.payment_rule

    def _step(self, round_: int, step: Step) -> None:
        for timing in (Timing.ON_TIME, Timing.LAST_BLOCK):
            for seat in self.seats:
                for action in seat.strategy.act(step, self._view(seat, round_, timing)):
                    if action.timing == timing:
                        self._send(seat, round_, action)

    def _send(self, seat: Seat, round_: int, action: Action) -> None:
        client, account = self.client, seat.account
        self.transactions += 1
        self.sent[action.act.value] = self.sent.get(action.act.value, 0) + 1
        try:
            if action.act == Act.COMMIT:
                sealed = client.seal(account, round_, action.bundle, action.amount, action.lock)
                client.commit(account, sealed, value=self._top_up(account, action.lock))
                own = OwnCommit(0, action.bundle, action.amount, action.lock, sealed.salt, sealed.commitment)
                self.own.setdefault((seat.label, round_), []).append((own, sealed))
                self.commitments.setdefault(round_, []).append(
                    Commit(str(account.address), sealed.commitment, action.lock)
                )
            elif action.act == Act.COMMIT_HASH:
                copy = SealedBid(round_, str(account.address), 0, 0, action.lock, b"", action.commitment)
                client.commit(account, copy, value=self._top_up(account, action.lock))
                self.commitments.setdefault(round_, []).append(
                    Commit(str(account.address), action.commitment, action.lock)
                )
            elif action.act == Act.REVEAL:
                own, opened = self.own[(seat.label, round_)][action.ref]
                client.reveal(account, opened)
                self.revealed.setdefault(round_, []).append(Bid(str(account.address), own.bundle, own.amount))
                self.openings.setdefault(round_, []).append(
                    Opening(str(account.address), own.bundle, own.amount, own.salt)
                )
            elif action.act == Act.REVEAL_RAW:
                raw = SealedBid(
                    round_, str(account.address), action.bundle, action.amount, 0, action.salt, b""
                )
                client.reveal(account, raw)
            else:
                self.transactions -= 1  # not a bidder's action here
        except ContractLogicError as err:
            name = decode_revert(err).name
            self.refusals[name] = self.refusals.get(name, 0) + 1
        except ApeException as err:
            name = type(err).__name__
            self.refusals[name] = self.refusals.get(name, 0) + 1

    def _top_up(self, account: AccountAPI, lock: int) -> int:
        total, locked = self.client.collateral(str(account.address))
        return max(0, lock - (total - locked))

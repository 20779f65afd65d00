"""The strategy interface: how a participant acts in a round, as a pure function of what the round shows it.

A strategy answers, at each step of a round, with the actions it wants sent (`Action`); the arena
(seqmarket.rounds.arena) carries them out from the participant's chain identities and records what the
market did with each one. Nothing here touches a chain. The arena asks once per timing slot of a step
(one block early, on time, the phase's last block, one block late), each time with what the chain shows
then, and sends the actions whose `timing` is that slot; `view.rng` is the same at every ask of a round,
so a strategy may simply return all of a step's actions every time.

Writing a strategy takes one class in one file:

    @register
    class Timid(Strategy):
        name = "timid"
        role = Role.BIDDER
        description = "bids half its values, reveals everything"

        def act(self, step: Step, view: View) -> list[Action]:
            if step == Step.REVEAL:
                return reveal_all(view)
            if step != Step.COMMIT:
                return []
            plans = HonestBidder("timid", view.valuation, shading=0.5).plan(view.rng, view.min_lock)
            return [Action.bid(p.bundle, p.amount, p.lock) for p in plans]

`view` holds everything a participant could read from the chain at that step, plus its own valuation and
past actions; see `View`. Register it and `ape run arena --bidder timid:2` runs it.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar, TypeVar

from seqmarket.agents.valuation import SynergyValuation
from seqmarket.clearing import Bid
from seqmarket.protocol.pricing import PriceCurve
from seqmarket.protocol.rules import PaymentRule, SplitRule


class Mechanism(StrEnum):
    """Which market a round belongs to."""

    SEALED = "sealed"
    LOTTERY = "lottery"


class Role(StrEnum):
    """What a participant is: a sequencer bidding, a rollup acting as a bidder, the operator, a keeper."""

    BIDDER = "bidder"
    ROLLUP = "rollup"
    OPERATOR = "operator"
    KEEPER = "keeper"


class Step(StrEnum):
    """When a strategy is asked to act (sealed: commit, reveal, challenge; lottery: sale, challenge, draw)."""

    COMMIT = "commit"
    REVEAL = "reveal"
    SALE = "sale"
    CHALLENGE = "challenge"
    DRAW = "draw"
    SETTLE = "settle"  # after the round settled: withdrawals


class Timing(StrEnum):
    """When inside (or around) the step's phase an action is sent."""

    ON_TIME = "on time"  # the first blocks of the phase
    LAST_BLOCK = "last block"  # the phase's last block, after everyone acting on time
    EARLY = "one block early"  # the block before the phase opens
    LATE = "one block late"  # the block after the phase closes


class Act(StrEnum):
    """What an action does (each maps to one market transaction)."""

    COMMIT = "commit"  # seal a bid (bundle, amount, lock) and commit it; the arena keeps the salt
    COMMIT_HASH = "commit hash"  # commit a given hash (someone else's, an old one) with a lock
    REVEAL = "reveal"  # open the participant's own commit number `ref` of this round
    REVEAL_RAW = "reveal raw"  # send an opening (bundle, amount, salt) it did not make this round
    PROPOSE = "propose"  # propose a partition (`bundles`)
    CLAIM = "claim"  # claim W(-bidder) with a partition (`bundles`)
    BUY = "buy"  # buy `count` tickets of `bundle`
    DRAW = "draw"  # call the lottery's draw (at `block_offset` into the window)
    DRAW_IF_WINNING = "draw if winning"  # a proposer's draw: only in a block whose seed makes it win
    WITHDRAW = "withdraw"  # withdraw credit (to `to`, or to itself)
    REENTER = "reenter"  # deposit `amount` through a contract that re-enters the withdrawal paying it


@dataclass(frozen=True)
class Action:
    """One transaction a strategy wants sent; fields unused by its `act` stay at their defaults."""

    act: Act
    identity: int = 0  # which of the participant's identities sends it
    timing: Timing = Timing.ON_TIME
    bundle: int = 0
    amount: int = 0
    lock: int = 0
    ref: int = 0
    count: int = 0
    bidder: str = ""
    bundles: tuple[int, ...] = ()
    commitment: bytes = b""
    salt: bytes = b""
    block_offset: int = 0  # DRAW: blocks into the draw window
    to: str = ""  # WITHDRAW: pay this address instead of the sender

    @classmethod
    def bid(
        cls, bundle: int, amount: int, lock: int, identity: int = 0, timing: Timing = Timing.ON_TIME
    ) -> Action:
        return cls(Act.COMMIT, identity=identity, timing=timing, bundle=bundle, amount=amount, lock=lock)

    @classmethod
    def open(cls, ref: int, identity: int = 0, timing: Timing = Timing.ON_TIME) -> Action:
        return cls(Act.REVEAL, identity=identity, timing=timing, ref=ref)


@dataclass(frozen=True)
class Commit:
    """A commitment seen on chain in the round (anyone's): who, the hash, the public lock."""

    bidder: str
    commitment: bytes
    lock: int


@dataclass(frozen=True)
class OwnCommit:
    """One of the participant's own commits this round, as it sealed it."""

    identity: int
    bundle: int
    amount: int
    lock: int
    salt: bytes
    commitment: bytes


@dataclass(frozen=True)
class Opening:
    """An opening seen in the round (a reveal's calldata is public): who sent it and what it opened."""

    bidder: str
    bundle: int
    amount: int
    salt: bytes


@dataclass(frozen=True)
class View:
    """What a participant knows when asked to act: the market's rules, the round so far, and itself."""

    mechanism: Mechanism
    market: str  # the market contract's address
    round: int
    timing: Timing  # the slot being filled: only actions with this timing are sent now
    reserves: tuple[int, ...]
    split_rule: SplitRule
    identities: tuple[str, ...]  # its own addresses, identity 0 first
    valuation: SynergyValuation
    rng: random.Random
    payment_rule: PaymentRule = PaymentRule.FIRST_PRICE
    min_lock: int = 0
    max_commits: int = 0
    commitments: tuple[Commit, ...] = ()  # everyone's this round, in commit order
    own_commits: tuple[OwnCommit, ...] = ()
    revealed: tuple[Bid, ...] = ()  # bids opened so far this round (everyone's)
    openings: tuple[Opening, ...] = ()  # the same, with their salts (from the reveals' calldata)
    earlier_openings: tuple[OwnCommit, ...] = ()  # its own openings of earlier rounds
    standing: tuple[tuple[int, ...], int] = ((), 0)  # the partition standing (listed bundles, value)
    bids: tuple[Bid, ...] = ()  # CHALLENGE: the bids the market keeps (best two per bundle)
    claims: Mapping[str, int] = field(default_factory=dict)  # CHALLENGE (VCG): standing W(-i) claims
    stale_partition: tuple[int, ...] = ()  # the previous round's final partition
    curve: PriceCurve | None = None  # LOTTERY
    base_prices: Mapping[int, int] = field(default_factory=dict)  # LOTTERY: bundle -> base price now
    sold: Mapping[int, int] = field(default_factory=dict)  # LOTTERY: bundle -> tickets sold so far
    draw_window: int = 0  # LOTTERY

    @property
    def n(self) -> int:
        return len(self.reserves)


class Strategy(ABC):
    """A participant's way of acting. Subclasses set `name`, `role`, `description` and implement `act`.

    ``identities`` is how many chain accounts the participant uses (a sybil uses several); ``mechanisms``
    the markets it knows how to play. ``honest`` marks the strategies the arena's counterfactual uses.
    """

    name: ClassVar[str]
    role: ClassVar[Role] = Role.BIDDER
    description: ClassVar[str]
    identities: ClassVar[int] = 1
    mechanisms: ClassVar[tuple[Mechanism, ...]] = (Mechanism.SEALED,)
    honest: ClassVar[bool] = False
    #: A proposer controls the blocks of the lottery's draw window: it sees each block's seed first and
    #: decides which draws (its own and others') the block includes.
    proposer: ClassVar[bool] = False
    #: Who acts first within a timing slot (lower first); None: by role (operators, bidders, keepers).
    order: ClassVar[int | None] = None

    @abstractmethod
    def act(self, step: Step, view: View) -> list[Action]:
        """The actions to send at ``step`` (empty: do nothing)."""

    def __repr__(self) -> str:
        return f"<{self.name}>"


S = TypeVar("S", bound=type[Strategy])

#: Every registered strategy by name; the arena's --bidder/--rollup/--operator/--keeper look names up here.
REGISTRY: dict[str, type[Strategy]] = {}


def register(cls: S) -> S:
    """Class decorator: make a strategy available by its ``name``."""
    if cls.name in REGISTRY:
        raise ValueError(f"two strategies are named {cls.name!r}")
    REGISTRY[cls.name] = cls
    return cls


def strategies(role: Role | None = None, mechanism: Mechanism | None = None) -> list[type[Strategy]]:
    """Registered strategies, optionally of one role and for one mechanism, by name."""
    found = [
        cls
        for cls in REGISTRY.values()
        if (role is None or cls.role == role) and (mechanism is None or mechanism in cls.mechanisms)
    ]
    return sorted(found, key=lambda cls: cls.name)


def reveal_all(view: View, timing: Timing = Timing.ON_TIME) -> list[Action]:
    """Open every commit of this round (what an honest bidder does)."""
    return [Action.open(k, identity=c.identity, timing=timing) for k, c in enumerate(view.own_commits)]

"""What the operator still has to do for one round, decided from what the chain shows: pure and idempotent.

The planner never remembers what it sent. It looks at the round as the chain holds it now (the standing
partition, the W(-i) claims, finalized or not, who was released) and lists the actions whose effect is
missing. An action that landed changes the chain, so the next plan leaves it out; one that was lost (a
crash, an outage) is still missing, so it is planned again. Together with the store's intents (a sent
transaction is never sent twice: see service.py) this is what makes a restart at any point safe.

Rounds move through ``Stage``: WAITING (bids still coming), CHALLENGE (clear, propose, claim), SETTLING
(finalize, release, distribute forfeits; for the lottery draw, then finalize) and DONE (nothing left), or
SKIPPED (nobody bid: nothing to settle). The verifier mode (``Mode.WATCH``) only corrects others: it
proposes when someone's proposal is worse than the optimum and raises understated W(-i) claims; it
never proposes first and never settles.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from seqmarket.clearing import Bid, Instance, clear
from seqmarket.clearing.vcg import vcg
from seqmarket.protocol.ranking import Rank
from seqmarket.protocol.schedule import Phase


class Mode(StrEnum):
    """How the service acts: the operator settles everything, the watcher only corrects others."""

    OPERATE = "operate"
    WATCH = "watch"


class ActionKind(StrEnum):
    """One market transaction the service sends (each is an existing contract function)."""

    PROPOSE = "propose"  # propose(round, bundles)
    CLAIM = "claim"  # claimCounterfactual(round, bidder, bundles)
    FINALIZE = "finalize"  # finalize(round)
    RELEASE = "release"  # release(round, bidder)
    DISTRIBUTE = "distribute"  # distributeForfeits(round)
    DRAW = "draw"  # draw(round): the seed inside the window, or a re-arm (void) after a missed one


class Stage(StrEnum):
    """Where a round stands for the service."""

    WAITING = "waiting"
    CHALLENGE = "challenge"
    SETTLING = "settling"
    DONE = "done"
    SKIPPED = "skipped"

    @property
    def finished(self) -> bool:
        return self in (Stage.DONE, Stage.SKIPPED)


@dataclass(frozen=True)
class Action:
    """A transaction to send; ``key`` names what it achieves, so one effect is never sent twice."""

    kind: ActionKind
    round: int
    bundles: tuple[int, ...] = ()
    bidder: str = ""
    #: PROPOSE: the partition's value; CLAIM: the W(-i) claimed.
    value: int = 0
    #: PROPOSE: whether it replaces a partition someone proposed (a challenge), for the counters.
    replaces: bool = False
    #: DRAW: the draw target it was planned for (a re-arm moves it, and is a new action).
    target: int = 0

    @property
    def key(self) -> str:
        """What the action achieves, once per round: ``round/kind[/bidder or target]``."""
        suffix = self.bidder or (str(self.target) if self.kind is ActionKind.DRAW else "")
        return f"{self.round}/{self.kind.value}" + (f"/{suffix}" if suffix else "")

    def document(self) -> dict[str, Any]:
        """The action as the store and the logs keep it."""
        return {
            "kind": self.kind.value,
            "round": self.round,
            "bundles": list(self.bundles),
            "bidder": self.bidder,
            "value": str(self.value),
            "replaces": self.replaces,
            "target": self.target,
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> Action:
        return cls(
            ActionKind(document["kind"]),
            int(document["round"]),
            tuple(int(b) for b in document["bundles"]),
            str(document["bidder"]),
            int(document["value"]),
            bool(document["replaces"]),
            int(document["target"]),
        )


@dataclass(frozen=True)
class Counterfactual:
    """A winner's W(-i) and the partition without its bids that proves it."""

    bidder: str
    value: int
    bundles: tuple[int, ...]


@dataclass(frozen=True)
class Solution:
    """A round's exact clearing (and, under VCG, every winner's W(-i) from the same computation)."""

    bundles: tuple[int, ...]
    value: int
    counterfactuals: tuple[Counterfactual, ...] = ()
    solve_seconds: float = 0.0

    @property
    def rank(self) -> Rank:
        return Rank.of(self.bundles, self.value)

    def document(self) -> dict[str, Any]:
        return {
            "bundles": list(self.bundles),
            "value": str(self.value),
            "counterfactuals": [
                {"bidder": c.bidder, "value": str(c.value), "bundles": list(c.bundles)}
                for c in self.counterfactuals
            ],
            "solve_seconds": self.solve_seconds,
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> Solution:
        return cls(
            tuple(int(b) for b in document["bundles"]),
            int(document["value"]),
            tuple(
                Counterfactual(str(c["bidder"]), int(c["value"]), tuple(int(b) for b in c["bundles"]))
                for c in document["counterfactuals"]
            ),
            float(document["solve_seconds"]),
        )


def solve(
    reserves: Sequence[int], bids: Sequence[Bid], with_counterfactuals: bool, time_limit: float | None = None
) -> Solution:
    """Clear a round exactly; with ``with_counterfactuals`` (VCG markets) also every winner's W(-i), through
    ``vcg`` (one computation for all winners, reusing the round's own solve). ``time_limit`` bounds each
    solve (ClearingTimeout past it)."""
    started = time.perf_counter()
    if with_counterfactuals:
        outcome = vcg(reserves, bids, time_limit=time_limit)
        clearing = outcome.clearing
        counterfactuals = tuple(
            Counterfactual(p.bidder, p.welfare_without, tuple(p.counterfactual)) for p in outcome.payments
        )
    else:
        clearing = clear(Instance.from_bids(reserves, bids), time_limit=time_limit)
        counterfactuals = ()
    return Solution(clearing.bundles, clearing.value, counterfactuals, time.perf_counter() - started)


def solve_instance(instance: Instance, time_limit: float | None = None) -> Solution:
    """Clear a round given as an instance (the lottery's: ticket revenue per bundle)."""
    started = time.perf_counter()
    clearing = clear(instance, time_limit=time_limit)
    return Solution(clearing.bundles, clearing.value, (), time.perf_counter() - started)


@dataclass(frozen=True)
class SealedRound:
    """A sealed-bid round as the chain shows it at ``next_block`` (where the next transaction lands)."""

    round: int
    phase: Phase
    next_block: int
    #: The first block at which the round can no longer be finalized.
    deadline: int
    #: Everyone who committed in the round (read once the commit phase is over).
    bidders: tuple[str, ...] = ()
    #: Whether any bid was revealed (a round without one has nothing to clear).
    revealed: bool = False
    standing: tuple[tuple[int, ...], int] = ((), 0)
    #: Whether someone proposed a partition (else the standing one is the singletons').
    proposed: bool = False
    vcg: bool = False
    #: The standing W(-i) claim of each bidder someone claimed for (0: none).
    claims: Mapping[str, int] = field(default_factory=dict)
    finalized: bool = False
    released: frozenset[str] = frozenset()
    #: Forfeited locks released but not yet distributed to the rollups.
    forfeits: int = 0

    @property
    def lapsed(self) -> bool:
        return not self.finalized and self.next_block >= self.deadline


@dataclass(frozen=True)
class LotteryRound:
    """A lottery round as the chain shows it at ``next_block``."""

    round: int
    phase: Phase
    next_block: int
    #: Whether any ticket was sold.
    sold: bool = False
    standing: tuple[tuple[int, ...], int] = ((), 0)
    proposed: bool = False
    draw_target: int = 0
    draw_window: int = 0
    drawn: bool = False
    voided: bool = False
    finalized: bool = False


@dataclass(frozen=True)
class Plan:
    """What a round needs now: its stage, the actions missing, and whether its clearing must be computed
    first (the round's bids are final: reveals closed)."""

    stage: Stage
    actions: tuple[Action, ...] = ()
    needs_solution: bool = False


def _challenge(
    round_: int,
    standing: tuple[tuple[int, ...], int],
    proposed: bool,
    solution: Solution,
    claims: Mapping[str, int],
    mode: Mode,
) -> list[Action]:
    """Propose the optimum if it outranks the standing partition (the watcher: only when someone proposed a
    worse one); claim every W(-i) above its standing claim (the watcher: only understated existing ones)."""
    actions = []
    if solution.rank.outranks(Rank.of(*standing)) and (mode is Mode.OPERATE or proposed):
        actions.append(
            Action(ActionKind.PROPOSE, round_, solution.bundles, value=solution.value, replaces=proposed)
        )
    for c in solution.counterfactuals:
        held = claims.get(c.bidder, 0)
        if c.value > held and (mode is Mode.OPERATE or held > 0):
            actions.append(Action(ActionKind.CLAIM, round_, c.bundles, bidder=c.bidder, value=c.value))
    return actions


def plan_sealed(view: SealedRound, solution: Solution | None, mode: Mode = Mode.OPERATE) -> Plan:
    """The missing actions of a sealed-bid round."""
    if view.phase in (Phase.NOT_OPEN, Phase.COMMIT, Phase.REVEAL):
        return Plan(Stage.WAITING)
    if not view.bidders:
        return Plan(Stage.SKIPPED)
    if view.phase is Phase.CHALLENGE:
        if not view.revealed:
            return Plan(Stage.CHALLENGE)  # nothing to clear; the round settles (or lapses) without a proposal
        if solution is None:
            return Plan(Stage.CHALLENGE, needs_solution=True)
        claims = view.claims if view.vcg else {}
        chosen = solution if view.vcg else Solution(solution.bundles, solution.value)
        return Plan(
            Stage.CHALLENGE, tuple(_challenge(view.round, view.standing, view.proposed, chosen, claims, mode))
        )
    if mode is Mode.WATCH:
        return Plan(Stage.DONE)
    if not view.finalized and not view.lapsed:
        return Plan(Stage.SETTLING, (Action(ActionKind.FINALIZE, view.round),))
    actions = [
        Action(ActionKind.RELEASE, view.round, bidder=bidder)
        for bidder in view.bidders
        if bidder not in view.released
    ]
    if not actions and view.forfeits:
        actions.append(Action(ActionKind.DISTRIBUTE, view.round))
    return Plan(Stage.SETTLING if actions else Stage.DONE, tuple(actions))


def plan_lottery(view: LotteryRound, solution: Solution | None, mode: Mode = Mode.OPERATE) -> Plan:
    """The missing actions of a lottery round: propose in the challenge phase, draw inside the window (or
    re-arm a missed one: the call after the window does that, or voids the round after the last re-arm),
    finalize once drawn or voided."""
    if view.phase in (Phase.NOT_OPEN, Phase.COMMIT):
        return Plan(Stage.WAITING)
    if not view.sold:
        return Plan(Stage.SKIPPED)
    if view.phase is Phase.CHALLENGE:
        if solution is None:
            return Plan(Stage.CHALLENGE, needs_solution=True)
        partition = Solution(solution.bundles, solution.value)  # the lottery has no W(-i) claims
        return Plan(
            Stage.CHALLENGE, tuple(_challenge(view.round, view.standing, view.proposed, partition, {}, mode))
        )
    if mode is Mode.WATCH or view.finalized:
        return Plan(Stage.DONE)
    if view.drawn or view.voided:
        return Plan(Stage.SETTLING, (Action(ActionKind.FINALIZE, view.round),))
    if view.next_block < view.draw_target:
        return Plan(Stage.SETTLING)
    return Plan(Stage.SETTLING, (Action(ActionKind.DRAW, view.round, target=view.draw_target),))

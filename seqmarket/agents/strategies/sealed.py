"""Sealed-bid bidders: the honest ones, and the attacks the market must withstand.

Each class is one way to bid; the arena runs them side by side and measures who gained what. The
attacks are the outside review's and the ones ENS, auction-zoo and Timeboost met: a last look bought with
a ladder of commitments, walking away from a winning bid, copying or replaying commitments, probing the
locks and the phase edges, spamming commitments, false names under VCG, and a ring rotating its winner.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from seqmarket.agents.honest import HonestBidder, PlannedBid
from seqmarket.agents.strategies.base import (
    Act,
    Action,
    Mechanism,
    Role,
    Step,
    Strategy,
    Timing,
    View,
    register,
    reveal_all,
)
from seqmarket.clearing import rollups_of
from seqmarket.protocol.rules import PaymentRule

#: A lock no participant can back (the arena funds identities with far less).
OVER_BUDGET = 10**30


def honest_plans(view: View, shading: float | None = None, max_bids: int = 4) -> list[PlannedBid]:
    """What an honest bidder seals: truthful under VCG, shaded 10% under first price (unless told)."""
    if shading is None:
        shading = 0.0 if view.payment_rule == PaymentRule.VCG else 0.1
    return HonestBidder("honest", view.valuation, shading=shading, max_bids=max_bids).plan(
        view.rng, view.min_lock
    )


def best_rival(view: View, bundle: int) -> int:
    """The highest bid revealed so far on exactly ``bundle`` by anyone but this participant."""
    own = set(view.identities)
    return max((b.amount for b in view.revealed if b.bundle == bundle and b.bidder not in own), default=0)


@register
class Honest(Strategy):
    """Follows the protocol: truthful under VCG, shaded 10% under first price; opens every commitment."""

    name = "honest"
    description = "bids its values (shaded 10% under first price) and reveals everything"
    honest = True

    def act(self, step: Step, view: View) -> list[Action]:
        if step == Step.COMMIT:
            return [Action.bid(p.bundle, p.amount, p.lock) for p in honest_plans(view)]
        return reveal_all(view) if step == Step.REVEAL else []


@register
class Shaded(Strategy):
    """Honest, but shades every bid by a fixed 30% (a first-price bidder's guess at its rivals)."""

    name = "shaded"
    description = "bids 70% of its values and reveals everything"
    shading: ClassVar[float] = 0.3

    def act(self, step: Step, view: View) -> list[Action]:
        if step == Step.COMMIT:
            return [Action.bid(p.bundle, p.amount, p.lock) for p in honest_plans(view, self.shading)]
        return reveal_all(view) if step == Step.REVEAL else []


@register
class Ladder(Strategy):
    """Last look bought with commitments: seals k rungs on its best bundle (from 60% up to its value), waits
    for every rival's reveal in the phase's last block, and opens only the cheapest rung still winning."""

    name = "ladder"
    description = "commits k rungs, opens the cheapest that beats the revealed rivals (last look)"
    rungs: ClassVar[int] = 6

    def act(self, step: Step, view: View) -> list[Action]:
        if step == Step.COMMIT:
            best = max(honest_plans(view, 0.0), key=lambda p: p.amount)
            low = best.amount * 6 // 10
            amounts = [low + (best.amount - low) * k // (self.rungs - 1) for k in range(self.rungs)]
            return [Action.bid(best.bundle, a, max(a, view.min_lock)) for a in amounts]
        if step != Step.REVEAL or not view.own_commits:
            return []
        bundle = view.own_commits[0].bundle
        rival = best_rival(view, bundle)
        winning = [k for k, c in enumerate(view.own_commits) if c.amount > rival]
        if not winning:
            return []  # nothing wins: open nothing (every lock is forfeited)
        cheapest = min(winning, key=lambda k: view.own_commits[k].amount)
        return [Action.open(cheapest, timing=Timing.LAST_BLOCK)]


@register
class WalkAway(Strategy):
    """Bids honestly, then leaves its largest bid unopened: the free exit the old flat penalty sold cheap."""

    name = "walk-away"
    description = "bids honestly but never opens its largest bid"

    def act(self, step: Step, view: View) -> list[Action]:
        if step == Step.COMMIT:
            return [Action.bid(p.bundle, p.amount, p.lock) for p in honest_plans(view)]
        if step != Step.REVEAL or not view.own_commits:
            return []
        largest = max(range(len(view.own_commits)), key=lambda k: view.own_commits[k].amount)
        return [a for a in reveal_all(view) if a.ref != largest]


@register
class Copycat(Strategy):
    """Front-runs commitments: re-posts every rival commitment it sees (in the phase's last block), hoping to
    open them later or to tie; it cannot, since a commitment binds its bidder."""

    name = "copycat"
    description = "copies rivals' commitments and tries to open rivals' openings as its own"

    def act(self, step: Step, view: View) -> list[Action]:
        own = set(view.identities)
        if step == Step.COMMIT:
            return [
                Action(Act.COMMIT_HASH, commitment=c.commitment, lock=view.min_lock, timing=Timing.LAST_BLOCK)
                for c in view.commitments
                if c.bidder not in own
            ][: max(view.max_commits, 0)]
        if step == Step.REVEAL:
            # Sends each rival opening seen so far (salt read from its calldata) as its own: the hash binds
            # the rival, so none opens.
            return [
                Action(
                    Act.REVEAL_RAW, bundle=o.bundle, amount=o.amount, salt=o.salt, timing=Timing.LAST_BLOCK
                )
                for o in view.openings
                if o.bidder not in own
            ]
        return []


@register
class Replayer(Strategy):
    """Replays its own openings of earlier rounds into this round, and re-commits an old commitment:
    commitments bind chain, market and round, so every replayed opening is refused and the re-committed
    hash forfeits its lock; it also bids honestly so it stays in the market. (The arena plays one market;
    replay into another market is tests/chain/test_commit_reveal.py's.)"""

    name = "replay"
    description = "re-sends earlier rounds' openings and commitments (cross-round replay)"

    def act(self, step: Step, view: View) -> list[Action]:
        if step == Step.COMMIT:
            plans = [Action.bid(p.bundle, p.amount, p.lock) for p in honest_plans(view)]
            replays = [
                Action(Act.COMMIT_HASH, commitment=old.commitment, lock=view.min_lock)
                for old in view.earlier_openings[:1]
            ]
            return plans + replays
        if step == Step.REVEAL:
            replays = [
                Action(Act.REVEAL_RAW, bundle=o.bundle, amount=o.amount, salt=o.salt)
                for o in view.earlier_openings
            ]
            return replays + reveal_all(view)
        return []


@register
class OverLockProber(Strategy):
    """Probes the collateral rules: locks more than it holds, a lock past 2**128, a bid above its lock, a
    lock below the minimum; then bids honestly. Every probe must fail with its named error."""

    name = "over-lock"
    description = (
        "commits locks beyond its collateral, past 2**128 and below the minimum; opens a bid above its lock"
    )

    def act(self, step: Step, view: View) -> list[Action]:
        if step == Step.COMMIT:
            plans = honest_plans(view, max_bids=2)
            first = plans[0]
            probes = [
                Action.bid(first.bundle, first.amount, 2**128),  # LockTooLarge
                Action.bid(
                    first.bundle, first.amount, OVER_BUDGET
                ),  # more than it holds: InsufficientUnlocked
                Action.bid(first.bundle, first.amount, max(view.min_lock - 1, 0)),  # LockBelowMinimum
                Action.bid(
                    first.bundle, first.amount + 1, max(first.amount, view.min_lock)
                ),  # opens BidExceedsLock
            ]
            return probes + [Action.bid(p.bundle, p.amount, p.lock) for p in plans[1:]]
        if step == Step.REVEAL:
            return reveal_all(view)
        return []


@register
class PhaseEdge(Strategy):
    """Acts one block outside each phase: commits one bid a block before the commit phase opens and one a
    block after it closes, opens a bid in the commit phase's last block (a block before the reveal phase)
    and leaves another to open a block after the reveal phase. Every such call must fail (WrongPhase); the
    bid left for the late reveal forfeits its lock."""

    name = "phase-edge"
    description = "commits and reveals one block before and after each phase"

    def act(self, step: Step, view: View) -> list[Action]:
        if step == Step.COMMIT:
            plans = honest_plans(view, max_bids=3)
            early = [Action.bid(p.bundle, p.amount, p.lock, timing=Timing.EARLY) for p in plans[:1]]
            late = [Action.bid(p.bundle, p.amount, p.lock, timing=Timing.LATE) for p in plans[1:2]]
            too_soon = [Action.open(0, timing=Timing.LAST_BLOCK)] if view.own_commits else []
            return early + late + too_soon + [Action.bid(p.bundle, p.amount, p.lock) for p in plans]
        if step == Step.REVEAL:
            opens = reveal_all(view)
            if len(opens) < 2:
                return opens
            return [*opens[:-1], replace(opens[-1], timing=Timing.LATE)]
        return []


@register
class Spammer(Strategy):
    """Fills its commit cap with dust (the minimum lock) and decoys it opens at zero, then one commit past the
    cap: each costs it gas and a lock, and the cap holds."""

    name = "spam"
    description = "commits dust and decoys up to the per-bidder cap, and one more"

    def act(self, step: Step, view: View) -> list[Action]:
        if step == Step.COMMIT:
            bundle = 1 << view.rng.randrange(view.n)
            return [Action.bid(bundle, 0, view.min_lock) for _ in range(view.max_commits + 1)]
        return reveal_all(view) if step == Step.REVEAL else []


@register
class Sybil(Strategy):
    """False names under VCG: wants its whole interest as one bundle, but bids for each rollup alone from a
    separate identity, hoping each pays nothing (the review's 70 + 70 against a rival's 60)."""

    name = "sybil"
    description = "splits its bundle into singleton bids from several identities"
    identities = 3
    mechanisms = (Mechanism.SEALED,)

    def act(self, step: Step, view: View) -> list[Action]:
        if step == Step.COMMIT:
            members = rollups_of(view.valuation.interest)[: self.identities]
            whole = view.valuation.value(view.valuation.interest)
            share = whole // max(len(members), 1)
            return [
                Action.bid(1 << r, share, max(share, view.min_lock), identity=k)
                for k, r in enumerate(members)
            ]
        return reveal_all(view) if step == Step.REVEAL else []


@register
class Ring(Strategy):
    """A collusion ring of three identities sharing one valuation: each round one member bids (low) and the
    others stay out, rotating, so the ring never bids against itself."""

    name = "ring"
    description = "three colluding identities take turns; only one bids, at 60% of its values"
    identities = 3

    def act(self, step: Step, view: View) -> list[Action]:
        turn = view.round % self.identities
        if step == Step.COMMIT:
            return [Action.bid(p.bundle, p.amount, p.lock, identity=turn) for p in honest_plans(view, 0.4)]
        return reveal_all(view) if step == Step.REVEAL else []


@register
class ShillRollup(Strategy):
    """A rollup bidding on itself: in the reveal phase's last block, after seeing the bundle bids, it opens
    the highest of a ladder of singleton bids on its own rollup that still loses, to raise its weight in the
    singleton-values split or (under VCG) the winners' prices. Its rollup is the first of its interest."""

    name = "shill"
    role = Role.ROLLUP
    description = "a rollup bids on itself to lift its share or the winners' prices (last look via a ladder)"
    rungs: ClassVar[int] = 4

    def act(self, step: Step, view: View) -> list[Action]:
        rollup = rollups_of(view.valuation.interest)[0]
        if step == Step.COMMIT:
            top = max(view.valuation.standalone[rollup] * 2, view.min_lock)
            amounts = [top * (k + 1) // self.rungs for k in range(self.rungs)]
            return [Action.bid(1 << rollup, a, max(a, view.min_lock)) for a in amounts]
        if step != Step.REVEAL:
            return []
        # Open the highest rung that keeps its own bid below every bundle containing it (so it loses).
        cover = [b.amount for b in view.revealed if b.bundle >> rollup & 1 and b.bundle != 1 << rollup]
        ceiling = min(cover) if cover else 0
        below = [k for k, c in enumerate(view.own_commits) if c.amount < ceiling]
        if not below:
            return []
        return [Action.open(max(below, key=lambda k: view.own_commits[k].amount), timing=Timing.LAST_BLOCK)]


@register
class Reentrant(Strategy):
    """Bids honestly; after each round deposits collateral through a contract whose receive hook withdraws
    again while the market pays it. The reentrancy guard must stop the second withdrawal."""

    name = "reentrant"
    description = "bids honestly, then withdraws collateral through a contract that re-enters the market"

    def act(self, step: Step, view: View) -> list[Action]:
        if step == Step.COMMIT:
            return [Action.bid(p.bundle, p.amount, p.lock) for p in honest_plans(view)]
        if step == Step.REVEAL:
            return reveal_all(view)
        if step == Step.SETTLE:
            return [Action(Act.REENTER, amount=max(view.min_lock, 1))]
        return []


@register
class RejectingPayout(Strategy):
    """A rollup that withdraws its credit to an address refusing ETH (here the market itself): the payment
    fails with TransferFailed, the credit stays owed, and no other payee is held up (pull payments)."""

    name = "rejecting-payout"
    role = Role.ROLLUP
    description = "a rollup withdraws to an address that rejects ETH"
    mechanisms = (Mechanism.SEALED, Mechanism.LOTTERY)

    def act(self, step: Step, view: View) -> list[Action]:
        return [Action(Act.WITHDRAW, to=view.market)] if step == Step.SETTLE else []

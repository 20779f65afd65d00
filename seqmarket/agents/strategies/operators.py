"""Operators and keepers: the honest clearing operator, the malicious ones it must survive, and keepers.

The operator has no power the market does not check: whatever it proposes is verified, and anyone may
replace it with a better partition or raise a W(-i) claim. The malicious operators below try every way a
proposal or claim can be wrong; a watcher (an honest keeper re-clearing the round) undoes them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

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
)
from seqmarket.clearing import Bid, Clearing, Instance, clear
from seqmarket.clearing.vcg import vcg
from seqmarket.protocol.ranking import Rank
from seqmarket.protocol.rules import PaymentRule


@dataclass(frozen=True)
class Operation:
    """What an honest operator does in a round's challenge phase: the optimal clearing, whether to propose
    it (it outranks the standing partition), and the W(-i) claims that beat the standing ones (VCG)."""

    clearing: Clearing
    propose: bool
    claims: tuple[tuple[str, int, tuple[int, ...]], ...]  # (winner, W(-i), partition without it)
    welfare_without: Mapping[str, int]  # W(-i) of every winner, claimed or not


def honest_operation(
    reserves: Sequence[int],
    bids: Sequence[Bid],
    standing: tuple[tuple[int, ...], int],
    payment_rule: PaymentRule,
    claims: Mapping[str, int],
) -> Operation:
    """Clear the round exactly (with every winner's W(-i) under VCG, from the same computation)."""
    if payment_rule == PaymentRule.VCG:
        outcome = vcg(reserves, bids)
        clearing = outcome.clearing
        without = {p.bidder: p.welfare_without for p in outcome.payments}
        raised = tuple(
            (p.bidder, p.welfare_without, p.counterfactual)
            for p in outcome.payments
            if p.welfare_without > claims.get(p.bidder, 0)
        )
    else:
        clearing = clear(Instance.from_bids(reserves, bids))
        without, raised = {}, ()
    proposed = Rank.of(clearing.bundles, clearing.value).outranks(Rank.of(*standing))
    return Operation(clearing, proposed, raised, without)


def _operation(view: View) -> Operation:
    return honest_operation(view.reserves, view.bids, view.standing, view.payment_rule, view.claims)


def _honest_actions(view: View) -> list[Action]:
    operation = _operation(view)
    actions = [Action(Act.PROPOSE, bundles=operation.clearing.bundles)] if operation.propose else []
    actions += [Action(Act.CLAIM, bidder=bidder, bundles=bundles) for bidder, _, bundles in operation.claims]
    return actions


@register
class HonestOperator(Strategy):
    """Clears the round exactly and proposes the optimum; under VCG claims every winner's W(-i)."""

    name = "honest-operator"
    role = Role.OPERATOR
    description = "proposes the optimal partition and claims every W(-i)"
    mechanisms = (Mechanism.SEALED, Mechanism.LOTTERY)
    honest = True

    def act(self, step: Step, view: View) -> list[Action]:
        if step == Step.DRAW:
            return [Action(Act.DRAW)]  # the window's first block
        return _honest_actions(view) if step == Step.CHALLENGE else []


@register
class Watcher(Strategy):
    """A keeper that trusts nobody: re-clears the round in the challenge phase's last block and replaces any
    worse partition, raises any understated W(-i) claim (what the honest operator would have done)."""

    name = "watcher"
    role = Role.KEEPER
    description = "re-clears every round and challenges worse proposals and understated claims"
    mechanisms = (Mechanism.SEALED, Mechanism.LOTTERY)
    honest = True

    def act(self, step: Step, view: View) -> list[Action]:
        if step == Step.DRAW:
            return [Action(Act.DRAW, block_offset=view.draw_window - 1)]  # if nobody drew before
        if step != Step.CHALLENGE:
            return []
        return [replace(action, timing=Timing.LAST_BLOCK) for action in _honest_actions(view)]


@register
class MaliciousOperator(Strategy):
    """Tries every wrong proposal: overlapping bundles, a rollup out of range, a listed singleton, a bundle
    without a bid, a stale partition from the previous round, then a valid but worse one (which stands
    unless someone challenges it); under VCG it claims understated W(-i) (the floor) for every winner."""

    name = "malicious-operator"
    role = Role.OPERATOR
    description = "proposes invalid, overlapping, stale and worse partitions; understates W(-i) claims"
    mechanisms = (Mechanism.SEALED, Mechanism.LOTTERY)

    def act(self, step: Step, view: View) -> list[Action]:
        if step != Step.CHALLENGE:
            return []
        operation = _operation(view)
        with_bid = sorted({b.bundle for b in view.bids if b.bundle & (b.bundle - 1)})
        wrong: list[tuple[int, ...]] = [
            (1 << view.n | 1 | 2,),  # a rollup out of range
            (1,),  # a singleton listed
            (0,),  # an empty bundle
        ]
        if len(with_bid) >= 2 and with_bid[0] & with_bid[1]:
            wrong.append((with_bid[0], with_bid[1]))  # overlapping
        missing = next((b for b in range(3, 1 << min(view.n, 8)) if b & (b - 1) and b not in with_bid), 0)
        if missing:
            wrong.append((missing,))  # no bid
        if view.stale_partition:
            wrong.append(view.stale_partition)  # last round's partition, probably invalid or worse here
        worse = self._worse(view, operation)
        actions = [Action(Act.PROPOSE, bundles=b) for b in wrong]
        if worse is not None:
            actions.append(Action(Act.PROPOSE, bundles=worse))
        if view.payment_rule == PaymentRule.VCG:
            # Understated claims: every rollup alone, valued without each winner.
            actions += [Action(Act.CLAIM, bidder=bidder, bundles=()) for bidder in operation.welfare_without]
        return actions

    @staticmethod
    def _worse(view: View, operation: Operation) -> tuple[int, ...] | None:
        """A valid partition worth less than the optimum: the optimum minus its most valuable bundle."""
        if not operation.clearing.bundles:
            return None
        instance = Instance.from_bids(view.reserves, view.bids)
        kept = sorted(operation.clearing.bundles, key=instance.gain)[:-1]
        return tuple(kept) if kept else None


@register
class FrontRunner(Strategy):
    """Front-runs the operator with a partition of equal value but another allocation (its own, when it has
    one), in the challenge phase's first block; the market's order of partitions makes that pointless."""

    name = "front-runner"
    role = Role.KEEPER
    description = "proposes an equal-value partition of its choice before the operator"
    mechanisms = (Mechanism.SEALED,)
    order = -1  # ahead of the operator in the same block

    def act(self, step: Step, view: View) -> list[Action]:
        if step != Step.CHALLENGE:
            return []
        operation = _operation(view)
        # The same value with the bundles listed in another order is the only equal partition it can be sure
        # of; a different allocation of equal value, when one exists, ranks by cover and tie key.
        return [Action(Act.PROPOSE, bundles=tuple(reversed(operation.clearing.bundles)))]


@register
class ClaimGriefer(Strategy):
    """Claims a low W(-i) for every winner first (the empty partition, every rollup alone), hoping a low claim
    sticks; claims only ever rise, the operator's exact claim replaces it, and a winner never pays below its
    dissolved floor anyway."""

    name = "claim-griefer"
    role = Role.KEEPER
    description = "claims understated W(-i) for every winner before the operator"
    mechanisms = (Mechanism.SEALED,)

    def act(self, step: Step, view: View) -> list[Action]:
        if step != Step.CHALLENGE or view.payment_rule != PaymentRule.VCG:
            return []
        operation = _operation(view)
        return [Action(Act.CLAIM, bidder=bidder, bundles=()) for bidder in operation.welfare_without]

"""VCG payments: each winner pays the welfare its presence costs the others.

p_i = W(-i) - (W - b_i), where W is the optimal partition's value, b_i what bidder i bid on the bundles
it wins, and W(-i) the optimal value with all of i's bids removed (each bundle then valued by the best
bid from another bidder, exactly what the contract's stored second-best bid provides). Since the
optimum minus i's bundles is feasible without i, W - b_i <= W(-i) <= W, so 0 <= p_i <= b_i.
(The seed writes p_i as a sum of second-best bids; that is wrong in general: docs/design.md, departure 3.)

Speed: most of each counterfactual is already known. Bids are ranked once (best and runner-up per
bundle), so the round without i is the round with i's best bids swapped for the runner-ups. With few
rollups the full round's subset table answers W(-i) by a small search around i's bundles
(counterfactual.py). Otherwise the round without i is solved for its value only (no tie-break stage),
components that i's bids do not touch are reused, the optimum minus i's bundles is the MILP's first
incumbent (the W - b_i side of the bracket), and when that packing already reaches W no solve is needed.
Before any such MILP, where the round's LP relaxation proves W, the LP of the round without i is
re-solved from the round's basis and often proves W(-i) outright (relaxation.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from seqmarket.clearing.counterfactual import LocalCounterfactuals
from seqmarket.clearing.instance import (
    Bid,
    Clearing,
    Instance,
    Packing,
    SolvedBy,
    best_bids,
    ranked_bids,
    rollups_of,
    runner_ups_by_bidder,
)
from seqmarket.clearing.relaxation import Relaxation
from seqmarket.clearing.solver import ComponentKey, clear_reusing, table_clearing


@dataclass(frozen=True)
class VcgPayment:
    """One winner's VCG payment and the counterfactual partition that proves W(-i)."""

    bidder: str
    bundles: tuple[int, ...]
    bid: int
    welfare_without: int
    counterfactual: tuple[int, ...]
    payment: int


@dataclass(frozen=True)
class VcgOutcome:
    """The optimal clearing and every winner's payment (by bidder name)."""

    clearing: Clearing
    payments: tuple[VcgPayment, ...]


def winners(instance: Instance, clearing: Clearing, bids: Iterable[Bid]) -> dict[str, list[Bid]]:
    """Winning bids of the partition, grouped by bidder: listed bundles plus singletons that sell."""
    return _winners(instance, clearing, best_bids(bids))


def _winners(instance: Instance, clearing: Clearing, best: Mapping[int, Bid]) -> dict[str, list[Bid]]:
    sold = list(clearing.bundles) + [1 << i for i in instance.sold_singletons(clearing.bundles)]
    grouped: dict[str, list[Bid]] = {}
    for bundle in sold:
        grouped.setdefault(best[bundle].bidder, []).append(best[bundle])
    return grouped


def vcg(
    reserves: Sequence[int],
    bids: Sequence[Bid],
    solve: Callable[[Instance], Clearing] | None = None,
    *,
    time_limit: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> VcgOutcome:
    """Clear the round and compute every winner's VCG payment, exactly.

    ``solve`` replaces the engine (e.g. brute force, for reference); without it the engine runs with
    the subset table, component reuse and warm starts. ``time_limit`` bounds each solve
    (ClearingTimeout when hit). ``progress`` is called once per winner whose payment is done, as
    ``progress(done, total)`` (done = 1..total), so a caller can show per-winner progress: the
    counterfactual solves are most of VCG's time and can take minutes on large rounds.
    """
    ranked = ranked_bids(bids)
    instance = Instance(tuple(reserves), {bundle: pair[0].amount for bundle, pair in ranked.items()})
    solved: dict[ComponentKey, Packing] = {}

    def engine(inst: Instance, start: tuple[int, ...] = (), tie_rule: bool = True) -> Clearing:
        if solve is not None:
            return solve(inst)
        return clear_reusing(inst, time_limit=time_limit, solved=solved, start=start, tie_rule=tie_rule)

    started = time.perf_counter()
    whole = table_clearing(instance) if solve is None else None
    clearing = engine(instance) if whole is None else whole[0]
    # A local search that takes longer than half the table build is dropped for a rebuild without i.
    budget = (time.perf_counter() - started) / 2
    local = None if whole is None else LocalCounterfactuals(instance, whole[1], budget)
    # Past the table, counterfactual MILPs dominate: try the round's LP relaxation first where it is tight.
    relaxation = Relaxation.for_round(instance, clearing.value) if SolvedBy.MILP in clearing.method else None
    held = runner_ups_by_bidder(ranked)
    payments = []
    best_of = {bundle: pair[0] for bundle, pair in ranked.items()}
    winning = sorted(_winners(instance, clearing, best_of).items())
    for bidder, won in winning:
        changed = held[bidder]
        mine = {b.bundle for b in won}
        bid = sum(b.amount for b in won)
        kept = tuple(b for b in clearing.bundles if b not in mine)
        # The optimum minus i's bundles, i's rollups sold alone at their value without i: W(-i) >= this.
        floor = clearing.value - bid
        for rollup in rollups_of(sum(mine)):  # i's won bundles are disjoint
            single = 1 << rollup
            if single in changed:
                floor += max(changed[single] or 0, instance.reserves[rollup])
            else:
                floor += instance.singleton_value(rollup)
        found = None if local is None else local.welfare_without(changed, floor, kept)
        if found is not None:
            without = Clearing(bundles=found[1], value=found[0], method=SolvedBy.LOCAL)
        elif floor == clearing.value:
            # The warm start already reaches the upper bound W(-i) <= W: optimal, no solve needed.
            without = Clearing(bundles=kept, value=clearing.value, method=SolvedBy.BRACKET)
        elif relaxation is not None and (proven := relaxation.welfare_without(changed, floor, kept)):
            without = Clearing(bundles=proven[1], value=proven[0], method=SolvedBy.RELAXATION)
        else:
            without = engine(_without(instance, changed), kept, tie_rule=False)
        payment = without.value - (clearing.value - bid)
        assert 0 <= payment <= bid, "W - b_i <= W(-i) <= W must hold for an exact solver"
        payments.append(
            VcgPayment(
                bidder=bidder,
                bundles=tuple(sorted(mine)),
                bid=bid,
                welfare_without=without.value,
                counterfactual=without.bundles,
                payment=payment,
            )
        )
        if progress is not None:
            progress(len(payments), len(winning))
    return VcgOutcome(clearing, tuple(payments))


def _without(instance: Instance, changed: Mapping[int, int | None]) -> Instance:
    """The round without a bidder: its best bids replaced by the runner-ups (or dropped)."""
    bids = dict(instance.bids)
    for bundle, runner_up in changed.items():
        if runner_up is None:
            del bids[bundle]
        else:
            bids[bundle] = runner_up
    return Instance(instance.reserves, bids)

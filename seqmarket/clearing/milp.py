"""Exact max-weight set packing with HiGHS: which solves run, in what order, and the certificate at the end.

The modules behind it: highs.py (the HiGHS model), exact.py (the rules that make its answers exact),
racing.py (the racing policy), race.py (racers in forked processes), scaled.py (wei-sized totals),
certificate.py (an exact LP-duality proof, where the LP relaxation is tight, instead of a proof solve).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from seqmarket.clearing.certificate import proves_optimal, search
from seqmarket.clearing.exact import (
    SAFE,
    Component,
    Deadline,
    exact_model,
    fractional_bound,
    proven,
    proven_at_least,
)
from seqmarket.clearing.highs import Solution, Status
from seqmarket.clearing.instance import Packing
from seqmarket.clearing.race import JoinRacers, Outcome, Race
from seqmarket.clearing.racing import RACING, Objective, Racing
from seqmarket.clearing.scaled import MAX_EXCLUDED, scaled_costs
from seqmarket.clearing.solves import TieBreak
from seqmarket.clearing.trace import Trace
from seqmarket.errors import SolverError


@dataclass(frozen=True)
class _Start:
    """The known packing a solve starts from (VCG: the optimum minus a winner's bundles), as columns."""

    given: bool  # whether a start packing was passed at all (it may have no bundle in this component)
    columns: list[int]
    units: int  # its gain, in units of the gcd
    weight: int  # its W, when the lexicographic objective fits (else 0)


def solve_packing(
    gains: dict[int, int],
    n: int,
    *,
    time_limit: float | None = None,
    start: tuple[int, ...] = (),
    tie_rule: bool = True,
    racing: Racing = RACING,
    trace: Trace | None = None,
) -> Packing:
    """The packing of ``gains``' bundles with the largest total gain, fewest rollups covered on ties.

    With ``tie_rule=False`` only the gain need be optimal (the stages skip their tie-break): enough for a
    VCG counterfactual, where only W(-i) matters. ``start`` is a known packing of some of these bundles
    (disjoint), whose worth HiGHS is given as a cutoff: VCG counterfactuals start from the optimum minus
    the winner's bundles. ``racing`` is the racing policy (racing.py); ``trace`` records what ran.
    ClearingTimeout when ``time_limit`` (seconds) stops the solve before a proof.
    """
    deadline = Deadline(time_limit)
    component = Component.of(gains, n)
    columns = component.columns(start)
    units = sum(component.units[k] for k in columns)
    left = deadline.left()
    can_race = racing.after is not None and (left is None or left > racing.after)
    if fractional_bound(component.member, component.units, component.sizes) > SAFE:
        return _scaled(component, columns, deadline, can_race, racing, trace)
    # The lexicographic W even when only the value is asked for: HiGHS proved VCG counterfactuals of
    # regions 100x500 faster with it than with the plain gain (0.25-0.29 s against 0.30-0.59 s).
    if fractional_bound(component.member, component.weight, component.sizes) <= SAFE:
        known = _Start(bool(start), columns, units, component.weight_of(columns))
        outcome = _lexicographic(component, known, deadline, left, can_race, racing, trace)
    else:
        known = _Start(bool(start), columns, units, 0)
        outcome = _staged(component, known, deadline, left, can_race, racing, trace)
    if outcome.objective is Objective.LEXICOGRAPHIC:
        return _certify_lexicographic(component, outcome.solution, known, deadline)
    best = _certify_stage1(component, outcome.solution, known, deadline)
    covered = component.covered(best)
    # A positive gain needs a bundle of >= 2 rollups: 2 cannot be beaten. Where the LP is tight, its exact
    # certificate on W (gain first, then fewest rollups) settles the tie rule without the tie-break solve.
    if tie_rule and covered > 2 and outcome.tie is None and proves_optimal(component, best):
        if trace is not None:
            trace.certified += 1
    elif tie_rule and covered > 2:
        best = _fewest_covered(component, best, covered, outcome.tie, deadline, trace)
    return component.packing(best)


def _lexicographic(
    component: Component,
    known: _Start,
    deadline: Deadline,
    left: float | None,
    can_race: bool,
    racing: Racing,
    trace: Trace | None,
) -> Outcome:
    """Stage 0: W = (k + 1) * units - covered in one exact solve, here, with the first racer's options.

    Presolve off there: HiGHS's presolve dominated easy solves (L2 64x2000: 1.65 s with it, 0.08 s
    without), and most components end here, before any racer starts. Still unproven after
    ``racing.after`` seconds, with a core idle, it is joined by the other racers in forked processes
    (JoinRacers); ``racing.after`` 0 races every racer from the start, stage 0 included, forked.
    """
    racers = racing.lexicographic

    def new_race(cutoff: int) -> Race:
        return Race(component, True, cutoff, known.units, deadline, racing, trace)

    if racing.after == 0 and can_race:
        return new_race(known.weight).run(racers)
    stage0 = exact_model(component.member, component.weight, racers[0].options, trace, component.excluded)
    if known.weight > 0:
        stage0.cutoff(known.weight)
    joining = None
    if can_race:
        rivals = racers[1:] if racers[0].objective is Objective.LEXICOGRAPHIC else racers
        joining = JoinRacers(racing, rivals, new_race, known.weight, trace)
        stage0.watch(joining)
    try:
        solution = stage0.solve(left) if left is None or left > 0 else Solution([], math.inf, Status.STOPPED)
    finally:
        if joining is not None:
            joining.close()
    won = None if joining is None or joining.race is None else joining.race.won
    if won is None or solution.finished:
        return Outcome(Objective.LEXICOGRAPHIC, solution)
    if won.objective is Objective.LEXICOGRAPHIC and (
        component.weight_of(won.solution.chosen) < component.weight_of(solution.chosen)
    ):
        return won.with_chosen(solution.chosen)  # stage 0's packing is better than the racer's proven one
    return won


def _staged(
    component: Component,
    known: _Start,
    deadline: Deadline,
    left: float | None,
    can_race: bool,
    racing: Racing,
    trace: Trace | None,
) -> Outcome:
    """Stage 1 of the stages (W too large to fit): maximise the plain gain, in units of the gcd.

    Its packing P is optimal once the dual bound is below gain(P) + 1. Unproven after ``racing.after``
    seconds, the staged racers take over from its packing (Race); stage 2 (the tie-break) follows.
    """
    model = exact_model(component.member, component.units, None, trace)
    if known.given:
        model.cutoff(known.units)
    first = left if not can_race or racing.after is None else min(racing.after, left or math.inf)
    stage1 = Outcome(Objective.STAGED, model.solve(first))
    if stage1.solution.finished or not can_race:
        return stage1
    cutoff = max(known.units, component.units_of(stage1.solution.chosen))
    outcome = Race(component, False, 0, cutoff, deadline, racing, trace).run(racing.staged)
    if not outcome.solution.chosen or component.units_of(stage1.solution.chosen) > component.units_of(
        outcome.solution.chosen
    ):
        outcome = outcome.with_chosen(stage1.solution.chosen)
    return outcome


def _scaled(
    component: Component,
    columns: list[int],
    deadline: Deadline,
    can_race: bool,
    racing: Racing,
    trace: Trace | None,
) -> Packing:
    """Wei-sized gains (scaled.py): the racing lexicographic solve on W rounded up to 2**shift units,
    repeated without each packing it returns until its bound proves the best exact W found optimal."""
    cost, shift = scaled_costs(component)
    best, best_weight = columns, component.weight_of(columns)  # the start packing, exact
    excluded: list[tuple[int, ...]] = []
    tried = None  # the best W the LP certificate was last tried on
    searched = False  # whether the branch and bound on LP certificates ran (once: it may take a while)
    for _ in range(MAX_EXCLUDED):
        # A packing beating best_weight has W > best_weight, so rounded-up cost >= this threshold.
        threshold = (best_weight >> shift) + 1 if best else 1
        rounded = replace(component, weight=cost, excluded=tuple(excluded))
        known = _Start(True, [], 0, threshold)
        left = deadline.left()
        outcome = _lexicographic(
            rounded, known, deadline, left, can_race and deadline_allows(left, racing), racing, trace
        )
        solution = outcome.solution
        chosen = solution.chosen if sum(cost[k] for k in solution.chosen) >= threshold else []
        component.check_disjoint(chosen)
        improved = bool(chosen) and component.weight_of(chosen) > best_weight
        if improved:
            best, best_weight = chosen, component.weight_of(chosen)
        if not solution.finished:
            factor = component.factor
            bound = (solution.bound * 2**shift + factor) * component.divisor / factor
            raise deadline.timeout(component.gain_of(best) if best else None, bound)
        # W <= 2**shift * cost: nothing left out reaches best_weight + 1 once the bound is below this
        if proven(solution.bound) < ((best_weight >> shift) + 1 if best else 1):
            return component.packing(best)
        if not chosen:
            raise SolverError(f"HiGHS bound {solution.bound} proves nothing and it returned no packing")
        if best_weight != tried and proves_optimal(component, best):  # LP-tight: no proof solve
            if trace is not None:
                trace.certified += 1
            return component.packing(best)
        tried = best_weight
        excluded.append(tuple(chosen))
        if not improved and not searched:  # a packing within the rounding and no better: ties, maybe many
            searched = True
            found = search(component, best, stop=deadline.passed)
            best, best_weight = list(found.chosen), component.weight_of(list(found.chosen))
            if found.proven:
                if trace is not None:
                    trace.certified += 1
                return component.packing(best)
    raise SolverError(f"could not separate near-optimal packings within {MAX_EXCLUDED} solves")


def deadline_allows(left: float | None, racing: Racing) -> bool:
    """Whether enough time is left to start racers at all."""
    return racing.after is not None and (left is None or left > racing.after)


def _certify_lexicographic(
    component: Component, solution: Solution, known: _Start, deadline: Deadline
) -> Packing:
    """The lexicographic optimum, once HiGHS's bound proves it in integers (rule 2), else an error."""
    chosen = solution.chosen
    component.check_disjoint(chosen)
    value = component.weight_of(chosen)
    if known.weight > value or not chosen:
        chosen, value = known.columns, known.weight  # the known packing reaches every cutoff used
    if not solution.finished:
        factor = component.factor
        bound = (solution.bound + factor) * component.divisor / factor
        raise deadline.timeout(component.gain_of(chosen) if chosen else None, bound)
    if proven(solution.bound) > value or not chosen:
        raise SolverError(f"HiGHS bound {solution.bound} does not prove its packing worth {value} optimal")
    return component.packing(chosen)


def _certify_stage1(component: Component, solution: Solution, known: _Start, deadline: Deadline) -> list[int]:
    """The packing with the largest gain, once HiGHS's bound proves it in integers, else an error."""
    best = solution.chosen
    if known.units > component.units_of(best) or not best:
        best = known.columns
    units = component.units_of(best)
    if not solution.finished:
        raise deadline.timeout(component.gain_of(best) if best else None, solution.bound * component.divisor)
    if proven(solution.bound) > units or not best:
        raise SolverError(f"HiGHS bound {solution.bound} does not prove its packing worth {units} optimal")
    return best


def _fewest_covered(
    component: Component,
    best: list[int],
    covered: int,
    tie: Solution | None,
    deadline: Deadline,
    trace: Trace | None,
) -> list[int]:
    """Stage 2: a packing gaining as much as ``best`` and covering the fewest rollups, fewer than it covers.

    Rows gain >= gain(best) and covered <= covered(best) - 1, minimising the rollups covered; infeasible
    means ``best`` already satisfies the tie rule. ``tie`` is its result when a racer already ran it.
    """
    units = component.units_of(best)
    if tie is None:
        job = TieBreak(component.member, component.units, component.sizes, units, covered)
        tie = job.run(deadline.left(), trace)
    if not tie.finished:
        raise deadline.timeout(component.gain_of(best), units * component.divisor)
    if tie.status is Status.INFEASIBLE:
        return best
    fewest = tie.chosen
    if component.units_of(fewest) != units or component.covered(fewest) >= covered:
        raise SolverError("HiGHS's tie-break packing does not tie on gain with fewer rollups covered")
    if proven_at_least(tie.bound) < component.covered(fewest):
        raise SolverError(f"HiGHS bound {tie.bound} does not prove its tie-break packing minimal")
    return fewest


__all__ = ["solve_packing"]

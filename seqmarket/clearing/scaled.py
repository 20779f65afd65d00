"""Wei-sized gains with no common factor: their packing totals pass exact.SAFE, so HiGHS sees them scaled.

Costs are rounded UP to u(B) = ceil(W(B) / 2**s) <= 2**29 scale: every packing Q has W(Q) <= 2**s * u(Q),
so once the best packing found has exact W >= 2**s times HiGHS's proven bound on u over the packings not
yet evaluated, it is optimal. Packings that the rounding cannot separate are evaluated exactly and
excluded with a no-good cut, one by one (usually one extra solve).
"""

from __future__ import annotations

from seqmarket.clearing.exact import SAFE, Component, Deadline, exact_model, fractional_bound, proven
from seqmarket.clearing.instance import Packing
from seqmarket.clearing.trace import Trace
from seqmarket.errors import SolverError

MAX_EXCLUDED = 64  # solves (no-good cuts) before giving up on separating near-optimal packings


def scaled_costs(component: Component) -> tuple[list[int], int]:
    """(W rounded up to 2**shift units, shift): the smallest shift that brings every total below SAFE."""
    bound = fractional_bound(component.member, component.weight, component.sizes)
    shift = 0
    while bound / 2**shift > SAFE:
        shift += 1
    return [(w + (1 << shift) - 1) >> shift for w in component.weight], shift  # w itself when shift == 0


def solve_scaled(
    component: Component, start: tuple[int, ...], deadline: Deadline, trace: Trace | None = None
) -> Packing:
    """The lexicographic optimum (largest gain, fewest rollups covered) with scaled costs and no-good cuts.

    ``start`` is a known packing whose scaled worth is HiGHS's cutoff. ClearingTimeout past ``deadline``.
    """
    cost, shift = scaled_costs(component)
    model = exact_model(component.member, cost, None, trace)
    if start:
        model.cutoff(sum(cost[k] for k in component.columns(start)))
    best: list[int] = []
    best_weight = 0
    for _ in range(MAX_EXCLUDED):
        solution = model.solve(deadline.left())
        component.check_disjoint(solution.chosen)
        value = component.weight_of(solution.chosen)
        if value > best_weight or not best:
            best, best_weight = solution.chosen, value
        if not solution.finished:
            factor = component.factor
            bound = (solution.bound * 2**shift + factor) * component.divisor / factor
            raise deadline.timeout(component.gain_of(best) if best else None, bound)
        if proven(solution.bound) << shift <= best_weight:  # W is integral: none beats floor(bound)
            return component.packing(best)
        if shift == 0:
            raise SolverError(
                f"HiGHS bound {solution.bound} does not prove its packing worth {best_weight} optimal"
            )
        model.exclude(solution.chosen)
    raise SolverError(f"could not separate near-optimal packings within {MAX_EXCLUDED} solves")

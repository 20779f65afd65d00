"""An exact LP-duality certificate that a packing is optimal: no MILP proof solve where the LP is tight.

For any y >= 0 over the rollups, every packing Q satisfies

    W(Q) <= L(y) = sum_r y_r + sum_B max(0, W(B) - y(B))        (B over the component's bundles)

(each bundle is listed at most once and each rollup once). So a packing P is optimal, with the tie rule
(W is lexicographic), once L(y) < W(P) + 1 for some y: W is an integer. HiGHS solves the LP relaxation
on rounded costs; its optimal basis names the rollups whose rows are tight and the bundles whose columns
are basic, and the duals on that basis solve sum_{r in B} y_r = W(B) for the basic bundles. They are
solved again here in floating point, one 16-bit digit of W at a time, and rounded to rationals whose
common denominator is the basis's determinant; then L(y) is evaluated exactly in Python integers.
Floating point only proposes y: a wrong guess gives a bound too weak to prove anything, never a wrong
proof.

Where the LP is tight (paths and scheduling rounds, a chain of equally priced pairs), this proves
the optimum however many packings tie with it: the loop of scaled solves would leave out each tied
packing one solve at a time (docs/attacks.md #31).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import highspy
import numpy as np

from seqmarket.clearing.exact import Component
from seqmarket.clearing.highs import lp_solver, packing_lp

DIGIT = 16  # bits of W per float solve: det * 2**16 * |M^-1| stays inside a double's 53 bits
MAX_DENOMINATOR = 2**20  # bases with a larger determinant are not used


def proves_optimal(component: Component, chosen: list[int]) -> bool:
    """Whether the LP relaxation's duals prove, exactly, that no packing's W exceeds W(chosen)."""
    relaxed = _relaxation(component.member, component.weight)
    return relaxed is not None and relaxed.bound < component.weight_of(chosen) + 1


@dataclass(frozen=True)
class _Relaxed:
    """The LP relaxation of some columns: an exact upper bound on every packing's W (a rational, kept as
    bound_times / denominator), and HiGHS's primal values (which column to branch on)."""

    bound_times: int
    denominator: int
    values: np.ndarray

    @property
    def bound(self) -> Fraction:
        return Fraction(self.bound_times, self.denominator)


def _relaxation(member: np.ndarray, weight: list[int]) -> _Relaxed | None:
    """The LP of these columns (rows: the rollups they use), its exact dual bound; None if unsolved."""
    used = np.flatnonzero(member.any(axis=0))  # at most 256 rollups: the tight rows are solved densely
    top = max(weight)
    scale = 2.0 ** max(0, top.bit_length() - 40)  # costs near 2**40: well inside a double
    costs = np.array([w / scale for w in weight], dtype=np.float64)
    # No x <= 1 bounds (the rows imply them): the duals then live on the rows alone.
    highs = lp_solver(packing_lp(member[:, used], costs, highspy.kHighsInf))
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    basis = highs.getBasis()
    basic = highspy.HighsBasisStatus.kBasic
    tight = [r for r, status in enumerate(basis.row_status) if status != basic]
    bundles = [k for k, status in enumerate(basis.col_status) if status == basic]
    if len(tight) != len(bundles):
        return None
    values = np.array(highs.getSolution().col_value, dtype=np.float64)
    numerators = [0] * len(used)
    denominator = 1
    if tight:
        solved = _duals(member[np.ix_(np.array(bundles), used[tight])], [weight[k] for k in bundles])
        if solved is None:
            return None
        exact, denominator = solved
        for j, row in enumerate(tight):
            numerators[row] = max(exact[j], 0)  # y >= 0: a negative dual is clipped (L stays valid)
    return _Relaxed(_bound_times(member[:, used], weight, numerators, denominator), denominator, values)


def _duals(system: np.ndarray, weight: list[int]) -> tuple[list[int], int] | None:
    """Exact y with system @ y = weight (square, 0/1), as (numerators, common denominator), if found.

    The denominator of the inverse of an integer matrix divides its determinant, so det * y is an
    integer vector; it is read from floating-point solves, one DIGIT of W at a time, and kept only when
    every entry is that close to an integer (the exact evaluation of L(y) does not trust it anyway).
    """
    matrix = system.astype(np.float64)
    try:
        inverse = np.linalg.inv(matrix)
    except np.linalg.LinAlgError:
        return None
    determinant = abs(float(np.linalg.det(matrix)))
    denominator = round(determinant)
    if not 1 <= denominator <= MAX_DENOMINATOR or abs(determinant - denominator) > 1e-6 * denominator:
        return None
    exact = [0] * len(weight)
    rest = list(weight)
    place = 0
    while any(rest):
        digit = np.array([w & ((1 << DIGIT) - 1) for w in rest], dtype=np.float64)
        scaled = (inverse @ digit) * denominator
        rounded = np.rint(scaled)
        if np.abs(scaled - rounded).max(initial=0.0) > 1e-6:
            return None
        for j, value in enumerate(rounded.tolist()):
            exact[j] += int(value) << (DIGIT * place)
        rest = [w >> DIGIT for w in rest]
        place += 1
    return exact, denominator


def _bound_times(member: np.ndarray, weight: list[int], numerators: list[int], denominator: int) -> int:
    """denominator * L(y) for y = numerators / denominator (per column of ``member``), in Python integers."""
    total = sum(numerators)
    for row, w in zip(member, weight, strict=True):
        priced = sum(numerators[r] for r in np.flatnonzero(row).tolist())
        total += max(0, w * denominator - priced)
    return total


@dataclass(frozen=True)
class Search:
    """A search's best packing (columns) and whether it is proven optimal (else the budget ran out)."""

    chosen: tuple[int, ...]
    proven: bool


NODE_BUDGET = 400  # LPs a search solves at most (each a few milliseconds on these components)


def search(
    component: Component, best: list[int], budget: int = NODE_BUDGET, stop: Callable[[], bool] | None = None
) -> Search:
    """Depth-first branch and bound from ``best`` whose every bound is the exact L(y) above: returns the
    packing with the largest W, proven, or the best found when ``budget`` LPs did not suffice or ``stop``
    (asked before each LP: a deadline) said so.

    For rounds the LP certificate alone cannot prove (the LP is fractional, say where cheap bids link
    the pairs of a tie) and whose near-optimal packings are too many to leave out one solve at a time:
    branching on a fractional bundle (taken first, then left out) resolves the fractions, and any
    subtree whose LP is tight is closed however many tied packings it holds.
    """
    member, weight, bundles = component.member, component.weight, component.bundles
    incumbent = tuple(best)
    target = component.weight_of(best) + 1  # W is an integer: beating the incumbent means reaching this
    stack: list[tuple[list[int], list[int]]] = [([], list(range(len(weight))))]
    nodes = 0
    while stack:
        chosen, free = stack.pop()
        base = sum(weight[k] for k in chosen)
        if not free:
            if base >= target:
                incumbent, target = tuple(chosen), base + 1
            continue
        nodes += 1
        if nodes > budget or (stop is not None and stop()):
            return Search(incumbent, False)
        relaxed = _relaxation(member[free], [weight[k] for k in free])
        if relaxed is None:
            return Search(incumbent, False)
        if base * relaxed.denominator + relaxed.bound_times < target * relaxed.denominator:
            continue  # nothing under this node beats the incumbent
        values = relaxed.values
        fractional = [j for j, x in enumerate(values) if 1e-6 < x < 1 - 1e-6]
        if fractional:
            pick = max(fractional, key=lambda j: min(values[j], 1 - values[j]))
        else:
            picked = [j for j, x in enumerate(values) if x > 0.5]
            taken = [free[j] for j in picked]
            if _disjoint(bundles, taken) and base + sum(weight[k] for k in taken) >= target:
                incumbent, target = (*chosen, *taken), base + sum(weight[k] for k in taken) + 1
                stack.append((chosen, free))  # look again: the node may still hold something better
                continue
            # A bound too weak to prove (an LP point with positive costs takes something, but the basis's
            # duals may be clipped): branch on its heaviest bundle, or the node's, never prune unproven.
            pick = max(picked or range(len(free)), key=lambda j: weight[free[j]])
        column = free[pick]
        stack.append((chosen, [k for k in free if k != column]))
        stack.append(([*chosen, column], [k for k in free if not bundles[k] & bundles[column]]))
    return Search(incumbent, True)


def _disjoint(bundles: list[int], columns: list[int]) -> bool:
    """Whether these columns' bundles share no rollup (an LP point read at 1/2 may not be a packing)."""
    covered = 0
    for k in columns:
        if bundles[k] & covered:
            return False
        covered |= bundles[k]
    return True

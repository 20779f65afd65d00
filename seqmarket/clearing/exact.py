"""The rules that make HiGHS's floating-point answers exact.

1. Integer objective. Gains are divided by their gcd and made lexicographic with the tie rule:
   W(B) = (k + 1) * gain(B) / gcd - |B|, where k is the number of rollups in play. A packing with the
   largest W has the largest gain and, among those, covers the fewest rollups (covered <= k < k + 1).
2. Small numbers or a second solve. When every packing's W is provably below SAFE = 2**29 (checked
   with the fractional bound sum_i max_{B ni i} W(B)/|B|), the coefficients are exact doubles and
   HiGHS's bound is off by less than 0.07 of the one unit that separates two packings: a row violated
   by tol, priced by its dual y_i, moves the bound by y_i * tol, and the duals sum to at most the
   bound, so the error is at most bound * tol (tol 1e-9 up to 2**26, 1e-10 up to 2**29: tolerance()).
   The solver's dual bound must then be below W(P) + 1 for the returned packing P. Larger numbers (wei
   amounts with no common factor) are rounded up and separated with no-good cuts (scaled.py).
3. Exact re-check. The chosen bundles are checked to be disjoint and re-valued with Python integers;
   nothing the solver reports as a value is used as a value.
4. No approximate answers. A time limit that stops HiGHS raises ClearingTimeout with the best exact
   value found and the solver's bound; an approximate answer is never returned as if it were optimal.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from seqmarket.clearing.highs import LOOSE, TIGHT, PackingModel
from seqmarket.clearing.instance import Packing
from seqmarket.clearing.preprocess import bundle_matrix
from seqmarket.clearing.trace import Trace
from seqmarket.errors import ClearingTimeout, SolverError

SAFE = 2**29  # the largest packing total solved exactly (with the tight tolerance)
LOOSE_UP_TO = 2**26  # totals up to here keep HiGHS's 1e-9 tolerances: error bound * tol <= 0.067
BOUND_SLACK = 1e-6  # HiGHS's bound on an integer objective, read as floor(bound + slack)


def fractional_bound(member: np.ndarray, weight: list[int], sizes: list[int]) -> float:
    """Upper bound on any packing's total weight: sum over rollups of max_{B ni i} w(B)/|B|, plus slack."""
    ratio = np.array([w / s for w, s in zip(weight, sizes, strict=True)], dtype=np.float64)
    per_rollup = np.where(member, ratio[:, None], 0.0).max(axis=0, initial=0.0)
    return float(np.maximum(per_rollup, 0.0).sum()) * (1 + 1e-9) + 1


def tolerance(member: np.ndarray, cost: list[int]) -> float:
    """HiGHS's feasibility tolerances for a model with these costs: 1e-9 up to 2**26, else 1e-10.

    1e-9 wherever it suffices: every model below 2**26 keeps the settings its timings were measured with.
    """
    sizes = [int(s) for s in member.sum(axis=1)]
    bound = fractional_bound(member, [abs(c) for c in cost], sizes) if cost else 0.0
    return LOOSE if bound <= LOOSE_UP_TO else TIGHT


def exact_model(
    member: np.ndarray,
    cost: list[int],
    options: Mapping[str, Any] | None = None,
    trace: Trace | None = None,
    excluded: tuple[tuple[int, ...], ...] = (),
) -> PackingModel:
    """A HiGHS model of these columns and integer costs at the tolerance rule 2 asks for, without the
    ``excluded`` packings."""
    model = PackingModel(member, cost, tolerance(member, cost), options)
    for packing in excluded:
        model.exclude(list(packing))
    if trace is not None:
        trace.tolerances.append(model.tolerance)
    return model


def proven(bound: float) -> int:
    """The largest integer objective a HiGHS upper bound allows (objectives are integers)."""
    return int(np.floor(bound + BOUND_SLACK))


def proven_at_least(bound: float) -> int:
    """The smallest integer objective a HiGHS lower bound allows."""
    return int(np.ceil(bound - BOUND_SLACK))


@dataclass(frozen=True)
class Deadline:
    """A solve's time limit, counted from when the solve started."""

    limit: float | None
    started: float = field(default_factory=time.perf_counter)

    def left(self) -> float | None:
        """Seconds left (None: no limit); negative once passed."""
        return None if self.limit is None else self.limit - self.elapsed()

    def passed(self) -> bool:
        """Whether the limit has passed (never without one)."""
        left = self.left()
        return left is not None and left <= 0

    def elapsed(self) -> float:
        """Seconds since the solve started."""
        return time.perf_counter() - self.started

    def timeout(self, incumbent: int | None, bound: float) -> ClearingTimeout:
        """The error for a solve stopped here: the best exact gain found and the solver's bound on it."""
        return ClearingTimeout(incumbent, bound, self.elapsed())


@dataclass(frozen=True, eq=False)  # numpy arrays inside: identity, not ==
class Component:
    """One component as the MILP sees it: a column per bundle (ascending), gains in units of their gcd,
    and the lexicographic weights W = (k + 1) * units - size (``factor`` = k + 1)."""

    bundles: list[int]
    member: np.ndarray
    sizes: list[int]
    units: list[int]
    divisor: int
    factor: int
    weight: list[int]
    excluded: tuple[
        tuple[int, ...], ...
    ] = ()  # packings (columns) every model of it leaves out (no-good rows)

    @classmethod
    def of(cls, gains: dict[int, int], n: int) -> Component:
        """The columns of ``gains`` (bundle -> positive gain) over ``n`` rollups."""
        bundles = sorted(gains)
        member = bundle_matrix(bundles, n)
        sizes = [int(s) for s in member.sum(axis=1)]
        divisor = 0
        for g in gains.values():
            divisor = math.gcd(divisor, g)
        units = [gains[b] // divisor for b in bundles]
        factor = int(member.any(axis=0).sum()) + 1
        weight = [factor * u - s for u, s in zip(units, sizes, strict=True)]
        return cls(bundles, member, sizes, units, divisor, factor, weight)

    def columns(self, packing: tuple[int, ...]) -> list[int]:
        """The columns of the bundles of ``packing`` that belong to this component."""
        index = {b: k for k, b in enumerate(self.bundles)}
        return [index[b] for b in packing if b in index]

    def check_disjoint(self, chosen: list[int]) -> None:
        """SolverError unless the chosen bundles are pairwise disjoint (rule 3)."""
        covered = 0
        for k in chosen:
            if self.bundles[k] & covered:
                raise SolverError("HiGHS returned overlapping bundles")
            covered |= self.bundles[k]

    def units_of(self, chosen: list[int]) -> int:
        """The exact gain of a packing, in units of the gcd, after checking that it is one."""
        self.check_disjoint(chosen)
        return sum(self.units[k] for k in chosen)

    def weight_of(self, chosen: list[int]) -> int:
        """W of the chosen columns."""
        return sum(self.weight[k] for k in chosen)

    def covered(self, chosen: list[int]) -> int:
        """Rollups the chosen columns cover."""
        return sum(self.sizes[k] for k in chosen)

    def gain_of(self, chosen: list[int]) -> int:
        """The exact gain of the chosen columns, in the instance's units."""
        return self.divisor * sum(self.units[k] for k in chosen)

    def packing(self, chosen: list[int]) -> Packing:
        """The chosen columns as a Packing."""
        return Packing(tuple(self.bundles[k] for k in sorted(chosen)), self.gain_of(chosen))

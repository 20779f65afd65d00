"""Exact max-weight set packing with HiGHS (highspy), with integer certificates.

HiGHS works in floating point, so a raw MILP optimum is not trusted as exact. Three rules make the
answer exact:

1. Integer objective. Gains are divided by their gcd and made lexicographic with the tie rule:
   W(B) = (k + 1) * gain(B) / gcd - |B|, where k is the number of rollups in play. A packing with the
   largest W has the largest gain and, among those, covers the fewest rollups (covered <= k < k + 1).
2. Small numbers or a second solve. When every packing's W is provably below SAFE = 2**26 (checked
   with the fractional bound sum_i max_{B ni i} W(B)/|B|), the coefficients are exact doubles and
   HiGHS's tolerances (1e-9) are far below the one unit that separates two packings; the solver's
   dual bound must then be below W(P) + 1 for the returned packing P. Larger numbers (wei amounts
   with no common factor) are rounded UP to u(B) = ceil(W(B) / 2**s) <= 2**26 scale: every packing
   Q has W(Q) <= 2**s * u(Q), so once the best packing found has exact W >= 2**s times HiGHS's proven
   bound on u over the packings not yet evaluated, it is optimal. Packings that the rounding cannot
   separate are evaluated exactly and excluded with a no-good cut, one by one (usually one extra solve).
3. Exact re-check. The chosen bundles are checked to be disjoint and re-valued with Python integers;
   nothing the solver reports as a value is used as a value.

A time limit that stops HiGHS raises ClearingTimeout with the best exact value found and the gap; an
approximate answer is never returned as if it were optimal.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from functools import cache
from math import gcd

import highspy
import numpy as np
from scipy.sparse import csc_matrix

from seqmarket.clearing.preprocess import bundle_matrix

SAFE = 2**26
MAX_EXCLUDED = 64


class ClearingTimeout(RuntimeError):
    """The time limit stopped the solver before optimality was proven; no answer is returned.

    ``incumbent`` is the exact gain of the best packing found (None if none), ``bound`` an upper bound on
    the optimal gain from the solver (rounded outwards), both in the instance's units.
    """

    def __init__(self, incumbent: int | None, bound: float, elapsed: float) -> None:
        self.incumbent = incumbent
        self.bound = bound
        self.elapsed = elapsed
        gap = "unknown" if incumbent is None else f"{bound - incumbent:.6g}"
        super().__init__(
            f"time limit hit after {elapsed:.2f}s before optimality was proven: best packing found gains "
            f"{incumbent}, the optimum gains at most {bound:.6g} (gap {gap}); no answer returned"
        )


@dataclass(frozen=True)
class Packing:
    """An optimal packing of one component: its bundles (ascending) and exact total gain."""

    bundles: tuple[int, ...]
    gain: int


@cache
def _silence_banner() -> None:
    """HiGHS prints a banner to the process's stdout when the first solver is built; swallow it once.

    `seqmarket clear` writes its result to stdout, and a library must not add lines of its own there.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


class _Model:
    """One component as a HiGHS model: a column per bundle, a row per rollup (at most one bundle)."""

    def __init__(self, bundles: list[int], member: np.ndarray, cost: list[int], threads: int) -> None:
        used = np.flatnonzero(member.any(axis=0))
        matrix = csc_matrix(member[:, used].T.astype(np.float64))
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = len(bundles), len(used)
        lp.col_cost_ = -np.array(cost, dtype=np.float64)  # HiGHS minimises
        lp.col_lower_ = np.zeros(len(bundles))
        lp.col_upper_ = np.ones(len(bundles))
        lp.row_lower_ = np.full(len(used), -highspy.kHighsInf)
        lp.row_upper_ = np.ones(len(used))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr
        lp.a_matrix_.index_ = matrix.indices
        lp.a_matrix_.value_ = matrix.data
        lp.integrality_ = [highspy.HighsVarType.kInteger] * len(bundles)
        _silence_banner()
        self.highs = highspy.Highs()
        for option, value in (
            ("output_flag", False),
            ("mip_rel_gap", 0.0),
            ("mip_abs_gap", 1e-6),
            ("primal_feasibility_tolerance", 1e-9),
            ("dual_feasibility_tolerance", 1e-9),
            ("mip_feasibility_tolerance", 1e-9),
            ("threads", threads),
        ):
            self.highs.setOptionValue(option, value)
        self.highs.passModel(lp)
        self.size = len(bundles)

    def cutoff(self, at_least: int) -> None:
        """Tell HiGHS a packing worth ``at_least`` (in cost units) exists: prune nodes that cannot reach it.

        (An objective cutoff rather than setSolution: with a user solution HiGHS 1.16 may report the
        new objective but hand back the user's columns; the exact re-check caught that.)
        """
        self.highs.setOptionValue("objective_bound", -at_least + 0.5)

    def run(self, time_limit: float | None) -> tuple[list[int], float, bool]:
        """Solve; returns (chosen column indices, proven upper bound on the maximum, finished?)."""
        self.highs.setOptionValue(
            "time_limit", highspy.kHighsInf if time_limit is None else max(time_limit, 0.0)
        )
        self.highs.run()
        status = self.highs.getModelStatus()
        info = self.highs.getInfo()
        bound = -info.mip_dual_bound
        chosen: list[int] = []
        if info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible:
            values = self.highs.getSolution().col_value
            chosen = [k for k in range(self.size) if values[k] > 0.5]
        if status == highspy.HighsModelStatus.kOptimal:
            return chosen, bound, True
        if status in (highspy.HighsModelStatus.kTimeLimit, highspy.HighsModelStatus.kInterrupt):
            return chosen, bound, False
        raise RuntimeError(f"HiGHS stopped with status {self.highs.modelStatusToString(status)}")

    def exclude(self, chosen: list[int]) -> None:
        """Add a no-good cut removing exactly the packing ``chosen`` (all others stay feasible)."""
        inside = set(chosen)
        coefficients = np.array([1.0 if k in inside else -1.0 for k in range(self.size)])
        self.highs.addRow(-highspy.kHighsInf, len(chosen) - 1, self.size, np.arange(self.size), coefficients)


def solve_packing(
    gains: dict[int, int],
    n: int,
    *,
    time_limit: float | None = None,
    threads: int = 1,
    start: tuple[int, ...] = (),
) -> Packing:
    """The packing of ``gains``' bundles with the largest total gain, fewest rollups covered on ties.

    ``start`` is a known packing of some of these bundles (disjoint), whose worth HiGHS is given as a
    cutoff: VCG counterfactuals start from the optimum minus the winner's bundles.
    """
    started = time.perf_counter()
    bundles = sorted(gains)
    member = bundle_matrix(bundles, n)
    sizes = [int(s) for s in member.sum(axis=1)]
    divisor = 0
    for g in gains.values():
        divisor = gcd(divisor, g)
    factor = int(member.any(axis=0).sum()) + 1
    weight = [factor * (gains[b] // divisor) - s for b, s in zip(bundles, sizes, strict=True)]
    per_rollup = np.zeros(n)
    for row, w, s in zip(member, weight, sizes, strict=True):
        np.maximum(per_rollup, np.where(row, w / s, 0.0), out=per_rollup)
    bound = float(per_rollup.sum()) * (1 + 1e-9) + 1
    shift = 0
    while bound / 2**shift > SAFE:
        shift += 1
    cost = [(w + (1 << shift) - 1) >> shift for w in weight]  # = w when shift == 0, else rounded up
    model = _Model(bundles, member, cost, threads)
    if start:
        index = {b: k for k, b in enumerate(bundles)}
        model.cutoff(sum(cost[index[b]] for b in start if b in index))

    def remaining() -> float | None:
        return None if time_limit is None else time_limit - (time.perf_counter() - started)

    best: list[int] = []
    best_weight = 0
    for _ in range(MAX_EXCLUDED):
        chosen, upper, finished = model.run(remaining())
        _check_disjoint(bundles, chosen)
        value = sum(weight[k] for k in chosen)
        if value > best_weight or not best:
            best, best_weight = chosen, value
        if not finished:
            raise ClearingTimeout(
                _gain_of(best, bundles, gains) if best else None,
                (upper * 2**shift + factor) * divisor / factor,
                time.perf_counter() - started,
            )
        proven = int(np.floor(upper + 1e-6))  # W is integral: no packing beats floor(bound)
        if proven << shift <= best_weight:
            break
        if shift == 0:
            raise RuntimeError(f"HiGHS bound {upper} does not prove its packing worth {best_weight} optimal")
        model.exclude(chosen)
    else:
        raise RuntimeError(f"could not separate near-optimal packings within {MAX_EXCLUDED} solves")
    return Packing(tuple(bundles[k] for k in sorted(best)), _gain_of(best, bundles, gains))


def _check_disjoint(bundles: list[int], chosen: list[int]) -> None:
    covered = 0
    for k in chosen:
        if bundles[k] & covered:
            raise RuntimeError("HiGHS returned overlapping bundles")
        covered |= bundles[k]


def _gain_of(chosen: list[int], bundles: list[int], gains: dict[int, int]) -> int:
    return sum(gains[bundles[k]] for k in chosen)

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

import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from math import gcd
from multiprocessing.connection import Connection, wait
from typing import Any

import highspy
import numpy as np
from scipy.sparse import csc_matrix

from seqmarket.clearing.preprocess import bundle_matrix

SAFE = 2**26
MAX_EXCLUDED = 64
RACE_AFTER = 0.1  # seconds of an unproven stage 0 before the portfolio takes over
# HiGHS's sub-MIP heuristics (RINS, RENS) took about a third of the root time on the hard cell and
# found nothing a proof needed; its presolve helps some families and hurts others (below).
NO_SUBMIP = {"mip_heuristic_run_rins": False, "mip_heuristic_run_rens": False}
# The portfolio's racers (method, HiGHS options), see _portfolio; the first also runs alone when no
# core is idle. Lexicographic solve times in seconds, HiGHS 1.12, seeds 0-4 (0-2), first racer /
# second racer (the first without its root reduced-cost heuristic: 3.7 6.9 2.8 3.0 17.7 on the hard cell):
#   arbitrary 100x500  2.9 6.2 2.1 2.4 16.9  /  4.7 35.6 4.0 3.3 48.4
#   L3 32x1000         5.0 5.5 4.0           /  13.1 5.4 6.0
#   arbitrary 64x2000  0.19 6.1 2.9          /  0.22 2.3 0.27
PORTFOLIO: tuple[tuple[str, dict[str, Any]], ...] = (
    ("lexicographic", {"presolve": "off", "mip_heuristic_run_root_reduced_cost": False, **NO_SUBMIP}),
    ("lexicographic", NO_SUBMIP),
)
# Without a lexicographic objective that fits (wei-sized gains whose W passes SAFE): the stages.
STAGED: tuple[tuple[str, dict[str, Any]], ...] = (
    ("staged", {"presolve": "off", **NO_SUBMIP}),
    ("staged", NO_SUBMIP),
)


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

    def __init__(
        self, member: np.ndarray, cost: list[int], threads: int, options: dict[str, Any] | None = None
    ) -> None:
        count = member.shape[0]
        used = np.flatnonzero(member.any(axis=0))
        matrix = csc_matrix(member[:, used].T.astype(np.float64))
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = count, len(used)
        lp.col_cost_ = -np.array(cost, dtype=np.float64)  # HiGHS minimises
        lp.col_lower_ = np.zeros(count)
        lp.col_upper_ = np.ones(count)
        lp.row_lower_ = np.full(len(used), -highspy.kHighsInf)
        lp.row_upper_ = np.ones(len(used))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr
        lp.a_matrix_.index_ = matrix.indices
        lp.a_matrix_.value_ = matrix.data
        lp.integrality_ = [highspy.HighsVarType.kInteger] * count
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
            *(options or {}).items(),
        ):
            self.highs.setOptionValue(option, value)
        self.highs.passModel(lp)
        self.size = count

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

    def fewest_covered(self, units: list[int], sizes: list[int], gain: int, covered: int) -> None:
        """Turn the model into the tie-break stage: packings gaining ``gain`` units covering < ``covered``.

        Exact with integer data: unit totals are below SAFE, so a packing gaining less violates the
        first row by at least 0.5, far beyond the 1e-9 tolerance; the objective becomes min covered.
        """
        everything = np.arange(self.size)
        self.highs.addRow(
            gain - 0.5, highspy.kHighsInf, self.size, everything, np.array(units, dtype=np.float64)
        )
        self.highs.addRow(
            -highspy.kHighsInf, covered - 0.5, self.size, everything, np.array(sizes, dtype=np.float64)
        )
        self.highs.changeColsCost(self.size, everything, np.array(sizes, dtype=np.float64))
        self.highs.setOptionValue("objective_bound", highspy.kHighsInf)

    def run_tie_break(self, time_limit: float | None) -> tuple[list[int] | None, float, bool]:
        """Solve the tie-break stage: (chosen or None when no such packing exists, lower bound, finished?)."""
        self.highs.setOptionValue(
            "time_limit", highspy.kHighsInf if time_limit is None else max(time_limit, 0.0)
        )
        self.highs.run()
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return None, highspy.kHighsInf, True
        info = self.highs.getInfo()
        chosen: list[int] = []
        if info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible:
            values = self.highs.getSolution().col_value
            chosen = [k for k in range(self.size) if values[k] > 0.5]
        if status == highspy.HighsModelStatus.kOptimal:
            return chosen, info.mip_dual_bound, True
        if status in (highspy.HighsModelStatus.kTimeLimit, highspy.HighsModelStatus.kInterrupt):
            return chosen, info.mip_dual_bound, False
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
    race_after: float | None = RACE_AFTER,
    tie_rule: bool = True,
) -> Packing:
    """The packing of ``gains``' bundles with the largest total gain, fewest rollups covered on ties.

    With ``tie_rule=False`` only the gain need be optimal (the stages skip their tie-break): enough for a
    VCG counterfactual, where only W(-i) matters.

    ``start`` is a known packing of some of these bundles (disjoint), whose worth HiGHS is given as a
    cutoff: VCG counterfactuals start from the optimum minus the winner's bundles. When the gains
    (over their gcd) are small, _small_gains runs (stage 0, then the portfolio); wei-sized gains with no
    common factor use the lexicographic objective below. ``race_after`` (seconds, None = never):
    a stage 0 still unproven after that long hands over to a portfolio (see _portfolio).
    """
    started = time.perf_counter()
    bundles = sorted(gains)
    member = bundle_matrix(bundles, n)
    sizes = [int(s) for s in member.sum(axis=1)]
    divisor = 0
    for g in gains.values():
        divisor = gcd(divisor, g)
    units = [gains[b] // divisor for b in bundles]
    if _fractional_bound(member, units, sizes) <= SAFE:
        return _small_gains(
            bundles, member, sizes, units, divisor, threads, start, started, time_limit, race_after, tie_rule
        )
    factor = int(member.any(axis=0).sum()) + 1
    weight = [factor * u - s for u, s in zip(units, sizes, strict=True)]
    bound = _fractional_bound(member, weight, sizes)
    shift = 0
    while bound / 2**shift > SAFE:
        shift += 1
    cost = [(w + (1 << shift) - 1) >> shift for w in weight]  # = w when shift == 0, else rounded up
    model = _Model(member, cost, threads)
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


def _fractional_bound(member: np.ndarray, weight: list[int], sizes: list[int]) -> float:
    """Upper bound on any packing's total weight: sum over rollups of max_{B ni i} w(B)/|B|, plus slack."""
    ratio = np.array([w / s for w, s in zip(weight, sizes, strict=True)], dtype=np.float64)
    per_rollup = np.where(member, ratio[:, None], 0.0).max(axis=0, initial=0.0)
    return float(np.maximum(per_rollup, 0.0).sum()) * (1 + 1e-9) + 1


def _small_gains(
    bundles: list[int],
    member: np.ndarray,
    sizes: list[int],
    units: list[int],
    divisor: int,
    threads: int,
    start: tuple[int, ...],
    started: float,
    time_limit: float | None,
    race_after: float | None,
    tie_rule: bool = True,
) -> Packing:
    """Small integer gains (every packing's total below SAFE): maximise gain, then break ties exactly.

    Stage 0 (when W fits below SAFE too) is the one-solve lexicographic objective, for at most
    ``race_after`` seconds. Then _portfolio: the same lexicographic solve with presolve, raced
    against the stages. Stage 1 maximises the plain gain (in units of the gcd): the coarse integer
    objective lets HiGHS prune every node whose bound is below the incumbent + 1, which the finer
    lexicographic objective cannot (it took 2-3x the nodes on hard "arbitrary" seed 1). Its packing P
    is optimal once the dual bound is below gain(P) + 1. Stage 2 asks for a packing with
    gain >= gain(P) covering fewer rollups than P, minimising the rollups covered; infeasible means P
    already satisfies the tie rule.
    Both stages' answers are re-checked with Python integers. Without ``tie_rule`` stage 2 is skipped.
    """

    def remaining() -> float | None:
        return None if time_limit is None else time_limit - (time.perf_counter() - started)

    def exact(chosen: list[int]) -> int:
        _check_disjoint(bundles, chosen)
        return sum(units[k] for k in chosen)

    def gain_of(chosen: list[int]) -> int:
        return divisor * sum(units[k] for k in chosen)

    index = {b: k for k, b in enumerate(bundles)}
    at_least = sum(units[index[b]] for b in start if b in index)
    left = remaining()
    first = left if race_after is None else (race_after if left is None else min(left, race_after))
    can_race = race_after is not None and threads == 1 and (left is None or left > race_after)
    # The lexicographic W even when only the value is asked for: HiGHS proved VCG counterfactuals of
    # regions 100x500 faster with it than with the plain gain (0.25-0.29 s against 0.30-0.59 s).
    factor = int(member.any(axis=0).sum()) + 1
    weight = [factor * u - s for u, s in zip(units, sizes, strict=True)]
    model: _Model | None = None
    known = [index[b] for b in start if b in index]  # the start packing, as columns
    floor_w = value = 0
    if _fractional_bound(member, weight, sizes) <= SAFE:
        # Stage 0: the lexicographic objective W = (k + 1) * units - covered in one exact solve, here,
        # with the first racer's options (presolve off: HiGHS's presolve dominated easy solves, e.g.
        # L2 64x2000: 1.65 s with it, 0.08 s without). Most components end here; after ``race_after``
        # seconds the portfolio takes over.
        floor_w = sum(weight[index[b]] for b in start if b in index)  # a known packing's W
        chosen: list[int] = []
        finished = False
        upper = float("inf")
        if first is None or first > 0:
            stage0 = _Model(member, weight, threads, PORTFOLIO[0][1])
            if floor_w > 0:
                stage0.cutoff(floor_w)
            chosen, upper, finished = stage0.run(first)
            _check_disjoint(bundles, chosen)
            value = sum(weight[k] for k in chosen)
        if floor_w > value or not chosen:
            chosen, value = known, floor_w  # the known packing reaches every cutoff used
        if finished:
            if int(np.floor(upper + 1e-6)) > value or not chosen:
                raise RuntimeError(f"HiGHS bound {upper} does not prove its packing worth {value} optimal")
            return Packing(tuple(bundles[k] for k in sorted(chosen)), gain_of(chosen))
        best, best_units = chosen, exact(chosen)
        bound = (upper + factor) * divisor / factor
    else:
        model = _Model(member, units, threads)
        if start:
            model.cutoff(at_least)
        chosen, upper, finished = model.run(first)
        if at_least > exact(chosen):
            chosen = known
        best, best_units = chosen, exact(chosen)
        bound = upper * divisor
    tie: tuple[list[int] | None, float, bool] | None = None
    if not finished and can_race:
        # Stage 0 did not finish: a portfolio takes over (see _portfolio).
        lex_best = best
        outcome = _portfolio(
            member,
            units,
            sizes,
            weight if model is None else None,
            value,
            max(at_least, best_units),
            remaining(),
            _idle_core(),
            lambda chosen: (exact(chosen), sum(sizes[k] for k in chosen)),
        )
        chosen, upper, finished = outcome.chosen, outcome.upper, outcome.finished
        if outcome.kind == "lexicographic":
            _check_disjoint(bundles, outcome.chosen)
            if outcome.chosen and sum(weight[k] for k in outcome.chosen) > value:
                chosen, value = outcome.chosen, sum(weight[k] for k in outcome.chosen)
            else:
                chosen = lex_best  # a known packing worth the racer's cutoff
            if not finished:
                raise ClearingTimeout(
                    gain_of(chosen) if chosen else None,
                    (upper + factor) * divisor / factor,
                    time.perf_counter() - started,
                )
            if int(np.floor(upper + 1e-6)) > value or not chosen:
                raise RuntimeError(f"HiGHS bound {upper} does not prove its packing worth {value} optimal")
            return Packing(tuple(bundles[k] for k in sorted(chosen)), gain_of(chosen))
        bound = upper * divisor
        if exact(chosen) > best_units or not best:
            best, best_units = chosen, exact(chosen)
        tie = outcome.tie
    if not finished:
        raise ClearingTimeout(gain_of(best) if best else None, bound, time.perf_counter() - started)
    if int(np.floor(upper + 1e-6)) > best_units or not best:
        raise RuntimeError(f"HiGHS bound {upper} does not prove its packing worth {best_units} optimal")
    covered = sum(sizes[k] for k in best)
    if tie_rule and covered > 2:  # a positive gain needs a bundle of >= 2 rollups: 2 cannot be beaten
        # Stage 2: rows gain >= gain(P) and covered <= covered(P) - 1, minimising the rollups covered
        # (already run by the portfolio when it raced).
        if tie is None:
            tie = _tie_break(member, units, sizes, best_units, covered, remaining())
        fewest, lower, finished = tie
        if not finished:
            raise ClearingTimeout(gain_of(best), best_units * divisor, time.perf_counter() - started)
        if fewest is not None:
            if exact(fewest) != best_units or sum(sizes[k] for k in fewest) >= covered:
                raise RuntimeError(
                    "HiGHS's tie-break packing does not tie on gain with fewer rollups covered"
                )
            if int(np.ceil(lower - 1e-6)) < sum(sizes[k] for k in fewest):
                raise RuntimeError(f"HiGHS bound {lower} does not prove its tie-break packing minimal")
            best = fewest
    return Packing(tuple(bundles[k] for k in sorted(best)), gain_of(best))


def _tie_break(
    member: np.ndarray, units: list[int], sizes: list[int], gain: int, covered: int, limit: float | None
) -> tuple[list[int] | None, float, bool]:
    """Stage 2: a packing gaining ``gain`` units that covers fewer than ``covered`` rollups, fewest first.

    Presolve off: on these dense set-packing models HiGHS's presolve cost more than the search (0.7 s
    against 0.03 s on "regions" 32x1000; 2.0 s against 1.1 s on "arbitrary" 100x500), and the rows beat
    a W-objective cutoff (4.4 s there).
    """
    tie = _Model(member, units, 1, {"presolve": "off"})
    tie.fewest_covered(units, sizes, gain, covered)
    return tie.run_tie_break(limit)


@dataclass(frozen=True)
class _Outcome:
    """What the portfolio proved: the lexicographic optimum, or stage 1 (and maybe stage 2) of the stages."""

    kind: str  # "lexicographic" or "staged"
    chosen: list[int]
    upper: float
    finished: bool
    tie: tuple[list[int] | None, float, bool] | None = None


def _portfolio(
    member: np.ndarray,
    units: list[int],
    sizes: list[int],
    weight: list[int] | None,
    lex_cutoff: int,
    gain_cutoff: int,
    limit: float | None,
    racing: bool,
    measure: Callable[[list[int]], tuple[int, int]],
) -> _Outcome:
    """The hard part of a component, by whichever racer proves it first.

    A racer is a method and HiGHS options (PORTFOLIO): the lexicographic solve (``weight``), or, when
    W does not fit below SAFE (``weight`` None), the stages (STAGED: plain gain, then the tie-break).
    HiGHS's time to a proof varies up to 10x with its presolve, in both directions by instance family,
    so with an idle core every racer runs in its own forked process and the first complete proof wins
    (a stage 1 proof starts its tie-break while the others keep going). Without an idle core the first
    racer runs here (the caller then runs any tie-break). ``measure`` gives (exact gain units, rollups
    covered) of a packing. Results are only candidates: the caller re-checks packings and bounds.
    """
    entries = PORTFOLIO if weight is not None else STAGED
    if not racing:
        kind, options = entries[0]
        if kind == "lexicographic" and weight is not None:
            return _Outcome(kind, *_solve(member, weight, options, lex_cutoff, limit))
        return _Outcome(kind, *_solve(member, units, options, gain_cutoff, limit))
    # fork: a racer starts in milliseconds with the model data already in memory, and, unlike spawn or
    # forkserver, never re-imports the caller's __main__. Safe here because HiGHS with threads=1 starts
    # no threads of its own (a forked child only inherits the forking thread).
    context = multiprocessing.get_context("fork")
    deadline = None if limit is None else time.perf_counter() + limit
    racers: dict[Connection, tuple[str, multiprocessing.process.BaseProcess]] = {}

    def start(kind: str, job: tuple[Any, ...]) -> None:
        receive, send = context.Pipe(duplex=False)
        left = None if deadline is None else max(0.0, deadline - time.perf_counter())
        process = context.Process(target=_race_worker, args=(send, job, left), daemon=True)
        process.start()
        send.close()
        racers[receive] = (kind, process)

    for kind, options in entries:
        if kind == "lexicographic":
            start(kind, ("solve", member, weight, options, lex_cutoff))
        else:
            start(kind, ("solve", member, units, options, gain_cutoff))
    stage1: tuple[list[int], float, bool] | None = None
    unfinished: _Outcome | None = None
    try:
        while racers:
            timeout = None if deadline is None else max(0.0, deadline - time.perf_counter() + 5.0)
            ready = wait(list(racers), timeout)
            if not ready:
                break
            for conn in ready:
                receiver: Connection = conn  # type: ignore[assignment]
                kind, process = racers.pop(receiver)
                try:
                    status, payload = receiver.recv()
                except EOFError:
                    continue
                finally:
                    receiver.close()
                    process.join()
                if status != "ok":
                    continue
                if kind == "lexicographic":
                    if payload[2]:
                        return _Outcome(kind, *payload)
                    unfinished = unfinished or _Outcome(kind, *payload)
                elif kind == "staged":
                    if not payload[2]:
                        unfinished = unfinished or _Outcome(kind, *payload)
                    elif stage1 is None:  # the first stage 1 proof starts the tie-break
                        stage1 = payload
                        gain, covered = measure(payload[0])
                        if covered <= 2:
                            return _Outcome(kind, *payload)
                        start("tie", ("tie", member, units, sizes, gain, covered))
                else:  # the stages' tie-break
                    assert stage1 is not None
                    if payload[2]:
                        return _Outcome("staged", *stage1, tie=payload)
                    unfinished = _Outcome("staged", *stage1, tie=payload)
    finally:
        for conn, (_, process) in racers.items():
            if process.is_alive():
                process.terminate()
            process.join()
            conn.close()
    if unfinished is not None:
        return unfinished
    return _Outcome("staged", [], float("inf"), False)


def _idle_core() -> bool:
    """Whether a second process would get a core of its own (1-minute load average <= cores - 0.5).

    Racing on a machine whose other core is busy splits one core between the racers and is slower
    than one in-process solve (measured: 12 s against 6 s on a loaded 2-core machine).
    """
    try:
        return os.getloadavg()[0] <= (os.cpu_count() or 1) - 0.5  # this process counts about 1
    except OSError:
        return False


def _solve(
    member: np.ndarray, cost: list[int], options: dict[str, Any], cutoff: int, limit: float | None
) -> tuple[list[int], float, bool]:
    """One single-threaded HiGHS solve from a known packing worth ``cutoff``: (chosen, bound, finished?)."""
    model = _Model(member, cost, 1, options)
    model.cutoff(cutoff)
    return model.run(limit)


def _race_worker(conn: Connection, job: tuple[Any, ...], limit: float | None) -> None:
    """A racer in its own process: a "solve" or a "tie" job (see _portfolio); sends its result."""
    try:
        if job[0] == "solve":
            _, member, cost, options, cutoff = job
            conn.send(("ok", _solve(member, cost, options, cutoff, limit)))
        else:
            _, member, units, sizes, gain, covered = job
            conn.send(("ok", _tie_break(member, units, sizes, gain, covered, limit)))
    except BaseException as err:
        conn.send(("error", repr(err)))
    finally:
        conn.close()


def _check_disjoint(bundles: list[int], chosen: list[int]) -> None:
    covered = 0
    for k in chosen:
        if bundles[k] & covered:
            raise RuntimeError("HiGHS returned overlapping bundles")
        covered |= bundles[k]


def _gain_of(chosen: list[int], bundles: list[int], gains: dict[int, int]) -> int:
    return sum(gains[bundles[k]] for k in chosen)

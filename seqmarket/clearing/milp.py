"""Exact max-weight set packing with HiGHS (highspy), with integer certificates.

HiGHS works in floating point, so a raw MILP optimum is not trusted as exact. Three rules make the
answer exact:

1. Integer objective. Gains are divided by their gcd and made lexicographic with the tie rule:
   W(B) = (k + 1) * gain(B) / gcd - |B|, where k is the number of rollups in play. A packing with the
   largest W has the largest gain and, among those, covers the fewest rollups (covered <= k < k + 1).
2. Small numbers or a second solve. When every packing's W is provably below SAFE = 2**29 (checked
   with the fractional bound sum_i max_{B ni i} W(B)/|B|), the coefficients are exact doubles and
   HiGHS's bound is off by less than 0.07 of the one unit that separates two packings: a row violated
   by tol, priced by its dual y_i, moves the bound by y_i * tol, and the duals sum to at most the
   bound, so the error is at most bound * tol (tol 1e-9 up to 2**26, 1e-10 up to 2**29: _tolerance).
   The solver's dual bound must then be below W(P) + 1 for the returned packing P. Larger numbers (wei
   amounts with no common factor) are rounded UP to u(B) = ceil(W(B) / 2**s) <= 2**29 scale: every
   packing Q has W(Q) <= 2**s * u(Q), so once the best packing found has exact W >= 2**s times HiGHS's proven
   bound on u over the packings not yet evaluated, it is optimal. Packings that the rounding cannot
   separate are evaluated exactly and excluded with a no-good cut, one by one (usually one extra solve).
3. Exact re-check. The chosen bundles are checked to be disjoint and re-valued with Python integers;
   nothing the solver reports as a value is used as a value.

A time limit that stops HiGHS raises ClearingTimeout with the best exact value found and the gap; an
approximate answer is never returned as if it were optimal.
"""

from __future__ import annotations

import math
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
from seqmarket.errors import ClearingTimeout, SolverError

SAFE = 2**29  # the largest packing total solved exactly (with the tight tolerance)
LOOSE_UP_TO = 2**26  # totals up to here keep HiGHS's 1e-9 tolerances: error bound * tol <= 0.067
TIGHT = 1e-10  # HiGHS's smallest feasibility tolerance: error <= 2**29 * 1e-10 = 0.054
MAX_EXCLUDED = 64
RACE_AFTER = 0.1  # seconds of an unproven stage 0 before the other racers start
POLL_EVERY = 0.002  # seconds between stage 0's looks at the racers
# HiGHS's sub-MIP heuristics (RINS, RENS) took about a third of the root time on the hard cell and
# found nothing a proof needed; its presolve helps some families and hurts others (below).
NO_SUBMIP = {"mip_heuristic_run_rins": False, "mip_heuristic_run_rens": False}
# The racers (method, HiGHS options), see _Race: the first is stage 0 (in-process, and alone when no
# core is idle), the others join it in forked processes after RACE_AFTER. Lexicographic solve times in
# seconds, HiGHS 1.12, seeds 0-4 (0-2), first racer / second racer (the first without its root
# reduced-cost heuristic: 3.7 6.9 2.8 3.0 17.7 on the hard cell):
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


@dataclass(frozen=True)
class Packing:
    """An optimal packing of one component: its bundles (ascending) and exact total gain."""

    bundles: tuple[int, ...]
    gain: int


@cache
def silence_banner() -> None:
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

    def __init__(self, member: np.ndarray, cost: list[int], options: dict[str, Any] | None = None) -> None:
        count = member.shape[0]
        tolerance = _tolerance(member, cost)
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
        silence_banner()
        self.highs = highspy.Highs()
        for option, value in (
            ("output_flag", False),
            ("mip_rel_gap", 0.0),
            ("mip_abs_gap", 1e-6),
            ("primal_feasibility_tolerance", tolerance),
            ("dual_feasibility_tolerance", tolerance),
            ("mip_feasibility_tolerance", tolerance),
            # One thread: HiGHS fixes its thread pool at the first solve in a process (a later "threads"
            # fails the run), its parallel MIP was no faster here, and the second core runs a racer.
            ("threads", 1),
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
        raise SolverError(f"HiGHS stopped with status {self.highs.modelStatusToString(status)}")

    def fewest_covered(self, units: list[int], sizes: list[int], gain: int, covered: int) -> None:
        """Turn the model into the tie-break stage: packings gaining ``gain`` units covering < ``covered``.

        Exact with integer data: unit totals are below SAFE, so a packing gaining less violates the
        first row by at least 0.5, far beyond the tolerance; the objective becomes min covered.
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
        raise SolverError(f"HiGHS stopped with status {self.highs.modelStatusToString(status)}")

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
    start: tuple[int, ...] = (),
    race_after: float | None = RACE_AFTER,
    tie_rule: bool = True,
) -> Packing:
    """The packing of ``gains``' bundles with the largest total gain, fewest rollups covered on ties.

    With ``tie_rule=False`` only the gain need be optimal (the stages skip their tie-break): enough for a
    VCG counterfactual, where only W(-i) matters.

    ``start`` is a known packing of some of these bundles (disjoint), whose worth HiGHS is given as a
    cutoff: VCG counterfactuals start from the optimum minus the winner's bundles. When the gains
    (over their gcd) are small, _small_gains runs (stage 0, joined by the other racers); wei-sized gains
    with no common factor use the lexicographic objective below. ``race_after`` (seconds, None = never):
    a stage 0 still unproven after that long is joined by the other racers (see _small_gains).
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
            bundles, member, sizes, units, divisor, start, started, time_limit, race_after, tie_rule
        )
    factor = int(member.any(axis=0).sum()) + 1
    weight = [factor * u - s for u, s in zip(units, sizes, strict=True)]
    bound = _fractional_bound(member, weight, sizes)
    shift = 0
    while bound / 2**shift > SAFE:
        shift += 1
    cost = [(w + (1 << shift) - 1) >> shift for w in weight]  # = w when shift == 0, else rounded up
    model = _Model(member, cost)
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
            raise SolverError(f"HiGHS bound {upper} does not prove its packing worth {best_weight} optimal")
        model.exclude(chosen)
    else:
        raise SolverError(f"could not separate near-optimal packings within {MAX_EXCLUDED} solves")
    return Packing(tuple(bundles[k] for k in sorted(best)), _gain_of(best, bundles, gains))


def _tolerance(member: np.ndarray, cost: list[int]) -> float:
    """HiGHS's feasibility tolerances for a model with these costs: 1e-9 up to 2**26, else 1e-10.

    1e-9 wherever it suffices: every model below 2**26 keeps the settings its timings were measured with.
    """
    sizes = [int(s) for s in member.sum(axis=1)]
    bound = _fractional_bound(member, [abs(c) for c in cost], sizes) if cost else 0.0
    return 1e-9 if bound <= LOOSE_UP_TO else TIGHT


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
    start: tuple[int, ...],
    started: float,
    time_limit: float | None,
    race_after: float | None,
    tie_rule: bool = True,
) -> Packing:
    """Small integer gains (every packing's total below SAFE): maximise gain, then break ties exactly.

    When W fits below SAFE too, stage 0 is the one-solve lexicographic objective here, with the first
    racer's options. After ``race_after`` seconds without a proof, and with a core idle, the other racers
    start in forked processes while stage 0 goes on (a HiGHS callback starts them and polls for their
    proofs): the first complete proof wins (see _Race). ``race_after`` 0 races every entry from the
    start, stage 0 included, in forked processes.
    Otherwise (W too large) the stages: stage 1 maximises the plain gain (in units of the gcd); its
    packing P is optimal once the dual bound is below gain(P) + 1. Stage 2 asks for a packing with
    gain >= gain(P) covering fewer rollups than P, minimising the rollups covered; infeasible means P
    already satisfies the tie rule. A racer may also be the stages.
    Every answer is re-checked with Python integers. Without ``tie_rule`` stage 2 is skipped.
    """

    def remaining() -> float | None:
        return None if time_limit is None else time_limit - (time.perf_counter() - started)

    def exact(chosen: list[int]) -> int:
        _check_disjoint(bundles, chosen)
        return sum(units[k] for k in chosen)

    def gain_of(chosen: list[int]) -> int:
        return divisor * sum(units[k] for k in chosen)

    def measure(chosen: list[int]) -> tuple[int, int]:
        return exact(chosen), sum(sizes[k] for k in chosen)

    index = {b: k for k, b in enumerate(bundles)}
    at_least = sum(units[index[b]] for b in start if b in index)
    known = [index[b] for b in start if b in index]  # the start packing, as columns
    left = remaining()
    can_race = race_after is not None and (left is None or left > race_after)
    # The lexicographic W even when only the value is asked for: HiGHS proved VCG counterfactuals of
    # regions 100x500 faster with it than with the plain gain (0.25-0.29 s against 0.30-0.59 s).
    factor = int(member.any(axis=0).sum()) + 1
    weight = [factor * u - s for u, s in zip(units, sizes, strict=True)]
    lexicographic = _fractional_bound(member, weight, sizes) <= SAFE
    floor_w = sum(weight[k] for k in known) if lexicographic else 0  # the start packing's W
    outcome: _Outcome | None = None
    if lexicographic and race_after == 0 and can_race:
        outcome = _Race(member, units, sizes, weight, floor_w, at_least, remaining(), measure).run(PORTFOLIO)
    elif lexicographic:
        # Stage 0: W = (k + 1) * units - covered in one exact solve, here, with the first racer's options
        # (presolve off: HiGHS's presolve dominated easy solves, e.g. L2 64x2000: 1.65 s with it, 0.08 s
        # without). Most components end here, before any racer starts.
        stage0 = _Model(member, weight, PORTFOLIO[0][1])
        if floor_w > 0:
            stage0.cutoff(floor_w)
        race: _Race | None = None
        failure: list[BaseException] = []
        if can_race and race_after is not None:
            rivals = PORTFOLIO[1:] if PORTFOLIO[0][0] == "lexicographic" else PORTFOLIO
            retry_after = race_after
            wake = time.perf_counter() + race_after

            def on_interrupt(event: Any) -> None:
                # Runs inside HiGHS: an exception must not unwind through it, so it stops the solve.
                nonlocal race, wake
                now = time.perf_counter()
                if now < wake:
                    return
                wake = now + POLL_EVERY
                try:
                    if race is None:
                        if not rivals:
                            wake = math.inf
                            return
                        if not _idle_core():
                            wake = now + retry_after  # no core to race on now: stage 0 goes on, asks again
                            return
                        # Racers start from stage 0's incumbent (its packing is what stage 0 returns).
                        incumbent = event.data_out.mip_primal_bound
                        cutoff = max(floor_w, round(-incumbent) if math.isfinite(incumbent) else 0)
                        race = _Race(member, units, sizes, weight, cutoff, at_least, remaining(), measure)
                        race.start_all(rivals)
                    elif race.poll():
                        event.interrupt()
                except BaseException as err:
                    failure.append(err)
                    event.interrupt()

            stage0.highs.cbMipInterrupt.subscribe(on_interrupt)
        try:
            run = stage0.run(left) if left is None or left > 0 else ([], math.inf, False)
        finally:
            if race is not None:
                race.close()
        if failure:
            raise failure[0]
        outcome = _Outcome("lexicographic", *run)
        if race is not None and race.won is not None and not outcome.finished:
            won = race.won
            if won.kind == "lexicographic" and _value(weight, won.chosen) < _value(weight, outcome.chosen):
                won = _Outcome(won.kind, outcome.chosen, won.upper, won.finished)  # stage 0's is better
            outcome = won
    else:
        model = _Model(member, units)
        if start:
            model.cutoff(at_least)
        first = left if race_after is None or not can_race else min(race_after, left or math.inf)
        stage1 = _Outcome("staged", *model.run(first))
        if stage1.finished or not can_race:
            outcome = stage1
        else:
            cutoff = max(at_least, exact(stage1.chosen))
            outcome = _Race(member, units, sizes, None, 0, cutoff, remaining(), measure).run(STAGED)
            if not outcome.chosen or exact(stage1.chosen) > exact(outcome.chosen):
                outcome = _Outcome(outcome.kind, stage1.chosen, outcome.upper, outcome.finished, outcome.tie)
    if outcome.kind == "lexicographic":
        chosen, upper = outcome.chosen, outcome.upper
        _check_disjoint(bundles, chosen)
        value = sum(weight[k] for k in chosen)
        if floor_w > value or not chosen:
            chosen, value = known, floor_w  # the known packing reaches every cutoff used
        if not outcome.finished:
            raise ClearingTimeout(
                gain_of(chosen) if chosen else None,
                (upper + factor) * divisor / factor,
                time.perf_counter() - started,
            )
        if int(np.floor(upper + 1e-6)) > value or not chosen:
            raise SolverError(f"HiGHS bound {upper} does not prove its packing worth {value} optimal")
        return Packing(tuple(bundles[k] for k in sorted(chosen)), gain_of(chosen))
    best, upper = outcome.chosen, outcome.upper
    if at_least > exact(best) or not best:
        best = known
    best_units = exact(best)
    if not outcome.finished:
        raise ClearingTimeout(gain_of(best) if best else None, upper * divisor, time.perf_counter() - started)
    if int(np.floor(upper + 1e-6)) > best_units or not best:
        raise SolverError(f"HiGHS bound {upper} does not prove its packing worth {best_units} optimal")
    covered = sum(sizes[k] for k in best)
    if tie_rule and covered > 2:  # a positive gain needs a bundle of >= 2 rollups: 2 cannot be beaten
        # Stage 2: rows gain >= gain(P) and covered <= covered(P) - 1, minimising the rollups covered
        # (already run by the race when a racer proved stage 1).
        tie = outcome.tie
        if tie is None:
            tie = _tie_break(member, units, sizes, best_units, covered, remaining())
        fewest, lower, finished = tie
        if not finished:
            raise ClearingTimeout(gain_of(best), best_units * divisor, time.perf_counter() - started)
        if fewest is not None:
            if exact(fewest) != best_units or sum(sizes[k] for k in fewest) >= covered:
                raise SolverError("HiGHS's tie-break packing does not tie on gain with fewer rollups covered")
            if int(np.ceil(lower - 1e-6)) < sum(sizes[k] for k in fewest):
                raise SolverError(f"HiGHS bound {lower} does not prove its tie-break packing minimal")
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
    tie = _Model(member, units, {"presolve": "off"})
    tie.fewest_covered(units, sizes, gain, covered)
    return tie.run_tie_break(limit)


@dataclass(frozen=True)
class _Outcome:
    """What a solve proved: the lexicographic optimum, or stage 1 (and maybe stage 2) of the stages."""

    kind: str  # "lexicographic" or "staged"
    chosen: list[int]
    upper: float
    finished: bool
    tie: tuple[list[int] | None, float, bool] | None = None


class _Race:
    """Racers in forked processes; the first complete proof wins.

    A racer is a method and HiGHS options (PORTFOLIO, STAGED): the lexicographic solve (``weight``), or
    the stages (plain gain, then the tie-break; a stage 1 proof starts its tie-break while the others
    keep going). HiGHS's time to a proof varies up to 10x with its presolve, in both directions by
    instance family, so racing both settings beats guessing. ``measure`` gives (exact gain units, rollups
    covered) of a packing. Results are only candidates: the caller re-checks packings and bounds.

    fork: a racer starts in milliseconds with the model data already in memory, and, unlike spawn or
    forkserver, never re-imports the caller's __main__. Safe here because HiGHS with threads=1 starts no
    threads of its own (a forked child only inherits the forking thread), and a child never returns
    into the parent's solve: it runs its own model and exits.
    """

    def __init__(
        self,
        member: np.ndarray,
        units: list[int],
        sizes: list[int],
        weight: list[int] | None,
        lex_cutoff: int,
        gain_cutoff: int,
        limit: float | None,
        measure: Callable[[list[int]], tuple[int, int]],
    ) -> None:
        self._member, self._units, self._sizes, self._weight = member, units, sizes, weight
        self._lex_cutoff, self._gain_cutoff, self._measure = lex_cutoff, gain_cutoff, measure
        self._deadline = None if limit is None else time.perf_counter() + limit
        self._context = multiprocessing.get_context("fork")
        self._racers: dict[Connection, tuple[str, multiprocessing.process.BaseProcess]] = {}
        self._stage1: tuple[list[int], float, bool] | None = None
        self._unfinished: _Outcome | None = None
        self.won: _Outcome | None = None

    def run(self, entries: tuple[tuple[str, dict[str, Any]], ...]) -> _Outcome:
        """Race ``entries`` to the end: the winner, else the best unfinished result. Without an idle core
        the first entry runs here alone (racing on a busy machine splits one core)."""
        if not _idle_core():
            kind, options = entries[0]
            if kind == "lexicographic" and self._weight is not None:
                cost, cutoff = self._weight, self._lex_cutoff
            else:
                kind, cost, cutoff = "staged", self._units, self._gain_cutoff
            return _Outcome(kind, *_solve(self._member, cost, options, cutoff, self._left()))
        self.start_all(entries)
        try:
            while self._racers and self.won is None:
                left = self._left()
                ready = wait(list(self._racers), None if left is None else max(0.0, left) + 5.0)
                if not ready:
                    break
                for conn in ready:
                    self._receive(conn)  # type: ignore[arg-type]
        finally:
            self.close()
        return self.won or self._unfinished or _Outcome("staged", [], float("inf"), False)

    def start_all(self, entries: tuple[tuple[str, dict[str, Any]], ...]) -> None:
        """Start one forked racer per entry."""
        for kind, options in entries:
            if kind == "lexicographic" and self._weight is not None:
                self._start(kind, ("solve", self._member, self._weight, options, self._lex_cutoff))
            else:
                self._start("staged", ("solve", self._member, self._units, options, self._gain_cutoff))

    def poll(self, timeout: float | None = 0.0) -> bool:
        """Collect what racers have sent (waiting up to ``timeout``); True once one has a complete proof."""
        for conn in wait(list(self._racers), timeout):
            self._receive(conn)  # type: ignore[arg-type]
        return self.won is not None

    def close(self) -> None:
        """Stop every racer still running."""
        for conn, (_, process) in self._racers.items():
            if process.is_alive():
                process.terminate()
            process.join()
            conn.close()
        self._racers.clear()

    def _left(self) -> float | None:
        return None if self._deadline is None else self._deadline - time.perf_counter()

    def _start(self, kind: str, job: tuple[Any, ...]) -> None:
        receive, send = self._context.Pipe(duplex=False)
        left = self._left()
        process = self._context.Process(
            target=_race_worker, args=(send, job, None if left is None else max(0.0, left)), daemon=True
        )
        process.start()
        send.close()
        self._racers[receive] = (kind, process)

    def _receive(self, receiver: Connection) -> None:
        kind, process = self._racers.pop(receiver)
        try:
            status, payload = receiver.recv()
        except EOFError:
            return
        finally:
            receiver.close()
            process.join()
        if status != "ok":
            return
        if kind == "lexicographic":
            if payload[2]:
                self.won = _Outcome(kind, *payload)
            else:
                self._unfinished = self._unfinished or _Outcome(kind, *payload)
        elif kind == "staged":
            if not payload[2]:
                self._unfinished = self._unfinished or _Outcome(kind, *payload)
            elif self._stage1 is None:  # the first stage 1 proof starts the tie-break
                self._stage1 = payload
                gain, covered = self._measure(payload[0])
                if covered <= 2:
                    self.won = _Outcome(kind, *payload)
                else:
                    self._start("tie", ("tie", self._member, self._units, self._sizes, gain, covered))
        else:  # the stages' tie-break
            assert self._stage1 is not None
            if payload[2]:
                self.won = _Outcome("staged", *self._stage1, tie=payload)
            else:
                self._unfinished = _Outcome("staged", *self._stage1, tie=payload)


def _idle_core() -> bool:
    """Whether a second process would get a core of its own: fewer tasks runnable right now than cores.

    Racing on a machine whose other core is busy splits one core between the racers and is slower
    than one in-process solve (measured: 12 s against 6 s on a loaded 2-core machine). The count is
    the kernel's instantaneous one (this process included). The 1-minute load average, used before,
    lags and keeps counting this process's own finished racers: in 110 s of back-to-back hard solves
    on an otherwise idle machine it refused 8 of 31 races. Without /proc, that average.
    """
    cores = os.cpu_count() or 1
    running = _runnable()
    if running is not None:
        return running <= cores - 1
    try:
        return os.getloadavg()[0] <= cores - 0.5  # this process counts about 1
    except OSError:
        return False


def _runnable() -> int | None:
    """Tasks runnable at this instant, this one included (Linux /proc/loadavg), or None if unknown."""
    try:
        with open("/proc/loadavg") as loadavg:
            return int(loadavg.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return None


def _solve(
    member: np.ndarray, cost: list[int], options: dict[str, Any], cutoff: int, limit: float | None
) -> tuple[list[int], float, bool]:
    """One single-threaded HiGHS solve from a known packing worth ``cutoff``: (chosen, bound, finished?)."""
    model = _Model(member, cost, options)
    model.cutoff(cutoff)
    return model.run(limit)


def _race_worker(conn: Connection, job: tuple[Any, ...], limit: float | None) -> None:
    """A racer in its own process: a "solve" or a "tie" job (see _Race); sends its result."""
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


def _value(weight: list[int], chosen: list[int]) -> int:
    return sum(weight[k] for k in chosen)


def _check_disjoint(bundles: list[int], chosen: list[int]) -> None:
    covered = 0
    for k in chosen:
        if bundles[k] & covered:
            raise SolverError("HiGHS returned overlapping bundles")
        covered |= bundles[k]


def _gain_of(chosen: list[int], bundles: list[int], gains: dict[int, int]) -> int:
    return sum(gains[bundles[k]] for k in chosen)

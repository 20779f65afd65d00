"""HiGHS (highspy) as the set-packing backend: one component as a MILP, solved or stopped, never trusted.

The adapter builds the model, applies the tolerances it is given, and reports what HiGHS proved as a
Solution with a Status. It decides nothing: exact.py says which tolerance a model needs, and the caller
re-checks every packing and bound with Python integers.
"""

from __future__ import annotations

import enum
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import highspy
import numpy as np
from scipy.sparse import csc_matrix

from seqmarket.errors import SolverError

LOOSE = 1e-9  # HiGHS's default feasibility tolerances, kept wherever the exactness rules allow
TIGHT = 1e-10  # HiGHS's smallest feasibility tolerance
ABSOLUTE_GAP = 1e-6  # far below the one unit that separates two packings' integer objectives
PICKED = 0.5  # a column above this in HiGHS's solution is a chosen bundle (values are 0 or 1 +- tol)
INFINITY = highspy.kHighsInf


class Status(enum.Enum):
    """How a HiGHS solve ended."""

    OPTIMAL = "optimal"  # the bound proves the packing (up to HiGHS's tolerances: re-checked)
    STOPPED = "stopped"  # time limit or an interrupt: the packing and bound are all there is
    INFEASIBLE = "infeasible"  # the tie-break's rows admit no packing


@dataclass(frozen=True)
class Solution:
    """What one solve proved: the chosen columns, HiGHS's bound on the objective, and how it ended.

    ``bound`` is an upper bound when the model maximises (packing value) and a lower bound when it
    minimises (the tie-break's rollups covered); infinite when infeasible.
    """

    chosen: list[int]
    bound: float
    status: Status

    @property
    def finished(self) -> bool:
        """Whether HiGHS completed (a proof or infeasibility), rather than being stopped."""
        return self.status is not Status.STOPPED


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


def packing_lp(member: np.ndarray, cost: np.ndarray, upper: float) -> highspy.HighsLp:
    """The set-packing LP: a column per row of ``member`` worth ``cost`` (maximised: HiGHS is given -cost),
    bounded by ``upper``, and a row per column of ``member`` (a rollup) holding at most one bundle."""
    count, rows = member.shape
    matrix = csc_matrix(member.T.astype(np.float64))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = count, rows
    lp.col_cost_ = -np.asarray(cost, dtype=np.float64)
    lp.col_lower_ = np.zeros(count)
    lp.col_upper_ = np.full(count, upper)
    lp.row_lower_ = np.full(rows, -INFINITY)
    lp.row_upper_ = np.ones(rows)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    return lp


def lp_solver(lp: highspy.HighsLp) -> highspy.Highs:
    """A quiet single-threaded HiGHS holding ``lp``, presolve off (2x faster on these LPs, and a re-solve
    after a cost change starts from the last basis)."""
    silence_banner()
    highs = highspy.Highs()
    for option, value in (("output_flag", False), ("threads", 1), ("presolve", "off")):
        highs.setOptionValue(option, value)
    highs.passModel(lp)
    return highs


class Progress:
    """What a watcher may read at one of HiGHS's interrupt points (read lazily: they come ~1000 a second)."""

    __slots__ = ("event",)

    def __init__(self) -> None:
        self.event: Any = None

    def best(self) -> float:
        """Objective of the best packing found so far (cost units, maximised), -inf before the first."""
        return float(-self.event.data_out.mip_primal_bound)


class PackingModel:
    """One component as a HiGHS model: a column per bundle, a row per rollup (at most one bundle)."""

    def __init__(
        self, member: np.ndarray, cost: list[int], tolerance: float, options: Mapping[str, Any] | None = None
    ) -> None:
        count = member.shape[0]
        used = np.flatnonzero(member.any(axis=0))
        lp = packing_lp(member[:, used], np.array(cost, dtype=np.float64), 1.0)
        lp.integrality_ = [highspy.HighsVarType.kInteger] * count
        silence_banner()
        self.highs = highspy.Highs()
        for option, value in (
            ("output_flag", False),
            ("mip_rel_gap", 0.0),
            ("mip_abs_gap", ABSOLUTE_GAP),
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
        self.tolerance = tolerance
        self._minimising = False  # the tie-break minimises the rollups covered
        self._failure: BaseException | None = None
        self._at_least: int | None = None

    def cutoff(self, at_least: int) -> None:
        """Tell HiGHS a packing worth ``at_least`` (in cost units) exists: prune nodes that cannot reach it.

        (An objective cutoff rather than setSolution: with a user solution HiGHS 1.16 may report the
        new objective but hand back the user's columns; the exact re-check caught that.)
        """
        self.highs.setOptionValue("objective_bound", -at_least + 0.5)
        self._at_least = at_least

    def watch(self, check: Callable[[Progress], bool]) -> None:
        """Call ``check`` at HiGHS's interrupt points; True stops the solve (Status.STOPPED).

        An exception in ``check`` must not unwind through HiGHS: it stops the solve and solve() raises it.
        """
        progress = Progress()

        def on_interrupt(event: Any) -> None:
            progress.event = event
            try:
                stop = check(progress)
            except BaseException as err:
                self._failure = err
                stop = True
            if stop:
                event.interrupt()

        self.highs.cbMipInterrupt.subscribe(on_interrupt)

    def fewest_covered(self, units: list[int], sizes: list[int], gain: int, covered: int) -> None:
        """Turn the model into the tie-break: packings gaining ``gain`` units that cover < ``covered``.

        Exact with integer data: unit totals are below exact.SAFE, so a packing gaining less violates the
        first row by at least 0.5, far beyond the tolerance; the objective becomes min covered.
        """
        everything = np.arange(self.size)
        self.highs.addRow(gain - 0.5, INFINITY, self.size, everything, np.array(units, dtype=np.float64))
        self.highs.addRow(-INFINITY, covered - 0.5, self.size, everything, np.array(sizes, dtype=np.float64))
        self.highs.changeColsCost(self.size, everything, np.array(sizes, dtype=np.float64))
        self.highs.setOptionValue("objective_bound", INFINITY)
        self._at_least = None
        self._minimising = True

    def exclude(self, chosen: list[int]) -> None:
        """Add a no-good cut removing exactly the packing ``chosen`` (all others stay feasible)."""
        inside = set(chosen)
        coefficients = np.array([1.0 if k in inside else -1.0 for k in range(self.size)])
        self.highs.addRow(-INFINITY, len(chosen) - 1, self.size, np.arange(self.size), coefficients)

    def solve(self, time_limit: float | None) -> Solution:
        """Run HiGHS (``time_limit`` seconds, None: no limit); SolverError on a status that proves nothing.

        Infeasible is an answer only for the tie-break: a packing model always has the empty packing.
        """
        self.highs.setOptionValue("time_limit", INFINITY if time_limit is None else max(time_limit, 0.0))
        self.highs.run()
        if self._failure is not None:
            raise self._failure
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible and self._minimising:
            return Solution([], INFINITY, Status.INFEASIBLE)
        if status == highspy.HighsModelStatus.kInfeasible and self._at_least is not None:
            # nothing reaches the cutoff (integer objective): the bound is one below it
            return Solution([], self._at_least - 1, Status.OPTIMAL)
        if status == highspy.HighsModelStatus.kOptimal:
            ended = Status.OPTIMAL
        elif status in (highspy.HighsModelStatus.kTimeLimit, highspy.HighsModelStatus.kInterrupt):
            ended = Status.STOPPED
        else:
            raise SolverError(f"HiGHS stopped with status {self.highs.modelStatusToString(status)}")
        info = self.highs.getInfo()
        feasible = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
        chosen: list[int] = []
        if feasible:
            values = self.highs.getSolution().col_value
            chosen = [k for k in range(self.size) if values[k] > PICKED]
        bound = info.mip_dual_bound if self._minimising else -info.mip_dual_bound
        if ended == Status.OPTIMAL and self._at_least is not None and not self._minimising:
            found = -info.objective_function_value if feasible else -INFINITY
            if found < self._at_least - 0.5:
                # A finished search whose best packing misses the cutoff proves, as kInfeasible does, that
                # nothing reaches it; HiGHS may still report the cutoff as its dual bound (seen with no-good
                # rows: LP bound at the cutoff, the empty packing as incumbent, status optimal).
                return Solution(chosen, self._at_least - 1, ended)
        return Solution(chosen, bound, ended)

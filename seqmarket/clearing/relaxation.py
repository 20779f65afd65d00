"""W(-i) proven by the round's LP relaxation, re-solved per winner: a certified way past the MILP.

For any y >= 0 over the rollups, the Lagrangian relaxation of the one-bundle-per-rollup rows bounds
every partition of the round without i:

    W(-i) <= L(y) = sum_r y_r + sum_S max(0, v'(S) - y(S))      (S over all bundles, singletons too)

where v' values bundles without i. L is valid for *any* y, so HiGHS's duals are used as they come,
rounded up to a 2**-20 grid and clipped, and L is evaluated in integers: the bound does not rest on
HiGHS's tolerances. The LP's primal, rounded at 1/2, is a candidate partition valued exactly. When the
candidate (or the optimum minus i's bundles) reaches floor(L), it is W(-i) and no MILP is needed.

The LP of the round without i differs from the round's LP only in i's best bids, so one HiGHS model
serves every winner: their costs are swapped to the runner-ups, the LP re-solved from the previous
basis (a few pivots), and the costs put back. Worth it only where the round's LP is itself tight
(L4 100x500: 52 of 55 winners), which ``for_round`` checks before any winner is tried.
"""

from __future__ import annotations

from collections.abc import Mapping

import highspy
import numpy as np
from scipy.sparse import csr_matrix

from seqmarket.clearing.highs import lp_solver, packing_lp
from seqmarket.clearing.instance import Instance
from seqmarket.clearing.preprocess import bundle_matrix

SCALE_BITS = 20  # duals rounded up to multiples of 2**-20
# Values below 2**32 and duals clipped to them stay below 2**52 once scaled; a bundle's dual sum and the
# bound's sum over rollups then stay inside int64 for up to 2**11 rollups.
MAX_VALUE = 2**32
MAX_ROLLUPS = 2**11
PRICING_ROUNDS = 4  # LP solves per bound at most, each adding the bundles the duals underprice


class Relaxation:
    """The LP relaxation of one round (value space, a column per bundle with a bid and per rollup)."""

    def __init__(self, instance: Instance) -> None:
        n = instance.n
        multi = sorted(b for b in instance.bids if b & (b - 1))
        self._columns = multi + [1 << r for r in range(n)]
        self._index = {bundle: k for k, bundle in enumerate(self._columns)}
        self._reserves = instance.reserves
        singles = [instance.singleton_value(r) for r in range(n)]
        self._values = [instance.bids[b] for b in multi] + singles
        self._multi = len(multi)
        self._n = n
        member = bundle_matrix(self._columns, n)
        self._member = csr_matrix(member.astype(np.int64))
        # The LP needs only the bundles that gain over their singletons in the round (and the singletons):
        # the bound L(y) still sums over every bundle, so leaving the others out only costs tightness.
        gains = np.array(self._values, dtype=np.int64) - self._member @ np.array(singles, dtype=np.int64)
        gains[self._multi :] = 1
        self._lp: list[int] = np.flatnonzero(gains > 0).tolist()  # HiGHS column j is bundle column _lp[j]
        self._in_lp = np.zeros(len(self._columns), dtype=bool)
        self._in_lp[self._lp] = True
        self._column = {k: j for j, k in enumerate(self._lp)}
        costs = np.array([self._values[k] for k in self._lp], dtype=np.float64)
        # No x <= 1 bounds (the rows imply them): their duals would let HiGHS price a rollup below its
        # singleton value, and the bundles outside the LP would then loosen L(y). Presolve off: 2x faster
        # on these LPs (L2 64x2000: 17 ms against 35), and every re-solve per winner then starts from
        # the last basis.
        self._highs = lp_solver(packing_lp(member[self._lp], costs, highspy.kHighsInf))

    @classmethod
    def for_round(cls, instance: Instance, welfare: int) -> Relaxation | None:
        """The relaxation when it proves the round's own optimum ``welfare`` (else it rarely helps)."""
        if not instance.bids or instance.n >= MAX_ROLLUPS:
            return None
        if max([*instance.bids.values(), *instance.reserves]) >= MAX_VALUE:
            return None
        relaxation = cls(instance)
        solved = relaxation._optimise(relaxation._values, [])
        if solved is None or solved[0] > welfare:
            return None
        return relaxation

    def welfare_without(
        self, changed: Mapping[int, int | None], floor: int, kept: tuple[int, ...]
    ) -> tuple[int, tuple[int, ...]] | None:
        """(W(-i), a partition reaching it) when the relaxation proves it, else None.

        ``changed`` maps each bundle where i held the best bid to the runner-up's amount (None: no other
        bid); ``kept`` is a partition of the round without i worth ``floor``.
        """
        solved = self._without(changed)
        if solved is None:
            return None
        bound, candidate, worth = solved
        if worth is not None and worth >= bound:
            return worth, candidate
        if floor >= bound:
            return floor, kept
        return None

    def bound_without(self, changed: Mapping[int, int | None]) -> int | None:
        """An upper bound on W(-i) (``changed`` as in welfare_without), None when the LP did not solve."""
        solved = self._without(changed)
        return None if solved is None else solved[0]

    def _without(self, changed: Mapping[int, int | None]) -> tuple[int, tuple[int, ...], int | None] | None:
        values = list(self._values)
        touched = []
        for bundle, runner_up in changed.items():
            k = self._index[bundle]
            if k < self._multi:
                values[k] = runner_up or 0
            else:
                values[k] = max(runner_up or 0, self._reserves[k - self._multi])
            touched.append(k)
        try:
            return self._optimise(values, touched)
        finally:
            self._set_costs(self._values, touched)

    def _set_costs(self, values: list[int], touched: list[int]) -> None:
        """Give the LP's columns among ``touched`` the costs ``values``."""
        ks = [k for k in touched if self._in_lp[k]]
        columns = np.array([self._column[k] for k in ks], dtype=np.int32)
        self._highs.changeColsCost(len(ks), columns, -np.array([values[k] for k in ks], dtype=np.float64))

    def _optimise(
        self, values: list[int], touched: list[int]
    ) -> tuple[int, tuple[int, ...], int | None] | None:
        """Solve the LP for bundle ``values`` (differing from the round's on ``touched``), pricing in the
        bundles left out of it that the duals underprice; (bound, candidate, its value or None)."""
        for _ in range(PRICING_ROUNDS):
            self._set_costs(values, touched)
            self._highs.run()
            if self._highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return None
            solution = self._highs.getSolution()
            top = max(values)
            # HiGHS's row duals are <= 0 for a minimisation with <= rows; y = -dual, clipped into [0, top].
            duals = np.clip(-np.array(solution.row_dual, dtype=np.float64), 0.0, float(top))
            scaled = np.ceil(duals * 2**SCALE_BITS).astype(np.int64)
            excess = (np.array(values, dtype=np.int64) << SCALE_BITS) - self._member @ scaled
            priced = excess > 0
            missing = np.flatnonzero(priced & ~self._in_lp)
            if len(missing) == 0:
                break
            self._add(missing.tolist())
        bound = (int(scaled.sum()) + sum(excess[priced].tolist())) >> SCALE_BITS
        # A bundle worth 0 here (often: only i bid on it) is left out: the partition must name bundles the
        # round without i has bids on, and its rollups sold alone are worth at least as much.
        chosen = [
            k
            for j, x in enumerate(solution.col_value)
            if x > 0.5 and (k := self._lp[j]) < self._multi and values[k] > 0
        ]
        covered = 0
        worth = 0
        for k in chosen:
            bundle = self._columns[k]
            if bundle & covered:
                return bound, (), None
            covered |= bundle
            worth += values[k]
        for r in range(self._n):
            if not covered >> r & 1:
                worth += values[self._multi + r]
        return bound, tuple(sorted(self._columns[k] for k in chosen)), worth

    def _add(self, ks: list[int]) -> None:
        """Add bundle columns to the LP at the round's values (the caller sets counterfactual costs)."""
        block = self._member[ks]
        self._highs.addCols(
            len(ks),
            -np.array([self._values[k] for k in ks], dtype=np.float64),
            np.zeros(len(ks)),
            np.full(len(ks), highspy.kHighsInf),
            block.nnz,
            block.indptr[:-1].astype(np.int32),
            block.indices.astype(np.int32),
            np.ones(block.nnz),
        )
        for k in ks:
            self._column[k] = len(self._lp)
            self._lp.append(k)
        self._in_lp[ks] = True

"""W(-i) read from the full round's subset table, searching only around bidder i's bids.

Without bidder i only the bundles where i held the best bid change value (they fall to the runner-up's
bid, or vanish), and all of them lie inside R, the rollups those bundles cover. Split any partition of
the counterfactual round into the parts that meet R and the rest. The rest lies outside R, where nothing
changed, so its best value is the full round's table f. Hence

    W(-i) = max over families K of disjoint bundles that each meet R and together cover R of
            value'(K) + V(N - cover(K)),    V(S) = (singleton values in S) + f[S].

The search fixes the lowest uncovered rollup of R and tries every bundle containing it (its singleton
included), all at once in numpy. When R is one rollup (a winner of a single bundle or singleton, the
usual case) that is one vectorised max over a few hundred bundles instead of a new table. A partial
family is pruned by the same formula with its uncovered rollups valued at the full round's values,
which never undervalue the counterfactual. A search that runs longer than half a table build
(``budget``) gives up, and the caller solves the counterfactual round instead.

Wei-sized rounds (values past int64, a table rounded to 2**shift units): the same search in Python
integers, with V(S) bounded from above by the rounded table (SubsetTable.gain_bounds). The bounds prune
as before; a complete family is valued exactly (the table's exact search inside the rest) only while its
bound still beats the best exact value found, best bound first.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Mapping

import numpy as np

from seqmarket.clearing.dp import SubsetTable
from seqmarket.clearing.instance import Instance


class LocalCounterfactuals:
    """Counterfactual welfare for one round with few rollups, from its SubsetTable."""

    def __init__(self, instance: Instance, table: SubsetTable, budget: float) -> None:
        n = instance.n
        self._budget = budget  # seconds per search
        self._instance = instance
        self._table = table
        self._singles = [instance.singleton_value(i) for i in range(n)]
        self._total = sum(self._singles)
        self._all = (1 << n) - 1
        multi = sorted(b for b in instance.bids if b & (b - 1))
        self._masks = np.array(multi, dtype=np.int64)
        largest = max([*instance.bids.values(), self._total, 0])
        # A value below sums at most n excesses and a table gain of at most n bids (each <= largest):
        # int64 is exact when (2n + 1) * largest stays below 2**62 and the table is exact; otherwise the
        # values are Python integers (numpy object arrays) and the table gives bounds.
        self.small = largest * (2 * n + 1) < 2**62 and table.shift == 0
        kind = np.int64 if self.small else object
        # a(B) = b(B) - sum of B's singleton values: what listing B adds over its singletons.
        self._excess = np.array([instance.bids[b] for b in multi], dtype=kind)
        for i, single in enumerate(self._singles):
            self._excess -= ((self._masks >> i) & 1).astype(kind) * single

    def welfare_without(
        self, changed: Mapping[int, int | None], floor: int, kept: tuple[int, ...]
    ) -> tuple[int, tuple[int, ...]] | None:
        """(W(-i), a partition reaching it) when bidder i's best bids are ``changed``, else None.

        ``changed`` maps each bundle where i held the best bid to the runner-up's amount (None: no other
        bid). ``kept`` is a partition of the round without i worth ``floor`` (the optimum minus i's
        bundles, worth W - b_i plus what i's rollups fetch alone): only better families are searched.
        None when the search would be too large; the caller then solves the round without i.
        """
        reach = 0
        for bundle in changed:
            reach |= bundle
        rows = np.flatnonzero(self._masks & reach)
        masks = self._masks[rows]
        excess = self._excess[rows].copy()
        keep = np.ones(len(rows), dtype=bool)
        for bundle, runner_up in changed.items():
            if bundle & (bundle - 1) == 0:
                continue
            at = int(np.searchsorted(masks, bundle))
            if runner_up is None:
                keep[at] = False
            else:
                excess[at] += runner_up - self._instance.bids[bundle]
        singles = [1 << r for r in range(self._instance.n) if reach >> r & 1]
        single_excess = []
        for single in singles:
            r = single.bit_length() - 1
            if single in changed:
                now = max(changed[single] or 0, self._instance.reserves[r])
                single_excess.append(now - self._singles[r])
            else:
                single_excess.append(0)
        masks = np.concatenate([masks[keep], np.array(singles, dtype=np.int64)])
        excess = np.concatenate([excess[keep], np.array(single_excess, dtype=excess.dtype)])
        return self._search(masks, excess, reach, floor, kept)

    def _search(
        self, masks: np.ndarray, excess: np.ndarray, reach: int, floor: int, kept: tuple[int, ...]
    ) -> tuple[int, tuple[int, ...]] | None:
        """Best-first over partial families (largest bound first), above ``floor``."""
        best_value = floor - self._total  # values below are relative to the singleton partition
        best_family: list[int] | None = None
        queue: list[tuple[int, int, int, int, int, list[int]]] = [(0, 0, 0, 0, reach, [])]
        deadline = time.perf_counter() + self._budget
        order = 0
        while queue:
            bound, _, cover, worth, uncovered, family = heapq.heappop(queue)
            if -bound <= best_value and family:
                break  # no partial family left can beat the best complete one
            if order and time.perf_counter() > deadline:  # the first expansion always runs
                return None
            lowest = uncovered & -uncovered
            fits = np.flatnonzero((masks & lowest != 0) & (masks & cover == 0))
            covers = masks[fits] | cover
            rests = self._all & ~covers
            table = self._table.gains(rests) if self.small else self._table.gain_bounds(rests)
            values = worth + excess[fits] + table
            left = uncovered & ~masks[fits]
            done = left == 0
            if done.any() and self.small:
                candidates = np.flatnonzero(done)
                pick = int(candidates[int(np.argmax(values[candidates]))])
                if int(values[pick]) > best_value:
                    best_value, best_family = int(values[pick]), [*family, int(masks[fits[pick]])]
            elif done.any():  # bounds: value complete families exactly, best bound first, while they can win
                for pick in sorted(np.flatnonzero(done).tolist(), key=lambda j: -values[j]):
                    if values[pick] <= best_value:
                        break
                    exact = worth + int(excess[fits[pick]]) + self._table.packing(int(rests[pick])).gain
                    values[pick] = exact
                    if exact > best_value:
                        best_value, best_family = exact, [*family, int(masks[fits[pick]])]
            for j in np.flatnonzero(~done):
                # values[j] bounds every completion: the rest is valued at the full round's values.
                if int(values[j]) > best_value:
                    order += 1  # ties in the bound: first found, first expanded (never compares lists)
                    heapq.heappush(
                        queue,
                        (
                            -int(values[j]),
                            order,
                            int(covers[j]),
                            worth + int(excess[fits[j]]),
                            int(left[j]),
                            [*family, int(masks[fits[j]])],
                        ),
                    )
        if best_family is None:
            return floor, kept
        cover = 0
        for bundle in best_family:
            cover |= bundle
        rest = self._table.packing(self._all & ~cover)
        listed = [b for b in best_family if b & (b - 1)]
        return self._total + best_value, tuple(sorted([*listed, *rest.bundles]))

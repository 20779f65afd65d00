"""Exact packing by dynamic programming over open-rollup sets: best for small or tiny components.

The search always settles the lowest open rollup: it stays a singleton, or one of the bundles whose
lowest rollup it is gets listed. Results are memoised per set of open rollups. Cost grows with the
number of reachable open sets, so the engine uses it only where that is small.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from seqmarket.clearing.instance import Packing
from seqmarket.errors import SolverError


def dp_packing(gains: dict[int, int]) -> Packing:
    """The packing with the largest total gain; among those, the one covering the fewest rollups.

    Remaining ties are broken by the search order (bundles in ascending bitmask order), so the result
    is deterministic.
    """
    by_lowest: dict[int, list[tuple[int, int, int]]] = {}
    relevant = 0
    for bundle in sorted(gains):
        lowest = (bundle & -bundle).bit_length() - 1
        by_lowest.setdefault(lowest, []).append((bundle, gains[bundle], bundle.bit_count()))
        relevant |= bundle

    @cache
    def best(open_rollups: int) -> tuple[int, int, tuple[int, ...]]:
        """(gain, -covered, bundles) of the best packing using only ``open_rollups``."""
        if open_rollups == 0:
            return (0, 0, ())
        low_bit = open_rollups & -open_rollups
        lowest = low_bit.bit_length() - 1
        result = best(open_rollups & ~low_bit)  # the lowest open rollup stays a singleton
        for bundle, gain, size in by_lowest.get(lowest, ()):
            if bundle & open_rollups != bundle:
                continue
            g, neg_cov, chosen = best(open_rollups & ~bundle)
            candidate = (g + gain, neg_cov - size, (bundle, *chosen))
            if candidate[:2] > result[:2]:
                result = candidate
        return result

    gain, _, bundles = best(relevant)
    best.cache_clear()
    return Packing(tuple(sorted(bundles)), gain)


TABLE_MAX_ROLLUPS = 22
TABLE_BUDGET = 60_000_000  # table cells touched (2**k plus each bundle's share): ~0.3 s of numpy
_INT64_BITS = 62  # every packing's table value stays below 2**62: no int64 overflow, ever


def table_packing(
    bundles: list[int], gains: list[int], member: np.ndarray, budget: int | None = TABLE_BUDGET
) -> Packing | None:
    """The same packing as dp_packing, by a numpy table over all 2**k subsets of the k rollups in play.

    None when the table would be too large or costly (see SubsetTable.build); the caller then uses
    another exact method.
    """
    table = SubsetTable.build(bundles, gains, member, budget)
    return None if table is None else table.packing()


class SubsetTable:
    """f[S] = the best packing inside every rollup set S, for all 2**k sets of the k rollups in play.

    Value of a packing: W = (k + 1) * gain - covered, so the largest W has the largest gain and, among
    those, the fewest rollups covered (covered <= k). f[S] is computed one highest rollup i at a time:
    f[S] = max(f[S - i], max over bundles B with highest rollup i, B inside S, of W(B) + f[S - B]). For a
    fixed B, the sets S containing B and the sets S - B are both strided views of the table, so each
    bundle is two numpy operations. Rollups are renumbered so that rollups in few (small) bundles come
    last: a bundle whose highest rollup is at position i touches 2**(i + 1 - |B|) cells.

    The highest rollup (the apex) gets no table level: that level held half the cells and, with many
    bundles, most of the work (L3 with 20 rollups: 23M of 41M cells). f at a set containing the apex is
    the same formula evaluated on demand, one lookup per apex bundle.

    The whole table is kept: VCG counterfactuals read f at many sets (see counterfactual.py).
    """

    def __init__(
        self,
        bundles: list[int],
        gains: list[int],
        exact: list[int],
        shift: int,
        table: np.ndarray,
        rollup_of_axis: list[int],
        masks: np.ndarray,
        weight: np.ndarray,
        by_top: dict[int, list[int]],
        position_of: dict[int, int],
        k: int,
    ) -> None:
        self._bundles = bundles
        self._gains = gains
        self.exact_weights = exact  # W per bundle, Python integers
        self.shift = shift  # table values are W >> shift (0: exact)
        self._flat = table.reshape(-1)
        self._masks = masks
        self._weight = weight
        self._by_top = by_top
        self._position_of = position_of  # instance rollup -> position in the renumbered order
        self.k = k
        levels = len(rollup_of_axis)
        # Flat index of an instance rollup set, one byte of its bitmask at a time: three gathers
        # instead of one numpy operation per rollup (counterfactual searches look up many sets).
        top = max([*position_of, 0])
        self._byte_index = np.zeros((top // 8 + 1, 256), dtype=np.int64)
        values = np.arange(256, dtype=np.int64)
        for axis, rollup in enumerate(rollup_of_axis):
            self._byte_index[rollup // 8] |= ((values >> (rollup % 8)) & 1) << (levels - 1 - axis)
        # The same for sets of positions (the backtracking walks positions), as Python lists.
        by_position = np.zeros(((k + 7) // 8, 256), dtype=np.int64)
        for axis, rollup in enumerate(rollup_of_axis):
            p = position_of[rollup]
            by_position[p // 8] |= ((values >> (p % 8)) & 1) << (levels - 1 - axis)
        self._position_index = by_position.tolist()
        # The apex level: its bundles as instance bitmasks and as position bitmasks, with their W.
        self._apex = k - 1 if levels < k else None
        apex_rows = by_top.get(k - 1, []) if self._apex is not None else []
        self._apex_rows = apex_rows
        self._apex_bit = 0
        if self._apex is not None:
            self._apex_bit = 1 << next(r for r, p in position_of.items() if p == self._apex)
        self._apex_weight = weight[apex_rows].astype(np.int64)
        apex_bundles = [bundles[i] for i in apex_rows]
        # gains() takes int64 sets; a component of a big round may name rollups beyond 63 (packing() only).
        fits = max(apex_bundles, default=0) < 2**63
        self._apex_masks = np.array(apex_bundles if fits else [], dtype=np.int64)

    @classmethod
    def build(
        cls, bundles: list[int], gains: list[int], member: np.ndarray, budget: int | None = TABLE_BUDGET
    ) -> SubsetTable | None:
        """The table for ``bundles`` (gains, membership matrix over the instance's rollups), or None.

        None when k > TABLE_MAX_ROLLUPS or the estimated work exceeds ``budget`` cells (None: no budget).
        """
        columns = np.flatnonzero(member.any(axis=0)) if bundles else np.zeros(0, dtype=np.int64)
        k = len(columns)
        if k > TABLE_MAX_ROLLUPS:
            return None
        local = member[:, columns]
        sizes = local.sum(axis=1)
        exact = [(k + 1) * g - int(s) for g, s in zip(gains, sizes, strict=True)]
        # Wei-sized weights would overflow int64: the table then holds them rounded down to 2**shift units
        # and packing() finds the exact optimum by a search that the rounded table bounds (dp_search.py).
        shift = max(0, (max(exact, default=0) * (k // 2 + 1)).bit_length() - _INT64_BITS)
        weights = [w >> shift for w in exact]
        order = _renumber(local, sizes)  # order[p] = local column placed at position p
        position = np.empty(k, dtype=np.int64)
        position[order] = np.arange(k)
        masks = (local.astype(np.int64) << position[None, :]).sum(axis=1)
        tops = masks.astype(np.float64)  # exact: masks < 2**22
        top = np.floor(np.log2(tops)).astype(np.int64) if bundles else np.zeros(0, dtype=np.int64)
        levels = k - 1 if k >= 2 else k  # table levels: every position but the apex
        tabled = top < levels
        work = np.left_shift(1, top + 1 - sizes)
        cost = int(work[tabled].sum()) + (1 << levels) + int((~tabled).sum())
        if budget is not None and cost > budget:
            return None
        # int32 halves the memory traffic when every packing's W fits (usual for ether-sized gains in gwei).
        kind = np.int32 if not weights or max(weights) * (k // 2 + 1) < 2**31 else np.int64
        weight = np.array(weights, dtype=kind)
        # The table is an array with one axis per level. Each bundle's update fixes some axes (its
        # rollups, and every rollup above its highest): numpy is fast when the fixed axes are the outer
        # ones (long inner stretches) and ~10x slower when they are inner. So the axes are laid out by
        # how much work fixes them: most first.
        by_position = local[:, order[:levels]]  # column p = rollup at position p
        fixed = np.einsum(
            "bp,b->p",
            (by_position | (top[:, None] < np.arange(levels)[None, :])).astype(np.float64),
            np.where(tabled, work, 0).astype(np.float64),
        )
        layout = np.argsort(-fixed, kind="stable")  # layout[a] = position held by axis a
        axis_of = np.empty(levels, dtype=np.int64)
        axis_of[layout] = np.arange(levels)
        axes = axis_of.tolist()
        table = np.zeros((2,) * levels, dtype=kind)
        scratch = np.empty(1 << max(levels - 1, 0), dtype=kind)
        by_top: dict[int, list[int]] = {}
        for index in np.argsort(top, kind="stable"):
            by_top.setdefault(int(top[index]), []).append(int(index))
        free: list[slice | int] = [slice(None)] * levels
        for i in range(levels):
            base = list(free)  # positions above i are empty at this level
            for p in range(i + 1, levels):
                base[axes[p]] = 0
            on, off = list(base), list(base)
            on[axes[i]], off[axes[i]] = 1, 0
            table[tuple(on)] = table[tuple(off)]  # rollup i stays a singleton
            for index in by_top.get(i, ()):
                rest = int(masks[index]) ^ (1 << i)
                inside, outside = list(on), list(off)
                while rest:
                    bit = rest & -rest
                    axis = axes[bit.bit_length() - 1]
                    inside[axis], outside[axis] = 1, 0
                    rest ^= bit
                target = table[tuple(inside)]
                source = table[tuple(outside)]
                if not isinstance(target, np.ndarray):  # every axis fixed: a single cell
                    table[tuple(inside)] = max(target, source + weight[index])
                    continue
                candidate = scratch[: source.size].reshape(source.shape)
                np.add(source, weight[index], out=candidate)
                np.maximum(target, candidate, out=target)
        rollup_of_position = columns[order]
        return cls(
            bundles,
            gains,
            exact,
            shift,
            table,
            [int(rollup_of_position[p]) for p in layout],
            masks,
            weight,
            by_top,
            {int(r): p for p, r in enumerate(rollup_of_position)},
            k,
        )

    def _index(self, subsets: np.ndarray) -> np.ndarray:
        """Flat table indices of instance rollup sets (int64 bitmasks); rollups off the table are ignored."""
        index = np.zeros(subsets.shape, dtype=np.int64)
        for byte, lookup in enumerate(self._byte_index):
            index |= lookup[(subsets >> (8 * byte)) & 255]
        return index

    def gains(self, subsets: np.ndarray) -> np.ndarray:
        """The best packing's gain inside each instance rollup set (int64 bitmasks, rollups < 63).

        Only for an exact table (shift 0): rounded values give bounds only (gain_bounds).
        """
        assert self.shift == 0, "a rounded table does not give exact gains"
        return (self._cells(subsets) + self.k) // (
            self.k + 1
        )  # W = (k + 1) * gain - covered, 0 <= covered <= k

    def gain_bounds(self, subsets: np.ndarray) -> np.ndarray:
        """Upper bounds (Python integers, numpy object array) on the best packing's gain inside each set;
        the exact gains when the table is exact.

        A rounded table holds u(B) = floor(W(B) / q), q = 2**shift, so a packing Q inside S has
        W(Q) <= q * f[S] + (q - 1) * |Q| with |Q| <= k // 2 (dp_search.py), and gain = ceil(W / (k + 1)).
        """
        if self.shift == 0:
            return self.gains(subsets).astype(object)
        q = 1 << self.shift
        top = self._cells(subsets).astype(object) * q + (q - 1) * (self.k // 2)
        return (top + self.k) // (self.k + 1)

    def _cells(self, subsets: np.ndarray) -> np.ndarray:
        """f at instance rollup sets (table units), the apex level evaluated on demand."""
        best = self._flat[self._index(subsets)].astype(np.int64)
        rows = np.flatnonzero(subsets & self._apex_bit) if len(self._apex_rows) else ()
        if len(rows):
            sets = subsets[rows]
            apex = self._apex_masks
            inside = (sets[:, None] & apex[None, :]) == apex[None, :]
            r, c = np.nonzero(inside)
            with_apex = np.full(inside.shape, np.iinfo(np.int64).min // 2, dtype=np.int64)
            with_apex[r, c] = self._flat[self._index(sets[r] & ~apex[c])] + self._apex_weight[c]
            best[rows] = np.maximum(best[rows], with_apex.max(axis=1))
        return best

    def open_positions(self, within: int | None) -> int:
        """Instance rollup set ``within`` (None: all) as a set of table positions."""
        open_set = 0
        for rollup, p in self._position_of.items():
            if within is None or within >> rollup & 1:
                open_set |= 1 << p
        return open_set

    def cell(self, subset: int) -> int:
        """The table at a set of positions without the apex."""
        index = 0
        for byte, lookup in enumerate(self._position_index):
            index |= lookup[(subset >> (8 * byte)) & 255]
        return int(self._flat[index])

    def value(self, subset: int) -> int:
        """f at a set of positions (in 2**shift units), the apex level evaluated on demand."""
        if self._apex is None or not subset >> self._apex & 1:
            return self.cell(subset)
        best = self.cell(subset ^ (1 << self._apex))
        for index in self._apex_rows:
            mask = int(self._masks[index])
            if mask & subset == mask:
                best = max(best, self.cell(subset ^ mask) + int(self._weight[index]))
        return best

    def with_top(self, position: int) -> list[tuple[int, int, int]]:
        """(bundle row, position mask, table weight) of the bundles whose highest position is ``position``."""
        return [(i, int(self._masks[i]), int(self._weight[i])) for i in self._by_top.get(position, ())]

    def packing_of(self, rows: list[int]) -> Packing:
        """The bundles of these rows as a Packing."""
        return Packing(
            tuple(sorted(self._bundles[index] for index in rows)), sum(self._gains[index] for index in rows)
        )

    def packing(self, within: int | None = None) -> Packing:
        """The best packing inside instance rollup set ``within`` (all rollups if None), tie rule applied."""
        open_set = self.open_positions(within)
        if self.shift:
            from seqmarket.clearing.dp_search import exact_packing

            return self.packing_of(exact_packing(self, open_set))
        return self.packing_of(self.walk(open_set))

    def walk(self, open_set: int) -> list[int]:
        """Rows of a packing inside ``open_set`` (positions) reaching the table's value there."""
        chosen = []
        while open_set:
            i = open_set.bit_length() - 1
            here = self.value(open_set)
            if self.value(open_set ^ (1 << i)) == here:
                open_set ^= 1 << i
                continue
            for index, mask, weight in self.with_top(i):
                if mask & open_set == mask and self.value(open_set ^ mask) + weight == here:
                    chosen.append(index)
                    open_set ^= mask
                    break
            else:  # pragma: no cover - the table always holds a witness
                raise SolverError("table DP lost its witness")
        return chosen


def _renumber(local: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Positions for the rollups (greedy): the highest goes to the rollup whose bundles weigh least."""
    k = local.shape[1]
    alive = np.ones(local.shape[0], dtype=bool)
    share = np.ldexp(1.0, -sizes.astype(np.int64))
    local = local.astype(np.float64)
    free = np.ones(k, dtype=bool)
    high_first = []
    for _ in range(k):
        score = np.einsum("b,bp->p", share * alive, local)  # not BLAS: its threads crawl under load
        score[~free] = np.inf
        pick = int(np.argmin(score))
        high_first.append(pick)
        free[pick] = False
        alive &= local[:, pick] == 0
    return np.array(high_first[::-1], dtype=np.int64)

"""The exact optimum from a subset table of rounded weights: wei-sized amounts without int64 overflow.

When the lexicographic weights W(B) = (k + 1) * gain(B) - |B| (Python integers) are too large for
int64 sums, the table holds u(B) = floor(W(B) / q) with q = 2**shift (dp.SubsetTable.build), so no
sum can overflow: the table's values stay below 2**62 by construction. Then for any packing Q of
the rollups in a set S:

    W(Q) <= q * u(Q) + (q - 1) * |Q| <= q * f[S] + (q - 1) * floor(|S| / 2)

(every bundle has at least 2 rollups), so q * f[S] + (q - 1) * floor(|S| / 2) bounds, exactly, every
completion of a partial packing whose open rollups are S. A depth-first search over the same
choices as the table's own walk (the highest open rollup stays alone, or one bundle whose highest
rollup it is takes it), valuing partial packings in Python integers and pruning with that bound,
returns the packing with the largest exact W. It starts from the walk's packing, so it only
explores families within the rounding slack of the optimum: with int64 tables q is about 2**-58 of
the largest weight, and a search visits little more than the optimal path and exact ties.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from seqmarket.clearing.dp import SubsetTable


def exact_packing(table: SubsetTable, open_set: int) -> list[int]:
    """Rows of the packing inside ``open_set`` (table positions) with the largest exact W.

    Ties in W (equal gain and equal rollups covered) keep the table walk's packing, so the result is
    deterministic.
    """
    q = 1 << table.shift
    exact = table.exact_weights
    best_rows = table.walk(open_set)
    best = sum(exact[i] for i in best_rows)
    tops: dict[int, list[tuple[int, int, int]]] = {}

    def bound(value: int, rest: int) -> int:
        return value + q * table.value(rest) + (q - 1) * (rest.bit_count() // 2)

    stack: list[tuple[int, int, list[int]]] = [(open_set, 0, [])]
    while stack:
        rest, value, rows = stack.pop()
        if not rest:
            if value > best:
                best, best_rows = value, rows
            continue
        if bound(value, rest) <= best:
            continue
        i = rest.bit_length() - 1
        children = [(rest ^ (1 << i), value, rows)]
        if i not in tops:
            tops[i] = table.with_top(i)
        for index, mask, _ in tops[i]:
            if mask & rest == mask:
                children.append((rest ^ mask, value + exact[index], [*rows, index]))
        scored = [(bound(v, r), r, v, rs) for r, v, rs in children]
        # most promising last: popped first
        for b, r, v, rs in sorted(scored, key=lambda c: c[0]):
            if b > best:
                stack.append((r, v, rs))
    return best_rows

"""Exact winner determination: the partition of rollups into bundles that maximises total value.

The value of a partition is baseline + sum of gain(B) over its listed bundles, where
gain(B) = b(B) - sum_{i in B} v({i}). Only bundles with positive gain can improve on the singleton
partition, so the problem is a maximum-weight set packing over those bundles.

Tie rule, matching the contract: a proposal must be *strictly* better to replace the standing one, and
the singleton partition stands first. So among optimal partitions we return one that covers the fewest
rollups with multi-rollup bundles (the singleton partition whenever it is optimal); remaining ties are
broken deterministically.

The engine (see preprocess.py, dp.py, milp.py): preprocessing drops bundles that cannot matter and
splits the rest into independent components; each component goes to the subset DP when it is small
and to the HiGHS MILP otherwise. Both are exact and apply the tie rule, so the joined packing is
optimal with the fewest rollups covered.
"""

from __future__ import annotations

import enum
import time

from seqmarket.clearing.dp import TABLE_BUDGET, TABLE_MAX_ROLLUPS, SubsetTable, dp_packing, table_packing
from seqmarket.clearing.instance import Clearing, Instance, Packing, SolvedBy
from seqmarket.clearing.milp import solve_packing
from seqmarket.clearing.preprocess import bundle_matrix, positive_bundles, reduce


class Method(enum.Enum):
    """The exact method clear() uses for every component; AUTO picks the cheapest that applies."""

    AUTO = "auto"
    DP = "dp"  # exponential: small rounds only
    TABLE = "table"  # the subset table without its work budget, where it applies; else the MILP
    MILP = "milp"


DP_MAX_BUNDLES = 16
DP_MAX_ROLLUPS = 10


def _use_dp(gains: dict[int, int]) -> bool:
    """Small components are cheaper for the DP than building a MILP model."""
    spanned = 0
    for bundle in gains:
        spanned |= bundle
    return len(gains) <= DP_MAX_BUNDLES or spanned.bit_count() <= DP_MAX_ROLLUPS


def _table(component: dict[int, int], n: int) -> Packing | None:
    """The table DP on one component, when it spans few rollups and the table is cheap enough."""
    bundles = sorted(component)
    return table_packing(bundles, [component[b] for b in bundles], bundle_matrix(bundles, n))


ComponentKey = tuple[tuple[int, int], ...]


def clear(instance: Instance, *, method: Method = Method.AUTO, time_limit: float | None = None) -> Clearing:
    """Return an optimal partition of ``instance`` (exact, deterministic).

    ``method`` forces the DP or the MILP for every component (the DP is exponential: small n only).
    With ``time_limit`` (seconds, whole call) a solve that cannot prove optimality in time raises
    ClearingTimeout carrying the gap; no approximate answer is ever returned.
    """
    return clear_reusing(instance, method=method, time_limit=time_limit)


def clear_reusing(
    instance: Instance,
    *,
    method: Method = Method.AUTO,
    time_limit: float | None = None,
    solved: dict[ComponentKey, Packing] | None = None,
    start: tuple[int, ...] = (),
    tie_rule: bool = True,
) -> Clearing:
    """clear() for a family of related instances (VCG counterfactuals).

    ``solved`` maps components (bundle -> gain, sorted) to their optimal packing; a component seen
    before is not solved again and new ones are added. ``start`` is a feasible packing offered to the
    MILP as a first incumbent. ``tie_rule=False`` asks only for the optimal value (a VCG counterfactual):
    the returned packing reaches it but need not cover the fewest rollups, which saves the MILP's
    tie-break stage.
    """
    started = time.perf_counter()
    method = Method(method)  # a plain "milp" from older callers still means Method.MILP
    tables = method in (Method.AUTO, Method.TABLE)
    if tables:
        whole = table_clearing(instance, budget=None if method is Method.TABLE else TABLE_BUDGET)
        if whole is not None:
            return whole[0]
    reduction = reduce(instance)
    bundles: list[int] = []
    gain = 0
    used = SolvedBy.TRIVIAL
    memo = {} if solved is None else solved
    for component in reduction.components:
        key = tuple(sorted(component.items()))
        packing = memo.get(key)
        if packing is not None:
            used |= SolvedBy.REUSED
        elif method is Method.DP or (method is Method.AUTO and _use_dp(component)):
            packing = dp_packing(component)
            used |= SolvedBy.DP
        elif tables and (table := _table(component, instance.n)) is not None:
            packing = table
            used |= SolvedBy.TABLE
        else:
            left = None if time_limit is None else time_limit - (time.perf_counter() - started)
            packing = solve_packing(component, instance.n, time_limit=left, start=start, tie_rule=tie_rule)
            used |= SolvedBy.MILP
        memo[key] = packing
        bundles.extend(packing.bundles)
        gain += packing.gain
    return Clearing(bundles=tuple(sorted(bundles)), value=reduction.baseline + gain, method=used)


def table_clearing(
    instance: Instance, budget: int | None = TABLE_BUDGET
) -> tuple[Clearing, SubsetTable] | None:
    """Few rollups: one table over all subsets, straight from the positive bundles, when cheap enough.

    No dominance or component pass is needed: the table applies the tie rule itself. Returns the
    clearing and the table (VCG reads counterfactuals from it), or None when the table does not apply.
    """
    if instance.n > TABLE_MAX_ROLLUPS:
        return None
    baseline, candidates, gains, member = positive_bundles(instance)
    table = SubsetTable.build(candidates, gains, member, budget)
    if table is None:
        return None
    whole = table.packing()
    method = SolvedBy.TABLE if candidates else SolvedBy.TRIVIAL
    return Clearing(bundles=whole.bundles, value=baseline + whole.gain, method=method), table


__all__ = ["Method", "clear", "clear_reusing"]

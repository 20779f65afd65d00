"""Exactness at every magnitude the contracts accept (amounts < 2**128): brute force, the subset DP in
Python integers and an independent MILP agree with the engine on wei-sized rounds."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqmarket.clearing import Instance, Method, clear
from seqmarket.clearing.brute_force import clear_brute_force
from seqmarket.clearing.certificate import proves_optimal
from seqmarket.clearing.counterfactual import LocalCounterfactuals
from seqmarket.clearing.dp import SubsetTable, dp_packing
from seqmarket.clearing.exact import Component
from seqmarket.clearing.generators import generate
from seqmarket.clearing.milp import solve_packing
from seqmarket.clearing.preprocess import positive_bundles
from seqmarket.clearing.racing import NEVER
from seqmarket.clearing.solver import table_clearing
from seqmarket.clearing.trace import Trace
from seqmarket.clearing.vcg import vcg

LIMIT = 2**128  # the markets refuse amounts from 2**128 on


@st.composite
def big_instances(draw: st.DrawFn, max_n: int = 8) -> Instance:
    """Rounds with amounts up to 2**128 - 1: a few coarse levels (so exact ties are common) plus a
    jitter of a few wei (so near-ties one wei apart are too)."""
    n = draw(st.integers(2, max_n))
    unit = draw(st.sampled_from([10**15, 10**18, 2**100, 2**120]))
    reserves = tuple(draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)))
    bundles = draw(st.lists(st.integers(1, 2**n - 1), min_size=1, max_size=3 * n, unique=True))
    levels = draw(st.lists(st.integers(1, 40), min_size=len(bundles), max_size=len(bundles)))
    jitter = draw(st.lists(st.integers(0, 3), min_size=len(bundles), max_size=len(bundles)))
    amounts = [min(LIMIT - 1, a * unit + j) for a, j in zip(levels, jitter, strict=True)]
    return Instance(reserves=tuple(r * unit for r in reserves), bids=dict(zip(bundles, amounts, strict=True)))


@settings(max_examples=200, deadline=None)
@given(big_instances())
def test_every_method_matches_brute_force_up_to_2_128(instance: Instance) -> None:
    ref = clear_brute_force(instance)
    for method in Method:
        got = clear(instance, method=method)
        assert (got.value, got.covered) == (ref.value, ref.covered), method
        assert instance.value(got.bundles) == got.value


@settings(max_examples=40, deadline=None)
@given(big_instances(max_n=14))
def test_rounded_table_matches_the_subset_dp_in_python_integers(instance: Instance) -> None:
    """Past int64 the table holds rounded weights; its exact search still finds the DP's optimum."""
    _, bundles, gains, _ = positive_bundles(instance)
    ref = dp_packing(dict(zip(bundles, gains, strict=True)))
    got = clear(instance, method=Method.TABLE)
    assert got.value - instance.baseline() == ref.gain
    covered = sum(b.bit_count() for b in got.bundles)
    assert covered == sum(b.bit_count() for b in ref.bundles)


def test_the_table_never_overflows_int64() -> None:
    """18 rollups, every amount near 2**128: the table is rounded so no sum can pass 2**62."""
    rng = np.random.default_rng(5)
    n = 18
    bids = {}
    for _ in range(300):
        size = int(rng.integers(2, 5))
        bundle = sum(1 << int(g) for g in rng.choice(n, size=size, replace=False))
        bids[bundle] = LIMIT - 1 - (int(rng.integers(0, 2**62)) << 38)
    instance = Instance((0,) * n, bids)
    baseline, candidates, gains, member = positive_bundles(instance)
    table = SubsetTable.build(candidates, gains, member, budget=None)
    assert table is not None and table.shift > 0
    assert int(np.abs(table._flat).max()) < 2**62
    found = table_clearing(instance, budget=None)
    assert found is not None
    ref = dp_packing(dict(zip(candidates, gains, strict=True)))
    assert found[0].value == baseline + ref.gain
    assert sum(b.bit_count() for b in found[0].bundles) == sum(b.bit_count() for b in ref.bundles)


def interchangeable_pairs(
    levels: list[int], jitter: list[tuple[int, int]], links: list[int], unit: int
) -> Instance:
    """A chain of slots of 3 rollups, each with two bundles {3j, 3j+1} and {3j+1, 3j+2} worth
    levels[j] * unit plus a few wei of jitter (equal jitter: the pair ties exactly); bundles {3j+1, 3j+4}
    worth links[j] * unit / 3 join neighbouring slots into one component. With m exact pairs there are
    2**m optimal packings of equal W, every one inside the MILP's rounding of the others."""
    bids = {}
    for j, (level, (left, right)) in enumerate(zip(levels, jitter, strict=True)):
        bids[(1 << 3 * j) | (1 << 3 * j + 1)] = level * unit + left
        bids[(1 << 3 * j + 1) | (1 << 3 * j + 2)] = level * unit + right
    for j, link in enumerate(links):
        bids[(1 << 3 * j + 1) | (1 << 3 * j + 4)] = link * unit // 3 + j
    return Instance((0,) * (3 * len(levels)), bids)


def test_many_exact_ties_are_proven_by_the_lp_certificate_not_one_by_one() -> None:
    """14 interchangeable pairs (16,384 optimal packings): leaving them out one solve at a time ran out
    of its 256 solves (SolverError); the LP's exact dual bound proves the first optimum found."""
    m = 14
    instance = interchangeable_pairs(
        [10 + 3 * j for j in range(m)], [(j, j) for j in range(m)], [5] * (m - 1), 10**17
    )
    _, bundles, gains, _ = positive_bundles(instance)
    trace = Trace()
    got = solve_packing(dict(zip(bundles, gains, strict=True)), instance.n, racing=NEVER, trace=trace)
    ref = dp_packing(dict(zip(bundles, gains, strict=True)))
    assert (got.gain, sum(b.bit_count() for b in got.bundles)) == (
        ref.gain,
        sum(b.bit_count() for b in ref.bundles),
    )
    assert trace.certified == 1 and len(trace.tolerances) == 1  # one MILP solve, then the certificate


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 10).flatmap(
        lambda m: st.tuples(
            st.lists(st.integers(1, 40), min_size=m, max_size=m),
            st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=m, max_size=m),
            st.lists(st.integers(1, 120), min_size=m - 1, max_size=m - 1),
        )
    ),
    st.sampled_from([10**15, 10**18, 2**100, 2**120]),
)
def test_ties_and_one_wei_near_ties_clear_exactly(
    drawn: tuple[list[int], list[tuple[int, int]], list[int]], unit: int
) -> None:
    """Chains of pairs that tie exactly or differ by a few wei, with links that sometimes win: the MILP
    (certificate or proof solves) gives the subset DP's optimum, tie rule included."""
    instance = interchangeable_pairs(*drawn, unit)
    ref = clear(instance, method=Method.DP)
    got = clear(instance, method=Method.MILP)
    assert (got.value, got.covered) == (ref.value, ref.covered)
    assert instance.value(got.bundles) == got.value


@settings(max_examples=150, deadline=None)
@given(big_instances(max_n=8))
def test_the_lp_certificate_never_proves_a_packing_that_is_not_optimal(instance: Instance) -> None:
    """Soundness, against brute force: the certificate proves the optimum at most, and never a packing
    one bundle short of it or the optimum of the round without its best bundle."""
    _, bundles, gains, _ = positive_bundles(instance)
    if not bundles:
        return
    component = Component.of(dict(zip(bundles, gains, strict=True)), instance.n)
    best = component.weight_of(component.columns(dp_packing(dict(zip(bundles, gains, strict=True))).bundles))
    candidates = [component.columns(dp_packing(dict(zip(bundles, gains, strict=True))).bundles)]
    candidates += [c[:k] + c[k + 1 :] for c in candidates for k in range(len(c))]
    for drop in range(len(bundles)):
        rest = {b: g for j, (b, g) in enumerate(zip(bundles, gains, strict=True)) if j != drop}
        if rest:
            candidates.append(component.columns(dp_packing(rest).bundles))
    for chosen in candidates:
        if proves_optimal(component, chosen):
            assert component.weight_of(chosen) == best, (chosen, best)


@settings(max_examples=12, deadline=None)
@given(
    st.sampled_from(["arbitrary", "regions", "paths", "scheduling", "L2", "L3", "L4", "L6", "L7"]),
    st.integers(0, 99),
)
def test_wei_scale_rounds_agree_across_methods(distribution: str, seed: int) -> None:
    """Generated wei rounds (median bid 1e17, full resolution): table, DP and MILP give one optimum."""
    instance = generate(distribution, 14, 150, seed, scale="wei").instance()
    table = clear(instance, method=Method.TABLE)
    milp = clear(instance, method=Method.MILP)
    dp = clear(instance, method=Method.DP)
    assert table.value == milp.value == dp.value
    assert table.covered == milp.covered == dp.covered
    assert instance.value(table.bundles) == table.value


def _lexicographic_reference(
    coarse: list[int], fine: list[int], bundles: list[int], n: int
) -> tuple[int, int, int]:
    """(coarse total, fine total, rollups covered) of the best packing by an independent solver:
    scipy.optimize.milp on the plain model (a column per bid, a row per rollup), in two exact stages
    with small integers (max coarse; then max (n + 1) * fine - covered, coarse held at its optimum)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    member = np.array([[b >> i & 1 for b in bundles] for i in range(n)], dtype=float)
    sizes = member.sum(axis=0)
    sizes[sizes == 1] = 0  # the tie rule counts rollups in multi-rollup bundles only
    rows = LinearConstraint(member, 0, 1)
    binary = {"integrality": np.ones(len(bundles)), "bounds": Bounds(0, 1), "options": {"mip_rel_gap": 0}}
    first = milp(-np.array(coarse, dtype=float), constraints=rows, **binary)  # type: ignore[arg-type]
    best = round(-first.fun)
    hold = LinearConstraint(np.array([coarse], dtype=float), best - 0.5, np.inf)
    tie = (n + 1) * np.array(fine, dtype=float) - sizes
    second = milp(-tie, constraints=[rows, hold], **binary)  # type: ignore[arg-type]
    chosen = [k for k, x in enumerate(second.x) if x > 0.5]
    assert sum(coarse[k] for k in chosen) == best
    return best, sum(fine[k] for k in chosen), int(sum(sizes[k] for k in chosen))


@pytest.mark.parametrize(
    ("distribution", "seed"), [(d, s) for d in ("arbitrary", "regions", "L3") for s in (0, 1)]
)
def test_the_milp_at_2_110_matches_an_independent_solver_exactly(distribution: str, seed: int) -> None:
    """Amounts a * 2**100 + e (a the legacy generator's coarse prices, e < 2**10 of jitter) on 40 rollups:
    past the subset table, the engine's MILP sees them only rounded. Their exact optimum is the best a,
    then the best e, then the fewest rollups covered (sum(e) < 2**100), which an independent solver finds
    exactly in small integers. The jitter makes many packings tie on a or differ by a few wei."""
    made = generate(distribution, 40, 300, seed, generator="legacy")
    rng = np.random.default_rng(seed)
    best = {}
    for bid in made.bids:  # the best bid per bundle, ties to the first
        best[bid.bundle] = max(best.get(bid.bundle, 0), bid.amount)
    bundles = sorted(best)
    coarse = [best[b] for b in bundles]
    fine = [int(x) for x in rng.integers(0, 2**10, len(bundles))]
    amounts = {b: a * 2**100 + e for b, a, e in zip(bundles, coarse, fine, strict=True)}
    n = len(made.reserves)
    instance = Instance((0,) * n, amounts)
    got = clear(instance, method=Method.MILP)
    a, e, covered = _lexicographic_reference(coarse, fine, bundles, n)
    assert got.value == a * 2**100 + e
    assert got.covered == covered
    assert instance.value(got.bundles) == got.value


@pytest.mark.parametrize(("distribution", "seed"), [("regions", 0), ("L4", 1), ("arbitrary", 2), ("L2", 3)])
def test_vcg_at_wei_reads_counterfactuals_from_the_rounded_table(
    distribution: str, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Wei rounds of few rollups (bids ~1e20 wei): the table is rounded (values past int64), and the local
    search around each winner, bounded by it and valued exactly, gives the W(-i) of solving the round
    without i."""
    made = generate(distribution, 14, 150, seed, scale="wei", unit=1000)
    whole = table_clearing(made.instance())
    assert whole is not None and whole[1].shift > 0
    answered = []
    search = LocalCounterfactuals.welfare_without

    def spy(self: LocalCounterfactuals, *args: Any, **kwargs: Any) -> tuple[int, tuple[int, ...]] | None:
        found = search(self, *args, **kwargs)
        answered.append(found is not None)
        return found

    monkeypatch.setattr(LocalCounterfactuals, "welfare_without", spy)
    fast = vcg(made.reserves, made.bids)
    assert fast.payments and any(answered)
    for payment in fast.payments:
        round_without = Instance.from_bids(made.reserves, made.bids, exclude=payment.bidder)
        reference = clear(round_without, method=Method.DP)
        assert payment.welfare_without == reference.value
        assert round_without.value(payment.counterfactual) == reference.value
        assert payment.payment == reference.value - (fast.clearing.value - payment.bid)

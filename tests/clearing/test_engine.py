"""The clearing engine (DP and HiGHS MILP) against brute force and an independent solver; VCG payments."""

from __future__ import annotations

import math
import multiprocessing
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from seqmarket.clearing import Bid, Instance, Method, Packing, SolvedBy, clear
from seqmarket.clearing.brute_force import clear_brute_force
from seqmarket.clearing.dp import SubsetTable, dp_packing
from seqmarket.clearing.generators import generate
from seqmarket.clearing.highs import TIGHT
from seqmarket.clearing.instance import rollups_of
from seqmarket.clearing.milp import solve_packing
from seqmarket.clearing.preprocess import positive_bundles, reduce
from seqmarket.clearing.racing import (
    LEXICOGRAPHIC,
    NEVER,
    RACING,
    STAGED,
    Racer,
    Racing,
    core_is_idle,
    runnable_now,
)
from seqmarket.clearing.trace import Trace
from seqmarket.clearing.vcg import vcg
from seqmarket.errors import ClearingTimeout
from tests.support.strategies import bid_rounds

A, B = 0b01, 0b10
WEI = 10**18


@st.composite
def instances(draw: st.DrawFn, max_n: int = 8, scale: int = 1) -> Instance:
    """Random rounds; small amounts make ties common, ``scale`` lifts them to wei sizes."""
    n = draw(st.integers(1, max_n))
    reserves = tuple(draw(st.lists(st.integers(0, 12), min_size=n, max_size=n)))
    bundles = draw(st.lists(st.integers(1, 2**n - 1), max_size=3 * n, unique=True))
    amounts = draw(st.lists(st.integers(1, 40), min_size=len(bundles), max_size=len(bundles)))
    if scale > 1:
        jitter = draw(st.lists(st.integers(0, 3), min_size=len(bundles), max_size=len(bundles)))
        amounts = [a * scale + j for a, j in zip(amounts, jitter, strict=True)]
        reserves = tuple(r * scale for r in reserves)
    return Instance(reserves=reserves, bids=dict(zip(bundles, amounts, strict=True)))


@settings(max_examples=300, deadline=None)
@given(instances())
def test_every_method_matches_brute_force(instance: Instance) -> None:
    ref = clear_brute_force(instance)
    for method in Method:
        got = clear(instance, method=method)
        assert (got.value, got.covered) == (ref.value, ref.covered), method
        assert instance.value(got.bundles) == got.value


@settings(max_examples=150, deadline=None)
@given(instances(scale=WEI))
@example(  # no-good rows leave an LP bound at the cutoff that no packing reaches; HiGHS says optimal
    Instance(
        (4 * 10**18, 0, 2 * 10**18, 0),
        {1: 10**18, 2: 10**18, 9: 20 * 10**18, 5: 22 * 10**18 + 1, 3: 10**18, 4: 10**18},
    )
)
def test_wei_sized_values_stay_exact(instance: Instance) -> None:
    """Amounts far beyond 2**53 with 1-wei differences: the MILP's scaled certificate keeps them exact."""
    ref = clear(instance, method=Method.DP)
    got = clear(instance, method=Method.MILP)
    assert (got.value, got.covered) == (ref.value, ref.covered)
    assert instance.value(got.bundles) == got.value


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from(["arbitrary", "L3", "regions", "rollup-synergy"]))
def test_table_dp_matches_the_subset_dp_on_generated_rounds(seed: int, distribution: str) -> None:
    """The numpy table over all subsets (n <= 22) against the memoised DP, tie rule included."""
    instance = generate(distribution, 14, 120, seed, generator="legacy").instance()
    ref = clear(instance, method=Method.DP)
    got = clear(instance, method=Method.TABLE)
    assert (got.value, got.covered) == (ref.value, ref.covered)
    assert instance.value(got.bundles) == got.value


@settings(max_examples=60, deadline=None)
@given(instances(max_n=9), st.lists(st.integers(0, 2**9 - 1), min_size=1, max_size=12))
def test_subset_table_answers_every_set_like_the_subset_dp(instance: Instance, sets: list[int]) -> None:
    """f at any rollup set (the apex level evaluated on demand) and its witness, against the memoised DP."""
    _, candidates, gains, member = positive_bundles(instance)
    table = SubsetTable.build(candidates, gains, member, None)
    assert table is not None
    got = table.gains(np.array(sets, dtype=np.int64))
    for subset, gain in zip(sets, got, strict=True):
        inside = {b: g for b, g in zip(candidates, gains, strict=True) if b & subset == b}
        ref = dp_packing(inside)
        packing = table.packing(subset)
        assert gain == ref.gain == packing.gain
        assert all(b & subset == b for b in packing.bundles)
        assert sum(b.bit_count() for b in packing.bundles) == sum(b.bit_count() for b in ref.bundles)
        assert sum(gains[candidates.index(b)] for b in packing.bundles) == ref.gain


LEX, STAGES = LEXICOGRAPHIC[0], STAGED[0]
PORTFOLIOS = [LEXICOGRAPHIC, (STAGES, LEX), (STAGES,), (LEX,), STAGED]


def from_the_start(racers: tuple[Racer, ...] = LEXICOGRAPHIC, idle: bool = True) -> Racing:
    """Stage 0 cut off at once: every racer forked from the start (or, without an idle core, the first
    racer run in-process)."""
    return Racing(after=0.0, lexicographic=racers, idle_core=lambda: idle)


def same_answer(got: Packing, ref: Packing) -> bool:
    """Same gain and same rollups covered: the tie rule's answer (exact ties may pick other bundles)."""
    return (got.gain, sum(b.bit_count() for b in got.bundles)) == (
        ref.gain,
        sum(b.bit_count() for b in ref.bundles),
    )


@pytest.mark.parametrize("portfolio", PORTFOLIOS)
@settings(max_examples=6, deadline=None)
@given(st.integers(0, 10**6))
def test_raced_portfolio_is_exact(portfolio: tuple[Racer, ...], seed: int) -> None:
    """The portfolio in forked processes (forced from the start), each method alone and both raced,
    returns the DP's answer, tie rule included."""
    instance = generate("arbitrary", 18, 150, seed, generator="legacy").instance()
    reduction = reduce(instance)
    for component in reduction.components:
        got = solve_packing(component, instance.n, racing=from_the_start(portfolio))
        assert same_answer(got, dp_packing(component))


@pytest.mark.parametrize("racer_wins", [True, False])
def test_racers_join_a_running_stage_0(racer_wins: bool) -> None:
    """Stage 0 keeps solving while the other racers start in forked processes: a racer's proof interrupts
    it (forced here by waiting for the racer at each look), or stage 0 finishes first (forced by never
    looking), and either way the answer is stage 0's alone, and no racer outlives the solve."""
    instance = generate("arbitrary", 32, 1000, 1, generator="legacy").instance()
    component = max(reduce(instance).components, key=len)
    ref = solve_packing(component, instance.n, racing=NEVER)
    # Each look waits until a racer reports, or stage 0 never looks.
    looks = replace(RACING, wait=None) if racer_wins else replace(RACING, every=math.inf)
    racing = replace(looks, after=1e-4, idle_core=lambda: True)
    trace = Trace()
    got = solve_packing(component, instance.n, racing=racing, trace=trace)
    assert trace.raced == [LEXICOGRAPHIC[1:]]
    assert trace.interrupted == (1 if racer_wins else 0)
    assert same_answer(got, ref)
    assert multiprocessing.active_children() == []


def test_a_refused_race_is_asked_again() -> None:
    """No idle core when stage 0 first asks: stage 0 goes on and asks again, and the racers join once a
    core is free."""
    instance = generate("arbitrary", 32, 1000, 1, generator="legacy").instance()
    component = max(reduce(instance).components, key=len)
    ref = solve_packing(component, instance.n, racing=NEVER)
    answers = [False, False]
    asked = []

    def idle_core() -> bool:
        asked.append(True)
        return answers.pop(0) if answers else True

    trace = Trace()
    got = solve_packing(component, instance.n, racing=Racing(after=1e-3, idle_core=idle_core), trace=trace)
    assert len(asked) == 3
    assert trace.raced == [LEXICOGRAPHIC[1:]]
    assert got.gain == ref.gain
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize(
    ("runnable", "load", "idle"),
    [
        (1, 1.9, True),
        (2, 0.0, False),
        (3, 0.0, False),
        (None, 1.4, True),
        (None, 1.6, False),
        (None, None, False),
    ],
)
def test_idle_core_counts_runnable_tasks_now(runnable: int | None, load: float | None, idle: bool) -> None:
    """On 2 cores a racer gets a core when only this process is runnable now, whatever the lagging load
    average says; without /proc the load average decides, and without either nobody races."""
    assert core_is_idle(2, runnable, load) is idle


def test_runnable_reads_the_kernel_count() -> None:
    """This process is running while it asks, so the count is at least 1 (Linux)."""
    running = runnable_now()
    assert running is not None and running >= 1


def test_staged_race_when_the_lexicographic_objective_does_not_fit() -> None:
    """Gains too large for W below 2**29 (rollup-synergy, 100 rollups, amounts x8 with a few wei of
    jitter) take the stages; cut off at once, stage 1 races in forked processes and the first stage 1
    proof runs the tie-break there."""
    synergy = generate("rollup-synergy", 100, 500, 0, generator="legacy").instance()
    instance = Instance(
        tuple(8 * r for r in synergy.reserves), {b: 8 * a + b % 3 for b, a in synergy.bids.items()}
    )
    component = max(reduce(instance).components, key=len)
    ref = solve_packing(component, instance.n, racing=NEVER)
    trace = Trace()
    got = solve_packing(component, instance.n, racing=from_the_start(), trace=trace)
    assert trace.raced == [STAGED]
    assert same_answer(got, ref)
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize(
    ("portfolio", "idle"),
    [((STAGES,), False), ((STAGES,), True), (LEXICOGRAPHIC, False), ((STAGES, LEX), True)],
)
@settings(max_examples=60, deadline=None)
@given(instances())
def test_two_stage_tie_break_matches_brute_force(
    portfolio: tuple[Racer, ...], idle: bool, instance: Instance
) -> None:
    """Stage 0 cut off at once: the plain-gain stage and the tie-break (here or in forked processes), or the
    lexicographic solve, must keep the tie rule (small amounts make equal-gain packings with different
    coverage common)."""
    ref = clear_brute_force(instance)
    reduction = reduce(instance)
    value, covered = reduction.baseline, 0
    for component in reduction.components:
        got = solve_packing(component, instance.n, racing=from_the_start(portfolio, idle))
        assert got.gain == sum(component[b] for b in got.bundles)
        value += got.gain
        covered += sum(b.bit_count() for b in got.bundles)
    assert (value, covered) == (ref.value, ref.covered)


@st.composite
def components_past_2_26(draw: st.DrawFn) -> tuple[dict[int, int], int]:
    """A component (bundle -> gain) whose lexicographic total lands between 2**26 and 2**29: small
    random gains scaled up, plus a few units of jitter for near-ties and ties."""
    n = draw(st.integers(4, 8))
    multi = st.integers(1, 2**n - 1).filter(lambda b: b & (b - 1) != 0)
    bundles = draw(st.lists(multi, min_size=3, max_size=3 * n, unique=True))
    base = draw(st.lists(st.integers(1, 40), min_size=len(bundles), max_size=len(bundles)))
    jitter = draw(st.lists(st.integers(0, 3), min_size=len(bundles), max_size=len(bundles)))
    ratios = [(a / b.bit_count(), b) for a, b in zip(base, bundles, strict=True)]
    per_rollup = [max([r for r, b in ratios if b >> i & 1], default=0) for i in range(n)]
    in_play = 0
    for b in bundles:
        in_play |= b
    scale = int(2**27.5 / ((in_play.bit_count() + 1) * sum(per_rollup)))
    return {b: a * scale + j for b, a, j in zip(bundles, base, jitter, strict=True)}, n


@settings(max_examples=100, deadline=None)
@given(components_past_2_26())
def test_totals_between_2_26_and_2_29_stay_exact(drawn: tuple[dict[int, int], int]) -> None:
    """Packing totals past 2**26 solve in one lexicographic MILP with HiGHS's tolerances at 1e-10
    (its bound's error stays below 0.07 of a unit), and agree with the subset DP, tie rule included."""
    component, n = drawn
    assume(math.gcd(*component.values()) == 1)  # a common factor would shrink the totals (rare)
    trace = Trace()
    got = solve_packing(component, n, racing=NEVER, trace=trace)
    assert trace.tolerances == [TIGHT]
    assert same_answer(got, dp_packing(component))


def test_rollup_synergy_at_100_rollups_uses_the_tight_tolerance() -> None:
    """rollup-synergy 100x500's lexicographic totals (2**27.5-2**28.4) pass 2**26: one solve at 1e-10,
    agreeing with scipy's HiGHS on the plain formulation."""
    instance = generate("rollup-synergy", 100, 500, 0, generator="legacy").instance()
    reduction = reduce(instance)
    trace = Trace()
    gain = sum(solve_packing(c, instance.n, trace=trace).gain for c in reduction.components)
    assert TIGHT in trace.tolerances
    assert (
        reduction.baseline + gain == plain_milp_value(instance) == clear(instance, method=Method.MILP).value
    )


def test_one_wei_decides_between_near_equal_packings() -> None:
    """Two packings a single wei apart (and a tie on value) at 10**20 scale."""
    big = 10**20
    bids = {0b0011: 3 * big + 1, 0b1100: 3 * big, 0b0110: 6 * big + 1, 0b1111: 6 * big + 1}
    result = clear(Instance((0, 0, 0, 0), bids), method=Method.MILP)
    # {0,1}+{2,3} = 6e20+1 = {1,2} + singletons = {0..3}: all tie; the fewest covered rollups wins.
    assert result.value == 6 * big + 1
    assert result.bundles == (0b0110,)


def plain_milp_value(instance: Instance) -> int:
    """Independent check: scipy's HiGHS on the unreduced formulation, every bid a column."""
    bundles = list(instance.bids)
    n = instance.n
    matrix = np.zeros((n, len(bundles)))
    weights = []
    for k, bundle in enumerate(bundles):
        for i in rollups_of(bundle):
            matrix[i, k] = 1
        weights.append(instance.bids[bundle] - sum(instance.reserves[i] for i in rollups_of(bundle)))
    if not bundles:
        return sum(instance.reserves)
    result = milp(
        -np.array(weights, dtype=float),
        constraints=LinearConstraint(matrix, 0, 1),
        integrality=np.ones(len(bundles)),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0},
    )
    chosen = [k for k, x in enumerate(result.x) if x > 0.5]
    return sum(instance.reserves) + sum(weights[k] for k in chosen)


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from(["arbitrary", "regions", "paths", "L3", "L4", "L6", "L7", "rollup-synergy"]),
    st.integers(0, 10**6),
)
def test_engine_matches_an_independent_solver_on_generated_rounds(distribution: str, seed: int) -> None:
    instance = generate(distribution, 18, 150, seed, generator="legacy").instance()
    got = clear(instance)
    assert got.value == plain_milp_value(instance)
    assert got.value == clear(instance, method=Method.DP).value
    assert instance.value(got.bundles) == got.value


def test_preprocessing_drops_dominated_bundles_and_splits_components() -> None:
    bids = {0b000011: 10, 0b000111: 9, 0b110000: 7, 0b001000: 1}
    reduction = reduce(Instance((0,) * 6, bids))
    assert reduction.dominated == 1  # {0,1,2} gains 9 < {0,1}'s 10
    assert sorted(sorted(c) for c in reduction.components) == [[0b000011], [0b110000]]
    assert clear(Instance((0,) * 6, bids)).bundles == (0b000011, 0b110000)


@pytest.mark.parametrize("seed", [1, 2])
def test_table_components_of_a_big_round_match_the_milp(seed: int) -> None:
    """Components of a 100-rollup round go to the table (bundle masks far beyond 64 bits)."""
    instance = generate("paths", 100, 500, seed, generator="legacy").instance()
    got = clear(instance)
    ref = clear(instance, method=Method.MILP)
    assert SolvedBy.TABLE in got.method
    assert (got.value, got.covered) == (ref.value, ref.covered)
    assert instance.value(got.bundles) == got.value


def test_time_limit_fails_loudly_with_the_gap() -> None:
    instance = generate("L3", 70, 1000, 3, generator="legacy").instance()
    with pytest.raises(ClearingTimeout, match="no answer returned") as raised:
        clear(instance, time_limit=0.05)
    assert raised.value.bound >= (raised.value.incumbent or 0)


def test_seed_vcg_example_pays_24_9() -> None:
    """A+B = 25 wins against A = 10 and B = 14.9: Bidder 3 pays W(-3) - (W - 25) = 24.9 - 0."""
    bids = [
        Bid("1", A, 10 * WEI),
        Bid("2", B, 8 * WEI),
        Bid("3", A | B, 25 * WEI),
        Bid("4", B, 149 * WEI // 10),
    ]
    outcome = vcg([0, 0], bids)
    assert outcome.clearing.bundles == (A | B,)
    (payment,) = outcome.payments
    assert (payment.bidder, payment.payment) == ("3", 249 * WEI // 10)


@settings(max_examples=200, deadline=None)
@given(bid_rounds())
def test_vcg_matches_brute_force(round_: tuple[tuple[int, ...], list[Bid]]) -> None:
    reserves, bids = round_
    fast = vcg(reserves, bids)
    ref = vcg(reserves, bids, solve=clear_brute_force)
    assert (fast.clearing.value, fast.clearing.covered) == (ref.clearing.value, ref.clearing.covered)
    # W and every W(-i) are unique values; which optimal partition wins an exact tie (same value, same
    # rollups covered) is not, and b_i, so p_i, follows the partition. So W(-i) must match brute force
    # for every bidder, and p_i = W(-i) - (W - b_i) with b_i from the engine's own partition.
    for payment in fast.payments:
        round_without = Instance.from_bids(reserves, bids, exclude=payment.bidder)
        without = clear_brute_force(round_without)
        assert payment.welfare_without == without.value
        assert round_without.value(payment.counterfactual) == without.value  # the claim proves W(-i)
        assert payment.payment == without.value - (fast.clearing.value - payment.bid)
        assert 0 <= payment.payment <= payment.bid


def test_vcg_on_an_exact_tie_follows_the_chosen_partition() -> None:
    """Two overlapping bundles with equal gain and size: either optimum is valid, and the payment follows it
    (found by hypothesis: bundle {0,2} pays 11 - (12 - 6) = 5, bundle {2,4} pays 11 - (12 - 7) = 6)."""
    reserves = (5, 0, 0, 0, 6)
    bids = [Bid("a", 0b00101, 6, 0), Bid("a", 0b10100, 7, 1)]
    (payment,) = vcg(reserves, bids).payments
    assert payment.welfare_without == 11
    assert (payment.bid, payment.payment) in {(6, 5), (7, 6)}


@pytest.mark.parametrize(("distribution", "seed"), [("L4", 0), ("L7", 1), ("arbitrary", 2), ("regions", 3)])
def test_vcg_from_the_subset_table_matches_solving_each_round_without(distribution: str, seed: int) -> None:
    """The table-based counterfactuals (few rollups) against clearing every round without i from scratch."""
    made = generate(distribution, 16, 200, seed, generator="legacy")
    fast = vcg(made.reserves, made.bids)
    assert fast.payments
    for payment in fast.payments:
        round_without = Instance.from_bids(made.reserves, made.bids, exclude=payment.bidder)
        reference = clear(round_without, method=Method.MILP)
        assert payment.welfare_without == reference.value
        assert round_without.value(payment.counterfactual) == reference.value


def test_vcg_reuses_untouched_components() -> None:
    """A winner on one component leaves the other component's packing valid: same payments either way."""
    made = generate("paths", 40, 300, 2, generator="legacy")
    fast = vcg(made.reserves, made.bids)
    ref = vcg(made.reserves, made.bids, solve=clear)
    assert fast == ref


def test_vcg_reports_progress_once_per_winner() -> None:
    """The progress callback sees (1, total), (2, total) ... (total, total): once per winner done."""
    made = generate("paths", 16, 200, 0, generator="legacy")
    calls: list[tuple[int, int]] = []
    outcome = vcg(made.reserves, made.bids, progress=lambda done, total: calls.append((done, total)))
    total = len(outcome.payments)
    assert total > 1
    assert calls == [(done, total) for done in range(1, total + 1)]

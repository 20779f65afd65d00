"""The LP relaxation's counterfactual shortcut: its bound never undercuts W(-i), its answers are exact."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from unittest.mock import patch

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from seqmarket.clearing import Bid, Instance, Method, clear
from seqmarket.clearing.brute_force import clear_brute_force
from seqmarket.clearing.generators import generate
from seqmarket.clearing.instance import ranked_bids, runner_ups_by_bidder
from seqmarket.clearing.relaxation import MAX_VALUE, Relaxation
from seqmarket.clearing.vcg import vcg
from tests.support.strategies import bid_rounds


@st.composite
def rounds(draw: st.DrawFn) -> tuple[Instance, dict[str, dict[int, int | None]], list[Bid]]:
    """A round (best bid per bundle), each bidder's best bundles with their runner-ups, and the bids."""
    reserves, bids = draw(bid_rounds(max_n=7, max_amount=60))
    ranked = ranked_bids(bids)
    instance = Instance(reserves, {b: pair[0].amount for b, pair in ranked.items()})
    return instance, runner_ups_by_bidder(ranked), bids


@settings(max_examples=200, deadline=None)
@given(rounds())
@example(  # the LP kept a bundle only the excluded bidder bid on (worth 0 without it) in its partition
    (
        Instance((0, 0, 0), {1: 1, 6: 1}),
        {"b": {1: 1}, "a": {6: None}},
        [Bid("b", 1, 1, 0), Bid("a", 6, 1, 1), Bid("a", 1, 1, 2)],
    )
)
def test_bound_is_never_below_the_counterfactual_and_answers_are_exact(
    drawn: tuple[Instance, dict[str, dict[int, int | None]], list[Bid]],
) -> None:
    instance, held, bids = drawn
    relaxation = Relaxation(instance)
    for bidder, changed in held.items():
        round_without = Instance.from_bids(instance.reserves, bids, exclude=bidder)
        truth = clear_brute_force(round_without).value
        bound = relaxation.bound_without(changed)
        assert bound is not None and bound >= truth
        # The singleton partition is always a valid floor.
        found = relaxation.welfare_without(changed, round_without.baseline(), ())
        if found is not None:
            assert found[0] == truth
            assert round_without.value(found[1]) == truth
    # Every counterfactual restored the round's own costs: the round's LP bound is unchanged.
    assert relaxation.bound_without({}) == Relaxation(instance).bound_without({})


def test_a_bundle_left_out_of_the_lp_is_priced_back_in() -> None:
    """{0,1} gains nothing in the round (rollup 0 sells alone for 100), so the LP leaves it out; without
    the bidder of that singleton it is the optimum, and the bound finds it."""
    instance = Instance((1, 0), {0b01: 100, 0b10: 10, 0b11: 60})
    relaxation = Relaxation(instance)
    assert relaxation.bound_without({}) == 110
    assert relaxation.welfare_without({0b01: None}, 11, ()) == (60, (0b11,))


def test_wei_sized_rounds_are_left_to_the_milp() -> None:
    instance = Instance((0, 0), {0b01: MAX_VALUE, 0b11: 1})
    assert Relaxation.for_round(instance, MAX_VALUE) is None


@contextmanager
def relaxation_answers() -> Iterator[list[bool]]:
    """Record whether each counterfactual that reached the relaxation was proven by it."""
    answers: list[bool] = []
    original = Relaxation.welfare_without

    def spy(self: Relaxation, *args: object) -> tuple[int, tuple[int, ...]] | None:
        found = original(self, *args)  # type: ignore[arg-type]
        answers.append(found is not None)
        return found

    with patch.object(Relaxation, "welfare_without", spy):
        yield answers


@pytest.mark.parametrize(
    ("distribution", "goods", "bids", "seed"),
    [("L4", 100, 500, 0), ("paths", 64, 2000, 0), ("scheduling", 64, 2000, 2), ("L2", 100, 500, 1)],
)
def test_vcg_through_the_relaxation_matches_solving_each_round_without(
    distribution: str, goods: int, bids: int, seed: int
) -> None:
    made = generate(distribution, goods, bids, seed, generator="legacy")
    with relaxation_answers() as answers:
        fast = vcg(made.reserves, made.bids)
    assert any(answers), "the relaxation proved no counterfactual here"
    for payment in fast.payments:
        round_without = Instance.from_bids(made.reserves, made.bids, exclude=payment.bidder)
        reference = clear(round_without, method=Method.MILP)
        assert payment.welfare_without == reference.value
        assert round_without.value(payment.counterfactual) == reference.value

"""The CATS and rollup generators: valid rounds with the properties their docstrings promise."""

from __future__ import annotations

import pytest

from seqmarket.clearing.generators import DISTRIBUTIONS, generate
from seqmarket.clearing.instance import rollups_of


@pytest.mark.parametrize("distribution", list(DISTRIBUTIONS))
def test_generated_rounds_are_valid_and_deterministic(distribution: str) -> None:
    made = generate(distribution, 24, 120, seed=7)
    assert len(made.reserves) == 24
    assert len(made.bids) == 120
    assert all(0 < b.bundle < 2**24 and b.amount >= 1 for b in made.bids)
    assert [b.order for b in made.bids] == list(range(120))
    made.instance()  # passes the contract's validation
    assert generate(distribution, 24, 120, seed=7) == made
    assert generate(distribution, 24, 120, seed=8) != made


def test_unit_scales_amounts_without_changing_structure() -> None:
    small = generate("arbitrary", 16, 60, seed=1)
    wei = generate("arbitrary", 16, 60, seed=1, unit=10**15)
    assert [(b.bundle, b.amount * 10**15) for b in small.bids] == [(b.bundle, b.amount) for b in wei.bids]


def test_legacy_sizes_and_prices() -> None:
    uniform = generate("L3", 30, 200, seed=2)
    assert {len(rollups_of(b.bundle)) for b in uniform.bids} == {3}
    assert all(b.amount <= 1000 for b in uniform.bids)  # U[0, 1] at resolution 1000
    assert len({b.bidder for b in uniform.bids}) == 200  # legacy: one bid per bidder
    for name in ("L6", "L7"):  # price uniform on [0.5k, 1.5k] for a bundle of k goods
        for bid in generate(name, 30, 200, seed=2).bids:
            k = len(rollups_of(bid.bundle))
            assert 500 * k - 1 <= bid.amount <= 1500 * k + 1


def test_scheduling_bids_are_windows_of_consecutive_slots() -> None:
    for bid in generate("scheduling", 40, 300, seed=3).bids:
        slots = rollups_of(bid.bundle)
        assert slots == list(range(slots[0], slots[-1] + 1))


def test_proximity_bidders_bid_on_substitutes() -> None:
    for name in ("regions", "arbitrary"):
        made = generate(name, 40, 300, seed=4)
        per_bidder: dict[str, int] = {}
        for bid in made.bids:
            per_bidder[bid.bidder] = per_bidder.get(bid.bidder, 0) + 1
        assert max(per_bidder.values()) <= 5  # a first bundle plus at most 4 substitutes
        assert max(per_bidder.values()) >= 2


def test_rollup_synergy_has_reserves_and_singleton_bids() -> None:
    made = generate("rollup-synergy", 32, 300, seed=5)
    assert all(r > 0 for r in made.reserves)
    assert any(b.bundle & (b.bundle - 1) == 0 for b in made.bids)
    assert any(len(rollups_of(b.bundle)) >= 2 for b in made.bids)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nope", 10, 10), "unknown distribution"),
        (("L3", 0, 10), "between 1 and 256"),
        (("L3", 10, 0), "bids must be positive"),
    ],
)
def test_bad_parameters_are_rejected(args: tuple[str, int, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate(*args)

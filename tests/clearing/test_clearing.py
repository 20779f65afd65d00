"""The exact clearing against brute force, the seed's worked examples, and the contract's tie rule."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqmarket.clearing import Instance, InvalidInstance, clear
from seqmarket.clearing.brute_force import clear_brute_force, set_partitions

A, B = 0b01, 0b10


@st.composite
def instances(draw: st.DrawFn) -> Instance:
    """Random rounds with n <= 8: reserves, singleton and bundle bids, small values so ties are common."""
    n = draw(st.integers(1, 8))
    reserves = tuple(draw(st.lists(st.integers(0, 12), min_size=n, max_size=n)))
    bundles = draw(st.lists(st.integers(1, 2**n - 1), max_size=3 * n, unique=True))
    amounts = draw(st.lists(st.integers(1, 40), min_size=len(bundles), max_size=len(bundles)))
    return Instance(reserves=reserves, bids=dict(zip(bundles, amounts, strict=True)))


@settings(max_examples=600, deadline=None)
@given(instances())
def test_clearing_matches_brute_force(instance: Instance) -> None:
    got = clear(instance)
    ref = clear_brute_force(instance)
    assert got.value == ref.value
    # Same tie rule as the contract: the fewest rollups in listed bundles (singletons stand when optimal).
    assert got.covered == ref.covered
    assert instance.value(got.bundles) == got.value  # a valid partition, valued independently


@settings(max_examples=100, deadline=None)
@given(instances())
def test_clearing_is_deterministic(instance: Instance) -> None:
    shuffled = Instance(reserves=instance.reserves, bids=dict(reversed(list(instance.bids.items()))))
    assert clear(instance) == clear(shuffled)


def test_seed_last_look_example() -> None:
    """Seed: A=10, B=8, A+B=25 -> A+B wins with 25; Bidder 4's 14.9 on B still loses to A+B (24.9 < 25)."""
    assert clear(Instance((0, 0), {A: 100, B: 80, A | B: 250})).bundles == (A | B,)
    result = clear(Instance((0, 0), {A: 100, B: 149, A | B: 250}))
    assert (result.bundles, result.value) == ((A | B,), 250)
    # Bidding 15.1 on B would flip it: A and B sell separately for 25.1.
    result = clear(Instance((0, 0), {A: 100, B: 151, A | B: 250}))
    assert (result.bundles, result.value) == ((), 251)


def test_tie_keeps_singletons() -> None:
    """A bundle bid equal to its parts cannot strictly improve on the singleton partition."""
    result = clear(Instance((0, 0), {A: 10, B: 15, A | B: 25}))
    assert result.bundles == () and result.value == 25


def test_reserve_counts_as_singleton_value() -> None:
    """v({i}) = max(b_i, r_i): a bundle must beat the reserves of rollups without singleton bids."""
    assert clear(Instance((30, 30), {A | B: 59})).bundles == ()
    assert clear(Instance((30, 30), {A | B: 61})).bundles == (A | B,)


def test_set_partition_counts_are_bell_numbers() -> None:
    assert [sum(1 for _ in set_partitions(n)) for n in range(7)] == [1, 1, 2, 5, 15, 52, 203]


@pytest.mark.parametrize(
    ("reserves", "bids", "message"),
    [
        ((), {}, "between 1 and 256"),
        ((0,), {2: 5}, "names a rollup"),
        ((0, 0), {3: 0}, "must be positive"),
        ((-1,), {}, "non-negative"),
    ],
)
def test_invalid_instances_rejected(reserves, bids, message) -> None:
    with pytest.raises(InvalidInstance, match=message):
        Instance(reserves, bids)


def test_value_rejects_what_the_contract_rejects() -> None:
    instance = Instance((0, 0, 0), {0b011: 5, 0b110: 5})
    with pytest.raises(InvalidInstance, match="overlaps"):
        instance.value([0b011, 0b110])
    with pytest.raises(InvalidInstance, match="no bid"):
        instance.value([0b101])
    with pytest.raises(InvalidInstance, match="singleton"):
        instance.value([0b001])
    below = Instance((3, 3, 0), {0b011: 5})  # BundleBelowReserves: 5 < 3 + 3
    with pytest.raises(InvalidInstance, match="bids 5, below its reserves 6"):
        below.value([0b011])
    assert Instance((3, 2, 0), {0b011: 5}).value([0b011]) == 5  # exactly its reserves: listed

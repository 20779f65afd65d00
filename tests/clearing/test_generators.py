"""The generators: valid rounds with the properties their docstrings promise (statistics against the
original CATS generator: test_generator_statistics.py)."""

from __future__ import annotations

import statistics

import numpy as np
import pytest

from seqmarket.clearing.generators import DISTRIBUTIONS, convert, generate
from seqmarket.clearing.generators.bidset import NO_DUMMY, BidSet
from seqmarket.clearing.instance import rollups_of


@pytest.mark.parametrize("generator", ["cats", "legacy"])
@pytest.mark.parametrize("distribution", list(DISTRIBUTIONS))
def test_generated_rounds_are_valid_and_deterministic(distribution: str, generator: str) -> None:
    made = generate(distribution, 24, 120, seed=7, generator=generator)  # type: ignore[arg-type]
    assert len(made.reserves) <= 24 if distribution == "paths" else len(made.reserves) == 24
    assert 110 <= len(made.bids) <= 140  # CATS keeps the whole last bidder
    assert all(0 < b.bundle < 2 ** len(made.reserves) and b.amount >= 1 for b in made.bids)
    assert [b.order for b in made.bids] == list(range(len(made.bids)))
    made.instance()  # passes the contract's validation
    assert generate(distribution, 24, 120, seed=7, generator=generator) == made  # type: ignore[arg-type]
    assert generate(distribution, 24, 120, seed=8, generator=generator) != made  # type: ignore[arg-type]


def test_unit_scales_amounts_without_changing_structure() -> None:
    small = generate("arbitrary", 16, 60, seed=1)
    wei = generate("arbitrary", 16, 60, seed=1, unit=10**15)
    assert [(b.bundle, b.amount * 10**15) for b in small.bids] == [(b.bundle, b.amount) for b in wei.bids]


def test_cats_scale_is_six_significant_digits_times_a_million() -> None:
    assert convert([529.6471234, 0.0585861, 63972.24], "cats") == [529_647_000, 58_586, 63_972_200_000]


@pytest.mark.parametrize("distribution", ["arbitrary", "paths", "L3"])
def test_wei_scale_has_median_1e17_and_no_common_factor(distribution: str) -> None:
    cats = generate(distribution, 32, 300, seed=3)
    wei = generate(distribution, 32, 300, seed=3, scale="wei")
    assert [b.bundle for b in cats.bids] == [b.bundle for b in wei.bids]  # same round, other amounts
    amounts = [b.amount for b in wei.bids]
    assert 0.99e17 <= statistics.median(amounts) <= 1.01e17
    assert min(amounts) > 1e14 and max(amounts) < 1e19
    distinct = set(amounts)
    assert len({a & 0xFFFF for a in distinct}) > len(distinct) // 2  # full resolution, no common factor
    # equal real prices stay equal: paths prices every route of a bidder the same
    assert (len(set(amounts)) < len(amounts)) == (distribution == "paths")


def test_legacy_sizes_and_prices() -> None:
    uniform = generate("L3", 30, 200, seed=2)
    assert {len(rollups_of(b.bundle)) for b in uniform.bids} == {3}
    assert len({b.bundle for b in uniform.bids}) == 200  # the dominance check: no bundle twice
    assert all(b.amount <= 1000 * 10**6 for b in uniform.bids)  # U[0, 1000]
    assert len({b.bidder for b in uniform.bids}) == 200  # one bid per bidder
    for name in ("L2", "L4", "L6", "L7"):  # price U[1, 1000] * size
        for bid in generate(name, 30, 200, seed=2).bids:
            k = len(rollups_of(bid.bundle))
            assert 10**6 * k - 1 <= bid.amount <= 1000 * 10**6 * k + 1


def test_l3_turns_the_dominance_check_off_only_out_of_its_reach() -> None:
    assert generate("L3", 20, 500, seed=1).params["dominance"] == 1
    crowded = generate("L3", 20, 5000, seed=1)  # only 1,140 bundles of 3 on 20 goods
    assert crowded.params["dominance"] == 0 and len(crowded.bids) == 5000


def test_scheduling_bids_are_windows_of_consecutive_slots() -> None:
    made = generate("scheduling", 40, 300, seed=3)
    for bid in made.bids:
        slots = rollups_of(bid.bundle)
        assert slots == list(range(slots[0], slots[-1] + 1))
    assert max(len(rollups_of(b.bundle)) for b in made.bids) == 10  # CATS's max_length, whatever n


def test_dominance_keeps_bids_of_other_xor_sets_on_the_same_goods() -> None:
    bids = BidSet(8)
    bids.add(0b11, 5.0)
    bids.add(0b111, 4.0)  # dominated by 0b11 at a higher price
    bids.add(0b11, 3.0)  # the same goods, lower: dominated
    bids.add_xor(0b11, 2.0)  # the plain 0b11 bid's goods are inside it (its dummy good aside): dominated
    bids.add_xor(0b1100, 9.0)
    bids.done_xor()
    assert bids.bids() == [(0b11, 5.0), (0b1100, 9.0)]
    bids.add_xor(0b110000, 1.0)
    bids.add_xor(0b110000, 1.5)  # same goods, same dummy: the higher one stays
    bids.done_xor()
    assert sorted(bids.bids()) == [(0b11, 5.0), (0b1100, 9.0), (0b110000, 1.5)]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_indexed_dominance_relations_match_comparing_every_pair(seed: int) -> None:
    """The bit-set index finds exactly the bids CATS's check compares pairwise: goods inside (dummy good
    included) at a price at least as high, and the converse, for every bid of a regions bid set."""
    rng = np.random.default_rng(seed)
    made = BidSet(12, dominance=False)  # no removals: many related pairs stay to be found
    for _ in range(150):
        goods = int(rng.integers(1, 2**12))
        price = float(rng.integers(1, 6))
        if rng.random() < 0.5:
            made.add(goods, price)
            continue
        for extra in range(int(rng.integers(1, 4))):
            made.add_xor(goods | int(rng.integers(0, 2**12)) if extra else goods, price + extra)
        made.done_xor()
    made.remove(3)  # a moved bid must be indexed at its new position
    dummy = [made._dummy[k] for k in range(len(made))]
    goods_of = [made.goods_of(k) for k in range(len(made))]
    price = [p for _, p in made.bids()]
    found = 0
    for t in range(len(made)):
        inside_t = {
            j
            for j in range(len(made))
            if j != t
            and goods_of[j] & ~goods_of[t] == 0
            and dummy[j] in (NO_DUMMY, dummy[t])
            and price[j] >= price[t]
        }
        t_inside = {
            j
            for j in range(len(made))
            if j != t
            and goods_of[t] & ~goods_of[j] == 0
            and (dummy[t] == NO_DUMMY or dummy[j] == dummy[t])
            and price[t] >= price[j]
        }
        assert made._relations(t) == (inside_t, t_inside)
        found += len(inside_t) + len(t_inside)
    assert found > 50


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

"""The CATS generators against instances of the original CATS generator (benchmarks/instances/cats-original).

For each original instance, rounds of the same distribution and size from this project's generator
(other seeds: the files are not matched, their distribution is), pooled per distribution and size,
must land near the originals' pooled summary
statistics: bundle-size mean and max, the share of distinct bundles, the price resolution (CATS's 6
significant digits) and the median price. The earlier generator (legacy) fails these checks, which
is what they are for: its coarse prices, repeated L3 bundles, short scheduling jobs and long paths.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path

import pytest

from seqmarket.clearing.generators import generate

ORIGINAL = Path(__file__).resolve().parents[2] / "benchmarks" / "instances" / "cats-original"
FILES = sorted(ORIGINAL.glob("*.json"))


@dataclass(frozen=True)
class Stats:
    """Summary statistics of one round."""

    size_mean: float
    size_max: int
    distinct_share: float
    digits: float  # median significant digits of the amounts (trailing zeros dropped)
    price_median: float


def stats(bundles: list[int], amounts: list[int]) -> Stats:
    sizes = [b.bit_count() for b in bundles]
    return Stats(
        size_mean=statistics.mean(sizes),
        size_max=max(sizes),
        distinct_share=len(set(bundles)) / len(bundles),
        digits=statistics.median(len(str(a).rstrip("0")) for a in amounts),
        price_median=statistics.median(amounts),
    )


def original(path: Path) -> tuple[str, int, int, Stats]:
    data = json.loads(path.read_text())
    bundles = [sum(1 << i for i in set(bid["bundle"])) for bid in data["bids"]]
    amounts = [int(bid["amount"]) for bid in data["bids"]]
    distribution, goods, bids, _ = path.stem.split("_")
    return distribution, int(goods[1:]), int(bids[1:]), stats(bundles, amounts)


def generated(distribution: str, goods: int, bids: int, seeds: range, generator: str = "cats") -> Stats:
    """The statistics of rounds made with ``seeds``, pooled."""
    runs = []
    for seed in seeds:
        made = generate(distribution, goods, bids, seed, generator=generator)  # type: ignore[arg-type]
        runs.append(stats([b.bundle for b in made.bids], [b.amount for b in made.bids]))
    return pooled(runs)


def mismatches(ours: Stats, theirs: Stats) -> list[str]:
    """What lies outside the tolerances (one sample of CATS against a few of ours: loose on the max)."""
    out = []
    if abs(ours.size_mean / theirs.size_mean - 1) > 0.2:
        out.append(f"bundle-size mean {ours.size_mean:.2f} against {theirs.size_mean:.2f}")
    if not 0.6 <= ours.size_max / theirs.size_max <= 1.4:
        out.append(f"largest bundle {ours.size_max} against {theirs.size_max}")
    if abs(ours.distinct_share - theirs.distinct_share) > 0.05:
        out.append(f"distinct bundles {ours.distinct_share:.3f} of bids against {theirs.distinct_share:.3f}")
    if ours.digits != theirs.digits:
        out.append(f"price resolution {ours.digits} significant digits against {theirs.digits}")
    if not 1 / 1.5 <= ours.price_median / theirs.price_median <= 1.5:
        out.append(f"median price {ours.price_median:.4g} against {theirs.price_median:.4g}")
    return out


def cells() -> dict[tuple[str, int, int], list[Stats]]:
    """The original instances grouped by distribution and size."""
    grouped: dict[tuple[str, int, int], list[Stats]] = {}
    for path in FILES:
        distribution, goods, bids, found = original(path)
        grouped.setdefault((distribution, goods, bids), []).append(found)
    return grouped


def pooled(runs: list[Stats]) -> Stats:
    """Several instances' statistics as one (means of means, the largest max)."""
    return Stats(
        size_mean=statistics.mean(r.size_mean for r in runs),
        size_max=max(r.size_max for r in runs),
        distinct_share=statistics.mean(r.distinct_share for r in runs),
        digits=statistics.median(r.digits for r in runs),
        price_median=statistics.median(r.price_median for r in runs),
    )


CELLS = cells()


def test_the_original_instances_are_there() -> None:
    assert len(FILES) == 10
    assert len(CELLS) == 7


@pytest.mark.parametrize("cell", list(CELLS), ids=[f"{d}-{g}x{b}" for d, g, b in CELLS])
def test_generator_matches_the_original_cats_generator(cell: tuple[str, int, int]) -> None:
    distribution, goods, bids = cell
    seeds = range(1) if goods * bids > 50_000 else range(3)  # arbitrary 20x5000 takes ~2 s a round
    ours = generated(distribution, goods, bids, seeds)
    theirs = pooled(CELLS[cell])
    assert not mismatches(ours, theirs), mismatches(ours, theirs)


@pytest.mark.parametrize("stem", ["L3_g32_b1000_s101", "scheduling_g64_b2000_s101", "paths_g100_b500_s101"])
def test_the_earlier_generator_fails_the_same_checks(stem: str) -> None:
    distribution, goods, bids, theirs = original(ORIGINAL / f"{stem}.json")
    assert mismatches(generated(distribution, goods, bids, range(1), generator="legacy"), theirs)

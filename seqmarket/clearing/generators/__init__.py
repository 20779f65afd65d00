"""Instance generators: the CATS distributions (Leyton-Brown, Pearson & Shoham 2000) and a rollup model.

Each generator is written from the paper's prose description (not from CATS' code) and returns a
:class:`Generated` round: reserves plus labelled bids, with integer amounts. CATS prices are reals;
they are converted to integers as ``round(price * precision) * unit`` so that the same instance can be
expressed in small units or in wei-like magnitudes (``unit=10**12``) without changing its structure.

CATS expresses a bidder's alternatives as XOR bids joined by "dummy goods". A seqmarket round has no
XOR: every bid is an OR bid on its bundle (the contract keeps the best bid per bundle). So, as the
benchmark's baseline does, the generators emit the bids without dummy goods and keep the bidder's
identity in ``Bid.bidder`` (used by VCG, which charges per bidder).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from seqmarket.clearing.generators.cats import arbitrary, paths, regions, scheduling
from seqmarket.clearing.generators.common import Generated, RoundBuilder
from seqmarket.clearing.generators.legacy import binomial, decay, exponential, uniform, weighted_random
from seqmarket.clearing.generators.synergy import rollup_synergy
from seqmarket.errors import InvalidInput

Generator = Callable[[int, int, np.random.Generator], RoundBuilder]

DISTRIBUTIONS: dict[str, Generator] = {
    "arbitrary": arbitrary,
    "regions": regions,
    "paths": paths,
    "scheduling": scheduling,
    "L2": weighted_random,
    "L3": uniform,
    "L4": decay,
    "L6": exponential,
    "L7": binomial,
    "rollup-synergy": rollup_synergy,
}


def generate(
    distribution: str, goods: int, bids: int, seed: int = 0, *, precision: int = 1, unit: int = 1
) -> Generated:
    """An instance of ``distribution``: ``goods`` rollups, ``bids`` bids at most, deterministic in seed."""
    try:
        make = DISTRIBUTIONS[distribution]
    except KeyError:
        raise InvalidInput(
            f"unknown distribution {distribution!r}; choose from {', '.join(DISTRIBUTIONS)}"
        ) from None
    if not 1 <= goods <= 256:
        raise InvalidInput(f"goods must be between 1 and 256, got {goods}")
    if bids < 1:
        raise InvalidInput(f"bids must be positive, got {bids}")
    if precision < 1 or unit < 1:
        raise InvalidInput("precision and unit must be positive integers")
    rng = np.random.default_rng(seed)
    builder = make(goods, bids, rng)
    return builder.finish(distribution=distribution, seed=seed, precision=precision, unit=unit, bids=bids)


__all__ = ["DISTRIBUTIONS", "Generated", "generate"]

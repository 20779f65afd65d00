"""The earlier generator (sessions 1-6), kept so that the benchmark history can be re-run.

It was written from the CATS paper's prose rather than from the CATS generator, and differs from it:
coarse integer prices instead of CATS's 6 significant digits, repeated L3 bundles (CATS's dominance
check keeps them distinct), scheduling jobs of at most n/10 slots (CATS: 10), longer paths. Every
table in benchmarks/README.md up to the sixth session was measured on it. New work uses the
generators of the parent package (``generate(..., generator="cats")``, the default).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from seqmarket.clearing.generators.common import RoundBuilder
from seqmarket.clearing.generators.legacy.cats import arbitrary, paths, regions, scheduling
from seqmarket.clearing.generators.legacy.independent import (
    binomial,
    decay,
    exponential,
    uniform,
    weighted_random,
)
from seqmarket.clearing.generators.synergy import rollup_synergy

LegacyGenerator = Callable[[int, int, np.random.Generator], RoundBuilder]

LEGACY: dict[str, LegacyGenerator] = {
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

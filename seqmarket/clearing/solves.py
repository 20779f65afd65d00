"""The two solves a component needs, as small frozen jobs that run here or in a racer's process.

Maximise: the best packing for a cost vector (W, or the plain gain), from a known packing as cutoff.
TieBreak: the stages' second solve, fewest rollups covered at the optimal gain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from seqmarket.clearing.exact import exact_model
from seqmarket.clearing.highs import Solution
from seqmarket.clearing.trace import Trace


@dataclass(frozen=True, eq=False)  # numpy arrays inside: identity, not ==
class Maximise:
    """Maximise ``cost`` over the packings of ``member``'s columns, from a known packing worth ``cutoff``."""

    member: np.ndarray
    cost: list[int]
    options: Mapping[str, Any]
    cutoff: int
    excluded: tuple[tuple[int, ...], ...] = ()

    def run(self, limit: float | None, trace: Trace | None = None) -> Solution:
        """Solve within ``limit`` seconds."""
        model = exact_model(self.member, self.cost, self.options, trace, self.excluded)
        model.cutoff(self.cutoff)
        return model.solve(limit)


@dataclass(frozen=True, eq=False)  # numpy arrays inside: identity, not ==
class TieBreak:
    """Stage 2: a packing gaining ``gain`` units that covers fewer than ``covered`` rollups, fewest first.

    Presolve off: on these dense set-packing models HiGHS's presolve cost more than the search (0.7 s
    against 0.03 s on "regions" 32x1000; 2.0 s against 1.1 s on "arbitrary" 100x500), and the rows beat
    a W-objective cutoff (4.4 s there).
    """

    member: np.ndarray
    units: list[int]
    sizes: list[int]
    gain: int
    covered: int

    def run(self, limit: float | None, trace: Trace | None = None) -> Solution:
        """Solve within ``limit`` seconds; Status.INFEASIBLE when no such packing exists."""
        model = exact_model(self.member, self.units, {"presolve": "off"}, trace)
        model.fewest_covered(self.units, self.sizes, self.gain, self.covered)
        return model.solve(limit)


Job = Maximise | TieBreak

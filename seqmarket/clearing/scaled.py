"""Wei-sized gains with no common factor: their packing totals pass exact.SAFE, so HiGHS sees them scaled.

Costs are rounded UP to u(B) = ceil(W(B) / 2**s) <= 2**29 scale: every packing Q has W(Q) <= 2**s * u(Q),
so a packing beating the best exact W found, w, has u >= floor(w / 2**s) + 1. milp._scaled runs the
racing lexicographic solve on u from that threshold (an objective cutoff), values what it returns
exactly, leaves it out with a no-good row and goes again, until HiGHS's proven bound on u over the
packings not yet evaluated is below the threshold. The first solve finds the best packing; the
second usually proves that no other packing comes within the rounding of it.
"""

from __future__ import annotations

from seqmarket.clearing.exact import SAFE, Component, fractional_bound

MAX_EXCLUDED = 256  # solves (no-good rows) before giving up on separating near-optimal packings


def scaled_costs(component: Component) -> tuple[list[int], int]:
    """(W rounded up to 2**shift units, shift): the smallest shift that brings every total below SAFE."""
    bound = fractional_bound(component.member, component.weight, component.sizes)
    shift = 0
    while bound / 2**shift > SAFE:
        shift += 1
    return [(w + (1 << shift) - 1) >> shift for w in component.weight], shift  # w itself when shift == 0

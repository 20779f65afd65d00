"""Revenue split, mirrored from contracts/libraries/RevenueSplit.sol to the wei.

The seed's formula over-pays when a reserve exceeds the singleton bid (docs/design.md, departure 2); the
corrected form is revenue * w_i / sum(w): floored, remainder to the bundle's first (lowest-index) rollup,
equal split when every weight is zero.
"""

from __future__ import annotations

from collections.abc import Sequence


def split(revenue: int, weights: Sequence[int]) -> list[int]:
    """Shares of ``revenue`` in proportion to ``weights``; they sum to ``revenue`` exactly."""
    if not weights:
        return []
    total = sum(weights)
    if total == 0:
        shares = [revenue // len(weights)] * len(weights)
    else:
        shares = [revenue * w // total for w in weights]
    shares[0] += revenue - sum(shares)
    return shares

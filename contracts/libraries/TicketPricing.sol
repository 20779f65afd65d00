// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title TicketPricing
/// @notice Lottery ticket prices: a curve within a round and an EIP-1559-style base price between rounds.
/// @dev Mirrored to the wei by seqmarket/pricing.py; change both or neither.
///
///      Within a round, with base price p and target T, the k-th ticket of a bundle (k = 1..2T) costs p for
///      k <= 1.5T and then rises with x = (k - 1.5T) / (0.5T) in (0, 1] (d = 2k - 3T, x = d / T):
///        Linear       p * (1 + x)                 (the seed's curve, corrected: docs/design.md,
///                                                 departure 1 (ticket curve))
///        Quadratic    p * (1 + beta * x^2)        beta in WAD; beta = 1 ends at 2p
///        Exponential  p * e^(gamma * x)           gamma in WAD is the seed's gamma times T/2, i.e. the
///                                                 exponent reached at 2T; gamma = ln 2 ends at 2p (to
///                                                 within rounding, about one part in 10^18)
///      No ticket beyond 2T is sold. Between rounds: p' = p * (1 + (sold - T) / T / 8), so at most +-12.5%
///      a round since 0 <= sold <= 2T, never below `floor` and never above MAX_BASE.
library TicketPricing {
    enum Curve {
        Linear,
        Quadratic,
        Exponential
    }

    uint256 internal constant WAD = 1e18;
    /// @dev ln 2 in WAD: the exponential curve's default gamma.
    uint256 internal constant LN2_WAD = 693147180559945309;
    /// @dev Upper bound on gamma, keeping e^gamma's series short and exact in 256 bits.
    uint256 internal constant MAX_GAMMA = 4 * WAD;
    /// @dev Upper bound on beta.
    uint256 internal constant MAX_BETA = 8 * WAD;
    /// @dev Base prices stay below 2^96 wei so price arithmetic cannot overflow.
    uint256 internal constant MAX_BASE = type(uint96).max;

    /// @notice Price of the `k`-th ticket (1-indexed, 1 <= k <= 2 * target) at base price `base`.
    function ticketPrice(Curve curve, uint256 base, uint256 target, uint256 k, uint256 beta, uint256 gamma)
        internal
        pure
        returns (uint256)
    {
        if (2 * k <= 3 * target) return base;
        uint256 d = 2 * k - 3 * target;
        if (curve == Curve.Linear) return base + (base * d) / target;
        if (curve == Curve.Quadratic) return base + (base * beta * d * d) / (WAD * target * target);
        return (base * expWad((gamma * d) / target)) / WAD;
    }

    /// @notice Cost of tickets `sold + 1` to `sold + count`: the exact sum along the curve.
    function cost(
        Curve curve,
        uint256 base,
        uint256 target,
        uint256 sold,
        uint256 count,
        uint256 beta,
        uint256 gamma
    ) internal pure returns (uint256 total) {
        uint256 last = sold + count;
        uint256 flatEnd = (3 * target) / 2; // tickets 1..flatEnd cost exactly `base`
        uint256 k = sold + 1;
        if (k <= flatEnd) {
            uint256 flatLast = last < flatEnd ? last : flatEnd;
            total = (flatLast - sold) * base;
            k = flatLast + 1;
        }
        for (; k <= last; ++k) {
            total += ticketPrice(curve, base, target, k, beta, gamma);
        }
    }

    /// @notice Base price for the next round after `sold` tickets against `target` this round.
    function nextBase(uint256 base, uint256 sold, uint256 target, uint256 floor) internal pure returns (uint256) {
        uint256 next;
        if (sold >= target) {
            next = base + (base * (sold - target)) / (8 * target);
        } else {
            next = base - (base * (target - sold)) / (8 * target);
        }
        if (next < floor) return floor;
        return next > MAX_BASE ? MAX_BASE : next;
    }

    /// @notice Base price after `rounds` rounds without a sale (each -12.5%, down to `floor`).
    /// @dev Stops as soon as the price no longer moves, so the loop is bounded by ~500 steps whatever `rounds`.
    function decay(uint256 base, uint256 rounds, uint256 target, uint256 floor) internal pure returns (uint256) {
        for (uint256 i; i < rounds; ++i) {
            uint256 next = nextBase(base, 0, target, floor);
            if (next == base) break;
            base = next;
        }
        return base;
    }

    /// @notice e^(x / WAD) in WAD for 0 <= x <= MAX_GAMMA, by its Taylor series, each term floored.
    function expWad(uint256 x) internal pure returns (uint256 sum) {
        uint256 term = WAD;
        sum = WAD;
        for (uint256 n = 1; term != 0; ++n) {
            term = (term * x) / (n * WAD);
            sum += term;
        }
    }
}

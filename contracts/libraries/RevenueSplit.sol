// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice Which weights split a multi-rollup bundle's revenue among its rollups (docs/design.md, departure 2
///         (revenue split), and departure 4 (split rules against shill bids)).
///         SingletonValues: w_i = max(b({i}), r_i), the rollup's singleton value: its best singleton bid (ticket
///         revenue, in the lottery) or its reserve, whichever is larger.
///         Reserves: w_i = r_i, which a rollup bidding on itself cannot inflate.
enum SplitRule {
    SingletonValues,
    Reserves
}

/// @title RevenueSplit
/// @notice Splits a bundle's revenue among its rollups in proportion to weights, exactly in integers.
/// @dev The seed's formula max(b_i, r_i) + (b(B) - sum b_j) / sum b_j * b_i over-pays whenever a reserve
///      exceeds the singleton bid and divides by zero without singleton bids (docs/design.md, departure 2
///      (revenue split)).
///      What it means to say is revenue * w_i / sum w_j; that is what this computes. Shares are floored and
///      the remainder (fewer wei than there are rollups) goes to the first rollup, so shares always sum
///      to the revenue exactly. All-zero weights split equally.
library RevenueSplit {
    /// @param revenue What the bundle's winner paid (must be < 2**128 so revenue * weight cannot overflow).
    /// @param weights One weight per rollup of the bundle, in rollup-index order (each < 2**128).
    /// @return shares One payout per rollup, summing exactly to `revenue`.
    function split(uint256 revenue, uint256[] memory weights) internal pure returns (uint256[] memory shares) {
        uint256 count = weights.length;
        shares = new uint256[](count);
        if (count == 0) return shares;
        uint256 total = 0;
        for (uint256 i; i < count; ++i) {
            total += weights[i];
        }
        uint256 paid = 0;
        for (uint256 i; i < count; ++i) {
            uint256 share = total == 0 ? revenue / count : (revenue * weights[i]) / total;
            shares[i] = share;
            paid += share;
        }
        shares[0] += revenue - paid;
    }
}

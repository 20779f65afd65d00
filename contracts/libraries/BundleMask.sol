// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title BundleMask
/// @notice A bundle is a set of rollups encoded as a uint256 bitmask: bit i set means rollup i is in it.
library BundleMask {
    /// @dev Number of rollups in `mask` (SWAR popcount, constant gas).
    function size(uint256 mask) internal pure returns (uint256 count) {
        // The byte-wise sum below holds at most 255: the full 256-rollup bundle needs its own answer.
        if (mask == type(uint256).max) return 256;
        unchecked {
            mask = mask - ((mask >> 1) & 0x5555555555555555555555555555555555555555555555555555555555555555);
            mask = (mask & 0x3333333333333333333333333333333333333333333333333333333333333333)
                + ((mask >> 2) & 0x3333333333333333333333333333333333333333333333333333333333333333);
            mask = (mask + (mask >> 4)) & 0x0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f;
            count = (mask * 0x0101010101010101010101010101010101010101010101010101010101010101) >> 248;
        }
    }

    /// @dev True when every rollup of `mask` has an index below `rollupCount` (<= 256).
    function within(uint256 mask, uint256 rollupCount) internal pure returns (bool) {
        return rollupCount >= 256 || mask >> rollupCount == 0;
    }

    /// @dev True when rollup `index` belongs to `mask`.
    function contains(uint256 mask, uint256 index) internal pure returns (bool) {
        return (mask >> index) & 1 == 1;
    }

    /// @dev The bundle holding rollup `index` alone.
    function singleton(uint256 index) internal pure returns (uint256) {
        return 1 << index;
    }

    /// @dev Index of the lowest rollup in a non-empty `mask`.
    function lowestIndex(uint256 mask) internal pure returns (uint256 index) {
        unchecked {
            uint256 bit = mask & (~mask + 1);
            if (bit >> 128 != 0) { bit >>= 128; index += 128; }
            if (bit >> 64 != 0) { bit >>= 64; index += 64; }
            if (bit >> 32 != 0) { bit >>= 32; index += 32; }
            if (bit >> 16 != 0) { bit >>= 16; index += 16; }
            if (bit >> 8 != 0) { bit >>= 8; index += 8; }
            if (bit >> 4 != 0) { bit >>= 4; index += 4; }
            if (bit >> 2 != 0) { bit >>= 2; index += 2; }
            if (bit >> 1 != 0) index += 1;
        }
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title FullMath
/// @notice floor(x * y / d) with a 512-bit intermediate product, so the product may exceed 2**256.
/// @dev The market spreads a VCG payment over a winner's bundles as payment * bid / total: a winner of several
///      bundles can owe more than 2**128 while one bid is up to 2**128, so the plain product can overflow.
///      Method (Remco Bloemen's mulDiv): split x * y into two words with mulmod, divide out the remainder and
///      the powers of two of d, then multiply by the inverse of the odd part of d modulo 2**256, found by
///      Newton-Raphson (each step doubles the correct low bits: 3 -> 6 -> ... -> 384).
library FullMath {
    /// @notice Thrown when `d` is zero or the quotient does not fit in 256 bits.
    error MulDivOverflow(uint256 x, uint256 y, uint256 d);

    /// @notice floor(x * y / d), exact for any x and y whose quotient fits in 256 bits.
    function mulDiv(uint256 x, uint256 y, uint256 d) internal pure returns (uint256 z) {
        unchecked {
            // x * y = high * 2**256 + low.
            uint256 low = x * y;
            uint256 mm = mulmod(x, y, type(uint256).max);
            uint256 high = mm - low - (mm < low ? 1 : 0);
            if (high == 0) {
                if (d == 0) revert MulDivOverflow(x, y, d);
                return low / d;
            }
            if (d <= high) revert MulDivOverflow(x, y, d);

            // Subtract the remainder, so the 512-bit product is an exact multiple of d.
            uint256 remainder = mulmod(x, y, d);
            high -= remainder > low ? 1 : 0;
            low -= remainder;

            // Divide both by the largest power of two dividing d, moving high's bits into low.
            // Dividing first is the method: d and low lose the same power of two, exactly.
            // slither-disable-start divide-before-multiply
            uint256 twos = d & (0 - d);
            d /= twos;
            low /= twos;
            uint256 shift = (0 - twos) / twos + 1; // 2**256 / twos
            low |= high * shift;

            // The inverse of the (now odd) d modulo 2**256: an odd d is its own inverse modulo 8 (3 bits), and
            // each Newton-Raphson step doubles the correct bits.
            uint256 inverse = d;
            inverse *= 2 - d * inverse; // 6 bits
            inverse *= 2 - d * inverse; // 12
            inverse *= 2 - d * inverse; // 24
            inverse *= 2 - d * inverse; // 48
            inverse *= 2 - d * inverse; // 96
            inverse *= 2 - d * inverse; // 192
            inverse *= 2 - d * inverse; // 384 >= 256
            z = low * inverse;
            // slither-disable-end divide-before-multiply
        }
    }
}

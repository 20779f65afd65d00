// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {RevenueSplit} from "../../contracts/libraries/RevenueSplit.sol";
import {TestBase} from "./utils/Vm.sol";

contract RevenueSplitHarness {
    function split(uint256 revenue, uint256[] memory weights) external pure returns (uint256[] memory) {
        return RevenueSplit.split(revenue, weights);
    }
}

contract RevenueSplitTest is TestBase {
    RevenueSplitHarness internal h;

    function setUp() public {
        h = new RevenueSplitHarness();
    }

    /// @dev Weights derived from one seed so the fuzzer can vary count and magnitude cheaply. `scale` picks
    ///      the magnitude (tiny weights make rounding matter, huge ones test the 2**128 bound), and every
    ///      fourth seed zeroes some weights.
    function _weights(uint256 seed, uint256 count, uint256 scale) internal pure returns (uint256[] memory w) {
        w = new uint256[](count);
        uint256 cap = scale == 0 ? 3 : scale == 1 ? 1e18 : type(uint128).max - 1;
        for (uint256 i; i < count; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            w[i] = (seed % 4 == 0 && r % 3 == 0) ? 0 : r % (cap + 1);
        }
    }

    function _check(uint256 revenue, uint256[] memory weights) internal view {
        uint256[] memory shares = h.split(revenue, weights);
        uint256 count = weights.length;
        assertEq(shares.length, count, "one share per weight");
        if (count == 0) return;
        uint256 total;
        for (uint256 i; i < count; ++i) {
            total += weights[i];
        }

        uint256 sum;
        for (uint256 i; i < count; ++i) {
            sum += shares[i];
            assertLe(shares[i], revenue, "share <= revenue");
            // Exact proportional share, floored; ties with an all-zero total split equally.
            uint256 exact = total == 0 ? revenue / count : (revenue * weights[i]) / total;
            if (i > 0) {
                assertEq(shares[i], exact, "share i>0 is the floored proportional share");
                // Within 1 wei of the real-valued share r*w/T: 0 <= r*w - share*T < T (no overflow: r, w < 2**128).
                if (total != 0) {
                    uint256 scaled = revenue * weights[i];
                    assertLe(shares[i] * total, scaled, "floor: not above the real share");
                    assertTrue(scaled - shares[i] * total < total, "floor: within 1 wei of the real share");
                }
            } else {
                // The first rollup gets its floored share plus the remainder, which is below `count` wei.
                assertTrue(shares[0] >= exact, "first share >= its floor");
                assertLe(shares[0] - exact, count - 1, "remainder < count");
            }
        }
        assertEq(sum, revenue, "shares sum to revenue exactly");
    }

    function testFuzz_split(uint256 revenue, uint256 seed, uint8 count, uint8 scale) public view {
        revenue = bound(revenue, 0, type(uint128).max - 1);
        _check(revenue, _weights(seed, bound(count, 1, 256), scale % 3));
    }

    function testFuzz_splitSmallRevenue(uint256 revenue, uint256 seed, uint8 count) public view {
        // Revenue of a few wei with many rollups: nearly everything is remainder.
        _check(bound(revenue, 0, 600), _weights(seed, bound(count, 1, 256), seed % 3));
    }

    function testFuzz_splitRawWeights(uint128 revenue, uint128[] memory raw) public view {
        vm.assume(raw.length <= 256);
        uint256[] memory weights = new uint256[](raw.length);
        for (uint256 i; i < raw.length; ++i) {
            weights[i] = raw[i];
        }
        _check(revenue, weights);
    }

    function test_allZeroWeightsSplitEqually() public view {
        uint256[] memory weights = new uint256[](3);
        uint256[] memory shares = h.split(10, weights);
        assertEq(shares[0], 4, "first gets remainder");
        assertEq(shares[1], 3, "equal");
        assertEq(shares[2], 3, "equal");
    }

    function test_emptyWeights() public view {
        assertEq(h.split(5, new uint256[](0)).length, 0, "no shares");
    }

    /// docs/design.md, departure 2 (revenue split): b(B) * w_i / sum w, with w_i = max(b_i, r_i) throughout.
    function test_reserveAboveSingletonBidDoesNotOverpay() public view {
        uint256[] memory weights = new uint256[](2);
        weights[0] = 10 ether; // max(b_A = 4, r_A = 10)
        weights[1] = 10 ether; // max(b_B = 10, r_B = 0)
        uint256[] memory shares = h.split(25 ether, weights);
        assertEq(shares[0] + shares[1], 25 ether, "sum");
        assertEq(shares[0], 12.5 ether, "A");
    }
}

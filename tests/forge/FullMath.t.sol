// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {FullMath} from "../../contracts/libraries/FullMath.sol";
import {TestBase} from "./utils/Vm.sol";

/// @dev External entry, so a revert can be caught.
contract FullMathHarness {
    function mulDiv(uint256 x, uint256 y, uint256 d) external pure returns (uint256) {
        return FullMath.mulDiv(x, y, d);
    }
}

/// @title FullMath.mulDiv against known answers
/// @notice Without overflow it must equal x * y / d; with a 512-bit product it is checked on products whose
///         quotient is known by construction: x * (d * k) / d = x * k.
contract FullMathTest is TestBase {
    FullMathHarness internal harness = new FullMathHarness();

    function testFuzz_matchesPlainDivisionWithoutOverflow(uint128 x, uint128 y, uint256 d) public view {
        vm.assume(d != 0);
        assertEq(harness.mulDiv(x, y, d), (uint256(x) * y) / d, "x * y / d");
    }

    function testFuzz_exactPast256Bits(uint128 x, uint128 k, uint128 d) public view {
        vm.assume(d != 0);
        uint256 y = uint256(d) * k; // x * y may pass 2**256; the quotient x * k fits
        assertEq(harness.mulDiv(x, y, d), uint256(x) * k, "x * (d * k) / d == x * k");
    }

    function testFuzz_floorsPast256Bits(uint128 x, uint128 k, uint128 d, uint128 extra) public view {
        vm.assume(d > 1);
        uint256 y = uint256(d) * k + (extra % d); // less than one more d: the quotient gains floor(x * e / d)
        uint256 z = harness.mulDiv(x, y, d);
        // floor(x * (d*k + e) / d) = x * k + floor(x * e / d), and x * e fits in 256 bits.
        assertEq(z, uint256(x) * k + (uint256(x) * (extra % d)) / d, "floor of the exact quotient");
    }

    function test_quotientTooLargeOrZeroDivisorIsANamedError() public view {
        uint256[2][3] memory cases = [[uint256(1) << 255, 4], [type(uint256).max, type(uint256).max], [uint256(5), 0]];
        uint256[3] memory divisors = [uint256(1), type(uint256).max - 1, 0];
        for (uint256 c; c < 3; ++c) {
            try harness.mulDiv(cases[c][0], cases[c][1], divisors[c]) returns (uint256) {
                assertTrue(false, "expected MulDivOverflow");
            } catch (bytes memory reason) {
                assertTrue(bytes4(reason) == FullMath.MulDivOverflow.selector, "MulDivOverflow");
            }
        }
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BundleMask} from "../../contracts/libraries/BundleMask.sol";
import {TestBase} from "./utils/Vm.sol";

/// @dev Exposes the internal library functions so the fuzzer calls the real compiled code.
contract BundleMaskHarness {
    function size(uint256 mask) external pure returns (uint256) {
        return BundleMask.size(mask);
    }

    function lowestIndex(uint256 mask) external pure returns (uint256) {
        return BundleMask.lowestIndex(mask);
    }

    function within(uint256 mask, uint256 rollupCount) external pure returns (bool) {
        return BundleMask.within(mask, rollupCount);
    }

    function contains(uint256 mask, uint256 index) external pure returns (bool) {
        return BundleMask.contains(mask, index);
    }

    function singleton(uint256 index) external pure returns (uint256) {
        return BundleMask.singleton(index);
    }
}

contract BundleMaskTest is TestBase {
    BundleMaskHarness internal h;

    function setUp() public {
        h = new BundleMaskHarness();
    }

    function _popcount(uint256 mask) internal pure returns (uint256 count) {
        for (uint256 i; i < 256; ++i) {
            if ((mask >> i) & 1 == 1) ++count;
        }
    }

    function testFuzz_sizeIsPopcount(uint256 mask) public view {
        // The all-ones mask has its own test below (test_sizeOfAll256Rollups).
        vm.assume(mask != type(uint256).max);
        assertEq(h.size(mask), _popcount(mask), "size != popcount");
    }

    /// Sparse masks (few bits, anywhere) are where a SWAR popcount usually goes wrong at the byte borders.
    function testFuzz_sizeOfSparseMasks(uint8 a, uint8 b, uint8 c) public view {
        uint256 mask = (uint256(1) << a) | (uint256(1) << b) | (uint256(1) << c);
        assertEq(h.size(mask), _popcount(mask), "size != popcount (sparse)");
    }

    function test_sizeEdges() public view {
        assertEq(h.size(0), 0, "size(0)");
        assertEq(h.size(uint256(1) << 255), 1, "size(top bit)");
        assertEq(h.size(type(uint256).max >> 1), 255, "size(255 lowest bits)");
        assertEq(h.size(type(uint256).max - 1), 255, "size(all but bit 0)");
    }

    /// The bundle of all 256 rollups (the contract allows 256). The SWAR sum ends in one byte, which holds at
    /// most 255, so this case needs its own handling in BundleMask.size.
    function test_sizeOfAll256Rollups() public view {
        assertEq(h.size(type(uint256).max), 256, "size(all 256 bits)");
    }

    function testFuzz_lowestIndex(uint256 mask) public view {
        vm.assume(mask != 0);
        uint256 expected;
        while ((mask >> expected) & 1 == 0) ++expected;
        assertEq(h.lowestIndex(mask), expected, "lowestIndex");
    }

    function testFuzz_lowestIndexOfHighBits(uint8 index, uint256 above) public view {
        // Every mask whose lowest set bit is `index`, whatever sits above it.
        uint256 mask = (uint256(1) << index) | (index == 255 ? 0 : (above << (uint256(index) + 1)));
        assertEq(h.lowestIndex(mask), index, "lowestIndex(high)");
    }

    function testFuzz_singletonAndContains(uint8 index, uint256 mask) public view {
        uint256 single = h.singleton(index);
        assertEq(single, uint256(1) << index, "singleton");
        assertEq(h.size(single), 1, "size(singleton)");
        assertEq(h.lowestIndex(single), index, "lowestIndex(singleton)");
        assertTrue(h.contains(mask, index) == ((mask & single) != 0), "contains");
    }

    function testFuzz_within(uint256 mask, uint256 rollupCount) public view {
        rollupCount = bound(rollupCount, 0, 300);
        bool expected = true;
        for (uint256 i = rollupCount; i < 256; ++i) {
            if ((mask >> i) & 1 == 1) expected = false;
        }
        assertTrue(h.within(mask, rollupCount) == expected, "within");
    }
}

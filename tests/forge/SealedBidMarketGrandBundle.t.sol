// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SealedBidMarket} from "../../contracts/SealedBidMarket.sol";
import {ISealedBidMarket} from "../../contracts/interfaces/ISealedBidMarket.sol";
import {SplitRule} from "../../contracts/libraries/RevenueSplit.sol";
import {TestBase} from "./utils/Vm.sol";

/// @notice The market accepts up to 256 rollups; the bundle of all of them must be sellable like any other.
contract SealedBidMarketGrandBundleTest is TestBase {
    address internal constant BIDDER = address(0xB1D);
    bytes32 internal constant SALT = keccak256("grand");

    function _deploy(uint256 n) internal returns (SealedBidMarket market) {
        address[] memory payouts = new address[](n);
        for (uint256 i; i < n; ++i) {
            payouts[i] = address(uint160(0x10000 + i));
        }
        market = new SealedBidMarket(
            SealedBidMarket.Config({
                payouts: payouts,
                reserves: new uint256[](n),
                startBlock: 10,
                commitBlocks: 1,
                revealBlocks: 1,
                challengeBlocks: 1,
                minLock: 1,
                maxCommitsPerBidder: 1,
                splitRule: SplitRule.SingletonValues,
                paymentRule: ISealedBidMarket.PaymentRule.FirstPrice,
                claimBountyBps: 0,
                settleBlocks: 10
            })
        );
    }

    /// One bid of 1 ether on the bundle of all `n` rollups; propose it, finalize, check who got what.
    function _sellGrandBundle(uint256 n) internal {
        SealedBidMarket market = _deploy(n);
        uint256 all = n == 256 ? type(uint256).max : (uint256(1) << n) - 1;
        vm.roll(10);
        vm.deal(BIDDER, 1 ether);
        bytes32 commitment = market.commitmentOf(0, BIDDER, all, 1 ether, SALT);
        vm.prank(BIDDER);
        market.commit{value: 1 ether}(0, commitment, 1 ether);
        vm.roll(11);
        vm.prank(BIDDER);
        market.reveal(0, all, 1 ether, SALT);
        vm.roll(12);
        uint256[] memory bundles = new uint256[](1);
        bundles[0] = all;
        assertEq(market.propose(0, bundles), 1 ether, "grand bundle proposed");
        vm.roll(13);
        market.finalize(0);
        assertEq(market.resultOf(0).revenue, 1 ether, "revenue");
        assertTrue(market.sequencerOf(0, n - 1) == BIDDER, "winner sequences the last rollup");
        uint256 credited;
        for (uint256 i; i < n; ++i) {
            credited += market.creditOf(market.payoutOf(i));
        }
        assertEq(credited, 1 ether, "rollups credited the revenue");
    }

    function test_grandBundleOf255Rollups() public {
        _sellGrandBundle(255);
    }

    /// Fails while BundleMask.size(2**256 - 1) returns 0: propose then reverts SingletonListed.
    function test_grandBundleOf256Rollups() public {
        _sellGrandBundle(256);
    }
}

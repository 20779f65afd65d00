// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SealedBidMarket} from "../../contracts/SealedBidMarket.sol";
import {ICollateralVault} from "../../contracts/interfaces/ICollateralVault.sol";
import {ISealedBidMarket} from "../../contracts/interfaces/ISealedBidMarket.sol";
import {SplitRule} from "../../contracts/libraries/RevenueSplit.sol";
import {TestBase} from "./utils/Vm.sol";

/// @title Amounts at the caps
/// @notice The review saw Panic 0x11 (a round stuck for good) when a VCG winner of two bundles bid near 2**128
///         each: spreading its payment multiplied it by a bid past 2**256. Now a bidder's collateral stays below
///         2**128 wei (3.4e20 ETH, beyond any chain's supply), so its payments do too, and the spread divides
///         in full precision anyway (FullMath). A winner of two bundles whose bids add up to just under 2**128
///         settles to the wei; a deposit reaching 2**128 is a named error.
contract SealedBidMarketLargeAmountsTest is TestBase {
    uint256 internal constant START = 10;
    uint256 internal constant BIG = uint256(type(uint128).max) / 2 - 5;

    function test_vcgPaymentAboveTwoPow128SettlesExactly() public {
        address[] memory payouts = new address[](4);
        for (uint256 i; i < 4; ++i) {
            payouts[i] = address(uint160(0xD000 + i));
        }
        SealedBidMarket market = new SealedBidMarket(
            SealedBidMarket.Config({
                payouts: payouts,
                reserves: new uint256[](4),
                startBlock: START,
                commitBlocks: 10,
                revealBlocks: 10,
                challengeBlocks: 10,
                minLock: 1,
                maxCommitsPerBidder: 4,
                splitRule: SplitRule.Reserves,
                paymentRule: ISealedBidMarket.PaymentRule.Vcg,
                claimBountyBps: 1_000,
                settleBlocks: 10
            })
        );
        address winner = address(0xB16);
        address rival = address(0xB17);
        vm.deal(winner, 4 * uint256(type(uint128).max));
        vm.deal(rival, 4 * uint256(type(uint128).max));
        vm.roll(START);
        _commit(market, winner, 0x3, BIG);
        _commit(market, winner, 0xC, BIG - 7);
        _commit(market, rival, 0x3, BIG - 1); // runner-ups: without the winner both bundles still sell
        _commit(market, rival, 0xC, BIG - 9);
        vm.roll(START + 10);
        _reveal(market, winner, 0x3, BIG);
        _reveal(market, winner, 0xC, BIG - 7);
        _reveal(market, rival, 0x3, BIG - 1);
        _reveal(market, rival, 0xC, BIG - 9);
        vm.roll(START + 20);
        uint256[] memory bundles = new uint256[](2);
        (bundles[0], bundles[1]) = (0x3, 0xC);
        market.propose(0, bundles);
        market.claimCounterfactual(0, winner, bundles); // W(-winner): the rival's bids on both
        vm.roll(START + 30);
        market.finalize(0);

        // W = 2 BIG - 7; W(-winner) = 2 BIG - 10: the winner pays 2 BIG - 10, just under 2**128.
        uint256 payment = 2 * BIG - 10;
        assertTrue(payment > type(uint128).max / 2, "the payment is near the cap");
        assertEq(market.resultOf(0).revenue, payment, "revenue == the VCG payment");
        uint256 credited;
        for (uint256 i; i < 4; ++i) {
            credited += market.creditOf(payouts[i]);
        }
        assertEq(credited + market.creditOf(address(this)), payment, "rollups + claim bounty == payment");

        vm.prank(rival);
        try market.deposit{value: type(uint128).max}() {
            assertTrue(false, "a deposit taking collateral to 2**128 must fail");
        } catch (bytes memory reason) {
            assertTrue(bytes4(reason) == ICollateralVault.CollateralTooLarge.selector, "CollateralTooLarge");
        }
    }

    function _commit(SealedBidMarket market, address bidder, uint256 bundle, uint256 amount) internal {
        bytes32 commitment = market.commitmentOf(0, bidder, bundle, amount, bytes32(bundle));
        vm.prank(bidder);
        market.commit{value: amount}(0, commitment, amount);
    }

    function _reveal(SealedBidMarket market, address bidder, uint256 bundle, uint256 amount) internal {
        vm.prank(bidder);
        market.reveal(0, bundle, amount, bytes32(bundle));
    }
}

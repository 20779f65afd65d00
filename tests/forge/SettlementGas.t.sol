// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SealedBidMarket} from "../../contracts/SealedBidMarket.sol";
import {IMarket} from "../../contracts/interfaces/IMarket.sol";
import {ISealedBidMarket} from "../../contracts/interfaces/ISealedBidMarket.sol";
import {SplitRule} from "../../contracts/libraries/RevenueSplit.sol";
import {TestBase, console} from "./utils/Vm.sol";

/// @title Gas of the largest settlement: 256 rollups, 256 distinct winners
/// @notice Each of 256 bidders wins one rollup alone, so finalize sells 256 bundles to 256 winners: the most
///         settlement work a round can need. Under VCG every winner's W(-i) is claimed first (each claim pays a
///         bounty at settlement). The figures are logged (`forge test --match-contract SettlementGasTest -vv`)
///         and must stay well inside one block: 15M gas, half of Ethereum's 30M limit. A finalize that could
///         not be mined would leave the round to lapse (collateral released, nothing sold).
contract SettlementGasTest is TestBase {
    uint256 internal constant N = 256;
    uint256 internal constant START = 10;
    uint256 internal constant PHASE = 600; // room for 256 commits, reveals and claims
    uint256 internal constant BLOCK_BUDGET = 15_000_000;

    function _market(ISealedBidMarket.PaymentRule payment) internal returns (SealedBidMarket market) {
        address[] memory payouts = new address[](N);
        uint256[] memory reserves = new uint256[](N);
        for (uint256 i; i < N; ++i) {
            payouts[i] = address(uint160(0x100000 + i));
            reserves[i] = 0.01 ether;
        }
        market = new SealedBidMarket(
            SealedBidMarket.Config({
                payouts: payouts,
                reserves: reserves,
                startBlock: START,
                commitBlocks: PHASE,
                revealBlocks: PHASE,
                challengeBlocks: PHASE,
                minLock: 0.001 ether,
                maxCommitsPerBidder: 2,
                splitRule: SplitRule.Reserves,
                paymentRule: payment,
                claimBountyBps: 1_000,
                settleBlocks: PHASE
            })
        );
    }

    function _bidder(uint256 i) internal pure returns (address) {
        return address(uint160(0x200000 + i));
    }

    /// Every bidder i bids on rollup i alone (and bidder i+1 on rollup i too, lower: a runner-up for VCG).
    function _bidAll(SealedBidMarket market) internal {
        vm.roll(START);
        for (uint256 i; i < N; ++i) {
            address bidder = _bidder(i);
            vm.deal(bidder, 10 ether);
            vm.startPrank(bidder);
            market.commit{value: 1 ether}(0, market.commitmentOf(0, bidder, 1 << i, 0.05 ether, bytes32(i)), 0.1 ether);
            uint256 next = (i + N - 1) % N; // also a lower bid on the previous rollup
            market.commit(0, market.commitmentOf(0, bidder, 1 << next, 0.03 ether, bytes32(i + N)), 0.1 ether);
            vm.stopPrank();
        }
        vm.roll(START + PHASE);
        for (uint256 i; i < N; ++i) {
            vm.startPrank(_bidder(i));
            market.reveal(0, 1 << i, 0.05 ether, bytes32(i));
            market.reveal(0, 1 << ((i + N - 1) % N), 0.03 ether, bytes32(i + N));
            vm.stopPrank();
        }
    }

    function _finalize(SealedBidMarket market, string memory label) internal returns (uint256 used) {
        vm.roll(START + 3 * PHASE);
        // finalize is a transaction of its own: none of the market's storage is warm from the set-up above.
        vm.cool(address(market));
        uint256 before = gasleft();
        market.finalize(0);
        used = before - gasleft();
        console.log(label, used);
        assertEq(market.resultOf(0).soldSingletons, type(uint256).max, "all 256 rollups sold alone");
        assertLe(used, BLOCK_BUDGET, "finalize fits well inside one block");
    }

    /// salesOf lists all 256 sales, rollup i to bidder i at its bid of 0.05 ether and `price` each.
    function _checkSales(SealedBidMarket market, uint256 price) internal view {
        uint256 before = gasleft();
        IMarket.Sale[] memory sales = market.salesOf(0);
        console.log("salesOf, 256 sales (a view)", before - gasleft());
        assertEq(sales.length, N, "one sale per rollup");
        for (uint256 i; i < N; ++i) {
            assertEq(sales[i].bundle, 1 << i, "rollups sold alone, by index");
            assertEq(uint160(sales[i].winner), uint160(_bidder(i)), "each to its best bidder");
            assertEq(sales[i].bid, 0.05 ether, "the winning bid");
            assertEq(sales[i].price, price, "the price paid");
        }
    }

    function test_gasFinalizeFirstPrice256Winners() public {
        SealedBidMarket market = _market(ISealedBidMarket.PaymentRule.FirstPrice);
        _bidAll(market);
        _finalize(market, "finalize, first price, 256 winners");
        assertEq(market.resultOf(0).revenue, N * 0.05 ether, "each winner paid its bid");
        _checkSales(market, 0.05 ether);
    }

    function test_gasFinalizeVcg256WinnersAllClaimed() public {
        SealedBidMarket market = _market(ISealedBidMarket.PaymentRule.Vcg);
        _bidAll(market);
        vm.roll(START + 2 * PHASE);
        for (uint256 i; i < N; ++i) {
            // W(-i): every rollup a singleton, rollup i at the runner-up's 0.03 ether.
            market.claimCounterfactual(0, _bidder(i), new uint256[](0));
        }
        _finalize(market, "finalize, VCG, 256 winners, every W(-i) claimed");
        // Each winner pays the runner-up's bid, which the dissolved floor already gives without any claim.
        assertEq(market.resultOf(0).revenue, N * 0.03 ether, "each winner paid the runner-up's bid");
        _checkSales(market, 0.03 ether);
    }

    function test_gasFinalizeVcg256WinnersNoClaim() public {
        SealedBidMarket market = _market(ISealedBidMarket.PaymentRule.Vcg);
        _bidAll(market);
        _finalize(market, "finalize, VCG, 256 winners, no claim");
        assertEq(market.resultOf(0).revenue, N * 0.03 ether, "the dissolved floor prices every winner");
    }

    function test_gasReleaseAndDistributeForfeits256Rollups() public {
        SealedBidMarket market = _market(ISealedBidMarket.PaymentRule.FirstPrice);
        vm.roll(START);
        address bidder = _bidder(0);
        vm.deal(bidder, 10 ether);
        vm.prank(bidder);
        market.commit{value: 1 ether}(0, keccak256("never opened"), 0.5 ether);
        vm.roll(START + 3 * PHASE);
        market.finalize(0);
        vm.cool(address(market));
        uint256 before = gasleft();
        market.release(0, bidder);
        console.log("release with a forfeit", before - gasleft());
        vm.cool(address(market));
        before = gasleft();
        market.distributeForfeits(0);
        uint256 used = before - gasleft();
        console.log("distributeForfeits, 256 rollups", used);
        assertLe(used, BLOCK_BUDGET, "distribution fits well inside one block");
        assertEq(market.creditOf(address(uint160(0x100000 + 255))), 0.5 ether / N, "equal shares");
    }
}

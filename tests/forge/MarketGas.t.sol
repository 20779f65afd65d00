// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {LotteryMarket} from "../../contracts/LotteryMarket.sol";
import {SealedBidMarket} from "../../contracts/SealedBidMarket.sol";
import {ISealedBidMarket} from "../../contracts/interfaces/ISealedBidMarket.sol";
import {SplitRule} from "../../contracts/libraries/RevenueSplit.sol";
import {TicketPricing} from "../../contracts/libraries/TicketPricing.sol";
import {TestBase, console} from "./utils/Vm.sol";

/// @title Gas of each market operation on one fixed round
/// @notice Not a correctness test (the invariant suites are): a fixed 4-rollup round per market whose every
///         operation's gas is logged (-vv), so refactors can be compared before and after
///         (`forge test --match-contract MarketGasTest -vv`; deployment costs: add --gas-report).
/// @dev Sealed round: A bids on {0,1}, B on {0} and {3}, C on {2} (above its reserve) and {2,3}; B leaves one
///      commitment unopened (its lock is forfeited). The partition {0,1} is proposed, every other rollup is a
///      singleton: {2} sells, {3} sells, the {2,3} bid loses. Lottery round: the same bundles, by tickets
///      (the {0} tickets and the {2,3} tickets are refunded).
contract MarketGasTest is TestBase {
    uint256 internal constant START = 10;
    address internal constant A = address(0xA11CE);
    address internal constant B = address(0xB0B);
    address internal constant C = address(0xCA11);

    function _payouts() internal pure returns (address[] memory payouts) {
        payouts = new address[](4);
        for (uint256 i; i < 4; ++i) {
            payouts[i] = address(uint160(0x1000 + i));
        }
    }

    function _reserves() internal pure returns (uint256[] memory reserves) {
        reserves = new uint256[](4);
        reserves[0] = 0.5 ether;
        reserves[2] = 1 ether;
    }

    function _gas(string memory what, uint256 before) internal view {
        console.log(what, before - gasleft());
    }

    // ---------------------------------------------------------------- sealed bids

    function _deploySealed(ISealedBidMarket.PaymentRule payment) internal returns (SealedBidMarket market) {
        uint256 before = gasleft();
        market = new SealedBidMarket(
            SealedBidMarket.Config({
                payouts: _payouts(),
                reserves: _reserves(),
                startBlock: START,
                commitBlocks: 5,
                revealBlocks: 5,
                challengeBlocks: 5,
                minLock: 0.1 ether,
                maxCommitsPerBidder: 4,
                splitRule: SplitRule.SingletonValues,
                paymentRule: payment,
                claimBountyBps: 1_000,
                settleBlocks: 100
            })
        );
        _gas("sealed: deploy", before);
    }

    function _commit(SealedBidMarket market, address bidder, uint256 bundle, uint256 amount, string memory what)
        internal
    {
        bytes32 commitment = market.commitmentOf(0, bidder, bundle, amount, keccak256(abi.encode(bundle)));
        uint256 lock = amount + 0.5 ether;
        vm.deal(bidder, bidder.balance + lock);
        vm.prank(bidder);
        uint256 before = gasleft();
        market.commit{value: lock}(0, commitment, lock);
        _gas(what, before);
    }

    function _reveal(SealedBidMarket market, address bidder, uint256 bundle, uint256 amount, string memory what)
        internal
    {
        vm.prank(bidder);
        uint256 before = gasleft();
        market.reveal(0, bundle, amount, keccak256(abi.encode(bundle)));
        _gas(what, before);
    }

    function _sealedRound(ISealedBidMarket.PaymentRule payment, string memory label) internal {
        SealedBidMarket market = _deploySealed(payment);
        vm.roll(START);
        _commit(market, A, 0x3, 3 ether, string.concat(label, "commit (first, with deposit)"));
        _commit(market, B, 0x1, 1 ether, string.concat(label, "commit"));
        _commit(market, B, 0x8, 0.4 ether, string.concat(label, "commit (second of bidder)"));
        _commit(market, B, 0x2, 0.7 ether, string.concat(label, "commit (left unopened)"));
        _commit(market, C, 0x4, 1.5 ether, string.concat(label, "commit"));
        _commit(market, C, 0xC, 1.6 ether, string.concat(label, "commit"));
        vm.roll(START + 5);
        _reveal(market, A, 0x3, 3 ether, string.concat(label, "reveal (first bid on bundle)"));
        _reveal(market, B, 0x1, 1 ether, string.concat(label, "reveal (singleton)"));
        _reveal(market, B, 0x8, 0.4 ether, string.concat(label, "reveal (singleton)"));
        _reveal(market, C, 0x4, 1.5 ether, string.concat(label, "reveal (singleton)"));
        _reveal(market, C, 0xC, 1.6 ether, string.concat(label, "reveal (bundle)"));
        vm.roll(START + 10);
        uint256[] memory bundles = new uint256[](1);
        bundles[0] = 0x3;
        uint256 before = gasleft();
        market.propose(0, bundles);
        _gas(string.concat(label, "propose [{0,1}]"), before);
        if (payment == ISealedBidMarket.PaymentRule.Vcg) {
            // W(-A): without A's bid on {0,1}, rollups 0 and 1 are singletons again.
            before = gasleft();
            market.claimCounterfactual(0, A, new uint256[](0));
            _gas(string.concat(label, "claimCounterfactual"), before);
        }
        vm.roll(START + 15);
        before = gasleft();
        market.finalize(0);
        _gas(string.concat(label, "finalize (1 bundle + 2 singletons sold)"), before);
        assertEq(market.resultOf(0).soldSingletons, 0xC, "singletons {2} and {3} sold");
        before = gasleft();
        market.release(0, A);
        _gas(string.concat(label, "release (winner)"), before);
        before = gasleft();
        market.release(0, B);
        _gas(string.concat(label, "release (with a forfeit)"), before);
        before = gasleft();
        market.distributeForfeits(0);
        _gas(string.concat(label, "distributeForfeits (4 rollups)"), before);
        assertTrue(market.sequencerOf(0, 1) == A, "A sequences rollup 1");
    }

    function test_gasSealedFirstPrice() public {
        _sealedRound(ISealedBidMarket.PaymentRule.FirstPrice, "sealed first price: ");
    }

    function test_gasSealedVcg() public {
        _sealedRound(ISealedBidMarket.PaymentRule.Vcg, "sealed vcg: ");
    }

    // ---------------------------------------------------------------- lottery

    function _deployLottery() internal returns (LotteryMarket market) {
        LotteryMarket.Config memory config;
        config.payouts = _payouts();
        config.reserves = _reserves();
        config.startBlock = START;
        config.saleBlocks = 5;
        config.challengeBlocks = 5;
        config.lookahead = 6;
        config.drawWindow = 4;
        config.targetTickets = 4;
        config.curve = TicketPricing.Curve.Linear;
        config.priceFloor = 0.01 ether;
        config.maxRearms = 1;
        config.splitRule = SplitRule.SingletonValues;
        uint256 before = gasleft();
        market = new LotteryMarket(config);
        _gas("lottery: deploy", before);
    }

    function _buy(LotteryMarket market, address buyer, uint256 bundle, uint256 count, string memory what) internal {
        uint256 cost = market.quote(0, bundle, count);
        vm.deal(buyer, buyer.balance + cost);
        vm.prank(buyer);
        uint256 before = gasleft();
        market.buy{value: cost}(0, bundle, count);
        _gas(what, before);
    }

    function test_gasLottery() public {
        LotteryMarket market = _deployLottery();
        vm.roll(START);
        _buy(market, A, 0x3, 5, "lottery: buy (first of bundle, 5 tickets)");
        _buy(market, B, 0x3, 2, "lottery: buy (second buyer)");
        _buy(market, B, 0x1, 3, "lottery: buy (singleton)");
        _buy(market, C, 0x4, 8, "lottery: buy (sell out)");
        _buy(market, C, 0xC, 2, "lottery: buy (bundle)");
        _buy(market, A, 0x8, 1, "lottery: buy (singleton)");
        vm.roll(START + 5);
        uint256[] memory bundles = new uint256[](1);
        bundles[0] = 0x3;
        uint256 before = gasleft();
        market.propose(0, bundles);
        _gas("lottery: propose [{0,1}]", before);
        vm.roll(market.drawTarget(0));
        vm.prevrandao(keccak256("gas"));
        before = gasleft();
        market.draw(0);
        _gas("lottery: draw", before);
        before = gasleft();
        market.finalize(0);
        _gas("lottery: finalize (1 bundle + 2 singletons sold)", before);
        assertEq(market.drawOf(0).soldSingletons, 0xC, "singletons {2} and {3} sold");
        vm.prank(C);
        before = gasleft();
        market.claimRefund(0, 0xC);
        _gas("lottery: claimRefund", before);
        assertTrue(market.sequencerOf(0, 3) == A, "A sequences rollup 3");
    }
}

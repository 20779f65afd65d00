// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {LotteryMarket} from "../../contracts/LotteryMarket.sol";
import {ILotteryMarket} from "../../contracts/interfaces/ILotteryMarket.sol";
import {SplitRule} from "../../contracts/libraries/RevenueSplit.sol";
import {TicketPricing} from "../../contracts/libraries/TicketPricing.sol";
import {TestBase, console} from "./utils/Vm.sol";

/// @title The draw-timing chooser against Ethereum mainnet's draw limits
/// @notice A block proposer (or whoever keeps other draws out of the window's blocks) sees each block's PREVRANDAO
///         before anyone else (vm.prevrandao sets it block by block here: the proposer's view). It holds a share
///         p of a bundle's tickets and draws only in a block whose seed makes one of its tickets win; when a
///         window passes without one, it lets it lapse and re-arms (trying to fix a winning seed past the window
///         only re-arms), and after the last re-arm it lets the round void. The constructor holds a mainnet
///         deployment to a window of at most 2 blocks and at most 1 re-arm, so it picks among at most
///         W * (R + 1) = 4 seeds and wins with probability at most 1 - (1 - p)^4 (docs/randao-bias.md, "Model:
///         choosing among m seeds"); a void refunds every ticket, the chooser's included, and earns it nothing.
///         Measured here round after round through the contract's own draw, against the bound and against an
///         honest keeper drawing in the window's first block.
contract DrawTimingTest is TestBase {
    uint256 internal constant MAINNET = 1;
    uint256 internal constant T = 10; // tickets sold per round: the chooser's k and the others' T - k
    uint256 internal constant BUNDLE = 1; // rollup 0 alone
    uint256 internal constant ROUNDS = 1000;
    /// @dev Slack on the measured wins, in standard deviations of Binomial(ROUNDS, bound). The beacon is a fixed
    ///      hash, so the test is deterministic; the slack only covers the sampling error of this one sequence.
    ///      At p = 0.1 it puts the limit at 389 wins in 1000 (bound 343.9): a fifth seed a round (expected
    ///      409.5, sd 15.5) would cross it nine times in ten, an unlimited window every time.
    uint256 internal constant SIGMAS = 3;
    uint256 internal constant PPM = 1_000_000;

    address internal constant CHOOSER = address(0xC0FFEE);
    address internal constant OTHERS = address(0x07E5);

    LotteryMarket internal market;

    /// @dev What one campaign measured.
    struct Tally {
        uint256 rounds;
        uint256 wins; // rounds whose seed the chooser fixed, with one of its tickets winning
        uint256 honestWins; // rounds an honest keeper drawing at the first window block would have handed it
        uint256 voids; // rounds it let void
        uint256 maxSeeds; // most seeds it saw inside windows in one round
        uint256 refusedOutside; // winning seeds outside every window it tried to fix: refused
    }

    /// @dev Mainnet's largest settings: window 2, one re-arm (docs/randao-bias.md, "Per-chain minimums").
    function _config(uint256 window, uint256 rearms) internal pure returns (LotteryMarket.Config memory c) {
        c.payouts = new address[](2);
        c.payouts[0] = address(0xA0);
        c.payouts[1] = address(0xA1);
        c.reserves = new uint256[](2);
        c.startBlock = 10;
        c.saleBlocks = 300;
        c.challengeBlocks = 100;
        c.lookahead = 128;
        c.drawWindow = window;
        c.targetTickets = T;
        c.curve = TicketPricing.Curve.Linear;
        c.beta = 1e18;
        c.gamma = 693147180559945309;
        c.priceFloor = 1e12;
        c.maxRearms = rearms;
        c.drawBountyBps = 100;
        c.splitRule = SplitRule.Reserves;
    }

    function _deploy(uint256 window, uint256 rearms) internal {
        vm.chainId(MAINNET);
        market = new LotteryMarket(_config(window, rearms));
        vm.roll(10);
    }

    /// The widest mainnet settings (W = 2, R = 1): at most 4 seeds a round, so with one ticket in ten (p = 0.1)
    /// the chooser wins at most 1 - 0.9^4 = 34.39% of rounds; it does better than an honest keeper would let it.
    function test_chooserPicksAmongAtMostFourSeeds() public {
        _deploy(2, 1);
        assertEq(market.drawWindow() * (market.maxRearms() + 1), 4, "mainnet's widest settings: 4 seeds");
        Tally memory t = _campaign(1);
        _report("W = 2, R = 1, p = 0.1", t);
        assertLe(t.maxSeeds, 4, "never more than W * (R + 1) seeds in a round");
        _assertBelowBound(t, 1, 4);
        // The choice is worth something (why the limits exist): more wins than the honest draw gives.
        assertTrue(t.wins > t.honestWins, "the chooser gains over an honest draw");
        assertTrue(t.refusedOutside > 0, "winning seeds outside the windows were tried");
    }

    /// A larger share (three tickets in ten): the bound 1 - 0.7^4 = 75.99% still holds.
    function test_chooserWithALargerShare() public {
        _deploy(2, 1);
        Tally memory t = _campaign(3);
        _report("W = 2, R = 1, p = 0.3", t);
        assertLe(t.maxSeeds, 4, "never more than W * (R + 1) seeds in a round");
        _assertBelowBound(t, 3, 4);
    }

    /// The narrowest settings (W = 1, R = 0): one seed; the chooser can only take it or let the round void, so
    /// it wins no more often than its share (10%) would on average.
    function test_oneSeedLeavesOnlyTheShare() public {
        _deploy(1, 0);
        Tally memory t = _campaign(1);
        _report("W = 1, R = 0, p = 0.1", t);
        assertLe(t.maxSeeds, 1, "one seed a round");
        _assertBelowBound(t, 1, 1);
    }

    /// A mainnet deployment that would hand the chooser more seeds is refused (so the bounds above are the
    /// ones any mainnet market runs under).
    function test_widerSettingsAreRefusedOnMainnet() public {
        vm.chainId(MAINNET);
        try new LotteryMarket(_config(3, 1)) {
            assertTrue(false, "window 3 deployed on mainnet");
        } catch (bytes memory reason) {
            assertTrue(bytes4(reason) == ILotteryMarket.DrawWindowTooWide.selector, "window 3: DrawWindowTooWide");
        }
        try new LotteryMarket(_config(2, 2)) {
            assertTrue(false, "2 re-arms deployed on mainnet");
        } catch (bytes memory reason) {
            assertTrue(bytes4(reason) == ILotteryMarket.TooManyRearms.selector, "2 re-arms: TooManyRearms");
        }
    }

    // ------------------------------------------------------------------ the campaign

    /// @dev ROUNDS rounds; in each the chooser buys `k` of the T tickets (the first ones), the others the rest.
    function _campaign(uint256 k) internal returns (Tally memory t) {
        for (uint256 i; i < ROUNDS; ++i) {
            _round(k, t);
        }
    }

    function _round(uint256 k, Tally memory t) internal {
        uint256 round = market.currentRound();
        uint256 paid = _buy(CHOOSER, round, k);
        _buy(OTHERS, round, T - k);
        t.rounds += 1;

        // An honest keeper would draw in the first block of the first window: what that seed gives the chooser.
        uint256 first = market.drawTarget(round);
        if (_wins(round, first, k)) t.honestWins += 1;

        // Before the window: a draw, even on a winning seed, is refused.
        vm.roll(first - 1);
        vm.prevrandao(_beacon(first - 1));
        vm.prank(CHOOSER);
        try market.draw(round) {
            assertTrue(false, "drawn before the target");
        } catch (bytes memory reason) {
            assertTrue(bytes4(reason) == ILotteryMarket.DrawTooEarly.selector, "early draw: DrawTooEarly");
        }

        uint256 seeds;
        while (true) {
            ILotteryMarket.Draw memory state = market.drawOf(round);
            if (state.drawn || state.voided) break;
            uint256 target = market.drawTarget(round);
            uint256 end = target + market.drawWindow();
            // Inside the window: each block's seed is one option; draw on the first that wins.
            bool drawn;
            for (uint256 blockNo = target; blockNo < end && !drawn; ++blockNo) {
                seeds += 1;
                if (!_wins(round, blockNo, k)) continue;
                vm.roll(blockNo);
                vm.prevrandao(_beacon(blockNo));
                vm.prank(CHOOSER);
                assertTrue(market.draw(round), "a draw inside the window fixes the seed");
                drawn = true;
            }
            if (drawn) break;
            // The window lapsed. The chooser tries to fix the next winning seed it sees past it: refused, the
            // call only re-arms (or, with the re-arms used up, voids the round) and earns nothing.
            uint256 b = end;
            while (!_wins(round, b, k)) ++b;
            vm.roll(b);
            vm.prevrandao(_beacon(b));
            uint256 creditBefore = market.creditOf(CHOOSER);
            vm.prank(CHOOSER);
            assertTrue(!market.draw(round), "a draw past the window does not fix a seed");
            assertEq(market.creditOf(CHOOSER), creditBefore, "a lapse earns nothing");
            t.refusedOutside += 1;
        }
        if (seeds > t.maxSeeds) t.maxSeeds = seeds;

        ILotteryMarket.Draw memory done = market.drawOf(round);
        if (done.drawn) {
            // The seed is the contract's, and the winning ticket is the chooser's.
            uint256 ticket = market.winningTicket(done.seed, BUNDLE, T);
            assertEq(uint160(market.ticketHolder(round, BUNDLE, ticket)), uint160(CHOOSER), "the chooser's ticket won");
            assertEq(uint160(done.drawer), uint160(CHOOSER), "the chooser drew");
            t.wins += 1;
        } else {
            // Withholding to the end: the round voids and everyone gets their money back, the chooser no more.
            t.voids += 1;
            _settleVoided(round, paid);
        }
    }

    /// @dev Finalizes voided `round` and has the chooser and the others claim their refunds: the chooser gets back
    ///      exactly `paid`, and no ticket money of the round is left behind.
    function _settleVoided(uint256 round, uint256 paid) internal {
        uint256 open = market.roundStart(round) + market.commitBlocks() + market.challengeBlocks();
        if (block.number < open) vm.roll(open);
        market.finalize(round);
        uint256 before = market.creditOf(CHOOSER);
        vm.prank(CHOOSER);
        market.claimRefund(round, BUNDLE);
        vm.prank(OTHERS);
        market.claimRefund(round, BUNDLE);
        assertEq(market.creditOf(CHOOSER) - before, paid, "a void refunds the chooser exactly what it paid");
        assertEq(market.paidBy(round, BUNDLE, OTHERS), 0, "and the others");
    }

    function _buy(address buyer, uint256 round, uint256 count) internal returns (uint256 cost) {
        uint256 open = market.roundStart(round);
        if (block.number < open) vm.roll(open);
        cost = market.quote(round, BUNDLE, count);
        vm.deal(buyer, buyer.balance + cost);
        vm.prank(buyer);
        market.buy{value: cost}(round, BUNDLE, count);
    }

    /// @dev PREVRANDAO of block `b`: a fixed pseudo-random beacon, so the campaign is reproducible.
    function _beacon(uint256 b) internal view returns (bytes32) {
        return keccak256(abi.encode("beacon", address(market), b));
    }

    /// @dev Whether the seed of block `b` makes one of the chooser's `k` tickets (the first ones) win `round`: the
    ///      seed and winning-ticket formulas of ILotteryMarket (seed = keccak256(prevrandao, chainid, market,
    ///      round), ticket = keccak256(seed, bundle) mod sold), recomputed as the proposer would off-chain.
    function _wins(uint256 round, uint256 b, uint256 k) internal view returns (bool) {
        bytes32 seed = keccak256(abi.encode(_beacon(b), MAINNET, address(market), round));
        return uint256(keccak256(abi.encode(seed, BUNDLE))) % T < k;
    }

    // ------------------------------------------------------------------ the bound

    /// @dev wins <= n q + SIGMAS sqrt(n q (1 - q)), q = 1 - (1 - p)^m with p = k / T, all in parts per million.
    function _assertBelowBound(Tally memory t, uint256 k, uint256 m) internal pure {
        uint256 miss = PPM;
        for (uint256 j; j < m; ++j) {
            miss = (miss * (T - k)) / T;
        }
        uint256 q = PPM - miss;
        uint256 mean = t.rounds * q; // ppm
        uint256 sd = _sqrt(t.rounds * q * (PPM - q)); // ppm
        assertLe(t.wins * PPM, mean + SIGMAS * sd, "chooser's wins <= the bound 1 - (1 - p)^(W (R + 1))");
    }

    function _report(string memory what, Tally memory t) internal view {
        console.log(string.concat(what, ": rounds"), t.rounds);
        console.log(string.concat(what, ": chooser's wins"), t.wins);
        console.log(string.concat(what, ": wins an honest first-block draw would give it"), t.honestWins);
        console.log(string.concat(what, ": rounds voided (all refunded)"), t.voids);
        console.log(string.concat(what, ": most seeds seen in one round"), t.maxSeeds);
        console.log(string.concat(what, ": winning seeds past a window, refused"), t.refusedOutside);
    }

    function _sqrt(uint256 x) internal pure returns (uint256 y) {
        if (x == 0) return 0;
        y = x;
        uint256 z = (x + 1) / 2;
        while (z < y) {
            y = z;
            z = (x / z + z) / 2;
        }
    }
}

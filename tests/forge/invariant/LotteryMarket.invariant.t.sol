// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {LotteryMarket} from "../../../contracts/LotteryMarket.sol";
import {ICreditLedger} from "../../../contracts/interfaces/ICreditLedger.sol";
import {ILotteryMarket} from "../../../contracts/interfaces/ILotteryMarket.sol";
import {IMarket} from "../../../contracts/interfaces/IMarket.sol";
import {IPartitionChallenge} from "../../../contracts/interfaces/IPartitionChallenge.sol";
import {IRollupRegistry} from "../../../contracts/interfaces/IRollupRegistry.sol";
import {IRoundSchedule} from "../../../contracts/interfaces/IRoundSchedule.sol";
import {SplitRule} from "../../../contracts/libraries/RevenueSplit.sol";
import {TicketPricing} from "../../../contracts/libraries/TicketPricing.sol";
import {TestBase, console} from "../utils/Vm.sol";
import {LotteryHandler} from "./LotteryHandler.sol";

/// @dev What forge reads from `targetSelectors()` (the layout of forge-std's StdInvariant.FuzzSelector).
struct LotteryFuzzSelector {
    address addr;
    bytes4[] selectors;
}

/// @dev Every action name the handler counts outcomes under (HandlerBase.ok / rejected).
function lotteryActions() pure returns (string[15] memory) {
    return [
        "buy",
        "propose",
        "draw",
        "finalize",
        "claimRefund",
        "withdrawCredit",
        "setReserve",
        "withhold: refund",
        "edgeBuy",
        "edgePropose",
        "edgeFinalize",
        "reentrantWithdraw",
        "rejectingPayee",
        "rejectingPayee: paid elsewhere",
        "rejectingPayee: others paid"
    ];
}

/// @dev A refusal an adversary must meet: `action` refused with the named error `name` (`selector`).
struct LotteryRefusal {
    string action;
    bytes4 selector;
    string name;
}

/// @dev The refusals the lottery's adversaries must meet: the invariant summary logs their counts,
///      LotteryAdversaryCoverageTest requires each.
function lotteryRefusals() pure returns (LotteryRefusal[6] memory r) {
    r[0] = LotteryRefusal("edgeBuy", IRoundSchedule.WrongPhase.selector, "WrongPhase");
    r[1] = LotteryRefusal("edgePropose", IRoundSchedule.WrongPhase.selector, "WrongPhase");
    r[2] = LotteryRefusal("edgeFinalize", IRoundSchedule.WrongPhase.selector, "WrongPhase");
    r[3] = LotteryRefusal("edgeFinalize", ILotteryMarket.NotDrawn.selector, "NotDrawn");
    r[4] = LotteryRefusal("rejectingPayee", ICreditLedger.TransferFailed.selector, "TransferFailed");
    r[5] = LotteryRefusal("reentrantWithdraw", ICreditLedger.NothingToWithdraw.selector, "NothingToWithdraw");
}

/// @title Stateful fuzzing of LotteryMarket
/// @notice forge calls random sequences of the handler's actions (see LotteryHandler) and checks these
///         invariants after every call; the handler checks each action's own effects against its model as it
///         goes. One concrete contract per price curve (the two split rules are spread over them).
abstract contract LotteryMarketInvariants is TestBase {
    LotteryHandler internal handler;
    LotteryMarket internal market;
    address[] internal accounts; // fixed at deployment: cached to keep the per-call check cheap
    address[] internal bidders;

    function _curve() internal pure virtual returns (TicketPricing.Curve);

    function _splitRule() internal pure virtual returns (SplitRule);

    function setUp() public {
        handler = new LotteryHandler(_curve(), _splitRule(), uint256(_curve()));
        market = handler.market();
        for (uint256 k; k < handler.accountCount(); ++k) {
            accounts.push(handler.accounts(k));
        }
        for (uint256 b; b < handler.bidderCount(); ++b) {
            bidders.push(handler.bidders(b));
        }
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function targetSelectors() public view returns (LotteryFuzzSelector[] memory targets) {
        bytes4[] memory selectors = new bytes4[](16);
        selectors[0] = LotteryHandler.buy.selector;
        selectors[1] = LotteryHandler.propose.selector;
        selectors[2] = LotteryHandler.draw.selector;
        selectors[3] = LotteryHandler.finalize.selector;
        selectors[4] = LotteryHandler.claimRefund.selector;
        selectors[5] = LotteryHandler.withdrawCredit.selector;
        selectors[6] = LotteryHandler.setReserve.selector;
        selectors[7] = LotteryHandler.advance.selector;
        selectors[8] = LotteryHandler.pump.selector;
        selectors[9] = LotteryHandler.manyIdentities.selector;
        selectors[10] = LotteryHandler.drawAt.selector;
        selectors[11] = LotteryHandler.snipe.selector;
        selectors[12] = LotteryHandler.withhold.selector;
        selectors[13] = LotteryHandler.edge.selector;
        selectors[14] = LotteryHandler.reentrantWithdraw.selector;
        selectors[15] = LotteryHandler.rejectingPayee.selector;
        targets = new LotteryFuzzSelector[](1);
        targets[0] = LotteryFuzzSelector(address(handler), selectors);
    }

    /// @notice What the run reached (shown with -vv).
    function afterInvariant() public view {
        console.log("calls", handler.calls());
        console.log("blocks", handler.blockNumber());
        console.log("rounds finalized", handler.finalizedCount());
        console.log("voided", handler.voidedFinalized());
        console.log("re-armed draws", handler.rearmed());
        console.log("multi-rollup bundles won", handler.multiBundlesWon());
        console.log("singletons won", handler.singletonsWon());
        console.log("refunds claimed", handler.ok("claimRefund"));
        console.log("tickets on the curve", handler.ticketsOnCurve());
        console.log("pumps refunded, base unmoved by them", handler.pumpsIgnored());
        console.log("bundles bought out by many identities", handler.identitiesBuyouts());
        console.log("draw bounties paid", handler.bountiesPaid());
        console.log("snipes at the kink", handler.snipesAtKink());
        console.log("windows withheld: re-armed", handler.withheldRearms());
        console.log("windows withheld: voided, all refunded", handler.withheldVoids());
        string[15] memory actions = lotteryActions();
        for (uint256 k; k < actions.length; ++k) {
            console.log(string.concat(actions[k], " ok"), handler.ok(actions[k]));
            console.log(string.concat(actions[k], " rejected"), handler.rejected(actions[k]));
        }
        LotteryRefusal[6] memory refusals = lotteryRefusals();
        for (uint256 k; k < refusals.length; ++k) {
            LotteryRefusal memory r = refusals[k];
            console.log(string.concat(r.action, " refused: ", r.name), handler.rejectedWith(r.action, r.selector));
        }
    }

    /// @notice All invariants, checked after every call (one function: forge runs a campaign per invariant).
    function _checkInvariants() internal view {
        _balanceIsCreditPlusEscrow();
        _escrowIsUnsettledPayments();
        _partitionValueNeverDecreases();
        _finalizedRoundsBalance();
    }

    /// The market holds exactly what it owes: every account's credit plus the escrowed ticket money.
    function _balanceIsCreditPlusEscrow() internal view {
        uint256 owed = market.escrow();
        for (uint256 k; k < accounts.length; ++k) {
            owed += market.creditOf(accounts[k]);
        }
        assertEq(address(market).balance, owed, "balance == sum(creditOf) + escrow");
        assertEq(address(market).balance, handler.ghostIn() - handler.ghostOut(), "balance == in - out");
    }

    /// Escrow is the ticket money of bundles neither settled nor refunded (the handler's model).
    function _escrowIsUnsettledPayments() internal view {
        assertEq(market.escrow(), handler.modelEscrow(), "escrow == unsettled, unrefunded payments");
    }

    /// A round's best partition value never goes down (the handler records the last value seen).
    function _partitionValueNeverDecreases() internal view {
        uint256 current = handler.currentRound();
        for (uint256 round = current > 3 ? current - 3 : 0; round <= current; ++round) {
            (, uint256 value) = market.bestPartition(round);
            assertLe(handler.valueSeen(round), value, "partition value never decreases");
        }
    }

    /// After finalization, for each round: revenue credited to rollups + the drawer's bounty + refunds claimed +
    /// refunds still claimable (read from the market) == the round's ticket payments. Read from the market for
    /// the last finalized round and, rotating with the call count, one other (so every round is checked again
    /// and again as refunds are claimed); over all finalized rounds from the model's running totals (the
    /// model's per-round figures are checked against the market as each round is finalized and each refund
    /// claimed).
    function _finalizedRoundsBalance() internal view {
        uint256 count = handler.finalizedCount();
        if (count != 0) _roundBalances(handler.finalizedRounds(count - 1));
        if (count > 1) _roundBalances(handler.finalizedRounds(handler.calls() % (count - 1)));
        assertEq(
            handler.paidFinalized(),
            handler.totalRevenue() + handler.bountyTotal() + handler.refundedTotal() + handler.claimableFinalized(),
            "all finalized rounds: credited to rollups + bounties + refunded + claimable == paid"
        );
    }

    function _roundBalances(uint256 round) internal view {
        (uint256 paid, uint256 credited, uint256 bounty, uint256 refunded, uint256 won, bool finalized) =
            handler.booksOf(round);
        assertTrue(finalized, "listed round is finalized");
        assertTrue(market.drawOf(round).finalized, "market: round finalized");
        uint256 sold = handler.soldMaskOf(round); // elsewhere nobody paid (checked at every purchase)
        uint256 claimable;
        for (uint256 bundle = 1; bundle < 16; ++bundle) {
            if (won & (1 << bundle) != 0 || sold & (1 << bundle) == 0) continue;
            for (uint256 b; b < bidders.length; ++b) {
                claimable += market.paidBy(round, bundle, bidders[b]);
            }
        }
        assertEq(claimable, handler.claimableOf(round), "claimable refunds == model");
        assertEq(
            credited + bounty + refunded + claimable, paid, "round: credited + bounty + refunded + claimable == paid"
        );
    }
}

/// Linear curve, rollups paid by singleton-value weights.
contract LotteryLinearInvariantTest is LotteryMarketInvariants {
    function _curve() internal pure override returns (TicketPricing.Curve) {
        return TicketPricing.Curve.Linear;
    }

    function _splitRule() internal pure override returns (SplitRule) {
        return SplitRule.SingletonValues;
    }

    function invariant_lottery() public view {
        _checkInvariants();
    }
}

/// Quadratic curve (beta = 1), rollups paid by reserve weights.
contract LotteryQuadraticInvariantTest is LotteryMarketInvariants {
    function _curve() internal pure override returns (TicketPricing.Curve) {
        return TicketPricing.Curve.Quadratic;
    }

    function _splitRule() internal pure override returns (SplitRule) {
        return SplitRule.Reserves;
    }

    function invariant_lottery() public view {
        _checkInvariants();
    }
}

/// Exponential curve (gamma = ln 2), rollups paid by singleton-value weights.
contract LotteryExponentialInvariantTest is LotteryMarketInvariants {
    function _curve() internal pure override returns (TicketPricing.Curve) {
        return TicketPricing.Curve.Exponential;
    }

    function _splitRule() internal pure override returns (SplitRule) {
        return SplitRule.SingletonValues;
    }

    function invariant_lottery() public view {
        _checkInvariants();
    }
}

/// @notice Guards against a vacuous campaign: a fixed pseudo-random sequence of handler calls must reach every
///         path that matters (accepted and rejected actions of each kind, prices on the curve and base prices
///         moving both ways, on kept tickets and past refunded ones, pumps refunded, bundles bought out by many
///         identities, bundles and singletons won, re-armed and voided draws, draws at both window edges, draw
///         bounties, refunds of every kind).
///         If the handler or the market changes so that, say, no round is ever voided, this fails.
contract LotteryHandlerCoverageTest is TestBase {
    function test_handlerReachesEveryPath_linear() public {
        _run(TicketPricing.Curve.Linear, SplitRule.SingletonValues);
    }

    function test_handlerReachesEveryPath_quadratic() public {
        _run(TicketPricing.Curve.Quadratic, SplitRule.Reserves);
    }

    function test_handlerReachesEveryPath_exponential() public {
        _run(TicketPricing.Curve.Exponential, SplitRule.SingletonValues);
    }

    /// The model's curves (not the library's) end at twice the base price at 2T, as docs/design.md, departure 1
    /// (ticket curve) asks,
    /// and never go down along the way.
    function test_modelCurvesEndAtTwiceTheBasePrice() public {
        uint256[3] memory bases = [uint256(0.01 ether + 1), 1 ether, 7];
        for (uint256 c; c < 3; ++c) {
            LotteryHandler handler = new LotteryHandler(TicketPricing.Curve(c), SplitRule.Reserves, 0);
            uint256 t = handler.T();
            for (uint256 j; j < bases.length; ++j) {
                uint256 base = bases[j];
                uint256 previous;
                for (uint256 k = 1; k <= 2 * t; ++k) {
                    uint256 price = handler.modelTicketPrice(base, k);
                    assertLe(previous, price, "model curve never goes down");
                    if (2 * k <= 3 * t) assertEq(price, base, "flat up to 1.5T");
                    previous = price;
                }
                // Exponential: within rounding (e^gamma with gamma = ln 2 floored, series terms floored).
                assertLe(previous, 2 * base, "at most 2p at 2T");
                assertLe(2 * base - previous, c == 2 ? 1 + base / 1e15 : 0, "2p at 2T");
            }
        }
    }

    function _run(TicketPricing.Curve curve, SplitRule rule) internal {
        LotteryHandler handler = new LotteryHandler(curve, rule, uint256(curve));
        // 2600 calls, advance twice as likely as each other action: what fits in forge's gas limit per test.
        for (uint256 i; i < 2600; ++i) {
            uint256 seed = uint256(keccak256(abi.encode("lottery coverage", i)));
            uint256 action = seed % 12;
            uint256 arg = seed >> 8;
            if (action == 0) handler.buy(arg, arg >> 64);
            else if (action == 1) handler.propose(arg);
            else if (action == 2) handler.draw(arg, keccak256(abi.encode(arg)));
            else if (action == 3) handler.finalize(arg);
            else if (action == 4) handler.claimRefund(arg, arg >> 64);
            else if (action == 5) handler.withdrawCredit(arg);
            else if (action == 6) handler.setReserve(arg, arg >> 64);
            else if (action == 7) handler.pump(arg, arg >> 64);
            else if (action == 8) handler.manyIdentities(arg);
            else if (action == 9) handler.drawAt(arg, keccak256(abi.encode("at", arg)));
            else handler.advance(arg);
        }
        string[7] memory actions = ["buy", "propose", "draw", "finalize", "claimRefund", "withdrawCredit", "setReserve"];
        for (uint256 k; k < actions.length; ++k) {
            console.log(string.concat(actions[k], " ok"), handler.ok(actions[k]));
            console.log(string.concat(actions[k], " rejected"), handler.rejected(actions[k]));
            assertTrue(handler.ok(actions[k]) > 0, string.concat("never succeeded: ", actions[k]));
            assertTrue(handler.rejected(actions[k]) > 0, string.concat("never rejected: ", actions[k]));
        }
        _mustReject(handler, "buy", IRoundSchedule.WrongPhase.selector, "buy: wrong phase");
        _mustReject(handler, "buy", IMarket.InvalidBundle.selector, "buy: invalid bundle");
        _mustReject(handler, "buy", ILotteryMarket.ZeroTickets.selector, "buy: zero tickets");
        _mustReject(handler, "buy", ILotteryMarket.TicketLimit.selector, "buy: beyond 2T");
        _mustReject(handler, "buy", ILotteryMarket.InsufficientPayment.selector, "buy: underpaid");
        _mustReject(handler, "propose", IRoundSchedule.WrongPhase.selector, "propose: wrong phase");
        _mustReject(handler, "propose", IPartitionChallenge.NotBetter.selector, "propose: not better");
        _mustReject(handler, "propose", IPartitionChallenge.OverlappingBundle.selector, "propose: overlapping");
        _mustReject(handler, "propose", IPartitionChallenge.SingletonListed.selector, "propose: singleton listed");
        _mustReject(handler, "propose", IPartitionChallenge.NoBidForBundle.selector, "propose: bundle without sales");
        _mustReject(handler, "draw", ILotteryMarket.DrawTooEarly.selector, "draw: too early");
        _mustReject(handler, "draw", ILotteryMarket.AlreadyDrawn.selector, "draw: twice");
        _mustReject(handler, "draw", ILotteryMarket.Voided.selector, "draw: voided round");
        _mustReject(handler, "draw", IRoundSchedule.RoundOutOfRange.selector, "draw: beyond the schedule");
        _mustReject(handler, "finalize", IRoundSchedule.WrongPhase.selector, "finalize: wrong phase");
        _mustReject(handler, "finalize", ILotteryMarket.NotDrawn.selector, "finalize: not drawn");
        _mustReject(handler, "finalize", IMarket.AlreadyFinalized.selector, "finalize: twice");
        _mustReject(handler, "claimRefund", IMarket.RoundNotFinalized.selector, "refund: not finalized");
        _mustReject(handler, "claimRefund", ILotteryMarket.BundleWon.selector, "refund: bundle won");
        _mustReject(handler, "claimRefund", ILotteryMarket.NothingToRefund.selector, "refund: nothing");
        _mustReject(handler, "withdrawCredit", ICreditLedger.NothingToWithdraw.selector, "withdraw: nothing");
        _mustReject(handler, "setReserve", IRollupRegistry.NotRollupPayout.selector, "setReserve: not payout");

        _mustReach("tickets on the curve", handler.ticketsOnCurve());
        _mustReach("bundles sold out", handler.bundlesFilled());
        _mustReach("overpaid, excess credited", handler.overpaid());
        _mustReach("base price up", handler.baseUp());
        _mustReach("base price down", handler.baseDown());
        _mustReach("base price after rounds without sales", handler.baseAfterGap());
        _mustReach("starting price from reserves", handler.startAboveFloor());
        _mustReach("optimal partition kept", handler.optimalKept());
        _mustReach("worse partition kept", handler.worseKept());
        _mustReach("draws in window", handler.drawsInWindow());
        _mustReach("re-armed draws", handler.rearmed());
        _mustReach("voided rounds", handler.voided());
        _mustReach("voided rounds finalized", handler.voidedFinalized());
        _mustReach("multi-rollup bundles won", handler.multiBundlesWon());
        _mustReach("singletons won", handler.singletonsWon());
        _mustReach("singletons won with revenue == reserve", handler.singletonsWonAtReserve());
        _mustReach("refunds: lost bundles", handler.refundsLostBundle());
        _mustReach("refunds: unsold singletons", handler.refundsUnsoldSingleton());
        _mustReach("refunds: voided rounds", handler.refundsVoided());
        _mustReach("revenue to rollups (wei)", handler.totalRevenue());
        _mustReach("kept tickets raised a later base", handler.keptRaisedBase());
        _mustReach("refunded tickets left a later base unmoved", handler.refundedNotCounted());
        _mustReach("pump bought out and refunded, base unmoved by it", handler.pumpsIgnored());
        _mustReach("bought, all refunded, priced again as never sold", handler.pricedAsNeverSold());
        _mustReach("round voided too late to undo its step keeps its tickets", handler.lateVoidsKept());
        _mustReach("bundle bought out by five or more identities", handler.identitiesBuyouts());
        _mustReach("draw bounties paid (wei)", handler.bountyTotal());
        _mustReach("draw bounty paid to a ticket holder", handler.bountiesToBidders());
        _mustReach("seed drawn in the window's first block", handler.drawsAtWindowStart());
        _mustReach("seed drawn in the window's last block", handler.drawsAtWindowEnd());

        console.log("base price down to the floor", handler.baseAtFloor());
        console.log("starting price capped at MAX_BASE", handler.startCapped());
        console.log("rounds finalized", handler.finalizedCount());
        console.log("blocks", handler.blockNumber());
    }

    function _mustReject(LotteryHandler handler, string memory action, bytes4 selector, string memory what)
        internal
        view
    {
        uint256 n = handler.rejectedWith(action, selector);
        console.log(what, n);
        assertTrue(n > 0, string.concat("never rejected: ", what));
    }

    function _mustReach(string memory what, uint256 n) internal view {
        console.log(what, n);
        assertTrue(n > 0, string.concat("never reached: ", what));
    }
}

/// @notice The lottery's adversaries of issue 13 (beside pump, manyIdentities and drawAt, covered above): the
///         sniper at the curve's kink and the draw withholder, reached by a fixed pseudo-random sequence of every
///         handler action, one campaign per curve. If a change makes either unreachable, this fails.
contract LotteryAdversaryCoverageTest is TestBase {
    function test_adversariesReachEveryPath_linear() public {
        _run(TicketPricing.Curve.Linear, SplitRule.SingletonValues);
    }

    function test_adversariesReachEveryPath_quadratic() public {
        _run(TicketPricing.Curve.Quadratic, SplitRule.Reserves);
    }

    function test_adversariesReachEveryPath_exponential() public {
        _run(TicketPricing.Curve.Exponential, SplitRule.SingletonValues);
    }

    /// Short runs (the long profile's depth: 50 calls from a fresh deployment) still draw and settle rounds: the
    /// handler's clock runs faster until round 0's first draw window closes. Twenty-four such runs (what fits in the
    /// per-test gas limit, with a deployment each) of uniformly drawn
    /// actions, as forge draws them; at least half of them must finalize a round.
    function test_shortRunsReachSettlement() public {
        uint256 settled;
        uint256 drawn;
        for (uint256 run; run < 24; ++run) {
            LotteryHandler handler = new LotteryHandler(TicketPricing.Curve.Linear, SplitRule.Reserves, run);
            for (uint256 i; i < 50; ++i) {
                uint256 seed = uint256(keccak256(abi.encode("short run", run, i)));
                _call(handler, seed % 16, seed >> 8);
            }
            if (handler.finalizedCount() > 0) settled += 1;
            if (handler.drawsInWindow() > 0) drawn += 1;
        }
        console.log("short runs that drew a seed", drawn);
        console.log("short runs that finalized a round", settled);
        assertTrue(settled * 2 >= 24, "fewer than half of the short runs finalize a round");
    }

    /// @dev One handler action: the sixteen the invariant campaigns target, the clock's advance last.
    function _call(LotteryHandler handler, uint256 action, uint256 arg) internal {
        if (action == 0) handler.buy(arg, arg >> 64);
        else if (action == 1) handler.propose(arg);
        else if (action == 2) handler.draw(arg, keccak256(abi.encode(arg)));
        else if (action == 3) handler.finalize(arg);
        else if (action == 4) handler.claimRefund(arg, arg >> 64);
        else if (action == 5) handler.withdrawCredit(arg);
        else if (action == 6) handler.setReserve(arg, arg >> 64);
        else if (action == 7) handler.pump(arg, arg >> 64);
        else if (action == 8) handler.manyIdentities(arg);
        else if (action == 9) handler.drawAt(arg, keccak256(abi.encode("at", arg)));
        else if (action == 10) handler.snipe(arg, arg >> 64);
        else if (action == 11) handler.withhold(arg, arg >> 64);
        else if (action == 12) handler.edge(arg, arg >> 64);
        else if (action == 13) handler.reentrantWithdraw(arg);
        else if (action == 14) handler.rejectingPayee(arg);
        else handler.advance(arg);
    }

    function _run(TicketPricing.Curve curve, SplitRule rule) internal {
        LotteryHandler handler = new LotteryHandler(curve, rule, uint256(curve));
        for (uint256 i; i < 1500; ++i) {
            uint256 seed = uint256(keccak256(abi.encode("lottery adversaries", i)));
            // The advance twice as likely as each other action (17 slots, two of them the advance).
            uint256 action = seed % 17;
            _call(handler, action > 15 ? 15 : action, seed >> 8);
        }
        _mustReach("snipes at the kink (split purchase == one purchase)", handler.snipesAtKink());
        _mustReach("snipes in the sale's last block", handler.snipesInLastBlock());
        _mustReach("windows withheld: re-armed, nothing earned", handler.withheldRearms());
        _mustReach("windows withheld: voided, every holder refunded", handler.withheldVoids());
        _mustReach("refunds after a withheld void", handler.ok("withhold: refund"));
        _mustReach("rounds finalized", handler.finalizedCount());
        _mustReach("draws in window", handler.drawsInWindow());
        _mustReach("edgeBuy: taken", handler.ok("edgeBuy"));
        _mustReach("edgePropose: taken", handler.ok("edgePropose"));
        LotteryRefusal[6] memory refusals = lotteryRefusals();
        for (uint256 k; k < refusals.length; ++k) {
            LotteryRefusal memory r = refusals[k];
            _mustReach(string.concat(r.action, " refused: ", r.name), handler.rejectedWith(r.action, r.selector));
        }
        _mustReach("re-entries refused", handler.reentriesBlocked());
        _mustReach("rejected payments, nothing lost", handler.rejectedPayments());
        _mustReach("rejectingPayee: paid elsewhere", handler.ok("rejectingPayee: paid elsewhere"));
        _mustReach("rejectingPayee: others paid", handler.ok("rejectingPayee: others paid"));
        console.log("blocks", handler.blockNumber());
    }

    function _mustReach(string memory what, uint256 n) internal view {
        console.log(what, n);
        assertTrue(n > 0, string.concat("never reached: ", what));
    }
}

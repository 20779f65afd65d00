// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SealedBidMarket} from "../../../contracts/SealedBidMarket.sol";
import {ICollateralVault} from "../../../contracts/interfaces/ICollateralVault.sol";
import {ICreditLedger} from "../../../contracts/interfaces/ICreditLedger.sol";
import {IMarket} from "../../../contracts/interfaces/IMarket.sol";
import {IPartitionChallenge} from "../../../contracts/interfaces/IPartitionChallenge.sol";
import {IVcgCounterfactuals} from "../../../contracts/interfaces/IVcgCounterfactuals.sol";
import {IRoundSchedule} from "../../../contracts/interfaces/IRoundSchedule.sol";
import {ISealedBidMarket} from "../../../contracts/interfaces/ISealedBidMarket.sol";
import {SplitRule} from "../../../contracts/libraries/RevenueSplit.sol";
import {TestBase, console} from "../utils/Vm.sol";
import {MarketHandler} from "./MarketHandler.sol";

/// @dev What forge reads from `targetSelectors()` (the layout of forge-std's StdInvariant.FuzzSelector).
struct FuzzSelector {
    address addr;
    bytes4[] selectors;
}

/// @dev Every action name the handler counts outcomes under (HandlerBase.ok / rejected).
function sealedActions() pure returns (string[31] memory) {
    return [
        "deposit",
        "commit",
        "reveal",
        "propose",
        "finalize",
        "release",
        "withdrawCollateral",
        "withdrawCredit",
        "setReserve",
        "claimCounterfactual",
        "distributeForfeits",
        "copyCommitment",
        "revealOthers",
        "replayReveal",
        "overLock",
        "spam",
        "spam: others",
        "edgeCommit",
        "edgeReveal",
        "edgePropose",
        "edgeFinalize",
        "edgeRelease",
        "ladder",
        "maliciousPropose",
        "understatedClaim",
        "claimGrief",
        "falseName",
        "reentrantWithdraw",
        "rejectingPayee",
        "rejectingPayee: paid elsewhere",
        "rejectingPayee: others paid"
    ];
}

/// @dev A refusal an adversary must meet: `action` refused with the named error `name` (`selector`).
struct Refusal {
    string action;
    bytes4 selector;
    string name;
}

/// @dev The refusals the adversaries must meet, under either payment rule: the invariant summary logs their
///      counts, MarketAdversaryCoverageTest requires each.
function sealedRefusals() pure returns (Refusal[21] memory r) {
    r[0] = Refusal("revealOthers", ISealedBidMarket.UnknownCommitment.selector, "UnknownCommitment");
    r[1] = Refusal("replayReveal", ISealedBidMarket.UnknownCommitment.selector, "UnknownCommitment");
    r[2] = Refusal("overLock", ISealedBidMarket.BidExceedsLock.selector, "BidExceedsLock");
    r[3] = Refusal("overLock", ISealedBidMarket.LockBelowMinimum.selector, "LockBelowMinimum");
    r[4] = Refusal("overLock", ISealedBidMarket.LockTooLarge.selector, "LockTooLarge");
    r[5] = Refusal("overLock", ICollateralVault.InsufficientUnlocked.selector, "InsufficientUnlocked");
    r[6] = Refusal("overLock", ICollateralVault.CollateralTooLarge.selector, "CollateralTooLarge");
    r[7] = Refusal("spam", ISealedBidMarket.CommitCapReached.selector, "CommitCapReached");
    r[8] = Refusal("edgeCommit", IRoundSchedule.WrongPhase.selector, "WrongPhase");
    r[9] = Refusal("edgeReveal", IRoundSchedule.WrongPhase.selector, "WrongPhase");
    r[10] = Refusal("edgePropose", IRoundSchedule.WrongPhase.selector, "WrongPhase");
    r[11] = Refusal("edgeFinalize", IRoundSchedule.WrongPhase.selector, "WrongPhase");
    r[12] = Refusal("edgeFinalize", ISealedBidMarket.RoundLapsed.selector, "RoundLapsed");
    r[13] = Refusal("edgeRelease", IMarket.RoundNotFinalized.selector, "RoundNotFinalized");
    r[14] = Refusal("maliciousPropose", IPartitionChallenge.OverlappingBundle.selector, "OverlappingBundle");
    r[15] = Refusal("maliciousPropose", IPartitionChallenge.BundleOutOfRange.selector, "BundleOutOfRange");
    r[16] = Refusal("maliciousPropose", IPartitionChallenge.SingletonListed.selector, "SingletonListed");
    r[17] = Refusal("maliciousPropose", IPartitionChallenge.EmptyBundle.selector, "EmptyBundle");
    r[18] = Refusal("maliciousPropose", IPartitionChallenge.BundleBelowReserves.selector, "BundleBelowReserves");
    r[19] = Refusal("maliciousPropose", IPartitionChallenge.NotBetter.selector, "NotBetter");
    r[20] = Refusal("rejectingPayee", ICreditLedger.TransferFailed.selector, "TransferFailed");
}

/// @title Stateful fuzzing of SealedBidMarket
/// @notice forge calls random sequences of the handler's actions (see MarketHandler) and checks these
///         invariants after every call. The handler also checks each action's own effects as it goes.
abstract contract SealedBidMarketInvariants is TestBase {
    MarketHandler internal handler;
    SealedBidMarket internal market;

    function _splitRule() internal pure virtual returns (SplitRule);

    function _paymentRule() internal pure virtual returns (ISealedBidMarket.PaymentRule) {
        return ISealedBidMarket.PaymentRule.FirstPrice;
    }

    function setUp() public {
        handler = new MarketHandler(_splitRule(), _paymentRule());
        market = handler.market();
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function targetSelectors() public view returns (FuzzSelector[] memory targets) {
        bytes4[] memory selectors = new bytes4[](26);
        selectors[0] = MarketHandler.deposit.selector;
        selectors[1] = MarketHandler.commit.selector;
        selectors[2] = MarketHandler.reveal.selector;
        selectors[3] = MarketHandler.propose.selector;
        selectors[4] = MarketHandler.finalize.selector;
        selectors[5] = MarketHandler.release.selector;
        selectors[6] = MarketHandler.withdrawCollateral.selector;
        selectors[7] = MarketHandler.withdrawCredit.selector;
        selectors[8] = MarketHandler.setReserve.selector;
        selectors[9] = MarketHandler.advance.selector;
        selectors[10] = MarketHandler.claimCounterfactual.selector;
        selectors[11] = MarketHandler.distributeForfeits.selector;
        // The adversaries (issue 13): each is a selector of its own, so forge's call table shows it ran.
        selectors[12] = MarketHandler.copyCommitment.selector;
        selectors[13] = MarketHandler.revealOthers.selector;
        selectors[14] = MarketHandler.replayReveal.selector;
        selectors[15] = MarketHandler.overLock.selector;
        selectors[16] = MarketHandler.spam.selector;
        selectors[17] = MarketHandler.edge.selector;
        selectors[18] = MarketHandler.ladder.selector;
        selectors[19] = MarketHandler.walkAway.selector;
        selectors[20] = MarketHandler.maliciousPropose.selector;
        selectors[21] = MarketHandler.understatedClaim.selector;
        selectors[22] = MarketHandler.claimGrief.selector;
        selectors[23] = MarketHandler.falseName.selector;
        selectors[24] = MarketHandler.reentrantWithdraw.selector;
        selectors[25] = MarketHandler.rejectingPayee.selector;
        targets = new FuzzSelector[](1);
        targets[0] = FuzzSelector(address(handler), selectors);
    }

    /// @notice What each run reached, action by action (shown with -vv; forge's own table counts the calls).
    function afterInvariant() public view {
        console.log("blocks", handler.blockNumber());
        console.log("rounds finalized", handler.finalizedCount());
        string[31] memory actions = sealedActions();
        for (uint256 k; k < actions.length; ++k) {
            console.log(string.concat(actions[k], " ok"), handler.ok(actions[k]));
            console.log(string.concat(actions[k], " rejected"), handler.rejected(actions[k]));
        }
        Refusal[21] memory refusals = sealedRefusals();
        for (uint256 k; k < refusals.length; ++k) {
            Refusal memory r = refusals[k];
            console.log(string.concat(r.action, " refused: ", r.name), handler.rejectedWith(r.action, r.selector));
        }
    }

    /// @notice All invariants in one function: forge runs a separate campaign per invariant function, so one
    ///         function checking everything after every call explores four times as many sequences per second.
    function invariant_market() public view {
        _balanceEqualsCollateralPlusCredit();
        _lockedIsBackedAndAccounted();
        _revenueGoesToRollups();
        _keptValueNeverDecreases();
    }

    /// The market holds exactly what it owes: every account's collateral plus every account's credit, plus the
    /// forfeits released but not yet distributed to the rollups.
    function _balanceEqualsCollateralPlusCredit() internal view {
        uint256 owed = market.forfeitsHeld();
        for (uint256 k; k < handler.accountCount(); ++k) {
            address account = handler.accounts(k);
            owed += market.collateralOf(account) + market.creditOf(account);
        }
        assertEq(address(market).balance, owed, "balance == sum(collateralOf) + sum(creditOf) + forfeitsHeld");
        assertEq(
            market.forfeitsHeld(), handler.totalForfeited() - handler.totalForfeitsDistributed(), "forfeits held"
        );
        assertEq(address(market).balance, handler.ghostIn() - handler.ghostOut(), "balance == in - out");
    }

    /// Locked collateral is backed, and is exactly what the bidder's unreleased rounds still hold.
    function _lockedIsBackedAndAccounted() internal view {
        uint256 lastRound = market.currentRound() + 1;
        for (uint256 b; b < handler.bidderCount(); ++b) {
            address bidder = handler.bidders(b);
            uint256 locked = market.lockedOf(bidder);
            assertLe(locked, market.collateralOf(bidder), "lockedOf <= collateralOf");
            uint256 perRound;
            for (uint256 round; round <= lastRound; ++round) {
                perRound += market.participationOf(round, bidder).locked;
            }
            assertEq(locked, perRound, "lockedOf == sum of per-round locked");
        }
    }

    /// Every finalized round credited its rollups exactly its revenue less the claim bounties, and the revenue
    /// is what the handler's model predicted; winners paid exactly the rollups' and claimants' credit.
    function _revenueGoesToRollups() internal view {
        uint256 total;
        for (uint256 k; k < handler.finalizedCount(); ++k) {
            uint256 round = handler.finalizedRounds(k);
            uint256 revenue = market.resultOf(round).revenue;
            assertEq(
                handler.rollupCredited(round) + handler.keeperCredited(round), revenue, "credits == revenue"
            );
            assertEq(handler.expectedRevenue(round), revenue, "revenue == model");
            total += revenue;
        }
        assertEq(
            handler.totalRollupCredited() + handler.totalKeeperCredited(), total, "sum of credits == sum of revenue"
        );
        assertEq(handler.totalWinnerCharged(), total, "winners charged == revenue");
    }

    /// The kept partition's value never goes down (the handler records the last value seen per round),
    /// and no VCG claim W(-i) is above W.
    function _keptValueNeverDecreases() internal view {
        uint256 current = market.currentRound();
        for (uint256 round = current > 5 ? current - 5 : 0; round <= current; ++round) {
            (, uint256 value) = market.bestPartition(round);
            assertLe(handler.keptValue(round), value, "kept partition value never decreases");
            for (uint256 b; b < handler.bidderCount(); ++b) {
                assertLe(market.counterfactualValue(round, handler.bidders(b)), value, "W(-i) <= W");
            }
        }
    }
}

/// First price, rollups paid by singleton-value weights.
contract SealedBidMarketFirstPriceInvariantTest is SealedBidMarketInvariants {
    function _splitRule() internal pure override returns (SplitRule) {
        return SplitRule.SingletonValues;
    }
}

/// VCG payments with counterfactual claims, rollups paid by reserve weights.
contract SealedBidMarketVcgInvariantTest is SealedBidMarketInvariants {
    function _splitRule() internal pure override returns (SplitRule) {
        return SplitRule.Reserves;
    }

    function _paymentRule() internal pure override returns (ISealedBidMarket.PaymentRule) {
        return ISealedBidMarket.PaymentRule.Vcg;
    }
}

/// @notice Guards against a vacuous campaign: a fixed pseudo-random sequence of handler calls must reach every
///         path that matters (accepted and rejected actions of each kind, sold bundles, forfeits, lapses, claim
///         bounties, ties).
///         If the handler or the market changes so that, say, no proposal is ever accepted, this fails.
contract MarketHandlerCoverageTest is TestBase {
    function test_handlerReachesEveryPath_firstPrice() public {
        _run(ISealedBidMarket.PaymentRule.FirstPrice);
    }

    function test_handlerReachesEveryPath_vcg() public {
        _run(ISealedBidMarket.PaymentRule.Vcg);
    }

    function _run(ISealedBidMarket.PaymentRule payment) internal {
        MarketHandler handler = new MarketHandler(SplitRule.SingletonValues, payment);
        for (uint256 i; i < 1500; ++i) {
            uint256 seed = uint256(keccak256(abi.encode("coverage", i)));
            uint256 action = seed % 12;
            uint256 arg = seed >> 8;
            if (action == 0) handler.deposit(arg, arg >> 64);
            else if (action == 1) handler.commit(arg, arg >> 64);
            else if (action == 2) handler.reveal(arg);
            else if (action == 3) handler.propose(arg);
            else if (action == 4) handler.finalize(arg);
            else if (action == 5) handler.release(arg, arg >> 64);
            else if (action == 6) handler.withdrawCollateral(arg, arg >> 64);
            else if (action == 7) handler.withdrawCredit(arg);
            else if (action == 8) handler.setReserve(arg, arg >> 64);
            else if (action == 9) handler.claimCounterfactual(arg, arg >> 64);
            else if (action == 10) handler.distributeForfeits(arg);
            else handler.advance(arg);
        }
        string[11] memory actions = [
            "deposit",
            "commit",
            "reveal",
            "propose",
            "finalize",
            "release",
            "withdrawCollateral",
            "withdrawCredit",
            "setReserve",
            "claimCounterfactual",
            "distributeForfeits"
        ];
        bool vcg = payment == ISealedBidMarket.PaymentRule.Vcg;
        for (uint256 k; k < actions.length; ++k) {
            console.log(string.concat(actions[k], " ok"), handler.ok(actions[k]));
            console.log(string.concat(actions[k], " rejected"), handler.rejected(actions[k]));
            // Claims only succeed under VCG.
            if (k != 9 || vcg) assertTrue(handler.ok(actions[k]) > 0, string.concat("never succeeded: ", actions[k]));
            assertTrue(handler.rejected(actions[k]) > 0, string.concat("never rejected: ", actions[k]));
        }
        console.log("propose: wrong phase", handler.rejectedWith("propose", IRoundSchedule.WrongPhase.selector));
        console.log("propose: not better", handler.rejectedWith("propose", IPartitionChallenge.NotBetter.selector));
        console.log("reveal: wrong phase", handler.rejectedWith("reveal", IRoundSchedule.WrongPhase.selector));
        console.log("reveal: unknown", handler.rejectedWith("reveal", ISealedBidMarket.UnknownCommitment.selector));
        console.log("reveal: again", handler.rejectedWith("reveal", ISealedBidMarket.AlreadyRevealed.selector));
        console.log("commit: wrong phase", handler.rejectedWith("commit", IRoundSchedule.WrongPhase.selector));
        console.log("commit: cap", handler.rejectedWith("commit", ISealedBidMarket.CommitCapReached.selector));
        console.log("rounds finalized", handler.finalizedCount());
        console.log("multi-rollup bundles sold", handler.multiBundlesSold());
        console.log("revenue (wei)", handler.totalRollupCredited());
        console.log("forfeited (wei)", handler.totalForfeited());
        console.log("forfeits distributed (wei)", handler.totalForfeitsDistributed());
        console.log("releases of lapsed rounds", handler.lapsedReleases());
        console.log("finalize: lapsed", handler.rejectedWith("finalize", ISealedBidMarket.RoundLapsed.selector));
        console.log("claim bounties (wei)", handler.totalKeeperCredited());
        console.log("tied bids", handler.tiedBids());
        assertTrue(handler.multiBundlesSold() > 0, "no multi-rollup bundle sold");
        assertTrue(handler.totalRollupCredited() > 0, "no revenue");
        assertTrue(handler.totalForfeited() > 0, "no forfeited lock");
        assertTrue(handler.totalForfeitsDistributed() > 0, "no forfeits distributed");
        assertTrue(handler.lapsedReleases() > 0, "no lapsed round released");
        assertTrue(handler.rejectedWith("finalize", ISealedBidMarket.RoundLapsed.selector) > 0, "no lapse");
        if (vcg) assertTrue(handler.totalKeeperCredited() > 0, "no claim bounty");
        assertTrue(handler.tiedBids() > 0, "no tied bids");
    }
}

/// @notice The adversaries of issue 13 that are expressible on-chain, each reached by a fixed pseudo-random
///         sequence of every handler action (ordinary ones included, so rounds fill, reveal and settle): each
///         must be both taken where the market takes it and refused, with its named error, where it must be.
///         If a change to the handler or the market makes one of them unreachable, this fails.
contract MarketAdversaryCoverageTest is TestBase {
    function test_adversariesReachEveryPath_firstPrice() public {
        _run(ISealedBidMarket.PaymentRule.FirstPrice);
    }

    function test_adversariesReachEveryPath_vcg() public {
        _run(ISealedBidMarket.PaymentRule.Vcg);
    }

    function _run(ISealedBidMarket.PaymentRule payment) internal {
        MarketHandler h = new MarketHandler(SplitRule.Reserves, payment);
        for (uint256 i; i < CALLS; ++i) {
            uint256 seed = uint256(keccak256(abi.encode("adversaries", i)));
            _call(h, seed % 26, seed >> 8);
        }
        bool vcg = payment == ISealedBidMarket.PaymentRule.Vcg;
        string[31] memory actions = sealedActions();
        for (uint256 k; k < actions.length; ++k) {
            console.log(string.concat(actions[k], " ok"), h.ok(actions[k]));
            console.log(string.concat(actions[k], " rejected"), h.rejected(actions[k]));
        }
        Refusal[21] memory refusals = sealedRefusals();
        for (uint256 k; k < refusals.length; ++k) {
            _mustReject(h, refusals[k].action, refusals[k].selector, refusals[k].name);
        }
        _mustSucceed(h, "copyCommitment");
        _mustReach("copied commitments forfeited (wei)", h.copiesForfeited());
        _mustSucceed(h, "overLock"); // a bid above its lock is taken sealed...
        _mustSucceed(h, "spam");
        _mustSucceed(h, "spam: others");
        _mustSucceed(h, "edgeCommit");
        _mustSucceed(h, "edgeReveal");
        _mustSucceed(h, "edgePropose");
        _mustSucceed(h, "edgeFinalize");
        _mustSucceed(h, "edgeRelease");
        _mustSucceed(h, "ladder");
        _mustReach("ladders opened below their top rung", h.laddersOpened());
        _mustReach("what those ladders saved (wei)", h.ladderSaved());
        _mustReach("winning bids walked away from", h.walkAwaysWinning());
        _mustReach("releases whose forfeit covered the bids kept sealed", h.hiddenForfeitsChecked());
        _mustReach("stale partitions proposed", h.staleProposals());
        _mustSucceed(h, "falseName");
        _mustReach("rejected payments, nothing lost", h.rejectedPayments());
        _mustSucceed(h, "rejectingPayee: paid elsewhere");
        _mustSucceed(h, "rejectingPayee: others paid");
        _mustSucceed(h, "reentrantWithdraw");
        _mustReach("re-entries refused", h.reentriesBlocked());
        console.log("false-name identities both won", h.falseNameSales());
        if (vcg) {
            _mustSucceed(h, "understatedClaim");
            _mustSucceed(h, "claimGrief");
            _mustReject(h, "claimCounterfactual", IPartitionChallenge.NotBetter.selector, "NotBetter");
            _mustReach("false-name identities both won", h.falseNameSales());
            _mustReach("VCG winners held to min(bid, reserves)", h.floorChecks());
            _mustReach("claim bounties paid to SHADY, the front-runner", h.shadyBounties());
        } else {
            _mustReject(h, "understatedClaim", IVcgCounterfactuals.VcgDisabled.selector, "VcgDisabled");
            _mustReject(h, "claimGrief", IVcgCounterfactuals.VcgDisabled.selector, "VcgDisabled");
        }
        console.log("rounds finalized", h.finalizedCount());
        console.log("blocks", h.blockNumber());
    }

    /// Short runs (the long profile's depth: 50 calls from a fresh deployment) still settle rounds: the handler's
    /// clock runs faster until round 0's settle phase opens. Twenty-four such runs of uniformly drawn actions, as forge
    /// draws them; at least half of them must finalize a round.
    function test_shortRunsReachSettlement() public {
        uint256 settled;
        uint256 released;
        for (uint256 run; run < SHORT_RUNS; ++run) {
            MarketHandler h = new MarketHandler(SplitRule.Reserves, ISealedBidMarket.PaymentRule.Vcg);
            for (uint256 i; i < 50; ++i) {
                uint256 seed = uint256(keccak256(abi.encode("short run", run, i)));
                _call(h, seed % 26, seed >> 8);
            }
            if (h.finalizedCount() > 0) settled += 1;
            if (h.ok("release") + h.ok("edgeRelease") > 0) released += 1;
        }
        console.log("short runs", SHORT_RUNS);
        console.log("short runs that finalized a round", settled);
        console.log("short runs that released collateral", released);
        assertTrue(settled * 2 >= SHORT_RUNS, "fewer than half of the short runs finalize a round");
    }

    uint256 internal constant SHORT_RUNS = 24; // what fits in the per-test gas limit, with a deployment each

    /// @dev Calls per campaign: what fits in forge's per-test gas limit with every action in the mix.
    uint256 internal constant CALLS = 2400;

    function _call(MarketHandler h, uint256 action, uint256 arg) internal {
        uint256 other = arg >> 64;
        if (action == 0) h.deposit(arg, other);
        else if (action == 1) h.commit(arg, other);
        else if (action == 2) h.reveal(arg);
        else if (action == 3) h.propose(arg);
        else if (action == 4) h.finalize(arg);
        else if (action == 5) h.release(arg, other);
        else if (action == 6) h.withdrawCollateral(arg, other);
        else if (action == 7) h.withdrawCredit(arg);
        else if (action == 8) h.setReserve(arg, other);
        else if (action == 9) h.claimCounterfactual(arg, other);
        else if (action == 10) h.distributeForfeits(arg);
        else if (action == 11) h.advance(arg);
        else if (action == 12) h.copyCommitment(arg, other);
        else if (action == 13) h.revealOthers(arg, other);
        else if (action == 14) h.replayReveal(arg, other);
        else if (action == 15) h.overLock(arg, other);
        else if (action == 16) h.spam(arg, other);
        else if (action == 17) h.edge(arg, other);
        else if (action == 18) h.ladder(arg, other);
        else if (action == 19) h.walkAway(arg);
        else if (action == 20) h.maliciousPropose(arg);
        else if (action == 21) h.understatedClaim(arg, other);
        else if (action == 22) h.claimGrief(arg, other);
        else if (action == 23) h.falseName(arg);
        else if (action == 24) h.reentrantWithdraw(arg);
        else h.rejectingPayee(arg);
    }

    function _mustSucceed(MarketHandler h, string memory action) internal view {
        assertTrue(h.ok(action) > 0, string.concat("never succeeded: ", action));
    }

    function _mustReject(MarketHandler h, string memory action, bytes4 selector, string memory error_) internal view {
        uint256 n = h.rejectedWith(action, selector);
        console.log(string.concat(action, " refused: ", error_), n);
        assertTrue(n > 0, string.concat("never refused with the named error: ", action));
    }

    function _mustReach(string memory what, uint256 n) internal view {
        console.log(what, n);
        assertTrue(n > 0, string.concat("never reached: ", what));
    }
}

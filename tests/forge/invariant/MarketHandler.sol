// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SealedBidMarket} from "../../../contracts/SealedBidMarket.sol";
import {ICollateralVault} from "../../../contracts/interfaces/ICollateralVault.sol";
import {ICreditLedger} from "../../../contracts/interfaces/ICreditLedger.sol";
import {IMarket} from "../../../contracts/interfaces/IMarket.sol";
import {IPartitionChallenge} from "../../../contracts/interfaces/IPartitionChallenge.sol";
import {IRollupRegistry} from "../../../contracts/interfaces/IRollupRegistry.sol";
import {IRoundSchedule} from "../../../contracts/interfaces/IRoundSchedule.sol";
import {ISealedBidMarket} from "../../../contracts/interfaces/ISealedBidMarket.sol";
import {IVcgCounterfactuals} from "../../../contracts/interfaces/IVcgCounterfactuals.sol";
import {SplitRule} from "../../../contracts/libraries/RevenueSplit.sol";
import {PartitionModel} from "../utils/PartitionModel.sol";

/// @title MarketHandler
/// @notice Drives a SealedBidMarket through random sequences of deposits, commits, reveals, proposals, VCG
///         counterfactual claims, finalizations, releases, forfeit distributions, withdrawals and reserve
///         changes, by a few bidders over overlapping rounds; rounds nobody finalizes in time lapse.
/// @dev Every call to the market states beforehand what should happen (success, or which error) from the
///      handler's own model, and checks afterwards what did happen: the balance moves, the best bids
///      (reference model: top two from distinct bidders, ties to the earlier commit), the partition value
///      (PartitionModel: brute force over all partitions of the rollups), prices (first price, or VCG with
///      the dissolved floor and the claim bounty), revenue, forfeits, who got paid and who sequences each rollup. Any mismatch reverts the handler call, and the
///      invariant test is run with fail_on_revert so that fails the run.
///      Most randomly drawn actions are valid; about one in six is deliberately wrong (wrong phase, bad
///      lock, wrong opening, overlapping partition...) and must fail with exactly the expected error.
contract MarketHandler is PartitionModel {
    // ------------------------------------------------------------------ fixed set-up

    uint256 public constant START = 10;
    // Equal phase lengths: round r+1 takes commits while r reveals and r-1 is challenged (see _pickRound).
    uint256 public constant COMMIT = 3;
    uint256 public constant REVEAL = 3;
    uint256 public constant CHALLENGE = 3;
    // A round not finalized within three rounds' commits after its settle phase opens lapses.
    uint256 public constant SETTLE = 9;
    uint256 public constant MIN_LOCK = 0.1 ether;
    uint256 public constant BOUNTY_BPS = 1_000;
    uint256 public constant MAX_COMMITS = 4;
    uint256 internal constant UNIT = 0.25 ether; // coarse amounts make equal bids (ties) common
    address internal constant SINK = address(0x5151);

    SealedBidMarket public immutable market;
    ISealedBidMarket.PaymentRule public immutable paymentRule;

    // ------------------------------------------------------------------ model

    struct Sealed {
        address bidder;
        uint256 bundle;
        uint256 amount;
        bytes32 salt;
        bytes32 commitment;
        uint256 lock;
        uint256 order;
        bool revealed;
    }

    struct Top {
        uint256 amount;
        uint256 order;
        address bidder;
    }

    mapping(uint256 round => Sealed[]) internal _commits;
    mapping(uint256 round => bool) internal _reserveSnapshotTaken;
    mapping(uint256 round => uint256[N]) internal _reserveSnapshot;
    mapping(uint256 round => uint256) public keptValue;
    mapping(uint256 round => mapping(address bidder => address)) internal _claimant;
    mapping(uint256 round => uint256) internal _pot; // forfeits released, not yet distributed
    uint256[] internal _potRounds;
    uint256 public nextToFinalize;

    // ------------------------------------------------------------------ ghosts read by the invariants

    uint256 public ghostIn; // wei sent into the market (deposits, commit top-ups)
    uint256 public ghostOut; // wei sent out (collateral and credit withdrawals)
    mapping(uint256 round => uint256) public rollupCredited; // credit to rollup payouts during finalize(round)
    mapping(uint256 round => uint256) public keeperCredited; // claim bounties paid during finalize(round)
    mapping(uint256 round => uint256) public expectedRevenue; // revenue the model predicted for round
    uint256 public totalRollupCredited;
    uint256 public totalKeeperCredited;
    uint256 public totalWinnerCharged;
    uint256 public totalForfeited;
    uint256 public totalForfeitsDistributed;
    uint256 public lapsedReleases; // releases of rounds that lapsed unfinalized
    uint256 public multiBundlesSold; // bundles of two or more rollups sold at finalization
    uint256 public tiedBids; // reveals that tied an earlier revealed bid for the same bundle

    /// @dev Successful calls per action, to see what a run exercised.


    constructor(SplitRule rule, ISealedBidMarket.PaymentRule payment) PartitionModel(rule) {
        paymentRule = payment;
        for (uint256 i; i < N; ++i) {
            payouts.push(address(uint160(0xA000 + i)));
            accounts.push(payouts[i]);
        }
        for (uint256 i; i < 3; ++i) {
            bidders.push(address(uint160(0xB000 + i)));
            accounts.push(bidders[i]);
        }
        // The fourth bidder is rollup 3's payout address: a rollup bidding on itself (a shill
        // bid: docs/design.md, departure 4 (split rules against shill bids)).
        bidders.push(payouts[3]);
        accounts.push(address(this)); // makes the VCG claims, so earns the claim bounties

        uint256[] memory reserves = new uint256[](N);
        reserves[0] = UNIT;
        reserves[2] = 2 * UNIT;
        market = new SealedBidMarket(
            SealedBidMarket.Config({
                payouts: payouts,
                reserves: reserves,
                startBlock: START,
                commitBlocks: COMMIT,
                revealBlocks: REVEAL,
                challengeBlocks: CHALLENGE,
                minLock: MIN_LOCK,
                maxCommitsPerBidder: MAX_COMMITS,
                splitRule: rule,
                paymentRule: payment,
                claimBountyBps: BOUNTY_BPS,
                settleBlocks: SETTLE
            })
        );
        blockNumber = START;
        vm.roll(START);
    }

    // ================================================================== actions (fuzzed entry points)

    function deposit(uint256 who, uint256 amount) external {
        _begin(amount);
        address bidder = bidders[who % bidders.length];
        amount = amount % 4 == 0 ? 0 : bound(amount, 1, 5 ether);
        bytes4 expected = amount == 0 ? ICreditLedger.ZeroAmount.selector : bytes4(0);
        uint256 collateralBefore = market.collateralOf(bidder);
        vm.deal(bidder, bidder.balance + amount);
        vm.prank(bidder);
        try market.deposit{value: amount}() {
            _ok("deposit", expected);
            ghostIn += amount;
            _eq("deposit: collateral", collateralBefore + amount, market.collateralOf(bidder));
        } catch (bytes memory reason) {
            _failed("deposit", expected, reason);
        }
        _end();
    }

    /// @notice One to three commits, mostly to the round now taking commits.
    function commit(uint256 who, uint256 seed) external {
        _begin(seed);
        uint256 count = 1 + seed % 3;
        for (uint256 j; j < count; ++j) {
            _commitOne(bidders[(who % bidders.length + j) % bidders.length], uint256(keccak256(abi.encode(seed, j))));
        }
        _end();
    }

    /// @notice Reveals most of the open commitments of the round in its reveal phase; a few wrongly.
    function reveal(uint256 seed) external {
        _begin(seed);
        uint256 round = _pickRound(1, seed);
        Sealed[] storage list = _commits[round];
        if (list.length == 0) {
            // Nothing to open: an opening of nothing must fail.
            _revealOne(round, bidders[seed % bidders.length], 3, 1 ether, bytes32(seed), seed);
        }
        for (uint256 k; k < list.length; ++k) {
            uint256 r = uint256(keccak256(abi.encode(seed, k)));
            if (r % 8 == 0) continue; // left unopened (for now, or for good: it forfeits its lock)
            Sealed storage s = list[k];
            if (r % 23 == 1) {
                _revealOne(round, s.bidder, s.bundle, s.amount + 1, s.salt, r); // wrong opening
            } else if (r % 29 == 2) {
                _revealOne(round, bidders[(r >> 8) % bidders.length], s.bundle, s.amount, s.salt, r); // someone else's
            } else if (!s.revealed || r % 7 == 3) {
                _revealOne(round, s.bidder, s.bundle, s.amount, s.salt, r); // the opening (again, if revealed)
            }
        }
        _end();
    }

    /// @notice Proposes either the optimal partition (brute force) or a random list of bundles.
    function propose(uint256 seed) external {
        _begin(seed);
        uint256 round = _pickRound(2, seed);
        (uint256 optimum, uint256[] memory optimal) = _optimalPartition(round, address(0));
        uint256 mode = seed % 3;
        uint256[] memory bundles = mode == 0
            ? optimal
            : mode == 1 ? _disjointBundles(round, seed >> 8, address(0)) : _randomBundles(round, seed >> 8);
        _proposeOne(round, bundles);
        if (_phase(round) == IRoundSchedule.Phase.Challenge) {
            (, uint256 kept) = market.bestPartition(round);
            // Nothing can be worth more than the optimum; after proposing it, the optimum is what is kept.
            _le("propose: kept value <= brute-force optimum", kept, optimum);
            if (mode == 0) _eq("propose: optimum kept", optimum, kept);
        }
        _end();
    }

    /// @notice Claims W(-bidder) for the round in its challenge phase: the optimum without the bidder's bids
    ///         (brute force), a valid but worse partition, or a random list. Disabled unless VCG.
    function claimCounterfactual(uint256 who, uint256 seed) external {
        _begin(seed);
        uint256 round = _pickRound(2, seed);
        address bidder = who % 16 == 15 ? address(0) : bidders[who % bidders.length];
        uint256 mode = (seed >> 8) % 3;
        uint256[] memory bundles;
        if (mode == 0) (, bundles) = _optimalPartition(round, bidder);
        else if (mode == 1) bundles = _disjointBundles(round, seed >> 16, bidder);
        else bundles = _randomBundles(round, seed >> 16);
        _claimOne(round, bidder, bundles);
        _end();
    }

    function finalize(uint256 seed) external {
        _begin(seed);
        while (nextToFinalize < blockNumber && market.resultOf(nextToFinalize).finalized) ++nextToFinalize;
        uint256 round = seed % 10 < 7 ? nextToFinalize : _pickRound(3, seed >> 8);
        _finalizeOne(round);
        _end();
    }

    function release(uint256 who, uint256 seed) external {
        _begin(seed);
        address bidder = bidders[who % bidders.length];
        uint256 round;
        if (seed % 7 == 1) {
            round = _lapsedRound(seed >> 8);
            Sealed[] storage list = _commits[round];
            if (list.length != 0) bidder = list[(seed >> 16) % list.length].bidder;
        } else if (finalizedRounds.length != 0 && seed % 5 != 0) {
            round = finalizedRounds[(seed >> 8) % finalizedRounds.length];
            Sealed[] storage list = _commits[round];
            // Mostly someone who took part in the round.
            if (list.length != 0 && (seed >> 16) % 5 != 0) bidder = list[(seed >> 24) % list.length].bidder;
        } else {
            round = _pickRound(3, seed >> 8);
        }
        _releaseOne(round, bidder);
        _end();
    }

    /// @notice Distributes a round's released forfeits to the rollups (mostly a round that has some).
    function distributeForfeits(uint256 seed) external {
        _begin(seed);
        uint256 round = _potRounds.length != 0 && seed % 4 != 0
            ? _potRounds[(seed >> 8) % _potRounds.length]
            : _pickRound(3, seed >> 8);
        _distributeOne(round);
        _end();
    }

    function withdrawCollateral(uint256 who, uint256 amount) external {
        _begin(amount);
        address bidder = bidders[who % bidders.length];
        uint256 unlocked = market.unlockedOf(bidder);
        if (amount % 8 == 0) amount = 0;
        else if (amount % 8 == 1) amount = unlocked + 1;
        else amount = bound(amount, 1, unlocked == 0 ? 1 : unlocked);
        bytes4 expected = amount == 0
            ? ICreditLedger.ZeroAmount.selector
            : amount > unlocked ? ICollateralVault.InsufficientUnlocked.selector : bytes4(0);
        uint256 sinkBefore = SINK.balance;
        vm.prank(bidder);
        try market.withdrawCollateral(amount, payable(SINK)) {
            _ok("withdrawCollateral", expected);
            ghostOut += amount;
            _eq("withdrawCollateral: paid out", sinkBefore + amount, SINK.balance);
        } catch (bytes memory reason) {
            _failed("withdrawCollateral", expected, reason);
        }
        _end();
    }

    function withdrawCredit(uint256 who) external {
        _begin(who);
        address account = accounts[who % accounts.length];
        uint256 credit = market.creditOf(account);
        bytes4 expected = credit == 0 ? ICreditLedger.NothingToWithdraw.selector : bytes4(0);
        uint256 sinkBefore = SINK.balance;
        vm.prank(account);
        try market.withdrawCredit(payable(SINK)) {
            _ok("withdrawCredit", expected);
            ghostOut += credit;
            _eq("withdrawCredit: paid out", sinkBefore + credit, SINK.balance);
            _eq("withdrawCredit: credit cleared", 0, market.creditOf(account));
        } catch (bytes memory reason) {
            _failed("withdrawCredit", expected, reason);
        }
        _end();
    }

    function setReserve(uint256 rollup, uint256 reserve) external {
        _begin(reserve);
        address caller = payouts[rollup % N];
        if (rollup % 10 == 9) caller = bidders[0]; // not the rollup's payout address
        if (rollup % 31 == 30) rollup = N; // no such rollup
        else rollup %= N;
        reserve = reserve % 17 == 0 ? uint256(type(uint128).max) + 1 : (reserve % 7) * UNIT;
        bytes4 expected;
        if (rollup >= N) expected = IRollupRegistry.UnknownRollup.selector;
        else if (caller != payouts[rollup]) expected = IRollupRegistry.NotRollupPayout.selector;
        else if (reserve > type(uint128).max) expected = IRollupRegistry.ReserveTooLarge.selector;
        vm.prank(caller);
        try market.setReserve(rollup, reserve) {
            _ok("setReserve", expected);
            // Applies from the first round not yet open, and not before.
            uint256 from = blockNumber < START ? 0 : (blockNumber - START) / COMMIT + 1;
            _eq("setReserve: applies from next round", reserve, market.reserveAt(rollup, from));
            _eq("setReserve: and later rounds", reserve, market.reserveAt(rollup, from + 5));
        } catch (bytes memory reason) {
            _failed("setReserve", expected, reason);
        }
        _end();
    }

    /// @notice Moves the chain forward by one block a quarter of the time (so each phase sees several calls of
    ///         every kind: forge picks selectors uniformly), now and then by a whole round (which gets no bids).
    function advance(uint256 blocks) external {
        _begin(0);
        if (blocks % 32 == 0) blockNumber += COMMIT;
        else if (blocks % 4 == 1) blockNumber += 1;
        vm.roll(blockNumber);
        _end();
    }

    // ================================================================== one action each

    struct CommitPlan {
        address bidder;
        uint256 round;
        uint256 bundle;
        uint256 amount;
        bytes32 salt;
        bytes32 commitment;
        uint256 lock;
        uint256 topUp;
        bytes4 expected;
    }

    function _commitOne(address bidder, uint256 seed) internal {
        CommitPlan memory c = _planCommit(bidder, seed);
        uint256 order = market.commitCount(c.round);
        uint256 lockedBefore = market.lockedOf(bidder);
        vm.deal(bidder, bidder.balance + c.topUp);
        vm.prank(bidder);
        try market.commit{value: c.topUp}(c.round, c.commitment, c.lock) {
            _ok("commit", c.expected);
            ghostIn += c.topUp;
            _commits[c.round].push(Sealed(bidder, c.bundle, c.amount, c.salt, c.commitment, c.lock, order, false));
            _eq("commit: order", order + 1, market.commitCount(c.round));
            _eq("commit: locked", lockedBefore + c.lock, market.lockedOf(bidder));
        } catch (bytes memory reason) {
            _failed("commit", c.expected, reason);
        }
    }

    function _planCommit(address bidder, uint256 seed) internal view returns (CommitPlan memory c) {
        c.bidder = bidder;
        c.round = _pickRound(0, seed);
        c.bundle = _pickBundle(seed >> 8);
        // Bids on bigger bundles are bigger, so bundles regularly beat their singletons.
        // Multi-rollup bundles get a non-zero bid, scaled past the singletons' (zero bids are decoys).
        uint256 size = c.bundle == 0 || c.bundle >> N != 0 ? 1 : _popcount(c.bundle);
        uint256 units = size == 1 ? (seed >> 16) % 6 : (1 + (seed >> 16) % 5) * (size + 1);
        c.amount = units * UNIT + ((seed >> 24) % 3 == 0 ? (seed >> 32) % 7 : 0);
        uint256 lockKind = (seed >> 40) % 24;
        if (lockKind == 0) c.lock = (seed >> 48) % 2 == 0 ? 0 : MIN_LOCK - 1;
        else if (lockKind == 1) c.lock = uint256(type(uint128).max) + 1;
        else if (lockKind == 2) c.lock = c.amount > MIN_LOCK ? c.amount - 1 : MIN_LOCK; // bid above its lock
        else c.lock = (c.amount > MIN_LOCK ? c.amount : MIN_LOCK) + ((seed >> 48) % 3) * UNIT;
        c.salt = keccak256(abi.encode("salt", seed));

        Sealed[] storage list = _commits[c.round];
        if ((seed >> 56) % 16 == 0 && list.length != 0) {
            // Re-post an existing commitment (a duplicate if it is this bidder's own).
            Sealed storage old = list[(seed >> 64) % list.length];
            (c.bundle, c.amount, c.salt) = (old.bundle, old.amount, old.salt);
        }
        c.commitment = market.commitmentOf(c.round, bidder, c.bundle, c.amount, c.salt);

        uint256 unlocked = market.unlockedOf(bidder);
        if ((seed >> 72) % 5 != 0 && c.lock <= type(uint128).max && unlocked < c.lock) {
            c.topUp = c.lock - unlocked + ((seed >> 80) % 2) * UNIT;
        }

        if (_phase(c.round) != IRoundSchedule.Phase.Commit) {
            c.expected = IRoundSchedule.WrongPhase.selector;
        } else if (c.lock < MIN_LOCK) {
            c.expected = ISealedBidMarket.LockBelowMinimum.selector;
        } else if (c.lock > type(uint128).max) {
            c.expected = ISealedBidMarket.LockTooLarge.selector;
        } else if (_commitsOf(c.round, bidder) >= MAX_COMMITS) {
            c.expected = ISealedBidMarket.CommitCapReached.selector;
        } else if (_find(c.round, bidder, c.commitment) != type(uint256).max) {
            c.expected = ISealedBidMarket.DuplicateCommitment.selector;
        } else if (c.lock > unlocked + c.topUp) {
            c.expected = ICollateralVault.InsufficientUnlocked.selector;
        }
    }

    function _revealOne(uint256 round, address bidder, uint256 bundle, uint256 amount, bytes32 salt, uint256) internal {
        bytes32 commitment = market.commitmentOf(round, bidder, bundle, amount, salt);
        uint256 k = _find(round, bidder, commitment);
        bytes4 expected;
        if (_phase(round) != IRoundSchedule.Phase.Reveal) expected = IRoundSchedule.WrongPhase.selector;
        else if (k == type(uint256).max) expected = ISealedBidMarket.UnknownCommitment.selector;
        else if (_commits[round][k].revealed) expected = ISealedBidMarket.AlreadyRevealed.selector;
        else if (amount > _commits[round][k].lock) expected = ISealedBidMarket.BidExceedsLock.selector;
        else if (bundle == 0 || bundle >> N != 0) expected = IMarket.InvalidBundle.selector;

        vm.prank(bidder);
        try market.reveal(round, bundle, amount, salt) {
            _ok("reveal", expected);
            _commits[round][k].revealed = true;
            if (amount != 0 && _tiesEarlier(round, k)) tiedBids += 1;
            _checkTopBids(round, bundle);
        } catch (bytes memory reason) {
            _failed("reveal", expected, reason);
        }
    }

    function _proposeOne(uint256 round, uint256[] memory bundles) internal {
        bytes memory expected;
        uint256 value;
        (uint256[] memory keptBefore, uint256 current) = market.bestPartition(round);
        if (_phase(round) != IRoundSchedule.Phase.Challenge) {
            expected = _err(IRoundSchedule.WrongPhase.selector);
        } else {
            (expected, value) = _judgePartition(round, bundles, address(0));
            if (expected.length == 0 && !_outranks(value, bundles, current, keptBefore)) {
                expected = abi.encodeWithSelector(IPartitionChallenge.NotBetter.selector, value, current);
            }
        }
        try market.propose(round, bundles) returns (uint256 returned) {
            _ok("propose", expected);
            _eq("propose: returned value", value, returned);
            (uint256[] memory kept, uint256 keptValue_) = market.bestPartition(round);
            _eq("propose: kept value", value, keptValue_);
            _eq("propose: kept bundles", bundles.length, kept.length);
            for (uint256 k; k < kept.length; ++k) {
                _eq("propose: kept bundle", bundles[k], kept[k]);
            }
        } catch (bytes memory reason) {
            _failed("propose", expected, reason);
            (uint256[] memory kept, uint256 keptValue_) = market.bestPartition(round);
            _eq("propose: failed proposal leaves value", current, keptValue_);
            _eq("propose: failed proposal leaves bundles", keptBefore.length, kept.length);
        }
    }

    function _claimOne(uint256 round, address bidder, uint256[] memory bundles) internal {
        bytes memory expected;
        uint256 value;
        (uint256[] memory keptBefore, uint256 welfare) = market.bestPartition(round);
        uint256 standing = market.counterfactualValue(round, bidder);
        if (paymentRule != ISealedBidMarket.PaymentRule.Vcg) {
            expected = _err(IVcgCounterfactuals.VcgDisabled.selector);
        } else if (bidder == address(0)) {
            expected = _err(IVcgCounterfactuals.ZeroBidder.selector);
        } else if (_phase(round) != IRoundSchedule.Phase.Challenge) {
            expected = _err(IRoundSchedule.WrongPhase.selector);
        } else {
            (expected, value) = _judgePartition(round, bundles, bidder);
            if (expected.length == 0 && value <= standing) {
                expected = abi.encodeWithSelector(IPartitionChallenge.NotBetter.selector, value, standing);
            }
        }
        try market.claimCounterfactual(round, bidder, bundles) returns (uint256 returned) {
            _ok("claimCounterfactual", expected);
            _claimant[round][bidder] = address(this);
            _eq("claim: returned value", value, returned);
            _eq("claim: standing claim", value, market.counterfactualValue(round, bidder));
            (uint256[] memory kept, uint256 keptValue_) = market.bestPartition(round);
            if (value > welfare) {
                // Worth more than W even without the bidder: a better partition, adopted with every bid.
                (, uint256 withAll) = _judgePartition(round, bundles, address(0));
                _eq("claim: adopted partition value", withAll, keptValue_);
                _eq("claim: adopted bundles", bundles.length, kept.length);
                for (uint256 k; k < kept.length; ++k) {
                    _eq("claim: adopted bundle", bundles[k], kept[k]);
                }
            } else {
                _eq("claim: partition unchanged", welfare, keptValue_);
                _eq("claim: bundles unchanged", keptBefore.length, kept.length);
            }
        } catch (bytes memory reason) {
            _failed("claimCounterfactual", expected, reason);
        }
    }

    struct Settlement {
        uint256 revenue;
        uint256 fees; // claim bounties, all to this handler (it makes every claim)
        uint256[N] rollupShare;
        uint256[] charge; // per bidder index
        uint256 multiSold;
        uint256 soldSingletons;
        address[N] sequencer; // per rollup: the winner of the sold bundle holding it
    }

    /// @dev The block from which `round` can no longer be finalized: its settlement window is over.
    function _deadline(uint256 round) internal pure returns (uint256) {
        return START + round * COMMIT + COMMIT + REVEAL + CHALLENGE + SETTLE;
    }

    function _finalizeOne(uint256 round) internal {
        bytes memory expected;
        if (_phase(round) != IRoundSchedule.Phase.Settle) {
            expected = _err(IRoundSchedule.WrongPhase.selector);
        } else if (blockNumber >= _deadline(round)) {
            expected = abi.encodeWithSelector(ISealedBidMarket.RoundLapsed.selector, round, _deadline(round));
        } else if (market.resultOf(round).finalized) {
            expected = _err(IMarket.AlreadyFinalized.selector);
        }

        Settlement memory want = _expectedSettlement(round);
        uint256[] memory creditBefore = new uint256[](N);
        uint256[] memory collateralBefore = new uint256[](bidders.length);
        uint256[] memory lockedBefore = new uint256[](bidders.length);
        for (uint256 i; i < N; ++i) {
            creditBefore[i] = market.creditOf(payouts[i]);
        }
        for (uint256 b; b < bidders.length; ++b) {
            collateralBefore[b] = market.collateralOf(bidders[b]);
            lockedBefore[b] = market.lockedOf(bidders[b]);
        }
        uint256 keeperBefore = market.creditOf(address(this));

        try market.finalize(round) {
            _ok("finalize", expected);
            ISealedBidMarket.RoundResult memory result = market.resultOf(round);
            _eq("finalize: finalized", 1, result.finalized ? 1 : 0);
            _eq("finalize: revenue", want.revenue, result.revenue);
            _eq("finalize: sold singletons", want.soldSingletons, result.soldSingletons);
            for (uint256 i; i < N; ++i) {
                _eq("sequencerOf", uint160(want.sequencer[i]), uint160(market.sequencerOf(round, i)));
            }
            uint256 credited;
            for (uint256 i; i < N; ++i) {
                uint256 delta = market.creditOf(payouts[i]) - creditBefore[i];
                _eq("finalize: rollup share", want.rollupShare[i], delta);
                credited += delta;
            }
            _eq("finalize: claim bounties", want.fees, market.creditOf(address(this)) - keeperBefore);
            for (uint256 b; b < bidders.length; ++b) {
                _eq("finalize: winner charged", collateralBefore[b] - want.charge[b], market.collateralOf(bidders[b]));
                _eq("finalize: charge from locked", lockedBefore[b] - want.charge[b], market.lockedOf(bidders[b]));
                totalWinnerCharged += want.charge[b];
            }
            rollupCredited[round] = credited;
            keeperCredited[round] = want.fees;
            expectedRevenue[round] = want.revenue;
            totalRollupCredited += credited;
            totalKeeperCredited += want.fees;
            multiBundlesSold += want.multiSold;
            finalizedRounds.push(round);
        } catch (bytes memory reason) {
            _failed("finalize", expected, reason);
        }
    }

    function _releaseOne(uint256 round, address bidder) internal {
        ISealedBidMarket.Participation memory p = market.participationOf(round, bidder);
        bool finalized = market.resultOf(round).finalized;
        bytes4 expected;
        if (!finalized && blockNumber < _deadline(round)) expected = IMarket.RoundNotFinalized.selector;
        else if (p.commits == 0) expected = ISealedBidMarket.NothingToRelease.selector;
        else if (p.released) expected = ISealedBidMarket.AlreadyReleased.selector;

        _eq("participation: commits", _commitsOf(round, bidder), p.commits);
        _eq("participation: reveals", _revealsOf(round, bidder), p.reveals);
        uint256 forfeit = _unopenedLocks(round, bidder);
        _eq("participation: unopened locks", forfeit, p.unopened);
        uint256 lockedBefore = market.lockedOf(bidder);
        uint256 collateralBefore = market.collateralOf(bidder);
        uint256 heldBefore = market.forfeitsHeld();

        try market.release(round, bidder) {
            _ok("release", expected);
            _eq("release: unlocks all of the round", lockedBefore - p.locked, market.lockedOf(bidder));
            _eq("release: forfeits the unopened locks", collateralBefore - forfeit, market.collateralOf(bidder));
            _eq("release: forfeits held", heldBefore + forfeit, market.forfeitsHeld());
            _eq("release: nothing left locked", 0, market.participationOf(round, bidder).locked);
            if (forfeit != 0) {
                if (_pot[round] == 0) _potRounds.push(round);
                _pot[round] += forfeit;
            }
            _eq("release: round's forfeits", _pot[round], market.resultOf(round).forfeits);
            totalForfeited += forfeit;
            if (!finalized) lapsedReleases += 1;
        } catch (bytes memory reason) {
            _failed("release", expected, reason);
        }
    }

    function _distributeOne(uint256 round) internal {
        uint256 pot = _pot[round];
        bytes memory expected;
        if (pot == 0) expected = abi.encodeWithSelector(ISealedBidMarket.NoForfeits.selector, round);
        uint256[N] memory before;
        for (uint256 i; i < N; ++i) {
            before[i] = market.creditOf(payouts[i]);
        }
        uint256 heldBefore = market.forfeitsHeld();
        try market.distributeForfeits(round) {
            _ok("distributeForfeits", expected);
            // Equal shares, the remainder (fewer wei than rollups) to rollup 0.
            for (uint256 i; i < N; ++i) {
                uint256 share = pot / N + (i == 0 ? pot % N : 0);
                _eq("distributeForfeits: rollup share", before[i] + share, market.creditOf(payouts[i]));
            }
            _eq("distributeForfeits: held", heldBefore - pot, market.forfeitsHeld());
            _eq("distributeForfeits: pot emptied", 0, market.resultOf(round).forfeits);
            _pot[round] = 0;
            totalForfeitsDistributed += pot;
        } catch (bytes memory reason) {
            _failed("distributeForfeits", expected, reason);
        }
    }

    /// @dev A round past its settlement window (never finalized, if one such has bids), or round 0.
    function _lapsedRound(uint256 seed) internal view returns (uint256) {
        uint256 current = _currentRound();
        for (uint256 k; k < current; ++k) {
            uint256 round = (seed + k) % current;
            if (blockNumber >= _deadline(round) && !market.resultOf(round).finalized && _commits[round].length != 0) {
                return round;
            }
        }
        return 0;
    }

    function _unopenedLocks(uint256 round, address bidder) internal view returns (uint256 total) {
        Sealed[] storage list = _commits[round];
        for (uint256 k; k < list.length; ++k) {
            if (list[k].bidder == bidder && !list[k].revealed) total += list[k].lock;
        }
    }

    // ================================================================== model

    /// @dev The reference rule for the stored bids of one bundle: the best revealed bid (largest amount,
    ///      ties to the earlier commit), and the best bid by anyone else.
    function modelTop(uint256 round, uint256 bundle) public view returns (Top memory best, Top memory second) {
        Sealed[] storage list = _commits[round];
        for (uint256 k; k < list.length; ++k) {
            Sealed storage s = list[k];
            if (!s.revealed || s.bundle != bundle || s.amount == 0) continue;
            if (_better(s.amount, s.order, best)) best = Top(s.amount, s.order, s.bidder);
        }
        for (uint256 k; k < list.length; ++k) {
            Sealed storage s = list[k];
            if (!s.revealed || s.bundle != bundle || s.amount == 0 || s.bidder == best.bidder) continue;
            if (_better(s.amount, s.order, second)) second = Top(s.amount, s.order, s.bidder);
        }
    }

    function _better(uint256 amount, uint256 order, Top memory than) internal pure returns (bool) {
        return than.amount == 0 || amount > than.amount || (amount == than.amount && order < than.order);
    }

    function _checkTopBids(uint256 round, uint256 bundle) internal view {
        (Top memory best, Top memory second) = modelTop(round, bundle);
        (ISealedBidMarket.Bid memory b, ISealedBidMarket.Bid memory s) = market.topBids(round, bundle);
        _eq("topBids: best amount", best.amount, b.amount);
        _eq("topBids: second amount", second.amount, s.amount);
        _eq("topBids: best bidder", uint160(best.bidder), uint160(b.bidder));
        _eq("topBids: second bidder", uint160(second.bidder), uint160(s.bidder));
        if (best.amount != 0) _eq("topBids: best order", best.order, b.order);
        if (second.amount != 0) _eq("topBids: second order", second.order, s.order);
    }

    function _bid(uint256 round, uint256 bundle) internal view returns (uint256) {
        return _bid(round, bundle, address(0));
    }

    /// @dev The best bid for exactly `bundle` from anyone but `excluded` (nobody excluded if 0).
    function _bid(uint256 round, uint256 bundle, address excluded) internal view override returns (uint256) {
        (Top memory best, Top memory second) = modelTop(round, bundle);
        return excluded != address(0) && best.bidder == excluded ? second.amount : best.amount;
    }

    function _reserveOf(uint256 i, uint256 round) internal view override returns (uint256) {
        return market.reserveAt(i, round);
    }

    /// @dev What finalize(round) should do, computed from the model: the sold bundles (the partition's, then
    ///      singletons whose best bid meets the reserve), each one's price and claim bounty (first price: the
    ///      bid, no bounty; VCG: see _vcgCharges), and every rollup's share of the price less the bounty.
    function _expectedSettlement(uint256 round) internal view returns (Settlement memory s) {
        s.charge = new uint256[](bidders.length);
        (uint256[] memory bundles, uint256 welfare) = market.bestPartition(round);
        uint256[] memory sold;
        (sold, s.soldSingletons) = _soldBundles(round, bundles);
        uint256 count = sold.length;
        uint256[] memory prices = new uint256[](count);
        uint256[] memory fees = new uint256[](count);
        for (uint256 k; k < count; ++k) {
            prices[k] = _bid(round, sold[k]);
        }
        if (paymentRule == ISealedBidMarket.PaymentRule.Vcg) _vcgCharges(round, sold, welfare, prices, fees);
        for (uint256 k; k < count; ++k) {
            _expectSale(round, sold[k], prices[k], fees[k], s);
        }
    }

    /// @dev Replaces `prices` (the bids, on entry) by the VCG prices and fills in the claim bounties. Winner i,
    ///      bidding b_i on its sold bundles, pays min(b_i, W(-i) - (W - b_i)), W(-i) the standing claim but at
    ///      least W - b_i + D_i, D_i the value without i of i's rollups as singletons; with no claim that is
    ///      min(b_i, D_i). Both amounts are spread over i's bundles in proportion to the bids; each bundle's
    ///      bounty is BOUNTY_BPS of what the claim added to its price, credited to the claimant.
    function _vcgCharges(
        uint256 round,
        uint256[] memory sold,
        uint256 welfare,
        uint256[] memory prices,
        uint256[] memory fees
    ) internal view {
        VcgWork memory w = VcgWork(round, welfare, sold, new uint256[](sold.length), new bool[](sold.length), prices, fees);
        for (uint256 k; k < sold.length; ++k) {
            w.bids[k] = prices[k];
        }
        for (uint256 k; k < sold.length; ++k) {
            if (!w.priced[k]) _chargeWinner(w, k);
        }
    }

    /// @dev A round's VCG pricing in progress: the sold bundles, their bids, which are priced, prices and fees.
    struct VcgWork {
        uint256 round;
        uint256 welfare;
        uint256[] sold;
        uint256[] bids;
        bool[] priced;
        uint256[] prices;
        uint256[] fees;
    }

    /// @dev Prices the bundles of the winner of sold[k] (all at k or later) and their claim bounties.
    function _chargeWinner(VcgWork memory w, uint256 k) internal view {
        (address winner, uint256[] memory mine, uint256[] memory amounts, uint256 bidTotal) =
            _bundlesOf(w.round, w.sold, w.sold.length, k, w.bids, w.priced);
        (uint256 total, uint256 floorTotal) =
            _vcgTotals(w.round, winner, w.welfare, bidTotal, _dissolved(w.round, w.sold, mine, winner));
        uint256[] memory shares = _spreadModel(total, amounts, bidTotal);
        uint256[] memory floorShares = _spreadModel(floorTotal, amounts, bidTotal);
        bool claimed = _claimant[w.round][winner] != address(0);
        for (uint256 m; m < mine.length; ++m) {
            w.prices[mine[m]] = shares[m];
            if (shares[m] > floorShares[m] && claimed) {
                w.fees[mine[m]] = ((shares[m] - floorShares[m]) * BOUNTY_BPS) / 10_000;
            }
        }
    }

    /// @dev D_i: the value without `winner` of the rollups of its sold bundles (sold[mine[m]]) as singletons.
    function _dissolved(uint256 round, uint256[] memory sold, uint256[] memory mine, address winner)
        internal
        view
        returns (uint256 value)
    {
        for (uint256 m; m < mine.length; ++m) {
            for (uint256 i; i < N; ++i) {
                if (sold[mine[m]] & (1 << i) != 0) value += _singletonValue(round, i, winner);
            }
        }
    }

    /// @dev Floored proportional shares of `total`, then the remainder one wei at a time to the bundles (in
    ///      order) still charged less than their bid; no bundle is charged above its bid.
    function _spreadModel(uint256 total, uint256[] memory amounts, uint256 bidTotal)
        internal
        pure
        returns (uint256[] memory shares)
    {
        shares = new uint256[](amounts.length);
        uint256 left = total;
        for (uint256 m; m < amounts.length; ++m) {
            shares[m] = (total * amounts[m]) / bidTotal;
            left -= shares[m];
        }
        for (uint256 m; m < amounts.length && left > 0; ++m) {
            if (shares[m] < amounts[m]) {
                shares[m] += 1;
                left -= 1;
            }
        }
        require(left == 0, "model: VCG remainder did not fit under the bids");
        for (uint256 m; m < amounts.length; ++m) {
            require(shares[m] <= amounts[m], "model: VCG price above the bid");
        }
    }

    /// @dev The winner of sold[k], and the positions and bids of all its sold bundles from k on.
    function _bundlesOf(
        uint256 round,
        uint256[] memory sold,
        uint256 count,
        uint256 k,
        uint256[] memory bids,
        bool[] memory priced
    ) internal view returns (address winner, uint256[] memory mine, uint256[] memory amounts, uint256 bidTotal) {
        (Top memory first,) = modelTop(round, sold[k]);
        winner = first.bidder;
        mine = new uint256[](count);
        amounts = new uint256[](count);
        uint256 owned;
        for (uint256 j = k; j < count; ++j) {
            (Top memory other,) = modelTop(round, sold[j]);
            if (other.bidder != winner) continue;
            priced[j] = true;
            mine[owned] = j;
            amounts[owned++] = bids[j];
            bidTotal += bids[j];
        }
        assembly ("memory-safe") {
            mstore(mine, owned)
            mstore(amounts, owned)
        }
    }

    /// @dev The winner's VCG payment with the standing claim, and without any claim (see _vcgCharges).
    function _vcgTotals(uint256 round, address winner, uint256 welfare, uint256 bidTotal, uint256 dissolved)
        internal
        view
        returns (uint256 total, uint256 floorTotal)
    {
        _le("vcg: the winner's bids fit in W", bidTotal, welfare);
        uint256 others = welfare - bidTotal;
        uint256 claimed = market.counterfactualValue(round, winner);
        uint256 without = claimed > others + dissolved ? claimed : others + dissolved;
        total = without - others < bidTotal ? without - others : bidTotal;
        floorTotal = dissolved < bidTotal ? dissolved : bidTotal;
        _le("vcg: the claim never lowers the payment", floorTotal, total);
    }

    function _expectSale(uint256 round, uint256 bundle, uint256 price, uint256 fee, Settlement memory s)
        internal
        view
    {
        (Top memory best,) = modelTop(round, bundle);
        s.revenue += price;
        s.fees += fee;
        for (uint256 i; i < N; ++i) {
            if (bundle & (1 << i) != 0) s.sequencer[i] = best.bidder;
        }
        if (_popcount(bundle) >= 2) s.multiSold += 1;
        for (uint256 b; b < bidders.length; ++b) {
            if (bidders[b] == best.bidder) s.charge[b] += price;
        }
        uint256[N] memory shares = _split(round, bundle, price - fee);
        for (uint256 i; i < N; ++i) {
            s.rollupShare[i] += shares[i];
        }
    }

    // ================================================================== bookkeeping

    function _begin(uint256 seed) internal {
        // Time moves on between actions now and then, so rounds advance through their phases.
        if (seed % 128 == 127) blockNumber += 1;
        vm.roll(blockNumber);
    }

    /// @dev After every action: reserves of opened rounds never change, and a round's partition value
    ///      (singleton value before any proposal, then the kept proposal's) never decreases.
    function _end() internal {
        uint256 current = _currentRound();
        uint256 from = current > 5 ? current - 5 : 0;
        for (uint256 round = from; round <= current; ++round) {
            _eq("phaseOf", uint256(_phase(round)), uint256(market.phaseOf(round)));
            if (_phase(round) == IRoundSchedule.Phase.NotOpen) continue;
            if (!_reserveSnapshotTaken[round]) {
                _reserveSnapshotTaken[round] = true;
                for (uint256 i; i < N; ++i) {
                    _reserveSnapshot[round][i] = market.reserveAt(i, round);
                }
            } else {
                for (uint256 i; i < N; ++i) {
                    _eq("reserve of an open round is fixed", _reserveSnapshot[round][i], market.reserveAt(i, round));
                }
            }
            (, uint256 value) = market.bestPartition(round);
            _le("partition value never decreases", keptValue[round], value);
            keptValue[round] = value;
            for (uint256 b; b < bidders.length; ++b) {
                _le("W(-i) claims never exceed W", market.counterfactualValue(round, bidders[b]), value);
            }
        }
    }

    /// @dev With these phase lengths the round `age` rounds back from the current one is in phase Commit + age
    ///      (age 3: settle), which is what _pickRound(age, ...) mostly picks.
    function _currentRound() internal view override returns (uint256) {
        return blockNumber < START ? 0 : (blockNumber - START) / COMMIT;
    }

    /// @dev The schedule, computed independently of RoundSchedule.
    function _phase(uint256 round) internal view returns (IRoundSchedule.Phase) {
        uint256 s = START + round * COMMIT;
        if (blockNumber < s) return IRoundSchedule.Phase.NotOpen;
        if (blockNumber < s + COMMIT) return IRoundSchedule.Phase.Commit;
        if (blockNumber < s + COMMIT + REVEAL) return IRoundSchedule.Phase.Reveal;
        if (blockNumber < s + COMMIT + REVEAL + CHALLENGE) return IRoundSchedule.Phase.Challenge;
        return IRoundSchedule.Phase.Settle;
    }

    /// @dev Bids concentrate on a few popular bundles (so bids compete and tie), with some on any bundle.
    function _pickBundle(uint256 seed) internal pure returns (uint256) {
        uint256 r = seed % 40;
        if (r == 0) return 0; // empty: the reveal must fail
        if (r == 1) return (1 << N) | 1; // out of range: the reveal must fail
        if (r < 12) return 1 << (r % N); // singletons
        if (r < 32) return [uint256(0x3), 0xC, 0x6, 0x7, 0xF][r % 5];
        return 1 + (seed >> 8) % ((1 << N) - 1);
    }

    function _find(uint256 round, address bidder, bytes32 commitment) internal view returns (uint256) {
        Sealed[] storage list = _commits[round];
        for (uint256 k; k < list.length; ++k) {
            if (list[k].bidder == bidder && list[k].commitment == commitment) return k;
        }
        return type(uint256).max;
    }

    function _tiesEarlier(uint256 round, uint256 k) internal view returns (bool) {
        Sealed[] storage list = _commits[round];
        for (uint256 j; j < list.length; ++j) {
            if (j != k && list[j].revealed && list[j].bundle == list[k].bundle && list[j].amount == list[k].amount) {
                return true;
            }
        }
        return false;
    }

    function _commitsOf(uint256 round, address bidder) internal view returns (uint256 count) {
        Sealed[] storage list = _commits[round];
        for (uint256 k; k < list.length; ++k) {
            if (list[k].bidder == bidder) ++count;
        }
    }

    function _revealsOf(uint256 round, address bidder) internal view returns (uint256 count) {
        Sealed[] storage list = _commits[round];
        for (uint256 k; k < list.length; ++k) {
            if (list[k].bidder == bidder && list[k].revealed) ++count;
        }
    }
}

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
import {RejectingPayee} from "../utils/RejectingPayee.sol";
import {ReentrantPayee} from "../utils/ReentrantPayee.sol";

/// @title MarketHandler
/// @notice Drives a SealedBidMarket through random sequences of deposits, commits, reveals, proposals, VCG
///         counterfactual claims, finalizations, releases, forfeit distributions, withdrawals and reserve
///         changes, by a few bidders over overlapping rounds; rounds nobody finalizes in time lapse. And the
///         adversaries of issue 13 that can act on-chain, each an action of its own: copycats of commitments and
///         reveals, replays across rounds and chains, over-lock probes, commit spam and dust bids up to the cap,
///         phase-edge timing, the last-look ladder, the walk-away, a malicious operator (invalid, stale, equal,
///         worse partitions; understated W(-i) claims), a claim griefer, false names, and two payout addresses
///         that are contracts: one re-enters the market from its receive hook, one rejects ETH.
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
    /// @dev The block round 0's settle phase opens: the clock runs faster before it (see _begin).
    uint256 internal constant WARM_UP_END = START + COMMIT + REVEAL + CHALLENGE;
    address internal constant SINK = address(0x5151);
    /// @dev A claimant other than the handler: front-runs honest W(-i) claims (claim griefer) and makes understated
    ///      ones (an operator colluding with a winner). Earns the bounty of the claims of its that stand.
    address internal constant SHADY = address(0x5ADE);

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
        // Opened only by the adversarial action that made it (a ladder's rungs, a walk-away, a copied hash),
        // never by the ordinary reveal action.
        bool held;
    }

    /// @dev A last-look ladder: `rungs` (positions in _commits[round]) bid ascending amounts on one bundle.
    struct Ladder {
        address bidder;
        uint256 bundle;
        uint256[] rungs;
        bool decided;
    }

    /// @dev A false-name plan: identities `a` and `b` of one entity bid on the singletons of `bundle` (two
    ///      rollups), on which a rival bids as a whole.
    struct FalseName {
        address a;
        address b;
        uint256 bundle;
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

    // ------------------------------------------------------------------ adversaries: plans and what they reached

    mapping(uint256 round => Ladder[]) internal _ladders;
    mapping(uint256 round => FalseName[]) internal _falseNames;
    /// @dev Bids a bidder kept sealed in a round although they would have won (walk-aways), or what its ladder
    ///      saved by opening a lower rung than its top one: its forfeit at release must cover it.
    mapping(uint256 round => mapping(address bidder => uint256)) internal _hidden;
    uint256 public laddersOpened; // ladders whose cheapest winning rung was opened, higher rungs left sealed
    uint256 public ladderSaved; // what those ladders saved against their top rungs (wei)
    uint256 public walkAwaysWinning; // winning bids left unopened
    uint256 public hiddenForfeitsChecked; // releases whose forfeit was checked against the bids kept sealed
    uint256 public copiesForfeited; // copied commitments forfeited at release (wei)
    uint256 public falseNameSales; // rounds where both false-name identities won their singletons
    uint256 public floorChecks; // VCG winners whose charge was checked against min(bid, their rollups' reserves)
    uint256 public reentriesBlocked; // re-entries from a payee's receive hook refused with ReentrantCall
    uint256 public rejectedPayments; // withdrawals to a payee that rejects ETH, refused with nothing lost
    uint256 public staleProposals; // a previous round's partition proposed, valued on this round's bids
    uint256 public shadyBounties; // finalized rounds that paid SHADY (front-runner or understater) a claim bounty

    /// @dev Successful calls per action, to see what a run exercised.


    constructor(SplitRule rule, ISealedBidMarket.PaymentRule payment) PartitionModel(rule) {
        paymentRule = payment;
        for (uint256 i; i < N; ++i) {
            payouts.push(address(uint160(0xA000 + i)));
        }
        // Two payout addresses are contracts: rollup 1's rejects every payment, rollup 2's re-enters the market
        // from its receive hook (see rejectingPayee, reentrantWithdraw).
        payouts[1] = address(new RejectingPayee());
        payouts[2] = address(new ReentrantPayee());
        for (uint256 i; i < N; ++i) {
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
        accounts.push(SHADY);

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
        ReentrantPayee(payable(payouts[2])).setMarket(address(market));
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
            _revealOne("reveal", round, bidders[seed % bidders.length], 3, 1 ether, bytes32(seed));
        }
        for (uint256 k; k < list.length; ++k) {
            uint256 r = uint256(keccak256(abi.encode(seed, k)));
            if (r % 8 == 0) continue; // left unopened (for now, or for good: it forfeits its lock)
            Sealed storage s = list[k];
            if (s.held) continue; // an adversary's: it decides (see ladder, walkAway, copyCommitment)
            if (r % 23 == 1) {
                _revealOne("reveal", round, s.bidder, s.bundle, s.amount + 1, s.salt); // wrong opening
            } else if (r % 29 == 2) {
                // someone else's
                _revealOne("reveal", round, bidders[(r >> 8) % bidders.length], s.bundle, s.amount, s.salt);
            } else if (!s.revealed || r % 7 == 3) {
                _revealOne("reveal", round, s.bidder, s.bundle, s.amount, s.salt); // the opening (again, if revealed)
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
        _proposeOne("propose", round, bundles);
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
        _claimOne("claimCounterfactual", address(this), round, bidder, bundles);
        _end();
    }

    function finalize(uint256 seed) external {
        _begin(seed);
        while (nextToFinalize < blockNumber && market.resultOf(nextToFinalize).finalized) ++nextToFinalize;
        uint256 round = seed % 10 < 7 ? nextToFinalize : _pickRound(3, seed >> 8);
        _finalizeOne("finalize", round);
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
        _releaseOne("release", round, bidder);
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

    // ================================================================== adversaries (fuzzed entry points)

    /// @notice Copycat: a bidder posts, in the round taking commits, a commitment hash another bidder posted in
    ///         this round or the one before (cross-round). The hash binds its bidder, round, market and chain,
    ///         so the market takes it as the copier's own commitment that nobody can open: its lock is forfeited
    ///         to the rollups at release, and the original stays its owner's. Copying one's own hash of this
    ///         round is a DuplicateCommitment.
    function copyCommitment(uint256 who, uint256 seed) external {
        _begin(seed);
        uint256 current = _currentRound();
        uint256 from = (seed >> 8) % 3 == 0 && current > 0 ? current - 1 : current;
        Sealed[] storage list = _commits[from];
        if (list.length != 0) {
            Sealed memory victim = list[(seed >> 16) % list.length];
            CommitPlan memory c;
            (c.bidder, c.round) = (bidders[who % bidders.length], current);
            (c.bundle, c.amount, c.salt, c.commitment) = (victim.bundle, victim.amount, victim.salt, victim.commitment);
            c.lock = MIN_LOCK + ((seed >> 24) % 3) * UNIT;
            uint256 unlocked = market.unlockedOf(c.bidder);
            if (unlocked < c.lock) c.topUp = c.lock - unlocked;
            c.expected = _commitExpected(c);
            ISealedBidMarket.Participation memory before = market.participationOf(from, victim.bidder);
            _execCommit("copyCommitment", c, true);
            ISealedBidMarket.Participation memory after_ = market.participationOf(from, victim.bidder);
            _eq("copy: the owner's commits unchanged", before.commits, after_.commits);
            _eq("copy: the owner's locks unchanged", before.locked, after_.locked);
            _eq("copy: the owner's unopened locks unchanged", before.unopened, after_.unopened);
        }
        _end();
    }

    /// @notice Front-running a reveal: a bidder replays, in the round revealing, another bidder's opening (seen
    ///         in the mempool or on chain), or a copier opens the hash it copied with the opening it has seen. The
    ///         commitment binds the bidder, so it is UnknownCommitment, and the owner's commitment is untouched.
    function revealOthers(uint256 who, uint256 seed) external {
        _begin(seed);
        uint256 round = _pickRound(1, seed);
        Sealed[] storage list = _commits[round];
        if (list.length != 0) {
            uint256 k = (seed >> 8) % list.length;
            Sealed memory victim = list[k];
            bool copied =
                victim.commitment != _commitmentOf(round, victim.bidder, victim.bundle, victim.amount, victim.salt);
            address thief = victim.bidder;
            if (!copied) {
                uint256 pick = who % bidders.length;
                if (bidders[pick] == victim.bidder) pick = (pick + 1) % bidders.length;
                thief = bidders[pick];
            }
            _revealOne("revealOthers", round, thief, victim.bundle, victim.amount, victim.salt);
            _eq("revealOthers: the commitment's state unchanged", victim.revealed ? 1 : 0, list[k].revealed ? 1 : 0);
        }
        _end();
    }

    /// @notice Replay: in the round revealing, an opening committed one to three rounds earlier is opened again
    ///         (by its bidder or another), or this round's own opening is opened on another chain (the same
    ///         market address on a fork: vm.chainId). The commitment binds round and chain: UnknownCommitment.
    function replayReveal(uint256 who, uint256 seed) external {
        _begin(seed);
        uint256 round = _pickRound(1, seed);
        uint256 back = 1 + (seed >> 8) % 3;
        if ((seed >> 16) % 3 == 0) {
            Sealed[] storage list = _commits[round];
            if (list.length != 0) {
                Sealed memory s = list[(seed >> 24) % list.length];
                uint256 chain = block.chainid;
                vm.chainId(chain + 1);
                _revealOne("replayReveal", round, s.bidder, s.bundle, s.amount, s.salt);
                vm.chainId(chain);
            }
        } else if (round >= back && _commits[round - back].length != 0) {
            Sealed[] storage old = _commits[round - back];
            Sealed memory s = old[(seed >> 24) % old.length];
            address replayer = (seed >> 32) % 2 == 0 ? s.bidder : bidders[who % bidders.length];
            _revealOne("replayReveal", round, replayer, s.bundle, s.amount, s.salt);
        }
        _end();
    }

    /// @notice Over-lock probes in the round taking commits, each refused with its named error and arguments: a
    ///         lock below minLock, a lock of 2**128 wei or more, a lock above the unlocked collateral (no top-up),
    ///         a top-up taking the collateral to 2**128 wei. Or a bid above its lock, which the market cannot see
    ///         sealed: taken, then refused at reveal with BidExceedsLock (this action opens the round revealing's
    ///         such bids), so its lock is forfeited.
    function overLock(uint256 who, uint256 seed) external {
        _begin(seed);
        CommitPlan memory c;
        (c.bidder, c.round) = (bidders[who % bidders.length], _currentRound());
        c.bundle = [uint256(0x1), 0x2, 0x3, 0xC][(seed >> 8) % 4];
        c.amount = (1 + (seed >> 16) % 4) * UNIT;
        c.salt = keccak256(abi.encode("overLock", seed));
        c.commitment = _commitmentOf(c.round, c.bidder, c.bundle, c.amount, c.salt);
        uint256 probe = (seed >> 24) % 5;
        uint256 unlocked = market.unlockedOf(c.bidder);
        uint256 x = (seed >> 32) % 3;
        if (probe == 0) {
            c.lock = x == 0 ? 0 : MIN_LOCK - x;
        } else if (probe == 1) {
            c.lock = x == 2 ? type(uint256).max : uint256(type(uint128).max) + 1 + x;
        } else if (probe == 2) {
            c.lock = (unlocked < MIN_LOCK ? MIN_LOCK : unlocked + 1) + x;
        } else if (probe == 3) {
            c.lock = c.amount - 1 - x; // the bid exceeds its lock by 1 to 3 wei
            if (unlocked < c.lock) c.topUp = c.lock - unlocked;
        } else {
            c.lock = MIN_LOCK;
            c.topUp = uint256(type(uint128).max) + 1 + x - market.collateralOf(c.bidder);
        }
        c.expected = _commitExpected(c);
        _execCommit("overLock", c, probe == 3);
        // Open the over-lock bids of the round revealing: each must be refused, and stays sealed.
        uint256 revealing = c.round >= 1 ? c.round - 1 : 0;
        Sealed[] storage list = _commits[revealing];
        for (uint256 k; k < list.length; ++k) {
            Sealed memory s = list[k];
            if (!s.held || s.revealed || s.amount <= s.lock) continue;
            _revealOne("overLock", revealing, s.bidder, s.bundle, s.amount, s.salt);
            break;
        }
        _end();
    }

    /// @notice Commit spam and dust bids: a bidder fills its cap in the round taking commits with minimum-lock
    ///         commitments of dust bids (0 to 7 wei), then posts one more: CommitCapReached. The cap is per
    ///         bidder, so another bidder under its cap commits right after (must be accepted).
    function spam(uint256 who, uint256 seed) external {
        _begin(seed);
        uint256 round = _currentRound();
        address spammer = bidders[who % bidders.length];
        uint256 count = MAX_COMMITS - _commitsOf(round, spammer) + 1; // up to the cap, and one past it
        for (uint256 j; j < count; ++j) {
            _execCommit("spam", _dustPlan(spammer, round, uint256(keccak256(abi.encode(seed, "spam", j)))), false);
        }
        for (uint256 k = 1; k < bidders.length; ++k) {
            address other = bidders[(who % bidders.length + k) % bidders.length];
            if (_commitsOf(round, other) >= MAX_COMMITS) continue;
            CommitPlan memory c = _dustPlan(other, round, uint256(keccak256(abi.encode(seed, "other"))));
            c.amount = (1 + (seed >> 8) % 4) * UNIT;
            c.lock = c.amount;
            c.commitment = _commitmentOf(round, other, c.bundle, c.amount, c.salt);
            uint256 unlocked = market.unlockedOf(other);
            c.topUp = unlocked < c.lock ? c.lock - unlocked : 0;
            c.expected = _commitExpected(c);
            _eq("spam: another bidder is not crowded out", 0, c.expected.length);
            _execCommit("spam: others", c, false);
            break;
        }
        _end();
    }

    /// @dev A minimum-lock commitment of a dust bid (0 to 7 wei) on any bundle, topped up as needed.
    function _dustPlan(address bidder, uint256 round, uint256 r) internal view returns (CommitPlan memory c) {
        (c.bidder, c.round) = (bidder, round);
        c.bundle = 1 + r % ALL;
        c.amount = (r >> 8) % 8;
        c.salt = keccak256(abi.encode("dust", r));
        c.commitment = _commitmentOf(round, bidder, c.bundle, c.amount, c.salt);
        c.lock = MIN_LOCK;
        uint256 unlocked = market.unlockedOf(bidder);
        c.topUp = unlocked < c.lock ? c.lock - unlocked : 0;
        c.expected = _commitExpected(c);
    }

    /// @notice Phase edges: moves the clock to one block before, at or after the next phase boundary (one comes
    ///         every COMMIT blocks: a round's commit phase opens and the previous round's closes, and likewise for
    ///         reveal, challenge, settle and the settlement deadline), and there commits, reveals, proposes,
    ///         finalizes or releases for the round whose phase opens, or the one whose phase closes, at that
    ///         boundary. Each succeeds or fails (WrongPhase, RoundLapsed, RoundNotFinalized) as the model's
    ///         schedule says, with the phases as arguments.
    function edge(uint256 who, uint256 seed) external {
        _begin(seed);
        uint256 boundary = START + COMMIT * ((blockNumber - START) / COMMIT + 1);
        blockNumber = boundary - 1 + seed % 3;
        vm.roll(blockNumber);
        uint256 opens = (boundary - START) / COMMIT; // the round whose commit phase opens at the boundary
        uint256 kind = (seed >> 8) % 5;
        bool closing = (seed >> 16) % 2 == 1;
        // Rounds back from `opens`: commit 0, reveal 1, challenge 2, settle 3; the deadline closes settle at 6.
        uint256 back = kind < 3 ? kind + (closing ? 1 : 0) : (kind == 3) == closing ? 6 : 3;
        if (opens >= back) {
            uint256 round = opens - back;
            if (kind == 0) {
                CommitPlan memory c = _dustPlan(bidders[who % bidders.length], round, seed >> 24);
                _execCommit("edgeCommit", c, false);
            } else if (kind == 1) {
                _edgeReveal(round, seed >> 24);
            } else if (kind == 2) {
                (, uint256[] memory optimal) = _optimalPartition(round, address(0));
                _proposeOne("edgePropose", round, optimal);
            } else if (kind == 3) {
                _finalizeOne("edgeFinalize", round);
            } else {
                Sealed[] storage list = _commits[round];
                address bidder =
                    list.length != 0 ? list[(seed >> 24) % list.length].bidder : bidders[who % bidders.length];
                _releaseOne("edgeRelease", round, bidder);
            }
        }
        _end();
    }

    function _edgeReveal(uint256 round, uint256 seed) internal {
        Sealed[] storage list = _commits[round];
        for (uint256 j; j < list.length; ++j) {
            Sealed memory s = list[(seed + j) % list.length];
            if (s.held || s.revealed) continue;
            _revealOne("edgeReveal", round, s.bidder, s.bundle, s.amount, s.salt);
            return;
        }
        _revealOne("edgeReveal", round, bidders[seed % bidders.length], 3, UNIT, bytes32(seed)); // nothing to open
    }

    /// @notice Last-look ladder. In the round taking commits a bidder seals two to four rungs, ascending bids on
    ///         one bundle, each locking exactly its bid. When that round reveals (a later call), it opens its
    ///         rungs from the bottom up to the cheapest that tops the others' revealed bids (the lower ones lose:
    ///         opening them is free) and leaves the higher ones sealed. Their locks are forfeited; the release
    ///         check holds the forfeit against what the ladder saved (its top rung minus the rung it opened).
    function ladder(uint256 who, uint256 seed) external {
        _begin(seed);
        uint256 current = _currentRound();
        if (current >= 1) _decideLadders(current - 1);
        _buildLadder(bidders[who % bidders.length], current, seed);
        _end();
    }

    function _buildLadder(address bidder, uint256 round, uint256 seed) internal {
        uint256 room = MAX_COMMITS - _commitsOf(round, bidder);
        if (room < 2) return;
        uint256 rungs = 2 + (seed >> 8) % (room - 1);
        uint256 bundle = [uint256(0x1), 0x2, 0x3, 0xC, 0x6][(seed >> 16) % 5];
        uint256 size = _popcount(bundle);
        uint256 base = (size == 1 ? 1 + (seed >> 24) % 4 : (1 + (seed >> 24) % 5) * (size + 1)) * UNIT;
        uint256 step = (UNIT / 4) * (1 + (seed >> 32) % 2);
        Ladder storage l = _ladders[round].push();
        (l.bidder, l.bundle) = (bidder, bundle);
        for (uint256 j; j < rungs; ++j) {
            CommitPlan memory c;
            (c.bidder, c.round, c.bundle, c.amount) = (bidder, round, bundle, base + j * step);
            c.salt = keccak256(abi.encode("rung", seed, j));
            c.commitment = _commitmentOf(round, bidder, bundle, c.amount, c.salt);
            c.lock = c.amount;
            uint256 unlocked = market.unlockedOf(bidder);
            c.topUp = unlocked < c.lock ? c.lock - unlocked : 0;
            c.expected = _commitExpected(c);
            if (_execCommit("ladder", c, true)) l.rungs.push(_commits[round].length - 1);
        }
    }

    function _decideLadders(uint256 round) internal {
        if (_phase(round) != IRoundSchedule.Phase.Reveal) return;
        Ladder[] storage ladders = _ladders[round];
        for (uint256 k; k < ladders.length; ++k) {
            Ladder storage l = ladders[k];
            if (l.decided || l.rungs.length == 0) continue;
            l.decided = true;
            (Top memory best, Top memory second) = modelTop(round, l.bundle);
            Top memory rival = best.bidder == l.bidder ? second : best;
            uint256 n = l.rungs.length;
            uint256 chosen = n; // none tops the rival: all are opened (they lose, and cost nothing opened)
            for (uint256 j; j < n; ++j) {
                Sealed memory rung = _commits[round][l.rungs[j]];
                if (_better(rung.amount, rung.order, rival)) {
                    chosen = j;
                    break;
                }
            }
            uint256 last = chosen == n ? n - 1 : chosen;
            for (uint256 j; j <= last; ++j) {
                Sealed memory rung = _commits[round][l.rungs[j]];
                _revealOne("ladder", round, l.bidder, rung.bundle, rung.amount, rung.salt);
            }
            if (chosen < n - 1) {
                uint256 saved = _commits[round][l.rungs[n - 1]].amount - _commits[round][l.rungs[chosen]].amount;
                _hidden[round][l.bidder] += saved;
                ladderSaved += saved;
                laddersOpened += 1;
            }
            _eq(
                "ladder: the market holds the sealed rungs' locks",
                _unopenedLocks(round, l.bidder),
                market.participationOf(round, l.bidder).unopened
            );
        }
    }

    /// @notice Walk-away: in the round revealing, a bidder decides to leave unopened a sealed bid that would top
    ///         its bundle now. It forfeits the whole lock, at least the bid (checked at release).
    function walkAway(uint256 seed) external {
        _begin(seed);
        uint256 current = _currentRound();
        uint256 round = current >= 1 ? current - 1 : 0;
        Sealed[] storage list = _commits[round];
        uint256 n = list.length;
        for (uint256 j; j < n && _phase(round) == IRoundSchedule.Phase.Reveal; ++j) {
            Sealed storage s = list[(seed % n + j) % n];
            if (s.revealed || s.held || s.amount == 0 || s.amount > s.lock || s.bundle == 0 || s.bundle >> N != 0) {
                continue;
            }
            (Top memory best, Top memory second) = modelTop(round, s.bundle);
            if (!_better(s.amount, s.order, best.bidder == s.bidder ? second : best)) continue;
            s.held = true;
            _hidden[round][s.bidder] += s.amount;
            walkAwaysWinning += 1;
            break;
        }
        _end();
    }

    /// @notice Malicious operator, for the round in its challenge phase: a partition refused with its named error
    ///         and arguments (overlapping bundles, a bundle out of range, a singleton listed, an empty bundle, a
    ///         bundle bid below its reserves), the previous round's kept partition (stale: valued on this round's
    ///         bids, kept only if it ranks first on them), the kept partition again (equal: NotBetter), or a valid
    ///         worse partition after the optimum (NotBetter: the optimum must still stand).
    function maliciousPropose(uint256 seed) external {
        _begin(seed);
        uint256 round = _pickRound(2, seed);
        uint256 mode = (seed >> 8) % 8;
        (uint256[11] memory withBid, uint256 n) = _bundlesWithBid(round, address(0));
        uint256 pick = n != 0 ? withBid[(seed >> 16) % n] : 0x3;
        uint256[] memory bundles = new uint256[](mode < 4 ? 2 : 1);
        if (mode == 0) {
            // The first with a bid (if any), so the overlap is what fails.
            uint256 low = _lowest(pick);
            (bundles[0], bundles[1]) = (pick, (1 << low) | (1 << ((low + 1 + (seed >> 24) % (N - 1)) % N)));
        } else if (mode == 1) {
            (bundles[0], bundles[1]) = ((1 << (N + (seed >> 24) % 8)) | 1, pick);
        } else if (mode == 2) {
            (bundles[0], bundles[1]) = (1 << ((seed >> 24) % N), pick);
        } else if (mode == 3) {
            if ((seed >> 24) % 2 == 0) bundles[1] = pick;
            else bundles[0] = pick;
        } else if (mode == 4) {
            bundles[0] = _belowReserves(round, pick);
        } else if (mode == 5) {
            if (round >= 1) (bundles,) = market.bestPartition(round - 1);
            staleProposals += 1;
        } else if (mode == 6) {
            (bundles,) = market.bestPartition(round);
        } else {
            (uint256 optimum, uint256[] memory optimal) = _optimalPartition(round, address(0));
            _proposeOne("propose", round, optimal);
            bundles = _disjointBundles(round, seed >> 16, address(0));
            _proposeOne("maliciousPropose", round, bundles);
            if (_phase(round) == IRoundSchedule.Phase.Challenge) {
                (, uint256 value) = market.bestPartition(round);
                _eq("maliciousPropose: a worse partition never replaces the optimum", optimum, value);
            }
            _end();
            return;
        }
        _proposeOne("maliciousPropose", round, bundles);
        _end();
    }

    /// @dev A bundle whose best bid is below its rollups' reserves, if there is one; else `fallback_`.
    function _belowReserves(uint256 round, uint256 fallback_) internal view returns (uint256) {
        for (uint256 b = 3; b <= ALL; ++b) {
            uint256 bid = _bid(round, b);
            if (_popcount(b) >= 2 && bid != 0 && bid < _reservesOf(round, b)) return b;
        }
        return fallback_;
    }

    /// @notice Understated W(-i) (an operator colluding with winner i; VCG): SHADY claims W(-bidder) with a valid
    ///         partition, usually worth less than the best without the bidder (its singletons, or a greedy pick). Taken
    ///         only above the standing claim, which it can never lower; then anyone may raise it: usually the
    ///         handler claims the optimum without the bidder, which must then stand. An understated claim left
    ///         standing still charges the dissolved floor (checked at finalize). First price: VcgDisabled.
    function understatedClaim(uint256 who, uint256 seed) external {
        _begin(seed);
        uint256 round = _pickRound(2, seed);
        address bidder = bidders[who % bidders.length];
        uint256[] memory low =
            (seed >> 8) % 2 == 0 ? new uint256[](0) : _disjointBundles(round, seed >> 16, bidder);
        _claimOne("understatedClaim", SHADY, round, bidder, low);
        if ((seed >> 12) % 4 != 0) {
            (uint256 optimum, uint256[] memory best) = _optimalPartition(round, bidder);
            _claimOne("claimCounterfactual", address(this), round, bidder, best);
            if (_vcgChallenge(round)) {
                _eq(
                    "understatedClaim: the optimum without the bidder stands",
                    optimum,
                    market.counterfactualValue(round, bidder)
                );
            }
        }
        _end();
    }

    /// @notice Claim griefer (VCG): SHADY sees the handler's W(-i) claim coming and posts the same partition
    ///         first. It holds the claim, and its bounty if it stands (credited to SHADY at finalize, checked
    ///         there); the honest copy is NotBetter (a claim must be strictly higher). What the winner pays
    ///         depends on the claimed value only, not on who claimed it.
    function claimGrief(uint256 who, uint256 seed) external {
        _begin(seed);
        uint256 round = _pickRound(2, seed);
        address bidder = bidders[who % bidders.length];
        (, uint256[] memory best) = _optimalPartition(round, bidder);
        bool front = _claimOne("claimGrief", SHADY, round, bidder, best);
        _claimOne("claimCounterfactual", address(this), round, bidder, best);
        if (front) {
            _eq(
                "claimGrief: the front-runner holds the claim",
                uint160(SHADY),
                uint160(market.counterfactualClaimant(round, bidder))
            );
        }
        _end();
    }

    function _vcgChallenge(uint256 round) internal view returns (bool) {
        return paymentRule == ISealedBidMarket.PaymentRule.Vcg && _phase(round) == IRoundSchedule.Phase.Challenge;
    }

    /// @notice False names: one entity's two identities (bidders 0 and 1) seal bids on the two singletons of a
    ///         two-rollup bundle, a rival (bidder 2) on the bundle, each identity above half the rival's bid, in
    ///         the round taking commits; the ordinary reveals open them. Under VCG every winner, so each
    ///         identity, pays at least min(its bid, its rollups' reserves) (checked at finalize): reserves make
    ///         false names pay (docs/design.md, departure 10).
    function falseName(uint256 seed) external {
        _begin(seed);
        uint256 round = _currentRound();
        uint256 bundle = [uint256(0x3), 0x5, 0xC, 0x6][seed % 4];
        // Above the ordinary actions' bids on two-rollup bundles (at most 15 UNIT) and singletons (5 UNIT), so the
        // identities usually win when their round settles.
        uint256 rivalBid = (16 + (seed >> 8) % 4) * UNIT;
        uint256 part = rivalBid / 2 + (1 + (seed >> 16) % 3) * (UNIT / 4);
        uint256 low = _lowest(bundle);
        bool sealed_ = _sealFor(bidders[2], round, bundle, rivalBid, seed)
            && _sealFor(bidders[0], round, 1 << low, part, seed)
            && _sealFor(bidders[1], round, bundle ^ (1 << low), part, seed);
        if (sealed_) _falseNames[round].push(FalseName(bidders[0], bidders[1], bundle));
        _end();
    }

    function _sealFor(address bidder, uint256 round, uint256 bundle, uint256 amount, uint256 seed)
        internal
        returns (bool)
    {
        CommitPlan memory c;
        (c.bidder, c.round, c.bundle, c.amount, c.lock) = (bidder, round, bundle, amount, amount);
        c.salt = keccak256(abi.encode("falseName", seed, bidder));
        c.commitment = _commitmentOf(round, bidder, bundle, amount, c.salt);
        uint256 unlocked = market.unlockedOf(bidder);
        c.topUp = unlocked < c.lock ? c.lock - unlocked : 0;
        c.expected = _commitExpected(c);
        return _execCommit("falseName", c, false);
    }

    /// @notice A payee that re-enters: rollup 2's payout address is a contract whose receive hook calls the market
    ///         again, the same withdrawal or the other one (credit from a collateral payment and back). The
    ///         re-entry is refused with ReentrantCall and the outer withdrawal pays exactly once: the payee
    ///         receives what it was owed, the market's balance drops by exactly that, no wei is created.
    function reentrantWithdraw(uint256 seed) external {
        _begin(seed);
        ReentrantPayee actor = ReentrantPayee(payable(payouts[2]));
        address payable self = payable(address(actor));
        if (market.unlockedOf(self) == 0 || (seed >> 8) % 4 == 0) _depositFor(self, bound(seed >> 16, 1, 2 ether));
        bool outerCredit = seed % 2 == 0;
        actor.arm(
            (seed >> 1) % 2 == 0
                ? abi.encodeCall(ICreditLedger.withdrawCredit, (self))
                : abi.encodeCall(ICollateralVault.withdrawCollateral, (1, self))
        );
        uint256 credit = market.creditOf(self);
        uint256 collateral = market.collateralOf(self);
        uint256 amount = outerCredit ? credit : bound(seed >> 32, 1, market.unlockedOf(self));
        bytes memory expected = amount == 0 ? _err(ICreditLedger.NothingToWithdraw.selector) : bytes("");
        uint256 received = actor.received();
        uint256 balance = address(market).balance;
        (bool ok, bytes memory reason) = _withdrawAs(self, outerCredit, amount, self);
        if (ok) {
            _ok("reentrantWithdraw", expected);
            ghostOut += amount;
            _eq("reentrantWithdraw: paid exactly once", received + amount, actor.received());
            _eq("reentrantWithdraw: the market pays out exactly that", balance - amount, address(market).balance);
            _eq("reentrantWithdraw: re-entry went through", 0, actor.reentered() ? 1 : 0);
            _sameError("reentrantWithdraw: re-entry", _err(ICreditLedger.ReentrantCall.selector), actor.blockedWith());
            _eq("reentrantWithdraw: credit left", outerCredit ? 0 : credit, market.creditOf(self));
            _eq(
                "reentrantWithdraw: collateral left",
                outerCredit ? collateral : collateral - amount,
                market.collateralOf(self)
            );
            reentriesBlocked += 1;
        } else {
            _failed("reentrantWithdraw", expected, reason);
            _eq("reentrantWithdraw: refused, nothing paid", received, actor.received());
            _eq("reentrantWithdraw: refused, balance unchanged", balance, address(market).balance);
        }
        actor.arm("");
        _end();
    }

    /// @notice A payee that rejects ETH: rollup 1's payout address is a contract whose receive hook reverts. A
    ///         withdrawal of its credit or collateral to itself fails as a whole with TransferFailed: what it is
    ///         owed stays, the market's balance does not move. It can still withdraw to another address (nothing
    ///         is lost), and other payees withdraw as usual (pull payments: one payee cannot hold them up).
    function rejectingPayee(uint256 seed) external {
        _begin(seed);
        address payable payee = payable(payouts[1]);
        bool credit = seed % 2 == 0;
        if (!credit && (market.unlockedOf(payee) == 0 || (seed >> 8) % 4 == 0)) {
            _depositFor(payee, bound(seed >> 16, 1, 2 ether));
        }
        uint256 owed = credit ? market.creditOf(payee) : market.collateralOf(payee);
        uint256 amount = credit ? owed : bound(seed >> 32, 1, market.unlockedOf(payee));
        bytes memory expected = amount == 0
            ? _err(ICreditLedger.NothingToWithdraw.selector)
            : abi.encodeWithSelector(ICreditLedger.TransferFailed.selector, payee, amount);
        uint256 balance = address(market).balance;
        (bool ok, bytes memory reason) = _withdrawAs(payee, credit, amount, payee);
        if (ok) _ok("rejectingPayee", expected);
        else _failed("rejectingPayee", expected, reason);
        _eq("rejectingPayee: still owed", owed, credit ? market.creditOf(payee) : market.collateralOf(payee));
        _eq("rejectingPayee: market balance unchanged", balance, address(market).balance);
        if (amount != 0) rejectedPayments += 1;
        if (amount != 0 && (seed >> 40) % 2 == 0) {
            _withdrawToSink("rejectingPayee: paid elsewhere", payee, credit, amount);
        }
        address other = payouts[(seed >> 48) % 2 == 0 ? 0 : 3];
        uint256 theirs = market.creditOf(other);
        if (theirs != 0) _withdrawToSink("rejectingPayee: others paid", other, true, theirs);
        _end();
    }

    /// @dev `account` withdraws `amount` (all its credit if `credit`, else that much collateral) to `to`.
    function _withdrawAs(address account, bool credit, uint256 amount, address payable to)
        internal
        returns (bool ok, bytes memory reason)
    {
        vm.prank(account);
        if (credit) {
            try market.withdrawCredit(to) {
                ok = true;
            } catch (bytes memory why) {
                reason = why;
            }
        } else {
            try market.withdrawCollateral(amount, to) {
                ok = true;
            } catch (bytes memory why) {
                reason = why;
            }
        }
    }

    /// @dev `account` withdraws `amount` to SINK, which must succeed and pay exactly that.
    function _withdrawToSink(string memory action, address account, bool credit, uint256 amount) internal {
        uint256 sinkBefore = SINK.balance;
        (bool ok, bytes memory reason) = _withdrawAs(account, credit, amount, payable(SINK));
        if (!ok) _failed(action, bytes(""), reason); // reverts: a success was expected
        _ok(action, bytes(""));
        ghostOut += amount;
        _eq(string.concat(action, ": paid"), sinkBefore + amount, SINK.balance);
    }

    function _depositFor(address account, uint256 amount) internal {
        uint256 before = market.collateralOf(account);
        vm.deal(account, account.balance + amount);
        vm.prank(account);
        market.deposit{value: amount}();
        ghostIn += amount;
        _eq("deposit: collateral", before + amount, market.collateralOf(account));
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
        bytes expected;
    }

    function _commitOne(address bidder, uint256 seed) internal {
        _execCommit("commit", _planCommit(bidder, seed), false);
    }

    /// @dev Posts plan `c` as its bidder and checks the outcome against c.expected; an accepted commitment joins
    ///      the model (`held`: opened only by the adversary that made it). Returns whether it was accepted.
    function _execCommit(string memory action, CommitPlan memory c, bool held) internal returns (bool accepted) {
        uint256 order = market.commitCount(c.round);
        uint256 lockedBefore = market.lockedOf(c.bidder);
        vm.deal(c.bidder, c.bidder.balance + c.topUp);
        vm.prank(c.bidder);
        try market.commit{value: c.topUp}(c.round, c.commitment, c.lock) {
            _ok(action, c.expected);
            ghostIn += c.topUp;
            _commits[c.round].push(
                Sealed(c.bidder, c.bundle, c.amount, c.salt, c.commitment, c.lock, order, false, held)
            );
            _eq("commit: order", order + 1, market.commitCount(c.round));
            _eq("commit: locked", lockedBefore + c.lock, market.lockedOf(c.bidder));
            ISealedBidMarket.CommitmentState memory state = market.commitmentState(c.round, c.bidder, c.commitment);
            _eq("commitmentState: registered", 1, state.registered ? 1 : 0);
            _eq("commitmentState: not revealed", 0, state.revealed ? 1 : 0);
            _eq("commitmentState: lock", c.lock, state.lock);
            _eq("commitmentState: order", order, state.order);
            accepted = true;
        } catch (bytes memory reason) {
            _failed(action, c.expected, reason);
            _eq("commit refused: order unchanged", order, market.commitCount(c.round));
            _eq("commit refused: nothing locked", lockedBefore, market.lockedOf(c.bidder));
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
        c.commitment = _commitmentOf(c.round, bidder, c.bundle, c.amount, c.salt);

        uint256 unlocked = market.unlockedOf(bidder);
        if ((seed >> 72) % 5 != 0 && c.lock <= type(uint128).max && unlocked < c.lock) {
            c.topUp = c.lock - unlocked + ((seed >> 80) % 2) * UNIT;
        }
        c.expected = _commitExpected(c);
    }

    /// @dev What commit(c) must revert with (empty: accepted), in the order the market checks: the phase, a
    ///      top-up taking the bidder's collateral to 2**128, the lock's range, the bidder's cap, its own
    ///      commitment posted again, then the unlocked collateral.
    function _commitExpected(CommitPlan memory c) internal view returns (bytes memory) {
        if (_phase(c.round) != IRoundSchedule.Phase.Commit) return _wrongPhase(c.round, IRoundSchedule.Phase.Commit);
        uint256 collateral = market.collateralOf(c.bidder);
        if (c.topUp != 0 && collateral + c.topUp > type(uint128).max) {
            return abi.encodeWithSelector(ICollateralVault.CollateralTooLarge.selector, c.bidder, collateral + c.topUp);
        }
        if (c.lock < MIN_LOCK) {
            return abi.encodeWithSelector(ISealedBidMarket.LockBelowMinimum.selector, c.lock, MIN_LOCK);
        }
        if (c.lock > type(uint128).max) return abi.encodeWithSelector(ISealedBidMarket.LockTooLarge.selector, c.lock);
        if (_commitsOf(c.round, c.bidder) >= MAX_COMMITS) {
            return abi.encodeWithSelector(ISealedBidMarket.CommitCapReached.selector, c.round, MAX_COMMITS);
        }
        if (_find(c.round, c.bidder, c.commitment) != type(uint256).max) {
            return abi.encodeWithSelector(ISealedBidMarket.DuplicateCommitment.selector, c.commitment);
        }
        uint256 unlocked = market.unlockedOf(c.bidder) + c.topUp;
        if (c.lock > unlocked) {
            return abi.encodeWithSelector(ICollateralVault.InsufficientUnlocked.selector, c.lock, unlocked);
        }
        return "";
    }

    /// @dev The commitment as ISealedBidMarket specifies it, computed here rather than read from the market: a
    ///      hash binding less (no bidder, round, market or chain) would let a copied commitment or a replayed
    ///      opening through, and the model would then expect the refusal the market does not give.
    function _commitmentOf(uint256 round, address bidder, uint256 bundle, uint256 amount, bytes32 salt)
        internal
        view
        returns (bytes32)
    {
        return keccak256(abi.encode(block.chainid, address(market), round, bidder, bundle, amount, salt));
    }

    /// @dev WrongPhase for an action needing `round` in phase `expected`, with the phase the model has it in.
    function _wrongPhase(uint256 round, IRoundSchedule.Phase expected) internal view returns (bytes memory) {
        return abi.encodeWithSelector(IRoundSchedule.WrongPhase.selector, round, uint8(expected), uint8(_phase(round)));
    }

    /// @dev `bidder` opens (bundle, amount, salt) in `round`; returns whether the market accepted it.
    function _revealOne(
        string memory action,
        uint256 round,
        address bidder,
        uint256 bundle,
        uint256 amount,
        bytes32 salt
    ) internal returns (bool accepted) {
        bytes32 commitment = _commitmentOf(round, bidder, bundle, amount, salt);
        _eq(
            "commitmentOf == spec", uint256(commitment), uint256(market.commitmentOf(round, bidder, bundle, amount, salt))
        );
        uint256 k = _find(round, bidder, commitment);
        bytes memory expected;
        if (_phase(round) != IRoundSchedule.Phase.Reveal) {
            expected = _wrongPhase(round, IRoundSchedule.Phase.Reveal);
        } else if (k == type(uint256).max) {
            expected = abi.encodeWithSelector(ISealedBidMarket.UnknownCommitment.selector, commitment);
        } else if (_commits[round][k].revealed) {
            expected = abi.encodeWithSelector(ISealedBidMarket.AlreadyRevealed.selector, commitment);
        } else if (amount > _commits[round][k].lock) {
            expected =
                abi.encodeWithSelector(ISealedBidMarket.BidExceedsLock.selector, amount, _commits[round][k].lock);
        } else if (bundle == 0 || bundle >> N != 0) {
            expected = abi.encodeWithSelector(IMarket.InvalidBundle.selector, bundle);
        }

        vm.prank(bidder);
        try market.reveal(round, bundle, amount, salt) {
            _ok(action, expected);
            _commits[round][k].revealed = true;
            ISealedBidMarket.CommitmentState memory state = market.commitmentState(round, bidder, commitment);
            _eq("commitmentState: revealed", 1, state.revealed ? 1 : 0);
            _eq("commitmentState: order kept", _commits[round][k].order, state.order);
            if (amount != 0 && _tiesEarlier(round, k)) tiedBids += 1;
            _checkTopBids(round, bundle);
            accepted = true;
        } catch (bytes memory reason) {
            _failed(action, expected, reason);
        }
    }

    /// @dev Proposes `bundles` for `round`; returns the value the model gives it (0 if invalid) and whether it
    ///      was kept.
    function _proposeOne(string memory action, uint256 round, uint256[] memory bundles)
        internal
        returns (uint256 value, bool kept_)
    {
        bytes memory expected;
        (uint256[] memory keptBefore, uint256 current) = market.bestPartition(round);
        if (_phase(round) != IRoundSchedule.Phase.Challenge) {
            expected = _wrongPhase(round, IRoundSchedule.Phase.Challenge);
        } else {
            (expected, value) = _judgePartition(round, bundles, address(0));
            if (expected.length == 0 && !_outranks(value, bundles, current, keptBefore)) {
                expected = abi.encodeWithSelector(IPartitionChallenge.NotBetter.selector, value, current);
            }
        }
        try market.propose(round, bundles) returns (uint256 returned) {
            _ok(action, expected);
            kept_ = true;
            _eq("propose: returned value", value, returned);
            (uint256[] memory kept, uint256 keptValue_) = market.bestPartition(round);
            _eq("propose: kept value", value, keptValue_);
            _eq("propose: kept bundles", bundles.length, kept.length);
            for (uint256 k; k < kept.length; ++k) {
                _eq("propose: kept bundle", bundles[k], kept[k]);
            }
        } catch (bytes memory reason) {
            _failed(action, expected, reason);
            (uint256[] memory kept, uint256 keptValue_) = market.bestPartition(round);
            _eq("propose: failed proposal leaves value", current, keptValue_);
            _eq("propose: failed proposal leaves bundles", keptBefore.length, kept.length);
        }
    }

    /// @dev `claimer` claims W(-bidder) for `round` with `bundles`; returns whether the claim now stands.
    function _claimOne(string memory action, address claimer, uint256 round, address bidder, uint256[] memory bundles)
        internal
        returns (bool accepted)
    {
        bytes memory expected;
        uint256 value;
        (uint256[] memory keptBefore, uint256 welfare) = market.bestPartition(round);
        uint256 standing = market.counterfactualValue(round, bidder);
        if (paymentRule != ISealedBidMarket.PaymentRule.Vcg) {
            expected = _err(IVcgCounterfactuals.VcgDisabled.selector);
        } else if (bidder == address(0)) {
            expected = _err(IVcgCounterfactuals.ZeroBidder.selector);
        } else if (_phase(round) != IRoundSchedule.Phase.Challenge) {
            expected = _wrongPhase(round, IRoundSchedule.Phase.Challenge);
        } else {
            (expected, value) = _judgePartition(round, bundles, bidder);
            if (expected.length == 0 && value <= standing) {
                expected = abi.encodeWithSelector(IPartitionChallenge.NotBetter.selector, value, standing);
            }
        }
        vm.prank(claimer);
        try market.claimCounterfactual(round, bidder, bundles) returns (uint256 returned) {
            _ok(action, expected);
            accepted = true;
            _claimant[round][bidder] = claimer;
            _eq("claim: returned value", value, returned);
            _eq("claim: standing claim", value, market.counterfactualValue(round, bidder));
            _eq("claim: claimant", uint160(claimer), uint160(market.counterfactualClaimant(round, bidder)));
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
            _failed(action, expected, reason);
            _eq("claim refused: standing claim unchanged", standing, market.counterfactualValue(round, bidder));
        }
    }

    struct Settlement {
        uint256 revenue;
        uint256 fees; // claim bounties, to the handler or SHADY (whoever holds the winner's standing claim)
        uint256 shadyFees; // the part of `fees` credited to SHADY
        uint256[] bidTotal; // per bidder index: its bids on the bundles it won
        uint256[] reservesWon; // per bidder index: the reserves of the rollups it won
        uint256[N] rollupShare;
        uint256[] charge; // per bidder index
        uint256 multiSold;
        uint256 soldSingletons;
        address[N] sequencer; // per rollup: the winner of the sold bundle holding it
        IMarket.Sale[N] sales; // in settlement order: listed bundles, then singletons by index
        uint256 saleCount;
    }

    /// @dev The block from which `round` can no longer be finalized: its settlement window is over.
    function _deadline(uint256 round) internal pure returns (uint256) {
        return START + round * COMMIT + COMMIT + REVEAL + CHALLENGE + SETTLE;
    }

    function _finalizeOne(string memory action, uint256 round) internal {
        bytes memory expected;
        if (_phase(round) != IRoundSchedule.Phase.Settle) {
            expected = _wrongPhase(round, IRoundSchedule.Phase.Settle);
        } else if (blockNumber >= _deadline(round)) {
            expected = abi.encodeWithSelector(ISealedBidMarket.RoundLapsed.selector, round, _deadline(round));
        } else if (market.resultOf(round).finalized) {
            expected = abi.encodeWithSelector(IMarket.AlreadyFinalized.selector, round);
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
        uint256 shadyBefore = market.creditOf(SHADY);

        try market.finalize(round) {
            _ok(action, expected);
            ISealedBidMarket.RoundResult memory result = market.resultOf(round);
            _eq("finalize: finalized", 1, result.finalized ? 1 : 0);
            _eq("finalize: revenue", want.revenue, result.revenue);
            _eq("finalize: sold singletons", want.soldSingletons, result.soldSingletons);
            for (uint256 i; i < N; ++i) {
                _eq("sequencerOf", uint160(want.sequencer[i]), uint160(market.sequencerOf(round, i)));
            }
            _checkSales(round, want);
            uint256 credited;
            for (uint256 i; i < N; ++i) {
                uint256 delta = market.creditOf(payouts[i]) - creditBefore[i];
                _eq("finalize: rollup share", want.rollupShare[i], delta);
                credited += delta;
            }
            _eq("finalize: claim bounties", want.fees - want.shadyFees, market.creditOf(address(this)) - keeperBefore);
            _eq("finalize: SHADY's claim bounties", want.shadyFees, market.creditOf(SHADY) - shadyBefore);
            if (want.shadyFees != 0) shadyBounties += 1;
            for (uint256 b; b < bidders.length; ++b) {
                _eq("finalize: winner charged", collateralBefore[b] - want.charge[b], market.collateralOf(bidders[b]));
                _eq("finalize: charge from locked", lockedBefore[b] - want.charge[b], market.lockedOf(bidders[b]));
                totalWinnerCharged += want.charge[b];
                if (paymentRule == ISealedBidMarket.PaymentRule.Vcg && want.bidTotal[b] != 0) {
                    // docs/design.md, departure 10: false names (or any winner nobody claims for) pay at least
                    // their rollups' reserves, up to their bids. Read from the market's books.
                    uint256 floor_ = want.reservesWon[b] < want.bidTotal[b] ? want.reservesWon[b] : want.bidTotal[b];
                    _le(
                        "finalize: a VCG winner pays min(bid, its rollups' reserves)",
                        floor_,
                        collateralBefore[b] - market.collateralOf(bidders[b])
                    );
                    floorChecks += 1;
                }
            }
            _countFalseNames(round, want);
            rollupCredited[round] = credited;
            keeperCredited[round] = want.fees;
            expectedRevenue[round] = want.revenue;
            totalRollupCredited += credited;
            totalKeeperCredited += want.fees;
            multiBundlesSold += want.multiSold;
            finalizedRounds.push(round);
        } catch (bytes memory reason) {
            _failed(action, expected, reason);
        }
    }

    function _releaseOne(string memory action, uint256 round, address bidder) internal {
        ISealedBidMarket.Participation memory p = market.participationOf(round, bidder);
        bool finalized = market.resultOf(round).finalized;
        bytes memory expected;
        if (!finalized && blockNumber < _deadline(round)) {
            expected = abi.encodeWithSelector(IMarket.RoundNotFinalized.selector, round);
        } else if (p.commits == 0) {
            expected = abi.encodeWithSelector(ISealedBidMarket.NothingToRelease.selector, round, bidder);
        } else if (p.released) {
            expected = abi.encodeWithSelector(ISealedBidMarket.AlreadyReleased.selector, round, bidder);
        }

        _eq("participation: commits", _commitsOf(round, bidder), p.commits);
        _eq("participation: reveals", _revealsOf(round, bidder), p.reveals);
        uint256 forfeit = _unopenedLocks(round, bidder);
        _eq("participation: unopened locks", forfeit, p.unopened);
        uint256 lockedBefore = market.lockedOf(bidder);
        uint256 collateralBefore = market.collateralOf(bidder);
        uint256 heldBefore = market.forfeitsHeld();

        try market.release(round, bidder) {
            _ok(action, expected);
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
            // A bid left sealed although it would have won, or what a ladder saved by opening a lower rung, is
            // paid for: the collateral the market actually took at release covers it.
            uint256 hidden = _hidden[round][bidder];
            if (hidden != 0) {
                _le(
                    "release: forfeit covers the winning bids kept sealed",
                    hidden,
                    collateralBefore - market.collateralOf(bidder)
                );
                hiddenForfeitsChecked += 1;
            }
            copiesForfeited += _copiedLocks(round, bidder);
        } catch (bytes memory reason) {
            _failed(action, expected, reason);
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

    /// @dev Locks of `bidder`'s commitments in `round` that it cannot open: hashes it copied from others.
    function _copiedLocks(uint256 round, address bidder) internal view returns (uint256 total) {
        Sealed[] storage list = _commits[round];
        for (uint256 k; k < list.length; ++k) {
            Sealed storage s = list[k];
            if (s.bidder != bidder) continue;
            if (s.commitment != _commitmentOf(round, bidder, s.bundle, s.amount, s.salt)) total += s.lock;
        }
    }

    /// @dev Counts the false-name plans of finalized `round` whose two identities both won their singletons.
    function _countFalseNames(uint256 round, Settlement memory want) internal {
        FalseName[] storage plans = _falseNames[round];
        for (uint256 k; k < plans.length; ++k) {
            uint256 low = _lowest(plans[k].bundle);
            uint256 high = _lowest(plans[k].bundle ^ (1 << low));
            address x = want.sequencer[low];
            address y = want.sequencer[high];
            if ((x == plans[k].a && y == plans[k].b) || (x == plans[k].b && y == plans[k].a)) falseNameSales += 1;
        }
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
        s.bidTotal = new uint256[](bidders.length);
        s.reservesWon = new uint256[](bidders.length);
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
        s.sales[s.saleCount++] = IMarket.Sale(bundle, best.bidder, best.amount, price);
        s.revenue += price;
        s.fees += fee;
        for (uint256 i; i < N; ++i) {
            if (bundle & (1 << i) != 0) s.sequencer[i] = best.bidder;
        }
        if (_popcount(bundle) >= 2) s.multiSold += 1;
        for (uint256 b; b < bidders.length; ++b) {
            if (bidders[b] != best.bidder) continue;
            s.charge[b] += price;
            s.bidTotal[b] += best.amount;
            s.reservesWon[b] += _reservesOf(round, bundle);
        }
        if (fee != 0 && _claimant[round][best.bidder] == SHADY) s.shadyFees += fee;
        uint256[N] memory shares = _split(round, bundle, price - fee);
        for (uint256 i; i < N; ++i) {
            s.rollupShare[i] += shares[i];
        }
    }

    /// @dev salesOf(round) lists the model's sales, in settlement order, with their winners, bids and prices.
    function _checkSales(uint256 round, Settlement memory want) internal view {
        IMarket.Sale[] memory sales = market.salesOf(round);
        _eq("salesOf: count", want.saleCount, sales.length);
        for (uint256 k; k < sales.length; ++k) {
            IMarket.Sale memory sale = want.sales[k];
            _eq("salesOf: bundle", sale.bundle, sales[k].bundle);
            _eq("salesOf: winner", uint160(sale.winner), uint160(sales[k].winner));
            _eq("salesOf: bid", sale.bid, sales[k].bid);
            _eq("salesOf: price", sale.price, sales[k].price);
        }
    }

    // ================================================================== bookkeeping

    function _begin(uint256 seed) internal {
        // Time moves on between actions now and then, so rounds advance through their phases. Until round 0
        // settles it moves faster, one call in three, so that even a short run (depth 50) reaches settlement.
        if (seed % 128 == 127) blockNumber += 1;
        else if (blockNumber < WARM_UP_END && uint256(keccak256(abi.encode("tick", seed))) % 3 == 0) blockNumber += 1;
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

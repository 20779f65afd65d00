// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ISealedBidMarket} from "./interfaces/ISealedBidMarket.sol";
import {BundleMask} from "./libraries/BundleMask.sol";
import {FullMath} from "./libraries/FullMath.sol";
import {SplitRule} from "./libraries/RevenueSplit.sol";
import {CollateralVault} from "./market/CollateralVault.sol";
import {RollupRegistry} from "./market/RollupRegistry.sol";
import {RoundSchedule} from "./market/RoundSchedule.sol";
import {Settlement} from "./market/Settlement.sol";
import {VcgCounterfactuals} from "./market/VcgCounterfactuals.sol";

/// @title SealedBidMarket
/// @notice Rollups sell one time slot per round; sequencers bid sealed (commit-reveal) on bundles of rollups.
///         Off-chain clearing finds the best partition, which anyone can propose and anyone can beat
///         during the challenge phase. Finalization charges winners, credits rollups by the revenue split,
///         and lets bidders release their collateral; a commitment left unopened forfeits its whole lock to
///         the round's rollups. A round nobody finalizes within its settlement window lapses: collateral is
///         released without any sale.
/// @dev Flow of round r: commit -> reveal -> challenge -> settle (see RoundSchedule). Funds invariant:
///      balance == sum(collateralOf) + sum(creditOf) + forfeitsHeld, to the wei.
contract SealedBidMarket is ISealedBidMarket, Settlement, VcgCounterfactuals, CollateralVault {
    using BundleMask for uint256;

    /// @notice Deployment parameters; clients pass them as one tuple, in this order.
    struct Config {
        address[] payouts;
        uint256[] reserves;
        uint256 startBlock;
        uint256 commitBlocks;
        uint256 revealBlocks;
        uint256 challengeBlocks;
        uint256 minLock;
        uint256 maxCommitsPerBidder;
        SplitRule splitRule;
        PaymentRule paymentRule;
        uint256 claimBountyBps;
        uint256 settleBlocks;
    }

    struct SealedBid {
        uint128 lock;
        uint64 order;
        bool revealed;
    }

    /// @dev A kept bid as stored: the `Bid` of the interface and, once its bundle is sold under VCG, the `price` paid
    ///      for it. Amount and price share a slot, so recording the price at finalize rewrites a slot already written
    ///      (about 3k gas a sale instead of 22k for a fresh one); a second-best bid's price stays 0.
    struct StoredBid {
        uint128 amount;
        uint128 price;
        uint64 order;
        address bidder;
    }

    /// @dev Basis points in a whole; the claim bounty is at most half the raise, so a claim never leaves the
    ///      rollups less than they would get without it.
    uint256 private constant BPS = 10_000;
    uint256 private constant MAX_CLAIM_BOUNTY_BPS = 5_000;

    /// @inheritdoc ISealedBidMarket
    uint256 public immutable minLock;
    /// @inheritdoc ISealedBidMarket
    uint256 public immutable maxCommitsPerBidder;
    /// @inheritdoc ISealedBidMarket
    PaymentRule public immutable paymentRule;
    /// @inheritdoc ISealedBidMarket
    uint256 public immutable claimBountyBps;
    /// @inheritdoc ISealedBidMarket
    uint256 public immutable settleBlocks;

    /// @inheritdoc ISealedBidMarket
    mapping(uint256 round => uint256) public commitCount;
    /// @inheritdoc ISealedBidMarket
    uint256 public forfeitsHeld;
    mapping(uint256 round => mapping(uint256 bundle => StoredBid)) private _best;
    mapping(uint256 round => mapping(uint256 bundle => StoredBid)) private _second;
    mapping(uint256 round => mapping(address bidder => mapping(bytes32 commitment => SealedBid))) private _sealed;
    mapping(uint256 round => mapping(address bidder => Participation)) private _participation;
    mapping(uint256 round => RoundResult) private _results;

    constructor(Config memory config)
        RoundSchedule(config.startBlock, config.commitBlocks, config.revealBlocks, config.challengeBlocks)
        RollupRegistry(config.payouts, config.reserves)
        Settlement(config.splitRule)
    {
        if (config.revealBlocks == 0) revert InvalidSchedule();
        if (config.minLock == 0 || config.minLock > type(uint128).max) revert InvalidConfig();
        if (config.maxCommitsPerBidder == 0 || config.maxCommitsPerBidder > type(uint32).max) revert InvalidConfig();
        if (config.claimBountyBps > MAX_CLAIM_BOUNTY_BPS) revert InvalidConfig();
        if (config.settleBlocks == 0 || config.settleBlocks > type(uint32).max) revert InvalidConfig();
        minLock = config.minLock;
        maxCommitsPerBidder = config.maxCommitsPerBidder;
        paymentRule = config.paymentRule;
        claimBountyBps = config.claimBountyBps;
        settleBlocks = config.settleBlocks;
    }

    // ---------------------------------------------------------------- commit and reveal

    /// @inheritdoc ISealedBidMarket
    function commit(uint256 round, bytes32 commitment, uint256 lock) external payable {
        _requirePhase(round, Phase.Commit);
        if (msg.value > 0) _deposit(msg.sender, msg.value);
        if (lock < minLock) revert LockBelowMinimum(lock, minLock);
        if (lock > type(uint128).max) revert LockTooLarge(lock);
        Participation storage participation = _participation[round][msg.sender];
        if (participation.commits >= maxCommitsPerBidder) revert CommitCapReached(round, maxCommitsPerBidder);
        SealedBid storage sealedBid = _sealed[round][msg.sender][commitment];
        if (sealedBid.lock != 0) revert DuplicateCommitment(commitment);

        _lock(msg.sender, lock);
        uint256 order = commitCount[round]++;
        sealedBid.lock = uint128(lock);
        sealedBid.order = uint64(order);
        participation.commits += 1;
        participation.locked += lock;
        participation.unopened += lock;
        emit Committed(round, msg.sender, commitment, lock, order);
    }

    /// @inheritdoc ISealedBidMarket
    function reveal(uint256 round, uint256 bundle, uint256 amount, bytes32 salt) external {
        _requirePhase(round, Phase.Reveal);
        bytes32 commitment = commitmentOf(round, msg.sender, bundle, amount, salt);
        SealedBid storage sealedBid = _sealed[round][msg.sender][commitment];
        if (sealedBid.lock == 0) revert UnknownCommitment(commitment);
        if (sealedBid.revealed) revert AlreadyRevealed(commitment);
        if (amount > sealedBid.lock) revert BidExceedsLock(amount, sealedBid.lock);
        if (bundle == 0 || !bundle.within(rollupCount)) revert InvalidBundle(bundle);

        sealedBid.revealed = true;
        Participation storage participation = _participation[round][msg.sender];
        participation.reveals += 1;
        participation.unopened -= sealedBid.lock;
        if (amount > 0) _recordBid(round, bundle, StoredBid(uint128(amount), 0, sealedBid.order, msg.sender));
        emit Revealed(round, msg.sender, bundle, amount, commitment);
    }

    /// @inheritdoc ISealedBidMarket
    function commitmentOf(uint256 round, address bidder, uint256 bundle, uint256 amount, bytes32 salt)
        public
        view
        returns (bytes32)
    {
        return keccak256(abi.encode(block.chainid, address(this), round, bidder, bundle, amount, salt));
    }

    // ---------------------------------------------------------------- settlement

    /// @inheritdoc ISealedBidMarket
    function finalize(uint256 round) external {
        _requirePhase(round, Phase.Settle);
        uint256 deadline = settleDeadline(round);
        if (block.number >= deadline) revert RoundLapsed(round, deadline);
        RoundResult storage result = _results[round];
        if (result.finalized) revert AlreadyFinalized(round);
        result.finalized = true;
        (result.soldSingletons, result.revenue) = _settle(round);
    }

    /// @inheritdoc ISealedBidMarket
    function release(uint256 round, address bidder) external {
        RoundResult storage result = _results[round];
        if (!result.finalized && block.number < settleDeadline(round)) revert RoundNotFinalized(round);
        Participation storage participation = _participation[round][bidder];
        if (participation.commits == 0) revert NothingToRelease(round, bidder);
        if (participation.released) revert AlreadyReleased(round, bidder);
        participation.released = true;

        // A winning bid is paid from its own commitment's lock, which was opened; so what is still locked
        // always covers the locks of the commitments left unopened.
        uint256 forfeited = participation.unopened;
        uint256 locked = participation.locked;
        participation.locked = 0;
        if (forfeited > 0) {
            _spendLocked(bidder, forfeited);
            result.forfeits += forfeited;
            forfeitsHeld += forfeited;
        }
        _unlock(bidder, locked - forfeited);
        emit Released(round, bidder, locked - forfeited, forfeited);
    }

    /// @inheritdoc ISealedBidMarket
    function distributeForfeits(uint256 round) external {
        RoundResult storage result = _results[round];
        uint256 amount = result.forfeits;
        if (amount == 0) revert NoForfeits(round);
        result.forfeits = 0;
        forfeitsHeld -= amount;
        emit ForfeitsDistributed(round, amount);
        uint256 n = rollupCount;
        uint256 share = amount / n;
        // The remainder (fewer wei than rollups) goes to rollup 0, as RevenueSplit does with equal weights.
        _creditFor(payoutOf(0), share + amount % n);
        if (share == 0) return;
        for (uint256 i = 1; i < n; ++i) {
            _creditFor(payoutOf(i), share);
        }
    }

    /// @inheritdoc ISealedBidMarket
    function settleDeadline(uint256 round) public view returns (uint256) {
        return roundStart(round) + commitBlocks + revealBlocks + challengeBlocks + settleBlocks;
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ISealedBidMarket
    function topBids(uint256 round, uint256 bundle) external view returns (Bid memory best, Bid memory second) {
        return (_asBid(_best[round][bundle]), _asBid(_second[round][bundle]));
    }

    /// @inheritdoc ISealedBidMarket
    function participationOf(uint256 round, address bidder) external view returns (Participation memory) {
        return _participation[round][bidder];
    }

    /// @inheritdoc ISealedBidMarket
    function resultOf(uint256 round) external view returns (RoundResult memory) {
        return _results[round];
    }

    /// @inheritdoc ISealedBidMarket
    function commitmentState(uint256 round, address bidder, bytes32 commitment)
        external
        view
        returns (CommitmentState memory state)
    {
        SealedBid storage sealedBid = _sealed[round][bidder][commitment];
        // A registered commitment locks at least minLock > 0, so a zero lock means none was posted.
        return CommitmentState(sealedBid.lock != 0, sealedBid.revealed, sealedBid.lock, sealedBid.order);
    }

    // ---------------------------------------------------------------- internals

    /// @dev Keeps the top two bids from distinct bidders. A bidder's own better bid replaces theirs;
    ///      the resulting pair depends only on the set of bids, not on the order they are revealed.
    function _recordBid(uint256 round, uint256 bundle, StoredBid memory bid) private {
        StoredBid storage best = _best[round][bundle];
        if (best.bidder == bid.bidder) {
            if (_beats(bid, best)) _best[round][bundle] = bid;
            return;
        }
        if (_beats(bid, best)) {
            _second[round][bundle] = best;
            _best[round][bundle] = bid;
        } else if (_beats(bid, _second[round][bundle])) {
            _second[round][bundle] = bid;
        }
    }

    function _beats(StoredBid memory a, StoredBid memory b) private pure returns (bool) {
        if (b.amount == 0) return a.amount != 0;
        return a.amount > b.amount || (a.amount == b.amount && a.order < b.order);
    }

    /// @dev Charges the winner of `bundle` `price`, from the collateral it locked in `round`. A VCG price is recorded
    ///      for `salesOf` (a first price is the bid, already stored); it never exceeds the bid (see `_vcgCharges`),
    ///      so it fits the bid's 128 bits.
    function _collect(uint256 round, uint256 bundle, uint256 price) internal override {
        StoredBid storage bid = _best[round][bundle];
        address winner = bid.bidder;
        if (paymentRule == PaymentRule.Vcg) bid.price = uint128(price);
        _spendLocked(winner, price);
        _participation[round][winner].locked -= price;
        emit BundleSold(round, bundle, winner, bid.amount, price);
    }

    /// @dev What the winner of `bundle`, sold in `round`, paid: its bid under first price, the recorded VCG price.
    function _pricePaid(uint256 round, uint256 bundle) internal view override returns (uint256) {
        StoredBid storage bid = _best[round][bundle];
        return paymentRule == PaymentRule.Vcg ? bid.price : bid.amount;
    }

    function _asBid(StoredBid storage stored) private view returns (Bid memory) {
        return Bid(stored.amount, stored.order, stored.bidder);
    }

    /// @dev First price: each sold bundle's winner pays its bid. VCG: see `_vcgCharges`.
    function _charges(uint256 round, uint256[] memory sold, uint256 welfare)
        internal
        override
        returns (Charge[] memory)
    {
        return paymentRule == PaymentRule.Vcg ? _vcgCharges(round, sold, welfare) : _atBids(round, sold);
    }

    /// @dev VCG. Winner i, bidding b_i in all on the bundles it wins, pays p_i = min(b_i, W(-i) - (W - b_i)),
    ///      where W(-i) is the best claim but never less than the dissolved floor W - b_i + D_i, D_i being the
    ///      value without i of the rollups of i's bundles as singletons (max(reserve, best other singleton bid)
    ///      each). So with no claim at all i pays min(b_i, D_i): what its rollups are worth without it.
    ///      p_i is spread over i's bundles in proportion to their bids, never charging a bundle more than its
    ///      bid (see `_spread`). The claimant of the best W(-i) earns claimBountyBps of what its claim added to
    ///      each bundle's price, as a keeper fee.
    ///      Per-winner sums live in transient storage keyed by (round, winner), so the work is three passes over
    ///      the sold bundles whatever the number of winners (the grouping used to be quadratic: 35.7M gas at 256
    ///      winners). No state survives the transaction, and the round key keeps two finalizations in one
    ///      transaction apart.
    function _vcgCharges(uint256 round, uint256[] memory sold, uint256 welfare)
        private
        returns (Charge[] memory charges)
    {
        uint256 count = sold.length;
        charges = new Charge[](count);
        bytes32[] memory keys = new bytes32[](count);
        // Pass 1: each winner's bid total, dissolved floor D_i and number of bundles.
        for (uint256 k; k < count; ++k) {
            StoredBid storage bid = _best[round][sold[k]];
            address winner = bid.bidder;
            bytes32 key = _winnerKey(round, winner);
            keys[k] = key;
            uint256 dissolved = 0;
            for (uint256 rest = sold[k]; rest != 0; rest &= rest - 1) {
                dissolved += _singletonValue(round, rest.lowestIndex(), winner);
            }
            _tadd(key, _BID_TOTAL, bid.amount);
            _tadd(key, _DISSOLVED, dissolved);
            _tadd(key, _BUNDLES, 1);
        }
        // Pass 2: each winner's payment with its best claim and without any, then each bundle's floored share.
        // A winner of one bundle pays all on it: no division, no remainder (most winners of a large round).
        uint256[] memory floorShares = new uint256[](count);
        bool spread = false;
        for (uint256 k; k < count; ++k) {
            bytes32 key = keys[k];
            if (_tget(key, _PRICED) == 0) _priceWinner(round, _best[round][sold[k]].bidder, key, welfare);
            if (_tget(key, _BUNDLES) == 1) {
                charges[k].price = _tget(key, _PAYMENT);
                floorShares[k] = _tget(key, _FLOOR_PAYMENT);
                continue;
            }
            spread = true;
            uint256 amount = _best[round][sold[k]].amount;
            uint256 total = _tget(key, _BID_TOTAL);
            charges[k].price = FullMath.mulDiv(_tget(key, _PAYMENT), amount, total);
            floorShares[k] = FullMath.mulDiv(_tget(key, _FLOOR_PAYMENT), amount, total);
            _tadd(key, _PAYMENT_LEFT, charges[k].price);
            _tadd(key, _FLOOR_LEFT, floorShares[k]);
        }
        // Pass 3: the remainders, one wei at a time to bundles still below their bid; then the claim bounty on
        // what the claim added.
        for (uint256 k; k < count; ++k) {
            bytes32 key = keys[k];
            if (spread && _tget(key, _BUNDLES) > 1) {
                uint256 amount = _best[round][sold[k]].amount;
                charges[k].price += _takeRemainder(key, _PAYMENT, _PAYMENT_LEFT, charges[k].price, amount);
                floorShares[k] += _takeRemainder(key, _FLOOR_PAYMENT, _FLOOR_LEFT, floorShares[k], amount);
            }
            if (charges[k].price > floorShares[k]) {
                charges[k].fee = ((charges[k].price - floorShares[k]) * claimBountyBps) / BPS;
                charges[k].keeper = counterfactualClaimant[round][_best[round][sold[k]].bidder];
            }
        }
    }

    /// @dev Stores winner `bidder`'s payment with its best claim and without any claim (see `_vcgCharges`).
    function _priceWinner(uint256 round, address bidder, bytes32 key, uint256 welfare) private {
        uint256 total = _tget(key, _BID_TOTAL);
        uint256 dissolved = _tget(key, _DISSOLVED);
        uint256 others = welfare - total; // W - b_i: what the others get with i
        uint256 claimed = counterfactualValue[round][bidder];
        uint256 without = claimed > others + dissolved ? claimed : others + dissolved;
        uint256 payment = without - others;
        _tset(key, _PAYMENT, payment < total ? payment : total);
        _tset(key, _FLOOR_PAYMENT, dissolved < total ? dissolved : total);
        _tset(key, _PRICED, 1);
    }

    /// @dev The wei a bundle whose floored share is `share` of `amount` takes from its winner's remainder: one
    ///      while the remainder (payment at `totalField` minus what `leftField` has handed out) is not exhausted
    ///      and the bundle is below its bid. The remainder is below the winner's bundle count and every bundle
    ///      is below its bid unless the payment is the whole bid (remainder 0), so one pass places it all.
    function _takeRemainder(bytes32 key, uint256 totalField, uint256 leftField, uint256 share, uint256 amount)
        private
        returns (uint256)
    {
        if (share >= amount || _tget(key, leftField) >= _tget(key, totalField)) return 0;
        _tadd(key, leftField, 1);
        return 1;
    }

    // Transient per-winner fields (offsets from the winner's key).
    uint256 private constant _BID_TOTAL = 0;
    uint256 private constant _DISSOLVED = 1;
    uint256 private constant _PAYMENT = 2;
    uint256 private constant _FLOOR_PAYMENT = 3;
    uint256 private constant _PAYMENT_LEFT = 4;
    uint256 private constant _FLOOR_LEFT = 5;
    uint256 private constant _PRICED = 6;
    uint256 private constant _BUNDLES = 7;

    /// @dev Where a winner's transient fields start; hashing keeps any two (round, winner) pairs 2**248 slots
    ///      apart in expectation, far beyond the 8 fields.
    // slither-disable-next-line assembly
    function _winnerKey(uint256 round, address winner) private pure returns (bytes32 key) {
        assembly ("memory-safe") {
            mstore(0x00, round)
            mstore(0x20, winner)
            key := keccak256(0x00, 0x40)
        }
    }

    // Transient storage (EIP-1153) has no Solidity syntax for computed slots in 0.8.28: one opcode each.
    // slither-disable-next-line assembly
    function _tget(bytes32 key, uint256 field) private view returns (uint256 value) {
        assembly ("memory-safe") {
            value := tload(add(key, field))
        }
    }

    // slither-disable-next-line assembly
    function _tset(bytes32 key, uint256 field, uint256 value) private {
        assembly ("memory-safe") {
            tstore(add(key, field), value)
        }
    }

    function _tadd(bytes32 key, uint256 field, uint256 amount) private {
        _tset(key, field, _tget(key, field) + amount);
    }

    function _bundleBid(uint256 round, uint256 bundle, address excluded) internal view override returns (uint256) {
        StoredBid storage best = _best[round][bundle];
        // Testing `excluded` first spares reading the bidder's slot when nobody is excluded.
        return excluded != address(0) && best.bidder == excluded ? _second[round][bundle].amount : best.amount;
    }

    function _winnerOf(uint256 round, uint256 bundle) internal view override returns (address) {
        return _best[round][bundle].bidder;
    }

    function _settled(uint256 round) internal view override returns (bool finalized, uint256 soldSingletons) {
        RoundResult storage result = _results[round];
        return (result.finalized, result.soldSingletons);
    }

    function _vcgEnabled() internal view override returns (bool) {
        return paymentRule == PaymentRule.Vcg;
    }

    function _requireProposalPhase(uint256 round) internal view override {
        _requirePhase(round, Phase.Challenge);
    }
}

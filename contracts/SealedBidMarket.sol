// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ISealedBidMarket} from "./interfaces/ISealedBidMarket.sol";
import {BundleMask} from "./libraries/BundleMask.sol";
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
///         and lets bidders release their collateral (minus the penalty for commitments they did not open).
/// @dev Flow of round r: commit -> reveal -> challenge -> settle (see RoundSchedule). Funds invariant:
///      balance == sum(collateralOf) + sum(creditOf), to the wei.
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
        uint256 nonRevealPenalty;
        uint256 maxCommitsPerBidder;
        SplitRule splitRule;
        PaymentRule paymentRule;
        address penaltyRecipient;
    }

    struct SealedBid {
        uint128 lock;
        uint64 order;
        bool revealed;
    }

    /// @inheritdoc ISealedBidMarket
    uint256 public immutable nonRevealPenalty;
    /// @inheritdoc ISealedBidMarket
    uint256 public immutable maxCommitsPerBidder;
    /// @inheritdoc ISealedBidMarket
    PaymentRule public immutable paymentRule;
    /// @inheritdoc ISealedBidMarket
    address public immutable penaltyRecipient;

    /// @inheritdoc ISealedBidMarket
    mapping(uint256 round => uint256) public commitCount;
    mapping(uint256 round => mapping(uint256 bundle => Bid)) private _best;
    mapping(uint256 round => mapping(uint256 bundle => Bid)) private _second;
    mapping(uint256 round => mapping(address bidder => mapping(bytes32 commitment => SealedBid))) private _sealed;
    mapping(uint256 round => mapping(address bidder => Participation)) private _participation;
    mapping(uint256 round => RoundResult) private _results;

    constructor(Config memory config)
        RoundSchedule(config.startBlock, config.commitBlocks, config.revealBlocks, config.challengeBlocks)
        RollupRegistry(config.payouts, config.reserves)
        Settlement(config.splitRule)
    {
        if (config.revealBlocks == 0) revert InvalidSchedule();
        if (config.penaltyRecipient == address(0)) revert InvalidConfig();
        if (config.maxCommitsPerBidder == 0 || config.maxCommitsPerBidder > type(uint32).max) revert InvalidConfig();
        if (config.nonRevealPenalty > type(uint128).max) revert InvalidConfig();
        nonRevealPenalty = config.nonRevealPenalty;
        maxCommitsPerBidder = config.maxCommitsPerBidder;
        paymentRule = config.paymentRule;
        penaltyRecipient = config.penaltyRecipient;
    }

    // ---------------------------------------------------------------- commit and reveal

    /// @inheritdoc ISealedBidMarket
    function commit(uint256 round, bytes32 commitment, uint256 lock) external payable {
        _requirePhase(round, Phase.Commit);
        if (msg.value > 0) _deposit(msg.sender, msg.value);
        if (lock == 0 || lock < nonRevealPenalty) revert LockBelowPenalty(lock, nonRevealPenalty);
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
        _participation[round][msg.sender].reveals += 1;
        if (amount > 0) _recordBid(round, bundle, Bid(uint128(amount), sealedBid.order, msg.sender));
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
        RoundResult storage result = _results[round];
        if (result.finalized) revert AlreadyFinalized(round);
        result.finalized = true;
        (result.soldSingletons, result.revenue) = _settle(round);
    }

    /// @inheritdoc ISealedBidMarket
    function release(uint256 round, address bidder) external {
        if (!_results[round].finalized) revert RoundNotFinalized(round);
        Participation storage participation = _participation[round][bidder];
        if (participation.commits == 0) revert NothingToRelease(round, bidder);
        if (participation.released) revert AlreadyReleased(round, bidder);
        participation.released = true;

        // Each commit locked at least the penalty and a winning bid is paid from its own commit's lock,
        // so what is left always covers the unopened commitments' penalties.
        uint256 penalty = uint256(participation.commits - participation.reveals) * nonRevealPenalty;
        uint256 locked = participation.locked;
        participation.locked = 0;
        if (penalty > 0) {
            _spendLocked(bidder, penalty);
            _credit(penaltyRecipient, penalty);
        }
        _unlock(bidder, locked - penalty);
        emit Released(round, bidder, locked - penalty, penalty);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ISealedBidMarket
    function topBids(uint256 round, uint256 bundle) external view returns (Bid memory best, Bid memory second) {
        return (_best[round][bundle], _second[round][bundle]);
    }

    /// @inheritdoc ISealedBidMarket
    function participationOf(uint256 round, address bidder) external view returns (Participation memory) {
        return _participation[round][bidder];
    }

    /// @inheritdoc ISealedBidMarket
    function resultOf(uint256 round) external view returns (RoundResult memory) {
        return _results[round];
    }

    // ---------------------------------------------------------------- internals

    /// @dev Keeps the top two bids from distinct bidders. A bidder's own better bid replaces theirs;
    ///      the resulting pair depends only on the set of bids, not on the order they are revealed.
    function _recordBid(uint256 round, uint256 bundle, Bid memory bid) private {
        Bid storage best = _best[round][bundle];
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

    function _beats(Bid memory a, Bid memory b) private pure returns (bool) {
        if (b.amount == 0) return a.amount != 0;
        return a.amount > b.amount || (a.amount == b.amount && a.order < b.order);
    }

    /// @dev Charges the winner of `bundle` `price`, from the collateral it locked in `round`.
    function _collect(uint256 round, uint256 bundle, uint256 price) internal override {
        Bid memory bid = _best[round][bundle];
        _spendLocked(bid.bidder, price);
        _participation[round][bid.bidder].locked -= price;
        emit BundleSold(round, bundle, bid.bidder, bid.amount, price);
    }

    /// @dev First price: each sold bundle's winner pays its bid. VCG: see _vcgPrices.
    function _charges(uint256 round, uint256[] memory sold, uint256 welfare)
        internal
        view
        override
        returns (Charge[] memory charges)
    {
        if (paymentRule != PaymentRule.Vcg) return _atBids(round, sold);
        uint256[] memory prices = _vcgPrices(round, sold, welfare);
        charges = new Charge[](sold.length);
        for (uint256 k; k < sold.length; ++k) {
            charges[k].price = prices[k];
        }
    }

    /// @dev VCG: winner i pays W(-i) - (W - b_i) in total, b_i being its bids on the bundles it wins; that total
    ///      is spread over its bundles in proportion to their bids (exactly, by `_spread`). Winners are
    ///      at most the sold bundles (<= rollupCount), so the quadratic grouping is bounded by configuration.
    function _vcgPrices(uint256 round, uint256[] memory sold, uint256 welfare)
        private
        view
        returns (uint256[] memory prices)
    {
        uint256 count = sold.length;
        prices = new uint256[](count);
        bool[] memory priced = new bool[](count);
        for (uint256 k; k < count; ++k) {
            if (priced[k]) continue;
            (address winner, uint256[] memory mine, uint256[] memory amounts, uint256 bidTotal) =
                _bundlesOfWinner(round, sold, k, priced);
            uint256 floor = welfare - bidTotal;
            uint256[] memory shares = _spread(_welfareWithout(round, winner, floor) - floor, amounts, bidTotal);
            for (uint256 m; m < mine.length; ++m) {
                prices[mine[m]] = shares[m];
            }
        }
    }

    /// @dev Spreads a winner's VCG payment over its bundles in proportion to its bids on them, never charging a
    ///      bundle more than its bid: shares are floored and the remainder (fewer wei than bundles) goes one
    ///      wei at a time to bundles still below their bid, of which there is always enough room since
    ///      payment <= total.
    function _spread(uint256 payment, uint256[] memory amounts, uint256 total)
        private
        pure
        returns (uint256[] memory shares)
    {
        shares = new uint256[](amounts.length);
        uint256 left = payment;
        for (uint256 m; m < amounts.length; ++m) {
            shares[m] = (payment * amounts[m]) / total;
            left -= shares[m];
        }
        for (uint256 m; left != 0; ++m) {
            if (shares[m] < amounts[m]) {
                ++shares[m];
                --left;
            }
        }
    }

    /// @dev The winner of sold[k] and the positions, bids and bid total of all its bundles (all at k or
    ///      after: earlier ones belong to winners already priced). Marks them priced.
    function _bundlesOfWinner(uint256 round, uint256[] memory sold, uint256 k, bool[] memory priced)
        private
        view
        returns (address winner, uint256[] memory mine, uint256[] memory amounts, uint256 bidTotal)
    {
        winner = _best[round][sold[k]].bidder;
        mine = new uint256[](sold.length - k);
        amounts = new uint256[](sold.length - k);
        uint256 owned;
        for (uint256 j = k; j < sold.length; ++j) {
            Bid storage bid = _best[round][sold[j]];
            if (bid.bidder != winner) continue;
            priced[j] = true;
            mine[owned] = j;
            amounts[owned] = bid.amount;
            bidTotal += bid.amount;
            ++owned;
        }
        assembly ("memory-safe") {
            mstore(mine, owned)
            mstore(amounts, owned)
        }
    }

    function _bundleBid(uint256 round, uint256 bundle, address excluded) internal view override returns (uint256) {
        Bid storage best = _best[round][bundle];
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

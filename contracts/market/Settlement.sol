// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IMarket} from "../interfaces/IMarket.sol";
import {BundleMask} from "../libraries/BundleMask.sol";
import {RevenueSplit, SplitRule} from "../libraries/RevenueSplit.sol";
import {CreditLedger} from "./CreditLedger.sol";
import {PartitionChallenge} from "./PartitionChallenge.sol";

/// @title Settlement
/// @notice One settlement path for both markets, on the partition PartitionChallenge verified. What sells: the
///         partition's bundles, then every other rollup whose best singleton bid b({i}) is non-zero and meets
///         its reserve. Each sold bundle's winner pays its price, and the bundle's rollups are credited their
///         RevenueSplit shares of it, weighted by the split rule. Anyone can then look up who sequences a rollup.
/// @dev The mechanism supplies, besides b(B) and the phase rule of PartitionChallenge:
///      - `_prices`: what each sold bundle's winner pays (by default its bid b(B): first price, or the ticket
///        revenue);
///      - `_collect`: taking one bundle's price from its winner (it runs before the rollups are credited);
///      - `_winnerOf`: who won a sold bundle;
///      - `_settled`: whether a round is finalized and which singletons it sold (what `_settle` returned).
abstract contract Settlement is IMarket, PartitionChallenge, CreditLedger {
    using BundleMask for uint256;

    /// @inheritdoc IMarket
    SplitRule public immutable splitRule;

    constructor(SplitRule rule) {
        splitRule = rule;
    }

    /// @inheritdoc IMarket
    function sequencerOf(uint256 round, uint256 rollup) external view returns (address) {
        if (rollup >= rollupCount) revert UnknownRollup(rollup);
        (bool finalized, uint256 soldSingletons) = _settled(round);
        if (!finalized) revert RoundNotFinalized(round);
        uint256[] storage bundles = _keptBundles(round);
        for (uint256 k; k < bundles.length; ++k) {
            if (bundles[k].contains(rollup)) return _winnerOf(round, bundles[k]);
        }
        uint256 single = BundleMask.singleton(rollup);
        return soldSingletons & single != 0 ? _winnerOf(round, single) : address(0);
    }

    /// @dev Sells `round` on its best partition: collects each sold bundle's price and credits its rollups.
    ///      Work is bounded by the rollup count. The caller records the round as finalized first.
    /// @return soldSingletons The rollups sold alone, outside the partition (bit i: rollup i).
    /// @return revenue What the winners paid in all.
    function _settle(uint256 round) internal returns (uint256 soldSingletons, uint256 revenue) {
        Clearing storage clearing = _valuedClearing(round);
        uint256[] memory bundles = clearing.bundles;
        uint256[] memory sold;
        (sold, soldSingletons) = _soldBundles(round, bundles);
        uint256[] memory prices = _prices(round, sold, clearing.value);
        for (uint256 k; k < sold.length; ++k) {
            revenue += prices[k];
            _collect(round, sold[k], prices[k]);
            _payRollups(round, sold[k], prices[k]);
        }
        emit RoundFinalized(round, clearing.value, revenue, bundles);
    }

    /// @dev The bundles that sell: the partition's listed bundles, then every other rollup whose best
    ///      singleton bid is non-zero and meets its reserve (also returned as a bitmask).
    function _soldBundles(uint256 round, uint256[] memory bundles)
        private
        view
        returns (uint256[] memory sold, uint256 soldSingletons)
    {
        uint256 n = rollupCount;
        sold = new uint256[](bundles.length + n);
        uint256 count;
        uint256 covered;
        for (uint256 k; k < bundles.length; ++k) {
            covered |= bundles[k];
            sold[count++] = bundles[k];
        }
        for (uint256 i; i < n; ++i) {
            uint256 single = BundleMask.singleton(i);
            if (covered & single != 0) continue;
            uint256 bid = _bundleBid(round, single, address(0));
            if (bid != 0 && bid >= reserveAt(i, round)) {
                soldSingletons |= single;
                sold[count++] = single;
            }
        }
        assembly ("memory-safe") {
            mstore(sold, count)
        }
    }

    /// @dev Credits each rollup of `bundle` its share of `revenue`, weighted by the split rule.
    function _payRollups(uint256 round, uint256 bundle, uint256 revenue) private {
        uint256 size = bundle.size();
        uint256[] memory rollups = new uint256[](size);
        uint256[] memory weights = new uint256[](size);
        bool byReserves = splitRule == SplitRule.Reserves;
        uint256 k;
        for (uint256 rest = bundle; rest != 0; rest &= rest - 1) {
            uint256 i = rest.lowestIndex();
            rollups[k] = i;
            weights[k] = byReserves ? reserveAt(i, round) : singletonValue(round, i);
            ++k;
        }
        uint256[] memory shares = RevenueSplit.split(revenue, weights);
        for (k = 0; k < size; ++k) {
            address payout = payoutOf(rollups[k]);
            _credit(payout, shares[k]);
            emit RollupPaid(round, rollups[k], payout, shares[k]);
        }
    }

    /// @dev What the winner of each of the `sold` bundles pays, given the partition's value W (for VCG). By
    ///      default its bid: first price (or, in the lottery, the ticket revenue).
    function _prices(uint256 round, uint256[] memory sold, uint256) internal view virtual returns (uint256[] memory) {
        return _bids(round, sold);
    }

    /// @dev b(B) of each of the `sold` bundles.
    function _bids(uint256 round, uint256[] memory sold) internal view returns (uint256[] memory bids) {
        bids = new uint256[](sold.length);
        for (uint256 k; k < sold.length; ++k) {
            bids[k] = _bundleBid(round, sold[k], address(0));
        }
    }

    /// @dev Takes `price` for `bundle`, sold in `round`, from its winner (and says so in an event).
    function _collect(uint256 round, uint256 bundle, uint256 price) internal virtual;

    /// @dev Who won `bundle`, sold in finalized `round`; the zero address if the round settled without winners.
    function _winnerOf(uint256 round, uint256 bundle) internal view virtual returns (address);

    /// @dev Whether `round` is finalized, and the singletons `_settle` sold in it.
    function _settled(uint256 round) internal view virtual returns (bool finalized, uint256 soldSingletons);
}

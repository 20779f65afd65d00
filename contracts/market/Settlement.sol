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
///         its reserve. Each sold bundle's winner pays its price; a keeper's fee out of it, if any, is credited
///         to the keeper (a VCG claimant, the lottery's drawer) and the rest is split among the bundle's
///         rollups by RevenueSplit, weighted by the split rule. Anyone can then look up who sequences a rollup.
/// @dev The mechanism supplies, besides b(B) and the phase rule of PartitionChallenge:
///      - `_charges`: what each sold bundle's winner pays and the keeper's fee in it (by default its bid b(B),
///        no fee: first price, or the ticket revenue);
///      - `_collect`: taking one bundle's price from its winner (it runs before the rollups are credited);
///      - `_winnerOf`: who won a sold bundle;
///      - `_settled`: whether a round is finalized and which singletons it sold (what `_settle` returned).
abstract contract Settlement is IMarket, PartitionChallenge, CreditLedger {
    using BundleMask for uint256;

    /// @dev What a sold bundle's winner pays (`price`), and the part of it (`fee`) credited to `keeper` rather
    ///      than to the bundle's rollups.
    struct Charge {
        uint256 price;
        uint256 fee;
        address keeper;
    }

    /// @inheritdoc IMarket
    SplitRule public immutable splitRule;

    constructor(SplitRule rule) {
        splitRule = rule;
        // Rollups are credited at every settlement: their ledger entries start non-zero (see CreditLedger).
        for (uint256 i; i < rollupCount; ++i) {
            _keepCredit(payoutOf(i));
        }
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

    /// @inheritdoc IMarket
    function salesOf(uint256 round) external view returns (Sale[] memory sales) {
        (bool finalized, uint256 soldSingletons) = _settled(round);
        if (!finalized) revert RoundNotFinalized(round);
        uint256[] memory listed = _soldListed(round);
        uint256 count = listed.length;
        sales = new Sale[](count + soldSingletons.size());
        for (uint256 k; k < count; ++k) {
            sales[k] = _sale(round, listed[k]);
        }
        for (uint256 rest = soldSingletons; rest != 0; rest &= rest - 1) {
            sales[count++] = _sale(round, BundleMask.singleton(rest.lowestIndex()));
        }
    }

    function _sale(uint256 round, uint256 bundle) private view returns (Sale memory) {
        uint256 bid = _bundleBid(round, bundle, address(0));
        return Sale(bundle, _winnerOf(round, bundle), bid, _pricePaid(round, bundle));
    }

    /// @dev Sells `round` on its best partition: collects each sold bundle's price, pays its keeper's fee and
    ///      credits its rollups the rest. Work is bounded by the rollup count. The caller records the round as
    ///      finalized first.
    /// @return soldSingletons The rollups sold alone, outside the partition (bit i: rollup i).
    /// @return revenue What the winners paid in all.
    function _settle(uint256 round) internal returns (uint256 soldSingletons, uint256 revenue) {
        Clearing storage clearing = _valuedClearing(round);
        uint256[] memory bundles = clearing.bundles;
        uint256[] memory sold;
        (sold, soldSingletons) = _soldBundles(round, bundles);
        Charge[] memory charges = _charges(round, sold, clearing.value);
        for (uint256 k; k < sold.length; ++k) {
            Charge memory charge = charges[k];
            revenue += charge.price;
            _collect(round, sold[k], charge.price);
            if (charge.fee != 0) {
                _credit(charge.keeper, charge.fee);
                emit KeeperPaid(round, sold[k], charge.keeper, charge.fee);
            }
            _payRollups(round, sold[k], charge.price - charge.fee);
        }
        emit RoundFinalized(round, clearing.value, revenue, bundles);
    }

    /// @dev The bundles that sell: the partition's listed bundles, then every other rollup whose best
    ///      singleton bid is non-zero and meets its reserve (also returned as a bitmask).
    // slither-disable-next-line assembly
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

    /// @dev Credits each rollup of `bundle` its share of `revenue`, weighted by the split rule. A rollup sold
    ///      alone gets all of it, without the split's arrays (most sales in a large round are singletons).
    function _payRollups(uint256 round, uint256 bundle, uint256 revenue) private {
        if (bundle & (bundle - 1) == 0) {
            _payRollup(round, bundle.lowestIndex(), revenue);
            return;
        }
        uint256 size = bundle.size();
        uint256[] memory rollups = new uint256[](size);
        uint256[] memory weights = new uint256[](size);
        bool byReserves = splitRule == SplitRule.Reserves;
        uint256 k = 0;
        for (uint256 rest = bundle; rest != 0; rest &= rest - 1) {
            uint256 i = rest.lowestIndex();
            rollups[k] = i;
            weights[k] = byReserves ? reserveAt(i, round) : singletonValue(round, i);
            ++k;
        }
        uint256[] memory shares = RevenueSplit.split(revenue, weights);
        for (k = 0; k < size; ++k) {
            _payRollup(round, rollups[k], shares[k]);
        }
    }

    function _payRollup(uint256 round, uint256 rollup, uint256 amount) private {
        address payout = payoutOf(rollup);
        _creditFor(payout, amount);
        emit RollupPaid(round, rollup, payout, amount);
    }


    /// @dev What the winner of each of the `sold` bundles pays, and any keeper's fee in it, given the partition's
    ///      value W (for VCG). A fee never exceeds its price. By default the bid and no fee: first price (or, in
    ///      the lottery, the ticket revenue).
    function _charges(uint256 round, uint256[] memory sold, uint256) internal virtual returns (Charge[] memory) {
        return _atBids(round, sold);
    }

    /// @dev Each of the `sold` bundles charged its bid b(B), without fees.
    function _atBids(uint256 round, uint256[] memory sold) internal view returns (Charge[] memory charges) {
        charges = new Charge[](sold.length);
        for (uint256 k; k < sold.length; ++k) {
            charges[k].price = _bundleBid(round, sold[k], address(0));
        }
    }

    /// @dev The listed bundles finalized `round` sold: its best partition's, unless the mechanism settled it without
    ///      selling anything (a voided lottery round).
    function _soldListed(uint256 round) internal view virtual returns (uint256[] memory) {
        return _keptBundles(round);
    }

    /// @dev What the winner of `bundle`, sold in finalized `round`, paid for it. By default its bid b(B): first price,
    ///      or the lottery's ticket revenue.
    function _pricePaid(uint256 round, uint256 bundle) internal view virtual returns (uint256) {
        return _bundleBid(round, bundle, address(0));
    }

    /// @dev Takes `price` for `bundle`, sold in `round`, from its winner (and says so in an event).
    function _collect(uint256 round, uint256 bundle, uint256 price) internal virtual;

    /// @dev Who won `bundle`, sold in finalized `round`; the zero address if the round settled without winners.
    function _winnerOf(uint256 round, uint256 bundle) internal view virtual returns (address);

    /// @dev Whether `round` is finalized, and the singletons `_settle` sold in it.
    function _settled(uint256 round) internal view virtual returns (bool finalized, uint256 soldSingletons);
}

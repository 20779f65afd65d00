// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SplitRule} from "../libraries/RevenueSplit.sol";
import {ICreditLedger} from "./ICreditLedger.sol";
import {IPartitionChallenge} from "./IPartitionChallenge.sol";

/// @title IMarket
/// @notice What the sealed-bid and the lottery market share: bids (or tickets) on bundles of rollups, a clearing
///         verified by partition challenge, and one settlement (see Settlement) that sells the partition's
///         bundles and the singletons meeting their reserves, and credits each sold bundle's rollups their
///         share of its revenue.
interface IMarket is IPartitionChallenge, ICreditLedger {
    /// @notice A bundle sold in a finalized round: its `winner`, the winning `bid` (the lottery: the bundle's ticket
    ///         revenue) and the `price` the winner paid for it, keeper fees included (first price and the lottery:
    ///         the bid; VCG: its share of the winner's VCG payment, at most the bid).
    struct Sale {
        uint256 bundle;
        address winner;
        uint256 bid;
        uint256 price;
    }

    /// @notice Emitted when rollup `rollup` is credited `amount` at `payout`, its share of a bundle sold in `round`.
    event RollupPaid(uint256 indexed round, uint256 indexed rollup, address payout, uint256 amount);

    /// @notice Emitted when `keeper` is credited `amount` out of what `bundle`'s winner paid in `round`: its fee
    ///         for work the round needed (a VCG counterfactual claim, the lottery's draw).
    event KeeperPaid(uint256 indexed round, uint256 bundle, address indexed keeper, uint256 amount);

    /// @notice Emitted when `round` is settled on the partition `bundles` (its listed multi-rollup bundles; rollups
    ///         sold alone are not in it, see `salesOf`).
    /// @dev `value` is NOT revenue: it is the partition's value W, the sum of v(B) over every part, which counts
    ///      each unsold rollup at its reserve and each rollup sold alone at max(bid, reserve). What the winners
    ///      paid in all is `revenue` (first price: their bids; VCG: their VCG payments; the lottery: the ticket
    ///      revenue of the sold bundles); the rollups received it less any keeper fees (`KeeperPaid`). A voided
    ///      lottery round settles with value 0, revenue 0 and no bundles.
    event RoundFinalized(uint256 indexed round, uint256 value, uint256 revenue, uint256[] bundles);

    /// @notice Thrown when a market is deployed with a parameter out of its range.
    error InvalidConfig();

    /// @notice Thrown when a bid or ticket purchase names an empty `bundle` or one holding a rollup index at or
    ///         beyond rollupCount.
    error InvalidBundle(uint256 bundle);

    /// @notice Thrown when `round` is finalized a second time.
    error AlreadyFinalized(uint256 round);

    /// @notice Thrown when a call needs `round` finalized and it is not yet.
    error RoundNotFinalized(uint256 round);

    /// @notice How a multi-rollup bundle's revenue is weighted among its rollups.
    function splitRule() external view returns (SplitRule);

    /// @notice Who sequences `rollup` in finalized `round`; the zero address if it went unsold.
    function sequencerOf(uint256 round, uint256 rollup) external view returns (address);

    /// @notice The bundles finalized `round` sold, with their winners, bids and prices: the partition's listed
    ///         bundles in the order proposed, then the rollups sold alone, lowest index first (the order of the
    ///         `BundleSold` / `LotteryWon` events). Empty for a voided lottery round.
    /// @dev Reverts RoundNotFinalized before settlement (and for a sealed-bid round that lapsed: it sold nothing).
    ///      Bounded by the rollup count: at most 256 sales.
    function salesOf(uint256 round) external view returns (Sale[] memory sales);
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRoundSchedule} from "./IRoundSchedule.sol";

/// @title IRollupRegistry
/// @notice The rollups on sale, their payout addresses and their reserve prices.
interface IRollupRegistry is IRoundSchedule {
    /// @notice Emitted when rollup `rollup` asks at least `reserve` from round `fromRound` on.
    event ReserveChanged(uint256 indexed rollup, uint256 reserve, uint256 fromRound);

    /// @notice Thrown when a market is deployed with no rollups or more than 256.
    error InvalidRollupCount(uint256 count);

    /// @notice Thrown when a market is deployed with `payouts` payout addresses but `reserves` reserves.
    error ConfigLengthMismatch(uint256 payouts, uint256 reserves);

    /// @notice Thrown when a market is deployed with the zero address as rollup `rollup`'s payout address.
    error ZeroPayoutAddress(uint256 rollup);

    /// @notice Thrown when a reserve is 2**128 wei or more.
    error ReserveTooLarge(uint256 reserve);

    /// @notice Thrown when `rollup` is not the index of a rollup on sale.
    error UnknownRollup(uint256 rollup);

    /// @notice Thrown when `caller`, not rollup `rollup`'s payout address, tries to change its reserve.
    error NotRollupPayout(uint256 rollup, address caller);

    /// @notice Number of rollups on sale (1 to 256); rollup indices run from 0 to rollupCount - 1.
    function rollupCount() external view returns (uint256);

    /// @notice Change your rollup's reserve price; it applies from the first round not yet open.
    /// @param rollup Index of the rollup; the caller must be its payout address.
    /// @param reserve The new reserve price in wei (< 2**128).
    function setReserve(uint256 rollup, uint256 reserve) external;

    /// @notice The reserve price of `rollup` in `round`.
    function reserveAt(uint256 rollup, uint256 round) external view returns (uint256);

    /// @notice Where `rollup`'s revenue is credited.
    function payoutOf(uint256 rollup) external view returns (address);
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ICreditLedger} from "./ICreditLedger.sol";

/// @title ICollateralVault
/// @notice Bidders' collateral, part of it locked behind sealed bids.
interface ICollateralVault is ICreditLedger {
    /// @notice Emitted when `bidder` adds `amount` to its collateral.
    event Deposited(address indexed bidder, uint256 amount);

    /// @notice Emitted when `bidder` withdraws `amount` of its collateral to `to`.
    event CollateralWithdrawn(address indexed bidder, address indexed to, uint256 amount);

    /// @notice Thrown when `requested` wei of collateral are to be withdrawn or locked but only `available` are
    ///         unlocked.
    error InsufficientUnlocked(uint256 requested, uint256 available);

    /// @notice Thrown when a deposit would take `bidder`'s collateral to 2**128 wei or more (`total`).
    error CollateralTooLarge(address bidder, uint256 total);

    /// @notice Collateral deposited by `bidder` and not yet paid out or withdrawn.
    function collateralOf(address bidder) external view returns (uint256);

    /// @notice Part of collateralOf(bidder) backing bids in rounds not yet released for `bidder`.
    function lockedOf(address bidder) external view returns (uint256);

    /// @notice Add msg.value to your collateral.
    function deposit() external payable;

    /// @notice Withdraw `amount` of your unlocked collateral to `to`.
    /// @param amount Wei to withdraw; at most unlockedOf(msg.sender).
    /// @param to Recipient of the transfer.
    function withdrawCollateral(uint256 amount, address payable to) external;

    /// @notice Collateral `bidder` may withdraw now.
    function unlockedOf(address bidder) external view returns (uint256);
}

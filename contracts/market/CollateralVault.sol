// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {CreditLedger} from "./CreditLedger.sol";

/// @title CollateralVault
/// @notice Holds bidders' collateral beside the credit ledger; all money leaves by pull withdrawals.
/// @dev Invariant (checked by the tests to the wei): address(this).balance == sum(collateralOf) + sum(creditOf)
///      (plus what the market holds for others, e.g. forfeits not yet distributed). lockedOf[b] <= collateralOf[b]
///      always; only collateralOf - lockedOf can be withdrawn. A bidder's collateral and locked part share one
///      storage slot (each below 2**128 wei, far above any balance), so settling a winner reads and writes one
///      slot instead of two: 5k gas per winner, 1.3M at 256 winners.
abstract contract CollateralVault is ICollateralVault, CreditLedger {
    struct Collateral {
        uint128 total;
        uint128 locked;
    }

    mapping(address bidder => Collateral) private _collateral;

    /// @inheritdoc ICollateralVault
    function deposit() external payable {
        if (msg.value == 0) revert ZeroAmount();
        _deposit(msg.sender, msg.value);
    }

    /// @inheritdoc ICollateralVault
    function withdrawCollateral(uint256 amount, address payable to) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress();
        uint256 available = unlockedOf(msg.sender);
        if (amount > available) revert InsufficientUnlocked(amount, available);
        _collateral[msg.sender].total -= uint128(amount);
        emit CollateralWithdrawn(msg.sender, to, amount);
        _send(to, amount);
    }

    /// @inheritdoc ICollateralVault
    function collateralOf(address bidder) public view returns (uint256) {
        return _collateral[bidder].total;
    }

    /// @inheritdoc ICollateralVault
    function lockedOf(address bidder) public view returns (uint256) {
        return _collateral[bidder].locked;
    }

    /// @inheritdoc ICollateralVault
    function unlockedOf(address bidder) public view returns (uint256) {
        Collateral storage collateral = _collateral[bidder];
        return collateral.total - collateral.locked;
    }

    function _deposit(address bidder, uint256 amount) internal {
        uint256 total = _collateral[bidder].total + amount;
        if (total > type(uint128).max) revert CollateralTooLarge(bidder, total);
        _collateral[bidder].total = uint128(total);
        emit Deposited(bidder, amount);
    }

    /// @dev Locks `amount` (the caller checked it is below 2**128) of `bidder`'s unlocked collateral.
    function _lock(address bidder, uint256 amount) internal {
        uint256 available = unlockedOf(bidder);
        if (amount > available) revert InsufficientUnlocked(amount, available);
        _collateral[bidder].locked += uint128(amount);
    }

    function _unlock(address bidder, uint256 amount) internal {
        _collateral[bidder].locked -= uint128(amount);
    }

    /// @dev Takes `amount` out of `bidder`'s locked collateral; the caller credits it to someone in the same call.
    function _spendLocked(address bidder, uint256 amount) internal {
        Collateral storage collateral = _collateral[bidder];
        collateral.locked -= uint128(amount);
        collateral.total -= uint128(amount);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {CreditLedger} from "./CreditLedger.sol";

/// @title CollateralVault
/// @notice Holds bidders' collateral beside the credit ledger; all money leaves by pull withdrawals.
/// @dev Invariant (checked by the tests to the wei): address(this).balance == sum(collateralOf) + sum(creditOf).
///      lockedOf[b] <= collateralOf[b] always; only collateralOf - lockedOf can be withdrawn.
abstract contract CollateralVault is ICollateralVault, CreditLedger {
    /// @inheritdoc ICollateralVault
    mapping(address bidder => uint256) public collateralOf;
    /// @inheritdoc ICollateralVault
    mapping(address bidder => uint256) public lockedOf;

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
        collateralOf[msg.sender] -= amount;
        emit CollateralWithdrawn(msg.sender, to, amount);
        _send(to, amount);
    }

    /// @inheritdoc ICollateralVault
    function unlockedOf(address bidder) public view returns (uint256) {
        return collateralOf[bidder] - lockedOf[bidder];
    }

    function _deposit(address bidder, uint256 amount) internal {
        collateralOf[bidder] += amount;
        emit Deposited(bidder, amount);
    }

    function _lock(address bidder, uint256 amount) internal {
        uint256 available = unlockedOf(bidder);
        if (amount > available) revert InsufficientUnlocked(amount, available);
        lockedOf[bidder] += amount;
    }

    function _unlock(address bidder, uint256 amount) internal {
        lockedOf[bidder] -= amount;
    }

    /// @dev Takes `amount` out of `bidder`'s locked collateral; the caller credits it to someone in the same call.
    function _spendLocked(address bidder, uint256 amount) internal {
        lockedOf[bidder] -= amount;
        collateralOf[bidder] -= amount;
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ICreditLedger} from "../interfaces/ICreditLedger.sol";

/// @title CreditLedger
/// @notice Money the market owes (rollup revenue, penalties, refunds) is credited here and leaves only by
///         pull withdrawal, behind a reentrancy guard, after the books are updated.
abstract contract CreditLedger is ICreditLedger {
    /// @inheritdoc ICreditLedger
    mapping(address account => uint256) public creditOf;

    uint256 private _reentrancyStatus = 1;

    modifier nonReentrant() {
        if (_reentrancyStatus != 1) revert ReentrantCall();
        _reentrancyStatus = 2;
        _;
        _reentrancyStatus = 1;
    }

    /// @inheritdoc ICreditLedger
    function withdrawCredit(address payable to) external nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        uint256 amount = creditOf[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        creditOf[msg.sender] = 0;
        emit CreditWithdrawn(msg.sender, to, amount);
        _send(to, amount);
    }

    function _credit(address account, uint256 amount) internal {
        creditOf[account] += amount;
        emit Credited(account, amount);
    }

    function _send(address payable to, uint256 amount) internal {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }
}

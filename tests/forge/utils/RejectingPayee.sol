// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title RejectingPayee
/// @notice A payout address (or bidder) whose receive hook refuses every payment, as a contract wallet without a
///         payable fallback would: a withdrawal to it must fail as a whole and leave what it is owed in place.
contract RejectingPayee {
    /// @notice Thrown on every payment of `amount` wei sent to this contract.
    error PaymentRejected(uint256 amount);

    receive() external payable {
        revert PaymentRejected(msg.value);
    }
}

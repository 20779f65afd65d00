// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ICreditLedger
/// @notice Money the market owes, withdrawn by pull.
interface ICreditLedger {
    /// @notice Emitted when `amount` is credited to `account` (rollup revenue, penalty, refund, excess payment).
    event Credited(address indexed account, uint256 amount);

    /// @notice Emitted when `account` withdraws all its credit, `amount`, to `to`.
    event CreditWithdrawn(address indexed account, address indexed to, uint256 amount);

    /// @notice Thrown when a deposit or withdrawal is of zero wei.
    error ZeroAmount();

    /// @notice Thrown when a withdrawal names the zero address as recipient.
    error ZeroAddress();

    /// @notice Thrown when the caller has no credit to withdraw.
    error NothingToWithdraw();

    /// @notice Thrown when sending `amount` wei to `to` fails (its receive hook reverted or ran out of gas).
    error TransferFailed(address to, uint256 amount);

    /// @notice Thrown when a withdrawal is re-entered from the recipient's receive hook.
    error ReentrantCall();

    /// @notice Money owed to `account`, withdrawable at any time.
    function creditOf(address account) external view returns (uint256);

    /// @notice Withdraw everything credited to you to `to`.
    /// @param to Recipient of the transfer.
    function withdrawCredit(address payable to) external;
}

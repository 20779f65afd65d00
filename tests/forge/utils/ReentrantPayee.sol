// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ReentrantPayee
/// @notice A payout address (or bidder) whose receive hook, when armed, calls the market once more: the same
///         withdrawal, or the other one (credit from a collateral payment, collateral from a credit payment). The
///         handler arms it before each withdrawal it makes as this address, then reads what the re-entry got.
/// @dev Unlike contracts/test/ReentrantWithdrawer (the pytest suite's), it makes no call of its own: the handler
///      calls the market as this address (vm.prank), so it also takes part in rounds like any other account.
contract ReentrantPayee {
    /// @notice The market it re-enters (set after deployment: the market lists this contract as a payout).
    address public market;
    /// @notice Whether the last armed re-entry went through (the reentrancy guard failed).
    bool public reentered;
    /// @notice What the last armed re-entry reverted with (empty if it went through or never ran).
    bytes public blockedWith;
    /// @notice Wei received, over its lifetime.
    uint256 public received;
    bytes private _reentry;

    function setMarket(address target) external {
        market = target;
    }

    /// @notice Make the next payment call the market with `call` from the receive hook (empty: do nothing).
    function arm(bytes calldata call) external {
        _reentry = call;
        reentered = false;
        delete blockedWith;
    }

    receive() external payable {
        received += msg.value;
        bytes memory call = _reentry;
        if (call.length == 0) return;
        delete _reentry;
        (bool ok, bytes memory reason) = market.call(call);
        reentered = ok;
        blockedWith = reason;
    }
}

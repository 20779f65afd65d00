// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {ICreditLedger} from "../interfaces/ICreditLedger.sol";

/// @title ReentrantWithdrawer (test only)
/// @notice An attacker that, when the market pays it, calls the same withdrawal again from its receive hook.
///         It records the callback's revert selector so tests can show the reentrancy guard stopped it.
contract ReentrantWithdrawer {
    /// @notice The market attacked.
    ICollateralVault public market;
    /// @dev The withdrawal to repeat from the callback; empty means do not attack.
    bytes private _repeat;
    /// @notice Whether the repeated withdrawal went through (the guard failed).
    bool public reentered;
    /// @notice The selector the repeated withdrawal reverted with.
    bytes4 public blockedWith;

    /// @notice Point the attacker at `target` (set after deployment: the market may list this as a payout).
    function setMarket(ICollateralVault target) external {
        market = target;
    }

    /// @notice Deposit msg.value as collateral.
    function deposit() external payable {
        market.deposit{value: msg.value}();
    }

    /// @notice Withdraw `amount` of collateral; if `attack`, try to withdraw it again from the callback.
    function withdrawCollateral(uint256 amount, bool attack) external {
        bytes memory call = abi.encodeCall(ICollateralVault.withdrawCollateral, (amount, payable(address(this))));
        if (attack) _repeat = call;
        _call(call);
    }

    /// @notice Withdraw credit; if `attack`, try to withdraw credit again from the callback.
    function withdrawCredit(bool attack) external {
        bytes memory call = abi.encodeCall(ICreditLedger.withdrawCredit, (payable(address(this))));
        if (attack) _repeat = call;
        _call(call);
    }

    receive() external payable {
        bytes memory call = _repeat;
        if (call.length == 0) return;
        delete _repeat;
        (bool ok, bytes memory reason) = address(market).call(call);
        if (ok) reentered = true;
        else blockedWith = bytes4(reason);
    }

    function _call(bytes memory call) private {
        (bool ok, bytes memory reason) = address(market).call(call);
        if (!ok) {
            assembly {
                revert(add(reason, 32), mload(reason))
            }
        }
    }
}

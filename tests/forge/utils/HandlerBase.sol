// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "./Vm.sol";

/// @title HandlerBase
/// @notice What the invariant handlers share: the actors, the chain clock they drive, counters of what a run
///         exercised (read by the invariant tests), and the checks that revert a handler call on a mismatch.
/// @dev Every handler action states beforehand what should happen (success, or which error) and reports the
///      outcome through _ok or _failed; the invariant tests run with fail_on_revert, so a revert here fails
///      the run.
abstract contract HandlerBase is TestBase {
    /// @dev The block the handler has moved the chain to (forge resets block.number between calls).
    uint256 public blockNumber;
    address[] public bidders;
    address[] public payouts;
    /// @dev Every distinct address that can hold collateral or credit (each handler lists its own).
    address[] public accounts;
    uint256[] public finalizedRounds;
    mapping(bytes32 action => uint256) public okCount;
    mapping(bytes32 action => uint256) public failCount;

    /// @notice Thrown when the market's `what` is `actual` where the model expects `expected`.
    error Mismatch(string what, uint256 expected, uint256 actual);
    /// @notice Thrown when `action` succeeds or fails otherwise than `expected` (an error, or empty for
    ///         success); `reason` is what it did.
    error UnexpectedOutcome(string action, bytes expected, bytes reason);

    /// @notice Calls of `action` that succeeded as expected.
    function ok(string calldata action) external view returns (uint256) {
        return okCount[keccak256(bytes(action))];
    }

    /// @notice Calls of `action` that failed as expected.
    function rejected(string calldata action) external view returns (uint256) {
        return failCount[keccak256(bytes(action))];
    }

    /// @notice Calls of `action` that failed, as expected, with error `error_`.
    function rejectedWith(string calldata action, bytes4 error_) external view returns (uint256) {
        return failCount[keccak256(abi.encode(action, error_))];
    }

    /// @notice Number of accounts that can hold collateral or credit.
    function accountCount() external view returns (uint256) {
        return accounts.length;
    }

    /// @notice Number of bidders.
    function bidderCount() external view returns (uint256) {
        return bidders.length;
    }

    /// @notice Number of rounds finalized so far.
    function finalizedCount() external view returns (uint256) {
        return finalizedRounds.length;
    }

    /// @dev The round now taking bids, from the handler's own schedule.
    function _currentRound() internal view virtual returns (uint256);

    /// @dev The call succeeded: it must have been expected to (`expected` empty).
    function _ok(string memory action, bytes memory expected) internal {
        if (expected.length != 0) revert UnexpectedOutcome(action, expected, "succeeded");
        okCount[keccak256(bytes(action))] += 1;
    }

    function _ok(string memory action, bytes4 expected) internal {
        _ok(action, _err(expected));
    }

    /// @dev The call failed: it must have been expected to, with exactly the expected error (and arguments,
    ///      when the expectation has them).
    function _failed(string memory action, bytes memory expected, bytes memory reason) internal {
        _sameError(action, expected, reason);
        failCount[keccak256(bytes(action))] += 1;
        failCount[keccak256(abi.encode(action, bytes4(expected)))] += 1;
    }

    function _failed(string memory action, bytes4 expected, bytes memory reason) internal {
        _failed(action, _err(expected), reason);
    }

    /// @dev `reason` is the `expected` error: its selector, or all of it when the expectation has arguments.
    function _sameError(string memory action, bytes memory expected, bytes memory reason) internal pure {
        bool same = expected.length >= 4 && reason.length >= 4
            && (expected.length == 4 ? bytes4(reason) == bytes4(expected) : keccak256(reason) == keccak256(expected));
        if (!same) revert UnexpectedOutcome(action, expected, reason);
    }

    /// @dev An expectation of error `selector` (any arguments); the zero selector expects success.
    function _err(bytes4 selector) internal pure returns (bytes memory) {
        return selector == bytes4(0) ? bytes("") : abi.encodePacked(selector);
    }

    function _eq(string memory what, uint256 expected, uint256 actual) internal pure {
        if (expected != actual) revert Mismatch(what, expected, actual);
    }

    function _le(string memory what, uint256 low, uint256 high) internal pure {
        if (low > high) revert Mismatch(what, low, high);
    }

    /// @dev The round `age` rounds back from the current one; mostly that one, sometimes a neighbour (which is
    ///      in the wrong phase for the action).
    function _pickRound(uint256 age, uint256 seed) internal view returns (uint256) {
        uint256 current = _currentRound();
        uint256 round = current >= age ? current - age : 0;
        uint256 r = seed % 12;
        if (r == 0) return round + 1;
        if (r == 1) return round > 0 ? round - 1 : round + 2;
        return round;
    }

    function _popcount(uint256 x) internal pure returns (uint256 count) {
        for (; x != 0; x &= x - 1) {
            ++count;
        }
    }

    function _lowest(uint256 x) internal pure returns (uint256 i) {
        while ((x >> i) & 1 == 0) ++i;
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice The few forge cheatcodes these tests use (forge-std is not vendored: the machines are offline).
interface Vm {
    /// @dev A log recorded after `recordLogs` (forge-std's VmSafe.Log).
    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    function roll(uint256 newHeight) external;
    function chainId(uint256 newChainId) external;
    function prevrandao(bytes32 newPrevrandao) external;
    function recordLogs() external;
    function getRecordedLogs() external returns (Log[] memory logs);
    function deal(address account, uint256 newBalance) external;
    function prank(address msgSender) external;
    function startPrank(address msgSender) external;
    function stopPrank() external;
    function cool(address target) external;
    function label(address account, string calldata newLabel) external;
    function assume(bool condition) external pure;
}

/// @notice Base for forge tests here: the cheatcode handle, assertions that revert with context, and `bound`.
abstract contract TestBase {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    /// @notice Thrown when the assertion `what` fails on `left` and `right`.
    error AssertionFailed(string what, uint256 left, uint256 right);

    function assertEq(uint256 left, uint256 right, string memory what) internal pure {
        if (left != right) revert AssertionFailed(what, left, right);
    }

    function assertLe(uint256 left, uint256 right, string memory what) internal pure {
        if (left > right) revert AssertionFailed(what, left, right);
    }

    function assertTrue(bool condition, string memory what) internal pure {
        if (!condition) revert AssertionFailed(what, 0, 1);
    }

    /// @dev Maps `x` onto [lo, hi] (inclusive), keeping small inputs small so shrunk cases stay readable.
    function bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        require(lo <= hi, "bound: lo > hi");
        uint256 width = hi - lo;
        if (width == type(uint256).max) return x;
        return lo + x % (width + 1);
    }
}

/// @notice forge's console.log (decoded by forge from calls to this address; shown with -vv).
library console {
    address internal constant CONSOLE = 0x000000000000000000636F6e736F6c652e6c6f67;

    function log(string memory label, uint256 value) internal view {
        (bool ok,) = CONSOLE.staticcall(abi.encodeWithSignature("log(string,uint256)", label, value));
        ok;
    }
}

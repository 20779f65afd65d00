// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRollupRegistry} from "../interfaces/IRollupRegistry.sol";
import {RoundSchedule} from "./RoundSchedule.sol";

/// @title RollupRegistry
/// @notice The rollups on sale (fixed at deployment, at most 256), their payout addresses and reserve prices.
/// @dev A reserve change applies from the first round not yet open, never to a round already taking bids, so
///      it is kept as checkpoints (first round, reserve). The latest checkpoint has a slot of its own, so the
///      reserve of a current round costs one storage read (a settlement reads one per rollup: 0.5M gas at 256
///      rollups); earlier ones are looked up by binary search.
abstract contract RollupRegistry is IRollupRegistry, RoundSchedule {
    struct ReserveCheckpoint {
        uint64 fromRound;
        uint192 reserve;
    }

    /// @inheritdoc IRollupRegistry
    uint256 public immutable rollupCount;
    address[] private _payouts;
    mapping(uint256 rollup => ReserveCheckpoint) private _latest;
    mapping(uint256 rollup => ReserveCheckpoint[]) private _earlier;

    constructor(address[] memory payouts, uint256[] memory reserves) {
        if (payouts.length == 0 || payouts.length > 256) revert InvalidRollupCount(payouts.length);
        if (payouts.length != reserves.length) revert ConfigLengthMismatch(payouts.length, reserves.length);
        rollupCount = payouts.length;
        for (uint256 i; i < payouts.length; ++i) {
            if (payouts[i] == address(0)) revert ZeroPayoutAddress(i);
            _checkReserve(reserves[i]);
            _payouts.push(payouts[i]);
            _latest[i] = ReserveCheckpoint(0, uint192(reserves[i]));
            emit ReserveChanged(i, reserves[i], 0);
        }
    }

    /// @inheritdoc IRollupRegistry
    function setReserve(uint256 rollup, uint256 reserve) external {
        if (rollup >= rollupCount) revert UnknownRollup(rollup);
        if (msg.sender != _payouts[rollup]) revert NotRollupPayout(rollup, msg.sender);
        _checkReserve(reserve);
        uint256 fromRound = _firstUnopenedRound();
        ReserveCheckpoint storage latest = _latest[rollup];
        if (latest.fromRound != fromRound) {
            _earlier[rollup].push(latest);
            latest.fromRound = uint64(fromRound);
        }
        latest.reserve = uint192(reserve);
        emit ReserveChanged(rollup, reserve, fromRound);
    }

    /// @inheritdoc IRollupRegistry
    function reserveAt(uint256 rollup, uint256 round) public view returns (uint256) {
        if (rollup >= rollupCount) revert UnknownRollup(rollup);
        ReserveCheckpoint memory latest = _latest[rollup];
        if (round >= latest.fromRound) return latest.reserve;
        ReserveCheckpoint[] storage history = _earlier[rollup];
        uint256 low = 0;
        uint256 high = history.length;
        while (low < high) {
            uint256 mid = (low + high) / 2;
            if (history[mid].fromRound > round) high = mid;
            else low = mid + 1;
        }
        return history[low - 1].reserve;
    }

    /// @inheritdoc IRollupRegistry
    function payoutOf(uint256 rollup) public view returns (address) {
        if (rollup >= rollupCount) revert UnknownRollup(rollup);
        return _payouts[rollup];
    }

    function _checkReserve(uint256 reserve) private pure {
        if (reserve > type(uint128).max) revert ReserveTooLarge(reserve);
    }
}

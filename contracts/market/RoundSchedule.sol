// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRoundSchedule} from "../interfaces/IRoundSchedule.sol";

/// @title RoundSchedule
/// @notice Rounds follow each other on a fixed block schedule and overlap: round r+1 opens for commits
///         the block round r's commit phase closes, so it takes commits while round r is in reveal (and in
///         challenge too when revealBlocks + challengeBlocks <= commitBlocks). Round r's phases, with
///         s = startBlock + r * commitBlocks:
///         commit [s, s+C), reveal [s+C, s+C+R), challenge [s+C+R, s+C+R+H), settle from s+C+R+H on.
///         Lottery rounds use the commit phase as their ticket sale and have no reveal (R = 0).
abstract contract RoundSchedule is IRoundSchedule {
    /// @dev Far beyond any chain's lifetime; keeps round arithmetic clear of overflow.
    uint256 internal constant MAX_ROUND = type(uint64).max;

    /// @inheritdoc IRoundSchedule
    uint256 public immutable startBlock;
    /// @inheritdoc IRoundSchedule
    uint256 public immutable commitBlocks;
    /// @inheritdoc IRoundSchedule
    uint256 public immutable revealBlocks;
    /// @inheritdoc IRoundSchedule
    uint256 public immutable challengeBlocks;

    constructor(uint256 start, uint256 commitLength, uint256 revealLength, uint256 challengeLength) {
        // A zero reveal phase is allowed: lottery rounds go straight from their sale (the commit slot) to
        // the challenge.
        if (commitLength == 0 || challengeLength == 0) revert InvalidSchedule();
        if (start > type(uint64).max || (commitLength | revealLength | challengeLength) > type(uint32).max) {
            revert InvalidSchedule();
        }
        startBlock = start;
        commitBlocks = commitLength;
        revealBlocks = revealLength;
        challengeBlocks = challengeLength;
    }

    /// @inheritdoc IRoundSchedule
    function roundStart(uint256 round) public view returns (uint256) {
        if (round > MAX_ROUND) revert RoundOutOfRange(round);
        return startBlock + round * commitBlocks;
    }

    /// @inheritdoc IRoundSchedule
    function phaseOf(uint256 round) public view returns (Phase) {
        uint256 s = roundStart(round);
        uint256 b = block.number;
        if (b < s) return Phase.NotOpen;
        if (b < s + commitBlocks) return Phase.Commit;
        if (b < s + commitBlocks + revealBlocks) return Phase.Reveal;
        if (b < s + commitBlocks + revealBlocks + challengeBlocks) return Phase.Challenge;
        return Phase.Settle;
    }

    /// @inheritdoc IRoundSchedule
    function currentRound() public view returns (uint256) {
        if (block.number < startBlock) return 0;
        return (block.number - startBlock) / commitBlocks;
    }

    /// @dev The first round whose commit phase has not begun: changes to rollup terms apply from here.
    function _firstUnopenedRound() internal view returns (uint256) {
        return block.number < startBlock ? 0 : currentRound() + 1;
    }

    function _requirePhase(uint256 round, Phase expected) internal view {
        Phase actual = phaseOf(round);
        if (actual != expected) revert WrongPhase(round, expected, actual);
    }
}

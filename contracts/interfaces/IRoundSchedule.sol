// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IRoundSchedule
/// @notice The fixed block schedule of overlapping rounds (see RoundSchedule for the timeline).
interface IRoundSchedule {
    /// @notice Where a round is at some block: not open yet, taking commits (or tickets), revealing, open to
    ///         partition challenges, or ready to settle.
    enum Phase {
        NotOpen,
        Commit,
        Reveal,
        Challenge,
        Settle
    }

    /// @notice Thrown when a schedule has no commit or challenge phase (or no reveal phase for sealed bids), or
    ///         a start block or phase length out of range.
    error InvalidSchedule();

    /// @notice Thrown when `round` is beyond the schedule (above 2**64 - 1).
    error RoundOutOfRange(uint256 round);

    /// @notice Thrown when a call needs `round` in phase `expected` while it is in phase `actual`.
    error WrongPhase(uint256 round, Phase expected, Phase actual);

    /// @notice First block of round 0's commit phase.
    function startBlock() external view returns (uint256);

    /// @notice Length in blocks of every round's commit phase (the lottery's ticket sale), and the distance
    ///         between the starts of consecutive rounds.
    function commitBlocks() external view returns (uint256);

    /// @notice Length in blocks of every round's reveal phase (0 for the lottery).
    function revealBlocks() external view returns (uint256);

    /// @notice Length in blocks of every round's challenge phase.
    function challengeBlocks() external view returns (uint256);

    /// @notice First block of `round`'s commit phase.
    function roundStart(uint256 round) external view returns (uint256);

    /// @notice The phase `round` is in at the current block.
    function phaseOf(uint256 round) external view returns (Phase);

    /// @notice The round taking commits now (0 before the schedule starts).
    function currentRound() external view returns (uint256);
}

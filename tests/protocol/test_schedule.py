"""The block schedule of overlapping rounds (the mirror of RoundSchedule.sol; tests/chain holds it
against the contract)."""

from __future__ import annotations

from seqmarket.protocol.schedule import Phase, Schedule


def test_phases_follow_each_other_and_rounds_overlap():
    schedule = Schedule(start_block=100, commit_blocks=10, reveal_blocks=6, challenge_blocks=3)
    assert [schedule.phase_start(1, p) for p in Phase] == [0, 110, 120, 126, 129]
    assert schedule.phase_at(1, 109) == Phase.NOT_OPEN
    assert [schedule.phase_at(1, b) for b in (110, 119, 120, 125, 126, 128, 129)] == [
        Phase.COMMIT,
        Phase.COMMIT,
        Phase.REVEAL,
        Phase.REVEAL,
        Phase.CHALLENGE,
        Phase.CHALLENGE,
        Phase.SETTLE,
    ]
    # Round 2 opens for commits the block round 1's commit phase closes.
    assert schedule.round_start(2) == schedule.phase_start(1, Phase.REVEAL) == 120


def test_a_lottery_schedule_has_no_reveal_phase():
    schedule = Schedule(start_block=0, commit_blocks=20, reveal_blocks=0, challenge_blocks=4)
    assert schedule.phase_start(0, Phase.REVEAL) == schedule.phase_start(0, Phase.CHALLENGE) == 20
    assert schedule.phase_at(0, 20) == Phase.CHALLENGE

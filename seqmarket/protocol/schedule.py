"""Round phases and their blocks, mirrored from contracts/market/RoundSchedule.sol.

Round r opens at start + r * commit_blocks and runs commit, reveal, challenge, then settles; rounds
overlap because r + 1 opens when r's commit phase closes. Lottery rounds sell tickets in the commit slot
and have no reveal phase.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Phase(IntEnum):
    """Round phases, numbered as RoundSchedule.Phase."""

    NOT_OPEN = 0
    COMMIT = 1
    REVEAL = 2
    CHALLENGE = 3
    SETTLE = 4


@dataclass(frozen=True)
class Schedule:
    """A market's block schedule (its immutable configuration)."""

    start_block: int
    commit_blocks: int
    reveal_blocks: int
    challenge_blocks: int

    def round_start(self, round_: int) -> int:
        """First block of ``round_``'s commit phase."""
        return self.start_block + round_ * self.commit_blocks

    def phase_start(self, round_: int, phase: Phase) -> int:
        """First block of ``phase`` in ``round_`` (0 for NOT_OPEN, which has no first block)."""
        if phase == Phase.NOT_OPEN:
            return 0
        lengths = (self.commit_blocks, self.reveal_blocks, self.challenge_blocks)
        return self.round_start(round_) + sum(lengths[: int(phase) - 1])

    def phase_end(self, round_: int, phase: Phase) -> int | None:
        """First block after ``phase`` in ``round_`` (None for SETTLE, which has no end; the sealed-bid
        market's settlement deadline is a separate setting)."""
        if phase == Phase.SETTLE:
            return None
        return self.phase_start(round_, Phase(int(phase) + 1))

    def round_at(self, block: int) -> int:
        """The round taking commits (or tickets) at ``block``: RoundSchedule.currentRound (0 before start)."""
        if block < self.start_block:
            return 0
        return (block - self.start_block) // self.commit_blocks

    def latest_round_in(self, phase: Phase, block: int) -> int | None:
        """The most recent round in ``phase`` at ``block`` (rounds overlap: several can be open at once), or
        None. For SETTLE, the round that entered it last."""
        newest = self.round_at(block)
        reach = (self.reveal_blocks + self.challenge_blocks) // self.commit_blocks + 2
        for round_ in range(newest, max(-1, newest - reach - 1), -1):
            if self.phase_at(round_, block) == phase:
                return round_
        return None

    def phase_at(self, round_: int, block: int) -> Phase:
        """The phase ``round_`` is in at ``block`` (RoundSchedule.phaseOf with block.number = ``block``)."""
        for phase in (Phase.SETTLE, Phase.CHALLENGE, Phase.REVEAL, Phase.COMMIT):
            if block >= self.phase_start(round_, phase):
                return phase
        return Phase.NOT_OPEN

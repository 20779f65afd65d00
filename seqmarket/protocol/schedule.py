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

    def phase_at(self, round_: int, block: int) -> Phase:
        """The phase ``round_`` is in at ``block`` (RoundSchedule.phaseOf with block.number = ``block``)."""
        for phase in (Phase.SETTLE, Phase.CHALLENGE, Phase.REVEAL, Phase.COMMIT):
            if block >= self.phase_start(round_, phase):
                return phase
        return Phase.NOT_OPEN

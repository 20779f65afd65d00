"""What one MILP solve did in this process: each model's tolerance, each race, each racer's win.

solve_packing records into a Trace when given one; tests read it instead of patching the solver, and a
benchmark can count races. Models that racers build in forked processes are not seen here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from seqmarket.clearing.racing import Racer


@dataclass
class Trace:
    """Appended to as the solve goes: read it after solve_packing returns (or raises)."""

    tolerances: list[float] = field(default_factory=list)  # HiGHS feasibility tolerance per model built
    raced: list[tuple[Racer, ...]] = field(default_factory=list)  # racers started together, per race
    interrupted: int = 0  # stage 0 solves stopped by a racer's complete proof
    certified: int = 0  # components proven by the LP certificate (certificate.py) instead of a HiGHS solve

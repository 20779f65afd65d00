"""The racing policy: which HiGHS settings race for a proof, when they join, and whether a core is free.

HiGHS's time to a proof varies up to 10x with its presolve, in both directions by instance family, so
racing both settings beats guessing. A Racing value is the whole policy; solve_packing takes one, which
is also how tests force, forbid or rearrange races without patching.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

RACE_AFTER = 0.1  # seconds of an unproven stage 0 before the other racers start
POLL_EVERY = 0.002  # seconds between stage 0's looks at the racers


class Objective(enum.Enum):
    """What a racer maximises."""

    LEXICOGRAPHIC = "lexicographic"  # W = (k + 1) * gain - covered: gain and tie rule in one solve
    STAGED = "staged"  # the plain gain, then a tie-break solve for the fewest rollups covered


@dataclass(frozen=True)
class Racer:
    """One racer: its objective and the HiGHS options it runs with."""

    objective: Objective
    options: Mapping[str, Any] = field(default_factory=dict)


# HiGHS's sub-MIP heuristics (RINS, RENS) took about a third of the root time on the hard cell and
# found nothing a proof needed; its presolve helps some families and hurts others (below).
NO_SUBMIP: Mapping[str, Any] = {"mip_heuristic_run_rins": False, "mip_heuristic_run_rens": False}
# The first racer is stage 0 (in-process, and alone when no core is idle), the others join it in forked
# processes after RACE_AFTER. Lexicographic solve times in seconds, HiGHS 1.12, seeds 0-4 (0-2), first
# racer / second racer (the first without its root reduced-cost heuristic: 3.7 6.9 2.8 3.0 17.7 on the
# hard cell):
#   arbitrary 100x500  2.9 6.2 2.1 2.4 16.9  /  4.7 35.6 4.0 3.3 48.4
#   L3 32x1000         5.0 5.5 4.0           /  13.1 5.4 6.0
#   arbitrary 64x2000  0.19 6.1 2.9          /  0.22 2.3 0.27
LEXICOGRAPHIC: tuple[Racer, ...] = (
    Racer(
        Objective.LEXICOGRAPHIC,
        {"presolve": "off", "mip_heuristic_run_root_reduced_cost": False, **NO_SUBMIP},
    ),
    Racer(Objective.LEXICOGRAPHIC, NO_SUBMIP),
)
# Without a lexicographic objective that fits (wei-sized gains whose W passes exact.SAFE): the stages.
STAGED: tuple[Racer, ...] = (
    Racer(Objective.STAGED, {"presolve": "off", **NO_SUBMIP}),
    Racer(Objective.STAGED, NO_SUBMIP),
)


def runnable_now() -> int | None:
    """Tasks runnable at this instant, this one included (Linux /proc/loadavg), or None if unknown."""
    try:
        with open("/proc/loadavg") as loadavg:
            return int(loadavg.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return None


def core_is_idle(cores: int, runnable: int | None, load: float | None) -> bool:
    """Whether a second process would get a core of its own: fewer tasks runnable now than cores.

    Racing on a machine whose other core is busy splits one core between the racers and is slower
    than one in-process solve (measured: 12 s against 6 s on a loaded 2-core machine). ``runnable`` is
    the kernel's instantaneous count (this process included). The 1-minute ``load`` average, used
    before, lags and keeps counting this process's own finished racers: in 110 s of back-to-back hard
    solves on an otherwise idle machine it refused 8 of 31 races. It decides only without /proc.
    """
    if runnable is not None:
        return runnable <= cores - 1
    return load is not None and load <= cores - 0.5  # this process counts about 1


def idle_core() -> bool:
    """core_is_idle() for this machine, now."""
    runnable = runnable_now()
    load = None
    if runnable is None:
        try:
            load = os.getloadavg()[0]
        except OSError:
            load = None
    return core_is_idle(os.cpu_count() or 1, runnable, load)


@dataclass(frozen=True)
class Racing:
    """When and how racers join a MILP solve.

    ``after``: seconds of an unproven stage 0 before the other racers join (None: never race; 0: race
    every racer from the start in forked processes, stage 0 included). ``every``: seconds between stage
    0's looks at the racers (math.inf: never look, so stage 0 finishes on its own), each look waiting up
    to ``wait`` seconds for a racer's report (None: until one reports). ``lexicographic`` and ``staged``
    are the racers when the lexicographic objective fits and when it does not; ``idle_core`` says
    whether a racer would get a core of its own (asked again every ``after`` seconds while it says no).
    """

    after: float | None = RACE_AFTER
    every: float = POLL_EVERY
    wait: float | None = 0.0
    lexicographic: tuple[Racer, ...] = LEXICOGRAPHIC
    staged: tuple[Racer, ...] = STAGED
    idle_core: Callable[[], bool] = idle_core


RACING = Racing()
NEVER = Racing(after=None)

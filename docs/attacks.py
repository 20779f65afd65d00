"""Print the figures of docs/attacks.md: the arena scenarios of tests/rounds/test_arena.py, played on
anvil, with each seat's utility against honest play (wei). About a minute and a half.

    .venv/bin/python docs/attacks.py [first_price vcg_market unwatched lottery]

Sealed-bid figures are deterministic; lottery draws read anvil's PREVRANDAO, which changes from run to run,
so the lottery rows of docs/attacks.md state what does not depend on the draw.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from seqmarket.chain.logs import ape_logs_to_stderr
from tests.rounds import test_arena as scenarios

RUNS = ("first_price", "vcg_market", "unwatched", "lottery")


def main(names: list[str]) -> None:
    ape_logs_to_stderr()
    for name in names or RUNS:
        run = getattr(scenarios, name)._get_wrapped_function()()
        print(f"== {name}: rounds {[r.round for r in run.rounds]}, left in the market {run.closing.left} wei")
        for s in run.scores.seats:
            errors = ", ".join(f"{e} x{n}" for e, n in sorted(run.errors(s.label).items()))
            print(
                f"  {s.label:20} value {s.value} paid {s.paid} penalties {s.penalties} received {s.received}"
                f" utility {s.utility} honest {s.honest} gain {s.gain}"
                + (f" refused: {errors}" if errors else "")
            )
        for r in run.scores.rounds:
            print(
                f"  round {r.round}: partition {r.value} optimum {r.optimum}"
                f" charged {r.charged} exact {r.exact}"
            )
        for r in run.rounds:
            if r.seeds_seen:
                print(f"  round {r.round}: the proposer looked at {r.seeds_seen} seeds; voided: {r.voided}")


if __name__ == "__main__":
    main(sys.argv[1:])

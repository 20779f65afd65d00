"""Two versions of the engine side by side: the same instances, interleaved, in one run.

A change that should not change speed (a refactor) is measured against the commit before it on the
same machine at the same time, because the 2-core dev machine is noisy (other runs come and go). Each
version runs in its own long-lived worker process, importing seqmarket from its own source tree; for
every instance and round the two workers solve it one after the other (the order alternating), while
the other worker and this driver wait idle, so the racers' idle-core check sees the same machine.

Per instance it times `Instance.from_bids` + `clear` (the grid's "engine" time; with --vcg, `vcg()` on
those cells too), checks that both versions return the same partition, and prints per-cell medians
and the median of the per-instance ratios (after / before; below 1 is faster).

    git worktree add ../seqmarket-before 5e01352
    .venv/bin/python benchmarks/before_after.py --before ../seqmarket-before --after .
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HARD = ["arbitrary:100x500", "L3:32x1000", "L3:100x500", "L7:100x500", "arbitrary:64x2000", "L6:64x2000"]


def runnable() -> int:
    """Tasks runnable right now (Linux), as the racers' idle-core check counts them."""
    with open("/proc/loadavg") as loadavg:
        return int(loadavg.read().split()[3].split("/")[0])


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the racers, joined after each race)."""
    spent = os.times()
    return spent.user + spent.system + spent.children_user + spent.children_system


def serve() -> None:
    """Worker: read one JSON request per line, solve it with this process's seqmarket, answer in JSON."""
    from seqmarket.clearing import Instance, clear
    from seqmarket.clearing.generators import generate
    from seqmarket.clearing.vcg import vcg

    warm = generate("arbitrary", 16, 200, 0)  # HiGHS's first model and the imports, outside any timing
    clear(Instance.from_bids(warm.reserves, warm.bids))
    print(json.dumps({"ready": sys.modules["seqmarket"].__file__}), flush=True)
    for line in sys.stdin:
        ask = json.loads(line)
        cell = (ask["distribution"], ask["goods"], ask["bids"], ask["seed"])
        try:
            made = generate(*cell, generator=ask["generator"], scale=ask["scale"])
        except TypeError:  # a tree from before the CATS generators: it has only the earlier one
            if ask["generator"] != "legacy" or ask["scale"] != "cats":
                raise
            made = generate(*cell)
        busy = runnable()
        cpu = cpu_seconds()
        started = time.perf_counter()
        result = clear(Instance.from_bids(made.reserves, made.bids), time_limit=ask["cap"])
        answer: dict[str, Any] = {
            "s": time.perf_counter() - started,
            "cpu_s": cpu_seconds() - cpu,  # this process and its racers: less noisy than wall time under load
            "value": result.value,
            "bundles": list(result.bundles),
            "method": str(result.method),
            "runnable": busy,  # tasks runnable as the solve started, this one included: >= 2 refuses races
        }
        if ask["vcg"]:
            started = time.perf_counter()
            outcome = vcg(made.reserves, made.bids, time_limit=ask["cap"])
            answer["vcg_s"] = time.perf_counter() - started
            answer["payments"] = [p.payment for p in outcome.payments]
        print(json.dumps(answer), flush=True)


class Worker:
    """One version of the engine in its own process (seqmarket imported from ``tree``)."""

    def __init__(self, tree: Path) -> None:
        # cwd outside both trees: Python puts the cwd ahead of PYTHONPATH, which names the tree.
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=tempfile.gettempdir(),
            env={**os.environ, "PYTHONPATH": str(tree.resolve())},
        )
        self.source = self._read()["ready"]

    def solve(self, request: dict[str, Any]) -> dict[str, Any]:
        """Send one instance, wait for its timings."""
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return self._read()

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit("a benchmark worker died; see its stderr above")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        """End the worker."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()


def median(values: list[float]) -> float:
    """The median."""
    return statistics.median(values)


def summarise(records: list[dict[str, Any]]) -> str:
    """A Markdown table: per cell, medians over every timed run of each version, and the median of the
    per-instance ratios (each instance's median after / its median before)."""
    out = [
        "| cell | runs per version | before median s | after median s | after / before (instance median) |",
        "|---|---:|---:|---:|---:|",
    ]
    keys = ("s", "cpu_s", "vcg_s")
    cells = dict.fromkeys(r["cell"] for r in records)
    for cell in cells:
        for key in keys:
            rows = [r for r in records if r["cell"] == cell and key in r["before"]]
            if not rows:
                continue
            before = [r["before"][key] for r in rows]
            after = [r["after"][key] for r in rows]
            ratios = []
            for seed in dict.fromkeys(r["seed"] for r in rows):
                mine = [r for r in rows if r["seed"] == seed]
                ratios.append(
                    median([r["after"][key] for r in mine]) / median([r["before"][key] for r in mine])
                )
            label = {"s": cell, "cpu_s": f"{cell} (CPU s)", "vcg_s": f"{cell} (VCG)"}[key]
            times = f"{median(before):.3f} | {median(after):.3f}"
            out.append(f"| {label} | {len(rows)} | {times} | {median(ratios):.2f} |")
    return "\n".join(out)


def main() -> None:
    """Parse arguments, run both workers over the cells, print and save."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--before", type=Path, help="source tree of the old version (a git worktree)")
    parser.add_argument("--after", type=Path, default=Path("."), help="source tree of the new version")
    parser.add_argument("--cells", nargs="*", default=HARD, help="distribution:GOODSxBIDS")
    parser.add_argument("--vcg", nargs="*", default=["L6:64x2000"], help="cells whose VCG is timed too")
    parser.add_argument("--instances", type=int, default=5, help="seeds 0..K-1 per cell")
    parser.add_argument("--rounds", type=int, default=2, help="timed runs of each version per instance")
    parser.add_argument("--cap", type=float, default=60.0, help="seconds per solve")
    parser.add_argument("--generator", choices=["cats", "legacy"], default="cats", help="instance generator")
    parser.add_argument("--scale", choices=["cats", "wei"], default="cats", help="amounts (generator cats)")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/before_after.json"))
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    if args.before is None:
        parser.error("--before is required")
    workers = {"before": Worker(args.before), "after": Worker(args.after)}
    print(f"before: {workers['before'].source}\nafter:  {workers['after'].source}", file=sys.stderr)
    records = []
    try:
        for cell in args.cells:
            distribution, size = cell.split(":")
            goods, bids = (int(x) for x in size.split("x"))
            for seed in range(args.instances):
                for round_ in range(args.rounds):
                    request = {
                        "distribution": distribution,
                        "goods": goods,
                        "bids": bids,
                        "seed": seed,
                        "cap": args.cap,
                        "vcg": cell in args.vcg,
                        "generator": args.generator,
                        "scale": args.scale,
                    }
                    order = ("before", "after") if (seed + round_) % 2 == 0 else ("after", "before")
                    record: dict[str, Any] = {"cell": cell, "seed": seed, "round": round_, "first": order[0]}
                    for side in order:
                        record[side] = workers[side].solve(request)
                    same = all(
                        record["before"].get(k) == record["after"].get(k)
                        for k in ("value", "bundles", "payments")
                    )
                    record["same_answer"] = same
                    records.append(record)
                    print(json.dumps(record), file=sys.stderr, flush=True)
    finally:
        for worker in workers.values():
            worker.close()
    print(summarise(records))
    different = [r for r in records if not r["same_answer"]]
    print(
        f"\nsame partition (and payments) from both versions: {len(records) - len(different)}/{len(records)}"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"sources": {k: w.source for k, w in workers.items()}, "runs": records}, indent=1)
    )


if __name__ == "__main__":
    main()

"""Racers in forked processes, and stage 0's watcher that lets them join a running solve.

A racer runs a Job (a maximisation from a known packing, or the stages' tie-break) in its own process
and sends back a Reply; the first complete proof wins. Results are only candidates: the caller
re-checks packings and bounds (exact.py).

fork: a racer starts in milliseconds with the model data already in memory, and, unlike spawn or
forkserver, never re-imports the caller's __main__. Safe here because HiGHS with threads=1 starts no
threads of its own (a forked child only inherits the forking thread), and a child never returns into
the parent's solve: it runs its own model and exits.
"""

from __future__ import annotations

import math
import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

from seqmarket.clearing.exact import Component, Deadline
from seqmarket.clearing.highs import INFINITY, Progress, Solution, Status
from seqmarket.clearing.racing import Objective, Racer, Racing
from seqmarket.clearing.solves import Job, Maximise, TieBreak
from seqmarket.clearing.trace import Trace

REPLY_GRACE = 5.0  # seconds past the deadline to wait for racers that HiGHS's time limit should stop


@dataclass(frozen=True)
class Reply:
    """A racer's answer: its solution, or why it has none."""

    solution: Solution | None
    error: str = ""


@dataclass(frozen=True)
class Outcome:
    """What a solve proved: the lexicographic optimum, or stage 1 (and maybe stage 2's tie-break)."""

    objective: Objective
    solution: Solution
    tie: Solution | None = None

    def with_chosen(self, chosen: list[int]) -> Outcome:
        """The same proof with another packing that the caller knows to be at least as good."""
        return replace(self, solution=replace(self.solution, chosen=chosen))


NOTHING = Outcome(Objective.STAGED, Solution([], INFINITY, Status.STOPPED))


def run_racer(conn: Connection, job: Job, limit: float | None) -> None:
    """A racer's process: run ``job`` and send its Reply (a failure is a reply too, never a hang)."""
    try:
        conn.send(Reply(job.run(limit)))
    except BaseException as err:
        conn.send(Reply(None, repr(err)))
    finally:
        conn.close()


@dataclass(frozen=True)
class _Running:
    objective: Objective | None  # None: the stages' tie-break
    process: BaseProcess


class Race:
    """Racers of one component in forked processes; the first complete proof wins.

    ``fits``: whether the lexicographic objective fits (else a lexicographic racer runs the stages).
    Lexicographic racers start from a packing worth ``lex_cutoff`` (in W), staged ones from
    ``gain_cutoff`` (in gain units). A stage 1 proof starts its tie-break while the others keep going.
    """

    def __init__(
        self,
        component: Component,
        fits: bool,
        lex_cutoff: int,
        gain_cutoff: int,
        deadline: Deadline,
        racing: Racing,
        trace: Trace | None = None,
    ) -> None:
        self._component, self._fits, self._deadline = component, fits, deadline
        self._lex_cutoff, self._gain_cutoff = lex_cutoff, gain_cutoff
        self._racing, self._trace = racing, trace
        self._context = multiprocessing.get_context("fork")
        self._racers: dict[Connection, _Running] = {}
        self._stage1: Solution | None = None
        self._unfinished: Outcome | None = None
        self.won: Outcome | None = None

    def run(self, racers: tuple[Racer, ...]) -> Outcome:
        """Race ``racers`` to the end: the winner, else the best unfinished result. Without an idle core
        the first racer runs here alone (racing on a busy machine splits one core)."""
        if not self._racing.idle_core():
            objective, job = self._job(racers[0])
            return Outcome(objective, job.run(self._deadline.left(), self._trace))
        self.start_all(racers)
        try:
            while self._racers and self.won is None:
                left = self._deadline.left()
                ready = wait(list(self._racers), None if left is None else max(0.0, left) + REPLY_GRACE)
                if not ready:
                    break
                for conn in ready:
                    self._receive(conn)  # type: ignore[arg-type]
        finally:
            self.close()
        return self.won or self._unfinished or NOTHING

    def start_all(self, racers: tuple[Racer, ...]) -> None:
        """Start one forked process per racer."""
        if self._trace is not None:
            self._trace.raced.append(racers)
        for racer in racers:
            self._start(*self._job(racer))

    def poll(self, timeout: float | None = 0.0) -> bool:
        """Collect what racers have sent (waiting up to ``timeout``); True once one has a complete proof."""
        for conn in wait(list(self._racers), timeout):
            self._receive(conn)  # type: ignore[arg-type]
        return self.won is not None

    def close(self) -> None:
        """Stop every racer still running."""
        for conn, running in self._racers.items():
            if running.process.is_alive():
                running.process.terminate()
            running.process.join()
            conn.close()
        self._racers.clear()

    def _job(self, racer: Racer) -> tuple[Objective, Maximise]:
        component = self._component
        if racer.objective is Objective.LEXICOGRAPHIC and self._fits:
            job = Maximise(
                component.member, component.weight, racer.options, self._lex_cutoff, component.excluded
            )
            return Objective.LEXICOGRAPHIC, job
        job = Maximise(
            component.member, component.units, racer.options, self._gain_cutoff, component.excluded
        )
        return Objective.STAGED, job

    def _start(self, objective: Objective | None, job: Job) -> None:
        receive, send = self._context.Pipe(duplex=False)
        left = self._deadline.left()
        process = self._context.Process(
            target=run_racer, args=(send, job, None if left is None else max(0.0, left)), daemon=True
        )
        process.start()
        send.close()
        self._racers[receive] = _Running(objective, process)

    def _receive(self, receiver: Connection) -> None:
        running = self._racers.pop(receiver)
        try:
            reply: Reply = receiver.recv()
        except EOFError:
            return
        finally:
            receiver.close()
            running.process.join()
        solution = reply.solution
        if solution is None:
            return
        if running.objective is Objective.LEXICOGRAPHIC:
            if solution.finished:
                self.won = Outcome(Objective.LEXICOGRAPHIC, solution)
            else:
                self._unfinished = self._unfinished or Outcome(Objective.LEXICOGRAPHIC, solution)
        elif running.objective is Objective.STAGED:
            if not solution.finished:
                self._unfinished = self._unfinished or Outcome(Objective.STAGED, solution)
            elif self._stage1 is None:  # the first stage 1 proof starts the tie-break
                self._stage1 = solution
                self._tie_break_or_win(solution)
        else:  # the stages' tie-break
            assert self._stage1 is not None
            outcome = Outcome(Objective.STAGED, self._stage1, tie=solution)
            if solution.finished:
                self.won = outcome
            else:
                self._unfinished = outcome

    def _tie_break_or_win(self, stage1: Solution) -> None:
        """A stage 1 proof wins outright when no packing can cover fewer rollups, else races its tie-break."""
        component = self._component
        gain, covered = component.units_of(stage1.chosen), component.covered(stage1.chosen)
        if covered <= 2:  # a positive gain needs a bundle of >= 2 rollups: 2 cannot be beaten
            self.won = Outcome(Objective.STAGED, stage1)
        else:
            self._start(None, TieBreak(component.member, component.units, component.sizes, gain, covered))


class JoinRacers:
    """Stage 0's watcher (PackingModel.watch): racers join a stage 0 still unproven after a while.

    After ``racing.after`` seconds, and once a core is idle (asked again every ``racing.after`` seconds
    until one is), it starts ``rivals`` from stage 0's incumbent while stage 0 goes on; then it looks
    at them every ``racing.every`` seconds and stops stage 0 when one has a complete proof.
    ``new_race(cutoff)`` makes the race, given the W of stage 0's incumbent (at least ``floor``).
    """

    def __init__(
        self,
        racing: Racing,
        rivals: tuple[Racer, ...],
        new_race: Callable[[int], Race],
        floor: int,
        trace: Trace | None = None,
    ) -> None:
        assert racing.after is not None
        self._racing, self._rivals, self._new_race = racing, rivals, new_race
        self._floor, self._trace = floor, trace
        self._retry = racing.after
        self._wake = time.perf_counter() + racing.after
        self.race: Race | None = None

    def __call__(self, progress: Progress) -> bool:
        """Whether to stop stage 0 now (cheap until its next look: HiGHS calls this ~1000 times a second)."""
        now = time.perf_counter()
        if now < self._wake:
            return False
        self._wake = now + self._racing.every
        if self.race is None:
            self._join(now, progress)
            return False
        if self.race.poll(self._racing.wait):
            if self._trace is not None:
                self._trace.interrupted += 1
            return True
        return False

    def _join(self, now: float, progress: Progress) -> None:
        if not self._rivals:
            self._wake = math.inf
            return
        if not self._racing.idle_core():
            self._wake = now + self._retry  # no core to race on now: stage 0 goes on, asks again
            return
        # Racers start from stage 0's incumbent (its packing is what stage 0 returns).
        best = progress.best()
        self.race = self._new_race(max(self._floor, round(best) if math.isfinite(best) else 0))
        self.race.start_all(self._rivals)

    def close(self) -> None:
        """Stop the racers, if any started."""
        if self.race is not None:
            self.race.close()

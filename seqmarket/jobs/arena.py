"""The arena job (`make arena`, `ape run arena`): deploy a market on a local chain, seat a cast of
strategies, play rounds, and report who gained what against honest play, rollup revenue, and the
market's balance after everyone withdrew."""

from __future__ import annotations

import json
import random
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ape import accounts, chain
from rich.console import Console

from seqmarket.agents.strategies import REGISTRY, Mechanism, Role, strategies
from seqmarket.agents.valuation import SynergyValuation
from seqmarket.chain.config import LotteryConfig, SealedBidConfig
from seqmarket.chain.local import TEST_ACCOUNTS
from seqmarket.chain.lottery_client import LotteryClient
from seqmarket.chain.sealed_bid_client import SealedBidClient
from seqmarket.errors import InvalidInput, NotEnoughAccounts, RoundCheckFailed
from seqmarket.jobs.output import table, wei
from seqmarket.jobs.report import eth
from seqmarket.protocol.rules import PaymentRule, SplitRule
from seqmarket.rounds.arena import Arena, Closing, Seat
from seqmarket.rounds.record import ArenaRound
from seqmarket.rounds.scoring import Rules, Scores, score

MEAN_VALUE = 10**17  # 0.1 ETH: a rollup slot's typical stand-alone value to a sequencer
BUDGET = 100 * 10**18  # the most any seat deposits for one lock


@dataclass(frozen=True)
class Casting:
    """One entry of the cast: a strategy, and how many seats play it (or, for a rollup, which rollup)."""

    role: Role
    strategy: str
    count: int = 1
    rollup: int | None = None

    @classmethod
    def parse(cls, role: Role, text: str) -> Casting:
        """'honest:4', 'ladder', 'shill:R0' (rollups name their rollup), 'watcher:2'."""
        name, _, arg = text.strip().partition(":")
        if name not in REGISTRY:
            raise InvalidInput(f"no strategy named {name!r}; {_choices(role)}")
        if REGISTRY[name].role != role:
            raise InvalidInput(f"{name} is a {REGISTRY[name].role.value} strategy, not a {role.value} one")
        if role == Role.ROLLUP:
            if not arg.upper().startswith("R") or not arg[1:].isdecimal():
                raise InvalidInput(f"a rollup strategy names its rollup: '{name}:R0', not {text!r}")
            return cls(role, name, 1, int(arg[1:]))
        if arg and (not arg.isdecimal() or int(arg) < 1):
            raise InvalidInput(f"the count in {text!r} must be a positive whole number")
        return cls(role, name, int(arg) if arg else 1)


def _choices(role: Role) -> str:
    names = ", ".join(cls.name for cls in strategies(role))
    return f"{role.value} strategies: {names}"


@dataclass(frozen=True)
class ArenaJob:
    """What the arena runs: the market (mechanism and rules), its size, the cast, rounds and seed."""

    mechanism: Mechanism = Mechanism.SEALED
    payment_rule: PaymentRule = PaymentRule.FIRST_PRICE
    split_rule: SplitRule = SplitRule.RESERVES
    rollups: int = 4
    rounds: int = 3
    seed: int = 7
    cast: tuple[Casting, ...] = ()

    def full_cast(self) -> tuple[Casting, ...]:
        """The cast with defaults filled in: four honest bidders if none is given, an honest operator."""
        cast = list(self.cast)
        honest = "honest" if self.mechanism == Mechanism.SEALED else "honest-buyer"
        if not any(c.role == Role.BIDDER for c in cast):
            cast.insert(0, Casting(Role.BIDDER, honest, 4))
        if not any(c.role == Role.OPERATOR for c in cast):
            cast.append(Casting(Role.OPERATOR, "honest-operator"))
        return tuple(cast)

    def check(self) -> None:
        """Refuse a cast this market cannot seat, before anything is deployed."""
        operators = sum(c.count for c in self.cast if c.role == Role.OPERATOR)
        if operators > 1:
            raise InvalidInput("a market has one operator: give --operator once")
        taken: set[int] = set()
        for casting in self.full_cast():
            cls = REGISTRY[casting.strategy]
            if self.mechanism not in cls.mechanisms:
                plays = " and ".join(m.value for m in cls.mechanisms)
                raise InvalidInput(f"{cls.name} plays the {plays} market, not the {self.mechanism.value} one")
            if casting.rollup is not None:
                if not 0 <= casting.rollup < self.rollups:
                    raise InvalidInput(f"R{casting.rollup} is not one of the {self.rollups} rollups (R0..)")
                if casting.rollup in taken:
                    raise InvalidInput(f"R{casting.rollup} is given two strategies")
                taken.add(casting.rollup)
        needed = 2 + self.rollups + self.identities
        if needed > TEST_ACCOUNTS:
            raise NotEnoughAccounts(
                f"this cast needs {needed} accounts (deployer, keeper, rollups, every identity); "
                f"the local chain has {TEST_ACCOUNTS}"
            )

    @property
    def identities(self) -> int:
        """Accounts the non-rollup seats use in all (a sybil uses several)."""
        return sum(
            c.count * REGISTRY[c.strategy].identities for c in self.full_cast() if c.role != Role.ROLLUP
        )


def load_cast(path: Path) -> list[Casting]:
    """A cast file: TOML or JSON with lists under ``bidders``, ``rollups``, ``keepers`` and an ``operator``,
    entries written as on the command line (``bidders = ["honest:4", "ladder"]``)."""
    try:
        text = path.read_text()
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (OSError, ValueError) as err:
        raise InvalidInput(f"cannot read the cast file {path}: {err}") from err
    roles = {
        "bidders": Role.BIDDER,
        "rollups": Role.ROLLUP,
        "keepers": Role.KEEPER,
        "operator": Role.OPERATOR,
    }
    unknown = set(data) - set(roles)
    if unknown:
        raise InvalidInput(f"{path}: unknown keys {sorted(unknown)}; expected {sorted(roles)}")
    cast = []
    for key, role in roles.items():
        entries = data.get(key, [])
        for entry in [entries] if isinstance(entries, str) else entries:
            cast.append(Casting.parse(role, str(entry)))
    return cast


@dataclass
class ArenaResult:
    """Everything the arena job produced: the market, the seats, each round's record, and the scores."""

    job: ArenaJob
    market: str
    chain_id: int
    stride: int
    seats: list[Seat]
    rounds: list[ArenaRound] = field(default_factory=list)
    scores: Scores = field(default_factory=Scores)
    closing: Closing | None = None


def run_arena_job(job: ArenaJob, on_round: Callable[[ArenaRound], Any] | None = None) -> ArenaResult:
    """Deploy, seat the cast, play the rounds, score them, withdraw everything and check nothing is left."""
    job.check()
    rng = random.Random(job.seed)
    pool = list(accounts.test_accounts)
    deployer, keeper, payouts = pool[0], pool[1], pool[2 : 2 + job.rollups]
    free = iter(pool[2 + job.rollups :])
    reserves = tuple(int(MEAN_VALUE * rng.uniform(0.2, 0.9)) for _ in range(job.rollups))
    seats: list[Seat] = []
    for casting in job.full_cast():
        cls = REGISTRY[casting.strategy]
        for k in range(casting.count):
            label = _label(casting, k)
            if casting.rollup is not None:
                r = casting.rollup
                own = tuple(reserves[i] if i == r else 0 for i in range(job.rollups))
                valuation = SynergyValuation(standalone=own, synergy=0.0, interest=1 << r)
                seat_accounts = (payouts[r], *(next(free) for _ in range(cls.identities - 1)))
            else:
                valuation = SynergyValuation.random(rng, job.rollups, mean_value=MEAN_VALUE)
                seat_accounts = tuple(next(free) for _ in range(cls.identities))
            seats.append(Seat(label, cls(), seat_accounts, valuation, casting.rollup))
    client, rules = _deploy(job, deployer, tuple(str(a.address) for a in payouts), reserves, seats)
    arena = Arena(client, seats, keeper, job.seed, BUDGET, on_round=on_round)
    result = ArenaResult(job, client.address, chain.chain_id, arena.stride, seats)
    result.rounds = arena.run(job.rounds)
    result.scores = score(result.rounds, seats, rules, job.seed)
    result.closing = arena.close(payouts)
    if result.closing.left:
        raise RoundCheckFailed(f"{result.closing.left} wei stayed in the market after everyone withdrew")
    return result


def _label(casting: Casting, k: int) -> str:
    if casting.rollup is not None:
        return f"R{casting.rollup} {casting.strategy}"
    return casting.strategy if casting.count == 1 else f"{casting.strategy} {k + 1}"


def _deploy(
    job: ArenaJob, deployer: Any, payouts: tuple[str, ...], reserves: tuple[int, ...], seats: Sequence[Seat]
) -> tuple[SealedBidClient | LotteryClient, Rules]:
    """A market sized for the cast: a local chain mines one block per transaction, so each phase gets
    room for every action the seats may send in it."""
    identities = sum(len(seat.accounts) for seat in seats)
    if job.mechanism == Mechanism.SEALED:
        max_commits = 8
        phase = 8 + 2 * (max_commits + 2) * identities
        config = SealedBidConfig(
            payouts=payouts,
            reserves=reserves,
            start_block=chain.blocks.height + 3,
            commit_blocks=phase,
            reveal_blocks=phase,
            challenge_blocks=16 + 4 * identities,
            min_lock=MEAN_VALUE // 100,
            max_commits_per_bidder=max_commits,
            split_rule=job.split_rule,
            payment_rule=job.payment_rule,
            settle_blocks=20 + 4 * identities,
        )
        sealed = SealedBidClient.deploy(config, deployer)
        rules = Rules(
            Mechanism.SEALED,
            job.rollups,
            job.split_rule,
            job.payment_rule,
            sealed.min_lock,
            sealed.claim_bounty_bps,
        )
        return sealed, rules
    challenge = 8 + 2 * identities
    lottery_config = LotteryConfig(
        payouts=payouts,
        reserves=reserves,
        start_block=chain.blocks.height + 3,
        chain_id=chain.chain_id,
        sale_blocks=challenge + 8 + 4 * identities,
        challenge_blocks=challenge,
        lookahead=challenge + 4,
        draw_window=2,  # Ethereum's limits (docs/randao-bias.md), so a draw chooser meets the real bound
        max_rearms=1,
        target_tickets=10,
        price_floor=MEAN_VALUE // 1000,
        split_rule=job.split_rule,
    )
    lottery = LotteryClient.deploy(lottery_config, deployer)
    rules = Rules(
        Mechanism.LOTTERY,
        job.rollups,
        job.split_rule,
        curve=lottery.price_curve,
        draw_bounty_bps=lottery.draw_bounty_bps,
    )
    return lottery, rules


# ---------------------------------------------------------------------- report
def signed(amount: int) -> str:
    """Wei as signed ETH."""
    return f"-{eth(-amount)}" if amount < 0 else eth(amount)


def print_report(console: Console, result: ArenaResult) -> None:
    """The utility table, rollup revenue, each round's partition and charges, refused attempts, balance."""
    job = result.job
    rule = "VCG" if job.payment_rule == PaymentRule.VCG else "first-price"
    market = f"sealed-bid ({rule})" if job.mechanism == Mechanism.SEALED else "lottery"
    split = job.split_rule.name.lower().replace("_", " ")
    console.print(
        f"[bold]seqmarket arena[/bold] · {market} market at {result.market} on chain {result.chain_id} · "
        f"{job.rollups} rollups, {len(result.seats)} seats, {len(result.rounds)} rounds "
        f"(round numbers step by {result.stride}), seed {job.seed}, split by {split}"
    )
    seats = table(
        "Seats (ETH): net = value - paid - penalties + received; honest: the seat playing honestly",
        "seat",
        "role",
        "value won",
        "paid",
        "penalties",
        "received",
        "net utility",
        "honest",
        "gain",
        "refused",
        numeric=("value won", "paid", "penalties", "received", "net utility", "honest", "gain", "refused"),
    )
    for s in result.scores.seats:
        seats.add_row(
            s.label,
            s.role.value,
            eth(s.value),
            eth(s.paid),
            eth(s.penalties),
            eth(s.received),
            signed(s.utility),
            "—" if s.honest is None else signed(s.honest),
            "—" if s.gain is None else signed(s.gain),
            f"{s.refused}/{s.attempts}",
        )
    console.print(seats)
    rollups = table(
        "Rollups (ETH)",
        "rollup",
        "reserves",
        "revenue",
        "forfeits",
        "revenue / reserves",
        numeric=("reserves", "revenue", "forfeits", "revenue / reserves"),
    )
    for r in result.scores.rollups:
        ratio = f"{r.revenue / r.reserves:.2f}" if r.reserves else "—"
        rollups.add_row(f"R{r.rollup}", eth(r.reserves), eth(r.revenue), eth(r.forfeits), ratio)
    console.print(rollups)
    rounds = table(
        "Rounds (ETH): the partition that stood vs the optimum; payments vs an honest clearing's",
        "round",
        "partition value",
        "optimum",
        "charged",
        "honest charges",
        "note",
        numeric=("round", "partition value", "optimum", "charged", "honest charges"),
    )
    for line in result.scores.rounds:
        note = "voided" if line.voided else "lapsed" if line.lapsed else ""
        rounds.add_row(
            str(line.round), eth(line.value), eth(line.optimum), eth(line.charged), eth(line.exact), note
        )
    console.print(rounds)
    for seat in result.seats:
        refused = _refusals(result.rounds, seat.label)
        if refused:
            console.print(f"{seat.label}: refused {refused}")
    if result.closing is not None:
        taken = sum(result.closing.withdrawn.values())
        console.print(
            f"Balance check: everyone withdrew {eth(taken)} ETH; the market holds {result.closing.left} wei."
        )


def _refusals(rounds: Sequence[ArenaRound], label: str) -> str:
    counts: dict[str, int] = {}
    for played in rounds:
        for attempt in played.errors(label):
            key = f"{attempt.act.value} {attempt.error}"
            counts[key] = counts.get(key, 0) + 1
    return ", ".join(f"{key} x{n}" for key, n in sorted(counts.items()))


def arena_document(result: ArenaResult) -> dict[str, Any]:
    """The arena's result as JSON (docs/json.md, "ape run arena --json")."""
    job = result.job
    return {
        "job": "arena",
        "mechanism": job.mechanism.value,
        "payment_rule": job.payment_rule.name.lower().replace("_", "-"),
        "split_rule": job.split_rule.name.lower().replace("_", "-"),
        "market": result.market,
        "chain_id": result.chain_id,
        "seed": job.seed,
        "rounds_played": [r.round for r in result.rounds],
        "seats": [
            {
                "seat": s.label,
                "strategy": s.strategy,
                "role": s.role.value,
                "addresses": list(seat.addresses),
                "value_won": wei(s.value),
                "paid": wei(s.paid),
                "penalties": wei(s.penalties),
                "received": wei(s.received),
                "utility": wei(s.utility),
                "honest_utility": None if s.honest is None else wei(s.honest),
                "gain": None if s.gain is None else wei(s.gain),
                "attempts": s.attempts,
                "refused": _refusal_list(result.rounds, s.label),
            }
            for s, seat in zip(result.scores.seats, result.seats, strict=True)
        ],
        "rollups": [
            {
                "rollup": r.rollup,
                "reserves": wei(r.reserves),
                "revenue": wei(r.revenue),
                "forfeits": wei(r.forfeits),
            }
            for r in result.scores.rollups
        ],
        "rounds": [
            {
                "round": r.round,
                "partition_value": wei(r.value),
                "optimum": wei(r.optimum),
                "charged": wei(r.charged),
                "honest_charges": wei(r.exact),
                "voided": r.voided,
                "lapsed": r.lapsed,
            }
            for r in result.scores.rounds
        ],
        "closing": None
        if result.closing is None
        else {
            "withdrawn": {a: wei(v) for a, v in result.closing.withdrawn.items()},
            "left": wei(result.closing.left),
        },
    }


def _refusal_list(rounds: Sequence[ArenaRound], label: str) -> list[dict[str, Any]]:
    return [
        {
            "round": a.round,
            "step": a.step.value,
            "timing": a.timing.value,
            "act": a.act.value,
            "error": a.error,
        }
        for played in rounds
        for a in played.errors(label)
    ]


def strategy_help() -> str:
    """Every strategy by role, one line each, for --help and `--list`."""
    lines = []
    for role in Role:
        lines.append(f"{role.value}:")
        for cls in strategies(role):
            markets = "/".join(m.value for m in cls.mechanisms)
            lines.append(f"  {cls.name:<20} {cls.description} [{markets}]")
    return "\n".join(lines)

"""Who gained what in the arena, and what each would have had by playing honestly.

A seat's utility over the rounds is what it won (its valuation of the union of the bundles it won, so a
sybil's singletons count as the bundle they add up to), minus what it paid and forfeited, plus what it was
credited (revenue shares, forfeits shared out, bounties, refunds); gas is left out. Its honest utility
re-runs each round off-chain with the same clearing code: everyone else's actions as they were (the bids
revealed, the tickets bought, in their order; the base prices the round opened with), its own replaced by
the honest strategy's (a rollup's honest play is not to bid), cleared exactly by an honest operator and,
in the lottery, drawn as the round was (a proposer that chose its draw gets the seed of the window's first
block, what an honest draw would have taken).

Pure: nothing here touches a chain. `settle_sealed` and `settle_lottery` also replay a round as it was,
which the tests compare with what the chain did.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from seqmarket.agents.strategies.base import Mechanism, Role, Strategy, Timing, View
from seqmarket.agents.strategies.lottery import honest_orders
from seqmarket.agents.strategies.sealed import honest_plans
from seqmarket.agents.valuation import SynergyValuation
from seqmarket.clearing import Bid, Instance, clear, rollups_of
from seqmarket.clearing.vcg import vcg, winners
from seqmarket.protocol.draw import draw_bounty
from seqmarket.protocol.pricing import PriceCurve
from seqmarket.protocol.revenue import split
from seqmarket.protocol.rules import PaymentRule, SplitRule
from seqmarket.protocol.vcg_charges import SoldBundle, vcg_charges
from seqmarket.rounds.record import ArenaRound, Purchase, Sold, holder_of, revenues_of, sold_bundles


@dataclass(frozen=True)
class Rules:
    """The market's rules scoring needs (fixed at deployment)."""

    mechanism: Mechanism
    n_rollups: int
    split_rule: SplitRule
    payment_rule: PaymentRule = PaymentRule.FIRST_PRICE
    min_lock: int = 0
    claim_bounty_bps: int = 0
    curve: PriceCurve | None = None
    draw_bounty_bps: int = 0


class Player(Protocol):
    """A seat as scoring sees it (seqmarket.rounds.arena.Seat)."""

    label: str
    strategy: Strategy
    valuation: SynergyValuation
    rollup: int | None

    @property
    def addresses(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Settled:
    """A round settled off-chain: the partition, what each sold bundle fetched, each rollup's revenue."""

    partition: tuple[int, ...]
    value: int
    sold: tuple[Sold, ...]
    rollup_revenue: Mapping[int, int]


@dataclass
class SeatScore:
    """One seat over all rounds: value won, paid, forfeited, credited, and the honest counterfactual
    (None where the seat has no honest counterpart: an operator or keeper that neither bids nor buys)."""

    label: str
    strategy: str
    role: Role
    value: int = 0
    paid: int = 0
    penalties: int = 0
    received: int = 0
    honest: int | None = 0
    refused: int = 0
    attempts: int = 0

    @property
    def utility(self) -> int:
        return self.value - self.paid - self.penalties + self.received

    @property
    def gain(self) -> int | None:
        """Utility over the honest counterfactual (positive: the strategy paid off)."""
        return None if self.honest is None else self.utility - self.honest


@dataclass
class RollupScore:
    """One rollup over all rounds: revenue from sales (and forfeits shared), against its reserves."""

    rollup: int
    reserves: int = 0
    revenue: int = 0
    forfeits: int = 0


@dataclass(frozen=True)
class RoundScore:
    """One round: the final partition's value against the optimum of what was revealed (bought), and what
    winners paid in all against what an honest operator's clearing charges."""

    round: int
    value: int
    optimum: int
    charged: int
    exact: int
    voided: bool = False
    lapsed: bool = False


@dataclass
class Scores:
    seats: list[SeatScore] = field(default_factory=list)
    rollups: list[RollupScore] = field(default_factory=list)
    rounds: list[RoundScore] = field(default_factory=list)


def score(rounds: Sequence[ArenaRound], players: Sequence[Player], rules: Rules, seed: int) -> Scores:
    """Score every seat, rollup and round. ``seed`` is the arena's: it gives each seat's honest plans."""
    scores = Scores(
        seats=[SeatScore(p.label, p.strategy.name, p.strategy.role) for p in players],
        rollups=[RollupScore(i) for i in range(rules.n_rollups)],
    )
    for played in rounds:
        replayed = _replay(played, rules)
        for player, seat in zip(players, scores.seats, strict=True):
            _add_actual(seat, player, played, rules)
            if player.strategy.honest:
                continue
            honest = _honest_utility(player, played, rules, seed)
            seat.honest = None if honest is None or seat.honest is None else seat.honest + honest
        for rollup in scores.rollups:
            rollup.reserves += played.reserves[rollup.rollup]
            rollup.revenue += played.rollup_revenue.get(rollup.rollup, 0)
            rollup.forfeits += forfeit_share(played.forfeit_pot, rollup.rollup, rules.n_rollups)
        scores.rounds.append(
            RoundScore(
                played.round,
                played.value,
                replayed.value,
                sum(s.price for s in played.sold),
                sum(s.price for s in replayed.sold),
                played.voided,
                played.lapsed,
            )
        )
    for player, seat in zip(players, scores.seats, strict=True):
        if player.strategy.honest:
            seat.honest = seat.utility
    return scores


def _add_actual(seat: SeatScore, player: Player, played: ArenaRound, rules: Rules) -> None:
    mine = set(player.addresses)
    won = [s for s in played.sold if s.winner in mine]
    seat.value += player.valuation.value(bundle_of_all(s.bundle for s in won))
    if rules.mechanism == Mechanism.SEALED:
        seat.paid += sum(s.price for s in won)
    else:
        seat.paid += sum(p.cost for p in played.purchases if p.buyer in mine)
    seat.penalties += sum(played.forfeited.get(a, 0) for a in mine)
    seat.received += sum(played.credited.get(a, 0) for a in mine)
    attempts = [a for a in played.attempts if a.seat == player.label]
    seat.attempts += len(attempts)
    seat.refused += sum(not a.ok for a in attempts)


def bundle_of_all(bundles: Iterable[int]) -> int:
    """The union of bundles (bitmasks)."""
    union = 0
    for bundle in bundles:
        union |= bundle
    return union


def forfeit_share(pot: int, rollup: int, n: int) -> int:
    """A rollup's share of a round's forfeited locks: equal, remainder to rollup 0 (distributeForfeits)."""
    share = pot // n
    return share + pot % n if rollup == 0 else share


# ---------------------------------------------------------------------- replays
def _replay(played: ArenaRound, rules: Rules) -> Settled:
    """The round as played, cleared by an honest operator (and, in the lottery, drawn fairly)."""
    if rules.mechanism == Mechanism.SEALED:
        return settle_sealed(played.reserves, played.revealed, rules)
    if played.voided and not played.fair_seed:
        return Settled((), 0, (), {})
    return settle_lottery(played.reserves, played.purchases, played.fair_seed, rules)


def _honest_utility(player: Player, played: ArenaRound, rules: Rules, seed: int) -> int | None:
    """The seat's utility in ``played`` had it played honestly, everyone else unchanged."""
    role = player.strategy.role
    mine = set(player.addresses)
    if role in (Role.OPERATOR, Role.KEEPER) and not _bought_or_bid(played, player):
        return None
    me = player.addresses[0]
    view = _honest_view(player, played, rules, seed)
    if rules.mechanism == Mechanism.SEALED:
        others = [b for b in played.revealed if b.bidder not in mine]
        own = [] if role == Role.ROLLUP else [Bid(me, p.bundle, p.amount) for p in honest_plans(view)]
        settled = settle_sealed(played.reserves, others + own, rules)
        own_pot = sum(played.forfeited.get(a, 0) for a in mine)
        utility = _won_value(player, settled, me) - sum(s.price for s in settled.sold if s.winner == me)
        if player.rollup is not None:
            utility += settled.rollup_revenue.get(player.rollup, 0)
            utility += forfeit_share(played.forfeit_pot - own_pot, player.rollup, rules.n_rollups)
        return utility
    # A proposer playing honestly lets the window's first draw stand; anyone else faces the draw as it went.
    drawn = played.fair_seed if player.strategy.proposer else b"" if played.voided else played.seed
    if not drawn:
        return 0  # voided: every ticket refunded, nothing sold
    rivals = [p for p in played.purchases if p.buyer not in mine]
    at = sum(p.buyer not in mine for p in played.purchases[: played.turns.get(player.label, 0)])
    orders = [] if role == Role.ROLLUP else [Purchase(a.bundle, me, a.count, 0) for a in honest_orders(view)]
    purchases = reprice([*rivals[:at], *orders, *rivals[at:]], played.base_prices, rules)
    settled = settle_lottery(played.reserves, purchases, drawn, rules)
    sold = {s.bundle for s in settled.sold}
    utility = _won_value(player, settled, me) - sum(
        p.cost for p in purchases if p.buyer == me and p.bundle in sold
    )
    if player.rollup is not None:
        utility += settled.rollup_revenue.get(player.rollup, 0)
    return utility


def _bought_or_bid(played: ArenaRound, player: Player) -> bool:
    mine = set(player.addresses)
    return any(p.buyer in mine for p in played.purchases) or bool(played.commits.get(player.label))


def _won_value(player: Player, settled: Settled, me: str) -> int:
    return player.valuation.value(bundle_of_all(s.bundle for s in settled.sold if s.winner == me))


def _honest_view(player: Player, played: ArenaRound, rules: Rules, seed: int) -> View:
    """What the seat saw when honest play would have acted (on time, in the commit phase or the sale)."""
    mine = set(player.addresses)
    sold: dict[int, int] = {}
    for purchase in played.purchases[: played.turns.get(player.label, 0)]:
        if purchase.buyer not in mine:
            sold[purchase.bundle] = sold.get(purchase.bundle, 0) + purchase.count
    return View(
        mechanism=rules.mechanism,
        market="",
        round=played.round,
        timing=Timing.ON_TIME,
        reserves=played.reserves,
        split_rule=rules.split_rule,
        identities=player.addresses,
        valuation=player.valuation,
        rng=random.Random(f"{seed}/{played.round}/{player.label}"),
        payment_rule=rules.payment_rule,
        min_lock=rules.min_lock,
        curve=rules.curve,
        base_prices=played.base_prices,
        sold=sold,
    )


def reprice(purchases: Sequence[Purchase], base_prices: Mapping[int, int], rules: Rules) -> list[Purchase]:
    """Purchases in a new order, each at the price the curve gives it there (clipped to the tickets left)."""
    assert rules.curve is not None
    sold: dict[int, int] = {}
    priced = []
    for p in purchases:
        already = sold.get(p.bundle, 0)
        count = min(p.count, rules.curve.max_tickets - already)
        if count <= 0:
            continue
        priced.append(
            Purchase(p.bundle, p.buyer, count, rules.curve.cost(base_prices[p.bundle], already, count))
        )
        sold[p.bundle] = already + count
    return priced


# ---------------------------------------------------------------------- off-chain settlement
def settle_sealed(reserves: Sequence[int], bids: Sequence[Bid], rules: Rules) -> Settled:
    """A sealed round settled by an honest operator: the optimal partition and, under VCG, every winner's
    exact W(-i) claimed (vcg_charges with the claim bounty); revenue split as the market does."""
    ordered = [Bid(b.bidder, b.bundle, b.amount, k) for k, b in enumerate(bids)]
    instance = Instance.from_bids(reserves, ordered)
    if rules.payment_rule == PaymentRule.VCG:
        outcome = vcg(reserves, ordered)
        clearing = outcome.clearing
    else:
        clearing = clear(instance)
    grouped = winners(instance, clearing, ordered)
    best = {b.bundle: b for group in grouped.values() for b in group}
    order = [*clearing.bundles, *(1 << i for i in instance.sold_singletons(clearing.bundles))]
    sold = [SoldBundle(bundle, best[bundle].bidder, best[bundle].amount) for bundle in order]
    if rules.payment_rule == PaymentRule.VCG:
        claims = {p.bidder: p.welfare_without for p in outcome.payments}
        dissolved = {w: _dissolved(instance, ordered, w, grouped[w]) for w in grouped}
        charges = vcg_charges(sold, clearing.value, dissolved, claims, rules.claim_bounty_bps)
        prices = [(c.price, c.price - c.bounty) for c in charges]
    else:
        prices = [(s.bid, s.bid) for s in sold]
    revenue: dict[int, int] = {}
    for s, (_, kept) in zip(sold, prices, strict=True):
        _share(revenue, s.bundle, kept, instance, rules.split_rule)
    return Settled(
        clearing.bundles,
        clearing.value,
        tuple(Sold(s.bundle, s.winner, price) for s, (price, _) in zip(sold, prices, strict=True)),
        revenue,
    )


def _dissolved(instance: Instance, bids: Sequence[Bid], winner: str, won: Sequence[Bid]) -> int:
    """D_i: the winner's rollups sold alone, each at its best singleton bid from anyone else, or reserve."""
    others = Instance.from_bids(instance.reserves, bids, exclude=winner)
    return sum(others.singleton_value(rollup) for rollup in rollups_of(bundle_of_all(b.bundle for b in won)))


def settle_lottery(
    reserves: Sequence[int], purchases: Sequence[Purchase], seed: bytes, rules: Rules
) -> Settled:
    """A lottery round settled by an honest operator and drawn with ``seed``: the optimal partition by ticket
    revenue, each sold bundle's winning ticket holder, its revenue less the draw bounty split among its
    rollups."""
    revenues = revenues_of(purchases)
    instance = Instance(tuple(reserves), revenues)
    clearing = clear(instance)
    revenue: dict[int, int] = {}
    sold = []
    for bundle in sold_bundles(reserves, revenues, clearing.bundles):
        sold.append(Sold(bundle, holder_of(purchases, bundle, seed), revenues[bundle]))
        kept = revenues[bundle] - draw_bounty(revenues[bundle], rules.draw_bounty_bps)
        _share(revenue, bundle, kept, instance, rules.split_rule)
    return Settled(clearing.bundles, clearing.value, tuple(sold), revenue)


def _share(revenue: dict[int, int], bundle: int, amount: int, instance: Instance, rule: SplitRule) -> None:
    members = rollups_of(bundle)
    if rule == SplitRule.RESERVES:
        weights = [instance.reserves[i] for i in members]
    else:
        weights = [instance.singleton_value(i) for i in members]
    for rollup, share in zip(members, split(amount, weights), strict=True):
        revenue[rollup] = revenue.get(rollup, 0) + share

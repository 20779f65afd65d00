"""Every arena strategy played on a local chain, each test asserting the defence against one attack: a named
revert, no profit over honest play (scoring's counterfactual), or a bounded effect it measures.

Four arena runs are shared by the tests (module fixtures): a first-price market with most sealed-bid
attacks, a VCG market with false names, a ring, a shill and claim griefers, a VCG market whose operator is
malicious with nobody watching, and a lottery with every lottery attack.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest
from ape import accounts, chain, networks

from seqmarket.agents.strategies import REGISTRY, Act, Mechanism
from seqmarket.agents.valuation import SynergyValuation
from seqmarket.chain.config import LotteryConfig, SealedBidConfig
from seqmarket.chain.lottery_client import LotteryClient
from seqmarket.chain.sealed_bid_client import SealedBidClient
from seqmarket.protocol.rules import PaymentRule, SplitRule
from seqmarket.rounds.arena import Arena, Closing, Seat
from seqmarket.rounds.record import ArenaRound, holder_of
from seqmarket.rounds.scoring import Rules, Scores, SeatScore, score, settle_lottery, settle_sealed

E = 10**16  # 0.01 ETH
N = 4


def wants(interest: Sequence[int], value: int, synergy: float = 0.2) -> SynergyValuation:
    """A valuation: each rollup of ``interest`` worth ``value`` alone."""
    mask = sum(1 << i for i in interest)
    return SynergyValuation(tuple(value if i in interest else 0 for i in range(N)), synergy, mask)


@dataclass
class Run:
    """One arena run: its rounds, scores, the market's closing and the seats by label."""

    rounds: list[ArenaRound]
    scores: Scores
    closing: Closing
    seats: dict[str, Seat]
    rules: Rules
    max_commits: int = 0  # sealed: commits per bidder per round
    seed_choices: int = 0  # lottery: draw window x (re-arms + 1)
    kept: dict[tuple[int, int], int] = field(default_factory=dict)  # lottery: (round, bundle) -> kept

    def seat(self, label: str) -> SeatScore:
        return next(s for s in self.scores.seats if s.label == label)

    def errors(self, label: str) -> Counter[str]:
        return Counter(a.error for r in self.rounds for a in r.errors(label))

    def attempts(self, label: str, act: Act) -> list:
        return [a for r in self.rounds for a in r.attempts if a.seat == label and a.act == act]


def play(
    mechanism: Mechanism,
    cast: list[tuple[str, SynergyValuation | int]],
    reserves: tuple[int, ...],
    rounds: int,
    payment_rule: PaymentRule = PaymentRule.FIRST_PRICE,
    split_rule: SplitRule = SplitRule.RESERVES,
) -> Run:
    """Deploy a market on its own anvil, seat ``cast`` (strategy name and valuation, or a rollup index),
    play, score, close. The arena's runs mine thousands of blocks and send hundreds of transactions: on
    anvil they take seconds where the suite's eth-tester chain takes minutes."""
    with networks.parse_network_choice("ethereum:local:foundry"):
        return _play(mechanism, cast, reserves, rounds, payment_rule, split_rule)


def _play(
    mechanism: Mechanism,
    cast: list[tuple[str, SynergyValuation | int]],
    reserves: tuple[int, ...],
    rounds: int,
    payment_rule: PaymentRule,
    split_rule: SplitRule,
) -> Run:
    pool = list(accounts.test_accounts)
    deployer, keeper, payouts, free = pool[0], pool[1], pool[2 : 2 + N], iter(pool[2 + N :])
    seats = []
    named = Counter(name for name, _ in cast)
    for name, spec in cast:
        cls = REGISTRY[name]
        if isinstance(spec, int):
            own = tuple(reserves[i] if i == spec else 0 for i in range(N))
            valuation = SynergyValuation(own, 0.0, 1 << spec)
            ids = (payouts[spec], *(next(free) for _ in range(cls.identities - 1)))
            seats.append(Seat(f"R{spec} {name}", cls(), ids, valuation, spec))
        else:
            label = name if named[name] == 1 else f"{name} {sum(s.strategy.name == name for s in seats) + 1}"
            seats.append(Seat(label, cls(), tuple(next(free) for _ in range(cls.identities)), spec))
    addresses = tuple(str(a.address) for a in payouts)
    if mechanism == Mechanism.SEALED:
        client: SealedBidClient | LotteryClient = SealedBidClient.deploy(
            SealedBidConfig(
                payouts=addresses,
                reserves=reserves,
                start_block=chain.blocks.height + 3,
                commit_blocks=12 + 12 * len(seats),
                reveal_blocks=12 + 4 * len(seats),
                challenge_blocks=12 + 4 * len(seats),
                min_lock=E // 10,
                max_commits_per_bidder=6,
                split_rule=split_rule,
                payment_rule=payment_rule,
                settle_blocks=20 + 4 * len(seats),
            ),
            deployer,
        )
        rules = Rules(mechanism, N, split_rule, payment_rule, client.min_lock, client.claim_bounty_bps)
    else:
        challenge = 6 + 2 * len(seats)
        client = LotteryClient.deploy(
            LotteryConfig(
                payouts=addresses,
                reserves=reserves,
                start_block=chain.blocks.height + 3,
                chain_id=chain.chain_id,
                sale_blocks=challenge + 8 + 4 * len(seats),
                challenge_blocks=challenge,
                lookahead=challenge + 4,
                draw_window=2,
                max_rearms=1,
                target_tickets=10,
                price_floor=E // 10,
                split_rule=split_rule,
            ),
            deployer,
        )
        rules = Rules(
            mechanism, N, split_rule, curve=client.price_curve, draw_bounty_bps=client.draw_bounty_bps
        )
    arena = Arena(client, seats, keeper, seed=11, budget=100 * 10**18)
    played = arena.run(rounds)
    scores = score(played, seats, rules, seed=11)
    closing = arena.close(payouts)
    run = Run(played, scores, closing, {s.label: s for s in seats}, rules)
    if isinstance(client, SealedBidClient):
        run.max_commits = client.max_commits_per_bidder
    else:
        run.seed_choices = int(client.contract.drawWindow()) * (int(client.contract.maxRearms()) + 1)
        run.kept = {
            (r.round, p.bundle): client.tickets_kept(r.round, p.bundle) for r in played for p in r.purchases
        }
    return run


# ---------------------------------------------------------------------- runs
@pytest.fixture(scope="module")
def first_price() -> Run:
    """Two honest bidders against most sealed-bid attacks, first price, reserves split."""
    cast: list[tuple[str, SynergyValuation | int]] = [
        ("honest", wants([0, 1], 10 * E)),
        ("honest", wants([1, 2], 9 * E)),
        ("ladder", wants([0, 1], 11 * E)),
        ("walk-away", wants([2, 3], 12 * E)),
        ("copycat", wants([3], 2 * E)),
        ("replay", wants([0, 3], 6 * E)),
        ("over-lock", wants([1, 3], 5 * E)),
        ("phase-edge", wants([0, 2], 5 * E)),
        ("spam", wants([2], 1 * E)),
        ("reentrant", wants([1], 3 * E)),
        ("shill", 3),
        ("rejecting-payout", 2),
        ("malicious-operator", wants([0], E)),
        ("watcher", wants([0], E)),
        ("front-runner", wants([0], E)),
    ]
    return play(Mechanism.SEALED, cast, reserves=(2 * E, 2 * E, 3 * E, 1 * E), rounds=2)


@pytest.fixture(scope="module")
def vcg_market() -> Run:
    """VCG: an honest pair bidder against a false-name bidder on the same pair, a ring, a shill rollup and
    claim griefers, and an honest operator."""
    cast: list[tuple[str, SynergyValuation | int]] = [
        ("honest", wants([0, 1], 3 * E, synergy=0.0)),  # 6E on the pair: the rival of the sybil
        ("sybil", wants([0, 1], 7 * E, synergy=0.0)),  # 7E + 7E from two identities
        ("honest", wants([2, 3], 5 * E)),
        ("ring", wants([2, 3], 6 * E)),
        ("shill", 2),
        ("honest-operator", wants([0], E)),
        ("claim-griefer", wants([0], E)),
        ("front-runner", wants([0], E)),
    ]
    return play(Mechanism.SEALED, cast, reserves=(E, E, 2 * E, 2 * E), rounds=2, payment_rule=PaymentRule.VCG)


@pytest.fixture(scope="module")
def unwatched() -> Run:
    """VCG with a malicious operator and nobody watching: what the operator can do alone."""
    cast: list[tuple[str, SynergyValuation | int]] = [
        ("honest", wants([0, 1], 10 * E)),
        ("honest", wants([1, 2], 9 * E)),
        ("honest", wants([2, 3], 8 * E)),
        ("honest", wants([0, 3], 4 * E)),
        ("malicious-operator", wants([0], E)),
    ]
    return play(Mechanism.SEALED, cast, reserves=(E, E, E, E), rounds=1, payment_rule=PaymentRule.VCG)


@pytest.fixture(scope="module")
def lottery() -> Run:
    """The lottery attacks against two honest buyers and an honest operator, reserves split."""
    cast: list[tuple[str, SynergyValuation | int]] = [
        ("honest-buyer", wants([0, 1], 6 * E)),
        ("honest-buyer", wants([2, 3], 6 * E)),
        ("sniper", wants([1, 2], 7 * E)),
        ("monopolist", wants([0, 3], 20 * E)),
        ("pumper", wants([1, 3], 5 * E)),  # pumps {R0, R2}, which loses to {R0, R1} + {R2, R3}
        ("lottery-shill", 1),
        ("draw-withholder", wants([0, 1], 5 * E)),
        ("draw-chooser", wants([2, 3], 12 * E)),  # holds tickets of {R2, R3} beside an honest buyer
        ("honest-operator", wants([0], E)),
    ]
    return play(Mechanism.LOTTERY, cast, reserves=(E, E, E, E), rounds=3)


# ---------------------------------------------------------------------- every run
@pytest.mark.parametrize("run_name", ["first_price", "vcg_market", "unwatched", "lottery"])
def test_every_run_ends_with_the_market_empty_and_honest_seats_scored_as_played(run_name, request):
    run: Run = request.getfixturevalue(run_name)
    assert run.closing.left == 0
    assert sum(run.closing.withdrawn.values()) > 0
    for seat in run.scores.seats:
        if REGISTRY[seat.strategy].honest:
            assert seat.honest == seat.utility


def test_off_chain_settlement_replays_what_the_chain_did(first_price, vcg_market, lottery):
    """scoring's counterfactuals stand on settle_sealed/settle_lottery: they must give the chain's result
    for the bids and tickets as they were (where the final partition was the optimum)."""
    for run in (first_price, vcg_market):
        for played in run.rounds:
            settled = settle_sealed(played.reserves, played.revealed, run.rules)
            assert settled.value == played.value
            assert sorted((s.bundle, s.winner, s.price) for s in settled.sold) == sorted(
                (s.bundle, s.winner, s.price) for s in played.sold
            )
            assert {r: v for r, v in settled.rollup_revenue.items() if v} == played.rollup_revenue
    for played in lottery.rounds:
        if played.voided:
            continue
        settled = settle_lottery(played.reserves, played.purchases, played.seed, lottery.rules)
        assert sorted((s.bundle, s.winner, s.price) for s in settled.sold) == sorted(
            (s.bundle, s.winner, s.price) for s in played.sold
        )
        paid = {r: v for r, v in settled.rollup_revenue.items() if v}
        assert paid == played.rollup_revenue


# ---------------------------------------------------------------------- sealed-bid attacks
def test_a_ladder_forfeits_every_rung_it_leaves_closed(first_price):
    ladder = first_price.seat("ladder")
    rungs = REGISTRY["ladder"].rungs
    opened = sum(a.ok for a in first_price.attempts("ladder", Act.REVEAL))
    assert opened <= len(first_price.rounds)  # at most the cheapest winning rung per round
    assert ladder.penalties >= (rungs - 1) * len(first_price.rounds) * first_price.rules.min_lock
    assert ladder.gain is not None and ladder.gain < 0


def test_walking_away_forfeits_the_whole_lock_of_the_bid_left_closed(first_price):
    walker = first_price.seat("walk-away")
    closed = [c for played in first_price.rounds for c in played.commits["walk-away"] if c.amount > 0]
    largest = [max(c.lock for c in played.commits["walk-away"]) for played in first_price.rounds]
    assert closed and walker.penalties == sum(largest)
    assert walker.gain is not None and walker.gain < 0


def test_copied_commitments_never_open_and_their_locks_are_forfeited(first_price):
    errors = first_price.errors("copycat")
    copies = [a for a in first_price.attempts("copycat", Act.COMMIT_HASH) if a.ok]
    assert errors["UnknownCommitment"] == len(first_price.attempts("copycat", Act.REVEAL_RAW)) > 0
    copier = set(first_price.seats["copycat"].addresses)
    assert not [b for r in first_price.rounds for b in r.revealed if b.bidder in copier]
    assert first_price.seat("copycat").penalties == len(copies) * first_price.rules.min_lock > 0


def test_replayed_openings_of_earlier_rounds_are_refused(first_price):
    replays = first_price.attempts("replay", Act.REVEAL_RAW)
    assert replays and all(a.error == "UnknownCommitment" for a in replays)
    assert all(a.round > 0 for a in replays)  # openings from round 0 tried in the next round played


def test_lock_probes_fail_with_their_named_errors(first_price):
    errors = first_price.errors("over-lock")
    rounds = len(first_price.rounds)
    for name in ("LockTooLarge", "InsufficientUnlocked", "LockBelowMinimum", "BidExceedsLock"):
        assert errors[name] == rounds, name


def test_actions_one_block_outside_a_phase_are_refused(first_price):
    """A commit a block before and a block after the commit phase, a reveal in its last block (a block
    before the reveal phase) and one a block after the reveal phase: four WrongPhase per round."""
    errors = first_price.errors("phase-edge")
    assert errors == Counter({"WrongPhase": 4 * len(first_price.rounds)})
    # The bid left for the late reveal stayed closed: its lock was forfeited.
    assert first_price.seat("phase-edge").penalties > 0


def test_commit_spam_stops_at_the_cap_and_dust_moves_nothing(first_price):
    cap = first_price.max_commits
    commits = first_price.attempts("spam", Act.COMMIT)
    per_round = Counter(a.round for a in commits if a.ok)
    assert all(n == cap for n in per_round.values())
    assert first_price.errors("spam")["CommitCapReached"] == len(first_price.rounds)
    spammer = set(first_price.seats["spam"].addresses)
    assert not [b for r in first_price.rounds for b in r.revealed if b.bidder in spammer]  # all zero
    assert first_price.seat("spam").penalties == 0


def test_reentrant_withdrawals_are_stopped_by_the_guard(first_price):
    assert first_price.errors("reentrant")["ReentrantCall"] == len(first_price.rounds)


def test_a_payout_that_rejects_eth_only_delays_its_own_credit(first_price):
    assert first_price.errors("R2 rejecting-payout")["TransferFailed"] == len(first_price.rounds)
    payout = first_price.seats["R2 rejecting-payout"].addresses[0]
    assert first_price.closing.withdrawn[payout] == first_price.seat("R2 rejecting-payout").received > 0


def test_a_shill_rollup_gains_nothing_under_the_reserves_split(first_price, vcg_market):
    for run, label in ((first_price, "R3 shill"), (vcg_market, "R2 shill")):
        shill = run.seat(label)
        assert shill.gain is not None and shill.gain <= 0, label


def test_invalid_stale_and_worse_proposals_fail_or_are_replaced(first_price):
    errors = first_price.errors("malicious-operator")
    for name in ("BundleOutOfRange", "SingletonListed", "EmptyBundle", "OverlappingBundle"):
        assert errors[name] == len(first_price.rounds), name
    for round_ in first_price.scores.rounds:
        assert round_.value == round_.optimum  # the watcher replaced whatever worse partition stood


def test_an_equal_value_front_run_changes_no_allocation(first_price, vcg_market):
    for run in (first_price, vcg_market):
        for played, round_ in zip(run.rounds, run.scores.rounds, strict=True):
            assert round_.value == round_.optimum
            assert sorted(played.partition) == sorted(
                settle_sealed(played.reserves, played.revealed, run.rules).partition
            )
        assert run.seat("front-runner").utility == 0


def test_false_names_under_vcg_pay_the_reserves_and_gain_at_most_the_rivals_margin(vcg_market):
    """The sybil values the pair {R0, R1} at 14E and splits it into 7E + 7E from two identities; the honest
    rival bids 6E for the pair. Bidding honestly the sybil would pay 6E; as two names, each pays at least
    its rollup's reserve (the dissolved floor), so the false names save at most 6E - (r0 + r1) = 4E."""
    sybil = vcg_market.seat("sybil")
    assert sybil.gain is not None
    assert sybil.gain <= 6 * E - 2 * E
    sold = [s for r in vcg_market.rounds for s in r.sold if s.winner in vcg_market.seats["sybil"].addresses]
    assert sold and all(s.price >= E for s in sold)  # each name pays its rollup's reserve


def test_a_ring_never_buys_below_the_reserves(vcg_market):
    ring = set(vcg_market.seats["ring"].addresses)
    for played in vcg_market.rounds:
        for sale in played.sold:
            if sale.winner in ring:
                reserve = sum(played.reserves[i] for i in range(N) if sale.bundle >> i & 1)
                assert sale.price >= reserve


def test_understated_claims_are_refused_and_charges_stay_exact(vcg_market):
    griefer = vcg_market.attempts("claim-griefer", Act.CLAIM)
    assert griefer and all(a.error == "NotBetter" for a in griefer)
    for round_ in vcg_market.scores.rounds:
        assert round_.charged == round_.exact


def test_an_unwatched_malicious_operator_only_costs_welfare_and_winners_still_pay_their_floor(unwatched):
    """With nobody to challenge it, a worse partition stands and W(-i) claims stay understated: the damage
    is the welfare gap, measured here, and no winner pays below its dissolved floor (its rollups' reserves
    at least)."""
    (round_,) = unwatched.scores.rounds
    assert round_.value < round_.optimum
    (played,) = unwatched.rounds
    for sale in played.sold:
        reserve = sum(played.reserves[i] for i in range(N) if sale.bundle >> i & 1)
        assert sale.price >= reserve


# ---------------------------------------------------------------------- lottery attacks
def test_a_late_sniper_pays_the_curve_like_anyone(lottery):
    curve = lottery.rules.curve
    assert curve is not None
    sniper = set(lottery.seats["sniper"].addresses)
    for played in lottery.rounds:
        sold: Counter[int] = Counter()
        for p in played.purchases:
            if p.buyer in sniper:
                assert p.cost == curve.cost(played.base_prices[p.bundle], sold[p.bundle], p.count)
                assert sold[p.bundle] + p.count <= 3 * curve.target // 2  # never past the kink
            sold[p.bundle] += p.count


def test_many_identities_pay_what_one_would(lottery):
    curve = lottery.rules.curve
    assert curve is not None
    mono = set(lottery.seats["monopolist"].addresses)
    for played in lottery.rounds:
        mine = [p for p in played.purchases if p.buyer in mono]
        assert len({p.buyer for p in mine}) == REGISTRY["monopolist"].identities
        bundle = mine[0].bundle
        before = sum(
            p.count for p in played.purchases[: played.purchases.index(mine[0])] if p.bundle == bundle
        )
        count = sum(p.count for p in mine)
        assert sum(p.cost for p in mine) == curve.cost(played.base_prices[bundle], before, count)


def test_a_pump_that_is_refunded_moves_no_base_price(lottery):
    pumper = set(lottery.seats["pumper"].addresses)
    checked = 0
    for played in lottery.rounds:
        won = {s.bundle for s in played.sold}
        for bundle in {p.bundle for p in played.purchases if p.buyer in pumper} - won:
            assert lottery.kept[played.round, bundle] == 0
            checked += 1
    assert checked


def test_a_rollup_buying_its_own_tickets_gains_nothing_under_the_reserves_split(lottery):
    shill = lottery.seat("R1 lottery-shill")
    assert shill.gain is not None and shill.gain <= 0


def test_withholding_the_draw_changes_nothing_when_anyone_else_draws(lottery):
    withholder = lottery.seat("draw-withholder")
    assert not lottery.attempts("draw-withholder", Act.DRAW)
    assert withholder.gain == 0


def test_a_proposer_choosing_the_draw_block_sees_at_most_window_times_rearms_seeds(lottery):
    bound = lottery.seed_choices
    chooser = set(lottery.seats["draw-chooser"].addresses)
    for played in lottery.rounds:
        assert played.seeds_seen <= bound
        if played.voided:
            continue
        # It kept a draw only where it won (or let an honest draw stand when it had nothing at stake).
        partition = played.partition
        won_by_it = any(holder_of(played.purchases, s.bundle, played.seed) in chooser for s in played.sold)
        assert won_by_it or played.seeds_seen == 0 or not partition

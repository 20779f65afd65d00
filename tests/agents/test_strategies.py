"""The strategy library without a chain: the registry, and what each strategy decides from a view."""

from __future__ import annotations

import random
from dataclasses import replace
from typing import ClassVar

import pytest

from seqmarket.agents.strategies import (
    REGISTRY,
    Act,
    Action,
    Mechanism,
    Role,
    Step,
    Strategy,
    Timing,
    View,
    register,
    reveal_all,
    strategies,
)
from seqmarket.agents.strategies.base import Commit, Opening, OwnCommit
from seqmarket.agents.valuation import SynergyValuation
from seqmarket.clearing import Bid, rollups_of
from seqmarket.protocol.pricing import PriceCurve
from seqmarket.protocol.rules import PaymentRule, SplitRule

E = 10**16
SEALED_ACTS = {Act.COMMIT, Act.COMMIT_HASH, Act.REVEAL, Act.REVEAL_RAW, Act.PROPOSE, Act.CLAIM, Act.WITHDRAW}
LOTTERY_ACTS = {Act.BUY, Act.DRAW, Act.DRAW_IF_WINNING, Act.PROPOSE, Act.WITHDRAW}
STEPS = {
    Mechanism.SEALED: (Step.COMMIT, Step.REVEAL, Step.CHALLENGE, Step.SETTLE),
    Mechanism.LOTTERY: (Step.SALE, Step.CHALLENGE, Step.DRAW, Step.SETTLE),
}


def wants(interest: list[int], value: int = 5 * E, n: int = 4) -> SynergyValuation:
    return SynergyValuation(
        tuple(value if i in interest else 0 for i in range(n)), 0.2, sum(1 << i for i in interest)
    )


def view(mechanism: Mechanism = Mechanism.SEALED, **fields) -> View:
    base = dict(
        mechanism=mechanism,
        market="0x" + "ab" * 20,
        round=3,
        timing=Timing.ON_TIME,
        reserves=(E, E, E, E),
        split_rule=SplitRule.RESERVES,
        identities=("0xme", "0xme2", "0xme3", "0xme4"),
        valuation=wants([0, 1]),
        rng=random.Random(1),
        min_lock=E // 10,
        max_commits=4,
        draw_window=2,
    )
    if mechanism == Mechanism.LOTTERY:
        base.update(curve=PriceCurve(10), base_prices={b: E // 5 for b in range(1, 16)})
    base.update(fields)
    return View(**base)  # type: ignore[arg-type]


def own(amounts: list[int], bundle: int = 3) -> tuple[OwnCommit, ...]:
    return tuple(
        OwnCommit(0, bundle, a, a + E, bytes([k]) * 32, bytes([k + 100]) * 32) for k, a in enumerate(amounts)
    )


# ---------------------------------------------------------------------- registry
def test_the_registry_holds_every_attack_the_arena_promises():
    names = set(REGISTRY)
    expected = {
        "honest", "shaded", "ladder", "walk-away", "copycat", "replay", "over-lock", "phase-edge", "spam",
        "reentrant", "rejecting-payout", "shill", "sybil", "ring", "honest-operator", "watcher",
        "malicious-operator", "front-runner", "claim-griefer", "honest-buyer", "sniper", "monopolist",
        "pumper", "lottery-shill", "draw-withholder", "draw-chooser",
    }  # fmt: skip
    assert expected <= names
    for cls in REGISTRY.values():
        assert cls.description and cls.mechanisms and cls.identities >= 1, cls.name
    assert {cls.name for cls in strategies(Role.ROLLUP)} == {"shill", "lottery-shill", "rejecting-payout"}
    assert all(Mechanism.LOTTERY in cls.mechanisms for cls in strategies(mechanism=Mechanism.LOTTERY))


def test_a_second_strategy_with_a_taken_name_is_refused():
    with pytest.raises(ValueError, match="two strategies are named 'honest'"):

        @register
        class Again(Strategy):
            name = "honest"
            description = "a copy"

            def act(self, step: Step, view: View) -> list[Action]:
                return []


def test_a_new_strategy_is_one_decorated_class():
    """The module docstring's example, registered and run."""

    @register
    class Timid(Strategy):
        name = "timid-test"
        description = "bids half its values"
        shading: ClassVar[float] = 0.5

        def act(self, step: Step, view: View) -> list[Action]:
            if step == Step.REVEAL:
                return reveal_all(view)
            return [Action.bid(3, E, 2 * E)] if step == Step.COMMIT else []

    try:
        assert REGISTRY["timid-test"] is Timid
        assert Timid().act(Step.COMMIT, view()) == [Action.bid(3, E, 2 * E)]
    finally:
        del REGISTRY["timid-test"]


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_strategy_answers_every_step_with_actions_its_market_has(name):
    cls = REGISTRY[name]
    for mechanism in cls.mechanisms:
        legal = (SEALED_ACTS | {Act.REENTER}) if mechanism == Mechanism.SEALED else LOTTERY_ACTS
        bids = (Bid("0xrival", 3, 4 * E), Bid("0xother", 12, 3 * E), Bid("0xthird", 1, E))
        for step in STEPS[mechanism]:
            for slot in Timing:
                seen = view(
                    mechanism,
                    timing=slot,
                    own_commits=own([E, 2 * E]) if step == Step.REVEAL else (),
                    bids=bids,
                    revealed=bids,
                    standing=((), 3 * E),
                    valuation=wants([rollups_of(7)[0]]) if cls.role == Role.ROLLUP else wants([0, 1]),
                )
                for action in cls().act(step, seen):
                    assert action.act in legal, (name, step, action)
                    assert 0 <= action.identity < cls.identities


# ---------------------------------------------------------------------- sealed
def test_honest_bids_truthfully_under_vcg_and_shades_under_first_price():
    vcg = REGISTRY["honest"]().act(Step.COMMIT, view(payment_rule=PaymentRule.VCG))
    fp = REGISTRY["honest"]().act(Step.COMMIT, view(payment_rule=PaymentRule.FIRST_PRICE))
    pair = wants([0, 1]).value(3)
    assert next(a.amount for a in vcg if a.bundle == 3) == pair
    assert next(a.amount for a in fp if a.bundle == 3) == int(pair * 0.9)
    assert all(a.lock >= a.amount for a in vcg + fp)


def test_the_ladder_opens_only_its_cheapest_rung_that_beats_the_rivals_in_the_last_block():
    ladder = REGISTRY["ladder"]()
    rungs = ladder.act(Step.COMMIT, view())
    assert len(rungs) == ladder.rungs and len({a.bundle for a in rungs}) == 1
    commits = own([a.amount for a in rungs], bundle=rungs[0].bundle)
    rival = commits[2].amount + 1
    seen = view(own_commits=commits, revealed=(Bid("0xrival", rungs[0].bundle, rival),))
    (opened,) = ladder.act(Step.REVEAL, seen)
    assert opened.ref == 3 and opened.timing == Timing.LAST_BLOCK
    beaten = view(own_commits=commits, revealed=(Bid("0xrival", rungs[0].bundle, 10**30),))
    assert ladder.act(Step.REVEAL, beaten) == []


def test_walk_away_leaves_its_largest_bid_closed():
    commits = own([E, 5 * E, 2 * E])
    opened = REGISTRY["walk-away"]().act(Step.REVEAL, view(own_commits=commits))
    assert sorted(a.ref for a in opened) == [0, 2]


def test_the_copycat_copies_rival_commitments_and_openings_only():
    seen = view(
        commitments=(Commit("0xrival", b"\x01" * 32, E), Commit("0xme", b"\x02" * 32, E)),
        openings=(Opening("0xrival", 3, E, b"\x03" * 32), Opening("0xme", 3, E, b"\x04" * 32)),
    )
    copycat = REGISTRY["copycat"]()
    (copy,) = copycat.act(Step.COMMIT, seen)
    assert copy.act == Act.COMMIT_HASH and copy.commitment == b"\x01" * 32
    (reveal,) = copycat.act(Step.REVEAL, seen)
    assert reveal.act == Act.REVEAL_RAW and reveal.salt == b"\x03" * 32


def test_over_lock_probes_each_collateral_rule():
    probes = REGISTRY["over-lock"]().act(Step.COMMIT, view())[:4]
    too_large, over_budget, below_min, above_lock = probes
    assert too_large.lock == 2**128
    assert over_budget.lock > 10**29
    assert below_min.lock < view().min_lock
    assert above_lock.amount > above_lock.lock


def test_phase_edge_times_one_action_outside_each_boundary():
    edge = REGISTRY["phase-edge"]()
    commits = edge.act(Step.COMMIT, view(own_commits=own([E])))
    timings = [a.timing for a in commits]
    assert timings.count(Timing.EARLY) == 1 and timings.count(Timing.LATE) == 1
    assert [a.act for a in commits if a.timing == Timing.LAST_BLOCK] == [Act.REVEAL]
    reveals = edge.act(Step.REVEAL, view(own_commits=own([E, 2 * E, 3 * E])))
    assert [a.timing for a in reveals] == [Timing.ON_TIME, Timing.ON_TIME, Timing.LATE]


def test_spam_fills_the_cap_and_tries_one_more():
    spam = REGISTRY["spam"]().act(Step.COMMIT, view(max_commits=5))
    assert len(spam) == 6 and all(a.amount == 0 and a.lock == view().min_lock for a in spam)


def test_sybil_splits_its_interest_into_singletons_from_separate_identities():
    bids = REGISTRY["sybil"]().act(Step.COMMIT, view(valuation=wants([0, 1], 7 * E)))
    assert sorted(a.bundle for a in bids) == [1, 2]
    assert sorted(a.identity for a in bids) == [0, 1]


def test_the_ring_rotates_which_identity_bids():
    ring = REGISTRY["ring"]()
    seen = {ring.act(Step.COMMIT, view(round=r))[0].identity for r in range(3)}
    assert seen == {0, 1, 2}


def test_the_shill_opens_its_highest_rung_still_below_every_bundle_covering_it():
    shill = REGISTRY["shill"]()
    mine = wants([2], value=E)
    rungs = shill.act(Step.COMMIT, view(valuation=mine))
    assert {a.bundle for a in rungs} == {4}
    commits = own([a.amount for a in rungs], bundle=4)
    cover = commits[2].amount + 1
    seen = view(valuation=mine, own_commits=commits, revealed=(Bid("0xrival", 4 | 8, cover),))
    (opened,) = shill.act(Step.REVEAL, seen)
    assert opened.ref == 2


# ---------------------------------------------------------------------- operators and keepers
def test_the_malicious_operator_tries_every_wrong_partition():
    bids = (Bid("a", 3, 5 * E), Bid("b", 6, 4 * E), Bid("c", 12, 3 * E))
    acts = REGISTRY["malicious-operator"]().act(
        Step.CHALLENGE, view(bids=bids, stale_partition=(5,), payment_rule=PaymentRule.VCG)
    )
    proposals = [a.bundles for a in acts if a.act == Act.PROPOSE]
    assert (1,) in proposals and (0,) in proposals  # a singleton, an empty bundle
    assert (3, 6) in proposals  # overlapping
    assert (5,) in proposals  # stale
    assert any(p[0] >> 4 for p in proposals)  # a rollup out of range
    assert [a.bundles for a in acts if a.act == Act.CLAIM] and all(
        a.bundles == () for a in acts if a.act == Act.CLAIM
    )


def test_the_front_runner_acts_before_the_operator():
    assert REGISTRY["front-runner"].order is not None and REGISTRY["front-runner"].order < 0


# ---------------------------------------------------------------------- lottery
def test_the_sniper_buys_up_to_the_kink_in_the_last_block_only():
    sniper = REGISTRY["sniper"]()
    assert sniper.act(Step.SALE, view(Mechanism.LOTTERY)) == []
    (buy,) = sniper.act(Step.SALE, view(Mechanism.LOTTERY, timing=Timing.LAST_BLOCK, sold={3: 4}))
    assert buy.bundle == 3 and buy.count == 15 - 4


def test_the_monopolist_buys_the_whole_supply_across_its_identities():
    buys = REGISTRY["monopolist"]().act(
        Step.SALE, view(Mechanism.LOTTERY, timing=Timing.LAST_BLOCK, sold={3: 3})
    )
    assert sum(a.count for a in buys) == 20 - 3
    assert sorted(a.identity for a in buys) == [0, 1, 2, 3]


def test_the_pumper_buys_a_bundle_outside_its_interest():
    buys = REGISTRY["pumper"]().act(Step.SALE, view(Mechanism.LOTTERY))
    assert buys[0].bundle == 4 | 8 and buys[0].count == 15


def test_the_draw_chooser_offers_a_draw_at_every_block_of_the_window():
    chooser = REGISTRY["draw-chooser"]()
    assert chooser.proposer
    draws = chooser.act(Step.DRAW, view(Mechanism.LOTTERY, draw_window=2))
    assert [(a.act, a.block_offset) for a in draws] == [(Act.DRAW_IF_WINNING, 0), (Act.DRAW_IF_WINNING, 1)]
    assert REGISTRY["draw-withholder"]().act(Step.DRAW, view(Mechanism.LOTTERY)) == []


def test_the_honest_operator_draws_first_and_the_watcher_last():
    assert REGISTRY["honest-operator"]().act(Step.DRAW, view(Mechanism.LOTTERY)) == [Action(Act.DRAW)]
    (late,) = REGISTRY["watcher"]().act(Step.DRAW, view(Mechanism.LOTTERY, draw_window=2))
    assert late.block_offset == 1


def test_actions_are_values():
    assert replace(Action.open(1), timing=Timing.LATE) == Action(Act.REVEAL, ref=1, timing=Timing.LATE)

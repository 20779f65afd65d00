"""Scoring without a chain: records built by hand, scored against the honest counterfactual."""

from __future__ import annotations

from dataclasses import dataclass

from seqmarket.agents.strategies import REGISTRY, Mechanism, Strategy
from seqmarket.agents.valuation import SynergyValuation
from seqmarket.clearing import Bid
from seqmarket.protocol.pricing import PriceCurve
from seqmarket.protocol.rules import PaymentRule, SplitRule
from seqmarket.rounds.record import ArenaRound, Purchase
from seqmarket.rounds.scoring import Rules, forfeit_share, reprice, score, settle_lottery, settle_sealed

E = 10**16


@dataclass
class Player:
    label: str
    strategy: Strategy
    valuation: SynergyValuation
    addresses: tuple[str, ...]
    rollup: int | None = None


def pair(value: int) -> SynergyValuation:
    return SynergyValuation((value, value, 0), 0.0, 0b011)


VCG = Rules(
    Mechanism.SEALED, 3, SplitRule.RESERVES, PaymentRule.VCG, min_lock=E // 10, claim_bounty_bps=1_000
)


def played_as(revealed: list[Bid], reserves: tuple[int, ...], rules: Rules) -> ArenaRound:
    """A round record as the chain would leave it for these bids (settle_sealed is checked against the chain
    in test_arena.py)."""
    settled = settle_sealed(reserves, revealed, rules)
    return ArenaRound(
        round=0,
        reserves=reserves,
        revealed=revealed,
        partition=settled.partition,
        value=settled.value,
        sold=list(settled.sold),
        rollup_revenue=dict(settled.rollup_revenue),
        commits={},
    )


def test_false_names_under_vcg_save_the_rival_bid_less_the_reserves():
    """The review's example with reserves: the sybil values {R0, R1} at 14E, a rival bids 6E for the pair.
    Honest, the sybil pays W(-i) = 6E. As two names bidding 7E on each rollup, each name pays what its
    rollup fetches without it, the reserve E: 2E in all. Gain: 6E - 2E = 4E, exactly."""
    reserves = (E, E, E)
    rival = Bid("0xrival", 0b011, 6 * E)
    names = [Bid("0xname1", 0b001, 7 * E), Bid("0xname2", 0b010, 7 * E)]
    played = played_as([rival, *names], reserves, VCG)
    sybil = Player("sybil", REGISTRY["sybil"](), pair(7 * E), ("0xname1", "0xname2", "0xname3"))
    (scored,) = score([played], [sybil], VCG, seed=1).seats
    assert scored.paid == 2 * E
    assert scored.value == 14 * E
    # Honest: truthful bids on the pair (14E) and on each rollup alone (7E); it wins the pair and pays 6E.
    assert scored.honest == 14 * E - 6 * E
    assert scored.gain == 4 * E


def test_false_names_gain_nothing_once_the_reserves_cover_the_rival():
    reserves = (3 * E, 3 * E, E)
    played = played_as(
        [Bid("0xrival", 0b011, 6 * E), Bid("0xname1", 0b001, 7 * E), Bid("0xname2", 0b010, 7 * E)],
        reserves,
        VCG,
    )
    sybil = Player("sybil", REGISTRY["sybil"](), pair(7 * E), ("0xname1", "0xname2", "0xname3"))
    (scored,) = score([played], [sybil], VCG, seed=1).seats
    assert scored.gain == 0


def test_an_honest_seat_is_its_own_counterfactual_and_a_ladder_pays_for_its_closed_rungs():
    reserves = (E, E, E)
    rules = Rules(Mechanism.SEALED, 3, SplitRule.RESERVES, PaymentRule.FIRST_PRICE, min_lock=E // 10)
    honest = Player("honest", REGISTRY["honest"](), pair(5 * E), ("0xh",))
    ladder = Player("ladder", REGISTRY["ladder"](), pair(6 * E), ("0xl",))
    played = played_as([Bid("0xh", 0b011, 9 * E), Bid("0xl", 0b011, 9 * E + 1)], reserves, rules)
    played.forfeited = {"0xl": 5 * E}
    played.forfeit_pot = 5 * E
    honest_score, ladder_score = score([played], [honest, ladder], rules, seed=1).seats
    assert honest_score.honest == honest_score.utility == 0
    assert ladder_score.paid == 9 * E + 1 and ladder_score.penalties == 5 * E
    assert ladder_score.utility == 12 * E - (9 * E + 1) - 5 * E
    # Honest, it shades 10%: 10.8E beats 9E and it pays 10.8E, no forfeit.
    assert ladder_score.honest == 12 * E - int(12 * E * 0.9)
    assert ladder_score.gain is not None and ladder_score.gain < 0


def test_forfeits_are_shared_equally_with_the_remainder_to_rollup_zero():
    shares = [forfeit_share(10, i, 3) for i in range(3)]
    assert shares == [4, 3, 3] and sum(shares) == 10


def test_repricing_charges_each_purchase_the_curve_at_its_new_place():
    curve = PriceCurve(4)
    rules = Rules(Mechanism.LOTTERY, 3, SplitRule.RESERVES, curve=curve)
    bought = [Purchase(3, "a", 5, 0), Purchase(3, "b", 4, 0), Purchase(3, "c", 3, 0)]
    priced = reprice(bought, {3: E}, rules)
    assert [p.count for p in priced] == [5, 3]  # only 8 = 2T tickets exist
    assert priced[0].cost == curve.cost(E, 0, 5) and priced[1].cost == curve.cost(E, 5, 3)


def test_a_lottery_settles_its_sold_bundles_to_the_drawn_holders():
    reserves = (E, E, E)
    rules = Rules(Mechanism.LOTTERY, 3, SplitRule.RESERVES, curve=PriceCurve(4), draw_bounty_bps=100)
    purchases = reprice(
        [Purchase(3, "a", 2, 0), Purchase(3, "b", 2, 0), Purchase(4, "c", 4, 0)], {3: E, 4: E}, rules
    )
    settled = settle_lottery(reserves, purchases, b"\x07" * 32, rules)
    assert {s.bundle for s in settled.sold} == {3, 4}
    assert all(s.winner in ("a", "b") for s in settled.sold if s.bundle == 3)
    revenue = sum(p.cost for p in purchases)
    bounty = sum(s.price // 100 for s in settled.sold)
    assert sum(settled.rollup_revenue.values()) == revenue - bounty

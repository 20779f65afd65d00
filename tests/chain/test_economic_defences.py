"""Economic attacks on the sealed-bid market, each tried on a local chain: the attacker now loses, or its
effect is bounded and measured. The scenarios are the outside review's (issue: "Close the economic holes");
README's "Economic defences" table quotes the figures these tests assert.
"""

from __future__ import annotations

from contextlib import suppress

from ape import chain
from ape.exceptions import ContractLogicError

from seqmarket.protocol.revenue import split
from seqmarket.protocol.rules import PaymentRule, SplitRule
from seqmarket.protocol.schedule import Phase
from seqmarket.rounds.operator import ClearingOperator, VcgOperator
from tests.support.onchain import books_balance, commit_and_reveal, reverts_with, sealed_commit

ETH = 10**18
UNIT = 10**15
A, B, C, D = 1, 2, 4, 8


def _settle(market, operator, bidders, round_=0):
    """Finalize, release every bidder, distribute any forfeits."""
    market.advance_to(round_, Phase.SETTLE)
    market.finalize(operator, round_)
    for bidder in bidders:
        if market.contract.participationOf(round_, bidder.address).commits:
            market.release(operator, round_, bidder.address)
    if market.forfeits(round_):
        market.distribute_forfeits(operator, round_)


# ---------------------------------------------------------------- VCG floor and claim bounty


def test_a_winner_nobody_claims_for_pays_what_its_rollups_are_worth_without_it(
    make_market, bidders, operator
):
    """Seed example with no claim at all: A+B wins at 25 and pays 24.9 (A 10 + B 14.9), not 0."""
    market = make_market(reserves=(0, 0, 0, 0), payment_rule=PaymentRule.VCG)
    b1, b3, b4 = bidders[0], bidders[2], bidders[3]
    commit_and_reveal(market, [(b1, A, 10 * UNIT), (b3, A | B, 25 * UNIT), (b4, B, 149 * UNIT // 10)])
    market.advance_to(0, Phase.CHALLENGE)
    market.propose(operator, 0, [A | B])  # the partition only: nobody claims W(-i)
    _settle(market, operator, [b1, b3, b4])
    [sale] = market.sales(0)
    assert (sale.winner, sale.price) == (b3.address, 249 * UNIT // 10)
    assert market.keeper_fees(0) == []


def test_reserves_hold_without_a_claim(make_market, bidders, operator, rollup_payouts):
    """Two rollups with 10 ETH reserves sold as a bundle at 25 ETH, nobody claims: the winner pays the 20 ETH
    the rollups are worth alone (it paid 0 before), and the rollups split it by their reserves."""
    market = make_market(reserves=(10 * ETH, 10 * ETH, 0, 0), payment_rule=PaymentRule.VCG)
    x = bidders[0]
    commit_and_reveal(market, [(x, A | B, 25 * ETH)])
    market.advance_to(0, Phase.CHALLENGE)
    market.propose(operator, 0, [A | B])
    _settle(market, operator, [x])
    [sale] = market.sales(0)
    assert sale.price == 20 * ETH
    assert [market.credit(p.address) for p in rollup_payouts[:2]] == [10 * ETH, 10 * ETH]
    books_balance(market, [*bidders, *rollup_payouts])


def test_a_claim_that_raises_a_payment_earns_its_claimant_a_bounty(make_market, bidders, operator, outsider):
    """x wins A+B (30); without x, B+C (20) and A (5) are worth 25 while the dissolved floor is only 9: the
    claim raises x's payment from 5 to 21, and its claimant (not the operator) earns 10% of the 16 raised."""
    market = make_market(payment_rule=PaymentRule.VCG, challenge_blocks=6)
    x, y, z, w = bidders[:4]
    commit_and_reveal(
        market, [(x, A | B, 30 * UNIT), (y, B | C, 20 * UNIT), (z, A, 5 * UNIT), (w, C, 4 * UNIT)]
    )
    market.advance_to(0, Phase.CHALLENGE)
    market.propose(operator, 0, [A | B])
    market.claim_counterfactual(outsider, 0, x.address, [B | C])  # 20 + A alone 5 = 25
    _settle(market, operator, [x, y, z, w])
    sales = {sale.bundle: sale.price for sale in market.sales(0)}
    # W = 34; x pays W(-x) - (W - 30) = 25 - 4; w (C at 4) pays 0: without w, C is worth its reserve, 0.
    assert sales == {A | B: 21 * UNIT, C: 0}
    [fee] = market.keeper_fees(0)
    assert (fee.bundle, fee.keeper, fee.amount) == (A | B, outsider.address, (21 - 5) * UNIT // 10)
    assert market.credit(outsider.address) == fee.amount


def test_the_operator_carries_on_past_a_reverting_proposal(make_market, bidders, operator, outsider):
    """Someone proposes the optimum first: the operator's proposal reverts (NotBetter), and it still makes
    every claim."""
    market = make_market(payment_rule=PaymentRule.VCG, challenge_blocks=6)
    x, y, z, w = bidders[:4]
    commit_and_reveal(
        market, [(x, A | B, 30 * UNIT), (y, B | C, 20 * UNIT), (z, A, 5 * UNIT), (w, C, 4 * UNIT)]
    )
    market.advance_to(0, Phase.CHALLENGE)
    market.propose(outsider, 0, [A | B])  # front-runs the operator with the same partition
    operator_ = VcgOperator(market, operator)
    operator_._propose = lambda round_, clearing: operator_._send(  # skip the pre-check: send and revert
        "propose", market.propose, operator, round_, clearing.bundles
    )
    submission = operator_.submit(0)
    assert submission.reverted == ("propose: NotBetter",)
    assert market.counterfactual_value(0, x.address) == 25 * UNIT  # the claim was still made


# ---------------------------------------------------------------- last look and the free exit


def test_a_ladder_of_commitments_loses_against_bidding_honestly(
    make_market, bidders, operator, rollup_payouts
):
    """Review: 8 rungs 0.0875..0.1 ETH on a slot; the bidder watched the rival's 0.087 and opened only the
    cheapest winning rung, winning at 0.0875 + 7 x 0.001 of penalties. Now each unopened rung forfeits its
    lock (at least its bid): the ladder costs 0.0875 + 7 rung locks, far above the honest 0.1."""
    market = make_market(max_commits=8, commit_blocks=12)
    ladder, rival = bidders[0], bidders[1]
    rungs = [875 * 10**14 + k * 25 * 10**13 for k in range(8)]  # 0.0875, 0.08775, ... ETH
    sealed = [sealed_commit(market, ladder, 0, A, amount) for amount in rungs]
    rival_bid = sealed_commit(market, rival, 0, A, 87 * UNIT)
    market.advance_to(0, Phase.REVEAL)
    market.reveal(rival, rival_bid)  # the ladder bidder waits for this...
    market.reveal(ladder, sealed[0])  # ...then opens the cheapest rung that still wins
    _settle(market, operator, [ladder, rival])
    [sale] = market.sales(0)
    assert (sale.winner, sale.price) == (ladder.address, rungs[0])
    # It deposited the eight locks (each rung's bid) and gets none back: the win plus seven forfeited locks.
    assert market.collateral(ladder.address) == (0, 0)
    ladder_cost = sum(rungs)
    honest_cost = 100 * UNIT  # bidding its value, 0.1, once and paying it (first price)
    assert ladder_cost > 7 * honest_cost
    books_balance(market, [*bidders, *rollup_payouts])


def test_walking_away_from_a_winning_bid_forfeits_its_lock_to_the_rollups(
    make_market, bidders, operator, rollup_payouts
):
    """Review: a winner left a 1 ETH winning bid unopened for a 0.001 penalty; its rollup got 0.01. Now the
    whole 1 ETH lock is forfeited and the rollups share it (equal shares)."""
    market = make_market()
    walker, other = bidders[0], bidders[1]
    sealed_commit(market, walker, 0, A | B, ETH)  # never opened
    commit_and_reveal(market, [(other, A, 10 * UNIT)])
    market.advance_to(0, Phase.CHALLENGE)
    ClearingOperator(market, operator).submit(0)
    _settle(market, operator, [walker, other])
    assert market.collateral(walker.address) == (0, 0)
    assert [market.credit(p.address) for p in rollup_payouts] == [
        10 * UNIT + ETH // 4,
        ETH // 4,
        ETH // 4,
        ETH // 4,
    ]
    books_balance(market, [*bidders, *rollup_payouts])


# ---------------------------------------------------------------- shill bids


def _shill_share(make_market, bidders, operator, rollup_payouts, split_rule):
    """Rollup 0's share of a 100-unit A+B bundle: honestly (no bid on itself), then with a losing singleton
    bid on itself just under the bundle's threshold (the review's 25 -> 69.7 under singleton values)."""
    shares = []
    for shill in (False, True):
        market = make_market(reserves=(0, 0, 0, 0), split_rule=split_rule)
        bids = [(bidders[0], A | B, 100 * UNIT), (bidders[1], B, 30 * UNIT), (bidders[2], A, 10 * UNIT)]
        if shill:
            bids.append((rollup_payouts[0], A, 697 * UNIT // 10))  # 69.7 + 30 = 99.7 < 100: still loses
        commit_and_reveal(market, bids)
        market.advance_to(0, Phase.CHALLENGE)
        ClearingOperator(market, operator).submit(0)
        _settle(market, operator, [*bidders[:3], rollup_payouts[0]])
        shares.append(market.credit(rollup_payouts[0].address))
    return shares


def test_a_rollups_shill_bid_moves_nothing_under_the_default_reserve_split(
    make_market, bidders, operator, rollup_payouts
):
    honest, shilled = _shill_share(make_market, bidders, operator, rollup_payouts, SplitRule.RESERVES)
    assert honest == shilled == split(100 * UNIT, [0, 0])[0]


def test_the_singleton_value_split_stays_exposed_to_shill_bids(
    make_market, bidders, operator, rollup_payouts
):
    """The option's exposure, measured: rollup 0's share of a 100-unit bundle goes from 25 to 69.9."""
    honest, shilled = _shill_share(make_market, bidders, operator, rollup_payouts, SplitRule.SINGLETON_VALUES)
    assert honest == split(100 * UNIT, [10 * UNIT, 30 * UNIT])[0] == 25 * UNIT
    assert shilled == split(100 * UNIT, [697 * UNIT // 10, 30 * UNIT])[0]
    assert shilled - honest > 44 * UNIT


def test_a_vcg_shill_ladder_costs_the_rollup_more_than_it_raises(
    make_market, bidders, operator, rollup_payouts
):
    """Under VCG a rollup's own losing singleton bid acts as a reserve set after seeing the bids (review: a
    winner's price went from 40 to 99). Sealed bids leave it blind; to pick its rung after seeing the
    winner's reveal it must commit a ladder, and every unopened rung forfeits its lock. Here the ladder
    raises the price from 41 to 99.9 and costs rollup 0 more than 100 units net, where one blind bid at 40
    (no ladder) would have left it 20.5 ahead."""
    market = make_market(
        payment_rule=PaymentRule.VCG, split_rule=SplitRule.RESERVES, max_commits=4, commit_blocks=12
    )
    winner, rollup = bidders[0], rollup_payouts[0]
    rungs = [40 * UNIT, 70 * UNIT, 90 * UNIT, 989 * UNIT // 10]
    sealed = [sealed_commit(market, rollup, 0, A, amount) for amount in rungs]
    commit_and_reveal(market, [(winner, A | B, 100 * UNIT), (bidders[1], B, UNIT)])
    market.reveal(rollup, sealed[3])  # after seeing the 100: the highest rung that still loses (98.9 + 1)
    market.advance_to(0, Phase.CHALLENGE)
    VcgOperator(market, operator).submit(0)
    _settle(market, operator, [winner, bidders[1], rollup])
    [sale] = market.sales(0)
    assert (sale.bundle, sale.price) == (A | B, 999 * UNIT // 10)  # 41 with the blind rung alone
    deposited = sum(rungs)
    back = market.collateral(rollup.address)[0] + market.credit(rollup.address)
    ladder_net = back - deposited  # revenue share and its quarter of the forfeits, less the deposits
    assert ladder_net < -100 * UNIT
    blind_net = split(41 * UNIT, [0, 0])[0]  # one revealed bid at 40, lock returned, half of 41
    assert ladder_net < blind_net


# ---------------------------------------------------------------- false names, ties, bounds


def test_false_name_bids_pay_the_reserves(make_market, bidders, operator, rollup_payouts):
    """A bidder wanting A+B against a rival's 60 splits into two identities bidding 70 on A and on B: each
    won its singleton for 0 even with every claim made. With the dissolved floor each pays its rollup's
    reserve: with reserves of 20, the sybil pair pays 40 instead of 0 (still below the rival's 60: bounded by
    the reserves, as docs/design.md says)."""
    market = make_market(reserves=(20 * UNIT, 20 * UNIT, 0, 0), payment_rule=PaymentRule.VCG)
    sybil_a, sybil_b, rival = bidders[:3]
    commit_and_reveal(market, [(rival, A | B, 60 * UNIT), (sybil_a, A, 70 * UNIT), (sybil_b, B, 70 * UNIT)])
    market.advance_to(0, Phase.CHALLENGE)
    VcgOperator(market, operator).submit(0)
    _settle(market, operator, [sybil_a, sybil_b, rival])
    paid = {sale.winner: sale.price for sale in market.sales(0)}
    assert paid == {sybil_a.address: 20 * UNIT, sybil_b.address: 20 * UNIT}
    books_balance(market, [*bidders, *rollup_payouts])


def test_equal_value_proposals_rank_the_same_whatever_their_order(make_market, bidders, operator, outsider):
    """A+B+C+D can be cleared as A+B with C+D (two bundles) or as A+B+C+D... all worth 50. Fewer rollups
    covered wins a tie; between A+C/B+D and A+B/C+D (same cover) the smaller tie key wins, in either order."""
    kept = []
    for first_operator in (True, False):
        market = make_market()
        commit_and_reveal(
            market,
            [
                (bidders[0], A | B, 25 * UNIT),
                (bidders[1], C | D, 25 * UNIT),
                (bidders[2], A | C, 25 * UNIT),
                (bidders[3], B | D, 25 * UNIT),
                (bidders[4], A | B | C, 50 * UNIT),
            ],
        )
        market.advance_to(0, Phase.CHALLENGE)
        order = [(operator, [A | B, C | D]), (outsider, [A | C, B | D])]
        for proposer, bundles in order if first_operator else order[::-1]:
            with suppress(ContractLogicError):  # the later one may not outrank the first: NotBetter
                market.propose(proposer, 0, bundles)
        kept.append(market.best_partition(0))
        # A+B+C (covers 3) ties on value and outranks both (they cover 4), however late it comes.
        market.propose(bidders[5], 0, [A | B | C])
        assert market.best_partition(0) == ((A | B | C,), 50 * UNIT)
        with reverts_with("NotBetter", value=50 * UNIT, best=50 * UNIT):
            market.propose(operator, 0, [A | B, C | D])
    assert kept[0] == kept[1]


def test_a_bundle_bid_below_its_reserves_cannot_be_listed(make_market, bidders, operator):
    market = make_market(reserves=(30 * UNIT, 30 * UNIT, 0, 0))
    commit_and_reveal(market, [(bidders[0], A | B, 50 * UNIT), (bidders[1], C | D, 20 * UNIT)])
    market.advance_to(0, Phase.CHALLENGE)
    with reverts_with("BundleBelowReserves", bundle=A | B, bid=50 * UNIT, reserves=60 * UNIT):
        market.propose(operator, 0, [C | D, A | B])  # worth more than the singletons, with C+D's gain


def test_a_round_nobody_finalizes_lapses_and_releases_everyone(
    make_market, bidders, operator, rollup_payouts
):
    """No round can lock funds for ever: after the settlement window, finalize is refused and every bidder
    releases its collateral (unopened commitments still forfeit)."""
    market = make_market(settle_blocks=5)
    winner, walker = bidders[0], bidders[1]
    sealed_commit(market, walker, 0, C, 9 * UNIT)  # never opened
    commit_and_reveal(market, [(winner, A | B, 40 * UNIT)])
    market.advance_to(0, Phase.CHALLENGE)
    market.propose(operator, 0, [A | B])
    deadline = market.settle_deadline(0)
    with reverts_with("RoundNotFinalized", round=0):
        market.release(operator, 0, winner.address)
    market.advance_to_block(deadline)
    assert chain.blocks.height + 1 >= deadline
    with reverts_with("RoundLapsed", round=0, deadline=deadline):
        market.finalize(operator, 0)
    market.release(operator, 0, winner.address)
    market.release(operator, 0, walker.address)
    assert market.collateral(winner.address) == (40 * UNIT, 0)  # nothing sold, nothing paid
    assert market.collateral(walker.address) == (0, 0) and market.forfeits(0) == 9 * UNIT
    assert market.sales(0) == []
    books_balance(market, [*bidders, *rollup_payouts])

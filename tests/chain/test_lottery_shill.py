"""The lottery shill: a rollup buys tickets of its own singleton in the last sale block, its bundle wins
anyway, and those tickets are refunded in full. Under the SingletonValues split they raised its weight, so
its share of the bundle's revenue, for nothing; under Reserves (the lottery's default) they change nothing.

Scenario (the figures README's "Economic defences" table quotes): T = 4, price floor 1e15 wei, draw bounty
100 bps, rollup R0 reserve 1e15, R1 reserve 5e14 (R2, R3: 0, unsold). A sequencer buys the 2T = 8 tickets
of {R0, R1}: 9.5e15 wei. R1's payout address buys 7 tickets of {R1} in the last sale block (7.5e15 wei):
the singletons are then worth 1e15 + 7.5e15 = 8.5e15 < 9.5e15, so the bundle still wins and R1's tickets
are refunded. The rollups split 9.5e15 less the 9.5e13 bounty = 9.405e15.
"""

from __future__ import annotations

from ape import chain

from seqmarket.chain.config import LotteryConfig
from seqmarket.chain.lottery_client import LotteryClient
from seqmarket.protocol.revenue import split
from seqmarket.protocol.rules import SplitRule
from seqmarket.protocol.schedule import Phase
from seqmarket.rounds.operator import ClearingOperator
from tests.support.onchain import books_balance, next_tx_at, phase_edges

R0, R1 = 1, 2
BUNDLE = R0 | R1
FLOOR = 10**15
RESERVES = (10**15, 5 * 10**14, 0, 0)
SHILL_TICKETS = 7

#: R1's credit for the bundle, measured below: (rule, shill) -> wei.
MEASURED = {
    (SplitRule.SINGLETON_VALUES, False): 3_135_000_000_000_000,  # 1/3 of 9.405e15: weights 1e15, 5e14
    (SplitRule.SINGLETON_VALUES, True): 8_298_529_411_764_705,  # 7.5/8.5 of it: weights 1e15, 7.5e15
    (SplitRule.RESERVES, False): 3_135_000_000_000_000,
    (SplitRule.RESERVES, True): 3_135_000_000_000_000,  # unmoved
}


def _round(rule: SplitRule, shill: bool, sequencer, operator, rollup_payouts) -> int:
    """Run the scenario once; returns R1's credit for the bundle (its shill tickets refunded first)."""
    config = LotteryConfig(
        payouts=tuple(a.address for a in rollup_payouts),
        reserves=RESERVES,
        start_block=chain.blocks.height + 3,
        chain_id=chain.chain_id,
        sale_blocks=12,
        challenge_blocks=4,
        lookahead=6,
        draw_window=3,
        target_tickets=4,
        price_floor=FLOOR,
        draw_bounty_bps=100,
        split_rule=rule,
    )
    lottery = LotteryClient.deploy(config, operator)
    rollup = rollup_payouts[1]
    lottery.advance_to(0, Phase.COMMIT)
    lottery.buy(sequencer, 0, BUNDLE, 8)
    if shill:
        next_tx_at(phase_edges(lottery, 0, Phase.COMMIT)[1])  # the last sale block: nobody can answer
        lottery.buy(rollup, 0, R1, SHILL_TICKETS)
    lottery.advance_to(0, Phase.CHALLENGE)
    ClearingOperator(lottery, operator).submit(0)
    lottery.advance_to_block(lottery.draw_state(0).target)
    lottery.draw(operator, 0)
    lottery.advance_to(0, Phase.SETTLE)
    lottery.finalize(operator, 0)
    assert [w.bundle for w in lottery.wins(0)] == [BUNDLE]  # the shill never stops the bundle winning
    [share] = [p.amount for p in lottery.rollup_payments(0) if p.rollup == 1]
    if shill:
        paid = lottery.paid_by(0, R1, rollup.address)
        assert paid == 7_500_000_000_000_000
        lottery.claim_refund(rollup, 0, R1)
        assert lottery.credit(rollup.address) == share + paid  # every wei back: the shill cost nothing
    books_balance(lottery, [sequencer, operator, *rollup_payouts])
    return share


def test_a_self_bid_moves_a_rollups_share_only_under_singleton_values(bidders, operator, rollup_payouts):
    measured = {
        (rule, shill): _round(rule, shill, bidders[0], operator, rollup_payouts)
        for rule in (SplitRule.SINGLETON_VALUES, SplitRule.RESERVES)
        for shill in (False, True)
    }
    net = 9_405_000_000_000_000  # 9.5e15 of tickets less the 1% draw bounty
    assert measured == MEASURED
    assert measured[SplitRule.SINGLETON_VALUES, False] == split(net, [10**15, 5 * 10**14])[1]
    assert measured[SplitRule.SINGLETON_VALUES, True] == split(net, [10**15, 7_500_000_000_000_000])[1]
    gain = measured[SplitRule.SINGLETON_VALUES, True] - measured[SplitRule.SINGLETON_VALUES, False]
    assert gain == 5_163_529_411_764_705  # 33.3% -> 88.2% of the bundle's revenue, free
    assert measured[SplitRule.RESERVES, True] == measured[SplitRule.RESERVES, False]  # no gain at all
    print(f"\nR1's share of {net} wei: {measured} (gain under singleton values: {gain} wei)")


def test_the_lottery_splits_by_reserves_by_default(rollup_payouts):
    config = LotteryConfig(
        payouts=tuple(a.address for a in rollup_payouts), reserves=RESERVES, start_block=1, chain_id=1
    )
    assert config.split_rule == SplitRule.RESERVES

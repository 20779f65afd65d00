"""Whole lottery rounds with lottery agents: the driver's checks hold and the market ends empty."""

from __future__ import annotations

import random

from seqmarket.agents.lottery import LotteryBidder
from seqmarket.agents.valuation import SynergyValuation
from seqmarket.rounds.lottery import run_lottery_round
from seqmarket.rounds.participant import Participant
from tests.support.onchain import books_balance


def test_two_lottery_rounds_with_agents_balance_to_zero(make_lottery, bidders, operator, rollup_payouts):
    rng = random.Random(3)
    lottery = make_lottery(sale_blocks=40, target_tickets=6)
    agents = [
        Participant(a, LotteryBidder(f"b{k}", SynergyValuation.random(rng, 4, mean_value=10**16)))
        for k, a in enumerate(bidders[:4])
    ]
    for round_ in (0, 1):
        outcome = run_lottery_round(lottery, round_, agents, operator)  # checks chain vs off-chain inside
        assert outcome.wins and outcome.clearing is not None
        books_balance(lottery, [*bidders, *rollup_payouts, operator])
    for account in [*bidders, *rollup_payouts, operator]:  # the operator drew: its bounty
        if lottery.credit(account.address):
            lottery.withdraw_credit(account)
    assert lottery.balance() == 0

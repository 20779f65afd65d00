"""Fairness of the draw: the contract's winning-ticket function equals the Python one on a sample, and over
thousands of draws win frequencies match ticket shares (chi-square)."""

from __future__ import annotations

import random

import pytest
from ape import project
from scipy.stats import chisquare

from seqmarket.lottery import ticket_holder, winning_ticket

TICKETS = {"alice": 10, "bob": 6, "carol": 3, "dave": 1}  # 20 tickets, shares 50/30/15/5 %
DRAWS = 4000


@pytest.fixture(scope="module")
def lottery_contract(accounts, chain):
    payouts = [accounts[2].address, accounts[3].address]
    config = (payouts, [0, 0], chain.blocks.height + 5, 10, 4, 6, 3, 10, 0, 10**18, 0, 10**12, 0, 1, 0)
    return project.LotteryMarket.deploy(config, sender=accounts[0])


def test_contract_draw_function_matches_python(lottery_contract):
    rng = random.Random(1)
    for _ in range(60):
        seed = rng.randbytes(32)
        bundle = rng.randint(1, 2**256 - 1)
        sold = rng.randint(1, 2**32)
        assert lottery_contract.winningTicket(seed, bundle, sold) == winning_ticket(seed, bundle, sold)


def test_win_frequencies_match_ticket_shares():
    """4,000 draws with independent seeds: chi-square against the ticket shares, p > 0.001."""
    buyers = list(TICKETS)
    ends, total = [], 0
    for buyer in buyers:
        total += TICKETS[buyer]
        ends.append(total)
    rng = random.Random(2026)
    wins = dict.fromkeys(buyers, 0)
    for _ in range(DRAWS):
        ticket = winning_ticket(rng.randbytes(32), 0b1011, total)
        wins[ticket_holder(ends, buyers, ticket)] += 1
    expected = [DRAWS * TICKETS[b] / total for b in buyers]
    statistic, p_value = chisquare([wins[b] for b in buyers], expected)
    assert p_value > 0.001, (wins, statistic, p_value)
    # And a lopsided split is detected: the test has power.
    skewed = [wins["alice"] + 200, wins["bob"] - 200, wins["carol"], wins["dave"]]
    assert chisquare(skewed, expected).pvalue < 0.001

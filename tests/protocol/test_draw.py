"""Fairness of the draw: over thousands of draws, win frequencies match ticket shares (chi-square)."""

from __future__ import annotations

import random

from scipy.stats import chisquare

from seqmarket.protocol.draw import ticket_holder, winning_ticket

TICKETS = {"alice": 10, "bob": 6, "carol": 3, "dave": 1}  # 20 tickets, shares 50/30/15/5 %
DRAWS = 4000


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

"""Lottery rounds: ticket sales on the curve, the draw's window and re-arm, settlement, refunds, base
prices between rounds, and funds conserved to the wei."""

from __future__ import annotations

import pytest
from ape import chain

from seqmarket.protocol.draw import draw_bounty, draw_seed, ticket_holder, winning_ticket
from seqmarket.protocol.pricing import Curve, decay, next_base, starting_price
from seqmarket.protocol.schedule import Phase
from tests.support.onchain import books_balance, next_tx_at, phase_edges, reverts_with

A, B, C, D = 1, 2, 4, 8
FLOOR = 10**12


# ---------------------------------------------------------------- buying


@pytest.mark.parametrize("curve", list(Curve))
def test_buying_pays_exactly_the_curve(make_lottery, bidders, curve):
    lottery = make_lottery(reserves=(4 * 10**15, 0, 0, 0), curve=curve)
    base = lottery.base_price(A, 0)
    assert base == starting_price([4 * 10**15], 4, FLOOR) == 10**15  # reserves / T
    lottery.advance_to(0, Phase.COMMIT)
    mirror = lottery.price_curve
    before = bidders[0].balance
    receipt = lottery.buy(bidders[0], 0, A, 5, value=mirror.cost(base, 0, 5) + 123)  # 123 wei too much
    fee = receipt.gas_used * receipt.gas_price
    assert bidders[0].balance == before - mirror.cost(base, 0, 5) - 123 - fee
    assert lottery.credit(bidders[0].address) == 123  # the excess, to withdraw
    assert lottery.quote(0, A, 3) == mirror.cost(base, 5, 3)  # the last three of 2T = 8
    lottery.buy(bidders[1], 0, A, 3)
    assert lottery.tickets_sold(0, A) == 8
    assert int(lottery.contract.revenueOf(0, A)) == mirror.cost(base, 0, 8)
    books_balance(lottery, bidders)


def test_buy_reverts(make_lottery, bidders):
    lottery = make_lottery()
    first, last = phase_edges(lottery, 0, Phase.COMMIT)
    next_tx_at(first - 1)
    with reverts_with("WrongPhase", round=0, expected=int(Phase.COMMIT), actual=int(Phase.NOT_OPEN)):
        lottery.buy(bidders[0], 0, A, 1, value=10**15)
    with reverts_with("InvalidBundle", bundle=0):
        lottery.buy(bidders[0], 0, 0, 1, value=10**15)
    with reverts_with("InvalidBundle", bundle=1 << 4):
        lottery.buy(bidders[0], 0, 1 << 4, 1, value=10**15)
    with reverts_with("ZeroTickets"):
        lottery.buy(bidders[0], 0, A, 0, value=10**15)
    with reverts_with("InsufficientPayment", cost=FLOOR * 2, paid=FLOOR * 2 - 1):
        lottery.buy(bidders[0], 0, A, 2, value=FLOOR * 2 - 1)
    lottery.buy(bidders[0], 0, A, 5)  # no per-address cap (removed: addresses are free)
    lottery.buy(bidders[1], 0, A, 1)
    with reverts_with("TicketLimit", bundle=A, available=2):  # 2T = 8
        lottery.buy(bidders[2], 0, A, 3, value=10**16)
    next_tx_at(last)
    lottery.buy(bidders[2], 0, A, 2)  # last sale block: accepted
    with reverts_with("WrongPhase", round=0, expected=int(Phase.COMMIT), actual=int(Phase.CHALLENGE)):
        lottery.buy(bidders[3], 0, B, 1, value=10**15)


# ---------------------------------------------------------------- the draw


def _sell_and_propose(lottery, bidders, operator):
    lottery.advance_to(0, Phase.COMMIT)
    lottery.buy(bidders[0], 0, A | B, 3)
    lottery.buy(bidders[1], 0, A | B, 1)
    lottery.buy(bidders[2], 0, C, 2)
    lottery.buy(bidders[3], 0, B | C, 1)
    lottery.advance_to(0, Phase.CHALLENGE)
    lottery.propose(operator, 0, [A | B])


def test_draw_window_edges_and_once_only(make_lottery, bidders, operator):
    lottery = make_lottery()
    _sell_and_propose(lottery, bidders, operator)
    target = lottery.draw_state(0).target
    assert target == lottery.round_start(0) + 12 + 6  # sale end + lookahead
    next_tx_at(target - 1)
    with reverts_with("DrawTooEarly", round=0, target=target):
        lottery.draw(operator, 0)
    receipt = lottery.draw(operator, 0)  # first block of the window
    [log] = receipt.decode_logs()
    assert (log.event_name, log.blockNumber) == ("Drawn", target)
    with reverts_with("AlreadyDrawn", round=0):
        lottery.draw(operator, 0)
    assert lottery.draw_state(0).seed == draw_seed(
        0, chain.chain_id, lottery.address, 0
    )  # eth-tester: prevrandao 0


def test_last_window_block_draws_and_a_missed_window_rearms(make_lottery, bidders, operator):
    lottery = make_lottery(max_rearms=1)
    _sell_and_propose(lottery, bidders, operator)
    target = lottery.draw_state(0).target
    next_tx_at(target + 3)  # window is [target, target + 3)
    receipt = lottery.draw(operator, 0)
    [log] = receipt.decode_logs()
    assert (log.event_name, log.target, log.rearms) == ("DrawRearmed", target + 3 + 6, 1)
    assert not lottery.draw_state(0).drawn
    next_tx_at(target + 3 + 6 + 2)  # last block of the new window
    assert [log.event_name for log in lottery.draw(operator, 0).decode_logs()] == ["Drawn"]

    other = make_lottery()
    _sell_and_propose(other, bidders, operator)
    next_tx_at(other.draw_state(0).target + 2)
    assert [log.event_name for log in other.draw(operator, 0).decode_logs()] == ["Drawn"]


def test_missed_windows_beyond_the_cap_void_the_round(make_lottery, bidders, operator, rollup_payouts):
    """One re-arm allowed: a second missed window voids the round; all tickets refunded, nobody sequences."""
    lottery = make_lottery(max_rearms=1)
    _sell_and_propose(lottery, bidders, operator)
    target = lottery.draw_state(0).target
    next_tx_at(target + 3)
    assert [log.event_name for log in lottery.draw(operator, 0).decode_logs()] == ["DrawRearmed"]
    rearmed = lottery.draw_state(0)
    assert (rearmed.rearms, rearmed.target) == (1, target + 3 + 6)
    next_tx_at(rearmed.target + 3)
    assert [log.event_name for log in lottery.draw(operator, 0).decode_logs()] == ["RoundVoided"]
    with reverts_with("Voided", round=0):
        lottery.draw(operator, 0)
    lottery.finalize(operator, 0)
    assert lottery.wins(0) == [] and lottery.sequencer_of(0, 0) == "0x" + "00" * 20
    for bidder, bundle in ((bidders[0], A | B), (bidders[1], A | B), (bidders[2], C), (bidders[3], B | C)):
        lottery.claim_refund(bidder, 0, bundle)
    assert lottery.escrow() == 0
    assert sum(lottery.credit(b.address) for b in bidders) == lottery.balance()
    books_balance(lottery, [*bidders, *rollup_payouts])


def test_finalize_needs_the_challenge_over_and_the_draw(make_lottery, bidders, operator):
    lottery = make_lottery(lookahead=5)
    _sell_and_propose(lottery, bidders, operator)
    _, last_challenge = phase_edges(lottery, 0, Phase.CHALLENGE)
    next_tx_at(last_challenge)
    with reverts_with("WrongPhase", expected=int(Phase.SETTLE), actual=int(Phase.CHALLENGE)):
        lottery.finalize(operator, 0)
    with reverts_with("NotDrawn", round=0):
        lottery.finalize(operator, 0)
    lottery.advance_to_block(lottery.draw_state(0).target)
    lottery.draw(operator, 0)
    lottery.finalize(operator, 0)
    with reverts_with("AlreadyFinalized", round=0):
        lottery.finalize(operator, 0)


# ---------------------------------------------------------------- settlement and refunds


def test_winners_refunds_and_books(make_lottery, bidders, operator, rollup_payouts):
    lottery = make_lottery(reserves=(0, 0, 3 * 10**12, 0))
    _sell_and_propose(lottery, bidders, operator)
    with reverts_with("RoundNotFinalized", round=0):
        lottery.claim_refund(bidders[3], 0, B | C)
    lottery.advance_to_block(lottery.draw_state(0).target)
    lottery.draw(operator, 0)
    lottery.finalize(operator, 0)
    state = lottery.draw_state(0)

    # A+B (4 tickets) and C alone (2 tickets, revenue 2e12 < reserve 3e12: unsold) and B+C (lost).
    [win] = lottery.wins(0)
    ticket = winning_ticket(state.seed, A | B, 4)
    holder = ticket_holder([3, 4], [bidders[0].address, bidders[1].address], ticket)
    assert (win.bundle, win.ticket, win.winner) == (A | B, ticket, holder)
    zero = "0x" + "00" * 20
    assert [lottery.sequencer_of(0, i) for i in range(4)] == [holder, holder, zero, zero]
    revenue = int(lottery.contract.revenueOf(0, A | B))
    bounty = draw_bounty(revenue, lottery.draw_bounty_bps)  # the operator drew
    assert bounty > 0 and lottery.credit(operator.address) == bounty
    assert sum(lottery.credit(p.address) for p in rollup_payouts) == revenue - bounty

    with reverts_with("BundleWon", round=0, bundle=A | B):
        lottery.claim_refund(bidders[0], 0, A | B)
    with reverts_with("NothingToRefund", round=0, bundle=C, buyer=bidders[0].address):
        lottery.claim_refund(bidders[0], 0, C)
    lottery.claim_refund(bidders[2], 0, C)  # unsold singleton
    lottery.claim_refund(bidders[3], 0, B | C)  # bundle not in the partition
    assert lottery.credit(bidders[2].address) == 2 * FLOOR
    assert lottery.escrow() == 0
    books_balance(lottery, [*bidders, *rollup_payouts, operator])


def test_base_price_follows_demand_between_rounds(make_lottery, bidders, operator):
    """Round 0's kept tickets move the base from round 2 on (round 1's sale opens before round 0's partition
    is final); read now, later rounds are projections counting round 0 as it stands (singletons A and B,
    with no reserve, sell)."""
    lottery = make_lottery(sale_blocks=30)
    lottery.advance_to(0, Phase.COMMIT)
    lottery.buy(bidders[0], 0, A, 8)  # 2T: +12.5%
    lottery.buy(bidders[0], 0, B, 1)  # below target: down
    base = FLOOR
    assert lottery.base_price(A, 1) == base  # round 0's partition is not final when round 1's sale opens
    assert lottery.base_price(A, 2) == next_base(base, 8, 4, FLOOR) == base * 9 // 8
    assert lottery.base_price(B, 2) == next_base(base, 1, 4, FLOOR) == FLOOR  # floor holds
    # Four rounds on, two of them without sales: one demand step, then decay.
    assert lottery.base_price(A, 4) == decay(base * 9 // 8, 2, 4, FLOOR)
    lottery.advance_to(1, Phase.COMMIT)
    lottery.buy(bidders[1], 1, A, 1)
    assert int(lottery.contract.revenueOf(1, A)) == base


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("lookahead", 4),
        ("draw_window", 0),
        ("target_tickets", 1),
        ("price_floor", 0),
        ("gamma", 5 * 10**18),
        ("challenge_blocks", 21),  # longer than the sale (20)
        ("draw_bounty_bps", 10_001),
    ],
)
def test_lottery_config_is_checked_on_chain(operator, rollup_payouts, field, value):
    """The contract rejects what the Python config rejects, even when called directly."""
    from ape import project

    from seqmarket.chain.config import LotteryConfig
    from seqmarket.errors import ConfigError

    fields = dict(
        payouts=tuple(a.address for a in rollup_payouts),
        reserves=(0,) * 4,
        start_block=chain.blocks.height + 3,
        chain_id=chain.chain_id,
        challenge_blocks=4,
    )
    with pytest.raises((ConfigError, ValueError)):
        LotteryConfig(**{**fields, field: value})
    struct = list(LotteryConfig(**fields).as_struct())
    position = {
        "challenge_blocks": 4,
        "lookahead": 5,
        "draw_window": 6,
        "target_tickets": 7,
        "gamma": 10,
        "price_floor": 11,
        "draw_bounty_bps": 13,
    }
    struct[position[field]] = value
    with reverts_with("InvalidConfig"):
        project.LotteryMarket.deploy(tuple(struct), sender=operator)


# ---------------------------------------------------------------- whole rounds


def test_absurd_ticket_count_is_a_named_error_not_an_overflow(make_lottery, bidders):
    lottery = make_lottery()
    lottery.advance_to(0, Phase.COMMIT)
    lottery.buy(bidders[0], 0, A, 1)
    with reverts_with("TicketLimit", bundle=A, available=7):
        lottery.buy(bidders[0], 0, A, 2**256 - 1, value=10**15)
    with reverts_with("TicketLimit", bundle=A, available=7):
        lottery.contract.quote(0, A, 2**256 - 1)

"""The lottery's economic defences, each attack re-run and failing: the base-price pump (buy a bundle's
whole supply, lose, take the refund), identities against a per-address cap (removed), draws nobody was
paid to make (the drawer's bounty) and draw settings a chain's RANDAO cannot back (per-chain limits)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from ape import chain

from seqmarket.chain.config import LotteryConfig
from seqmarket.chain.lottery_client import LotteryClient
from seqmarket.errors import ConfigError
from seqmarket.protocol.draw import ETHEREUM_CHAINS, LOCAL_CHAINS, draw_bounty, draw_limits
from seqmarket.protocol.pricing import base_in_round, next_base, starting_price
from seqmarket.protocol.schedule import Phase
from seqmarket.rounds.operator import ClearingOperator
from tests.support.onchain import books_balance, next_tx_at, reverts_with

A, B, C, D = 1, 2, 4, 8
X = A | B | C  # the bundle the attacker pumps
Z = A | B  # the honest bundle that beats it (with C sold alone)
T = 4
FLOOR = 10**12
RESERVE = 4 * 10**15  # of A and of B: X and Z start at 8e15 / T = 2e15 a ticket
START = starting_price([RESERVE, RESERVE, 0], T, FLOOR)


def _config(rollup_payouts, start_block: int, **overrides) -> LotteryConfig:
    fields = dict(
        payouts=tuple(a.address for a in rollup_payouts),
        reserves=(RESERVE, RESERVE, 0, 0),
        start_block=start_block,
        chain_id=chain.chain_id,
        sale_blocks=30,
        challenge_blocks=4,
        lookahead=6,
        draw_window=3,
        target_tickets=T,
        price_floor=FLOOR,
    )
    return LotteryConfig(**{**fields, **overrides})


def _settle(markets: list[LotteryClient], round_: int, keeper) -> None:
    """In each market (on one schedule), step by step: propose the optimum, draw in the window, finalize."""
    markets[0].advance_to(round_, Phase.CHALLENGE)
    for market in markets:
        ClearingOperator(market, keeper).submit(round_)
    markets[0].advance_to_block(markets[0].draw_state(round_).target)
    for market in markets:
        market.draw(keeper, round_)
        assert market.draw_state(round_).drawn
    markets[0].advance_to(round_, Phase.SETTLE)
    for market in markets:
        market.finalize(keeper, round_)


# ---------------------------------------------------------------- item 1: the base-price pump


def test_a_refunded_pump_leaves_the_base_price_where_it_would_be_without_it(
    bidders, operator, rollup_payouts
):
    """Twin markets, the same honest purchases in each; in the first an attacker buys X's whole supply (2T)
    in rounds 0 and 2, X loses to Z + C and the attacker is refunded in full. X's base price never differs
    between the twins: refunded tickets move nothing (under the old rule each pump raised it 12.5%). Round
    1, where X wins with 2T honest tickets, still raises it, from round 3 on."""
    start = chain.blocks.height + 6
    pumped = LotteryClient.deploy(_config(rollup_payouts, start), operator)
    twin = LotteryClient.deploy(_config(rollup_payouts, start), operator)
    attacker, honest, small, winner = bidders[0], bidders[1], bidders[2], bidders[3]
    paid_by_attacker = 0

    def honest_round(round_: int) -> None:
        for market in (pumped, twin):
            market.buy(honest, round_, Z, 2 * T)
            market.buy(small, round_, C, 1)

    def pump(round_: int) -> None:
        nonlocal paid_by_attacker
        cost = pumped.quote(round_, X, 2 * T)
        pumped.buy(attacker, round_, X, 2 * T)
        paid_by_attacker += cost

    # Round 0: X never sold before; the pump loses to Z + C.
    pumped.advance_to(0, Phase.COMMIT)
    pump(0)
    honest_round(0)
    _settle([pumped, twin], 0, operator)
    assert pumped.best_partition(0)[0] == (Z,)
    pumped.claim_refund(attacker, 0, X)
    assert pumped.credit(attacker.address) == paid_by_attacker  # the pump cost nothing
    assert pumped.tickets_kept(0, X) == 0
    for round_ in (1, 2, 3):
        assert pumped.base_price(X, round_) == twin.base_price(X, round_) == START  # as never sold
    old_rule = next_base(START, 2 * T, T, FLOOR)  # what the refunded 2T tickets used to buy: +12.5%
    assert old_rule == START * 9 // 8 != pumped.base_price(X, 2)

    # Round 1: X sells for real (2T honest tickets), in both markets.
    for market in (pumped, twin):
        market.buy(winner, 1, X, 2 * T)
    _settle([pumped, twin], 1, operator)
    for market in (pumped, twin):
        assert market.tickets_kept(1, X) == 2 * T
        assert market.base_price(X, 2) == START  # round 1's partition was not final when round 2 opened
        assert market.base_price(X, 3) == next_base(START, 2 * T, T, FLOOR) == START * 9 // 8  # it rises

    # Round 2: the pump again, on a bundle now sold before; it loses again and is refunded.
    pump(2)
    honest_round(2)
    _settle([pumped, twin], 2, operator)
    pumped.claim_refund(attacker, 2, X)
    assert pumped.credit(attacker.address) == paid_by_attacker
    decayed = next_base(START * 9 // 8, 0, T, FLOOR)  # round 2 kept nothing: one step down
    assert pumped.base_price(X, 4) == twin.base_price(X, 4) == decayed == START * 9 // 8 * 7 // 8
    assert base_in_round({0: 0, 1: 2 * T, 2: 0}, 4, lambda _: START, T, FLOOR) == decayed  # the mirror
    assert next_base(START * 9 // 8, 2 * T, T, FLOOR) > decayed  # the old rule: up another 12.5%

    # Round 4 charges what basePrice said, in both markets.
    pumped.advance_to(4, Phase.COMMIT)
    for market in (pumped, twin):
        market.buy(winner, 4, X, 1)
        assert int(market.contract.revenueOf(4, X)) == decayed
    books_balance(pumped, [*bidders, *rollup_payouts, operator])
    books_balance(twin, [*bidders, *rollup_payouts, operator])


def test_a_void_refunds_and_keeps_nothing_unless_it_comes_too_late(bidders, operator, rollup_payouts):
    """A round voided before round + 2's sale opens keeps nothing (X stays priced as never sold); one voided
    after it is too late to undo the step that sale was already charged: its tickets still count."""
    lottery = LotteryClient.deploy(
        _config(rollup_payouts, chain.blocks.height + 3, draw_window=1, max_rearms=0), operator
    )
    lottery.advance_to(0, Phase.COMMIT)
    lottery.buy(bidders[0], 0, X, 2 * T)
    lottery.advance_to(0, Phase.CHALLENGE)
    ClearingOperator(lottery, operator).submit(0)
    next_tx_at(lottery.draw_state(0).target + 1)  # the only window missed: the call voids
    lottery.draw(operator, 0)
    state = lottery.draw_state(0)
    assert state.voided and state.voided_at < lottery.round_start(2)
    assert lottery.tickets_kept(0, X) == 0 and lottery.base_price(X, 2) == START

    lottery.advance_to(1, Phase.COMMIT)
    lottery.buy(bidders[1], 1, X, 2 * T)
    lottery.advance_to(1, Phase.CHALLENGE)
    ClearingOperator(lottery, operator).submit(1)
    lottery.advance_to(3, Phase.COMMIT)
    lottery.buy(bidders[2], 3, X, 1)  # round 3's base is fixed with round 1 kept: it sold in its partition
    raised = next_base(START, 2 * T, T, FLOOR)
    assert int(lottery.contract.revenueOf(3, X)) == raised
    lottery.draw(operator, 1)  # round 1's window was missed long ago: voided now, too late
    assert lottery.draw_state(1).voided and lottery.draw_state(1).voided_at >= lottery.round_start(3)
    assert lottery.tickets_kept(1, X) == 2 * T and lottery.base_price(X, 3) == raised  # what was charged

    for round_ in (0, 1):
        lottery.advance_to(round_, Phase.SETTLE)
        lottery.finalize(operator, round_)
    lottery.claim_refund(bidders[0], 0, X)
    lottery.claim_refund(bidders[1], 1, X)
    assert lottery.credit(operator.address) == 0  # voiding calls earn no bounty
    books_balance(lottery, [*bidders, *rollup_payouts, operator])


# ---------------------------------------------------------------- item 2: no per-address cap


def test_many_identities_buy_a_whole_bundle_and_no_cap_pretends_otherwise(make_lottery, bidders, operator):
    """Eight addresses (one entity or eight) buy the 2T tickets of one bundle: a per-address cap would not
    have stopped them, so there is none, nor a view suggesting one."""
    lottery = make_lottery()
    names = {abi.name for abi in lottery.contract.contract_type.abi if getattr(abi, "name", None)}
    assert not names & {"perBidderCap", "ticketsHeld", "BidderCapReached"}
    lottery.advance_to(0, Phase.COMMIT)
    for identity in bidders[: 2 * T]:
        lottery.buy(identity, 0, Z, 1)
    assert lottery.tickets_sold(0, Z) == 2 * T
    assert [lottery.contract.ticketHolder(0, Z, k) for k in range(2 * T)] == [b.address for b in bidders[:8]]
    with reverts_with("TicketLimit", bundle=Z, available=0):
        lottery.buy(bidders[0], 0, Z, 1, value=10**15)


# ---------------------------------------------------------------- item 3: draw limits and the bounty


def test_the_drawer_is_credited_exactly_its_bounty(make_lottery, bidders, operator, outsider, rollup_payouts):
    """A keeper who only re-arms a missed window earns nothing; whoever draws the seed earns drawBountyBps
    of each sold bundle's revenue, floored, and the rollups the rest: the books balance to the wei."""
    lottery = make_lottery(draw_bounty_bps=250, price_floor=FLOOR + 7)  # odd prices: the fee rounds
    rearmer = bidders[7]
    lottery.advance_to(0, Phase.COMMIT)
    lottery.buy(bidders[0], 0, Z, 5)
    lottery.buy(bidders[1], 0, C, 3)
    lottery.buy(bidders[2], 0, D, 1)
    lottery.advance_to(0, Phase.CHALLENGE)
    ClearingOperator(lottery, operator).submit(0)
    target = lottery.draw_state(0).target
    next_tx_at(target + 3)  # the window [target, target + 3) missed
    assert [log.event_name for log in lottery.draw(rearmer, 0).decode_logs()] == ["DrawRearmed"]
    lottery.advance_to_block(lottery.draw_state(0).target)
    lottery.draw(outsider, 0)
    assert lottery.draw_state(0).drawer == outsider.address
    lottery.advance_to(0, Phase.SETTLE)
    lottery.finalize(operator, 0)

    wins = lottery.wins(0)
    assert {w.bundle for w in wins} == {Z, C, D}
    fees = {w.bundle: draw_bounty(w.revenue, 250) for w in wins}
    assert all(fees[w.bundle] > 0 and fees[w.bundle] * 10_000 != w.revenue * 250 for w in wins)  # floored
    assert {(f.bundle, f.keeper, f.amount) for f in lottery.keeper_fees(0)} == {
        (bundle, outsider.address, fee) for bundle, fee in fees.items()
    }
    assert lottery.credit(outsider.address) == sum(fees.values())
    assert lottery.credit(rearmer.address) == lottery.credit(operator.address) == 0
    revenue = sum(w.revenue for w in wins)
    assert sum(lottery.credit(p.address) for p in rollup_payouts) == revenue - sum(fees.values())
    everyone = [*bidders, *rollup_payouts, operator, outsider]
    books_balance(lottery, everyone)
    for account in everyone:
        if lottery.credit(account.address):
            lottery.withdraw_credit(account)
    assert lottery.balance() == 0


def test_draw_limits_match_the_contract(make_lottery):
    contract = make_lottery().contract
    others = (10, 8453, 42161, 137, 100, 5, 2**64 - 1)  # L2s, Polygon, Gnosis, retired Goerli, any
    for chain_id in (*sorted(ETHEREUM_CHAINS), *sorted(LOCAL_CHAINS), *others):
        limits = contract.drawLimits(chain_id)
        mirror = draw_limits(chain_id)
        assert (mirror.supported, mirror.min_lookahead, mirror.max_draw_window, mirror.max_rearms) == (
            limits.supported,
            limits.minLookahead,
            limits.maxDrawWindow,
            limits.maxRearms,
        )


def test_lottery_config_refuses_unsafe_draw_settings_before_any_gas(rollup_payouts, operator):
    """On Ethereum the doc's limits (lookahead >= 128, window <= 2, one re-arm; the defaults), nothing on
    local chains, and no chain without a beacon RANDAO (an L2's PREVRANDAO is the sequencer's)."""
    fields = dict(payouts=tuple(a.address for a in rollup_payouts), reserves=(0,) * 4, start_block=10)
    mainnet = LotteryConfig(**fields, chain_id=1)
    assert (mainnet.lookahead, mainnet.draw_window, mainnet.max_rearms) == (128, 2, 1)
    for chain_id in sorted(ETHEREUM_CHAINS):
        for unsafe, words in (
            ({"lookahead": 127}, "lookahead of at least 128"),
            ({"draw_window": 3}, "draw window of at most 2"),
            ({"max_rearms": 2}, "at most 1 re-arms"),
        ):
            with pytest.raises(ConfigError, match=words):
                LotteryConfig(**fields, chain_id=chain_id, **unsafe)
    for l2 in (10, 8453, 42161):
        with pytest.raises(ConfigError, match="no beacon-chain RANDAO"):
            LotteryConfig(**fields, chain_id=l2)
    local = LotteryConfig(**fields, chain_id=chain.chain_id, lookahead=6, draw_window=9, max_rearms=5)
    with pytest.raises(ConfigError, match=f"for chain 1, connected to chain {chain.chain_id}"):
        LotteryClient.deploy(mainnet, operator)  # checked for mainnet: not for this chain
    LotteryClient.deploy(replace(local, start_block=chain.blocks.height + 3), operator)

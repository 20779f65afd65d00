"""A lottery round by hand: deploy with curve options, quote, buy (the quote first), propose, draw, finalize,
refund, withdraw and status, each command's happy path and a decoded error; funds conserved to the wei."""

from __future__ import annotations

from pathlib import Path

import pytest

from seqmarket.chain.connection import local_account
from seqmarket.chain.lottery_client import LotteryClient
from seqmarket.protocol.pricing import Curve, PriceCurve
from seqmarket.protocol.schedule import Phase
from tests.cli.commands import as_json, deploy, fails, next_tx_at, ok, run

MILLI = 10**15
BETA = 3 * 10**18
#: Short phases, the quadratic curve past 1.5T with T = 4, a 2-block draw window 6 blocks after the sale,
#: one re-arm and a 2% draw bounty: every option the lottery's deploy takes that the defaults would hide.
OPTIONS = [
    "--sale-blocks", 10,
    "--challenge-blocks", 4,
    "--lookahead", 6,
    "--draw-window", 2,
    "--max-rearms", 1,
    "--draw-bounty-bps", 200,
    "--target-tickets", 4,
    "--curve", "quadratic",
    "--beta", BETA,
    "--price-floor", "1gwei",
    "--reserve", "0.001eth",
    "--split-rule", "singleton-values",
    "--start-in", 2,
]  # fmt: skip
BUYERS = (10, 11, 12, 13)
DRAWER = 14


@pytest.fixture
def lottery(tmp_path: Path) -> tuple[list[str], LotteryClient]:
    """A lottery deployed by the CLI with OPTIONS: (--deployment args, its client)."""
    deployment = tmp_path / "deployments.json"
    address = deploy("lottery", deployment, *OPTIONS)
    return ["--deployment", str(deployment)], LotteryClient.at(address)


def test_deploy_sets_every_lottery_option(lottery):
    where, market = lottery
    assert market.price_curve == PriceCurve(4, Curve.QUADRATIC, BETA, 693147180559945309)
    assert (market.lookahead, market.draw_window, market.draw_bounty_bps) == (6, 2, 200)
    assert (market.price_floor, market.max_rearms) == (10**9, 1)
    assert (market.schedule.commit_blocks, market.schedule.challenge_blocks) == (10, 4)
    assert market.reserves(0) == (MILLI,) * 4 and market.split_rule.name == "SINGLETON_VALUES"
    rules = as_json("status", *where)["rules"]
    assert (rules["curve"], rules["beta"], rules["target_tickets"], rules["max_rearms"]) == (
        "quadratic",
        str(BETA),
        4,
        1,
    )


def test_a_lottery_round_by_hand(lottery, tmp_path):
    where, market = lottery
    assert "round 0 enters it at block" in fails("quote", "0,1", 3, *where)
    next_tx_at(market.phase_start(0, Phase.COMMIT))
    assert "sale (" in ok("status", 0, *where)  # the lottery's commit phase, by its name

    # The quote, in words and in JSON, is the contract's price of the next tickets.
    quoted = as_json("quote", "0,1", 3, *where)
    assert quoted["cost"] == str(market.quote(0, 0b11, 3)) and quoted["first_ticket"] == 0
    assert quoted["limit"] == 8 and quoted["base_price"] == str(market.base_price(0b11, 0))
    assert f"3 tickets of [0, 1] in round 0 cost {quoted['cost']} wei" in ok("quote", "0,1", 3, *where)

    # buy asks first, showing the quote; a no buys nothing.
    declined = run("buy", "0,1", 3, "--account", 10, *where, input="n\n")
    assert declined.exit_code == 1 and f"cost {quoted['cost']} wei" in declined.stderr
    assert "nothing bought" in declined.stderr and market.tickets_sold(0, 0b11) == 0
    accepted = run("buy", "0,1", 3, "--account", 10, *where, input="y\n")
    assert accepted.exit_code == 0, accepted.stderr
    assert f"cost {quoted['cost']} wei" in accepted.stderr
    assert f"bought tickets 0-2 of [0, 1] in round 0 for {quoted['cost']} wei" in accepted.stdout
    # Past 1.5T = 6 tickets the quadratic curve takes over: the quote is the curve's, to the wei.
    second = market.quote(0, 0b11, 4)
    bought = as_json("buy", "0,1", 4, "--yes", "--account", 11, *where)
    assert (bought["cost"], bought["first_ticket"], bought["count"]) == (str(second), 3, 4)
    assert "only 1 tickets of that bundle are left this round (TicketLimit(" in fails(
        "buy", "0,1", 2, "--yes", "--account", 12, *where
    )
    ok("buy", "2", 5, "--yes", "--account", 12, *where)  # 5 tickets at the base beat its reserve of 4
    ok("buy", "0", 1, "--yes", "--account", 13, *where)  # loses to [0, 1]: refunded

    next_tx_at(market.phase_start(0, Phase.CHALLENGE))
    # Only multi-rollup bundles are listed: [2] sells alone, its tickets beating its reserve.
    assert "proposed [[0, 1]] for round 0" in ok("propose", "--optimal", "--account", 0, *where)

    # Draw: refused before its window (the contract's error, decoded), accepted inside it, once.
    target = market.draw_state(0).target
    assert f"round 0 can be drawn from block {target} (DrawTooEarly(round=0, target={target}))" in fails(
        "draw", "--round", 0, "--account", DRAWER, *where
    )
    assert f"round 0's opens at block {target}" in fails("draw", "--account", DRAWER, *where)
    next_tx_at(target)
    drawn = ok("draw", "--account", DRAWER, *where)
    seed = market.draw_state(0).seed
    assert f"drew round 0: seed 0x{seed.hex()}" in drawn
    assert "round 0 is drawn already (AlreadyDrawn(round=0))" in fails(
        "draw", "--round", 0, "--account", DRAWER, *where
    )

    # The draw comes after the challenge phase (lookahead 6 > 4 challenge blocks): the round can settle now.
    assert market.phase(0) == Phase.SETTLE
    finalized = as_json("finalize", "--account", 0, *where)
    sales = {tuple(s["bundle"]): s for s in finalized["sales"]}
    assert set(sales) == {(0, 1), (2,)}
    assert sales[(0, 1)]["winner"] in {local_account(i).address for i in (10, 11)}
    assert sales[(2,)]["winner"] == local_account(12).address
    assert int(finalized["revenue"]) == int(quoted["cost"]) + second + market.paid_by(
        0, 0b100, sales[(2,)]["winner"]
    )
    assert "is finalized already (AlreadyFinalized(round=0))" in fails(
        "finalize", "--round", 0, "--account", 0, *where
    )

    # The lone ticket of [0] lost to [0, 1]: refunded, once; winners' tickets are not.
    paid = market.paid_by(0, 0b1, local_account(13).address)
    assert f"round 0: refunded {paid} wei" in ok("refund", "--account", 13, *where)
    assert "nothing to refund to" in ok("refund", "--account", 13, *where)
    assert as_json("refund", "--account", 10, *where)["refunds"] == []

    detail = as_json("status", 0, *where)
    assert detail["finalized"] and detail["draw"]["drawer"] == local_account(DRAWER).address
    assert {(tuple(t["bundle"]), t["sold"]) for t in detail["tickets"]} == {((0, 1), 7), ((2,), 5), ((0,), 1)}
    assert detail["sequencers"][:3] == [sales[(0, 1)]["winner"]] * 2 + [sales[(2,)]["winner"]]
    assert detail["sequencers"][3] is None  # rollup 3 unsold
    text = ok("status", 0, *where)
    assert "Tickets per bundle" in text and f"drawn by {local_account(DRAWER).address}" in text
    assert "rollup 3: unsold" in text and "Sales" in text

    # Everyone's money is accounted for, to the wei, before and after they take it out.
    everyone = [local_account(i).address for i in (*BUYERS, DRAWER)]
    assert market.balance() == market.owed_to(everyone) > 0
    bounty = as_json("withdraw", "--account", DRAWER, *where)
    assert int(bounty["credit"]) > 0 and bounty["collateral"] == "0"
    assert f"withdrew {paid} wei" in ok("withdraw", "--account", 13, *where)
    for payout in range(1, 5):
        if market.credit(local_account(payout).address):
            ok("withdraw", "--account", payout, *where)
    assert "has nothing to withdraw" in fails("withdraw", "--account", 10, *where)
    assert market.balance() == market.owed_to(everyone) == market.escrow() == 0


def test_a_missed_draw_window_re_arms_then_voids_and_refunds(lottery):
    where, market = lottery
    next_tx_at(market.phase_start(0, Phase.COMMIT))
    ok("buy", "0,1", 2, "--yes", "--account", 10, *where)
    next_tx_at(market.phase_start(0, Phase.CHALLENGE))
    ok("propose", "--optimal", "--account", 0, *where)
    first = market.draw_state(0).target
    next_tx_at(first + 2)  # the 2-block window has passed
    assert f"round 0 missed its draw window: re-armed to block {first + 2 + 6}" in ok(
        "draw", "--account", DRAWER, *where
    )
    next_tx_at(market.draw_state(0).target + 2)
    voided = as_json("draw", "--account", DRAWER, *where)
    assert (voided["drawn"], voided["voided"], voided["seed"]) == (False, True, None)
    assert "round 0 was voided: every ticket is refunded (Voided(round=0))" in fails(
        "draw", "--round", 0, "--account", DRAWER, *where
    )
    assert "finalized round 0: sold nothing" in ok("finalize", "--account", 0, *where)
    paid = market.paid_by(0, 0b11, local_account(10).address)
    [refund] = as_json("refund", "--account", 10, *where)["refunds"]
    assert (refund["round"], refund["bundle"], refund["amount"]) == (0, [0, 1], str(paid))
    assert market.balance() == market.owed_to([local_account(10).address]) == paid


def test_ticket_commands_check_their_input_before_any_transaction(lottery):
    where, market = lottery
    next_tx_at(market.phase_start(0, Phase.COMMIT))
    assert "the market sells rollups 0 to 3, not [5]" in fails("quote", "5", 1, *where)
    assert "is not a bundle" in fails("buy", "a,b", 1, "--yes", "--account", 10, *where)
    assert "is not in the range x>=1" in fails("buy", "0", 0, "--yes", "--account", 10, *where)
    assert "no sealed market is deployed on chain" in fails("commit", "0", "1gwei", "--account", 10, *where)
    assert "works with the lottery market, not the sealed one" in fails(
        "quote", "0", 1, "--market", "sealed", *where
    )
    assert market.tickets_sold(0, 0b1) == 0

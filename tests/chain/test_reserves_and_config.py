"""Deployment configuration checks and reserve changes (only by the rollup, only for rounds not yet open)."""

from __future__ import annotations

import pytest
from ape import chain, project

from seqmarket.chain.config import SealedBidConfig
from seqmarket.errors import ConfigError
from seqmarket.protocol.schedule import Phase
from tests.support.onchain import MIN_LOCK, commit_and_reveal, next_tx_at, reverts_with

MILLI = 10**15


def _config(rollup_payouts, **overrides):
    fields = dict(
        payouts=tuple(a.address for a in rollup_payouts),
        reserves=(0,) * len(rollup_payouts),
        start_block=chain.blocks.height + 5,
    )
    fields.update(overrides)
    return SealedBidConfig(**fields)


@pytest.mark.parametrize(
    ("mutate", "error", "inputs"),
    [
        (lambda s: {**s, "payouts": [], "reserves": []}, "InvalidRollupCount", {"count": 0}),
        (
            lambda s: {**s, "reserves": s["reserves"][:2]},
            "ConfigLengthMismatch",
            {"payouts": 4, "reserves": 2},
        ),
        (
            lambda s: {**s, "payouts": ["0x" + "00" * 20, *s["payouts"][1:]]},
            "ZeroPayoutAddress",
            {"rollup": 0},
        ),
        (lambda s: {**s, "reserves": [2**128, 0, 0, 0]}, "ReserveTooLarge", {"reserve": 2**128}),
        (lambda s: {**s, "commitBlocks": 0}, "InvalidSchedule", {}),
        (lambda s: {**s, "minLock": 0}, "InvalidConfig", {}),
        (lambda s: {**s, "maxCommits": 0}, "InvalidConfig", {}),
        (lambda s: {**s, "claimBountyBps": 5_001}, "InvalidConfig", {}),
        (lambda s: {**s, "settleBlocks": 0}, "InvalidConfig", {}),
    ],
)
def test_constructor_rejects_bad_configuration(operator, rollup_payouts, mutate, error, inputs):
    """The contract checks its configuration itself, not only the Python side."""
    struct = dict(
        payouts=[a.address for a in rollup_payouts],
        reserves=[0] * 4,
        startBlock=chain.blocks.height + 5,
        commitBlocks=5,
        revealBlocks=5,
        challengeBlocks=5,
        minLock=MIN_LOCK,
        maxCommits=4,
        splitRule=0,
        paymentRule=0,
        claimBountyBps=1_000,
        settleBlocks=50,
    )
    args = tuple(mutate(struct).values())
    with reverts_with(error, **inputs):
        project.SealedBidMarket.deploy(args, sender=operator)


def test_too_many_rollups_rejected(operator):
    payouts = [operator.address] * 257
    args = (payouts, [0] * 257, chain.blocks.height + 5, 5, 5, 5, MIN_LOCK, 4, 0, 0, 1_000, 50)
    with reverts_with("InvalidRollupCount", count=257):
        project.SealedBidMarket.deploy(args, sender=operator)


def test_python_config_catches_the_same_mistakes_before_any_gas(rollup_payouts):
    with pytest.raises(ConfigError, match="payout addresses but"):
        _config(rollup_payouts, reserves=(0,))
    with pytest.raises(ConfigError, match="at least one block"):
        _config(rollup_payouts, reveal_blocks=0)
    with pytest.raises(ConfigError, match="min_lock"):
        _config(rollup_payouts, min_lock=0)
    with pytest.raises(ConfigError, match="claim_bounty_bps"):
        _config(rollup_payouts, claim_bounty_bps=5_001)
    with pytest.raises(ConfigError, match="settle_blocks"):
        _config(rollup_payouts, settle_blocks=0)


def test_only_the_rollup_may_change_its_reserve(market, rollup_payouts, outsider):
    with reverts_with("NotRollupPayout", rollup=1, caller=outsider.address):
        market.set_reserve(outsider, 1, 5)
    with reverts_with("NotRollupPayout", rollup=1, caller=rollup_payouts[0].address):
        market.set_reserve(rollup_payouts[0], 1, 5)
    with reverts_with("UnknownRollup", rollup=9):
        market.set_reserve(rollup_payouts[0], 9, 5)
    with reverts_with("ReserveTooLarge", reserve=2**128):
        market.set_reserve(rollup_payouts[1], 1, 2**128)


def test_reserve_change_applies_from_the_first_unopened_round(make_market, rollup_payouts, bidders, operator):
    market = make_market(reserves=(10 * MILLI, 0, 0, 0), start_offset=5)
    market.set_reserve(rollup_payouts[0], 0, 20 * MILLI)  # before round 0 opens: applies to round 0
    assert market.contract.reserveAt(0, 0) == 20 * MILLI
    market.advance_to(0, Phase.COMMIT)
    receipt = market.set_reserve(rollup_payouts[0], 0, 30 * MILLI)  # round 0 open: from round 1
    assert [(log.event_name, log.fromRound) for log in receipt.decode_logs()] == [("ReserveChanged", 1)]
    market.set_reserve(rollup_payouts[0], 0, 35 * MILLI)  # same pending round: overwrites
    assert [market.contract.reserveAt(0, r) for r in (0, 1, 2, 50)] == [20 * MILLI] + [35 * MILLI] * 3

    # Round 0 still clears against the reserve it opened with: a 25 bid beats 20 and sells.
    commit_and_reveal(market, [(bidders[0], 1, 25 * MILLI)])
    market.advance_to(0, Phase.SETTLE)
    market.finalize(operator, 0)
    assert market.sequencer_of(0, 0) == bidders[0].address
    assert market.instance(0).reserves[0] == 20 * MILLI


def test_reserve_change_edges_around_a_round_opening(make_market, rollup_payouts):
    """Set on the last block before round r opens: applies to r. Set on its first block: applies to r + 1."""
    market = make_market(reserves=(0, 0, 0, 0), start_offset=4)
    opening0 = market.round_start(0)
    next_tx_at(opening0 - 1)
    first = market.set_reserve(rollup_payouts[0], 0, 1)
    assert first.block_number == opening0 - 1
    assert [log.fromRound for log in first.decode_logs()] == [0]
    assert chain.blocks.height + 1 == opening0
    second = market.set_reserve(rollup_payouts[0], 0, 2)
    assert [log.fromRound for log in second.decode_logs()] == [1]
    opening1 = market.round_start(1)
    next_tx_at(opening1 - 1)
    assert [log.fromRound for log in market.set_reserve(rollup_payouts[0], 0, 3).decode_logs()] == [1]
    assert [log.fromRound for log in market.set_reserve(rollup_payouts[0], 0, 4).decode_logs()] == [2]
    assert [market.contract.reserveAt(0, r) for r in (0, 1, 2)] == [1, 3, 4]

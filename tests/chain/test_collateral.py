"""Collateral and credits: deposits, locked collateral stays until the round is final, pull withdrawals,
and a reentrancy attacker that fails."""

from __future__ import annotations

from ape import project
from eth_utils import keccak

from seqmarket.chain.config import SealedBidConfig
from seqmarket.chain.sealed_bid_client import SealedBidClient
from seqmarket.protocol.schedule import Phase
from tests.support.onchain import MIN_LOCK, books_balance, reverts_with, sealed_commit

AB = 0b0011


def test_deposit_and_withdraw_unlocked(market, bidders):
    market.deposit(bidders[0], 5 * MIN_LOCK)
    assert market.collateral(bidders[0].address) == (5 * MIN_LOCK, 0)
    with reverts_with("ZeroAmount"):
        market.contract.deposit(sender=bidders[0], value=0)
    with reverts_with("InsufficientUnlocked", requested=6 * MIN_LOCK, available=5 * MIN_LOCK):
        market.withdraw_collateral(bidders[0], 6 * MIN_LOCK)
    before = bidders[0].balance
    receipt = market.withdraw_collateral(bidders[0], 2 * MIN_LOCK)
    fee = receipt.gas_used * receipt.gas_price
    assert bidders[0].balance == before + 2 * MIN_LOCK - fee
    assert market.collateral(bidders[0].address) == (3 * MIN_LOCK, 0)
    books_balance(market, bidders)


def test_withdraw_rejects_zero_amount_and_zero_address(market, bidders):
    market.deposit(bidders[0], MIN_LOCK)
    with reverts_with("ZeroAmount"):
        market.withdraw_collateral(bidders[0], 0)
    with reverts_with("ZeroAddress"):
        market.contract.withdrawCollateral(1, "0x" + "00" * 20, sender=bidders[0])
    with reverts_with("NothingToWithdraw"):
        market.withdraw_credit(bidders[0])


def test_locked_collateral_stays_until_the_round_is_final(market, bidders, operator):
    """Locked in commit, still locked through reveal, challenge and settle until released after finalize."""
    bidder = bidders[0]
    market.deposit(bidder, MIN_LOCK)  # spare, unlocked
    sealed = sealed_commit(market, bidder, 0, AB, 3 * MIN_LOCK, lock=4 * MIN_LOCK)
    for phase in (Phase.COMMIT, Phase.REVEAL, Phase.CHALLENGE, Phase.SETTLE):
        market.advance_to(0, phase)
        if phase == Phase.REVEAL:
            market.reveal(bidder, sealed)
        if phase == Phase.CHALLENGE:
            market.propose(operator, 0, [AB])
        with reverts_with("InsufficientUnlocked", requested=2 * MIN_LOCK, available=MIN_LOCK):
            market.withdraw_collateral(bidder, 2 * MIN_LOCK)
    with reverts_with("RoundNotFinalized", round=0):
        market.release(operator, 0, bidder.address)
    market.finalize(operator, 0)
    # The bid won AB (3 * MIN_LOCK); still locked until release.
    assert market.collateral(bidder.address) == (2 * MIN_LOCK, MIN_LOCK)
    market.release(operator, 0, bidder.address)
    assert market.collateral(bidder.address) == (2 * MIN_LOCK, 0)
    market.withdraw_collateral(bidder, 2 * MIN_LOCK)
    assert market.collateral(bidder.address) == (0, 0)


# ape caches contract types by address and test isolation reuses addresses, so the attacker is deployed
# from an account that never deploys a market: the market's custom errors then decode everywhere.
ATTACKER_DEPLOYER = 31


def test_reentrant_collateral_withdrawal_is_blocked(market, bidders, accounts):
    attacker = project.ReentrantWithdrawer.deploy(sender=accounts[ATTACKER_DEPLOYER])
    attacker.setMarket(market.address, sender=bidders[0])
    attacker.deposit(sender=bidders[0], value=4 * MIN_LOCK)
    attacker.withdrawCollateral(MIN_LOCK, True, sender=bidders[0])
    assert not attacker.reentered()
    assert attacker.blockedWith() == keccak(text="ReentrantCall()")[:4]
    assert market.collateral(attacker.address) == (3 * MIN_LOCK, 0)  # paid once, not twice
    assert market.balance() == 3 * MIN_LOCK


def test_reentrant_credit_withdrawal_is_blocked(operator, bidders, rollup_payouts, accounts):
    """A rollup whose payout is a contract re-entering withdrawCredit gets paid exactly once."""
    attacker = project.ReentrantWithdrawer.deploy(sender=accounts[ATTACKER_DEPLOYER])
    config = SealedBidConfig(
        payouts=(attacker.address, rollup_payouts[1].address),
        reserves=(0, 0),
        start_block=project.provider.get_block("latest").number + 3,
        commit_blocks=4,
        reveal_blocks=4,
        challenge_blocks=2,
        min_lock=MIN_LOCK,
    )
    market = SealedBidClient.deploy(config, operator)
    attacker.setMarket(market.address, sender=operator)
    sealed = sealed_commit(market, bidders[0], 0, 0b01, 5 * MIN_LOCK)
    market.advance_to(0, Phase.REVEAL)
    market.reveal(bidders[0], sealed)
    market.advance_to(0, Phase.SETTLE)
    market.finalize(operator, 0)
    assert market.credit(attacker.address) == 5 * MIN_LOCK
    attacker.withdrawCredit(True, sender=operator)
    assert attacker.blockedWith() == keccak(text="ReentrantCall()")[:4]
    assert not attacker.reentered()
    assert market.credit(attacker.address) == 0
    assert project.provider.get_balance(attacker.address) == 5 * MIN_LOCK

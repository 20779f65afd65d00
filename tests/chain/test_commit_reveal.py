"""Commit and reveal: phase edges on both sides, what a commitment binds, caps, and the top-two bid book."""

from __future__ import annotations

from ape import chain

from seqmarket.protocol.commitment import SealedBid, commitment_hash
from seqmarket.protocol.schedule import Phase
from tests.support.onchain import MIN_LOCK, next_tx_at, phase_edges, reverts_with, sealed_commit

AB = 0b0011


# ---------------------------------------------------------------- phase edges


def test_commit_before_round_opens_reverts(market, bidders):
    first, _ = phase_edges(market, 0, Phase.COMMIT)
    next_tx_at(first - 1)
    sealed = market.seal(bidders[0], 0, AB, 10, MIN_LOCK)
    with reverts_with("WrongPhase", round=0, expected=int(Phase.COMMIT), actual=int(Phase.NOT_OPEN)):
        market.commit(bidders[0], sealed, value=MIN_LOCK)


def test_commit_accepted_on_first_and_last_commit_block(market, bidders):
    first, last = phase_edges(market, 0, Phase.COMMIT)
    next_tx_at(first)
    sealed_commit(market, bidders[0], 0, AB, 10)
    next_tx_at(last)
    sealed_commit(market, bidders[1], 0, AB, 11)
    assert market.contract.commitCount(0) == 2


def test_commit_in_first_reveal_block_reverts(market, bidders):
    first, _ = phase_edges(market, 0, Phase.REVEAL)
    next_tx_at(first)
    sealed = market.seal(bidders[0], 0, AB, 10, MIN_LOCK)
    with reverts_with("WrongPhase", round=0, expected=int(Phase.COMMIT), actual=int(Phase.REVEAL)):
        market.commit(bidders[0], sealed, value=MIN_LOCK)


def test_reveal_edges(market, bidders):
    """Reveal is refused on the last commit and first challenge blocks, accepted on both its own edges."""
    sealed = [sealed_commit(market, bidders[k], 0, AB, 10 + k) for k in range(3)]
    _, last_commit = phase_edges(market, 0, Phase.COMMIT)
    first, last = phase_edges(market, 0, Phase.REVEAL)
    next_tx_at(last_commit)
    with reverts_with("WrongPhase", expected=int(Phase.REVEAL), actual=int(Phase.COMMIT)):
        market.reveal(bidders[0], sealed[0])
    assert chain.blocks.height + 1 == first
    market.reveal(bidders[0], sealed[0])
    next_tx_at(last)
    market.reveal(bidders[1], sealed[1])
    with reverts_with("WrongPhase", expected=int(Phase.REVEAL), actual=int(Phase.CHALLENGE)):
        market.reveal(bidders[2], sealed[2])


# ---------------------------------------------------------------- what a commitment binds


def test_commitment_hash_mirrors_contract(market, bidders):
    salt = b"\x07" * 32
    expected = market.contract.commitmentOf(5, bidders[0], AB, 1234, salt)
    assert commitment_hash(chain.chain_id, market.address, 5, bidders[0].address, AB, 1234, salt) == expected


def test_reveal_must_match_every_committed_field(market, bidders):
    sealed = sealed_commit(market, bidders[0], 0, AB, 10, lock=MIN_LOCK)
    market.advance_to(0, Phase.REVEAL)
    tampered = [
        SealedBid(**{**sealed.__dict__, "amount": 9}),
        SealedBid(**{**sealed.__dict__, "bundle": 0b0101}),
        SealedBid(**{**sealed.__dict__, "salt": b"\x00" * 32}),
    ]
    for bad in tampered:
        with reverts_with("UnknownCommitment"):
            market.reveal(bidders[0], bad)
    market.reveal(bidders[0], sealed)
    with reverts_with("AlreadyRevealed", commitment=sealed.commitment):
        market.reveal(bidders[0], sealed)


def test_copied_commitment_cannot_be_opened_by_the_copier(market, bidders):
    """A commitment binds the bidder: copying it buys nothing, and does not block the original."""
    victim, copier = bidders[0], bidders[1]
    sealed = market.seal(victim, 0, AB, 50, MIN_LOCK)
    market.advance_to(0, Phase.COMMIT)
    market.commit(copier, sealed, value=MIN_LOCK)  # front-runs the same hash
    market.commit(victim, sealed, value=MIN_LOCK)  # still accepted: commitments are per bidder
    market.advance_to(0, Phase.REVEAL)
    with reverts_with("UnknownCommitment"):
        market.reveal(copier, sealed)
    market.reveal(victim, sealed)
    assert market.top_bids(0, AB)[0].bidder == victim.address


def test_commitment_does_not_replay_in_another_round_or_market(make_market, bidders):
    first, second = make_market(), make_market()
    sealed = first.seal(bidders[0], 0, AB, 10, MIN_LOCK)
    first.advance_to(0, Phase.COMMIT)
    first.commit(bidders[0], sealed, value=MIN_LOCK)
    second.commit(bidders[0], sealed, value=MIN_LOCK)
    second.advance_to(0, Phase.REVEAL)  # the later of the two schedules; first is in reveal too
    with reverts_with("UnknownCommitment"):
        second.reveal(bidders[0], sealed)  # same salt and bid, other market: different hash
    first.reveal(bidders[0], sealed)


def test_duplicate_commitment_reverts(market, bidders):
    sealed = market.seal(bidders[0], 0, AB, 10, MIN_LOCK)
    market.advance_to(0, Phase.COMMIT)
    market.commit(bidders[0], sealed, value=MIN_LOCK)
    with reverts_with("DuplicateCommitment", commitment=sealed.commitment):
        market.commit(bidders[0], sealed, value=MIN_LOCK)


# ---------------------------------------------------------------- collateral, caps


def test_lock_must_reach_the_minimum_and_be_covered(market, bidders):
    market.advance_to(0, Phase.COMMIT)
    with reverts_with("LockBelowMinimum", lock=MIN_LOCK - 1, minLock=MIN_LOCK):
        market.commit(bidders[0], market.seal(bidders[0], 0, AB, 1, MIN_LOCK - 1), value=MIN_LOCK)
    with reverts_with("InsufficientUnlocked", requested=MIN_LOCK * 2, available=MIN_LOCK):
        market.commit(bidders[0], market.seal(bidders[0], 0, AB, 1, MIN_LOCK * 2), value=MIN_LOCK)
    with reverts_with("LockTooLarge", lock=2**128):
        market.commit(bidders[0], market.seal(bidders[0], 0, AB, 1, 2**128), value=0)


def test_commit_cap_per_bidder_per_round(make_market, bidders):
    market = make_market(max_commits=2)
    market.advance_to(0, Phase.COMMIT)
    for amount in (1, 2):
        sealed_commit(market, bidders[0], 0, AB, amount)
    with reverts_with("CommitCapReached", round=0, cap=2):
        sealed_commit(market, bidders[0], 0, AB, 3)
    sealed_commit(market, bidders[1], 0, AB, 3)  # the cap is per bidder


def test_bid_above_lock_cannot_be_revealed(market, bidders):
    sealed = sealed_commit(market, bidders[0], 0, AB, 500, lock=MIN_LOCK + 400)
    # An over-large amount hashed into the commitment is caught at reveal.
    market.advance_to(0, Phase.COMMIT)
    greedy = sealed_commit(market, bidders[1], 0, AB, MIN_LOCK * 5, lock=MIN_LOCK)
    market.advance_to(0, Phase.REVEAL)
    market.reveal(bidders[0], sealed)
    with reverts_with("BidExceedsLock", amount=MIN_LOCK * 5, lock=MIN_LOCK):
        market.reveal(bidders[1], greedy)


def test_invalid_bundle_cannot_be_revealed(market, bidders):
    empty = sealed_commit(market, bidders[0], 0, 0, 10)
    outside = sealed_commit(market, bidders[0], 0, 1 << 4, 10)  # the market has 4 rollups
    market.advance_to(0, Phase.REVEAL)
    with reverts_with("InvalidBundle", bundle=0):
        market.reveal(bidders[0], empty)
    with reverts_with("InvalidBundle", bundle=1 << 4):
        market.reveal(bidders[0], outside)


# ---------------------------------------------------------------- the bid book


def _reveal_in(market, bidders, sealed, order):
    market.advance_to(0, Phase.REVEAL)
    for k in order:
        bidder = next(b for b in bidders if b.address == sealed[k].bidder)
        market.reveal(bidder, sealed[k])
    return market.top_bids(0, AB)


def test_top_two_from_distinct_bidders(market, bidders):
    """bidder0 bids 30 and 50, bidder1 40, bidder2 20: best 50 (bidder0), second 40 (bidder1), not 30."""
    plan = [(0, 30), (0, 50), (1, 40), (2, 20)]
    sealed = [sealed_commit(market, bidders[k], 0, AB, amount, lock=MIN_LOCK) for k, amount in plan]
    best, second = _reveal_in(market, bidders, sealed, [2, 0, 3, 1])
    assert (best.bidder, best.amount) == (bidders[0].address, 50)
    assert (second.bidder, second.amount) == (bidders[1].address, 40)


def test_tie_goes_to_earlier_commit_whatever_the_reveal_order(make_market, bidders):
    outcomes = set()
    for order in ([0, 1, 2], [2, 1, 0], [1, 2, 0]):
        market = make_market()
        sealed = [sealed_commit(market, bidders[k], 0, AB, 77) for k in range(3)]
        best, second = _reveal_in(market, bidders, sealed, order)
        outcomes.add((best.bidder, second.bidder))
    assert outcomes == {(bidders[0].address, bidders[1].address)}


def test_zero_amount_decoy_reveals_without_bidding(market, bidders):
    decoy = sealed_commit(market, bidders[0], 0, AB, 0)
    market.advance_to(0, Phase.REVEAL)
    market.reveal(bidders[0], decoy)
    assert market.top_bids(0, AB)[0].amount == 0
    participation = market.contract.participationOf(0, bidders[0])
    assert (participation.commits, participation.reveals) == (1, 1)


def test_raw_custom_errors_are_decoded():
    """decode_revert (behind reverts_with and the operator's log) decodes what ape leaves raw: revert data
    holding a 0x27 byte."""
    from ape.exceptions import ContractLogicError
    from eth_utils import keccak

    from seqmarket.chain.reverts import decode_revert

    commitment = b"'" * 32
    data = keccak(text="UnknownCommitment(bytes32)")[:4] + commitment
    revert = decode_revert(ContractLogicError(revert_message=repr(data)))
    assert (revert.name, revert.inputs) == ("UnknownCommitment", {"commitment": commitment})

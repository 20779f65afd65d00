"""One sealed-bid round driven end to end on a chain: commit, reveal, clear and propose, finalize, release."""

from __future__ import annotations

import random
from collections.abc import Sequence

from ape.api import AccountAPI

from seqmarket.agents.honest import HonestBidder
from seqmarket.chain.sealed_bid_client import SealedBidClient
from seqmarket.protocol.commitment import SealedBid
from seqmarket.protocol.schedule import Phase
from seqmarket.rounds.operator import ClearingOperator
from seqmarket.rounds.outcome import SealedRoundOutcome, Step, StepHook, check_sealed_round
from seqmarket.rounds.participant import Participant


def run_sealed_round(
    client: SealedBidClient,
    round_: int,
    bidders: Sequence[Participant[HonestBidder]],
    operator: ClearingOperator,
    keeper: AccountAPI,
    rng: random.Random,
    on_step: StepHook | None = None,
) -> SealedRoundOutcome:
    """Drive ``round_`` through every phase and check the result; ``on_step`` hears each completed step."""
    outcome = SealedRoundOutcome(round=round_)
    gas_start = len(client.gas_log)
    accounts = {bidder.address: bidder.account for bidder in bidders}

    def done(step: Step) -> None:
        if on_step is not None:
            on_step(step, outcome)

    client.advance_to(round_, Phase.COMMIT)
    for bidder in bidders:
        outcome.commitments.extend(commit_bids(client, round_, bidder, rng))
    done(Step.COMMIT)

    client.advance_to(round_, Phase.REVEAL)
    for sealed in outcome.commitments:
        client.reveal(accounts[sealed.bidder], sealed)
    outcome.revealed = client.revealed_bids(round_)
    done(Step.REVEAL)

    client.advance_to(round_, Phase.CHALLENGE)
    submission = operator.submit(round_)
    outcome.instance, outcome.clearing = submission.instance, submission.clearing
    outcome.proposed, outcome.counterfactuals = submission.proposed, submission.counterfactuals
    done(Step.CHALLENGE)

    client.advance_to(round_, Phase.SETTLE)
    client.finalize(keeper, round_)
    for address in dict.fromkeys(sealed.bidder for sealed in outcome.commitments):
        client.release(keeper, round_, address)
    if client.forfeits(round_):
        client.distribute_forfeits(keeper, round_)
    outcome.partition, outcome.value = client.best_partition(round_)
    outcome.sales = client.sales(round_)
    outcome.payments = client.rollup_payments(round_)
    outcome.keeper_fees = client.keeper_fees(round_)
    outcome.sequencers = client.sequencers(round_)
    outcome.gas = client.gas_log[gas_start:]
    # Claim bounties go to the operator (its claims) and the keeper: count them among those owed.
    check_sealed_round(client, outcome, [*accounts, keeper.address, operator.account.address])
    done(Step.SETTLE)
    return outcome


def commit_bids(
    client: SealedBidClient, round_: int, bidder: Participant[HonestBidder], rng: random.Random
) -> list[SealedBid]:
    """Seal and commit ``bidder``'s planned bids for ``round_``, depositing exactly the collateral they
    lock; returns the sealed bids (with their salts) for the reveal."""
    committed = []
    for plan in bidder.agent.plan(rng, client.min_lock):
        sealed = client.seal(bidder.account, round_, plan.bundle, plan.amount, plan.lock)
        client.commit(bidder.account, sealed, value=sealed.lock)
        committed.append(sealed)
    return committed

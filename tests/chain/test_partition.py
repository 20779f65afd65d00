"""Proposals: phase edges, every validity check, strict improvement, and a challenger beating an operator
who left out a better bundle."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seqmarket.clearing import InvalidInstance, clear
from seqmarket.protocol.schedule import Phase
from tests.support.onchain import commit_and_reveal, next_tx_at, phase_edges, reverts_with

R0, R1, R2, R3 = 1, 2, 4, 8


def test_propose_phase_edges(market, bidders, operator):
    commit_and_reveal(market, [(bidders[0], R0 | R1, 50), (bidders[1], R2 | R3, 40)])
    _, last_reveal = phase_edges(market, 0, Phase.REVEAL)
    _first, last = phase_edges(market, 0, Phase.CHALLENGE)
    next_tx_at(last_reveal)
    with reverts_with("WrongPhase", round=0, expected=int(Phase.CHALLENGE), actual=int(Phase.REVEAL)):
        market.propose(operator, 0, [R0 | R1])
    market.propose(operator, 0, [R0 | R1])  # first challenge block
    assert market.contract.phaseOf(0) == int(Phase.CHALLENGE)
    next_tx_at(last)
    market.propose(operator, 0, [R0 | R1, R2 | R3])
    with reverts_with("WrongPhase", expected=int(Phase.CHALLENGE), actual=int(Phase.SETTLE)):
        market.propose(operator, 0, [R0 | R1, R2 | R3])
    assert market.best_partition(0) == ((R0 | R1, R2 | R3), 90)


def test_every_invalid_partition_is_rejected(make_market, bidders, operator):
    market = make_market(reserves=(0, 0, 0), challenge_blocks=10)
    commit_and_reveal(market, [(bidders[0], R0 | R1, 50), (bidders[1], R1 | R2, 40)])
    market.advance_to(0, Phase.CHALLENGE)
    with reverts_with("EmptyBundle", position=1):
        market.propose(operator, 0, [R0 | R1, 0])
    with reverts_with("BundleOutOfRange", bundle=R0 | R3):
        market.propose(operator, 0, [R0 | R3])  # rollup 3 does not exist in a 3-rollup market
    with reverts_with("SingletonListed", bundle=R2):
        market.propose(operator, 0, [R0 | R1, R2])
    with reverts_with("OverlappingBundle", bundle=R1 | R2):
        market.propose(operator, 0, [R0 | R1, R1 | R2])
    with reverts_with("NoBidForBundle", bundle=R0 | R2):
        market.propose(operator, 0, [R0 | R2])
    with reverts_with("NotBetter", value=0, best=0):
        market.propose(operator, 0, [])


def test_only_strictly_better_partitions_replace(make_market, bidders, operator, outsider):
    market = make_market(reserves=(0, 0, 0))
    commit_and_reveal(
        market,
        [(bidders[0], R0 | R1, 50), (bidders[1], R1 | R2, 50), (bidders[2], R0 | R1 | R2, 60)],
    )
    market.advance_to(0, Phase.CHALLENGE)
    market.propose(operator, 0, [R0 | R1])
    with reverts_with("NotBetter", value=50, best=50):
        market.propose(outsider, 0, [R1 | R2])  # equal: the first stands
    receipt = market.propose(outsider, 0, [R0 | R1 | R2])
    assert [log.event_name for log in receipt.decode_logs()] == ["PartitionProposed"]
    with reverts_with("NotBetter", value=50, best=60):
        market.propose(operator, 0, [R0 | R1])
    assert market.best_partition(0) == ((R0 | R1 | R2,), 60)


def test_challenger_replaces_a_proposal_that_leaves_out_a_better_bundle(market, bidders, operator, outsider):
    """The operator proposes A+B only (hiding C+D, e.g. to favour a friend); anyone who clears the round
    themselves proposes the optimum, and that is what is finalized and paid."""
    commit_and_reveal(
        market,
        [
            (bidders[0], R0 | R1, 30 * 10**15),
            (bidders[1], R2 | R3, 25 * 10**15),
            (bidders[2], R2, 5 * 10**15),
            (bidders[3], R3, 6 * 10**15),
        ],
    )
    market.advance_to(0, Phase.CHALLENGE)
    market.propose(operator, 0, [R0 | R1])
    assert market.best_partition(0)[1] == 30 * 10**15 + 11 * 10**15
    optimum = clear(market.instance(0))  # the challenger's own clearing of the public bids
    assert optimum.bundles == (R0 | R1, R2 | R3)
    market.propose(outsider, 0, optimum.bundles)
    market.advance_to(0, Phase.SETTLE)
    market.finalize(operator, 0)
    assert market.best_partition(0) == (optimum.bundles, 55 * 10**15)
    assert [market.sequencer_of(0, i) for i in range(4)] == [
        bidders[0].address,
        bidders[0].address,
        bidders[1].address,
        bidders[1].address,
    ]
    assert {s.winner for s in market.sales(0)} == {bidders[0].address, bidders[1].address}


def partitions(bundles: list[int]) -> st.SearchStrategy[list[int]]:
    """Lists of candidate bundles: many overlap or lack bids, so invalid partitions are drawn too."""
    return st.lists(st.sampled_from(bundles), max_size=4, unique=True)


def test_on_chain_valuation_mirrors_python(make_market, bidders, operator):
    """valuePartition on-chain equals Instance.value in Python for random partitions, valid or not."""
    market = make_market(reserves=(3 * 10**15, 0, 7 * 10**15, 10**15), commit_blocks=12, reveal_blocks=12)
    bundles = [R0 | R1, R2 | R3, R1 | R2, R0 | R2 | R3, R0 | R1 | R2 | R3, R1 | R3]
    bids = [(bidders[k % 8], b, (k + 2) * 4 * 10**15) for k, b in enumerate(bundles)]
    bids += [(bidders[6], R0, 5 * 10**15), (bidders[7], R2, 2 * 10**15)]
    bids += [(bidders[5], R0 | R2, 5 * 10**15)]  # below its reserves (3 + 7): BundleBelowReserves
    commit_and_reveal(market, bids)
    market.advance_to(0, Phase.CHALLENGE)
    instance = market.instance(0)
    assert market.contract.singletonPartitionValue(0) == instance.baseline()

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(partitions([*bundles, R0 | R3, R0, R0 | R2]))
    def check(partition: list[int]) -> None:
        try:
            expected = instance.value(partition)
        except InvalidInstance:
            expected = None
        try:
            got = market.contract.valuePartition(0, partition)
        except Exception:
            got = None
        assert got == expected

    check()

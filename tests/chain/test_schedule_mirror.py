"""The schedule mirror (seqmarket.protocol.schedule) agrees with RoundSchedule.phaseOf, block by block."""

from __future__ import annotations

from ape import chain

from seqmarket.protocol.schedule import Phase


def test_phase_at_matches_the_contract_over_overlapping_rounds(make_market):
    # Reveal + challenge longer than commit: round 0 is still in its challenge when round 2 opens.
    market = make_market(commit_blocks=3, reveal_blocks=4, challenge_blocks=2)
    schedule = market.schedule
    seen = set()
    while chain.blocks.height < schedule.phase_start(1, Phase.SETTLE) + 1:
        block = chain.blocks.height  # a call runs against the latest block
        assert int(market.contract.currentRound()) == schedule.round_at(block)
        for round_ in range(3):
            expected = schedule.phase_at(round_, block)
            assert market.phase(round_) == expected, (round_, block)
            seen.add(expected)
            end = schedule.phase_end(round_, expected)
            if expected != Phase.SETTLE:
                assert end is not None and end > block and schedule.phase_at(round_, end) != expected
            if expected != Phase.NOT_OPEN:
                latest = schedule.latest_round_in(expected, block)
                assert latest is not None and latest >= round_
                assert all(schedule.phase_at(r, block) != expected for r in range(latest + 1, latest + 4))
        chain.mine(1)
    assert seen == set(Phase)

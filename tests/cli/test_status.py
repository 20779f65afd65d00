"""`seqmarket status`: a deployed round's phase, partition and sequencers, read from the chain."""

from __future__ import annotations

from click.testing import CliRunner

from seqmarket.cli import main
from seqmarket.protocol.schedule import Phase
from tests.support.onchain import commit_and_reveal


def test_status_reads_a_deployed_round(market, bidders, operator):
    commit_and_reveal(market, [(bidders[0], 0b11, 10**16)])
    market.advance_to(0, Phase.CHALLENGE)
    market.propose(operator, 0, [0b11])
    market.advance_to(0, Phase.SETTLE)
    market.finalize(operator, 0)
    result = CliRunner().invoke(main, ["status", market.address, "0", "--network", "ethereum:local:test"])
    assert result.exit_code == 0, result.output
    assert "best partition [[0, 1]] worth 10000000000000000 wei" in result.output
    assert f"rollup 1: {bidders[0].address}" in result.output

"""`seqmarket status`: a deployed round's phase, partition and sequencers, read from the chain."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
    assert "standing partition: [[0, 1]] worth 10000000000000000 wei" in result.output
    assert f"rollup 1: {bidders[0].address}" in result.output


def test_status_outside_the_checkout_ignores_the_folder_and_fails_in_one_line(tmp_path):
    """Run from another folder holding a stray contract: the market's own contracts are used (nothing is
    compiled there), and an address without a market is a one-line error."""
    (tmp_path / "Broken.sol").write_text("contract Broken { this is not solidity }")
    seqmarket = Path(sys.executable).with_name("seqmarket")
    result = subprocess.run(
        [str(seqmarket), "status", "0x" + "00" * 19 + "01", "0", "--network", "ethereum:local:test"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and errors[0].startswith(
        "Error: no contract at 0x0000000000000000000000000000000000000001 on chain"
    ), result.stderr
    assert "Traceback" not in result.stderr and "AttributeError" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Broken.sol"]

"""The `seqmarket` command: offline clearing of JSON instances and the status of a deployed round."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from conftest import commit_and_reveal

from seqmarket.chain.client import Phase
from seqmarket.cli import main

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "seed_last_look.json"


def test_clear_prints_the_seed_partition():
    result = CliRunner().invoke(main, ["clear", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "Bidder 3" in result.output and "250" in result.output


def test_clear_reports_bad_input_without_traceback(tmp_path):
    cases = {
        "missing.json": None,
        "not_json.json": "{",
        "no_reserves.json": json.dumps({"bids": []}),
        "bad_index.json": json.dumps({"reserves": [0], "bids": [{"bundle": [4], "amount": 1}]}),
        "bad_amount.json": json.dumps({"reserves": [0], "bids": [{"bundle": [0], "amount": "x"}]}),
        "no_amount.json": json.dumps({"reserves": [0], "bids": [{"bundle": [0]}]}),
    }
    for name, text in cases.items():
        path = tmp_path / name
        if text is not None:
            path.write_text(text)
        result = CliRunner().invoke(main, ["clear", str(path)])
        assert result.exit_code == 1, (name, result.output)
        assert result.output.startswith("Error: "), (name, result.output)
        assert "Traceback" not in result.output


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

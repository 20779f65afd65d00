"""Running `seqmarket` commands in-process against the test session's chain, as a person would type them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ape import chain
from click.testing import CliRunner, Result

from seqmarket.cli import main

#: The test session's chain (eth-tester): what the commands connect to in these tests.
NETWORK = ["--network", "ethereum:local:test"]


def run(*args: Any, input: str | None = None) -> Result:
    """Run ``seqmarket ARGS``; stdout and stderr stay apart (stdout must hold only the command's output)."""
    return CliRunner(mix_stderr=False).invoke(main, [str(a) for a in args], input=input)


def ok(*args: Any, input: str | None = None) -> str:
    """Run a command that must succeed; its stdout."""
    result = run(*args, input=input)
    assert result.exit_code == 0, (args, result.stdout, result.stderr, result.exception)
    return result.stdout


def fails(*args: Any, input: str | None = None) -> str:
    """Run a command that must fail with one `Error:` line and no traceback; that line."""
    result = run(*args, input=input)
    assert result.exit_code != 0, (args, result.stdout)
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, (args, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    return errors[0]


def as_json(*args: Any) -> Any:
    """Run a command with --json; its one JSON document."""
    return json.loads(ok(*args, "--json"))


def deploy(kind: str, deployment: Path, *options: Any) -> str:
    """Deploy a market of ``kind`` into ``deployment`` on the test chain; its address."""
    ok("deploy", kind, *NETWORK, "--deployment", deployment, *options)
    return str(json.loads(deployment.read_text())["markets"][kind]["address"])


def next_tx_at(block: int) -> None:
    """Mine so that the next transaction lands in ``block``."""
    gap = block - chain.blocks.height - 1
    assert gap >= 0, f"block {block} is past (height {chain.blocks.height})"
    if gap:
        chain.mine(gap)

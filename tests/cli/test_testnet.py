"""The persistent local testnet, as a person runs it: `seqmarket chain` in one terminal, `seqmarket deploy`
and `seqmarket status` in another; stopped with Ctrl-C and started again, market and blocks are still there.

Real processes on a free loopback port with the state in a temporary folder: the commands under test are
the installed `seqmarket` entry point, and the chain is the checkout's anvil (eth-tester cannot persist).
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from seqmarket.chain.testnet import block_number, rpc_call
from tests.cli.commands import fails

SEQMARKET = str(Path(sys.executable).with_name("seqmarket"))
#: Seconds an idle chain waits before mining an empty block: short, so the test sees blocks come on their own.
BLOCK_TIME = 0.2
#: Unbuffered output (the ready line is read while the chain runs) and no colour codes in what is compared.
ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_chain(port: int, state: Path, *extra: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`seqmarket chain` on ``port`` with ``state``, until the block ends (then stopped as Ctrl-C does, and
    waited for); yields the process and what it printed up to its ready line."""
    process = subprocess.Popen(
        [
            SEQMARKET,
            "chain",
            "--port",
            str(port),
            "--state",
            str(state),
            "--block-time",
            str(BLOCK_TIME),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    try:
        yield process, _ready(process, timeout=20)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _ready(process: subprocess.Popen[str], timeout: float) -> str:
    """What the chain printed up to its ready line (printed once anvil answers), or fail with what it said."""
    assert process.stdout is not None
    said = ""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while "local testnet at" not in said:
            if not selector.select(max(0.0, deadline - time.monotonic())):
                pytest.fail(f"`seqmarket chain` was not ready within {timeout} s: {said!r}")
            line = process.stdout.readline()
            assert line, (
                f"`seqmarket chain` exited at start: {process.stderr.read() if process.stderr else ''}"
            )
            said += line
    return said


def seqmarket(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SEQMARKET, *(str(a) for a in args)], capture_output=True, text=True, env=ENV, timeout=120
    )


def stop(process: subprocess.Popen[str]) -> str:
    """Ctrl-C the chain and wait: its remaining stdout (it must exit 0 and say where the state went)."""
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    return out


def test_the_chain_keeps_its_market_and_blocks_across_a_restart(tmp_path):
    port, state, deployment = _free_port(), tmp_path / "chain" / "state.json", tmp_path / "deployment.json"
    rpc = f"http://127.0.0.1:{port}"
    with running_chain(port, state) as (chain, ready):
        assert f"local testnet at {rpc} (chain 31337), block 0, a new chain" in ready
        # Nobody sends anything, yet blocks come: the ticker mines one whenever none came for BLOCK_TIME.
        first = block_number(rpc)
        time.sleep(6 * BLOCK_TIME)
        assert block_number(rpc) >= first + 2

        deployed = seqmarket("deploy", "sealed", "--rpc", rpc, "--deployment", deployment, "--json")
        assert deployed.returncode == 0, deployed.stderr
        market = json.loads(deployed.stdout)
        assert market["chain_id"] == 31337 and json.loads(deployment.read_text())["rpc"] == rpc
        # A second chain is refused in one line: on the same port, or on the same state file (each would
        # overwrite the other's saved chain), --fresh included (it would move the running chain's state).
        # In-process: refused before anything starts, and seconds faster than a subprocess. The twins ask for
        # the taken port too, so a state check that let them through fails on the port, never runs a chain.
        assert f"port {port} is taken" in fails("chain", "--port", port, "--state", tmp_path / "other.json")
        for fresh in ((), ("--fresh",)):
            twin = fails("chain", "--port", port, "--state", state, *fresh)
            assert f"Error: {state} is in use by another running chain" in twin
        assert not list(state.parent.glob("state-*.json"))
        before = block_number(rpc)
        assert "stopped; state saved in" in stop(chain)
    assert state.exists() and not _answers(rpc)

    with running_chain(port, state) as (chain, ready):
        assert f"resumed from {state}" in ready
        # The saved height, or a block or two more (the ticker may mine between the read and the stop).
        assert before <= block_number(rpc) <= before + 3
        deploy_block = rpc_call(rpc, "eth_getBlockByNumber", [hex(market["block"]), False])
        assert deploy_block["hash"] == market["block_hash"]
        assert len(rpc_call(rpc, "eth_getCode", [market["address"], "latest"])) > 2
        # status reads the market from the deployment file alone: the file's rpc leads it to this chain.
        status = seqmarket("status", "--deployment", deployment, "--json")
        assert status.returncode == 0, status.stderr
        assert json.loads(status.stdout)["market"] == market["address"]
        stop(chain)

    # --fresh starts over; the old state is moved aside, and the old deployment file is refused in one line.
    with running_chain(port, state, "--fresh") as (chain, ready):
        assert "the previous chain's state is kept in" in ready and "block 0, a new chain" in ready
        assert len(list(state.parent.glob("state-*.json"))) == 1
        stale = seqmarket("status", "--deployment", deployment)
        assert stale.returncode == 1 and "Traceback" not in stale.stderr
        [error] = [line for line in stale.stderr.splitlines() if line.startswith("Error:")]
        assert f"the sealed market at {market['address']} is not on this chain" in error, error
        stop(chain)


def test_commands_without_a_chain_say_how_to_start_one(tmp_path):
    rpc = f"http://127.0.0.1:{_free_port()}"
    missing = seqmarket("deploy", "lottery", "--rpc", rpc, "--deployment", tmp_path / "deployment.json")
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert f"Error: no chain answers at {rpc}: start one with `seqmarket chain`" in missing.stderr
    assert not (tmp_path / "deployment.json").exists()


def _answers(rpc: str) -> bool:
    try:
        block_number(rpc)
    except Exception:
        return False
    return True

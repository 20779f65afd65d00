"""The round job (`make round`, `ape run round`): a full round printed step by step, and clean errors."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from rich.console import Console

from seqmarket.clearing import clear
from seqmarket.jobs.lottery import LotteryJob, run_lottery_job
from seqmarket.jobs.report import LotteryReport, SealedReport
from seqmarket.jobs.sealed import SealedJob, run_sealed_job
from seqmarket.protocol.pricing import Curve
from seqmarket.protocol.rules import PaymentRule

ROOT = Path(__file__).resolve().parents[2]
APE = str(Path(sys.executable).with_name("ape"))


def test_sealed_job_prints_every_step_and_balances():
    console = Console(record=True, width=140)
    result = run_sealed_job(SealedJob(rollups=4, bidders=3, seed=11), SealedReport(console, "first-price"))
    outcome = result.outcome
    assert outcome is not None and result.left == 0
    text = console.export_text()
    for heading in (
        "commit phase: sealed bids",
        "bids revealed",
        "optimal partition",
        "partition value",
        "payments (first-price)",
        "rollup payouts",
        "gas per transaction",
        "left in the market",
        "books balance to the wei",
    ):
        assert heading in text
    assert outcome.instance is not None and outcome.clearing == clear(outcome.instance)
    assert outcome.value == outcome.clearing.value > 0
    assert sum(s.price for s in outcome.sales) == sum(p.amount for p in outcome.payments)


def test_sealed_job_with_vcg_payments():
    console = Console(record=True, width=140)
    job = SealedJob(rollups=4, bidders=4, seed=5, payment_rule=PaymentRule.VCG)
    outcome = run_sealed_job(job, SealedReport(console, "VCG")).outcome
    assert outcome is not None and "payments (VCG)" in console.export_text()
    assert all(s.price <= s.bid for s in outcome.sales)
    assert sum(s.price for s in outcome.sales) < sum(s.bid for s in outcome.sales)


def _ape_run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [APE, "run", "round", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_help_explains_options():
    result = _ape_run("--help")
    assert result.returncode == 0
    for option in (
        "--mechanism",
        "--rollups",
        "--bidders",
        "--seed",
        "--split-rule",
        "--payment-rule",
        "--curve",
    ):
        assert option in result.stdout


def test_bad_option_is_a_message_not_a_traceback():
    result = _ape_run("--rollups", "1")
    assert result.returncode == 2
    assert "Invalid value for '--rollups'" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_an_option_of_the_other_mechanism_is_refused():
    result = _ape_run("--mechanism", "lottery", "--payment-rule", "vcg")
    assert result.returncode == 2
    assert "--payment-rule does not apply to the lottery mechanism" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_lottery_job_prints_every_step_and_balances():
    console = Console(record=True, width=160)
    result = run_lottery_job(
        LotteryJob(rollups=3, bidders=3, rounds=1), Curve.LINEAR, LotteryReport(console, 10)
    )
    outcomes = result.outcomes
    text = console.export_text()
    for heading in (
        "ticket sale",
        "partition by ticket revenue",
        "draw at target block",
        "winners",
        "winners recomputed from the seed match the chain",
        "base price",
    ):
        assert heading in text
    assert len(outcomes) == 1 and outcomes[0].wins


def test_two_jobs_at_once_leave_a_foreign_anvil_alone(tmp_path):
    """A user's own anvil on 8545 and a second job running: each job starts its own chain on a free port."""
    anvil = shutil.which("anvil") or str(ROOT / "node_modules" / ".bin" / "anvil")
    port = 8545 if _free(8545) else _free_port()
    foreign = subprocess.Popen(
        [anvil, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_for(port)
        before = _rpc(port, "eth_blockNumber")
        network = ("--network", "ethereum:local:foundry", "--rollups", "3", "--bidders", "2")
        jobs = [
            subprocess.Popen(
                [APE, "run", "round", *network],
                cwd=ROOT,
                env={**os.environ, "NO_COLOR": "1"},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [job.communicate(timeout=300)[0] for job in jobs]
        assert [job.returncode for job in jobs] == [0, 0], outputs
        assert all("books balance to the wei" in out for out in outputs)
        assert _rpc(port, "eth_blockNumber") == before  # nothing was sent to the foreign chain
    finally:
        foreign.terminate()
        foreign.wait()


def _free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 20
    while _free(port):
        assert time.monotonic() < deadline, f"anvil did not start on port {port}"
        time.sleep(0.1)


def _rpc(port: int, method: str) -> str:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}",
        data=json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": []}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(json.load(response)["result"])


def test_json_document_parses_and_matches_the_chain():
    """--json prints one document on stdout (progress on stderr) whose figures are the round's."""
    result = _ape_run("--network", "ethereum:local:test", "--rollups", "3", "--bidders", "2", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert "round 0: settle done" in result.stderr
    [round0] = document["rounds"]
    assert document["mechanism"] == "sealed" and document["left_in_market"] == "0"
    assert round0["revenue"] == str(sum(int(s["price"]) for s in round0["sales"]))
    assert sum(int(p["amount"]) for p in round0["rollup_payments"]) == int(round0["revenue"])
    listed = [part for part in round0["partition"]["parts"] if part["kind"] == "listed"]
    assert [part["bundle"] for part in listed] == [sale["bundle"] for sale in round0["sales"]][: len(listed)]
    assert len(round0["sequencers"]) == len(document["rollups"]) == 3

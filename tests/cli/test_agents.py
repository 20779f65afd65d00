"""The README's market with company: `seqmarket chain`, `deploy`, `operator` settling, `agents` bidding in one
terminal while a person commits and reveals by hand in another, and `status` showing the rounds settled.

Real processes on a free loopback port (as tests/cli/test_testnet.py): the chain mines an idle block every
BLOCK_TIME seconds, so the phases pass on their own as they do for a person.
"""

from __future__ import annotations

import json
import subprocess
import time

from tests.cli.test_testnet import ENV, SEQMARKET, _free_port, running_chain, seqmarket

BLOCK_TIME = 0.1
#: Phases long enough for a `seqmarket` process to start (about 3 s) inside one, at BLOCK_TIME per idle block.
PHASES = ["--commit-blocks", 100, "--reveal-blocks", 100, "--challenge-blocks", 40, "--start-in", 3]


def _settled(where: list[object], rounds: list[int], timeout: float) -> list[dict]:
    """Each round's `status --json` once all of them are finalized (or fail after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        shown = [json.loads(seqmarket("status", r, *where, "--json").stdout) for r in rounds]
        if all(s["finalized"] for s in shown):
            return shown
        assert time.monotonic() < deadline, f"rounds not settled within {timeout} s: {shown}"
        time.sleep(1)


def _opened(agents: subprocess.Popen[str], wanted: int | None) -> int:
    """The round in the agents' next "round N open" line (the line for ``wanted``, if given)."""
    assert agents.stderr is not None
    deadline = time.monotonic() + 120
    while True:
        said = agents.stderr.readline()
        assert said and time.monotonic() < deadline, "the agents stopped before opening a round"
        if " open: commits sent" in said:
            opened = int(said.split("round ")[1].split()[0])
            if wanted is None or opened == wanted:
                return opened


def test_agents_and_a_person_bid_while_the_operator_settles(tmp_path):
    port, deployment = _free_port(), tmp_path / "deployment.json"
    rpc = f"http://127.0.0.1:{port}"
    with running_chain(port, tmp_path / "state.json"):
        deployed = seqmarket(
            "deploy", "sealed", "--rpc", rpc, "--deployment", deployment, "--reserve", "0.001eth",
            "--payment-rule", "vcg", *PHASES,
        )  # fmt: skip
        assert deployed.returncode == 0, deployed.stderr
        where: list[object] = ["--deployment", deployment]
        operator = subprocess.Popen(
            [SEQMARKET, "operator", "--account", "5", "--state", str(tmp_path / "op.sqlite"), "--poll", "0.2"]
            + [str(w) for w in where],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=ENV,
        )
        agents = subprocess.Popen(
            [
                SEQMARKET,
                "agents",
                "--rounds",
                "2",
                "--bidder",
                "honest:3",
                "--bidder",
                "walk-away:1",
                "--json",
            ]
            + [str(w) for w in where],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        try:
            # The person joins the agents' first round in its commit phase and reveals in its reveal phase,
            # which starts as the agents open the next round (their reveals of this one go out with it).
            round_ = _opened(agents, None)
            committed = seqmarket(
                "commit", "0,1", "0.02eth", "--round", round_, "--account", 10, *where, "--json"
            )
            assert committed.returncode == 0, committed.stderr
            person = json.loads(committed.stdout)["bidder"]
            assert _opened(agents, round_ + 1) == round_ + 1
            revealed = seqmarket("reveal", "--round", round_, "--account", 10, *where)
            assert revealed.returncode == 0 and "revealed 20000000000000000 wei" in revealed.stdout, revealed
            out, err = agents.communicate(timeout=180)
            assert agents.returncode == 0, err
            done = json.loads(out)
            assert done["rounds"] == [round_, round_ + 1] and len(done["bidders"]) == 4
            assert done["sent"]["commit"] >= 8 and done["sent"]["reveal"] >= 6  # honest ones reveal every bid

            rounds = _settled(where, done["rounds"], timeout=120)
            for shown in rounds:
                assert shown["sales"] and shown["sequencers"] is not None, shown
                assert len(shown["commitments"]) >= 4
            [mine] = [c for c in rounds[0]["commitments"] if c["bidder"] == person]
            assert mine["revealed"] and mine["lock"] == "20000000000000000"
        finally:
            for process in (agents, operator):
                if process.poll() is None:
                    process.terminate()
                    process.wait(30)
        log = operator.stdout.read() if operator.stdout else ""
        for event in ("propose", "claim", "finalize", "release"):
            assert f"event={event} " in log, log


def test_a_cast_the_agents_cannot_play_is_refused_before_any_chain():
    """The arena's cast syntax and errors, and strategies the driver cannot send for: one line each."""
    from tests.cli.commands import fails

    assert "no strategy named 'nobody'" in fails("agents", "--bidder", "nobody")
    assert "'sybil': agents play copycat, honest" in fails("agents", "--bidder", "sybil")
    assert "the count in 'honest:0' must be a positive whole number" in fails(
        "agents", "--bidder", "honest:0"
    )
    assert "need accounts up to 43; the last is 39" in fails("agents", "--bidder", "honest:20")

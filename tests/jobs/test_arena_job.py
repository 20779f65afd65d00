"""The arena job (`make arena`, `ape run arena`): a cast from the command line or a file, the utility table,
JSON, and one-line errors for a cast it cannot seat."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from seqmarket.agents.strategies import Mechanism, Role
from seqmarket.errors import InvalidInput, NotEnoughAccounts
from seqmarket.jobs.arena import ArenaJob, Casting, load_cast

ROOT = Path(__file__).resolve().parents[2]
APE = str(Path(sys.executable).with_name("ape"))


def _arena(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [APE, "run", "arena", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def test_casting_reads_counts_and_rollups():
    assert Casting.parse(Role.BIDDER, "honest:4") == Casting(Role.BIDDER, "honest", 4)
    assert Casting.parse(Role.BIDDER, "ladder") == Casting(Role.BIDDER, "ladder", 1)
    assert Casting.parse(Role.ROLLUP, "shill:R2") == Casting(Role.ROLLUP, "shill", 1, 2)


@pytest.mark.parametrize(
    ("role", "text", "message"),
    [
        (Role.BIDDER, "nobody", "no strategy named 'nobody'; bidder strategies: "),
        (Role.BIDDER, "shill:R0", "shill is a rollup strategy, not a bidder one"),
        (Role.ROLLUP, "shill", "a rollup strategy names its rollup: 'shill:R0'"),
        (Role.BIDDER, "honest:0", "must be a positive whole number"),
        (Role.BIDDER, "honest:x", "must be a positive whole number"),
    ],
)
def test_a_bad_cast_entry_is_one_clear_message(role, text, message):
    with pytest.raises(InvalidInput, match=message):
        Casting.parse(role, text)


def test_a_cast_this_market_cannot_seat_is_refused_before_deploying():
    lottery_only = ArenaJob(mechanism=Mechanism.SEALED, cast=(Casting(Role.BIDDER, "sniper"),))
    with pytest.raises(InvalidInput, match="sniper plays the lottery market, not the sealed one"):
        lottery_only.check()
    with pytest.raises(InvalidInput, match="R7 is not one of the 4 rollups"):
        ArenaJob(cast=(Casting(Role.ROLLUP, "shill", 1, 7),)).check()
    with pytest.raises(NotEnoughAccounts, match="needs 47 accounts"):  # 2 + 4 rollups + 40 + the operator
        ArenaJob(cast=(Casting(Role.BIDDER, "honest", 40),)).check()
    defaults = ArenaJob().full_cast()
    assert [(c.strategy, c.count) for c in defaults] == [("honest", 4), ("honest-operator", 1)]


def test_a_cast_file_lists_seats_like_the_command_line(tmp_path):
    toml = tmp_path / "cast.toml"
    toml.write_text(
        'bidders = ["honest:3", "ladder"]\nrollups = ["shill:R1"]\noperator = "malicious-operator"\n'
    )
    cast = load_cast(toml)
    assert [(c.role, c.strategy, c.count, c.rollup) for c in cast] == [
        (Role.BIDDER, "honest", 3, None),
        (Role.BIDDER, "ladder", 1, None),
        (Role.ROLLUP, "shill", 1, 1),
        (Role.OPERATOR, "malicious-operator", 1, None),
    ]
    (tmp_path / "bad.json").write_text('{"bidder": ["honest"]}')
    with pytest.raises(InvalidInput, match="unknown keys \\['bidder'\\]"):
        load_cast(tmp_path / "bad.json")


def test_help_and_list_explain_the_cast():
    result = _arena("--help")
    assert result.returncode == 0
    for option in (
        "--bidder",
        "--rollup",
        "--operator",
        "--keeper",
        "--cast",
        "--rounds",
        "--json",
        "--list",
    ):
        assert option in result.stdout
    listed = _arena("--list")
    assert listed.returncode == 0
    for name in ("ladder", "sybil", "malicious-operator", "draw-chooser", "lottery-shill"):
        assert name in listed.stdout


def test_a_bad_cast_on_the_command_line_is_a_usage_error_not_a_traceback():
    result = _arena("--network", "ethereum:local:test", "--bidder", "sniper")
    assert result.returncode == 2
    assert "sniper plays the lottery market, not the sealed one" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_mixed_cast_prints_utilities_and_its_json_balances():
    """A short VCG run on anvil with a ladder and a shill: the JSON's seats add up and the market ends
    empty; the ladder did worse than honest play."""
    args = ("--network", "ethereum:local:foundry", "--payment-rule", "vcg", "--rounds", "1")
    cast = ("--bidder", "honest:3", "--bidder", "ladder", "--rollup", "shill:R0", "--keeper", "watcher")
    result = _arena(*args, *cast, "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert "round 0 played" in result.stderr
    assert document["closing"]["left"] == "0"
    seats = {s["seat"]: s for s in document["seats"]}
    assert set(seats) == {
        "honest 1",
        "honest 2",
        "honest 3",
        "ladder",
        "R0 shill",
        "watcher",
        "honest-operator",
    }
    for seat in seats.values():
        utility = int(seat["value_won"]) - int(seat["paid"]) - int(seat["penalties"]) + int(seat["received"])
        assert int(seat["utility"]) == utility
    assert int(seats["ladder"]["gain"]) < 0
    assert seats["honest 1"]["gain"] == "0"

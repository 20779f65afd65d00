"""The operator's planner and state store, without a chain: what a round still needs at each phase, in
either mode, and how intents, outcomes and counters are kept across a restart."""

from __future__ import annotations

import sqlite3

import pytest

from seqmarket.clearing import Bid
from seqmarket.errors import OperatorStateError
from seqmarket.operator.events import EventLog
from seqmarket.operator.planner import (
    Action,
    ActionKind,
    Counterfactual,
    LotteryRound,
    Mode,
    SealedRound,
    Solution,
    Stage,
    plan_lottery,
    plan_sealed,
    solve,
)
from seqmarket.operator.store import Status, Store
from seqmarket.protocol.schedule import Phase

A, B, C = "0xA", "0xB", "0xC"
SOLUTION = Solution((3,), 10, (Counterfactual(A, 7, (1,)), Counterfactual(B, 4, ())), 0.01)


def sealed(phase: Phase, **fields) -> SealedRound:
    base = dict(
        round=5, phase=phase, next_block=100, deadline=200, bidders=(A, B, C), revealed=True, vcg=True
    )
    base.update(fields)
    return SealedRound(**base)


def kinds(plan) -> list[ActionKind]:
    return [a.kind for a in plan.actions]


@pytest.mark.parametrize("phase", [Phase.NOT_OPEN, Phase.COMMIT, Phase.REVEAL])
def test_nothing_before_reveals_close(phase):
    assert plan_sealed(sealed(phase), SOLUTION) == plan_sealed(sealed(phase), None)
    assert plan_sealed(sealed(phase), None).stage is Stage.WAITING
    assert not plan_sealed(sealed(phase), None).actions


def test_clears_as_soon_as_reveals_close():
    plan = plan_sealed(sealed(Phase.CHALLENGE), None)
    assert plan.needs_solution and not plan.actions and plan.stage is Stage.CHALLENGE


def test_proposes_and_claims_every_counterfactual():
    plan = plan_sealed(sealed(Phase.CHALLENGE), SOLUTION)
    assert plan.actions == (
        Action(ActionKind.PROPOSE, 5, (3,), value=10),
        Action(ActionKind.CLAIM, 5, (1,), bidder=A, value=7),
        Action(ActionKind.CLAIM, 5, (), bidder=B, value=4),
    )


def test_does_not_repeat_what_the_chain_already_shows():
    view = sealed(Phase.CHALLENGE, standing=((3,), 10), proposed=True, claims={A: 7, B: 5})
    assert plan_sealed(view, SOLUTION).actions == ()


def test_replaces_a_worse_proposal_and_raises_an_understated_claim():
    view = sealed(Phase.CHALLENGE, standing=((), 9), proposed=True, claims={A: 6})
    plan = plan_sealed(view, SOLUTION)
    assert kinds(plan) == [ActionKind.PROPOSE, ActionKind.CLAIM, ActionKind.CLAIM]
    assert plan.actions[0].replaces


def test_first_price_market_makes_no_claims():
    plan = plan_sealed(sealed(Phase.CHALLENGE, vcg=False), SOLUTION)
    assert kinds(plan) == [ActionKind.PROPOSE]


def test_watcher_only_corrects_others():
    fresh = sealed(Phase.CHALLENGE)
    assert (
        plan_sealed(fresh, SOLUTION, Mode.WATCH).actions == ()
    )  # nobody proposed or claimed: nothing to fix
    worse = sealed(Phase.CHALLENGE, standing=((), 9), proposed=True, claims={B: 1})
    plan = plan_sealed(worse, SOLUTION, Mode.WATCH)
    assert [(a.kind, a.bidder) for a in plan.actions] == [(ActionKind.PROPOSE, ""), (ActionKind.CLAIM, B)]
    assert plan_sealed(sealed(Phase.SETTLE), SOLUTION, Mode.WATCH).stage is Stage.DONE


def test_settles_then_releases_then_distributes():
    assert kinds(plan_sealed(sealed(Phase.SETTLE), SOLUTION)) == [ActionKind.FINALIZE]
    final = sealed(Phase.SETTLE, finalized=True, released=frozenset({B}), forfeits=9)
    plan = plan_sealed(final, SOLUTION)
    assert [(a.kind, a.bidder) for a in plan.actions] == [(ActionKind.RELEASE, A), (ActionKind.RELEASE, C)]
    released = sealed(Phase.SETTLE, finalized=True, released=frozenset({A, B, C}), forfeits=9)
    assert kinds(plan_sealed(released, SOLUTION)) == [ActionKind.DISTRIBUTE]
    done = sealed(Phase.SETTLE, finalized=True, released=frozenset({A, B, C}))
    assert plan_sealed(done, SOLUTION) == plan_sealed(done, None)
    assert plan_sealed(done, None).stage is Stage.DONE


def test_a_lapsed_round_is_released_not_finalized():
    lapsed = sealed(Phase.SETTLE, next_block=200)
    assert lapsed.lapsed
    assert kinds(plan_sealed(lapsed, SOLUTION)) == [ActionKind.RELEASE] * 3


def test_a_round_without_bids_is_skipped():
    assert plan_sealed(sealed(Phase.CHALLENGE, bidders=()), None).stage is Stage.SKIPPED
    unrevealed = plan_sealed(sealed(Phase.CHALLENGE, revealed=False), None)
    assert unrevealed.stage is Stage.CHALLENGE and not unrevealed.needs_solution


def lottery(phase: Phase, **fields) -> LotteryRound:
    base = dict(round=2, phase=phase, next_block=50, sold=True, draw_target=60, draw_window=3)
    base.update(fields)
    return LotteryRound(**base)


def test_lottery_draws_inside_the_window_then_finalizes():
    assert plan_lottery(lottery(Phase.COMMIT), None).stage is Stage.WAITING
    assert plan_lottery(lottery(Phase.CHALLENGE), None).needs_solution
    assert kinds(plan_lottery(lottery(Phase.CHALLENGE), SOLUTION)) == [ActionKind.PROPOSE]
    assert plan_lottery(lottery(Phase.SETTLE), SOLUTION).actions == ()  # before the target
    draw = plan_lottery(lottery(Phase.SETTLE, next_block=61), SOLUTION).actions
    assert draw == (Action(ActionKind.DRAW, 2, target=60),)
    assert draw[0].key == "2/draw/60"
    rearm = plan_lottery(lottery(Phase.SETTLE, next_block=91, draw_target=90), SOLUTION).actions
    assert rearm[0].key == "2/draw/90"  # a re-armed draw is a new action
    assert kinds(plan_lottery(lottery(Phase.SETTLE, drawn=True), SOLUTION)) == [ActionKind.FINALIZE]
    assert kinds(plan_lottery(lottery(Phase.SETTLE, voided=True), SOLUTION)) == [ActionKind.FINALIZE]
    assert plan_lottery(lottery(Phase.SETTLE, drawn=True, finalized=True), SOLUTION).stage is Stage.DONE
    assert plan_lottery(lottery(Phase.CHALLENGE, sold=False), None).stage is Stage.SKIPPED


def test_solve_uses_vcg_for_every_winner():
    bids = [Bid(A, 0b11, 10), Bid(B, 0b01, 4), Bid(C, 0b10, 3)]
    solution = solve((1, 1), bids, True)
    assert solution.bundles == (0b11,) and solution.value == 10
    assert solution.counterfactuals == (Counterfactual(A, 7, ()),)
    assert solve((1, 1), bids, False).counterfactuals == ()


def test_actions_and_solutions_survive_the_store(tmp_path):
    store = Store(tmp_path / "state.sqlite")
    store.bind({"market": "0xM", "account": "0xO"})
    store.save_solution(5, SOLUTION)
    claim = Action(ActionKind.CLAIM, 5, (1,), bidder=A, value=7)
    store.intend(claim, nonce=3, head=90)
    store.close()

    again = Store(tmp_path / "state.sqlite")  # a restart
    again.bind({"market": "0xM", "account": "0xO"})
    assert again.solution(5) == SOLUTION
    [open_intent] = again.open_intents()
    assert open_intent.action == claim and open_intent.nonce == 3 and open_intent.head == 90
    again.settle(claim.key, Status.LANDED, tx="0xT", block=91, gas_used=100, gas_wei=700)
    assert not again.open_intents()
    propose = Action(ActionKind.PROPOSE, 5, (3,), value=10, replaces=True)
    again.saw_challenge(5, 85)
    again.intend(propose, nonce=4, head=91)
    again.settle(propose.key, Status.LANDED, tx="0xU", block=92, gas_used=50, gas_wei=350)
    again.intend(Action(ActionKind.FINALIZE, 5), nonce=5, head=92)
    again.settle("5/finalize", Status.REVERTED, error="AlreadyFinalized(round=5)")
    again.set_stage(5, Stage.DONE)
    stats = again.stats()
    assert (stats.transactions, stats.claims, stats.proposals, stats.proposals_replaced) == (2, 1, 1, 1)
    assert (stats.reverted, stats.gas_used, stats.gas_wei, stats.rounds_done) == (1, 150, 1050, 1)
    assert stats.propose_latency_blocks == (7, 7) and stats.pending_intents == 0
    assert again.first_unfinished() is None and again.last_round() == 5
    assert "proposals_replaced=1" in stats.line()
    # an outcome adds to the attempts before it: a second attempt counts twice
    again.intend(Action(ActionKind.FINALIZE, 5), nonce=6, head=93)
    assert again.record("5/finalize").attempts == 2


def test_the_store_refuses_another_markets_file(tmp_path):
    store = Store(tmp_path / "state.sqlite")
    store.bind({"market": "0xM"})
    with pytest.raises(OperatorStateError, match="give another --state"):
        store.bind({"market": "0xOther"})
    journal = sqlite3.connect(tmp_path / "state.sqlite").execute("PRAGMA journal_mode").fetchone()[0]
    assert journal == "wal"


def test_log_lines_are_one_line_each(capsys):
    log = EventLog(fields={"mode": "operate"})
    log.emit("propose", round=3, bundles=[3, 12], error="Not Better")
    log.warning("rpc-unavailable", retry_in="0.5s")
    EventLog(as_json=True).emit("claim", value=10**30)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert 'event=propose mode=operate round=3 bundles=[3,12] error="Not Better"' in lines[0]
    assert "level=warning" in lines[1]
    assert '"value": 1000000000000000000000000000000' in lines[2]


def test_stats_command_reads_the_store(tmp_path):
    """`seqmarket operator stats` prints the counters from a state file (one line, or JSON), and a missing
    file is one `Error:` line."""
    import json

    from click.testing import CliRunner

    from seqmarket.cli import main

    store = Store(tmp_path / "state.sqlite")
    store.bind({"market": "0xM", "account": "0xO", "mode": "operate"})
    propose = Action(ActionKind.PROPOSE, 1, (3,), value=10)
    store.intend(propose, nonce=0, head=1)
    store.settle(propose.key, Status.LANDED, tx="0xT", block=2, gas_used=21, gas_wei=42)
    store.close()
    runner = CliRunner(mix_stderr=False)
    line = runner.invoke(main, ["operator", "stats", "--state", str(tmp_path / "state.sqlite")])
    assert line.exit_code == 0 and "proposals=1" in line.stdout and "gas_wei=42" in line.stdout
    document = json.loads(
        runner.invoke(main, ["operator", "stats", "--state", str(tmp_path / "state.sqlite"), "--json"]).stdout
    )
    assert document["market"] == "0xM" and document["transactions"] == 1 and document["gas_wei"] == "42"
    missing = runner.invoke(main, ["operator", "stats", "--state", str(tmp_path / "none.sqlite")])
    assert (
        missing.exit_code == 1 and missing.stderr.startswith("Error:") and "Traceback" not in missing.stderr
    )

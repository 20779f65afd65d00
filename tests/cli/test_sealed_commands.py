"""A sealed-bid round by hand: deploy, deposit, commit, reveal, propose, claim, finalize, release, withdraw
and status, each command's happy path and a decoded error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seqmarket.chain.connection import local_account
from seqmarket.chain.sealed_bid_client import SealedBidClient
from seqmarket.protocol.schedule import Phase
from tests.cli.commands import as_json, deploy, fails, next_tx_at, ok
from tests.support.onchain import ETH

MILLI = ETH // 1000
TIMES = ["--commit-blocks", 10, "--reveal-blocks", 10, "--challenge-blocks", 6, "--start-in", 2]


@pytest.fixture
def sealed(tmp_path: Path) -> tuple[list[str], SealedBidClient]:
    """A first-price market, reserves 1 milli-ether, deployed by the CLI: (--deployment args, its client)."""
    deployment = tmp_path / "deployments.json"
    address = deploy("sealed", deployment, *TIMES, "--reserve", "0.001eth")
    return ["--deployment", str(deployment)], SealedBidClient.at(address)


def test_a_first_price_round_by_hand(sealed, tmp_path):
    where, market = sealed
    assert "round 0 enters it at block" in fails("commit", "0,1", "0.02eth", "--account", 10, *where)
    next_tx_at(market.phase_start(0, Phase.COMMIT))
    assert "collateral 50000000000000000 wei" in ok("deposit", "0.05eth", "--account", 10, *where)
    committed = ok("commit", "0,1", "0.02eth", "--account", 10, *where)
    assert "committed a sealed bid on [0, 1] for round 0" in committed and "order 0" in committed
    assert "deposited" not in committed  # the deposit covers the lock
    hidden = ok("commit", "R0+R1", "0.015eth", "--lock", "0.03eth", "--account", 11, *where)
    assert "deposited 30000000000000000 wei" in hidden
    ok("commit", "2", "0.002eth", "--account", 12, *where)  # never revealed: forfeits its lock

    early = fails("reveal", "--round", 0, "--account", 10, *where)
    assert "round 0 is in its commit phase; this needs reveal (WrongPhase(" in early
    next_tx_at(market.phase_start(0, Phase.REVEAL))
    assert "round 0: revealed 20000000000000000 wei" in ok("reveal", "--account", 10, *where)
    assert "round 0: revealed 15000000000000000 wei" in ok("reveal", "--account", 11, *where)
    assert "round 0: already revealed" in ok("reveal", "--account", 10, *where)
    # The book is named by the deploy block too: a chain started afresh redeploys at the same address.
    deployed_in = json.loads(Path(where[1]).read_text())["markets"]["sealed"]["block_hash"]
    assert as_json("bids", *where)["bid_book"].endswith(f"-{market.address}-{deployed_in[2:10]}.jsonl")
    listed = as_json("bids", *where)["bids"]
    assert sorted(b["chain"] for b in listed) == ["committed", "revealed", "revealed"]
    assert {b["book"] for b in listed} == {"sent", "revealed"}

    next_tx_at(market.phase_start(0, Phase.CHALLENGE))
    overlapping = tmp_path / "overlapping.json"
    overlapping.write_text(json.dumps([[0, 1], [1, 2]]))
    assert "OverlappingBundle(bundle=6)" in fails("propose", overlapping, "--account", 0, *where)
    partition = tmp_path / "partition.json"
    partition.write_text(json.dumps([[0, 1]]))
    assert "proposed [[0, 1]] for round 0" in ok("propose", partition, "--account", 0, *where)
    assert "does not beat the standing one" in ok("propose", "--optimal", "--account", 0, *where)
    assert "VcgDisabled" in fails("claim", "--account", 0, *where)
    assert "no round is in its settle phase" in fails("finalize", "--account", 0, *where)

    next_tx_at(market.phase_start(0, Phase.SETTLE))
    bidder = market.commitments(0)[0].bidder
    done = ok("finalize", "--account", 0, *where)
    assert f"finalized round 0: sold [0, 1] to {bidder} for 20000000000000000 wei" in done
    assert "is finalized already (AlreadyFinalized(round=0))" in fails(
        "finalize", "--round", 0, "--account", 0, *where
    )

    released = ok("release", "--round", 0, "--all", "--account", 0, *where)
    assert released.count("round 0: released") == 3 and "forfeited 2000000000000000 wei" in released
    assert "round 0: credited 2000000000000000 wei" in released
    assert "nothing to release" in ok("release", "--account", 10, *where)
    withdrawn = ok("withdraw", "--account", 10, *where)
    assert "withdrew 0 wei of credit and 30000000000000000 wei" in withdrawn  # 50 deposited, 20 paid
    assert "has nothing to withdraw" in fails("withdraw", "--account", 10, *where)
    assert market.balance() == market.owed_to([local_account(i).address for i in (10, 11, 12)])


def test_status_shows_the_round_in_both_forms(sealed):
    where, market = sealed
    next_tx_at(market.phase_start(0, Phase.COMMIT))
    ok("commit", "0,1", "0.02eth", "--account", 10, *where)
    overview = as_json("status", *where)
    assert overview["contract"] == "SealedBidMarket" and overview["rules"]["payment_rule"] == "first-price"
    assert [r["reserve"] for r in overview["rollups"]] == [str(MILLI)] * 4
    [line] = overview["rounds"]
    assert (line["round"], line["phase"], line["activity"], line["finalized"]) == (0, "commit", 1, False)
    assert line["blocks_left"] == market.phase_start(0, Phase.REVEAL) - market.next_block()
    text = ok("status", *where)
    assert "Rounds in play" in text and "commit (" in text
    detail = as_json("status", 0, *where)
    [commitment] = detail["commitments"]
    assert (commitment["lock"], commitment["order"], commitment["revealed"]) == (
        "20000000000000000",
        0,
        False,
    )
    assert detail["sequencers"] is None and detail["partition"] == {"bundles": [], "value": str(4 * MILLI)}
    assert "standing partition: [] worth 4000000000000000 wei" in ok("status", 0, *where)
    assert "expected a market address and/or a round number" in fails("status", "soon", *where)


def test_vcg_claims_raise_the_payment_and_say_so(tmp_path):
    deployment = tmp_path / "deployments.json"
    market = SealedBidClient.at(deploy("sealed", deployment, *TIMES, "--payment-rule", "vcg"))
    where = ["--deployment", deployment]
    next_tx_at(market.phase_start(0, Phase.COMMIT))
    # The seed example: A+B at 25 beats A at 10 and B at 14.9; the winner pays 24.9.
    for account, bundle, amount in ((10, "0", "10"), (11, "0,1", "25"), (12, "1", "14.9")):
        ok("commit", bundle, f"{amount}gwei", "--account", account, *where)
    next_tx_at(market.phase_start(0, Phase.REVEAL))
    for account in (10, 11, 12):
        ok("reveal", "--account", account, *where)
    next_tx_at(market.phase_start(0, Phase.CHALLENGE))
    ok("propose", "--optimal", "--account", 0, *where)
    winner, loser = local_account(11).address, local_account(10).address
    assert f"{loser} wins nothing in round 0" in fails("claim", loser, "--account", 0, *where)
    claimed = ok("claim", 11, "--account", 0, *where)
    assert f"W(-{winner}) = 24900000000 wei claimed" in claimed and "it pays 24900000000 wei" in claimed
    assert "already claimed" in ok("claim", "--account", 0, *where)
    [claim] = as_json("status", 0, *where)["claims"]
    assert (claim["bidder"], claim["welfare_without"]) == (winner, "24900000000")
    next_tx_at(market.phase_start(0, Phase.SETTLE))
    assert "for 24900000000 wei" in ok("finalize", "--account", 0, *where)
    [sale] = as_json("status", 0, *where)["sales"]
    assert (sale["bid"], sale["price"]) == ("25000000000", "24900000000")


def test_amounts_bundles_and_accounts_are_checked_before_any_transaction(sealed):
    where, market = sealed
    next_tx_at(market.phase_start(0, Phase.COMMIT))
    assert "is not an amount" in fails("commit", "0,1", "lots", "--account", 10, *where)
    assert "is not a whole, non-negative number of wei" in fails("deposit", "0.5wei", "--account", 10, *where)
    assert "distinct rollup indices" in fails("commit", "0,0", "1", "--account", 10, *where)
    assert "test accounts 0 to 39, not 99" in fails("deposit", "1", "--account", 99, *where)
    assert "no ape account named 'nobody'" in fails("deposit", "1", "--account", "nobody", *where)
    assert "the market sells rollups 0 to 3, not [7]" in fails(
        "commit", "7", "1gwei", "--account", 10, *where
    )
    assert "a commitment locks at least" in fails(
        "commit", "0", "1gwei", "--lock", "1gwei", "--account", 10, *where
    )
    assert "is not sealed, lottery or a market address" in fails("status", "--market", "auction", *where)
    assert "works with the sealed market, not the lottery one" in fails(
        "commit", "0", "1gwei", "--market", "lottery", "--account", 10, *where
    )

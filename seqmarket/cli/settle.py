"""Settling a round from a terminal, in either market: `propose` a partition (from a file, or the optimum),
`claim` W(-i) (VCG), `finalize`, `release` collateral (sealed bids), `withdraw` what the market owes you."""

from __future__ import annotations

import json
from pathlib import Path

import click

from seqmarket.clearing import rollups_of
from seqmarket.cli.common import (
    ADDRESS,
    BUNDLE,
    WEI,
    Target,
    Where,
    account_option,
    eth,
    json_option,
    one_line_errors,
    open_market,
    pick_round,
    report,
    round_option,
    tx,
    where_options,
)
from seqmarket.errors import InvalidInput
from seqmarket.jobs.output import print_json, wei
from seqmarket.protocol.schedule import Phase


def read_partition(path: Path) -> list[int]:
    """The bundles of a partition file: a JSON list of bundles, each a list of rollup indices (``[[0, 1],
    [2, 3]]``), or an object whose ``bundles`` is one (what ``status --json`` prints under ``partition``)."""
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError) as err:
        raise InvalidInput(f"{path}: not a JSON partition ({err})") from err
    bundles = document.get("bundles") if isinstance(document, dict) else document
    if not isinstance(bundles, list) or not all(isinstance(b, list) for b in bundles):
        raise InvalidInput(f"{path}: a partition is a list of bundles, each a list of rollup indices")
    try:
        return [BUNDLE.convert(",".join(str(i) for i in b), None, None) for b in bundles]
    except click.BadParameter as err:
        raise InvalidInput(f"{path}: {err.message}") from err


@click.command("propose", short_help="Propose a partition (from a file, or the optimum).")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--optimal", is_flag=True, help="Clear the round off-chain and propose the optimum if it ranks higher."
)
@round_option
@account_option
@where_options
@json_option
def propose_command(
    file: Path | None, optimal: bool, round_: int | None, account: str, where: Where, as_json: bool
) -> None:
    """Propose a partition for a round in its challenge phase: the bundles in FILE, or with --optimal the
    partition that maximises the round's value (seqmarket.clearing, exact).

    FILE is JSON, a list of bundles as rollup index lists: [[0, 1], [2, 3]]; rollups not listed are
    singletons. The market keeps a proposal only if it ranks above the standing partition (higher value,
    then fewer rollups in listed bundles, then a smaller tie key), so a worse one is refused.
    """
    if (file is None) == (not optimal):
        raise click.UsageError("give a partition FILE or --optimal (not both)")
    with one_line_errors(), open_market(where) as target:
        client = target.client
        proposer = target.account(account)
        round_ = pick_round(client, round_, Phase.CHALLENGE)
        _, standing = client.best_partition(round_)
        if optimal:
            from seqmarket.rounds.operator import ClearingOperator

            submission = ClearingOperator(client, proposer).submit(round_)
            bundles, value, sent = (
                list(submission.clearing.bundles),
                submission.clearing.value,
                submission.proposed,
            )
            if submission.reverted:
                raise click.ClickException(f"the proposal was refused: {submission.reverted[0]}")
        else:
            bundles = read_partition(file)  # type: ignore[arg-type]
            value = int(client.contract.valuePartition(round_, bundles))
            client.propose(proposer, round_, bundles)
            sent = True
    listed = [rollups_of(b) for b in bundles]
    if sent:
        line = f"proposed {listed} for round {round_}: worth {eth(value)} (the standing one: {eth(standing)})"
    else:
        line = f"the optimum {listed} of round {round_} (worth {eth(value)}) does not beat the standing one"
    report(
        as_json,
        line,
        {
            "round": round_,
            "bundles": listed,
            "value": wei(value),
            "proposed": sent,
            "standing_value": wei(standing),
        },
    )


@click.command("claim", short_help="Claim W(-i) for winners (VCG).")
@click.argument("bidders", nargs=-1)
@round_option
@account_option
@where_options
@json_option
def claim_command(
    bidders: tuple[str, ...], round_: int | None, account: str, where: Where, as_json: bool
) -> None:
    """Claim W(-i), the round's welfare without winner BIDDER, in a VCG market (every winner if none given).

    W(-i) is computed with seqmarket.clearing.vcg from the bids the market holds, and claimed with the
    partition that proves it, unless the standing claim is as high. The winner pays W(-i) - (W - b_i); the
    claimant earns the claim bounty on what the claim adds. BIDDER is an address (or a test account index).
    """
    from seqmarket.chain.connection import resolve_account
    from seqmarket.chain.deployment import MarketKind
    from seqmarket.clearing.vcg import vcg

    with one_line_errors(), open_market(where, MarketKind.SEALED) as target:
        client = target.sealed
        claimant = target.account(account)
        round_ = pick_round(client, round_, Phase.CHALLENGE)
        outcome = vcg(client.reserves(round_), client.bids(round_))
        payments = {p.bidder: p for p in outcome.payments}
        wanted = [b if ADDRESS.match(b) else resolve_account(b).address for b in bidders] or list(payments)
        results = []
        for bidder in wanted:
            payment = payments.get(bidder)
            if payment is None:
                raise click.ClickException(
                    f"{bidder} wins nothing in round {round_}: there is no W(-i) to claim"
                )
            standing = client.counterfactual_value(round_, bidder)
            claimed = payment.welfare_without > standing
            if claimed:
                client.claim_counterfactual(claimant, round_, bidder, payment.counterfactual)
            results.append((payment, standing, claimed))
    if as_json:
        print_json(
            {
                "round": round_,
                "claims": [
                    {
                        "bidder": p.bidder,
                        "welfare_without": wei(p.welfare_without),
                        "standing": wei(standing),
                        "claimed": claimed,
                        "counterfactual": [rollups_of(b) for b in p.counterfactual],
                        "payment": wei(p.payment),
                    }
                    for p, standing, claimed in results
                ],
            }
        )
        return
    if not results:
        click.echo(f"round {round_} has no winner yet: nothing to claim")
    for p, standing, claimed in results:
        done = "claimed" if claimed else f"already claimed (standing {eth(standing)})"
        click.echo(
            f"round {round_}: W(-{p.bidder}) = {eth(p.welfare_without)} {done}, with "
            f"{[rollups_of(b) for b in p.counterfactual]}; it pays {eth(p.payment)} for a bid of {eth(p.bid)}"
        )


@click.command("finalize", short_help="Settle a round: charge winners, credit rollups.")
@round_option
@account_option
@where_options
@json_option
def finalize_command(round_: int | None, account: str, where: Where, as_json: bool) -> None:
    """Settle a round whose challenge phase is over: charge the winners, credit the rollups.

    Anyone may call it (a lottery round must be drawn first: `seqmarket draw`). The round defaults to the
    oldest one of the last 16 in its settle phase that is not finalized (nor lapsed).
    """
    with one_line_errors(), open_market(where) as target:
        client = target.client
        caller = target.account(account)
        round_ = _due_finalize(target) if round_ is None else round_
        receipt = client.finalize(caller, round_)
        sales = client.sales(round_)
        _, value = client.best_partition(round_)
    revenue = sum(s.price for s in sales)
    sold = ", ".join(f"{rollups_of(s.bundle)} to {s.winner} for {s.price} wei" for s in sales) or "nothing"
    report(
        as_json,
        f"finalized round {round_}: sold {sold}; revenue {eth(revenue)} (partition value {eth(value)}; "
        f"tx {tx(receipt)})",
        {
            "round": round_,
            "revenue": wei(revenue),
            "value": wei(value),
            "transaction": tx(receipt),
            "sales": [
                {"bundle": rollups_of(s.bundle), "winner": s.winner, "bid": wei(s.bid), "price": wei(s.price)}
                for s in sales
            ],
        },
    )


#: How many rounds back `finalize` looks for one to settle when not given --round.
FINALIZE_LOOKBACK = 16


def _due_finalize(target: Target) -> int:
    """The oldest round of the last FINALIZE_LOOKBACK in their settle phase that still needs finalizing."""
    from seqmarket.chain.deployment import MarketKind

    client = target.client
    newest = pick_round(client, None, Phase.SETTLE)
    oldest = max(0, newest - FINALIZE_LOOKBACK)
    for round_ in range(oldest, newest + 1):
        if client.is_finalized(round_) or (
            target.kind is MarketKind.SEALED and target.sealed.is_lapsed(round_)
        ):
            continue
        return round_
    raise click.ClickException(
        f"rounds {oldest} to {newest} are finalized (or lapsed): no round waits for finalize; give --round"
    )


@click.command("release", short_help="Unlock collateral of finalized rounds (sealed bids).")
@click.argument("bidders", nargs=-1)
@click.option(
    "--round", "round_", type=click.IntRange(0), help="Only this round. [default: every round done]"
)
@click.option("--all", "everyone", is_flag=True, help="Every bidder who committed in --round.")
@account_option
@where_options
@json_option
def release_command(
    bidders: tuple[str, ...], round_: int | None, everyone: bool, account: str, where: Where, as_json: bool
) -> None:
    """Unlock collateral of finalized (or lapsed) rounds: yours, BIDDERS', or (--all) everyone's in --round.

    Without --round, every round you committed in that is done and not yet released. The locks of
    commitments never revealed are forfeited and credited to the round's rollups (distributeForfeits).
    Anyone may release anyone: it only moves money inside the market.
    """
    from seqmarket.chain.deployment import MarketKind

    if everyone and round_ is None:
        raise click.UsageError("--all needs --round")
    with one_line_errors(), open_market(where, MarketKind.SEALED) as target:
        client = target.sealed
        caller = target.account(account)
        if everyone:
            who = sorted({c.bidder for c in client.commitments(round_)})  # type: ignore[arg-type]
        else:
            who = [b if ADDRESS.match(b) else target.account(b).address for b in bidders] or [caller.address]
        done = []
        for bidder in who:
            rounds = [round_] if round_ is not None else client.rounds_of(bidder)
            for r in rounds:
                if round_ is None and not _releasable(target, r, bidder):
                    continue
                part = client.participation(r, bidder)
                client.release(caller, r, bidder)
                done.append((r, bidder, part.locked - part.unopened, part.unopened))
        distributed = []
        for r in sorted({r for r, _, _, forfeited in done if forfeited}):
            if client.forfeits(r):
                distributed.append((r, client.forfeits(r)))
                client.distribute_forfeits(caller, r)
    if as_json:
        print_json(
            {
                "released": [
                    {"round": r, "bidder": b, "unlocked": wei(u), "forfeited": wei(f)} for r, b, u, f in done
                ],
                "forfeits_distributed": [{"round": r, "amount": wei(a)} for r, a in distributed],
            }
        )
        return
    if not done:
        click.echo(
            "nothing to release: no finalized or lapsed round holds unreleased collateral of "
            + ", ".join(who)
        )
    for r, bidder, unlocked, forfeited in done:
        lost = f", forfeited {eth(forfeited)} (commitments never revealed)" if forfeited else ""
        click.echo(f"round {r}: released {bidder}: unlocked {eth(unlocked)}{lost}")
    for r, amount in distributed:
        click.echo(f"round {r}: credited {eth(amount)} of forfeits to the rollups")


def _releasable(target: Target, round_: int, bidder: str) -> bool:
    client = target.sealed
    if not (client.is_finalized(round_) or client.is_lapsed(round_)):
        return False
    return not client.participation(round_, bidder).released


@click.command("withdraw", short_help="Withdraw your credit and unlocked collateral.")
@click.option(
    "--collateral",
    "amount",
    type=WEI,
    help="Sealed bids: withdraw this much unlocked collateral. [default: all of it]",
)
@account_option
@where_options
@json_option
def withdraw_command(amount: int | None, account: str, where: Where, as_json: bool) -> None:
    """Withdraw what the market owes you: all your credit (rollup revenue, bounties, refunds) and, in the
    sealed-bid market, your unlocked collateral."""
    from seqmarket.chain.deployment import MarketKind

    with one_line_errors(), open_market(where) as target:
        client = target.client
        owner = target.account(account)
        credit = client.credit(owner.address)
        if credit:
            client.withdraw_credit(owner)
        collateral = 0
        if target.kind is MarketKind.SEALED:
            total, locked = target.sealed.collateral(owner.address)
            collateral = total - locked if amount is None else amount
            if collateral:
                target.sealed.withdraw_collateral(owner, collateral)
        if not credit and not collateral:
            raise click.ClickException(
                f"{owner.address} has nothing to withdraw (no credit, no unlocked collateral)"
            )
    report(
        as_json,
        f"withdrew {eth(credit)} of credit and {eth(collateral)} of collateral to {owner.address}",
        {"account": owner.address, "credit": wei(credit), "collateral": wei(collateral)},
    )

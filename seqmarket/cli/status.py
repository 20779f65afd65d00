"""`seqmarket status`: a market's rules and rounds in play, or one round in detail, for either market."""

from __future__ import annotations

from typing import Any

import click

from seqmarket.clearing import rollups_of
from seqmarket.cli.common import (
    ADDRESS,
    Where,
    blocks,
    json_option,
    one_line_errors,
    open_market,
    where_options,
)
from seqmarket.jobs.output import make_console, print_json, table, wei
from seqmarket.protocol.schedule import Phase

ZERO = "0x" + "00" * 20


@click.command("status", short_help="Show the market and its rounds, or one round in detail.")
@click.argument("where_round", nargs=-1, metavar="[MARKET] [ROUND]")
@where_options
@json_option
def status_command(where_round: tuple[str, ...], where: Where, as_json: bool) -> None:
    """Show the market (of the deployment file, or MARKET's address): its rules, rollups and the rounds in
    play, each with its phase and blocks left; with ROUND, that round in detail.

    A round in detail: sealed bids show the commitments (lock, order, revealed), the bids the market keeps
    per bundle, the standing partition and its value, and W(-i) claims; the lottery shows tickets per bundle
    and the draw. Once final: the sales (winner, bid, price) and who sequences each rollup. Phases are
    judged at the next block, where a transaction sent now would land.
    """
    market, round_ = _parse(where_round)
    if market is not None:
        where = Where(where.deployment, where.network, where.rpc, market)
    from seqmarket.rounds.status import overview, round_detail

    with one_line_errors(), open_market(where) as target:
        from ape import chain

        chain_id = chain.chain_id
        if round_ is None:
            view = overview(target.client)
        else:
            detail = round_detail(target.client, round_)
            address, contract = target.client.address, target.client.contract_name
    if round_ is None:
        _print_overview(view, chain_id, as_json)
    else:
        _print_detail(detail, address, contract, chain_id, as_json)


def _parse(arguments: tuple[str, ...]) -> tuple[str | None, int | None]:
    """[MARKET] [ROUND] in either order: an address is the market, a number the round."""
    market = round_ = None
    for argument in arguments:
        if ADDRESS.match(argument) and market is None:
            market = argument
        elif argument.isdecimal() and round_ is None:
            round_ = int(argument)
        else:
            raise click.UsageError(f"{argument!r}: expected a market address and/or a round number")
    return market, round_


def _phase(clock: Any, lottery: bool = False) -> str:
    # The lottery's commit phase is its ticket sale: named so for a person (JSON keeps the contract's name).
    name = "sale" if lottery and clock.phase == Phase.COMMIT else clock.phase.name.lower().replace("_", " ")
    if clock.blocks_left is None:
        return name
    if clock.phase == Phase.NOT_OPEN:
        return f"not open ({blocks(clock.blocks_left)} to go)"
    if clock.phase == Phase.SETTLE:
        return f"settle ({blocks(clock.blocks_left)} before it lapses unfinalized)"
    return f"{name} ({blocks(clock.blocks_left)} left)"


def _clock_json(clock: Any) -> dict[str, Any]:
    return {"block": clock.block, "phase": clock.phase.name.lower(), "blocks_left": clock.blocks_left}


def _print_overview(view: Any, chain_id: int, as_json: bool) -> None:
    sealed = view.contract == "SealedBidMarket"
    if as_json:
        print_json(
            {
                "market": view.address,
                "contract": view.contract,
                "chain_id": chain_id,
                "block": view.block,
                "current_round": view.current_round,
                "rules": view.rules,
                "rollups": [
                    {"index": r.index, "payout": r.payout, "reserve": wei(r.reserve)} for r in view.rollups
                ],
                "rounds": [
                    {
                        "round": line.round,
                        **_clock_json(line.clock),
                        "activity": line.activity,
                        "value": wei(line.value),
                        "finalized": line.finalized,
                    }
                    for line in view.rounds
                ],
            }
        )
        return
    rules = ", ".join(f"{k} {v}" for k, v in view.rules.items())
    console = make_console()
    console.print(
        f"{view.contract} {view.address} on chain {chain_id}, next block {view.block}", highlight=False
    )
    console.print(f"rules: {rules}", highlight=False)
    rollups = table("Rollups", "rollup", "payout", "reserve (wei)", numeric=["rollup", "reserve (wei)"])
    for r in view.rollups:
        rollups.add_row(str(r.index), r.payout, str(r.reserve))
    console.print(rollups)
    activity = "commitments" if sealed else "tickets"
    rounds = table(
        "Rounds in play",
        "round",
        "phase",
        activity,
        "partition value (wei)",
        "finalized",
        numeric=["round", activity, "partition value (wei)"],
    )
    for line in view.rounds:
        rounds.add_row(
            str(line.round),
            _phase(line.clock, not sealed),
            str(line.activity),
            str(line.value),
            "yes" if line.finalized else "no",
        )
    console.print(rounds)
    console.print("`seqmarket status ROUND` shows a round in detail.", highlight=False)


def _print_detail(detail: Any, address: str, contract: str, chain_id: int, as_json: bool) -> None:
    sealed = contract == "SealedBidMarket"
    bundles, value = detail.partition
    if as_json:
        document: dict[str, Any] = {
            "market": address,
            "contract": contract,
            "chain_id": chain_id,
            "round": detail.round,
            **_clock_json(detail.clock),
            "partition": {"bundles": [rollups_of(b) for b in bundles], "value": wei(value)},
            "finalized": detail.finalized,
            "sales": [
                {"bundle": rollups_of(s.bundle), "winner": s.winner, "bid": wei(s.bid), "price": wei(s.price)}
                for s in detail.sales
            ],
            "sequencers": None
            if detail.sequencers is None
            else [None if s == ZERO else s for s in detail.sequencers],
        }
        if sealed:
            document.update(
                lapsed=detail.lapsed,
                commitments=[
                    {
                        "bidder": c.bidder,
                        "commitment": "0x" + c.commitment.hex(),
                        "lock": wei(c.lock),
                        "order": c.order,
                        "revealed": c.revealed,
                    }
                    for c in detail.commitments
                ],
                bids=[
                    {"bundle": rollups_of(b.bundle), "best": _bid_json(b.best), "second": _bid_json(b.second)}
                    for b in detail.bids
                ],
                claims=[
                    {"bidder": c.bidder, "welfare_without": wei(c.value), "claimant": c.claimant}
                    for c in detail.claims
                ],
            )
        else:
            draw = detail.draw
            document.update(
                tickets=[
                    {"bundle": rollups_of(t.bundle), "sold": t.sold, "revenue": wei(t.revenue)}
                    for t in detail.tickets
                ],
                draw={
                    "target": draw.target,
                    "rearms": draw.rearms,
                    "drawn": draw.drawn,
                    "voided": draw.voided,
                    "seed": "0x" + draw.seed.hex() if draw.drawn else None,
                    "drawer": None if draw.drawer == ZERO else draw.drawer,
                },
            )
        print_json(document)
        return
    console = make_console()
    state = (
        "finalized"
        if detail.finalized
        else "lapsed: nothing sold"
        if detail.lapsed
        else _phase(detail.clock, not sealed)
    )
    console.print(
        f"round {detail.round} of {contract} {address} (chain {chain_id}) at block {detail.clock.block}: "
        f"{state}",
        highlight=False,
    )
    if sealed:
        commitments = table(
            "Commitments",
            "order",
            "bidder",
            "commitment",
            "lock (wei)",
            "revealed",
            numeric=["order", "lock (wei)"],
        )
        for c in detail.commitments:
            commitments.add_row(
                str(c.order), c.bidder, "0x" + c.commitment.hex(), str(c.lock), "yes" if c.revealed else "no"
            )
        console.print(commitments)
        bids = table("Bids kept per bundle", "bundle", "best", "second")
        for b in detail.bids:
            bids.add_row(str(rollups_of(b.bundle)), _bid_text(b.best), _bid_text(b.second))
        console.print(bids)
    else:
        tickets = table(
            "Tickets per bundle", "bundle", "sold", "revenue (wei)", numeric=["sold", "revenue (wei)"]
        )
        for t in detail.tickets:
            tickets.add_row(str(rollups_of(t.bundle)), str(t.sold), str(t.revenue))
        console.print(tickets)
        draw = detail.draw
        if draw.drawn:
            how = f"drawn by {draw.drawer}, seed 0x{draw.seed.hex()}"
        elif draw.voided:
            how = "voided: every ticket refunded"
        else:
            how = f"opens at block {draw.target} ({blocks(max(0, draw.target - detail.clock.block))} to go)"
        console.print(f"draw: {how}", highlight=False)
    console.print(
        f"standing partition: {[rollups_of(b) for b in bundles]} worth {value} wei "
        "(its value W counts unsold rollups at their reserves)",
        highlight=False,
    )
    if sealed and detail.claims:
        claims = table("W(-i) claims", "winner", "W(-i) (wei)", "claimant", numeric=["W(-i) (wei)"])
        for c in detail.claims:
            claims.add_row(c.bidder, str(c.value), c.claimant)
        console.print(claims)
    if detail.finalized:
        sales = table(
            "Sales", "bundle", "winner", "bid (wei)", "price (wei)", numeric=["bid (wei)", "price (wei)"]
        )
        for s in detail.sales:
            sales.add_row(str(rollups_of(s.bundle)), s.winner, str(s.bid), str(s.price))
        console.print(sales)
        for i, sequencer in enumerate(detail.sequencers or []):
            console.print(f"  rollup {i}: {'unsold' if sequencer == ZERO else sequencer}", highlight=False)


def _bid_json(bid: Any) -> dict[str, Any] | None:
    if not bid.amount:
        return None
    return {"bidder": bid.bidder, "amount": wei(bid.amount), "order": bid.order}


def _bid_text(bid: Any) -> str:
    return f"{bid.amount} wei by {bid.bidder} (order {bid.order})" if bid.amount else "-"

"""Lottery tickets from a terminal: `quote`, `buy` (the quote, then a confirmation), `draw`, `refund`."""

from __future__ import annotations

import click

from seqmarket.clearing import rollups_of
from seqmarket.cli.common import (
    BUNDLE,
    Target,
    Where,
    account_option,
    blocks,
    check_bundle,
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
from seqmarket.jobs.output import print_json, wei
from seqmarket.protocol.schedule import Phase


def _quote(target: Target, round_: int, bundle: int, count: int) -> tuple[int, int, int]:
    """(cost, tickets sold so far, base price) of ``count`` more tickets of ``bundle`` in ``round_``."""
    client = target.lottery
    check_bundle(client, bundle)
    return (
        client.quote(round_, bundle, count),
        client.tickets_sold(round_, bundle),
        client.base_price(bundle, round_),
    )


@click.command("quote", short_help="Price tickets of a bundle (lottery).")
@click.argument("bundle", type=BUNDLE)
@click.argument("count", type=click.IntRange(1))
@round_option
@where_options
@json_option
def quote_command(bundle: int, count: int, round_: int | None, where: Where, as_json: bool) -> None:
    """What COUNT more tickets of BUNDLE (rollup indices: 0,1) cost now in the round on sale."""
    from seqmarket.chain.deployment import MarketKind

    with one_line_errors(), open_market(where, MarketKind.LOTTERY) as target:
        round_ = pick_round(target.client, round_, Phase.COMMIT)
        cost, sold, base = _quote(target, round_, bundle, count)
        limit = 2 * target.lottery.price_curve.target
    report(
        as_json,
        f"{count} tickets of {rollups_of(bundle)} in round {round_} cost {eth(cost)} now (tickets {sold}-"
        f"{sold + count - 1} of at most {limit}; base price {eth(base)})",
        {
            "round": round_,
            "bundle": rollups_of(bundle),
            "count": count,
            "cost": wei(cost),
            "first_ticket": sold,
            "base_price": wei(base),
            "limit": limit,
        },
    )


@click.command("buy", short_help="Buy tickets of a bundle at the quote (lottery).")
@click.argument("bundle", type=BUNDLE)
@click.argument("count", type=click.IntRange(1))
@click.option("--yes", "-y", is_flag=True, help="Buy at the quote without asking.")
@round_option
@account_option
@where_options
@json_option
def buy_command(
    bundle: int, count: int, yes: bool, round_: int | None, account: str, where: Where, as_json: bool
) -> None:
    """Buy COUNT tickets of BUNDLE (rollup indices: 0,1) in the round on sale, paying exactly the quote.

    The quote is printed and confirmed first (--yes skips the question). If others buy in between, the price
    rises and the purchase is refused (InsufficientPayment) rather than charging more than you accepted.
    """
    from seqmarket.chain.deployment import MarketKind

    with one_line_errors(), open_market(where, MarketKind.LOTTERY) as target:
        client = target.lottery
        buyer = target.account(account)
        round_ = pick_round(client, round_, Phase.COMMIT)
        cost, sold, _ = _quote(target, round_, bundle, count)
        question = f"{count} tickets of {rollups_of(bundle)} in round {round_} cost {eth(cost)}: buy them?"
        if not yes and not click.confirm(question, err=True):
            raise click.ClickException("nothing bought")
        receipt = client.buy(buyer, round_, bundle, count, value=cost)
    report(
        as_json,
        f"bought tickets {sold}-{sold + count - 1} of {rollups_of(bundle)} in round {round_} for {eth(cost)} "
        f"(tx {tx(receipt)})",
        {
            "round": round_,
            "bundle": rollups_of(bundle),
            "buyer": buyer.address,
            "count": count,
            "cost": wei(cost),
            "first_ticket": sold,
            "transaction": tx(receipt),
        },
    )


@click.command("draw", short_help="Draw a round's seed from RANDAO (lottery).")
@round_option
@account_option
@where_options
@json_option
def draw_command(round_: int | None, account: str, where: Where, as_json: bool) -> None:
    """Draw a round's seed from RANDAO once its draw window opens; the drawer earns the draw bounty.

    Called after a missed window it re-arms the draw further on (or voids the round once the re-arms are
    used up: every ticket is then refunded). The round defaults to the oldest one whose draw is due.
    """
    from seqmarket.chain.deployment import MarketKind

    with one_line_errors(), open_market(where, MarketKind.LOTTERY) as target:
        client = target.lottery
        caller = target.account(account)
        if round_ is None:
            round_ = _due_draw(target)
        client.draw(caller, round_)
        state = client.draw_state(round_)
    if state.drawn:
        line = f"drew round {round_}: seed 0x{state.seed.hex()}; finalize it in its settle phase"
    elif state.voided:
        line = f"round {round_} missed its last draw window and is void: every ticket is refunded"
    else:
        line = f"round {round_} missed its draw window: re-armed to block {state.target}"
    report(
        as_json,
        line,
        {
            "round": round_,
            "drawn": state.drawn,
            "voided": state.voided,
            "target": state.target,
            "seed": "0x" + state.seed.hex() if state.drawn else None,
        },
    )


def _due_draw(target: Target) -> int:
    """The oldest round whose sale is over, not drawn nor voided, whose draw target has come."""
    client = target.lottery
    block = client.next_block()
    newest = client.schedule.round_at(block)
    reach = (client.lookahead + client.schedule.challenge_blocks) // client.schedule.commit_blocks + 4
    waiting = None
    for round_ in range(max(0, newest - reach), newest + 1):
        if client.schedule.phase_at(round_, block) in (Phase.NOT_OPEN, Phase.COMMIT):
            continue
        state = client.draw_state(round_)
        if state.drawn or state.voided:
            continue
        if state.target <= block:
            return round_
        waiting = waiting if waiting is not None else (round_, state.target)
    if waiting is not None:
        raise click.ClickException(
            f"no draw is due at block {block}: round {waiting[0]}'s opens at block {waiting[1]} "
            f"(in {blocks(waiting[1] - block)})"
        )
    raise click.ClickException(f"no round waits for its draw at block {block}; give --round")


@click.command("refund", short_help="Claim refunds for tickets of losing bundles (lottery).")
@click.option(
    "--round", "round_", type=click.IntRange(0), help="Only this round. [default: every finalized round]"
)
@account_option
@where_options
@json_option
def refund_command(round_: int | None, account: str, where: Where, as_json: bool) -> None:
    """Claim back what your tickets of losing bundles cost, in every finalized round (or --round); the refund
    is credited: `seqmarket withdraw` pays it out."""
    from seqmarket.chain.deployment import MarketKind

    with one_line_errors(), open_market(where, MarketKind.LOTTERY) as target:
        client = target.lottery
        buyer = target.account(account)
        refunded = []
        for r, bundles in sorted(client.bought_by(buyer.address).items()):
            if (round_ is not None and r != round_) or not client.is_finalized(r):
                continue
            won = {s.bundle for s in client.sales(r)}
            for bundle in sorted(bundles - won):
                paid = client.paid_by(r, bundle, buyer.address)
                if paid:
                    client.claim_refund(buyer, r, bundle)
                    refunded.append((r, bundle, paid))
    if as_json:
        print_json(
            {
                "buyer": buyer.address,
                "refunds": [{"round": r, "bundle": rollups_of(b), "amount": wei(a)} for r, b, a in refunded],
            }
        )
        return
    if not refunded:
        click.echo(f"nothing to refund to {buyer.address}")
    for r, bundle, amount in refunded:
        click.echo(f"round {r}: refunded {eth(amount)} for tickets of {rollups_of(bundle)} (credited)")

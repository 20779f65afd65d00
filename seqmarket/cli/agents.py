"""`seqmarket agents`: arena bidders bidding in the deployment's sealed-bid market for a few rounds, beside a
person bidding by hand and the operator service settling (seqmarket.jobs.bidders)."""

from __future__ import annotations

import click

from seqmarket.cli.common import (
    Where,
    json_option,
    one_line_errors,
    open_market,
    report,
    where_options,
)
from seqmarket.protocol.schedule import Phase

#: The default company: mostly truthful bidders, one shading, one laddering, one walking away.
DEFAULT_MIX = ("honest:4", "shaded:2", "ladder:1", "walk-away:1")
#: Bidder strategies whose every action (commit, commit a copied hash, reveal, reveal raw) the driver sends.
PLAYABLE = ("copycat", "honest", "ladder", "over-lock", "phase-edge", "shaded", "walk-away")
#: Test accounts from here on: below are the deployer, the rollups' payouts and the README's hand bidders.
FIRST_ACCOUNT = 24
LAST_ACCOUNT = 39


def parse_mix(given: tuple[str, ...]) -> list[tuple[str, int]]:
    """NAME[:COUNT] entries, read as the arena reads its cast, as (strategy, count); a one-line error for a
    strategy the agents cannot play."""
    from seqmarket.agents.strategies import Role
    from seqmarket.errors import InvalidInput
    from seqmarket.jobs.arena import Casting

    mix = []
    for text in given:
        try:
            casting = Casting.parse(Role.BIDDER, text)
        except InvalidInput as err:
            raise click.BadParameter(str(err), param_hint="--bidder") from err
        if casting.strategy not in PLAYABLE:
            raise click.BadParameter(
                f"{casting.strategy!r}: agents play {', '.join(PLAYABLE)}", param_hint="--bidder"
            )
        mix.append((casting.strategy, casting.count))
    return mix


@click.command("agents", short_help="Arena bidders bid in the sealed market for a few rounds.")
@click.option(
    "--bidder",
    "bidders",
    multiple=True,
    metavar="NAME[:COUNT]",
    help=f"A bidder strategy of the arena (one of {', '.join(PLAYABLE)}); repeat it. "
    f"[default: {' '.join(DEFAULT_MIX)}]",
)
@click.option("--rounds", default=3, show_default=True, type=click.IntRange(1), help="Rounds to bid in.")
@click.option("--seed", default=7, show_default=True, help="Valuations and the strategies' randomness.")
@click.option(
    "--first-account",
    default=FIRST_ACCOUNT,
    show_default=True,
    type=click.IntRange(0, LAST_ACCOUNT),
    help="The first test account the bidders use (one each, in order).",
)
@where_options
@json_option
def agents_command(
    bidders: tuple[str, ...], rounds: int, seed: int, first_account: int, where: Where, as_json: bool
) -> None:
    """Bid in the deployment's sealed-bid market with arena strategies, from the next round to open for
    ROUNDS rounds: each bidder commits and reveals as its strategy decides (some never reveal and forfeit
    their lock). Nobody here settles: run `seqmarket operator`, or propose and finalize by hand. Blocks come
    from the chain (`seqmarket chain` mines one every 2 s when idle), so a round takes its phases' blocks.
    """
    mix = parse_mix(bidders or DEFAULT_MIX)
    count = sum(n for _, n in mix)
    if first_account + count - 1 > LAST_ACCOUNT:
        raise click.BadParameter(
            f"{count} bidders from test account {first_account} need accounts up to "
            f"{first_account + count - 1}; the last is {LAST_ACCOUNT}",
            param_hint="--bidder",
        )
    from seqmarket.chain.deployment import MarketKind
    from seqmarket.jobs.bidders import Bidders, seats

    with one_line_errors(), open_market(where, MarketKind.SEALED) as target:
        client = target.sealed
        first = client.schedule.round_at(client.next_block()) + 1
        seated = seats(mix, client.rollup_count, seed, first_account)
        schedule = client.schedule
        company = ", ".join(f"{name} {n}" for name, n in mix)
        _say(
            f"{count} bidders ({company}) on test accounts {first_account}-{first_account + count - 1}: "
            f"rounds {first}-{first + rounds - 1}; round {first} opens at block {schedule.round_start(first)}"
        )
        phase_blocks = schedule.phase_start(first, Phase.REVEAL) - schedule.round_start(first)
        driver = Bidders(client, seated, seed, phase_blocks)
        driver.play(rounds, _say, first=first, every=1)
    refused = ", ".join(f"{name} {n}" for name, n in sorted(driver.refusals.items())) or "none"
    line = (
        f"rounds {first}-{first + rounds - 1}: {driver.transactions} bidder transactions "
        f"({', '.join(f'{act} {n}' for act, n in sorted(driver.sent.items()))}); refused: {refused}"
    )
    document = {
        "market": client.address,
        "rounds": list(range(first, first + rounds)),
        "bidders": [{"label": s.label, "account": str(s.account.address)} for s in seated],
        "transactions": driver.transactions,
        "sent": driver.sent,
        "refused": driver.refusals,
    }
    report(as_json, line, document)


def _say(line: str) -> None:
    """Progress goes to stderr: stdout holds only the result (one line, or the JSON document)."""
    click.echo(line, err=True)

"""Where a market stands, as plain data: its rules, its open rounds, and one round in detail (commitments
and bids, or tickets; the standing partition; W(-i) claims; the draw; sales and sequencers once final).

`seqmarket status` prints these; anything else watching a market (an operator, a dashboard) can read the
same records. Phases are judged at the next block, where a transaction sent now would land.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from seqmarket.chain.client import MarketClient, Sale
from seqmarket.chain.lottery_client import DrawState, LotteryClient
from seqmarket.chain.sealed_bid_client import Claim, SealedBidClient, StoredBid
from seqmarket.protocol.rules import PaymentRule
from seqmarket.protocol.schedule import Phase


@dataclass(frozen=True)
class Clock:
    """A round's phase at ``block`` and the blocks left in it (from ``block`` on; for a sealed-bid round in
    its settle phase, the blocks left before it lapses unfinalized; None when the phase has no end)."""

    block: int
    phase: Phase
    blocks_left: int | None


@dataclass(frozen=True)
class RoundLine:
    """One round in a market's overview."""

    round: int
    clock: Clock
    activity: int  # commitments (sealed) or tickets sold (lottery)
    value: int  # the standing partition's value
    finalized: bool


@dataclass(frozen=True)
class Rollup:
    index: int
    payout: str
    reserve: int


@dataclass(frozen=True)
class MarketOverview:
    """A market's rules and rollups (reserves of the round taking commits) and its rounds still in play."""

    address: str
    contract: str
    block: int
    current_round: int
    rules: dict[str, str | int]
    rollups: list[Rollup]
    rounds: list[RoundLine]


@dataclass(frozen=True)
class CommitmentLine:
    bidder: str
    commitment: bytes
    lock: int
    order: int
    revealed: bool


@dataclass(frozen=True)
class BundleBids:
    """The two best bids the market keeps for exactly ``bundle`` (from distinct bidders; amount 0: none)."""

    bundle: int
    best: StoredBid
    second: StoredBid


@dataclass(frozen=True)
class TicketLine:
    bundle: int
    sold: int
    revenue: int


@dataclass(frozen=True)
class RoundDetail:
    """One round: its clock, standing partition and, once final, sales and sequencers. Sealed bids add the
    commitments, the kept bids and the W(-i) claims; the lottery adds tickets per bundle and the draw."""

    round: int
    clock: Clock
    partition: tuple[tuple[int, ...], int]
    finalized: bool
    lapsed: bool = False
    sales: list[Sale] = field(default_factory=list)
    sequencers: list[str] | None = None
    commitments: list[CommitmentLine] = field(default_factory=list)
    bids: list[BundleBids] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    tickets: list[TicketLine] = field(default_factory=list)
    draw: DrawState | None = None


def clock(client: MarketClient, round_: int) -> Clock:
    block = client.next_block()
    phase = client.schedule.phase_at(round_, block)
    end = client.schedule.phase_end(round_, phase)
    if end is None and isinstance(client, SealedBidClient):
        end = client.settle_deadline(round_)
    if phase == Phase.NOT_OPEN:
        end = client.round_start(round_)
    return Clock(block, phase, None if end is None else max(0, end - block))


def overview(client: MarketClient) -> MarketOverview:
    """The market's rules, rollups, and the rounds in play: from the oldest that can still be in its reveal or
    challenge phase to the one taking commits."""
    block = client.next_block()
    current = client.schedule.round_at(block)
    s = client.schedule
    reach = (s.reveal_blocks + s.challenge_blocks) // s.commit_blocks + 2
    lines = [_round_line(client, round_) for round_ in range(max(0, current - reach), current + 1)]
    reserves = client.reserves(current)
    rollups = [Rollup(i, payout, reserves[i]) for i, payout in enumerate(client.payouts())]
    return MarketOverview(
        client.address, client.contract_name, block, current, _rules(client), rollups, lines
    )


def _round_line(client: MarketClient, round_: int) -> RoundLine:
    if isinstance(client, SealedBidClient):
        activity = int(client.contract.commitCount(round_))
    else:
        activity = sum(p.count for p in client.purchases(round_)) if isinstance(client, LotteryClient) else 0
    _, value = client.best_partition(round_)
    return RoundLine(round_, clock(client, round_), activity, value, client.is_finalized(round_))


def _rules(client: MarketClient) -> dict[str, str | int]:
    s = client.schedule
    rules: dict[str, str | int] = {"start_block": s.start_block, "split_rule": _label(client.split_rule.name)}
    if isinstance(client, SealedBidClient):
        rules.update(
            payment_rule=_label(client.payment_rule.name),
            commit_blocks=s.commit_blocks,
            reveal_blocks=s.reveal_blocks,
            challenge_blocks=s.challenge_blocks,
            settle_blocks=int(client.contract.settleBlocks()),
            min_lock=str(client.min_lock),
            max_commits_per_bidder=client.max_commits_per_bidder,
            claim_bounty_bps=client.claim_bounty_bps,
        )
    elif isinstance(client, LotteryClient):
        curve = client.price_curve
        rules.update(
            sale_blocks=s.commit_blocks,
            challenge_blocks=s.challenge_blocks,
            lookahead=client.lookahead,
            draw_window=client.draw_window,
            max_rearms=client.max_rearms,
            target_tickets=curve.target,
            curve=_label(curve.curve.name),
            beta=str(curve.beta),
            gamma=str(curve.gamma),
            price_floor=str(client.price_floor),
            draw_bounty_bps=client.draw_bounty_bps,
        )
    return rules


def _label(name: str) -> str:
    return name.lower().replace("_", "-")


def round_detail(client: MarketClient, round_: int) -> RoundDetail:
    """Everything a participant wants to know about ``round_``, read from the chain."""
    finalized = client.is_finalized(round_)
    now = clock(client, round_)
    partition = client.best_partition(round_)
    sales = client.sales(round_)
    sequencers = client.sequencers(round_) if finalized else None
    if isinstance(client, SealedBidClient):
        return RoundDetail(
            round_,
            now,
            partition,
            finalized,
            lapsed=client.is_lapsed(round_),
            sales=sales,
            sequencers=sequencers,
            commitments=[
                CommitmentLine(
                    c.bidder,
                    c.commitment,
                    c.lock,
                    c.order,
                    client.commitment_state(round_, c.bidder, c.commitment).revealed,
                )
                for c in client.commitments(round_)
            ],
            bids=[
                BundleBids(bundle, *client.top_bids(round_, bundle))
                for bundle in sorted({bundle for _, bundle, _ in client.revealed_bids(round_)})
            ],
            claims=client.claims(round_) if client.payment_rule == PaymentRule.VCG else [],
        )
    if isinstance(client, LotteryClient):
        revenues = client.revenues(round_)
        return RoundDetail(
            round_,
            now,
            partition,
            finalized,
            sales=sales,
            sequencers=sequencers,
            tickets=[
                TicketLine(b, client.tickets_sold(round_, b), revenue) for b, revenue in revenues.items()
            ],
            draw=client.draw_state(round_),
        )
    raise TypeError(f"no round detail for a {type(client).__name__}")

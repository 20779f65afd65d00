"""LotteryClient: buy tickets, draw, settle and refund on a deployed LotteryMarket."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

from ape import chain
from ape.api import AccountAPI, ReceiptAPI

from seqmarket.chain.client import MarketClient
from seqmarket.chain.config import LotteryConfig
from seqmarket.clearing import Instance
from seqmarket.errors import ConfigError
from seqmarket.protocol.pricing import Curve, PriceCurve, starting_price


@dataclass(frozen=True)
class TicketPurchase:
    """One purchase: ``count`` tickets numbered from ``first`` (0-indexed) for ``cost`` wei."""

    bundle: int
    buyer: str
    count: int
    cost: int
    first: int


@dataclass(frozen=True)
class DrawState:
    """A round's draw: its target block, re-arms so far, whether drawn, voided and finalized, the seed, the
    block it was voided in (0 if not) and who drew the seed (the zero address until drawn), who earns the
    draw bounty."""

    target: int
    rearms: int
    drawn: bool
    voided: bool
    finalized: bool
    seed: bytes
    voided_at: int
    drawer: str


@dataclass(frozen=True)
class LotteryWin:
    """A winning bundle's draw: the ticket drawn, its holder, and the revenue the rollups share."""

    bundle: int
    winner: str
    ticket: int
    revenue: int


@dataclass
class LotteryClient(MarketClient):
    """Client of a LotteryMarket."""

    contract_name: ClassVar[str] = "LotteryMarket"

    @classmethod
    def deploy(cls, config: LotteryConfig, deployer: AccountAPI) -> LotteryClient:
        """Deploy a new lottery market with ``config``, which must be meant for the connected chain (its
        draw limits were checked for that chain)."""
        if config.chain_id != chain.chain_id:
            raise ConfigError(
                f"the config is for chain {config.chain_id}, connected to chain {chain.chain_id}"
            )
        return cls._deploy(config.as_struct(), deployer)

    # ------------------------------------------------------------------ transactions
    def buy(
        self, buyer: AccountAPI, round_: int, bundle: int, count: int, value: int | None = None
    ) -> ReceiptAPI:
        """Buy ``count`` tickets, paying ``value`` (default: the exact quote; any excess is credited back)."""
        pay = self.quote(round_, bundle, count) if value is None else value
        return self._send("buy", buyer, "buy", round_, bundle, count, value=pay)

    def draw(self, caller: AccountAPI, round_: int) -> ReceiptAPI:
        return self._send("draw", caller, "draw", round_)

    def claim_refund(self, buyer: AccountAPI, round_: int, bundle: int) -> ReceiptAPI:
        return self._send("claimRefund", buyer, "claimRefund", round_, bundle)

    # ------------------------------------------------------------------ reads
    @cached_property
    def price_curve(self) -> PriceCurve:
        """The deployed curve, as the Python mirror that reproduces its prices to the wei."""
        c = self.contract
        return PriceCurve(int(c.targetTickets()), Curve(int(c.curve())), int(c.beta()), int(c.gamma()))

    @cached_property
    def price_floor(self) -> int:
        """The lowest base price a ticket can have."""
        return int(self.contract.priceFloor())

    @cached_property
    def lookahead(self) -> int:
        """Blocks from a sale's end (or a re-arm) to the draw's target block."""
        return int(self.contract.lookahead())

    @cached_property
    def draw_window(self) -> int:
        """Blocks from the target during which the draw is accepted."""
        return int(self.contract.drawWindow())

    @cached_property
    def max_rearms(self) -> int:
        """How many missed draw windows are re-armed before a round is voided."""
        return int(self.contract.maxRearms())

    @cached_property
    def draw_bounty_bps(self) -> int:
        """The drawer's bounty, in basis points of each sold bundle's revenue."""
        return int(self.contract.drawBountyBps())

    def tickets_kept(self, round_: int, bundle: int) -> int:
        """Tickets of ``bundle`` in ``round_`` that move its base price from round_ + 2 on (all it sold if it
        sells in the round's partition, none if refunded)."""
        return int(self.contract.ticketsKept(round_, bundle))

    def kept_history(self, bundle: int, last_round: int) -> dict[int, int]:
        """Tickets of ``bundle`` kept in each round up to ``last_round`` that sold any (from its purchase
        events): with starting_price_at, what protocol.pricing.base_in_round needs to recompute its base."""
        logs = self.contract.TicketsBought.range(
            self.schedule.start_block, chain.blocks.height + 1, search_topics={"bundle": bundle}
        )
        rounds = sorted({int(log.round) for log in logs if int(log.round) <= last_round})
        return {q: self.tickets_kept(q, bundle) for q in rounds}

    def starting_price_at(self, bundle: int, round_: int) -> int:
        """The base price of ``bundle`` in ``round_`` as never sold: from that round's reserves."""
        reserves = self.reserves(round_)
        chosen = [reserves[i] for i in range(self.rollup_count) if bundle >> i & 1]
        return starting_price(chosen, self.price_curve.target, self.price_floor)

    def paid_by(self, round_: int, bundle: int, buyer: str) -> int:
        """What ``buyer`` paid for ``bundle``'s tickets in ``round_`` (its refund if the bundle loses)."""
        return int(self.contract.paidBy(round_, bundle, buyer))

    def is_finalized(self, round_: int) -> bool:
        return self.draw_state(round_).finalized

    def quote(self, round_: int, bundle: int, count: int) -> int:
        return int(self.contract.quote(round_, bundle, count))

    def base_price(self, bundle: int, round_: int) -> int:
        return int(self.contract.basePrice(bundle, round_))

    def tickets_sold(self, round_: int, bundle: int) -> int:
        return int(self.contract.ticketsSold(round_, bundle))

    def purchases(self, round_: int) -> list[TicketPurchase]:
        return [
            TicketPurchase(
                int(log.bundle), str(log.buyer), int(log.count), int(log.cost), int(log.firstTicket)
            )
            for log in self._logs("TicketsBought", round_)
        ]

    def bought_by(self, buyer: str) -> dict[int, set[int]]:
        """The bundles ``buyer`` bought tickets of, per round (from its purchase events)."""
        logs = self.contract.TicketsBought.range(
            self.schedule.start_block, chain.blocks.height + 1, search_topics={"buyer": buyer}
        )
        bought: dict[int, set[int]] = {}
        for log in logs:
            bought.setdefault(int(log.round), set()).add(int(log.bundle))
        return bought

    def revenue_of(self, round_: int, bundle: int) -> int:
        """Ticket revenue of one bundle in ``round_`` (its value in the clearing)."""
        return int(self.contract.revenueOf(round_, bundle))

    def revenues(self, round_: int) -> dict[int, int]:
        """Ticket revenue per bundle: each bundle's value in the clearing."""
        return {
            b: int(self.contract.revenueOf(round_, b))
            for b in sorted({p.bundle for p in self.purchases(round_)})
        }

    def instance(self, round_: int) -> Instance:
        return Instance(reserves=self.reserves(round_), bids=self.revenues(round_))

    def draw_state(self, round_: int) -> DrawState:
        state = self.contract.drawOf(round_)
        return DrawState(
            int(state.target),
            int(state.rearms),
            bool(state.drawn),
            bool(state.voided),
            bool(state.finalized),
            bytes(state.seed),
            int(state.voidedAt),
            str(state.drawer),
        )

    def wins(self, round_: int) -> list[LotteryWin]:
        """The bundles ``round_`` sold and the ticket drawn for each, from the contract's views (salesOf, and
        winningTicket on the round's seed); none before it is final, or when it was voided."""
        sales = self.sales(round_)
        seed = self.draw_state(round_).seed if sales else b""
        return [
            LotteryWin(
                s.bundle,
                s.winner,
                int(self.contract.winningTicket(seed, s.bundle, self.tickets_sold(round_, s.bundle))),
                s.price,
            )
            for s in sales
        ]

    def escrow(self) -> int:
        return int(self.contract.escrow())

    def owed_to(self, accounts: Sequence[str]) -> int:
        """Credits of ``accounts`` and the rollup payouts, plus ticket money in escrow: equals balance()."""
        everyone = set(accounts) | set(self.payouts())
        return self.escrow() + sum(self.credit(a) for a in everyone)

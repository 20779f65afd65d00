"""The lottery bidder: buys tickets for the bundles it values while one more ticket is worth its price."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from seqmarket.agents.honest import candidate_bundles
from seqmarket.agents.valuation import SynergyValuation
from seqmarket.protocol.pricing import PriceCurve


class TicketBook(Protocol):
    """What a lottery market shows a buyer during a round's sale."""

    @property
    def price_curve(self) -> PriceCurve: ...

    def base_price(self, bundle: int, round_: int) -> int: ...

    def tickets_sold(self, round_: int, bundle: int) -> int: ...


def tickets_worth_buying(
    value: int, curve: PriceCurve, base: int, sold: int, expected_rivals: int | None = None
) -> int:
    """How many tickets to buy now: stop when the next ticket's price exceeds the win probability it adds.

    With c rival tickets, holding t tickets wins with probability t / (c + t) (if the bundle wins).
    Rivals are taken to be at least half the target, since the market is designed to sell about T.
    """
    rivals = max(sold, curve.target // 2) if expected_rivals is None else expected_rivals
    count = 0
    while sold + count < curve.max_tickets:
        price = curve.ticket_price(base, sold + count + 1)
        gain = (
            value * (count + 1) // (rivals + count + 1) - value * count // (rivals + count)
            if count
            else (value // (rivals + 1))
        )
        if gain < price:
            break
        count += 1
    return count


@dataclass
class LotteryBidder:
    """Buys tickets on its most valuable bundles; never pays more for a ticket than the chance it adds."""

    name: str
    valuation: SynergyValuation
    max_bundles: int = 2

    def targets(self) -> list[int]:
        """The bundles it competes for: its most valuable candidates."""
        ranked = sorted(candidate_bundles(self.valuation.interest), key=self.valuation.value, reverse=True)
        return ranked[: self.max_bundles]

    def orders(self, book: TicketBook, round_: int) -> dict[int, int]:
        """Tickets to buy now, per bundle (its target bundles are distinct, so each order stands alone)."""
        wanted = {}
        for bundle in self.targets():
            count = tickets_worth_buying(
                self.valuation.value(bundle),
                book.price_curve,
                book.base_price(bundle, round_),
                book.tickets_sold(round_, bundle),
            )
            if count:
                wanted[bundle] = count
        return wanted

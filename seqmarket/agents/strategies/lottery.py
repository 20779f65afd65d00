"""Lottery participants: the honest ticket buyer, and the attacks on prices, shares and the draw.

A sniper waits for the sale's last block and buys every ticket still at the base price; a monopolist
buys a bundle's whole supply from several identities; a pumper buys tickets it does not want to push
next round's base price up for everyone else; a rollup buys its own singleton's tickets to weigh more in
the split; a draw withholder never draws, and a draw-timing chooser, who proposes the blocks of the
draw window, draws only in a block whose seed makes it win and censors every other draw.
"""

from __future__ import annotations

from typing import ClassVar

from seqmarket.agents.honest import candidate_bundles
from seqmarket.agents.lottery import tickets_worth_buying
from seqmarket.agents.strategies.base import (
    Act,
    Action,
    Mechanism,
    Role,
    Step,
    Strategy,
    Timing,
    View,
    register,
)
from seqmarket.clearing import rollups_of
from seqmarket.protocol.pricing import PriceCurve


def _curve(view: View) -> PriceCurve:
    if view.curve is None:
        raise ValueError("a lottery strategy was asked to act outside a lottery round")
    return view.curve


def honest_orders(view: View, bundles: int = 2, timing: Timing = Timing.ON_TIME) -> list[Action]:
    """What an honest buyer does: on its most valuable bundles, buy while a ticket adds more chance of
    winning (valued at the bundle's worth to it) than it costs."""
    curve = _curve(view)
    ranked = sorted(candidate_bundles(view.valuation.interest), key=view.valuation.value, reverse=True)
    orders = []
    for bundle in ranked[:bundles]:
        count = tickets_worth_buying(
            view.valuation.value(bundle), curve, view.base_prices[bundle], view.sold.get(bundle, 0)
        )
        if count:
            orders.append(Action(Act.BUY, bundle=bundle, count=count, timing=timing))
    return orders


def _best_bundle(view: View) -> int:
    return max(candidate_bundles(view.valuation.interest), key=view.valuation.value)


@register
class HonestBuyer(Strategy):
    """Buys tickets on its two most valuable bundles while the next ticket is worth its price."""

    name = "honest-buyer"
    description = "buys tickets while the chance they add is worth their price"
    mechanisms = (Mechanism.LOTTERY,)
    honest = True

    def act(self, step: Step, view: View) -> list[Action]:
        return honest_orders(view) if step == Step.SALE else []


@register
class Sniper(Strategy):
    """Waits for the sale's last block, then buys every ticket of its best bundle still at the base price
    (up to the curve's kink at 1.5 T): rivals cannot answer, but every ticket costs it the same as theirs
    and theirs still count."""

    name = "sniper"
    description = "buys all tickets left below the curve's kink in the sale's last block"
    mechanisms = (Mechanism.LOTTERY,)

    def act(self, step: Step, view: View) -> list[Action]:
        if step != Step.SALE or view.timing != Timing.LAST_BLOCK:
            return []
        bundle = _best_bundle(view)
        kink = 3 * _curve(view).target // 2
        left = kink - view.sold.get(bundle, 0)
        return [Action(Act.BUY, bundle=bundle, count=left, timing=Timing.LAST_BLOCK)] if left > 0 else []


@register
class Monopolist(Strategy):
    """Buys the whole supply (2 T tickets) of its best bundle, spread over four identities, so that it holds
    every ticket: the bundle is its for sure, at the curve's full price; identities change nothing."""

    name = "monopolist"
    description = "buys all 2T tickets of its best bundle from four identities"
    mechanisms = (Mechanism.LOTTERY,)
    identities = 4

    def act(self, step: Step, view: View) -> list[Action]:
        if step != Step.SALE or view.timing != Timing.LAST_BLOCK:
            return []
        bundle = _best_bundle(view)
        left = _curve(view).max_tickets - view.sold.get(bundle, 0)
        share, extra = divmod(left, self.identities)
        return [
            Action(Act.BUY, bundle=bundle, count=share + (k < extra), identity=k, timing=Timing.LAST_BLOCK)
            for k in range(self.identities)
            if share + (k < extra)
        ]


@register
class Pumper(Strategy):
    """Buys 1.5 T tickets of a bundle it does not want (outside its interest, so it would never use it),
    hoping the sale pushes that bundle's base price up for the bidders who do. Only kept tickets move the
    base: if the bundle loses, its tickets are refunded and count for nothing; if it wins, it paid."""

    name = "pumper"
    description = "buys tickets it does not want to push the next rounds' base price up"
    mechanisms = (Mechanism.LOTTERY,)

    def act(self, step: Step, view: View) -> list[Action]:
        if step != Step.SALE:
            return []
        outside = [i for i in range(view.n) if not view.valuation.interest >> i & 1]
        if len(outside) < 2:
            return honest_orders(view)
        bundle = (1 << outside[0]) | (1 << outside[1])
        count = 3 * _curve(view).target // 2 - view.sold.get(bundle, 0)
        pump = [Action(Act.BUY, bundle=bundle, count=count)] if count > 0 else []
        return pump + honest_orders(view)


@register
class LotteryShill(Strategy):
    """A rollup buying tickets of its own singleton: under the singleton-values split a bigger singleton
    revenue means a bigger share of any bundle containing it. Under the reserves split (the default) the
    tickets buy nothing; when a bundle containing the rollup wins, they are refunded."""

    name = "lottery-shill"
    role = Role.ROLLUP
    description = "a rollup buys its own singleton's tickets to weigh more in the revenue split"
    mechanisms = (Mechanism.LOTTERY,)

    def act(self, step: Step, view: View) -> list[Action]:
        if step != Step.SALE:
            return []
        singleton = 1 << rollups_of(view.valuation.interest)[0]
        count = _curve(view).target - view.sold.get(singleton, 0)
        return [Action(Act.BUY, bundle=singleton, count=count)] if count > 0 else []


@register
class DrawWithholder(Strategy):
    """Buys honestly and never draws, hoping a missed window re-arms the draw with a fresh seed. It cannot
    see the seed it passes up, so a re-draw is just another fair draw; after the last re-arm the round is
    voided and every ticket refunded."""

    name = "draw-withholder"
    role = Role.KEEPER
    description = "buys honestly, never draws"
    mechanisms = (Mechanism.LOTTERY,)

    def act(self, step: Step, view: View) -> list[Action]:
        return honest_orders(view) if step == Step.SALE else []


@register
class DrawChooser(Strategy):
    """A block proposer holding tickets: it proposes every block of the draw window, sees each block's seed
    before deciding, draws only where it wins and leaves every other draw out of its blocks (a missed
    window re-arms, once more at most). The per-chain limits on the window and the re-arms bound its
    choice to window x (re-arms + 1) seeds (docs/randao-bias.md)."""

    name = "draw-chooser"
    role = Role.KEEPER
    description = "a proposer who draws only in a block whose seed makes it win"
    mechanisms = (Mechanism.LOTTERY,)
    proposer: ClassVar[bool] = True

    def act(self, step: Step, view: View) -> list[Action]:
        if step == Step.SALE:
            return honest_orders(view)
        if step == Step.DRAW:
            return [Action(Act.DRAW_IF_WINNING, block_offset=k) for k in range(view.draw_window)]
        return []

"""Rich tables for a round's phases: what the main job prints."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.table import Table

from seqmarket.chain.client import GasRecord
from seqmarket.chain.lottery_round import LotteryOutcome
from seqmarket.chain.sealed_round import RoundOutcome
from seqmarket.clearing import rollups_of
from seqmarket.pricing import PriceCurve

WEI_PER_ETH = 10**18


def eth(wei: int) -> str:
    """Wei as ETH with 6 decimals (exact wei shown where rounding would hide it)."""
    text = f"{wei / WEI_PER_ETH:,.6f}"
    return text if wei % 10**12 == 0 or wei >= 10**15 else f"{text} ({wei} wei)"


def bundle_name(bundle: int, rollup_names: list[str]) -> str:
    return "+".join(rollup_names[i] for i in rollups_of(bundle))


class Reporter:
    """Prints each phase of a round as it completes: a round driver calls it with (phase, outcome)."""

    def __init__(self, console: Console, rollup_names: list[str], names: Mapping[str, str]):
        self.console = console
        self.rollups = rollup_names
        self.names = names

    def who(self, address: str) -> str:
        return self.names.get(address, address[:10])

    def __call__(self, phase: str, outcome: Any) -> None:
        getattr(self, f"_{phase}")(outcome)


class RoundReporter(Reporter):
    """The sealed-bid round's phases."""

    def __init__(
        self, console: Console, rollup_names: list[str], names: Mapping[str, str], payment_rule: str
    ):
        super().__init__(console, rollup_names, names)
        self.payment_rule = payment_rule

    def _commit(self, outcome: RoundOutcome) -> None:
        table = Table(title=f"Round {outcome.round} · commit phase: sealed bids (amounts hidden)")
        for col in ("bidder", "commitment", "collateral locked (ETH)"):
            table.add_column(col, justify="right" if "ETH" in col else "left")
        for sealed in outcome.commitments:
            table.add_row(
                self.who(sealed.bidder), "0x" + sealed.commitment.hex()[:16] + "…", eth(sealed.lock)
            )
        self.console.print(table)

    def _reveal(self, outcome: RoundOutcome) -> None:
        table = Table(title=f"Round {outcome.round} · reveal phase: bids revealed")
        for col in ("bidder", "bundle", "bid (ETH)"):
            table.add_column(col, justify="right" if "ETH" in col else "left")
        for bidder, bundle, amount in outcome.revealed:
            table.add_row(self.who(bidder), bundle_name(bundle, self.rollups), eth(amount))
        self.console.print(table)

    def _challenge(self, outcome: RoundOutcome) -> None:
        assert outcome.clearing is not None and outcome.instance is not None
        clearing, instance = outcome.clearing, outcome.instance
        table = Table(
            title=f"Round {outcome.round} · challenge phase: optimal partition (off-chain clearing)"
        )
        for col in ("bundle", "v(B) (ETH)", "kind"):
            table.add_column(col, justify="right" if "ETH" in col else "left")
        covered = 0
        for bundle in clearing.bundles:
            covered |= bundle
            table.add_row(bundle_name(bundle, self.rollups), eth(instance.bids[bundle]), "bundle bid")
        for i in range(instance.n):
            if not covered >> i & 1:
                bid = instance.bids.get(1 << i, 0)
                kind = "singleton bid" if bid and bid >= instance.reserves[i] else "reserve (unsold)"
                table.add_row(self.rollups[i], eth(instance.singleton_value(i)), kind)
        table.add_section()
        table.add_row(
            "partition value", eth(clearing.value), "proposed" if clearing.bundles else "singletons stand"
        )
        for bidder, value in outcome.counterfactuals.items():
            table.add_row(f"W(-{self.who(bidder)})", eth(value), "VCG counterfactual claimed")
        self.console.print(table)

    def _settle(self, outcome: RoundOutcome) -> None:
        sales = Table(title=f"Round {outcome.round} · final: payments ({self.payment_rule})")
        for col in ("bundle", "sequencer", "bid (ETH)", "pays (ETH)"):
            sales.add_column(col, justify="right" if "ETH" in col else "left")
        for sale in outcome.sales:
            sales.add_row(
                bundle_name(sale.bundle, self.rollups), self.who(sale.winner), eth(sale.bid), eth(sale.price)
            )
        self.console.print(sales)

        assert outcome.instance is not None
        instance = outcome.instance
        payouts = Table(title=f"Round {outcome.round} · final: rollup payouts (revenue split)")
        for col in ("rollup", "sequencer", "reserve (ETH)", "singleton bid (ETH)", "credited (ETH)"):
            payouts.add_column(col, justify="left" if col in ("rollup", "sequencer") else "right")
        paid = {p.rollup: p.amount for p in outcome.payments}
        for i, name in enumerate(self.rollups):
            sequencer = outcome.sequencers[i]
            seq = "unsold" if int(sequencer, 16) == 0 else self.who(sequencer)
            alone = instance.bids.get(1 << i, 0)
            payouts.add_row(name, seq, eth(instance.reserves[i]), eth(alone), eth(paid.get(i, 0)))
        payouts.add_section()
        payouts.add_row("total", "", "", "", eth(sum(paid.values())))
        self.console.print(payouts)

        self.console.print(gas_table(outcome.round, outcome.gas))


def gas_table(round_: int, records: list[GasRecord]) -> Table:
    """Gas per transaction kind: count, min, max and total."""
    gas = Table(title=f"Round {round_} · gas per transaction")
    for col in ("transaction", "count", "min", "max", "total"):
        gas.add_column(col, justify="left" if col == "transaction" else "right")
    by_action: dict[str, list[int]] = {}
    for record in records:
        by_action.setdefault(record.action, []).append(record.gas_used)
    for action, used in by_action.items():
        gas.add_row(action, str(len(used)), f"{min(used):,}", f"{max(used):,}", f"{sum(used):,}")
    gas.add_section()
    gas.add_row("all", str(len(records)), "", "", f"{sum(r.gas_used for r in records):,}")
    return gas


class LotteryReporter(Reporter):
    """A lottery round's steps: tickets and prices, partition, draw, winners, payouts."""

    def __init__(
        self, console: Console, rollup_names: list[str], names: Mapping[str, str], curve: PriceCurve
    ):
        super().__init__(console, rollup_names, names)
        self.curve = curve

    def _sale(self, outcome: LotteryOutcome) -> None:
        table = Table(title=f"Round {outcome.round} · ticket sale (target {self.curve.target} per bundle)")
        for col in ("buyer", "bundle", "tickets", "numbers", "paid (ETH)", "avg price (ETH)"):
            table.add_column(col, justify="left" if col in ("buyer", "bundle", "numbers") else "right")
        for p in outcome.purchases:
            table.add_row(
                self.who(p.buyer),
                bundle_name(p.bundle, self.rollups),
                str(p.count),
                f"{p.first}..{p.first + p.count - 1}",
                eth(p.cost),
                eth(p.cost // p.count),
            )
        self.console.print(table)

    def _challenge(self, outcome: LotteryOutcome) -> None:
        assert outcome.clearing is not None and outcome.instance is not None
        table = Table(title=f"Round {outcome.round} · partition by ticket revenue (off-chain clearing)")
        for col in ("bundle", "v(B) (ETH)", "kind"):
            table.add_column(col, justify="right" if "ETH" in col else "left")
        covered = 0
        for bundle in outcome.clearing.bundles:
            covered |= bundle
            table.add_row(
                bundle_name(bundle, self.rollups), eth(outcome.instance.bids[bundle]), "ticket revenue"
            )
        for i in range(outcome.instance.n):
            if not covered >> i & 1:
                revenue = outcome.instance.bids.get(1 << i, 0)
                sold = revenue and revenue >= outcome.instance.reserves[i]
                kind = "singleton tickets" if sold else "reserve (unsold)"
                table.add_row(self.rollups[i], eth(outcome.instance.singleton_value(i)), kind)
        table.add_section()
        table.add_row(
            "partition value", eth(outcome.clearing.value), "proposed" if outcome.proposed else "stands"
        )
        self.console.print(table)

    def _draw(self, outcome: LotteryOutcome) -> None:
        assert outcome.draw is not None
        rearmed = f", after {outcome.rearms} re-arm(s)" if outcome.rearms else ""
        if outcome.draw.voided:
            self.console.print(
                f"Round {outcome.round} · draw windows missed{rearmed}: round voided, all tickets refunded"
            )
            return
        self.console.print(
            f"Round {outcome.round} · draw at target block {outcome.draw.target}{rearmed}: "
            f"seed 0x{outcome.draw.seed.hex()}"
        )

    def _settle(self, outcome: LotteryOutcome) -> None:
        wins = Table(title=f"Round {outcome.round} · winners (ticket drawn with probability ∝ tickets held)")
        for col in ("bundle", "tickets sold", "winning ticket", "sequencer", "its tickets", "revenue (ETH)"):
            wins.add_column(col, justify="left" if col in ("bundle", "sequencer") else "right")
        for win in outcome.wins:
            sold = sum(p.count for p in outcome.purchases if p.bundle == win.bundle)
            held = sum(p.count for p in outcome.purchases if p.bundle == win.bundle and p.buyer == win.winner)
            wins.add_row(
                bundle_name(win.bundle, self.rollups),
                str(sold),
                str(win.ticket),
                self.who(win.winner),
                f"{held} ({held / sold:.0%})",
                eth(win.revenue),
            )
        self.console.print(wins)

        payouts = Table(title=f"Round {outcome.round} · rollup payouts and refunds")
        payouts.add_column("to")
        payouts.add_column("for")
        payouts.add_column("credited (ETH)", justify="right")
        for p in outcome.payments:
            payouts.add_row(self.rollups[p.rollup], "revenue split", eth(p.amount))
        for buyer, bundle, amount in outcome.refunds:
            payouts.add_row(self.who(buyer), f"refund: {bundle_name(bundle, self.rollups)} lost", eth(amount))
        self.console.print(payouts)

        prices = Table(
            title=f"Round {outcome.round} → {outcome.round + 1} · base price per ticket (EIP-1559 style)"
        )
        for col in ("bundle", "sold / target", "next base (ETH)"):
            prices.add_column(col, justify="left" if col == "bundle" else "right")
        for bundle, price in outcome.next_base_prices.items():
            sold = sum(p.count for p in outcome.purchases if p.bundle == bundle)
            prices.add_row(bundle_name(bundle, self.rollups), f"{sold} / {self.curve.target}", eth(price))
        self.console.print(prices)
        self.console.print(gas_table(outcome.round, outcome.gas))

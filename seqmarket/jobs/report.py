"""Rich tables for a round's steps: what the round jobs print."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any

from rich.console import Console
from rich.table import Table

from seqmarket.chain.client import GasRecord
from seqmarket.clearing import Clearing, Instance, rollups_of
from seqmarket.clearing.partition_view import PartKind, partition_view
from seqmarket.protocol.pricing import PriceCurve
from seqmarket.rounds.outcome import LotteryRoundOutcome, SealedRoundOutcome, Step

WEI_PER_ETH = 10**18


def eth(wei: int) -> str:
    """Wei as ETH with 6 decimals (exact wei shown where rounding would hide it)."""
    text = f"{wei / WEI_PER_ETH:,.6f}"
    return text if wei % 10**12 == 0 or wei >= 10**15 else f"{text} ({wei} wei)"


def bundle_name(bundle: int, rollup_names: list[str]) -> str:
    return "+".join(rollup_names[i] for i in rollups_of(bundle))


class Reporter(ABC):
    """Prints each step of a round as it completes: a round driver calls it with (step, outcome)."""

    def __init__(self, console: Console, rollup_names: list[str], names: Mapping[str, str]):
        self.console = console
        self.rollups = rollup_names
        self.names = names

    def who(self, address: str) -> str:
        return self.names.get(address, address[:10])

    @abstractmethod
    def steps(self) -> Mapping[Step, Callable[[Any], None]]:
        """What to print after each step."""

    def __call__(self, step: Step, outcome: Any) -> None:
        self.steps()[step](outcome)

    def partition_table(
        self, title: str, instance: Instance, clearing: Clearing, kinds: Mapping[PartKind, str]
    ) -> Table:
        """The partition chosen: listed bundles, then each other rollup sold alone or unsold."""
        table = Table(title=title)
        for col in ("bundle", "v(B) (ETH)", "kind"):
            table.add_column(col, justify="right" if "ETH" in col else "left")
        for part in partition_view(instance, clearing.bundles):
            table.add_row(bundle_name(part.bundle, self.rollups), eth(part.value), kinds[part.kind])
        table.add_section()
        return table


class SealedRoundReporter(Reporter):
    """The sealed-bid round's phases."""

    def __init__(
        self, console: Console, rollup_names: list[str], names: Mapping[str, str], payment_rule: str
    ):
        super().__init__(console, rollup_names, names)
        self.payment_rule = payment_rule

    def steps(self) -> Mapping[Step, Callable[[Any], None]]:
        return {
            Step.COMMIT: self._commit,
            Step.REVEAL: self._reveal,
            Step.CHALLENGE: self._challenge,
            Step.SETTLE: self._settle,
        }

    def _commit(self, outcome: SealedRoundOutcome) -> None:
        table = Table(title=f"Round {outcome.round} · commit phase: sealed bids (amounts hidden)")
        for col in ("bidder", "commitment", "collateral locked (ETH)"):
            table.add_column(col, justify="right" if "ETH" in col else "left")
        for sealed in outcome.commitments:
            table.add_row(
                self.who(sealed.bidder), "0x" + sealed.commitment.hex()[:16] + "…", eth(sealed.lock)
            )
        self.console.print(table)

    def _reveal(self, outcome: SealedRoundOutcome) -> None:
        table = Table(title=f"Round {outcome.round} · reveal phase: bids revealed")
        for col in ("bidder", "bundle", "bid (ETH)"):
            table.add_column(col, justify="right" if "ETH" in col else "left")
        for bidder, bundle, amount in outcome.revealed:
            table.add_row(self.who(bidder), bundle_name(bundle, self.rollups), eth(amount))
        self.console.print(table)

    def _challenge(self, outcome: SealedRoundOutcome) -> None:
        assert outcome.clearing is not None and outcome.instance is not None
        table = self.partition_table(
            f"Round {outcome.round} · challenge phase: optimal partition (off-chain clearing)",
            outcome.instance,
            outcome.clearing,
            {
                PartKind.LISTED: "bundle bid",
                PartKind.SOLD_ALONE: "singleton bid",
                PartKind.UNSOLD: "reserve (unsold)",
            },
        )
        proposed = "proposed" if outcome.clearing.bundles else "singletons stand"
        table.add_row("partition value", eth(outcome.clearing.value), proposed)
        for bidder, value in outcome.counterfactuals.items():
            table.add_row(f"W(-{self.who(bidder)})", eth(value), "VCG counterfactual claimed")
        self.console.print(table)

    def _settle(self, outcome: SealedRoundOutcome) -> None:
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


class LotteryRoundReporter(Reporter):
    """A lottery round's steps: tickets and prices, partition, draw, winners, payouts."""

    def __init__(
        self, console: Console, rollup_names: list[str], names: Mapping[str, str], curve: PriceCurve
    ):
        super().__init__(console, rollup_names, names)
        self.curve = curve

    def steps(self) -> Mapping[Step, Callable[[Any], None]]:
        return {
            Step.SALE: self._sale,
            Step.CHALLENGE: self._challenge,
            Step.DRAW: self._draw,
            Step.SETTLE: self._settle,
        }

    def _sale(self, outcome: LotteryRoundOutcome) -> None:
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

    def _challenge(self, outcome: LotteryRoundOutcome) -> None:
        assert outcome.clearing is not None and outcome.instance is not None
        table = self.partition_table(
            f"Round {outcome.round} · partition by ticket revenue (off-chain clearing)",
            outcome.instance,
            outcome.clearing,
            {
                PartKind.LISTED: "ticket revenue",
                PartKind.SOLD_ALONE: "singleton tickets",
                PartKind.UNSOLD: "reserve (unsold)",
            },
        )
        table.add_row(
            "partition value", eth(outcome.clearing.value), "proposed" if outcome.proposed else "stands"
        )
        self.console.print(table)

    def _draw(self, outcome: LotteryRoundOutcome) -> None:
        assert outcome.draw is not None
        rearms = outcome.draw.rearms
        rearmed = f", after {rearms} re-arm(s)" if rearms else ""
        if outcome.draw.voided:
            self.console.print(
                f"Round {outcome.round} · draw windows missed{rearmed}: round voided, all tickets refunded"
            )
            return
        self.console.print(
            f"Round {outcome.round} · draw at target block {outcome.draw.target}{rearmed}: "
            f"seed 0x{outcome.draw.seed.hex()}"
        )

    def _settle(self, outcome: LotteryRoundOutcome) -> None:
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

"""What the round jobs print: the market's set-up, a table per completed step, and the closing books.

A job tells its report when the market opens, after each step of each round (the round driver's hook),
and when everyone has withdrawn. `StepLog` is the quiet report used with --json: one line per step on
stderr, so the JSON document on stdout stays alone.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any

from rich.console import Console
from rich.table import Table

from seqmarket.clearing import Clearing, Instance, rollups_of
from seqmarket.clearing.partition_view import PartKind, partition_view
from seqmarket.jobs.output import table
from seqmarket.jobs.results import (
    ZERO_ADDRESS,
    LotteryJobResult,
    MarketSetup,
    SealedJobResult,
    Withdrawal,
    gas_summary,
)
from seqmarket.rounds.outcome import LotteryRoundOutcome, SealedRoundOutcome, Step

WEI_PER_ETH = 10**18


def eth(wei: int) -> str:
    """Wei as ETH with 6 decimals (exact wei shown where rounding would hide it)."""
    text = f"{wei / WEI_PER_ETH:,.6f}"
    return text if wei % 10**12 == 0 or wei >= 10**15 else f"{text} ({wei} wei)"


def plural(count: int, word: str) -> str:
    """'1 sale', '2 sales'."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class JobReport(ABC):
    """Told what a job does as it goes: the market opened, each step of each round, the books closed."""

    @abstractmethod
    def opened(self, setup: MarketSetup, summary: str) -> None:
        """The market is deployed and its participants chosen."""

    @abstractmethod
    def __call__(self, step: Step, outcome: Any) -> None:
        """A round finished ``step``; ``outcome`` holds the round so far."""

    @abstractmethod
    def closed(self, withdrawals: list[Withdrawal], left: int, summary: str) -> None:
        """Everyone withdrew; ``left`` wei stayed in the market (0 when the books balance)."""


class StepLog(JobReport):
    """One line per step on ``console`` (stderr with --json): progress without the tables."""

    def __init__(self, console: Console):
        self.console = console

    def opened(self, setup: MarketSetup, summary: str) -> None:
        self.console.print(summary)

    def __call__(self, step: Step, outcome: Any) -> None:
        self.console.print(f"round {outcome.round}: {step} done")

    def closed(self, withdrawals: list[Withdrawal], left: int, summary: str) -> None:
        self.console.print(summary)


class TableReport(JobReport):
    """The tables shared by both mechanisms: set-up, partition, rollup payouts, gas, withdrawals."""

    def __init__(self, console: Console):
        self.console = console
        self.setup: MarketSetup | None = None

    @abstractmethod
    def steps(self) -> Mapping[Step, Callable[[Any], None]]:
        """What to print after each step (each mechanism has its own)."""

    def __call__(self, step: Step, outcome: Any) -> None:
        self.steps()[step](outcome)

    def opened(self, setup: MarketSetup, summary: str) -> None:
        self.setup = setup
        self.console.print(summary)
        rollups = table("Rollups on sale", "rollup", "payout", "reserve (ETH)", numeric=["reserve (ETH)"])
        for rollup in setup.rollups:
            rollups.add_row(rollup.name, rollup.payout, eth(rollup.reserve))
        self.console.print(rollups)
        bidders = table(
            "Bidders' valuations: stand-alone value of each rollup they want, and synergy",
            "bidder",
            "synergy",
            "rollups wanted (ETH each)",
            numeric=["synergy"],
        )
        for bidder in setup.bidders:
            wanted = ", ".join(
                f"{setup.rollups[i].name} {eth(value)}"
                for i, value in enumerate(bidder.valuation.standalone)
                if value
            )
            bidders.add_row(bidder.name, f"{bidder.valuation.synergy:.0%}", wanted)
        self.console.print(bidders)

    def closed(self, withdrawals: list[Withdrawal], left: int, summary: str) -> None:
        made = table("Pull withdrawals", "account", "withdrew (ETH)", numeric=["withdrew (ETH)"])
        for withdrawal in withdrawals:
            made.add_row(withdrawal.name, eth(withdrawal.amount))
        made.add_section()
        made.add_row("left in the market", eth(left))
        self.console.print(made)
        self.console.print(summary)

    # ---------------------------------------------------------------- helpers for the mechanisms
    @property
    def market(self) -> MarketSetup:
        assert self.setup is not None, "opened() comes first"
        return self.setup

    def bundle(self, bundle: int) -> str:
        return "+".join(self.market.rollups[i].name for i in rollups_of(bundle))

    def partition_table(
        self, title: str, instance: Instance, clearing: Clearing, kinds: Mapping[PartKind, str]
    ) -> Table:
        """The partition chosen: listed bundles, then each other rollup sold alone or unsold."""
        made = table(title, "bundle", "v(B) (ETH)", "kind", numeric=["v(B) (ETH)"])
        for part in partition_view(instance, clearing.bundles):
            made.add_row(self.bundle(part.bundle), eth(part.value), kinds[part.kind])
        made.add_section()
        return made

    def gas_table(self, round_: int, records: Any) -> Table:
        """Gas per transaction kind: count, min, max and total."""
        columns = ("transaction", "count", "min", "max", "total")
        made = table(f"Round {round_} · gas per transaction", *columns, numeric=columns[1:])
        for row in gas_summary(records):
            made.add_row(
                row["transaction"],
                str(row["count"]),
                f"{row['min']:,}",
                f"{row['max']:,}",
                f"{row['total']:,}",
            )
        made.add_section()
        made.add_row("all", str(len(records)), "", "", f"{sum(r.gas_used for r in records):,}")
        return made


class SealedReport(TableReport):
    """The sealed-bid round job's tables."""

    def __init__(self, console: Console, payment_rule: str):
        super().__init__(console)
        self.payment_rule = payment_rule

    def steps(self) -> Mapping[Step, Callable[[Any], None]]:
        return {
            Step.COMMIT: self._commit,
            Step.REVEAL: self._reveal,
            Step.CHALLENGE: self._challenge,
            Step.SETTLE: self._settle,
        }

    def _commit(self, outcome: SealedRoundOutcome) -> None:
        made = table(
            f"Round {outcome.round} · commit phase: sealed bids (amounts hidden)",
            "bidder",
            "commitment",
            "collateral locked (ETH)",
            numeric=["collateral locked (ETH)"],
        )
        for sealed in outcome.commitments:
            made.add_row(self.market.who(sealed.bidder), "0x" + sealed.commitment.hex(), eth(sealed.lock))
        self.console.print(made)

    def _reveal(self, outcome: SealedRoundOutcome) -> None:
        made = table(
            f"Round {outcome.round} · reveal phase: bids revealed",
            "bidder",
            "bundle",
            "bid (ETH)",
            numeric=["bid (ETH)"],
        )
        for bidder, bundle, amount in outcome.revealed:
            made.add_row(self.market.who(bidder), self.bundle(bundle), eth(amount))
        self.console.print(made)

    def _challenge(self, outcome: SealedRoundOutcome) -> None:
        assert outcome.clearing is not None and outcome.instance is not None
        made = self.partition_table(
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
        made.add_row("partition value", eth(outcome.clearing.value), proposed)
        for bidder, value in outcome.counterfactuals.items():
            made.add_row(f"W(-{self.market.who(bidder)})", eth(value), "VCG counterfactual claimed")
        self.console.print(made)

    def _settle(self, outcome: SealedRoundOutcome) -> None:
        money = ("bid (ETH)", "pays (ETH)")
        sales = table(
            f"Round {outcome.round} · final: payments ({self.payment_rule})",
            "bundle",
            "sequencer",
            *money,
            numeric=money,
        )
        for sale in outcome.sales:
            sales.add_row(
                self.bundle(sale.bundle), self.market.who(sale.winner), eth(sale.bid), eth(sale.price)
            )
        sales.add_section()
        sales.add_row("revenue", "", "", eth(sum(sale.price for sale in outcome.sales)))
        self.console.print(sales)

        assert outcome.instance is not None
        instance = outcome.instance
        amounts = ("reserve (ETH)", "singleton bid (ETH)", "credited (ETH)")
        payouts = table(
            f"Round {outcome.round} · final: rollup payouts (revenue split)",
            "rollup",
            "sequencer",
            *amounts,
            numeric=amounts,
        )
        paid = {p.rollup: p.amount for p in outcome.payments}
        for i, rollup in enumerate(self.market.rollups):
            sequencer = outcome.sequencers[i]
            seq = "unsold" if sequencer == ZERO_ADDRESS else self.market.who(sequencer)
            alone = instance.bids.get(1 << i, 0)
            payouts.add_row(rollup.name, seq, eth(instance.reserves[i]), eth(alone), eth(paid.get(i, 0)))
        payouts.add_section()
        payouts.add_row("total", "", "", "", eth(sum(paid.values())))
        self.console.print(payouts)
        self.console.print(self.gas_table(outcome.round, outcome.gas))


class LotteryReport(TableReport):
    """The lottery round job's tables: tickets and prices, partition, draw, winners, payouts."""

    def __init__(self, console: Console, target_tickets: int):
        super().__init__(console)
        self.target = target_tickets

    def steps(self) -> Mapping[Step, Callable[[Any], None]]:
        return {
            Step.SALE: self._sale,
            Step.CHALLENGE: self._challenge,
            Step.DRAW: self._draw,
            Step.SETTLE: self._settle,
        }

    def _sale(self, outcome: LotteryRoundOutcome) -> None:
        money = ("paid (ETH)", "avg price (ETH)")
        made = table(
            f"Round {outcome.round} · ticket sale (target {self.target} per bundle)",
            "buyer",
            "bundle",
            "tickets",
            "numbers",
            *money,
            numeric=("tickets", *money),
        )
        for p in outcome.purchases:
            made.add_row(
                self.market.who(p.buyer),
                self.bundle(p.bundle),
                str(p.count),
                f"{p.first}..{p.first + p.count - 1}",
                eth(p.cost),
                eth(p.cost // p.count),
            )
        self.console.print(made)

    def _challenge(self, outcome: LotteryRoundOutcome) -> None:
        assert outcome.clearing is not None and outcome.instance is not None
        made = self.partition_table(
            f"Round {outcome.round} · partition by ticket revenue (off-chain clearing)",
            outcome.instance,
            outcome.clearing,
            {
                PartKind.LISTED: "ticket revenue",
                PartKind.SOLD_ALONE: "singleton tickets",
                PartKind.UNSOLD: "reserve (unsold)",
            },
        )
        made.add_row(
            "partition value", eth(outcome.clearing.value), "proposed" if outcome.proposed else "stands"
        )
        self.console.print(made)

    def _draw(self, outcome: LotteryRoundOutcome) -> None:
        assert outcome.draw is not None
        rearms = outcome.draw.rearms
        rearmed = f", after {plural(rearms, 're-arm')}" if rearms else ""
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
        columns = ("bundle", "tickets sold", "winning ticket", "sequencer", "its tickets", "revenue (ETH)")
        wins = table(
            f"Round {outcome.round} · winners (ticket drawn with probability ∝ tickets held)",
            *columns,
            numeric=("tickets sold", "winning ticket", "its tickets", "revenue (ETH)"),
        )
        for win in outcome.wins:
            sold = sum(p.count for p in outcome.purchases if p.bundle == win.bundle)
            held = sum(p.count for p in outcome.purchases if p.bundle == win.bundle and p.buyer == win.winner)
            wins.add_row(
                self.bundle(win.bundle),
                str(sold),
                str(win.ticket),
                self.market.who(win.winner),
                f"{held} ({held / sold:.0%})",
                eth(win.revenue),
            )
        self.console.print(wins)

        payouts = table(
            f"Round {outcome.round} · rollup payouts and refunds",
            "to",
            "for",
            "credited (ETH)",
            numeric=["credited (ETH)"],
        )
        for p in outcome.payments:
            payouts.add_row(self.market.rollups[p.rollup].name, "revenue split", eth(p.amount))
        for fee in outcome.keeper_fees:
            payouts.add_row(
                self.market.who(fee.keeper), f"draw bounty: {self.bundle(fee.bundle)}", eth(fee.amount)
            )
        for buyer, bundle, amount in outcome.refunds:
            payouts.add_row(self.market.who(buyer), f"refund: {self.bundle(bundle)} lost", eth(amount))
        self.console.print(payouts)

        later = outcome.round + 2
        moves = ("sold / target", "kept", f"base r{outcome.round + 1} (ETH)", f"base r{later} (ETH)")
        prices = table(
            f"Round {outcome.round} → {later} · base price per ticket (EIP-1559 style, on tickets kept: "
            "refunded ones do not count; a round moves the base two rounds on, once its partition is final)",
            "bundle",
            *moves,
            numeric=moves,
        )
        for bundle, price in outcome.next_base_prices.items():
            sold = sum(p.count for p in outcome.purchases if p.bundle == bundle)
            prices.add_row(
                self.bundle(bundle),
                f"{sold} / {self.target}",
                str(outcome.kept_tickets[bundle]),
                eth(price),
                eth(outcome.later_base_prices[bundle]),
            )
        self.console.print(prices)
        self.console.print(self.gas_table(outcome.round, outcome.gas))
        self.console.print(
            f"[green]Round {outcome.round} final:[/green] winners recomputed from the seed match the chain, "
            "books balance to the wei."
        )


def sealed_summary(result: SealedJobResult) -> str:
    """The sealed job's closing line."""
    outcome = result.outcome
    assert outcome is not None
    revenue = sum(sale.price for sale in outcome.sales)
    return (
        f"[green]Round {outcome.round} final:[/green] {plural(len(outcome.sales), 'sale')}, "
        f"revenue {eth(revenue)} ETH (partition value {eth(outcome.value)} ETH, unsold rollups at their "
        "reserves), chain matches the off-chain clearing, books balance to the wei."
    )


def lottery_summary(result: LotteryJobResult) -> str:
    """A lottery market's closing line."""
    withdrawn = sum(w.amount for w in result.withdrawals)
    return (
        f"[green]{result.curve} curve:[/green] {plural(len(result.outcomes), 'round')} settled, "
        f"{eth(withdrawn)} ETH withdrawn by rollups, bidders and the drawer, "
        f"{eth(result.left)} ETH left in the market."
    )

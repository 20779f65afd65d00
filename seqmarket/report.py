"""Rich tables for a round's phases: what the main job prints."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Console
from rich.table import Table

from seqmarket.chain.sealed_round import RoundOutcome
from seqmarket.clearing import rollups_of

WEI_PER_ETH = 10**18


def eth(wei: int) -> str:
    """Wei as ETH with 6 decimals (exact wei shown where rounding would hide it)."""
    text = f"{wei / WEI_PER_ETH:,.6f}"
    return text if wei % 10**12 == 0 or wei >= 10**15 else f"{text} ({wei} wei)"


def bundle_name(bundle: int, rollup_names: list[str]) -> str:
    return "+".join(rollup_names[i] for i in rollups_of(bundle))


class RoundReporter:
    """Prints each phase of a round as it completes."""

    def __init__(
        self, console: Console, rollup_names: list[str], names: Mapping[str, str], payment_rule: str
    ):
        self.console = console
        self.rollups = rollup_names
        self.names = names
        self.payment_rule = payment_rule

    def who(self, address: str) -> str:
        return self.names.get(address, address[:10])

    def __call__(self, phase: str, outcome: RoundOutcome) -> None:
        getattr(self, f"_{phase}")(outcome)

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

        gas = Table(title=f"Round {outcome.round} · gas per transaction")
        for col in ("transaction", "count", "min", "max", "total"):
            gas.add_column(col, justify="left" if col == "transaction" else "right")
        by_action: dict[str, list[int]] = {}
        for record in outcome.gas:
            by_action.setdefault(record.action, []).append(record.gas_used)
        for action, used in by_action.items():
            gas.add_row(action, str(len(used)), f"{min(used):,}", f"{max(used):,}", f"{sum(used):,}")
        gas.add_section()
        gas.add_row("all", str(len(outcome.gas)), "", "", f"{sum(r.gas_used for r in outcome.gas):,}")
        self.console.print(gas)

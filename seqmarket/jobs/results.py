"""What a round job produced, and its JSON form (the shapes are documented in docs/json.md).

A job fills a result as it goes; the printed report and the JSON document are two views of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from seqmarket.agents.valuation import SynergyValuation
from seqmarket.chain.client import GasRecord
from seqmarket.clearing import Clearing, Instance, rollups_of
from seqmarket.clearing.partition_view import partition_view
from seqmarket.jobs.output import wei
from seqmarket.rounds.outcome import LotteryRoundOutcome, SealedRoundOutcome

ZERO_ADDRESS = "0x" + "0" * 40


@dataclass(frozen=True)
class RollupSetup:
    """A rollup on sale: its display name, payout address and reserve."""

    name: str
    payout: str
    reserve: int


@dataclass(frozen=True)
class BidderSetup:
    """A bidding agent: its display name, address and valuation."""

    name: str
    address: str
    valuation: SynergyValuation


@dataclass(frozen=True)
class Withdrawal:
    """What an account withdrew from the market at the end of a job."""

    name: str
    address: str
    amount: int


@dataclass
class MarketSetup:
    """A deployed market and who takes part: what every job prints first."""

    contract: str
    market: str
    chain_id: int
    rollups: list[RollupSetup]
    bidders: list[BidderSetup]
    names: dict[str, str]

    def who(self, address: str) -> str:
        """The display name of an address (its first characters when it has none)."""
        return self.names.get(address, address[:10])


@dataclass
class SealedJobResult:
    """One sealed-bid round job: the market, its round, and the withdrawals that emptied it."""

    setup: MarketSetup
    payment_rule: str
    split_rule: str
    outcome: SealedRoundOutcome | None = None
    withdrawals: list[Withdrawal] = field(default_factory=list)
    left: int = 0


@dataclass
class LotteryJobResult:
    """One lottery market of the lottery round job: its curve, rounds and withdrawals."""

    setup: MarketSetup
    curve: str
    target_tickets: int
    outcomes: list[LotteryRoundOutcome] = field(default_factory=list)
    withdrawals: list[Withdrawal] = field(default_factory=list)
    left: int = 0


def sealed_document(result: SealedJobResult) -> dict[str, Any]:
    """The JSON document of a sealed-bid round job."""
    outcome = result.outcome
    assert outcome is not None and outcome.instance is not None and outcome.clearing is not None
    return {
        "mechanism": "sealed",
        **_setup_document(result.setup),
        "payment_rule": result.payment_rule,
        "split_rule": result.split_rule,
        "rounds": [
            {
                "round": outcome.round,
                "commitments": [
                    {"bidder": s.bidder, "commitment": "0x" + s.commitment.hex(), "lock": wei(s.lock)}
                    for s in outcome.commitments
                ],
                "revealed": [
                    {"bidder": bidder, "bundle": rollups_of(bundle), "amount": wei(amount)}
                    for bidder, bundle, amount in outcome.revealed
                ],
                "partition": _partition_document(outcome.instance, outcome.clearing, outcome.proposed),
                "counterfactuals": {bidder: wei(value) for bidder, value in outcome.counterfactuals.items()},
                "sales": [
                    {
                        "bundle": rollups_of(s.bundle),
                        "winner": s.winner,
                        "bid": wei(s.bid),
                        "price": wei(s.price),
                    }
                    for s in outcome.sales
                ],
                "revenue": wei(sum(s.price for s in outcome.sales)),
                "rollup_payments": _payments_document(outcome.payments),
                "sequencers": _sequencers_document(outcome.sequencers),
                "gas": gas_summary(outcome.gas),
            }
        ],
        **_closing_document(result.withdrawals, result.left),
    }


def lottery_document(results: list[LotteryJobResult]) -> dict[str, Any]:
    """The JSON document of a lottery round job: one entry per market (price curve)."""
    markets = []
    for result in results:
        rounds = []
        for outcome in result.outcomes:
            assert outcome.instance is not None and outcome.clearing is not None and outcome.draw is not None
            rounds.append(
                {
                    "round": outcome.round,
                    "purchases": [
                        {
                            "buyer": p.buyer,
                            "bundle": rollups_of(p.bundle),
                            "count": p.count,
                            "first_ticket": p.first,
                            "cost": wei(p.cost),
                        }
                        for p in outcome.purchases
                    ],
                    "partition": _partition_document(outcome.instance, outcome.clearing, outcome.proposed),
                    "draw": {
                        "target_block": outcome.draw.target,
                        "rearms": outcome.draw.rearms,
                        "voided": outcome.draw.voided,
                        "seed": "0x" + outcome.draw.seed.hex(),
                    },
                    "wins": [
                        {
                            "bundle": rollups_of(w.bundle),
                            "winner": w.winner,
                            "ticket": w.ticket,
                            "revenue": wei(w.revenue),
                        }
                        for w in outcome.wins
                    ],
                    "rollup_payments": _payments_document(outcome.payments),
                    "draw_bounties": [
                        {"bundle": rollups_of(f.bundle), "drawer": f.keeper, "amount": wei(f.amount)}
                        for f in outcome.keeper_fees
                    ],
                    "refunds": [
                        {"buyer": buyer, "bundle": rollups_of(bundle), "amount": wei(amount)}
                        for buyer, bundle, amount in outcome.refunds
                    ],
                    "sequencers": _sequencers_document(outcome.sequencers),
                    "next_base_prices": [
                        {"bundle": rollups_of(bundle), "price": wei(price)}
                        for bundle, price in outcome.next_base_prices.items()
                    ],
                    "kept_tickets": [
                        {
                            "bundle": rollups_of(bundle),
                            "kept": kept,
                            "base_price_two_rounds_on": wei(outcome.later_base_prices[bundle]),
                        }
                        for bundle, kept in outcome.kept_tickets.items()
                    ],
                    "gas": gas_summary(outcome.gas),
                }
            )
        markets.append(
            {
                "curve": result.curve,
                "target_tickets": result.target_tickets,
                **_setup_document(result.setup),
                "rounds": rounds,
                **_closing_document(result.withdrawals, result.left),
            }
        )
    return {"mechanism": "lottery", "markets": markets}


def gas_summary(records: list[GasRecord]) -> list[dict[str, Any]]:
    """Gas per transaction kind, in order of first use: count, min, max and total."""
    by_action: dict[str, list[int]] = {}
    for record in records:
        by_action.setdefault(record.action, []).append(record.gas_used)
    return [
        {"transaction": action, "count": len(used), "min": min(used), "max": max(used), "total": sum(used)}
        for action, used in by_action.items()
    ]


def _setup_document(setup: MarketSetup) -> dict[str, Any]:
    return {
        "contract": setup.contract,
        "market": setup.market,
        "chain_id": setup.chain_id,
        "rollups": [{"name": r.name, "payout": r.payout, "reserve": wei(r.reserve)} for r in setup.rollups],
        "bidders": [
            {
                "name": b.name,
                "address": b.address,
                "synergy": b.valuation.synergy,
                "values": {setup.rollups[i].name: wei(v) for i, v in enumerate(b.valuation.standalone) if v},
            }
            for b in setup.bidders
        ],
    }


def _partition_document(instance: Instance, clearing: Clearing, proposed: bool) -> dict[str, Any]:
    return {
        "parts": [
            {"bundle": rollups_of(part.bundle), "value": wei(part.value), "kind": part.kind.value}
            for part in partition_view(instance, clearing.bundles)
        ],
        "value": wei(clearing.value),
        "proposed": proposed,
    }


def _payments_document(payments: list[Any]) -> list[dict[str, Any]]:
    return [{"rollup": p.rollup, "payout": p.payout, "amount": wei(p.amount)} for p in payments]


def _sequencers_document(sequencers: list[str]) -> list[str | None]:
    return [None if s == ZERO_ADDRESS else s for s in sequencers]


def _closing_document(withdrawals: list[Withdrawal], left: int) -> dict[str, Any]:
    return {
        "withdrawals": [{"name": w.name, "address": w.address, "amount": wei(w.amount)} for w in withdrawals],
        "left_in_market": wei(left),
    }

"""The arena: rounds of either market played by strategies (seqmarket.agents.strategies) on a chain.

Each seat is a strategy with its chain identities. At every step of a round the arena asks each seat what
to do, once per timing slot (one block early, on time, the phase's last blocks, one block late), sends the
actions of that slot, and records every attempt with what the market answered (its custom error when it
refused). It then settles the round as a neutral keeper would (finalize, release everyone, distribute
forfeits, claim refunds) and keeps what scoring (seqmarket.rounds.scoring) needs.

Rounds overlap on chain; the arena plays every `stride`-th round so that each one settles before the next
one it plays opens (the rounds in between stay empty).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ape import chain
from ape.api import AccountAPI
from ape.exceptions import ApeException, ContractLogicError

from seqmarket.agents.honest import candidate_bundles
from seqmarket.agents.strategies.base import (
    Act,
    Action,
    Commit,
    Mechanism,
    Opening,
    OwnCommit,
    Role,
    Step,
    Strategy,
    Timing,
    View,
)
from seqmarket.agents.valuation import SynergyValuation
from seqmarket.chain.client import MarketClient, market_project
from seqmarket.chain.lottery_client import LotteryClient
from seqmarket.chain.reverts import decode_error, decode_revert
from seqmarket.chain.sealed_bid_client import SealedBidClient
from seqmarket.clearing import Bid
from seqmarket.protocol.commitment import SealedBid
from seqmarket.protocol.schedule import Phase
from seqmarket.rounds.record import (
    ArenaRound,
    Attempt,
    Purchase,
    Sold,
    lottery_winners,
    revenues_of,
    sold_bundles,
)

#: Slots of a step, in the order they are filled.
SLOTS = (Timing.EARLY, Timing.ON_TIME, Timing.LAST_BLOCK, Timing.LATE)

#: Who acts first within a slot: operators before bidders before keepers, unless a strategy says otherwise.
ROLE_ORDER = {Role.OPERATOR: 0, Role.BIDDER: 1, Role.ROLLUP: 1, Role.KEEPER: 2}


@dataclass
class Seat:
    """A participant: its strategy, the accounts it acts from, its valuation, and its rollup (rollups)."""

    label: str
    strategy: Strategy
    accounts: tuple[AccountAPI, ...]
    valuation: SynergyValuation
    rollup: int | None = None

    @property
    def addresses(self) -> tuple[str, ...]:
        return tuple(str(a.address) for a in self.accounts)


@dataclass(frozen=True)
class Closing:
    """The market after everyone withdrew: what each address took out, and the wei left (must be 0)."""

    withdrawn: dict[str, int]
    left: int


class Arena:
    """Runs rounds of one market with a cast of seats; ``keeper`` settles what the seats leave undone."""

    def __init__(
        self,
        client: MarketClient,
        seats: Sequence[Seat],
        keeper: AccountAPI,
        seed: int,
        budget: int,
        on_round: Callable[[ArenaRound], Any] | None = None,
    ) -> None:
        self.client = client
        self.seats = list(seats)
        self.keeper = keeper
        self.seed = seed
        self.budget = budget  # the most a seat will deposit for one lock
        self.on_round = on_round
        self.mechanism = Mechanism.SEALED if isinstance(client, SealedBidClient) else Mechanism.LOTTERY
        self.rounds: list[ArenaRound] = []
        self._sealed: dict[tuple[str, int], list[SealedBid]] = {}
        self._openings: dict[str, list[OwnCommit]] = {}  # per seat, every earlier opening
        self._refunded: set[tuple[int, int, str]] = set()
        self._seen: tuple[tuple[int, Step, int], dict[str, Any]] | None = None
        self._draw_window = int(client.contract.drawWindow()) if isinstance(client, LotteryClient) else 0

    # ------------------------------------------------------------------ rounds
    @property
    def stride(self) -> int:
        """Every how many rounds the arena plays one, so each settles before the next one it plays opens."""
        s = self.client.schedule
        busy = s.reveal_blocks + s.challenge_blocks + self._settle_blocks()
        return 1 + -(-busy // s.commit_blocks)

    def _settle_blocks(self) -> int:
        if isinstance(self.client, LotteryClient):
            c = self.client.contract
            windows = int(c.maxRearms()) + 1
            return windows * (int(c.lookahead()) + int(c.drawWindow())) + 4 * len(self.seats) + 8
        return 4 * len(self.seats) + 8

    def run(self, rounds: int) -> list[ArenaRound]:
        """Play ``rounds`` rounds (round numbers 0, stride, 2 stride, ...)."""
        for k in range(rounds):
            played = self._play(k * self.stride)
            self.rounds.append(played)
            if self.on_round is not None:
                self.on_round(played)
        return self.rounds

    def _play(self, round_: int) -> ArenaRound:
        played = ArenaRound(round=round_, reserves=self.client.reserves(round_))
        addresses = self._everyone()
        before = {a: self.client.credit(a) for a in addresses}
        if isinstance(self.client, SealedBidClient):
            self._step(played, Step.COMMIT, Phase.COMMIT)
            self._step(played, Step.REVEAL, Phase.REVEAL)
            self._step(played, Step.CHALLENGE, Phase.CHALLENGE)
            self._settle_sealed(played)
        else:
            played.base_prices = self._lottery_base_prices(round_)
            self._step(played, Step.SALE, Phase.COMMIT)
            self._step(played, Step.CHALLENGE, Phase.CHALLENGE)
            self._draw(played)
            self._settle_lottery(played)
        for address in addresses:
            gained = self.client.credit(address) - before[address]
            if gained:
                played.credited[address] = gained
        self._ask_all(played, Step.SETTLE)
        return played

    def _everyone(self) -> list[str]:
        seats = [a for seat in self.seats for a in seat.addresses]
        return list(dict.fromkeys([*seats, *self.client.payouts(), str(self.keeper.address)]))

    def _window(self, round_: int, phase: Phase) -> tuple[int, int]:
        """First block of ``phase`` and the first block after it."""
        start = self.client.phase_start(round_, phase)
        s = self.client.schedule
        length = {
            Phase.COMMIT: s.commit_blocks,
            Phase.REVEAL: s.reveal_blocks,
            Phase.CHALLENGE: s.challenge_blocks,
        }[phase]
        return start, start + length

    def _step(self, played: ArenaRound, step: Step, phase: Phase) -> None:
        """Fill the step's four slots: ask every seat, send the actions of the slot being filled. Each slot
        asks again, so later slots see what the earlier ones did (reveals, proposals, purchases); in a sale
        each seat is asked again at its turn, seeing the tickets bought before it in the same slot."""
        start, end = self._window(played.round, phase)
        for slot in SLOTS:
            wanted = [(seat, self._wanted(played, seat, step, slot)) for seat in self._ordered()]
            count = sum(len(actions) for _, actions in wanted)
            if not count and slot != Timing.ON_TIME:
                continue
            # A local chain mines one block per transaction: early actions fill the blocks just before the
            # phase, last-block ones its final blocks.
            first = {
                Timing.EARLY: start - count,
                Timing.ON_TIME: start,
                Timing.LAST_BLOCK: end - count,
                Timing.LATE: end,
            }[slot]
            self.client.advance_to_block(first)
            for k, (seat, actions) in enumerate(wanted):
                if step == Step.SALE:
                    if slot == Timing.ON_TIME:
                        played.turns[seat.label] = len(played.purchases)
                    if k:
                        actions = self._wanted(played, seat, step, slot)
                for action in actions:
                    self._send(played, seat, step, action)

    def _wanted(self, played: ArenaRound, seat: Seat, step: Step, slot: Timing) -> list[Action]:
        actions = seat.strategy.act(step, self._view(played, seat, step, slot))
        return [a for a in actions if a.timing == slot]

    def _ask_all(self, played: ArenaRound, step: Step) -> None:
        for seat in self._ordered():
            for action in seat.strategy.act(step, self._view(played, seat, step, Timing.ON_TIME)):
                self._send(played, seat, step, action)

    def _ordered(self) -> list[Seat]:
        def rank(seat: Seat) -> int:
            order = seat.strategy.order
            return ROLE_ORDER[seat.strategy.role] if order is None else order

        return sorted(self.seats, key=rank)

    # ------------------------------------------------------------------ what a seat sees
    def _view(self, played: ArenaRound, seat: Seat, step: Step, slot: Timing) -> View:
        return View(
            **self._market_view(played, step),
            timing=slot,
            identities=seat.addresses,
            valuation=seat.valuation,
            rng=self.rng(played.round, seat.label),
            own_commits=tuple(played.commits.get(seat.label, ())),
            earlier_openings=tuple(self._openings.get(seat.label, ())),
        )

    def _market_view(self, played: ArenaRound, step: Step) -> dict[str, Any]:
        """What everyone sees of the market at this step, read once per state (each action changes it)."""
        key = (played.round, step, len(played.attempts))
        if self._seen is not None and self._seen[0] == key:
            return self._seen[1]
        client = self.client
        common: dict[str, Any] = dict(
            mechanism=self.mechanism,
            market=client.address,
            round=played.round,
            reserves=played.reserves,
            split_rule=client.split_rule,
            standing=client.best_partition(played.round),
            stale_partition=self.rounds[-1].partition if self.rounds else (),
        )
        if isinstance(client, SealedBidClient):
            common.update(
                payment_rule=client.payment_rule,
                min_lock=client.min_lock,
                max_commits=client.max_commits_per_bidder,
                commitments=tuple(played.commitments),
                revealed=tuple(played.revealed),
                openings=tuple(self._openings_seen(played)),
            )
            if step == Step.CHALLENGE:
                bids = client.bids(played.round)
                common.update(
                    bids=tuple(bids),
                    claims={b.bidder: client.counterfactual_value(played.round, b.bidder) for b in bids},
                )
        else:
            assert isinstance(client, LotteryClient)
            sold: dict[int, int] = {}
            for purchase in played.purchases:
                sold[purchase.bundle] = sold.get(purchase.bundle, 0) + purchase.count
            common.update(
                curve=client.price_curve,
                base_prices=played.base_prices,
                sold=sold,
                draw_window=self._draw_window,
            )
            if step == Step.CHALLENGE:
                common.update(
                    bids=tuple(Bid(f"bundle {b}", b, r) for b, r in client.revenues(played.round).items())
                )
        self._seen = (key, common)
        return common

    def rng(self, round_: int, label: str) -> random.Random:
        """The seat's randomness in a round: the same at every ask and in the honest counterfactual."""
        return random.Random(f"{self.seed}/{round_}/{label}")

    def _openings_seen(self, played: ArenaRound) -> list[Opening]:
        """Every opening sent so far this round, salt included (a reveal's calldata is public)."""
        return [
            Opening(seat.addresses[c.identity], c.bundle, c.amount, c.salt)
            for seat in self.seats
            for c in played.commits.get(seat.label, ())
            if c.commitment in played.opened
        ]

    def _lottery_base_prices(self, round_: int) -> dict[int, int]:
        """Base prices of every bundle a seat may look at, as the sale opens."""
        assert isinstance(self.client, LotteryClient)
        bundles: set[int] = set()
        for seat in self.seats:
            if seat.valuation.interest:
                bundles.update(candidate_bundles(seat.valuation.interest))
            outside = [i for i in range(self.client.rollup_count) if not seat.valuation.interest >> i & 1]
            if len(outside) >= 2:  # what a pumper buys
                bundles.add((1 << outside[0]) | (1 << outside[1]))
        return {b: self.client.base_price(b, round_) for b in sorted(bundles)}

    # ------------------------------------------------------------------ sending
    def _send(self, played: ArenaRound, seat: Seat, step: Step, action: Action) -> None:
        account = seat.accounts[min(action.identity, len(seat.accounts) - 1)]
        try:
            error = self._execute(played, seat, account, action)
        except ContractLogicError as err:
            error = decode_revert(err).name
        except ApeException as err:  # refused before reaching the market (not enough funds, ...)
            error = type(err).__name__
        played.attempts.append(Attempt(played.round, seat.label, step, action.timing, action.act, error))

    def _execute(self, played: ArenaRound, seat: Seat, account: AccountAPI, action: Action) -> str:
        """Send ``action``; "" if it went through, else the error that stopped it without a revert."""
        client, round_ = self.client, played.round
        if isinstance(client, SealedBidClient):
            return self._execute_sealed(client, played, seat, account, action)
        if action.act == Act.BUY:
            assert isinstance(client, LotteryClient)
            receipt = client.buy(account, round_, action.bundle, action.count)
            for log in receipt.decode_logs(client.contract.TicketsBought):
                played.purchases.append(
                    Purchase(int(log.bundle), str(log.buyer), int(log.count), int(log.cost))
                )
        elif action.act in (Act.DRAW, Act.DRAW_IF_WINNING):  # the arena decides whether a proposer keeps it
            assert isinstance(client, LotteryClient)
            client.draw(account, round_)
        elif action.act == Act.PROPOSE:
            client.propose(account, round_, action.bundles)
        elif action.act == Act.WITHDRAW:
            client.withdraw_credit(account, to=action.to or None)
        else:
            raise ValueError(f"{action.act.value} is not an action of the lottery market")
        return ""

    def _execute_sealed(
        self, client: SealedBidClient, played: ArenaRound, seat: Seat, account: AccountAPI, action: Action
    ) -> str:
        round_ = played.round
        if action.act == Act.COMMIT:
            sealed = client.seal(account, round_, action.bundle, action.amount, action.lock)
            client.commit(account, sealed, value=self._top_up(account, action.lock))
            played.commitments.append(Commit(str(account.address), sealed.commitment, action.lock))
            own = OwnCommit(
                action.identity, action.bundle, action.amount, action.lock, sealed.salt, sealed.commitment
            )
            played.commits.setdefault(seat.label, []).append(own)
            self._sealed.setdefault((seat.label, round_), []).append(sealed)
        elif action.act == Act.COMMIT_HASH:
            copy = SealedBid(round_, str(account.address), 0, 0, action.lock, b"", action.commitment)
            client.commit(account, copy, value=self._top_up(account, action.lock))
            played.commitments.append(Commit(str(account.address), action.commitment, action.lock))
        elif action.act == Act.REVEAL:
            sealed = self._sealed[(seat.label, round_)][action.ref]
            receipt = client.reveal(account, sealed)
            played.opened.add(sealed.commitment)
            own = played.commits[seat.label][action.ref]
            self._openings.setdefault(seat.label, []).append(own)
            for log in receipt.decode_logs(client.contract.Revealed):
                if int(log.amount):
                    played.revealed.append(Bid(str(log.bidder), int(log.bundle), int(log.amount)))
        elif action.act == Act.REVEAL_RAW:
            raw = SealedBid(round_, str(account.address), action.bundle, action.amount, 0, action.salt, b"")
            client.reveal(account, raw)
        elif action.act == Act.PROPOSE:
            client.propose(account, round_, action.bundles)
        elif action.act == Act.CLAIM:
            client.claim_counterfactual(account, round_, action.bidder, action.bundles)
        elif action.act == Act.WITHDRAW:
            client.withdraw_credit(account, to=action.to or None)
        elif action.act == Act.REENTER:
            return self._reenter(client, account, action.amount)
        else:
            raise ValueError(f"{action.act.value} is not an action of the sealed-bid market")
        return ""

    def _reenter(self, client: SealedBidClient, account: AccountAPI, amount: int) -> str:
        """Deposit ``amount`` through a contract that withdraws it and, from the receive hook paying it,
        withdraws it again; returns the error the market's guard stopped the second withdrawal with."""
        attacker = account.deploy(market_project().ReentrantWithdrawer)
        attacker.setMarket(client.address, sender=account)
        attacker.deposit(sender=account, value=amount)
        attacker.withdrawCollateral(amount, True, sender=account)
        if attacker.reentered():
            return "reentered: paid twice"  # the arena reports it; the market's balance check fails too
        return decode_error(bytes(attacker.blockedWith())).name

    def _top_up(self, account: AccountAPI, lock: int) -> int:
        """What to deposit with a commit: the missing collateral, if the seat's budget allows it."""
        assert isinstance(self.client, SealedBidClient)
        total, locked = self.client.collateral(str(account.address))
        missing = max(0, lock - (total - locked))
        return missing if lock <= self.budget else 0

    # ------------------------------------------------------------------ settlement
    def _settle_sealed(self, played: ArenaRound) -> None:
        client = self.client
        assert isinstance(client, SealedBidClient)
        round_ = played.round
        client.advance_to(round_, Phase.SETTLE)
        try:
            client.finalize(self.keeper, round_)
        except ContractLogicError:  # nothing proposed that can settle: wait for the round to lapse
            played.lapsed = True
            client.advance_to_block(client.settle_deadline(round_))
        for address in client.committers(round_):
            receipt = client.release(self.keeper, round_, address)
            for log in receipt.decode_logs(client.contract.Released):
                if int(log.forfeited):
                    played.forfeited[address] = played.forfeited.get(address, 0) + int(log.forfeited)
        played.forfeit_pot = client.forfeits(round_)
        if played.forfeit_pot:
            client.distribute_forfeits(self.keeper, round_)
        played.partition, played.value = client.best_partition(round_)
        played.sold = [Sold(s.bundle, s.winner, s.price) for s in client.sales(round_)]
        for payment in client.rollup_payments(round_):
            played.rollup_revenue[payment.rollup] = (
                played.rollup_revenue.get(payment.rollup, 0) + payment.amount
            )
        for fee in client.keeper_fees(round_):
            played.fees[fee.keeper] = played.fees.get(fee.keeper, 0) + fee.amount

    def _draw(self, played: ArenaRound) -> None:
        """The draw: seats draw at the block they chose inside the window; a proposer seat controls every
        block of the window, drawing only where the seed makes it win and leaving other draws out. After a
        missed window the arena's keeper re-arms (or voids) the draw: it never draws a seed itself."""
        client = self.client
        assert isinstance(client, LotteryClient)
        round_ = played.round
        window = self._draw_window
        partition = client.best_partition(round_)[0]
        proposers = [
            seat
            for seat in self._ordered()
            if seat.strategy.proposer and self._holds_sold(played, seat, partition)
        ]
        state = client.draw_state(round_)
        while not (state.drawn or state.voided):
            for offset in range(window):
                client.advance_to_block(state.target + offset)
                if proposers:
                    if self._propose_draw(played, proposers[0]):
                        break
                    continue
                if self._draw_at(played, offset):
                    break
            state = client.draw_state(round_)
            if not (state.drawn or state.voided):
                client.advance_to_block(state.target + window)  # missed: re-arm, or void after the last
                client.draw(self.keeper, round_)
                state = client.draw_state(round_)
        played.seed, played.voided = state.seed, state.voided
        if not played.fair_seed:
            played.fair_seed = state.seed

    @staticmethod
    def _holds_sold(played: ArenaRound, seat: Seat, partition: Sequence[int]) -> bool:
        """Whether the seat holds a ticket of a bundle that sells (else the draw is nothing to it)."""
        sold = set(sold_bundles(played.reserves, revenues_of(played.purchases), partition))
        return any(p.bundle in sold and p.buyer in seat.addresses for p in played.purchases)

    def _draw_at(self, played: ArenaRound, offset: int) -> bool:
        """Seats whose DRAW falls on this block of the window send it; True once the seed is drawn."""
        for seat in self._ordered():
            view = self._view(played, seat, Step.DRAW, Timing.ON_TIME)
            for action in seat.strategy.act(Step.DRAW, view):
                if action.act == Act.DRAW and action.block_offset == offset:
                    self._send(played, seat, Step.DRAW, action)
                    if self.client.draw_state(played.round).drawn:  # type: ignore[attr-defined]
                        return True
        return False

    def _propose_draw(self, played: ArenaRound, seat: Seat) -> bool:
        """A proposer's block: it draws, looks at the seed, and keeps the block only if it wins."""
        client = self.client
        assert isinstance(client, LotteryClient)
        snapshot = chain.snapshot()
        self._send(played, seat, Step.DRAW, Action(Act.DRAW_IF_WINNING))
        state = client.draw_state(played.round)
        if not state.drawn:
            return False
        played.seeds_seen += 1
        if not played.fair_seed:
            played.fair_seed = state.seed
        partition = client.best_partition(played.round)[0]
        winners = lottery_winners(played.reserves, played.purchases, partition, state.seed)
        if set(winners.values()) & set(seat.addresses):
            return True
        chain.restore(snapshot)
        client.advance_to_block(chain.blocks.height + 2)  # the proposer's block, without the draw
        return False

    def _settle_lottery(self, played: ArenaRound) -> None:
        client = self.client
        assert isinstance(client, LotteryClient)
        round_ = played.round
        client.advance_to(round_, Phase.SETTLE)
        client.finalize(self.keeper, round_)  # a voided round too: it opens the refunds
        played.partition, played.value = client.best_partition(round_)
        played.sold = [Sold(w.bundle, w.winner, w.revenue) for w in client.wins(round_)]
        for payment in client.rollup_payments(round_):
            played.rollup_revenue[payment.rollup] = (
                played.rollup_revenue.get(payment.rollup, 0) + payment.amount
            )
        drawer = client.draw_state(round_).drawer
        bounty = sum(w.revenue for w in client.wins(round_)) - sum(played.rollup_revenue.values())
        if bounty:
            played.fees[drawer] = bounty
        won = {sale.bundle for sale in played.sold}
        accounts = {
            a: acct for seat in self.seats for a, acct in zip(seat.addresses, seat.accounts, strict=True)
        }
        for purchase in played.purchases:
            key = (round_, purchase.bundle, purchase.buyer)
            if purchase.bundle in won or purchase.buyer not in accounts or key in self._refunded:
                continue
            client.claim_refund(accounts[purchase.buyer], round_, purchase.bundle)
            self._refunded.add(key)

    # ------------------------------------------------------------------ closing
    def close(self, others: Sequence[AccountAPI] = ()) -> Closing:
        """Every seat, the keeper and ``others`` (the rollups' payouts) withdraw all credit and collateral:
        the market must then hold nothing."""
        client = self.client
        accounts = {str(a.address): a for seat in self.seats for a in seat.accounts}
        accounts.update({str(a.address): a for a in (self.keeper, *others)})
        withdrawn: dict[str, int] = {}
        for address, account in accounts.items():
            credit = client.credit(address)
            if credit:
                client.withdraw_credit(account)
                withdrawn[address] = credit
            if isinstance(client, SealedBidClient):
                total, _ = client.collateral(address)
                if total:
                    client.withdraw_collateral(account, total)
                    withdrawn[address] = withdrawn.get(address, 0) + total
        return Closing(withdrawn, client.balance())

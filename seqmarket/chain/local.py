"""Roles on a local development chain, taken from its pre-funded test accounts."""

from __future__ import annotations

from dataclasses import dataclass

from ape import accounts
from ape.api import AccountAPI

from seqmarket.errors import NotEnoughAccounts

#: Accounts the local chains create (ape-config.yaml: test.number_of_accounts).
TEST_ACCOUNTS = 40


@dataclass(frozen=True)
class LocalRoles:
    """Who is who in a local market: one operator (deploys, clears, claims, finalizes), one payout account
    per rollup, and the bidders."""

    operator: AccountAPI
    rollups: tuple[AccountAPI, ...]
    bidders: tuple[AccountAPI, ...]

    @property
    def rollup_names(self) -> list[str]:
        return [f"R{i}" for i in range(len(self.rollups))]

    def names(self) -> dict[str, str]:
        """A display name for every role's address, for reports."""
        names = {a.address: f"bidder{k}" for k, a in enumerate(self.bidders)}
        names.update({a.address: f"R{i} payout" for i, a in enumerate(self.rollups)})
        names[self.operator.address] = "operator"
        return names


def local_roles(n_rollups: int, n_bidders: int) -> LocalRoles:
    """Assign distinct funded test accounts to every role."""
    test = accounts.test_accounts
    needed = 1 + n_rollups + n_bidders
    available = len(test)
    if needed > available:
        raise NotEnoughAccounts(
            f"{n_rollups} rollups and {n_bidders} bidders need {needed} accounts; "
            f"the local chain has {available} (at most {available - 1} rollups + bidders)"
        )
    pool = [test[i] for i in range(needed)]
    return LocalRoles(
        operator=pool[0],
        rollups=tuple(pool[1 : 1 + n_rollups]),
        bidders=tuple(pool[1 + n_rollups :]),
    )

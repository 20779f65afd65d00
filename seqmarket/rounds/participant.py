"""A participant in a round: an agent's decisions, sent from a chain account."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from ape.api import AccountAPI

Agent = TypeVar("Agent")


@dataclass(frozen=True)
class Participant(Generic[Agent]):
    """Pairs a pure agent (seqmarket.agents) with the account that carries out its plans."""

    account: AccountAPI
    agent: Agent

    @property
    def address(self) -> str:
        return str(self.account.address)

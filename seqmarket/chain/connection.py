"""Reaching a chain from a command: the local testnet by its RPC address, or any network ape knows.

The local testnet (`seqmarket chain`) is ape's ``ethereum:local:foundry`` pointed at the testnet's address
with process management off: a command never starts an anvil of its own, and never takes over a chain it
was not pointed at; when nothing answers it says so and how to start one. Any other ape network choice
(``ethereum:sepolia:node``, ``ethereum:local:test``...) is used as ape configures it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from ape import accounts, networks
from ape.api import AccountAPI, ProviderAPI
from ape.exceptions import AccountsError
from ape.utils.testing import generate_dev_accounts
from ape_test.accounts import TestAccount

from seqmarket.chain.testnet import DEFAULT_PORT, rpc_call, test_accounts_config
from seqmarket.errors import ChainUnavailable, InvalidInput

#: The ape network choice of the local testnet.
LOCAL_TESTNET = "ethereum:local:foundry"
#: Where the local testnet listens by default.
DEFAULT_RPC = f"http://127.0.0.1:{DEFAULT_PORT}"


@dataclass(frozen=True)
class Endpoint:
    """A chain to talk to: an ape network choice, and for the local testnet its RPC address."""

    network: str = LOCAL_TESTNET
    rpc: str = DEFAULT_RPC

    @property
    def is_testnet(self) -> bool:
        """Whether this is the local testnet (reached at ``rpc``) rather than a network ape configures."""
        return self.network == LOCAL_TESTNET

    def __str__(self) -> str:
        return f"{self.network} at {self.rpc}" if self.is_testnet else self.network


@contextmanager
def connected(endpoint: Endpoint) -> Iterator[ProviderAPI]:
    """Connect to ``endpoint`` for the duration of the block; ChainUnavailable when nothing answers."""
    if endpoint.is_testnet:
        try:
            rpc_call(endpoint.rpc, "eth_chainId")
        except ChainUnavailable as err:
            raise ChainUnavailable(
                f"no chain answers at {endpoint.rpc}: start one with `seqmarket chain` (or `make chain`), "
                "or point --rpc at a running one"
            ) from err
        choice = networks.parse_network_choice(
            endpoint.network, provider_settings={"host": endpoint.rpc, "manage_process": False}
        )
    else:
        choice = networks.parse_network_choice(endpoint.network)
    with choice as provider:
        yield provider


def is_local_chain() -> bool:
    """Whether the connected network is a local development chain (its test accounts hold the money)."""
    return bool(networks.provider.network.is_local)


@cache
def _test_accounts() -> tuple[TestAccount, ...]:
    config = test_accounts_config()
    generated = generate_dev_accounts(config.mnemonic, config.count, hd_path=config.hd_path)
    return tuple(
        TestAccount(index=i, address_str=made.address, private_key=made.private_key)
        for i, made in enumerate(generated)
    )


def local_account(index: int) -> AccountAPI:
    """Funded test account ``index`` of a local chain, as the checkout's ape config derives it."""
    made = _test_accounts()
    if not 0 <= index < len(made):
        raise InvalidInput(f"a local chain has test accounts 0 to {len(made) - 1}, not {index}")
    return made[index]


def resolve_account(name: str) -> AccountAPI:
    """An account by what a person types: a test account's index on a local chain, else an ape account alias
    (`ape accounts import ALIAS`; its passphrase is asked when it signs)."""
    if name.isdecimal():
        if not is_local_chain():
            raise InvalidInput(
                f"account {name}: test accounts by index exist on a local chain only (use an ape alias)"
            )
        return local_account(int(name))
    try:
        return accounts.load(name)
    except (AccountsError, KeyError) as err:
        raise InvalidInput(
            f"no ape account named {name!r} (`ape accounts list` shows them; on a local chain use an index)"
        ) from err

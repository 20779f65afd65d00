"""Deployment files: where a chain's markets are, so every command finds them without being told.

`seqmarket deploy` writes ``deployments/<chain id>.json`` in the checkout (``--deployment FILE`` elsewhere):
the chain, how to reach it, and per kind of market (at most one sealed-bid and one lottery market) its
address, the block and transaction that deployed it, the deployer and its full configuration, rollup payouts
and reserves included. Amounts are decimal strings, as in every JSON seqmarket writes (docs/json.md).

A file can outlive its chain (a local testnet started afresh): ``check_on_chain`` compares the deploy
block's hash and the code at the address with the connected chain before anything is sent.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, fields, replace
from enum import Enum, IntEnum
from pathlib import Path
from typing import Any, TypeVar

from ape import chain
from ape.api import AccountAPI
from eth_utils import keccak
from hexbytes import HexBytes

from seqmarket.chain.client import CHECKOUT, MarketClient
from seqmarket.chain.config import LotteryConfig, SealedBidConfig
from seqmarket.chain.lottery_client import LotteryClient
from seqmarket.chain.sealed_bid_client import SealedBidClient
from seqmarket.errors import ConfigError, DeploymentError
from seqmarket.protocol.pricing import Curve
from seqmarket.protocol.rules import PaymentRule, SplitRule

FORMAT = "seqmarket-deployment/1"
#: Default folder of deployment files (one per chain id).
DEPLOYMENTS = CHECKOUT / "deployments"

Rule = TypeVar("Rule", bound=IntEnum)


class MarketKind(Enum):
    """The two markets, by the name commands and files use."""

    SEALED = "sealed"
    LOTTERY = "lottery"

    @property
    def contract(self) -> str:
        return "SealedBidMarket" if self is MarketKind.SEALED else "LotteryMarket"


def label(rule: IntEnum) -> str:
    """A rule's name as commands and files write it: ``PaymentRule.FIRST_PRICE`` -> ``first-price``."""
    return rule.name.lower().replace("_", "-")


def parse_label(kind: type[Rule], text: str) -> Rule:
    """The ``kind`` member written ``text`` (see ``label``)."""
    for member in kind:
        if label(member) == text:
            return member
    choices = ", ".join(label(m) for m in kind)
    raise DeploymentError(f"{text!r} is not a {kind.__name__} (one of {choices})")


#: Config fields holding wei amounts or WAD numbers, written as decimal strings.
_BIG = {"reserves", "min_lock", "beta", "gamma", "price_floor"}
_RULES: dict[str, type[IntEnum]] = {
    "split_rule": SplitRule,
    "payment_rule": PaymentRule,
    "curve": Curve,
}


def config_document(config: SealedBidConfig | LotteryConfig) -> dict[str, Any]:
    """A configuration as JSON: every field, amounts as decimal strings, rules by label."""
    document: dict[str, Any] = {}
    for item in fields(config):
        value = getattr(config, item.name)
        if item.name in _RULES:
            value = label(value)
        elif item.name == "reserves":
            value = [str(r) for r in value]
        elif item.name == "payouts":
            value = list(value)
        elif item.name in _BIG:
            value = str(value)
        document[item.name] = value
    return document


def _config_from(kind: MarketKind, document: dict[str, Any]) -> SealedBidConfig | LotteryConfig:
    made = SealedBidConfig if kind is MarketKind.SEALED else LotteryConfig
    known = {item.name for item in fields(made)}
    values: dict[str, Any] = {}
    for name, value in document.items():
        if name not in known:
            raise DeploymentError(f"unknown {kind.value} config field {name!r}")
        if name in _RULES:
            values[name] = parse_label(_RULES[name], value)
        elif name == "reserves":
            values[name] = tuple(int(r) for r in value)
        elif name == "payouts":
            values[name] = tuple(str(p) for p in value)
        else:
            values[name] = int(value)
    try:
        return made(**values)
    except (TypeError, ConfigError) as err:
        raise DeploymentError(f"bad {kind.value} config: {err}") from err


@dataclass(frozen=True)
class MarketDeployment:
    """One deployed market: where it is, what deployed it, and its configuration."""

    kind: MarketKind
    address: str
    block: int
    block_hash: str
    transaction: str
    deployer: str
    config: SealedBidConfig | LotteryConfig

    def document(self) -> dict[str, Any]:
        return {
            "contract": self.kind.contract,
            "address": self.address,
            "block": self.block,
            "block_hash": self.block_hash,
            "transaction": self.transaction,
            "deployer": self.deployer,
            "config": config_document(self.config),
        }

    @classmethod
    def from_document(cls, kind: MarketKind, document: dict[str, Any]) -> MarketDeployment:
        try:
            return cls(
                kind,
                str(document["address"]),
                int(document["block"]),
                str(document["block_hash"]),
                str(document["transaction"]),
                str(document["deployer"]),
                _config_from(kind, document["config"]),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise DeploymentError(f"bad {kind.value} market entry: {err!r}") from err


@dataclass(frozen=True)
class Deployments:
    """A chain's markets, as one deployment file holds them: at most one of each kind."""

    chain_id: int
    network: str
    rpc: str | None
    markets: dict[MarketKind, MarketDeployment] = field(default_factory=dict)

    def with_market(self, market: MarketDeployment) -> Deployments:
        """This file's markets with ``market`` added, replacing any market of its kind."""
        return replace(self, markets={**self.markets, market.kind: market})

    def market(self, kind: MarketKind | None) -> MarketDeployment:
        """The market of ``kind``; with no kind, the only market the file has."""
        if kind is not None:
            if kind not in self.markets:
                raise DeploymentError(
                    f"no {kind.value} market is deployed on chain {self.chain_id} (deploy one with "
                    f"`seqmarket deploy {kind.value}`)"
                )
            return self.markets[kind]
        if not self.markets:
            raise DeploymentError(f"no market is deployed on chain {self.chain_id}")
        if len(self.markets) > 1:
            raise DeploymentError(
                "the deployment holds a sealed-bid and a lottery market: choose with --market sealed|lottery"
            )
        return next(iter(self.markets.values()))

    def document(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "chain_id": self.chain_id,
            "network": self.network,
            "rpc": self.rpc,
            "markets": {kind.value: m.document() for kind, m in sorted(self.markets.items(), key=_by_value)},
        }

    @classmethod
    def from_document(cls, document: Any) -> Deployments:
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise DeploymentError(f"not a deployment file (format {FORMAT!r} expected)")
        try:
            markets = {
                MarketKind(name): MarketDeployment.from_document(MarketKind(name), entry)
                for name, entry in document["markets"].items()
            }
            rpc = document.get("rpc")
            return cls(int(document["chain_id"]), str(document["network"]), rpc and str(rpc), markets)
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise DeploymentError(f"bad deployment file: {err!r}") from err


def _by_value(item: tuple[MarketKind, MarketDeployment]) -> str:
    return item[0].value


def default_path(chain_id: int, folder: Path = DEPLOYMENTS) -> Path:
    """Where the deployment file of chain ``chain_id`` lives unless told otherwise."""
    return folder / f"{chain_id}.json"


def load(path: Path) -> Deployments:
    """Read a deployment file; DeploymentError names the file and what is wrong with it."""
    try:
        text = path.read_text()
    except FileNotFoundError as err:
        raise DeploymentError(f"{path} does not exist: deploy a market first (`seqmarket deploy`)") from err
    except OSError as err:
        raise DeploymentError(f"cannot read {path}: {err.strerror}") from err
    try:
        return Deployments.from_document(json.loads(text))
    except (ValueError, DeploymentError) as err:
        raise DeploymentError(f"{path}: {err}") from err


def save(deployments: Deployments, path: Path) -> None:
    """Write ``deployments`` to ``path`` whole or not at all (a temporary file renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("w") as out:
        out.write(json.dumps(deployments.document(), indent=2) + "\n")
        out.flush()
        os.fsync(out.fileno())
    temporary.replace(path)


def check_on_chain(deployments: Deployments, market: MarketDeployment) -> None:
    """Refuse a file written for another chain, or for this chain before it was started afresh."""
    if chain.chain_id != deployments.chain_id:
        raise DeploymentError(
            f"the deployment is for chain {deployments.chain_id}, but the chain reached is {chain.chain_id}"
        )
    stale = (
        f"the {market.kind.value} market at {market.address} is not on this chain (it was deployed on a "
        "chain since started afresh?): deploy again with `seqmarket deploy`"
    )
    if chain.blocks.height < market.block or _hex(chain.blocks[market.block].hash) != market.block_hash:
        raise DeploymentError(stale)
    if not chain.provider.get_code(market.address):
        raise DeploymentError(stale)


def deploy(config: SealedBidConfig | LotteryConfig, deployer: AccountAPI) -> MarketDeployment:
    """Deploy the market ``config`` describes from ``deployer``, and describe it for a deployment file."""
    client: MarketClient
    if isinstance(config, SealedBidConfig):
        kind, client = MarketKind.SEALED, SealedBidClient.deploy(config, deployer)
    else:
        kind, client = MarketKind.LOTTERY, LotteryClient.deploy(config, deployer)
    metadata = client.contract.creation_metadata
    receipt = metadata.receipt if metadata is not None else None
    if receipt is None:
        raise DeploymentError(f"the {kind.contract} deployment left no receipt to record")
    block = int(receipt.block_number)
    return MarketDeployment(
        kind,
        client.address,
        block,
        _hex(chain.blocks[block].hash),
        _hex(receipt.txn_hash),
        deployer.address,
        config,
    )


def _hex(value: Any) -> str:
    """0x-prefixed hex of a hash, whatever type ape gives it as."""
    text = value.hex() if isinstance(value, bytes) else str(value)
    return text if text.startswith("0x") else "0x" + text


def detect_kind(address: str) -> MarketKind:
    """Which market is deployed at ``address``, asked of the contract itself (for a market no deployment file
    names): only a SealedBidMarket answers paymentRule(), only a LotteryMarket targetTickets()."""
    if not chain.provider.get_code(address):
        raise DeploymentError(f"no contract at {address} on chain {chain.chain_id}")
    for kind, probe in ((MarketKind.SEALED, "paymentRule()"), (MarketKind.LOTTERY, "targetTickets()")):
        call = {"to": address, "data": HexBytes(keccak(text=probe)[:4])}
        try:
            answer = chain.provider.web3.eth.call(call)  # type: ignore[attr-defined]
        except Exception:  # a revert, however the node words it: not this kind
            continue
        if len(answer) == 32:
            return kind
    raise DeploymentError(f"the contract at {address} is not a seqmarket market")


def record(path: Path, market: MarketDeployment, network: str, rpc: str | None) -> MarketDeployment | None:
    """Add ``market`` to the deployment file at ``path`` (made if missing) and return the market of its kind
    it replaces, if any. What the connected chain no longer holds is dropped (the markets of a testnet since
    started afresh, a file of another chain), and so is a file that is not a deployment file."""
    kept: dict[MarketKind, MarketDeployment] = {}
    if path.exists():
        try:
            previous = load(path)
        except DeploymentError:
            previous = Deployments(chain.chain_id, network, rpc)
        for kind, old in previous.markets.items():
            try:
                check_on_chain(previous, old)
            except DeploymentError:
                continue
            kept[kind] = old
    replaced = kept.get(market.kind)
    save(Deployments(chain.chain_id, network, rpc, kept).with_market(market), path)
    return replaced

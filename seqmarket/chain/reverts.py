"""A contract's custom error, by name and arguments, from the exception ape raised for a revert."""

from __future__ import annotations

from ast import literal_eval
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ape.exceptions import ContractLogicError
from eth_abi import decode as abi_decode
from eth_utils import keccak, to_checksum_address

from seqmarket.chain.client import market_project
from seqmarket.protocol.schedule import Phase


@dataclass(frozen=True)
class Revert:
    """A decoded revert: the custom error's name and its arguments (by parameter name)."""

    name: str
    inputs: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        arguments = ", ".join(f"{k}={v}" for k, v in self.inputs.items())
        return f"{self.name}({arguments})"


def decode_revert(raised: ContractLogicError) -> Revert:
    """The custom error behind ``raised``, decoded against the market contracts' ABIs when ape did not.

    ape 0.8.51 turns revert data into text with str(bytes) and only parses it back when the repr uses single
    quotes; data holding a 0x27 byte prints as b"..." and stays undecoded (about 1 in 8 errors carrying a
    random word), surfacing as a bare ContractLogicError.
    """
    name = type(raised).__name__
    if name != "ContractLogicError":
        return Revert(name, dict(getattr(raised, "inputs", {}) or {}))
    message = str(raised.message)
    if message.startswith(("b'", 'b"')):
        data = literal_eval(message)
    elif message.startswith("0x"):
        data = bytes.fromhex(message[2:])
    else:
        return Revert(name)
    return decode_error(data, name)


def decode_error(data: bytes, unknown: str = "ContractLogicError") -> Revert:
    """A custom error of the market contracts from its ABI-encoded revert data (``unknown`` if none)."""
    for contract_type in market_project().contracts.values():
        for abi in contract_type.errors:
            if keccak(text=abi.selector)[:4] == data[:4]:
                types = [str(i.canonical_type) for i in abi.inputs]
                values = [
                    to_checksum_address(v) if t == "address" else v
                    for t, v in zip(types, abi_decode(types, data[4:]), strict=True)
                ]
                return Revert(abi.name, dict(zip([i.name for i in abi.inputs], values, strict=True)))
    return Revert(unknown)


def _phase(value: Any) -> str:
    return Phase(int(value)).name.lower().replace("_", " ")


def _wei(value: Any) -> str:
    return f"{int(value)} wei"


#: What the errors a person meets most often mean, in words (the error itself follows in brackets).
_EXPLAINED: dict[str, Callable[[dict[str, Any]], str]] = {
    "WrongPhase": lambda a: (
        f"round {a['round']} is in its {_phase(a['actual'])} phase; this needs {_phase(a['expected'])}"
    ),
    "InsufficientUnlocked": lambda a: (
        f"{_wei(a['requested'])} of collateral needed, {_wei(a['available'])} unlocked (deposit more)"
    ),
    "LockBelowMinimum": lambda a: f"a commitment locks at least {_wei(a['minLock'])}",
    "BidExceedsLock": lambda a: f"the bid ({_wei(a['amount'])}) is above its commitment's lock",
    "UnknownCommitment": lambda a: "no commitment of yours in that round matches this bid",
    "AlreadyRevealed": lambda a: "that bid is revealed already",
    "CommitCapReached": lambda a: f"you have the most commitments a bidder may post in round {a['round']}",
    "NotBetter": lambda a: f"worth {_wei(a['value'])}, it does not beat the standing {_wei(a['best'])}",
    "NoBidForBundle": lambda a: "a bundle of the partition has no bid",
    "BundleBelowReserves": lambda a: "a bundle of the partition bids below its rollups' reserves",
    "AlreadyFinalized": lambda a: f"round {a['round']} is finalized already",
    "RoundNotFinalized": lambda a: f"round {a['round']} is not finalized yet",
    "RoundLapsed": lambda a: (
        f"round {a['round']} lapsed unfinalized at block {a['deadline']}: nothing sold, release collateral"
    ),
    "NothingToRelease": lambda a: f"{a['bidder']} committed nothing in round {a['round']}",
    "AlreadyReleased": lambda a: f"{a['bidder']}'s collateral for round {a['round']} is released already",
    "NothingToWithdraw": lambda a: "no credit to withdraw",
    "InsufficientPayment": lambda a: (
        f"the tickets cost {_wei(a['cost'])} now, {_wei(a['paid'])} was sent (the price moved: quote again)"
    ),
    "TicketLimit": lambda a: f"only {a['available']} tickets of that bundle are left this round",
    "DrawTooEarly": lambda a: f"round {a['round']} can be drawn from block {a['target']}",
    "AlreadyDrawn": lambda a: f"round {a['round']} is drawn already",
    "NotDrawn": lambda a: f"round {a['round']} must be drawn before it is finalized (seqmarket draw)",
    "Voided": lambda a: f"round {a['round']} was voided: every ticket is refunded",
    "NothingToRefund": lambda a: "nothing of yours to refund for that bundle",
    "BundleWon": lambda a: "that bundle won: its tickets are not refunded",
    "VcgDisabled": lambda a: "this market charges first price: there is no W(-i) to claim",
    "InvalidBundle": lambda a: "the bundle names a rollup the market does not sell",
}


def explain(revert: Revert) -> str:
    """A revert in words, for a person, then the custom error as the contract named it."""
    words = _EXPLAINED.get(revert.name)
    if words is None:
        return str(revert)
    try:
        return f"{words(revert.inputs)} ({revert})"
    except (KeyError, ValueError):  # arguments missing from an undecoded revert
        return str(revert)


def describe_failure(err: BaseException) -> str:
    """One line for a command to end on: a revert by its decoded custom error, explained (never ape's trace
    or raw calldata), anything else by its type and the first line of its message."""
    if isinstance(err, ContractLogicError):
        return f"a transaction reverted: {explain(decode_revert(err))}"
    first = str(err).strip().splitlines()[0] if str(err).strip() else ""
    return f"{type(err).__name__}: {first}" if first else type(err).__name__

"""A contract's custom error, by name and arguments, from the exception ape raised for a revert."""

from __future__ import annotations

from ast import literal_eval
from dataclasses import dataclass, field
from typing import Any

from ape.exceptions import ContractLogicError
from eth_abi import decode as abi_decode
from eth_utils import keccak, to_checksum_address

from seqmarket.chain.client import market_project


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


def describe_failure(err: BaseException) -> str:
    """One line for a command to end on: a revert by its decoded custom error (never ape's trace or raw
    calldata), anything else by its type and the first line of its message."""
    if isinstance(err, ContractLogicError):
        return f"a transaction reverted: {decode_revert(err)}"
    first = str(err).strip().splitlines()[0] if str(err).strip() else ""
    return f"{type(err).__name__}: {first}" if first else type(err).__name__

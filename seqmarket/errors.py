"""Every error seqmarket raises, under one root.

Catch ``SeqmarketError`` for anything this package reports on purpose. Each subclass also derives from
the builtin it resembles (``ValueError`` for bad input, ``TimeoutError`` for a solve out of time,
``RuntimeError`` for a check that failed at run time), so code written against the builtins keeps working.
The errors a contract reverts with are declared once too, in contracts/interfaces/.
"""

from __future__ import annotations


class SeqmarketError(Exception):
    """Root of every error seqmarket raises on purpose."""


class InvalidInput(SeqmarketError, ValueError):
    """An argument outside what the protocol or a tool accepts (a ticket past 2T, a bid count of 0...)."""


class InvalidInstance(InvalidInput):
    """A clearing instance breaks a rule the contract would also reject (bad bundle, negative amount...)."""


class ConfigError(InvalidInput):
    """A deployment configuration the contract would reject, caught before spending gas."""


class NotEnoughAccounts(InvalidInput):
    """More rollups and bidders were asked for than the local chain has funded accounts."""


class ClearingTimeout(SeqmarketError, TimeoutError):
    """The time limit stopped the solver before optimality was proven; no answer is returned.

    ``incumbent`` is the exact gain of the best packing found (None if none), ``bound`` an upper bound on
    the optimal gain from the solver (rounded outwards), both in the instance's units.
    """

    def __init__(self, incumbent: int | None, bound: float, elapsed: float) -> None:
        self.incumbent = incumbent
        self.bound = bound
        self.elapsed = elapsed
        gap = "unknown" if incumbent is None else f"{bound - incumbent:.6g}"
        super().__init__(
            f"time limit hit after {elapsed:.2f}s before optimality was proven: best packing found gains "
            f"{incumbent}, the optimum gains at most {bound:.6g} (gap {gap}); no answer returned"
        )


class SolverError(SeqmarketError, RuntimeError):
    """An exact solver could not certify its answer (a bound that does not prove it, an odd status)."""


class RoundCheckFailed(SeqmarketError, RuntimeError):
    """The chain's result disagrees with the off-chain clearing, or the market's books do not balance."""


class DeploymentError(InvalidInput):
    """A deployment file that is missing, malformed, for another chain, or names a market the chain lacks."""


class BidBookError(SeqmarketError, RuntimeError):
    """A bid book that cannot be read or written: its sealed bids (and their salts) must never be lost."""


class ChainUnavailable(SeqmarketError, ConnectionError):
    """No chain answers where one was expected (a local testnet not started, a wrong RPC address)."""


class PortInUse(SeqmarketError, OSError):
    """The port a local testnet should listen on is taken by another program."""


class StateInUse(SeqmarketError, RuntimeError):
    """A local testnet's state file is held by another running testnet (two would overwrite each other's)."""


class OperatorStateError(SeqmarketError, RuntimeError):
    """The operator service's state file cannot be used (unreadable, or made for another market)."""

"""Strategies: every way a participant may act in a round, honest or not, registered by name.

`base` defines the interface (`Strategy`, `View`, `Action`) and the registry; `sealed`, `lottery` and
`operators` hold the strategies the arena (seqmarket.rounds.arena) knows. Importing this package
registers them all; a new strategy is one class in one module, decorated with `register`.
"""

from seqmarket.agents.strategies import lottery, operators, sealed
from seqmarket.agents.strategies.base import (
    REGISTRY,
    Act,
    Action,
    Mechanism,
    Role,
    Step,
    Strategy,
    Timing,
    View,
    register,
    reveal_all,
    strategies,
)

__all__ = [
    "REGISTRY",
    "Act",
    "Action",
    "Mechanism",
    "Role",
    "Step",
    "Strategy",
    "Timing",
    "View",
    "lottery",
    "operators",
    "register",
    "reveal_all",
    "sealed",
    "strategies",
]

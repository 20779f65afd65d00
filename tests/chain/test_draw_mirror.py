"""The contract's winning-ticket function equals the Python mirror's on a sample of seeds, bundles and
ticket counts."""

from __future__ import annotations

import random

from seqmarket.protocol.draw import winning_ticket


def test_contract_draw_function_matches_python(make_lottery):
    contract = make_lottery().contract
    rng = random.Random(1)
    for _ in range(60):
        seed = rng.randbytes(32)
        bundle = rng.randint(1, 2**256 - 1)
        sold = rng.randint(1, 2**32)
        assert contract.winningTicket(seed, bundle, sold) == winning_ticket(seed, bundle, sold)

"""How far can RANDAO withholding / draw censorship bias a seqmarket lottery draw?

Companion to docs/randao-bias.md.  Run:  .venv/bin/python docs/randao_bias.py  (about 20 s).

Prints, as Markdown:
  1. P(favoured bidder wins) = 1 - (1 - s)^m, exact, beside a Monte-Carlo estimate that uses the
     contract's own seed -> ticket mapping (keccak + abi.encode) on prevrandao candidates built
     the way withholding builds them (base mix XOR any subset of the attacker's reveals);
  2. m, the number of distinct outcomes an attacker can steer between, counted by exhaustive
     search over its per-slot choices (withhold / propose without the draw / propose with it)
     for a run of K consecutive attacker slots, with the target fixed as a *block number*;
  3. the resulting win probability averaged over a random proposer schedule (stake fraction p).
"""

from __future__ import annotations

import functools
import random

import numpy as np
from eth_abi import encode
from eth_utils import keccak

CHAIN_ID = 1
MARKET = "0x" + "5e" * 20  # any fixed market address
BUNDLE = 0b1011  # rollups 0, 1, 3 (BundleMask encoding)
TICKETS_SOLD = 200
SHARES = (0.01, 0.10, 0.25, 0.50)
MS = (1, 2, 4, 8, 16)  # m = 2^k for k = 0..4 (the ceiling for k controlled slots)
TRIALS = 30_000


# ---- the draw, exactly as contracts/LotteryMarket.sol specifies it ---------------------------
def draw_seed(prevrandao: int, chain_id: int, market: str, round_id: int) -> bytes:
    """seed = keccak256(abi.encode(block.prevrandao, chainid, address(this), round))"""
    return keccak(
        encode(["uint256", "uint256", "address", "uint256"], [prevrandao, chain_id, market, round_id])
    )


def winning_ticket(seed: bytes, bundle: int, tickets_sold: int) -> int:
    """index = uint256(keccak256(abi.encode(seed, bundle))) % ticketsSold(bundle)"""
    return int.from_bytes(keccak(encode(["bytes32", "uint256"], [seed, bundle])), "big") % tickets_sold


def p_exact(s: float, m: int) -> float:
    return 1.0 - (1.0 - s) ** m


# ---- 1. Monte Carlo of the choose-among-m-seeds attack -----------------------------------------
def monte_carlo(trials: int = TRIALS, rng_seed: int = 4399) -> dict[tuple[float, int], float]:
    rng = random.Random(rng_seed)
    k_max = MS[-1].bit_length() - 1  # 4 reveals -> 16 subsets
    # The favoured bidder's tickets: a random (fixed) set of s * TICKETS_SOLD indices.
    order = list(range(TICKETS_SOLD))
    rng.shuffle(order)
    holdings = {s: np.zeros(TICKETS_SOLD, dtype=bool) for s in SHARES}
    for s in SHARES:
        holdings[s][order[: round(s * TICKETS_SOLD)]] = True
    wins = {s: np.zeros((trials, MS[-1]), dtype=bool) for s in SHARES}
    for t in range(trials):
        base_mix = rng.getrandbits(256)
        reveals = [rng.getrandbits(256) for _ in range(k_max)]
        for subset in range(MS[-1]):  # candidate index = bitmask of reveals included
            mix = base_mix
            for i in range(k_max):
                if subset >> i & 1:
                    mix ^= reveals[i]
            idx = winning_ticket(draw_seed(mix, CHAIN_ID, MARKET, t + 1), BUNDLE, TICKETS_SOLD)
            for s in SHARES:
                wins[s][t, subset] = holdings[s][idx]
    # The first 2^k candidates are exactly the subsets of the first k reveals.
    return {(s, m): float(wins[s][:, :m].any(axis=1).mean()) for s in SHARES for m in MS}


# ---- 2. m by exhaustive search over the attacker's choices -------------------------------------
def options(run: int, before: int, window: int, withhold: bool = True) -> tuple[int, bool]:
    """Distinct draw outcomes reachable by an attacker holding `run` consecutive slots.

    The run starts `before` blocks ahead of the target block (before = 0: its first slot would
    carry block `target`); every other slot is honest: it proposes and, inside the window, includes
    the draw. Block numbers only advance on proposed blocks. Returns (number of distinct outcomes
    the attacker can compute in advance, whether an outcome it cannot compute is reachable: an
    honest reveal entering the mix before the draw, or a missed window, which re-arms and draws
    afresh L blocks later). Each such unknown outcome is one fresh coin, worth one more option.
    """
    known: set[int] = set()
    fresh = False

    @functools.cache
    def step(slot: int, proposed: int, reveals: int) -> None:
        nonlocal fresh
        offset = proposed - before  # next block's number minus target
        if offset >= window:  # window missed: the next draw() call re-arms
            fresh = True
            return
        in_window = offset >= 0
        if slot >= run:  # honest slot
            if in_window:
                known.add(reveals)  # honest proposer draws; seed fixed by attacker's reveals only
            else:
                fresh = True  # an honest reveal enters the mix before the draw: unknown
            return
        if in_window:
            known.add(reveals)  # attacker includes draw()
        step(slot + 1, proposed + 1, reveals | 1 << slot)  # propose, omit draw()
        if withhold:
            step(slot + 1, proposed, reveals)  # withhold the slot (forfeits its reward)

    step(0, 0, 0)
    return len(known), fresh


def m_of(run: int, before: int, window: int, withhold: bool = True) -> int:
    known, fresh = options(run, before, window, withhold)
    return known + int(fresh)


# ---- 3. averaged over the proposer schedule ----------------------------------------------------
def stake_averaged(p: float, s: float, window: int, k_max: int = 10) -> float:
    """E[P(win)] when each slot is the attacker's with probability p, independently.

    The attacker's run around the draw position has `b` slots before it and `a` from it on,
    probability (1-p)^2 p^(a+b). Runs longer than k_max are counted as certain wins (upper bound).
    Later runs reachable only through a re-arm or a reroll are ignored (second order in p).
    """
    total, mass = 0.0, 0.0
    for run in range(k_max + 1):
        for before in range(run + 1):
            w = (1 - p) ** 2 * p**run
            mass += w
            total += w * p_exact(s, m_of(run, before, window) if run else 1)
    return total + (1.0 - mass)


def main() -> None:
    print("### 1. P(favoured bidder wins) = 1 - (1-s)^m: exact / Monte Carlo\n")
    mc = monte_carlo()
    print(
        f"Monte Carlo: {TRIALS} draws per cell through keccak256(abi.encode(...)) % {TICKETS_SOLD};"
        " ± is 1.96 standard errors.\n"
    )
    print("| s \\ m (k = log2 m) | " + " | ".join(f"{m} ({m.bit_length() - 1})" for m in MS) + " |")
    print("|---|" + "---|" * len(MS))
    worst_z = 0.0
    for s in SHARES:
        cells = []
        for m in MS:
            e, est = p_exact(s, m), mc[(s, m)]
            se = (e * (1 - e) / TRIALS) ** 0.5
            worst_z = max(worst_z, abs(est - e) / se if se else 0.0)
            cells.append(f"{e:.4f} / {est:.4f} ±{1.96 * se:.4f}")
        print(f"| {s:.0%} | " + " | ".join(cells) + " |")
    print(f"\nLargest |MC - exact| / SE: {worst_z:.2f}\n")

    windows = (1, 2, 4, 8)
    print("### 2. m for a run of K consecutive attacker slots (exhaustive search)\n")
    print(
        "Entries: run just before an honest draw block (j = K) / run starting at the target block"
        " (j = 0) / best placement; in brackets the same without withholding (free choices only).\n"
    )
    print("| K | " + " | ".join(f"W = {w}" for w in windows) + " | 2^K |")
    print("|---|" + "---|" * (len(windows) + 1))
    for run in range(1, 7):
        cells = []
        for w in windows:
            best = max(m_of(run, j, w) for j in range(run + 1))
            free = max(m_of(run, j, w, withhold=False) for j in range(run + 1))
            cells.append(f"{m_of(run, run, w)} / {m_of(run, 0, w)} / {best} [{free}]")
        print(f"| {run} | " + " | ".join(cells) + f" | {2**run} |")
    print()

    print("### 3. Averaged over the proposer schedule (attacker stake p, any placement)\n")
    print("| p | W | " + " | ".join(f"s = {s:.0%}" for s in SHARES) + " |")
    print("|---|---|" + "---|" * len(SHARES))
    for p in (0.01, 0.10, 0.33):
        for w in (1, 2, 4, 8):
            cells = [f"{stake_averaged(p, s, w):.4f} (+{stake_averaged(p, s, w) - s:.4f})" for s in SHARES]
            print(f"| {p:.0%} | {w} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

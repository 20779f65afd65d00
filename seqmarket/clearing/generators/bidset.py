"""The bid list as the CATS generator keeps it: XOR sets through dummy goods, and its dominance check.

Facts from the CATS generator (v2.1) that shape its instances, reproduced here:
- A bidder's substitutes form an XOR set: each of its bids gets one extra "dummy" good, the same for
  the whole set. A bidder with one bid gets none. When dominated bids are removed and a set is left
  with one bid, that bid loses its dummy good.
- A bid is dominated when another bid's goods (dummy included) are a subset of its goods, or equal,
  at an amount at least as high. So two bids on the same goods without dummy goods never both
  stay, but bids of different XOR sets on the same real goods do: each has its own dummy good.
- The check runs when a bid or a finished XOR set is added, and compares *the first bid added*
  against all others (CATS loops over the new bids but checks the first one each time), then drops
  the dummy goods that only one bid still has, checking those bids again.
- Removing a bid moves the last bid into its place, which sets the order bids come out in.

Bids are (goods bitmask, dummy id or -1, real price). Goods are compared as 64-bit words in numpy.
"""

from __future__ import annotations

import numpy as np

WORD = 64
NO_DUMMY = -1


class BidSet:
    """CATS's list of bids, with its dominance check optional (CATS's -no_dom_check turns it off)."""

    def __init__(self, goods: int, dominance: bool = True) -> None:
        self.dominance = dominance
        self._words = (goods + WORD - 1) // WORD
        self._capacity = 64
        self._masks = np.zeros((self._capacity, self._words), dtype=np.uint64)
        self._dummy = np.full(self._capacity, NO_DUMMY, dtype=np.int64)
        self._price = np.zeros(self._capacity, dtype=np.float64)
        self._goods: list[int] = []
        self._next_dummy = 0
        self._checked = 1  # CATS's first_unchecked_bid starts at 1
        self._xor_open = False

    def __len__(self) -> int:
        return len(self._goods)

    def bids(self) -> list[tuple[int, float]]:
        """(goods bitmask, price) per bid, in CATS's order; dummy goods are dropped."""
        return [
            (g, float(p)) for g, p in zip(self._goods, self._price[: len(self._goods)].tolist(), strict=True)
        ]

    def dummies(self) -> int:
        """How many XOR sets (dummy goods) were made."""
        return self._next_dummy

    def add(self, goods: int, price: float) -> None:
        """A bid on its own (no XOR set), checked for dominance at once when the check is on."""
        self._append(goods, NO_DUMMY, price)
        if self.dominance:
            self._refine()

    def add_xor(self, goods: int, price: float) -> None:
        """One bid of the XOR set being built (finish it with done_xor)."""
        self._append(goods, self._next_dummy, price)
        self._xor_open = True

    def done_xor(self) -> None:
        """Close the XOR set: it takes its dummy good, then the dominance check runs when on."""
        if self._xor_open:
            self._next_dummy += 1
            self._xor_open = False
        if self.dominance:
            self._refine()

    def remove(self, index: int) -> None:
        """Remove the bid at ``index``: the last bid takes its place (CATS's removeBid)."""
        last = len(self._goods) - 1
        self._goods[index] = self._goods[last]
        self._masks[index] = self._masks[last]
        self._dummy[index] = self._dummy[last]
        self._price[index] = self._price[last]
        self._goods.pop()

    def goods_of(self, index: int) -> int:
        """The real goods of the bid at ``index``."""
        return self._goods[index]

    def conflict_labels(self) -> np.ndarray:
        """Connected components of the bids, two bids joined when they share a good (dummy goods too)."""
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        count = len(self._goods)
        rows, cols = [], []
        for k, goods in enumerate(self._goods):
            g = 0
            while goods:
                if goods & 1:
                    rows.append(k)
                    cols.append(g)
                goods >>= 1
                g += 1
        width = self._words * WORD
        dummy = self._dummy[:count]
        with_dummy = np.flatnonzero(dummy != NO_DUMMY)
        rows.extend(with_dummy.tolist())
        cols.extend((width + dummy[with_dummy]).tolist())
        size = count + width + self._next_dummy + 1
        graph = coo_matrix((np.ones(len(rows)), (rows, np.array(cols, dtype=np.int64) + count)), (size, size))
        _, labels = connected_components(graph, directed=False)
        return np.asarray(labels[:count])

    def _append(self, goods: int, dummy: int, price: float) -> None:
        k = len(self._goods)
        if k == self._capacity:
            self._capacity *= 2
            self._masks = np.resize(self._masks, (self._capacity, self._words))
            self._dummy = np.resize(self._dummy, self._capacity)
            self._price = np.resize(self._price, self._capacity)
        self._goods.append(goods)
        self._masks[k] = [(goods >> (WORD * w)) & 0xFFFFFFFFFFFFFFFF for w in range(self._words)]
        self._dummy[k] = dummy
        self._price[k] = price

    def _refine(self) -> None:
        """CATS's refine(): the first unchecked bid against all, then singleton dummy goods."""
        t = self._checked
        while t < len(self._goods):
            t += self._delete_dominated(self._checked) + 1
        while self._strip_single_dummies():
            pass
        self._checked = len(self._goods)

    def _relations(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """(bids whose goods are inside t's at a price >= t's, bids inside which t is at a price <= t's)."""
        count = len(self._goods)
        masks = self._masks[:count]
        mine = self._masks[t]
        dummy = self._dummy[:count]
        price = self._price[:count]
        mine_dummy = self._dummy[t]
        inside_t = ((masks & ~mine) == 0).all(axis=1) & ((dummy == NO_DUMMY) | (dummy == mine_dummy))
        t_inside = ((mine & ~masks) == 0).all(axis=1) & ((mine_dummy == NO_DUMMY) | (dummy == mine_dummy))
        dominates_t = inside_t & (price >= price[t])
        dominated = t_inside & (self._price[t] >= price)
        dominates_t[t] = dominated[t] = False
        return dominates_t, dominated

    def _delete_dominated(self, t: int) -> int:
        """CATS's deleteDominatedBids(t): -1 when bid t goes, else 0 (the bids t dominates go)."""
        dominates_t, dominated = self._relations(t)
        if not dominates_t.any() and not dominated.any():
            return 0
        # Walk in CATS's order: removals move the last bid into the freed place, which is looked at again.
        ids = list(range(len(self._goods)))
        tt = 0
        while tt < len(ids):
            who = ids[tt]
            if who != ids[t]:
                if dominates_t[who]:
                    self._remove_tracked(ids, t)
                    return -1
                if dominated[who]:
                    moved_t = ids[-1] == ids[t]
                    self._remove_tracked(ids, tt)
                    if moved_t:
                        return self._delete_dominated(tt)
                    continue
            tt += 1
        return 0

    def _remove_tracked(self, ids: list[int], index: int) -> None:
        ids[index] = ids[-1]
        ids.pop()
        self.remove(index)

    def _strip_single_dummies(self) -> bool:
        """CATS's removeSingletonDummyGoods(): True when a bid was removed on the way."""
        removed = False
        while True:
            count = len(self._goods)
            dummy = self._dummy[:count]
            if count < 2 or not (dummy != NO_DUMMY).any():
                return removed
            tally = np.bincount(dummy[dummy != NO_DUMMY], minlength=self._next_dummy + 1)
            single = np.flatnonzero(
                (dummy[: count - 1] != NO_DUMMY) & (tally[np.maximum(dummy[: count - 1], 0)] == 1)
            )
            if len(single) == 0:
                return removed
            t = int(single[0])
            self._dummy[t] = NO_DUMMY
            before = len(self._goods)
            self._delete_dominated(t)
            removed = removed or len(self._goods) < before

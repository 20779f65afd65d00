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

Bids are (goods bitmask, dummy id or -1, real price), kept at positions 0..n-1 as CATS keeps them.
The dominance check does not compare a bid with every other (CATS does; that made generation quadratic:
regions 10k bids 8 s, 40k 47 s). Bit sets over positions, one per good (Python integers), answer "which
bids hold all of these goods" with one AND per good of the bid; "which bids have no good outside these"
is asked only of bids without a dummy good (the only ones that can dominate across XOR sets, a few
percent of the bids), kept packed for one numpy test; bids of the same XOR set are compared directly.
The walk over the bids found keeps CATS's order (a heap of positions), so the instances are the same
bid for bid.
"""

from __future__ import annotations

import heapq

import numpy as np

NO_DUMMY = -1
WORD = 64
DIRECT = 8  # bit sets with up to this many positions are read bit by bit, larger ones through numpy


class BidSet:
    """CATS's list of bids, with its dominance check optional (CATS's -no_dom_check turns it off)."""

    def __init__(self, goods: int, dominance: bool = True) -> None:
        self.dominance = dominance
        self._width = goods
        self._goods: list[int] = []  # position -> goods bitmask
        self._dummy: list[int] = []  # position -> dummy good (XOR set) or NO_DUMMY
        self._price: list[float] = []
        self._has = [0] * goods  # good -> bit set of the positions whose bid holds it
        # Bids without a dummy good (a few percent of them), packed for one numpy subset test per check:
        # row -> (goods as 64-bit words, price, position), and position -> row.
        self._words = (goods + WORD - 1) // WORD
        self._plain_masks = np.zeros((64, self._words), dtype=np.uint64)
        self._plain_price = np.zeros(64)
        self._plain_position: list[int] = []
        self._plain_row: dict[int, int] = {}
        self._members: dict[int, set[int]] = {}  # dummy good -> positions of its bids
        self._singles: set[int] = set()  # dummy goods held by exactly one bid
        self._next_dummy = 0
        self._checked = 1  # CATS's first_unchecked_bid starts at 1
        self._xor_open = False

    def __len__(self) -> int:
        return len(self._goods)

    def bids(self) -> list[tuple[int, float]]:
        """(goods bitmask, price) per bid, in CATS's order; dummy goods are dropped."""
        return list(zip(self._goods, self._price, strict=True))

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
        goods, dummy, price = self._goods[last], self._dummy[last], self._price[last]
        self._unindex(last)
        if index != last:
            self._unindex(index)
            self._goods[index], self._dummy[index], self._price[index] = goods, dummy, price
            self._index(index)
        self._goods.pop()
        self._dummy.pop()
        self._price.pop()

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
        width = self._width
        for k, dummy in enumerate(self._dummy):
            if dummy != NO_DUMMY:
                rows.append(k)
                cols.append(width + dummy)
        size = count + width + self._next_dummy + 1
        graph = coo_matrix((np.ones(len(rows)), (rows, np.array(cols, dtype=np.int64) + count)), (size, size))
        _, labels = connected_components(graph, directed=False)
        return np.asarray(labels[:count])

    def _append(self, goods: int, dummy: int, price: float) -> None:
        self._goods.append(goods)
        self._dummy.append(dummy)
        self._price.append(float(price))
        self._index(len(self._goods) - 1)

    def _index(self, position: int) -> None:
        """Enter the bid at ``position`` in the bit sets and the XOR-set tallies."""
        bit = 1 << position
        dummy = self._dummy[position]
        for g in _goods_list(self._goods[position]):
            self._has[g] |= bit
        if dummy == NO_DUMMY:
            row = len(self._plain_position)
            if row == len(self._plain_price):
                self._plain_masks = np.resize(self._plain_masks, (2 * row, self._words))
                self._plain_price = np.resize(self._plain_price, 2 * row)
            self._plain_masks[row] = self._split(self._goods[position])
            self._plain_price[row] = self._price[position]
            self._plain_position.append(position)
            self._plain_row[position] = row
        else:
            members = self._members.setdefault(dummy, set())
            members.add(position)
            self._tally(dummy, members)

    def _unindex(self, position: int) -> None:
        """Take the bid at ``position`` out of the bit sets and the XOR-set tallies."""
        keep = ~(1 << position)
        dummy = self._dummy[position]
        for g in _goods_list(self._goods[position]):
            self._has[g] &= keep
        if dummy == NO_DUMMY:  # the last row takes the freed one
            row = self._plain_row.pop(position)
            last = len(self._plain_position) - 1
            moved = self._plain_position.pop()
            if row != last:
                self._plain_masks[row] = self._plain_masks[last]
                self._plain_price[row] = self._plain_price[last]
                self._plain_position[row] = moved
                self._plain_row[moved] = row
        else:
            members = self._members[dummy]
            members.discard(position)
            self._tally(dummy, members)

    def _split(self, mask: int) -> np.ndarray:
        return _split_words(mask, self._words)

    def _tally(self, dummy: int, members: set[int]) -> None:
        if len(members) == 1:
            self._singles.add(dummy)
        else:
            self._singles.discard(dummy)
        if not members:
            del self._members[dummy]

    def _refine(self) -> None:
        """CATS's refine(): the first unchecked bid against all, then singleton dummy goods."""
        t = self._checked
        while t < len(self._goods):
            t += self._delete_dominated(self._checked) + 1
        while self._strip_single_dummies():
            pass
        self._checked = len(self._goods)

    def _relations(self, t: int) -> tuple[set[int], set[int]]:
        """(positions of bids whose goods are inside t's at a price >= t's, positions of bids inside
        which t is at a price <= t's); a bid with a dummy good relates only to bids of its XOR set and,
        inside t, to bids without one."""
        mine, mine_dummy, price = self._goods[t], self._dummy[t], self._price[t]
        goods, prices = self._goods, self._price
        dominates_t: set[int] = set()
        dominated: set[int] = set()
        if mine_dummy != NO_DUMMY:
            for j in self._members[mine_dummy]:
                if j == t:
                    continue
                if goods[j] & ~mine == 0 and prices[j] >= price:
                    dominates_t.add(j)
                if mine & ~goods[j] == 0 and price >= prices[j]:
                    dominated.add(j)
        elif mine:
            holders = -1
            for g in _goods_list(mine):
                holders &= self._has[g]
            for j in _positions(holders):
                if j != t and price >= prices[j]:
                    dominated.add(j)
        # Bids without a dummy good inside t's goods at a price >= t's: one numpy test over those bids.
        count = len(self._plain_position)
        if count:
            masks = self._plain_masks[:count]
            inside = self._plain_price[:count] >= price
            for w, word in enumerate(self._split(mine)):
                inside &= (masks[:, w] & ~word) == 0
            for row in np.flatnonzero(inside).tolist():
                j = self._plain_position[row]
                if j != t:
                    dominates_t.add(j)
        return dominates_t, dominated

    def _delete_dominated(self, t: int) -> int:
        """CATS's deleteDominatedBids(t): -1 when bid t goes, else 0 (the bids t dominates go)."""
        dominates_t, dominated = self._relations(t)
        if not dominates_t and not dominated:
            return 0
        # CATS walks every position upwards; only the related bids act, so walk those in position order.
        # A removal moves the last bid into the freed place, which is looked at again.
        where = {j: j for j in dominates_t | dominated}  # related bid (by first position) -> position now
        at = {j: j for j in where}  # position now -> related bid
        heap = sorted(where)
        while heap:
            position = heapq.heappop(heap)
            who = at.get(position)
            if who is None or where.get(who) != position:
                continue
            if who in dominates_t:
                self.remove(t)
                return -1
            last = len(self._goods) - 1
            moved_t = last == t
            moving = at.pop(last, None)
            del where[who]
            at.pop(position, None)
            self.remove(position)
            if moved_t:
                return self._delete_dominated(position)
            if moving is not None and moving != who:
                where[moving] = position
                at[position] = moving
                heapq.heappush(heap, position)
        return 0

    def _strip_single_dummies(self) -> bool:
        """CATS's removeSingletonDummyGoods(): True when a bid was removed on the way."""
        removed = False
        while True:
            count = len(self._goods)
            if count < 2 or not self._members:
                return removed
            # CATS looks at every bid but the last
            single = [p for d in self._singles for p in self._members[d] if p < count - 1]
            if not single:
                return removed
            t = min(single)
            self._unindex(t)
            self._dummy[t] = NO_DUMMY
            self._index(t)
            before = len(self._goods)
            self._delete_dominated(t)
            removed = removed or len(self._goods) < before


def _split_words(mask: int, words: int) -> np.ndarray:
    """A goods bitmask as 64-bit words, lowest first."""
    return np.array([(mask >> (WORD * w)) & 0xFFFFFFFFFFFFFFFF for w in range(words)], dtype=np.uint64)


def _goods_list(mask: int) -> list[int]:
    """The set bits of ``mask``, lowest first."""
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


def _positions(bits: int) -> list[int]:
    """The set bits of a bit set over positions, lowest first: one by one when few (each step costs the
    set's width in words), else through bytes and numpy (a cost in the width's bytes)."""
    if not bits:
        return []
    if bits.bit_count() <= DIRECT:
        return _goods_list(bits)
    raw = np.frombuffer(bits.to_bytes((bits.bit_length() + 7) // 8, "little"), dtype=np.uint8)
    return np.flatnonzero(np.unpackbits(raw, bitorder="little")).tolist()

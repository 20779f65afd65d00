// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IPartitionChallenge} from "../../../contracts/interfaces/IPartitionChallenge.sol";
import {SplitRule} from "../../../contracts/libraries/RevenueSplit.sol";
import {HandlerBase} from "./HandlerBase.sol";

/// @title PartitionModel
/// @notice The handlers' shared reference model of a round's clearing and settlement over N = 4 rollups, from
///         the specs (NatSpec of PartitionChallenge, Settlement and RevenueSplit), never from the market's code:
///         which partitions are valid (and the first error of one that is not), their value and rank, the optimum by
///         brute force over every partition, partitions to propose (valid but worse, or mostly invalid), the
///         bundles that sell, and each rollup's share of a bundle's revenue under the split rule.
/// @dev The mechanism's handler supplies b(B) (`_bid`: best sealed bid, or ticket revenue) and the reserves
///      (`_reserveOf`). Bundles are masks 1..15; b(B) of any other mask is never asked for.
abstract contract PartitionModel is HandlerBase {
    uint256 public constant N = 4;
    /// @dev The bundle of all N rollups.
    uint256 internal constant ALL = (1 << N) - 1;

    SplitRule public immutable splitRule;

    constructor(SplitRule rule) {
        splitRule = rule;
    }

    /// @dev b(B): the best bid for exactly `bundle` in `round` from anyone but `excluded` (nobody if 0).
    function _bid(uint256 round, uint256 bundle, address excluded) internal view virtual returns (uint256);

    /// @dev r_i: the reserve of rollup `i` in `round`.
    function _reserveOf(uint256 i, uint256 round) internal view virtual returns (uint256);

    /// @dev v({i}) = max(b({i}), r_i).
    function _singletonValue(uint256 round, uint256 i, address excluded) internal view returns (uint256) {
        uint256 bid = _bid(round, 1 << i, excluded);
        uint256 reserve = _reserveOf(i, round);
        return bid > reserve ? bid : reserve;
    }

    function _singletonValue(uint256 round, uint256 i) internal view returns (uint256) {
        return _singletonValue(round, i, address(0));
    }

    /// @dev Validity (the first error, with its arguments, in the order the contract checks) and value of a
    ///      proposed partition, valued without `excluded`'s bids (W(-i) for VCG; nobody excluded if 0).
    function _judgePartition(uint256 round, uint256[] memory bundles, address excluded)
        internal
        view
        returns (bytes memory failure, uint256 value)
    {
        uint256 covered;
        for (uint256 k; k < bundles.length; ++k) {
            uint256 b = bundles[k];
            if (b == 0) return (abi.encodeWithSelector(IPartitionChallenge.EmptyBundle.selector, k), 0);
            if (b >> N != 0) return (abi.encodeWithSelector(IPartitionChallenge.BundleOutOfRange.selector, b), 0);
            if (_popcount(b) < 2) return (abi.encodeWithSelector(IPartitionChallenge.SingletonListed.selector, b), 0);
            if (b & covered != 0) {
                return (abi.encodeWithSelector(IPartitionChallenge.OverlappingBundle.selector, b), 0);
            }
            covered |= b;
            uint256 bid = _bid(round, b, excluded);
            if (bid == 0) return (abi.encodeWithSelector(IPartitionChallenge.NoBidForBundle.selector, b), 0);
            uint256 reserves = _reservesOf(round, b);
            if (bid < reserves) {
                return (abi.encodeWithSelector(IPartitionChallenge.BundleBelowReserves.selector, b, bid, reserves), 0);
            }
            value += bid;
        }
        for (uint256 i; i < N; ++i) {
            if (covered & (1 << i) == 0) value += _singletonValue(round, i, excluded);
        }
    }

    /// @dev The sum of the reserves of `bundle`'s rollups.
    function _reservesOf(uint256 round, uint256 bundle) internal view returns (uint256 total) {
        for (uint256 i; i < N; ++i) {
            if (bundle & (1 << i) != 0) total += _reserveOf(i, round);
        }
    }

    /// @dev Whether the partition listing `bundles`, worth `value`, ranks above the one listing `kept`, worth
    ///      `keptValue`: a higher value; at equal value fewer rollups in listed bundles; then the smaller tie key,
    ///      the sum (wrapping) of keccak256(abi.encode(bundle)) over the listed bundles.
    function _outranks(uint256 value, uint256[] memory bundles, uint256 keptValue, uint256[] memory kept)
        internal
        pure
        returns (bool)
    {
        if (value != keptValue) return value > keptValue;
        (uint256 covered, uint256 key) = _rank(bundles);
        (uint256 keptCovered, uint256 keptKey) = _rank(kept);
        if (covered != keptCovered) return covered < keptCovered;
        return key < keptKey;
    }

    function _rank(uint256[] memory bundles) private pure returns (uint256 covered, uint256 key) {
        for (uint256 k; k < bundles.length; ++k) {
            covered += _popcount(bundles[k]);
            unchecked {
                key += uint256(keccak256(abi.encode(bundles[k])));
            }
        }
    }

    /// @dev Brute force over all partitions of the N rollups: best[mask] = max over the block holding mask's
    ///      lowest rollup (a singleton is worth v({i}), a bundle b(B) if it has a bid). Returns the optimum
    ///      (without `excluded`'s bids) and its multi-rollup bundles.
    function _optimalPartition(uint256 round, address excluded)
        internal
        view
        returns (uint256 optimum, uint256[] memory bundles)
    {
        uint256[ALL + 1] memory best;
        uint256[ALL + 1] memory choice;
        uint256[ALL + 1] memory blockValue;
        for (uint256 b = 1; b <= ALL; ++b) {
            blockValue[b] = _popcount(b) == 1 ? _singletonValue(round, _lowest(b), excluded) : _bid(round, b, excluded);
            // A bundle bid below its rollups' reserves can never be listed.
            if (_popcount(b) >= 2 && blockValue[b] < _reservesOf(round, b)) blockValue[b] = 0;
        }
        for (uint256 mask = 1; mask <= ALL; ++mask) {
            uint256 low = mask & (~mask + 1);
            bool found;
            for (uint256 sub = mask; sub != 0; sub = (sub - 1) & mask) {
                if (sub & low == 0) continue;
                if (_popcount(sub) >= 2 && blockValue[sub] == 0) continue; // a bundle needs a bid
                uint256 v = blockValue[sub] + best[mask ^ sub];
                if (!found || v > best[mask]) {
                    best[mask] = v;
                    choice[mask] = sub;
                    found = true;
                }
            }
        }
        optimum = best[ALL];
        bundles = new uint256[](N / 2);
        uint256 count;
        for (uint256 mask = ALL; mask != 0; mask ^= choice[mask]) {
            if (_popcount(choice[mask]) >= 2) bundles[count++] = choice[mask];
        }
        assembly ("memory-safe") {
            mstore(bundles, count)
        }
    }

    /// @dev Multi-rollup bundles that have a bid in `round` from someone but `excluded`.
    function _bundlesWithBid(uint256 round, address excluded)
        internal
        view
        returns (uint256[11] memory withBid, uint256 n)
    {
        for (uint256 b = 3; b <= ALL; ++b) {
            if (_popcount(b) >= 2 && _bid(round, b, excluded) != 0) withBid[n++] = b;
        }
    }

    /// @dev A valid partition, usually not the best: bundles with bids taken greedily in random order.
    function _disjointBundles(uint256 round, uint256 seed, address excluded)
        internal
        view
        returns (uint256[] memory bundles)
    {
        (uint256[11] memory withBid, uint256 n) = _bundlesWithBid(round, excluded);
        bundles = new uint256[](N / 2);
        uint256 count;
        uint256 covered;
        for (uint256 k; k < n; ++k) {
            uint256 b = withBid[(seed + k) % n];
            if (b & covered != 0 || (seed >> (8 + k)) % 3 == 0) continue;
            covered |= b;
            bundles[count++] = b;
        }
        assembly ("memory-safe") {
            mstore(bundles, count)
        }
    }

    /// @dev Zero to three bundles, each one with a bid or any mask below 20 (empty, singletons, bundles without
    ///      a bid, out of range), so mostly invalid: overlapping, singletons, empty...
    function _randomBundles(uint256 round, uint256 seed) internal view returns (uint256[] memory bundles) {
        bundles = new uint256[](seed % 4);
        (uint256[11] memory withBid, uint256 n) = _bundlesWithBid(round, address(0));
        for (uint256 k; k < bundles.length; ++k) {
            uint256 r = uint256(keccak256(abi.encode(seed, k)));
            bundles[k] = (n != 0 && r % 5 < 3) ? withBid[(r >> 8) % n] : (r >> 8) % 20;
        }
    }

    /// @dev What finalize sells on the partition `kept`: its bundles, then (in rollup order) every other rollup
    ///      whose best singleton bid is non-zero and meets the reserve, also returned as a bitmask.
    function _soldBundles(uint256 round, uint256[] memory kept)
        internal
        view
        returns (uint256[] memory sold, uint256 soldSingletons)
    {
        sold = new uint256[](kept.length + N);
        uint256 count;
        uint256 covered;
        for (uint256 k; k < kept.length; ++k) {
            covered |= kept[k];
            sold[count++] = kept[k];
        }
        for (uint256 i; i < N; ++i) {
            if (covered & (1 << i) != 0) continue;
            uint256 bid = _bid(round, 1 << i, address(0));
            if (bid != 0 && bid >= _reserveOf(i, round)) {
                soldSingletons |= 1 << i;
                sold[count++] = 1 << i;
            }
        }
        assembly ("memory-safe") {
            mstore(sold, count)
        }
    }

    /// @dev Each rollup's share of `bundle`'s `revenue`: revenue * w_i / sum w (floored), the remainder to the
    ///      bundle's lowest rollup; all-zero weights split equally. w_i: r_i, or v({i}) = max(b({i}), r_i), by
    ///      the split rule.
    function _split(uint256 round, uint256 bundle, uint256 revenue) internal view returns (uint256[N] memory shares) {
        uint256[N] memory weights;
        uint256 total;
        uint256 size;
        uint256 first = N;
        for (uint256 i; i < N; ++i) {
            if (bundle & (1 << i) == 0) continue;
            if (first == N) first = i;
            ++size;
            weights[i] = splitRule == SplitRule.Reserves ? _reserveOf(i, round) : _singletonValue(round, i);
            total += weights[i];
        }
        uint256 paid;
        for (uint256 i; i < N; ++i) {
            if (bundle & (1 << i) == 0) continue;
            shares[i] = total == 0 ? revenue / size : (revenue * weights[i]) / total;
            paid += shares[i];
        }
        shares[first] += revenue - paid;
    }
}

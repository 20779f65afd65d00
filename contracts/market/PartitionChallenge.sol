// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BundleMask} from "../libraries/BundleMask.sol";
import {IPartitionChallenge} from "../interfaces/IPartitionChallenge.sol";
import {RollupRegistry} from "./RollupRegistry.sol";

/// @title PartitionChallenge
/// @notice On-chain verification of an off-chain clearing. Anyone may propose a partition of the rollups
///         (the multi-rollup bundles; every other rollup is a singleton). The contract checks it is a
///         partition whose bundles all have a bid at least their rollups' reserves, values it, and keeps it
///         only if it ranks above the best so far. A better partition is the fraud proof against a worse one,
///         so nobody has to trust the clearing operator. With no proposal the singleton partition stands.
///         Ranking: a higher value first; at equal value, fewer rollups in listed bundles (the off-chain
///         clearing's tie rule); then the smaller tie key, sum of keccak256(bundle) over the listed bundles.
///         The order is total, so the partition kept depends on which partitions were proposed, never on the
///         order they arrived in: front-running a proposal with another of equal value gains nothing.
/// @dev Value of a partition: sum over its bundles of v(B), with v({i}) = max(b({i}), r_i) and v(B) = b(B)
///      for |B| >= 2. Computed as baseline + sum over listed bundles of (b(B) - sum_{i in B} v({i})), where
///      baseline = sum_i v({i}) is the singleton partition's value, so a proposal costs gas in proportion
///      to the rollups it covers. The mechanism (sealed bids, lottery) supplies b(B) and the phase rule.
abstract contract PartitionChallenge is IPartitionChallenge, RollupRegistry {
    using BundleMask for uint256;

    struct Clearing {
        bool valued;
        uint256 baseline;
        uint256 value;
        // Rollups in the listed bundles and the tie key: how equal-value partitions rank (see the notice).
        uint256 covered;
        uint256 tieKey;
        uint256[] bundles;
    }

    /// @dev A partition's rank: its value, the rollups its listed bundles cover, and its tie key.
    struct Rank {
        uint256 value;
        uint256 covered;
        uint256 tieKey;
    }

    mapping(uint256 round => Clearing) private _clearings;

    /// @inheritdoc IPartitionChallenge
    function propose(uint256 round, uint256[] calldata bundles) external returns (uint256 value) {
        _requireProposalPhase(round);
        Clearing storage clearing = _valuedClearing(round);
        Rank memory rank = _rankPartition(round, bundles, address(0));
        if (!_outranks(rank, clearing)) revert NotBetter(rank.value, clearing.value);
        _adopt(round, clearing, bundles, rank);
        return rank.value;
    }

    /// @inheritdoc IPartitionChallenge
    function valuePartition(uint256 round, uint256[] calldata bundles) public view returns (uint256) {
        return _rankPartition(round, bundles, address(0)).value;
    }

    /// @inheritdoc IPartitionChallenge
    function singletonPartitionValue(uint256 round) public view returns (uint256) {
        return _singletonPartitionValue(round, address(0));
    }

    /// @inheritdoc IPartitionChallenge
    function singletonValue(uint256 round, uint256 rollup) public view returns (uint256) {
        return _singletonValue(round, rollup, address(0));
    }

    /// @inheritdoc IPartitionChallenge
    function bestPartition(uint256 round) public view returns (uint256[] memory bundles, uint256 value) {
        Clearing storage clearing = _clearings[round];
        bundles = clearing.bundles;
        value = clearing.valued ? clearing.value : singletonPartitionValue(round);
    }

    /// @dev Validates and ranks `bundles` as a partition of `round`, ignoring `excluded`'s bids (none if 0).
    function _rankPartition(uint256 round, uint256[] calldata bundles, address excluded)
        internal
        view
        returns (Rank memory rank)
    {
        Clearing storage clearing = _clearings[round];
        uint256 value = clearing.valued && excluded == address(0)
            ? clearing.baseline
            : _singletonPartitionValue(round, excluded);
        uint256 covered = 0;
        uint256 tieKey = 0;
        uint256 n = rollupCount;
        for (uint256 k; k < bundles.length; ++k) {
            uint256 bundle = bundles[k];
            if (bundle == 0) revert EmptyBundle(k);
            if (!bundle.within(n)) revert BundleOutOfRange(bundle);
            if (bundle.size() < 2) revert SingletonListed(bundle);
            if (bundle & covered != 0) revert OverlappingBundle(bundle);
            covered |= bundle;
            (uint256 bid, uint256 parts) = _listedBundle(round, bundle, excluded);
            // Adding before subtracting keeps a worse-than-singletons bundle from underflowing.
            value = value + bid - parts;
            unchecked {
                tieKey += uint256(keccak256(abi.encode(bundle))); // wraps: only equality and order matter
            }
        }
        return Rank(value, covered.size(), tieKey);
    }

    /// @dev A listed bundle's bid b(B) and the value of its rollups as singletons; reverts when it has no bid or
    ///      a bid below its rollups' reserves.
    function _listedBundle(uint256 round, uint256 bundle, address excluded)
        private
        view
        returns (uint256 bid, uint256 parts)
    {
        bid = _bundleBid(round, bundle, excluded);
        if (bid == 0) revert NoBidForBundle(bundle);
        uint256 reserves = 0;
        for (uint256 rest = bundle; rest != 0; rest &= rest - 1) {
            uint256 i = rest.lowestIndex();
            parts += _singletonValue(round, i, excluded);
            reserves += reserveAt(i, round);
        }
        if (bid < reserves) revert BundleBelowReserves(bundle, bid, reserves);
    }

    /// @dev Whether a partition of rank `rank` ranks above the round's best so far (see the notice).
    function _outranks(Rank memory rank, Clearing storage clearing) internal view returns (bool) {
        if (rank.value != clearing.value) return rank.value > clearing.value;
        if (rank.covered != clearing.covered) return rank.covered < clearing.covered;
        return rank.tieKey < clearing.tieKey;
    }

    function _singletonPartitionValue(uint256 round, address excluded) internal view returns (uint256 value) {
        for (uint256 i; i < rollupCount; ++i) {
            value += _singletonValue(round, i, excluded);
        }
    }

    function _singletonValue(uint256 round, uint256 rollup, address excluded) internal view returns (uint256) {
        uint256 bid = _bundleBid(round, BundleMask.singleton(rollup), excluded);
        uint256 reserve = reserveAt(rollup, round);
        return bid > reserve ? bid : reserve;
    }

    /// @dev The multi-rollup bundles of the round's best partition so far.
    function _keptBundles(uint256 round) internal view returns (uint256[] storage) {
        return _clearings[round].bundles;
    }

    /// @dev Makes `bundles` (already validated and ranked `rank`) the round's best partition.
    function _adopt(uint256 round, Clearing storage clearing, uint256[] calldata bundles, Rank memory rank)
        internal
    {
        clearing.value = rank.value;
        clearing.covered = rank.covered;
        clearing.tieKey = rank.tieKey;
        clearing.bundles = bundles;
        emit PartitionProposed(round, msg.sender, bundles, rank.value);
    }

    /// @dev The clearing of `round`, its value initialised to the singleton partition's on first use.
    function _valuedClearing(uint256 round) internal returns (Clearing storage clearing) {
        clearing = _clearings[round];
        if (!clearing.valued) {
            uint256 baseline = singletonPartitionValue(round);
            clearing.valued = true;
            clearing.baseline = baseline;
            clearing.value = baseline;
        }
    }

    /// @dev Best bid for exactly `bundle` in `round` from anyone but `excluded` (0: from anyone); 0 if none.
    function _bundleBid(uint256 round, uint256 bundle, address excluded) internal view virtual returns (uint256);

    /// @dev Reverts unless proposals for `round` are accepted now.
    function _requireProposalPhase(uint256 round) internal view virtual;
}

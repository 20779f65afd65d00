// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRollupRegistry} from "./IRollupRegistry.sol";

/// @title IPartitionChallenge
/// @notice On-chain verification of the off-chain clearing: anyone proposes a partition of the rollups, the
///         market keeps it only if it ranks above the best so far: worth more, or worth as much and covering
///         fewer rollups with listed bundles, or equal on both with a smaller tie key (sum of keccak256(bundle)).
interface IPartitionChallenge is IRollupRegistry {
    /// @notice Emitted when `proposer` replaces the round's best partition by `bundles`, worth `value`.
    /// @dev `value` is the partition's value W (every rollup counted, unsold ones at their reserves), not what
    ///      anyone pays; `bundles` lists only its multi-rollup bundles.
    event PartitionProposed(uint256 indexed round, address indexed proposer, uint256[] bundles, uint256 value);

    /// @notice Thrown when the bundle at `position` of a proposed partition is empty.
    error EmptyBundle(uint256 position);

    /// @notice Thrown when a proposed partition lists a single-rollup `bundle` (singletons are implied).
    error SingletonListed(uint256 bundle);

    /// @notice Thrown when a proposed `bundle` holds a rollup index at or beyond rollupCount.
    error BundleOutOfRange(uint256 bundle);

    /// @notice Thrown when a proposed `bundle` shares a rollup with an earlier bundle of the partition.
    error OverlappingBundle(uint256 bundle);

    /// @notice Thrown when a proposed `bundle` has no bid (no ticket sold, for the lottery); for a counterfactual
    ///         claim, no bid from anyone but the bidder left out.
    error NoBidForBundle(uint256 bundle);

    /// @notice Thrown when a proposed `bundle`'s bid is below `reserves`, the sum of its rollups' reserves: it can
    ///         never be optimal, and selling it would sell those rollups below their reserves.
    error BundleBelowReserves(uint256 bundle, uint256 bid, uint256 reserves);

    /// @notice Thrown when a proposal worth `value` does not rank above the standing partition worth `best`, or
    ///         a counterfactual claim worth `value` is not strictly above the standing claim `best`.
    error NotBetter(uint256 value, uint256 best);

    /// @notice Propose `bundles` as the round's partition; kept only if it ranks above the best so far.
    /// @param round The round, which must be in its challenge phase.
    /// @param bundles Disjoint multi-rollup bundles, each with a bid at least its rollups' reserves; unlisted
    ///        rollups are singletons.
    /// @return value The partition's value.
    function propose(uint256 round, uint256[] calldata bundles) external returns (uint256 value);

    /// @notice Check `bundles` as a partition for `round` and return its value; reverts if it is not valid.
    function valuePartition(uint256 round, uint256[] calldata bundles) external view returns (uint256);

    /// @notice Value of the partition in which every rollup is a singleton: sum_i max(b({i}), r_i).
    function singletonPartitionValue(uint256 round) external view returns (uint256);

    /// @notice v({i}) in `round`: the best singleton bid or the reserve, whichever is larger.
    function singletonValue(uint256 round, uint256 rollup) external view returns (uint256);

    /// @notice The round's best partition so far (its multi-rollup bundles) and its value.
    function bestPartition(uint256 round) external view returns (uint256[] memory bundles, uint256 value);
}

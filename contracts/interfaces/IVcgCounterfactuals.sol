// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IPartitionChallenge} from "./IPartitionChallenge.sol";

/// @title IVcgCounterfactuals
/// @notice Verifiable VCG payments: W(-i), the welfare without winner i, is claimed by exhibiting a partition.
interface IVcgCounterfactuals is IPartitionChallenge {
    /// @notice Emitted when `claimant` raises W(-bidder) to `value` with the partition `bundles` valued without
    ///         `bidder`.
    /// @dev `value` is W(-bidder), a welfare, not a payment: the winner pays W(-bidder) - (W - b_bidder), at most
    ///      its bid. If `value` exceeds the round's best partition, `bundles` also becomes the best partition (a
    ///      `PartitionProposed` event follows).
    event CounterfactualClaimed(
        uint256 indexed round, address indexed bidder, address indexed claimant, uint256[] bundles, uint256 value
    );

    /// @notice Thrown when a counterfactual is claimed in a market that does not charge VCG payments.
    error VcgDisabled();

    /// @notice Thrown when a counterfactual is claimed for the zero address.
    error ZeroBidder();

    /// @notice Best claimed W(-bidder) for `round` (0 until someone claims).
    function counterfactualValue(uint256 round, address bidder) external view returns (uint256);

    /// @notice Who made the best W(-bidder) claim for `round` (paid the claim bounty at settlement).
    function counterfactualClaimant(uint256 round, address bidder) external view returns (address);

    /// @notice Claim W(-bidder) for `round` by exhibiting a partition valued without `bidder`'s bids.
    /// @dev Kept only if strictly above the standing claim. If it is worth more than the round's best
    ///      partition, that partition is replaced by this one (valued with every bid).
    /// @param round The round, which must be in its challenge phase.
    /// @param bidder The winner whose counterfactual this is.
    /// @param bundles Disjoint multi-rollup bundles, each with a bid from someone other than `bidder`.
    /// @return value The partition's value without `bidder`.
    function claimCounterfactual(uint256 round, address bidder, uint256[] calldata bundles)
        external
        returns (uint256 value);
}

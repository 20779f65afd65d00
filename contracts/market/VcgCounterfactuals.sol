// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IVcgCounterfactuals} from "../interfaces/IVcgCounterfactuals.sol";
import {PartitionChallenge} from "./PartitionChallenge.sol";

/// @title VcgCounterfactuals
/// @notice Verifiable VCG payments. A winner i pays p_i = W(-i) - (W - b_i): the welfare the others would
///         have without i, minus what they get with i. W(-i) is claimed, like W itself, by exhibiting a
///         partition: one valued without any of i's bids (for each bundle the best bid from another bidder,
///         i.e. the stored second-best bid where i holds the best). Anyone may raise a claim during the
///         challenge phase; the claim only ever goes up. The market never settles W(-i) below the final
///         partition with i's bundles dissolved (each freed rollup valued without i), which is feasible without i.
/// @dev A counterfactual worth more than W proves W suboptimal (i's bids only add value), so it also
///      replaces the round's partition. The best claim's maker is recorded: it earns the claim bounty.
abstract contract VcgCounterfactuals is IVcgCounterfactuals, PartitionChallenge {
    /// @inheritdoc IVcgCounterfactuals
    mapping(uint256 round => mapping(address bidder => uint256)) public counterfactualValue;
    /// @inheritdoc IVcgCounterfactuals
    mapping(uint256 round => mapping(address bidder => address)) public counterfactualClaimant;

    /// @inheritdoc IVcgCounterfactuals
    function claimCounterfactual(uint256 round, address bidder, uint256[] calldata bundles)
        external
        returns (uint256 value)
    {
        if (!_vcgEnabled()) revert VcgDisabled();
        if (bidder == address(0)) revert ZeroBidder();
        _requireProposalPhase(round);
        Clearing storage clearing = _valuedClearing(round);
        value = _rankPartition(round, bundles, bidder).value;
        uint256 standing = counterfactualValue[round][bidder];
        if (value <= standing) revert NotBetter(value, standing);
        counterfactualValue[round][bidder] = value;
        counterfactualClaimant[round][bidder] = msg.sender;
        emit CounterfactualClaimed(round, bidder, msg.sender, bundles, value);
        if (value > clearing.value) {
            // Valued with every bid it is worth at least `value`, so it outranks the partition it replaces.
            _adopt(round, clearing, bundles, _rankPartition(round, bundles, address(0)));
        }
    }

    /// @dev Whether this market charges VCG payments.
    function _vcgEnabled() internal view virtual returns (bool);
}

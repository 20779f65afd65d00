// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TicketPricing} from "../libraries/TicketPricing.sol";

/// @title TicketPricingHarness (test only)
/// @notice Exposes TicketPricing so the Python mirror can be checked against it for arbitrary parameters.
contract TicketPricingHarness {
    /// @notice TicketPricing.ticketPrice.
    function ticketPrice(uint8 curve, uint256 base, uint256 target, uint256 k, uint256 beta, uint256 gamma)
        external
        pure
        returns (uint256)
    {
        return TicketPricing.ticketPrice(TicketPricing.Curve(curve), base, target, k, beta, gamma);
    }

    /// @notice TicketPricing.cost.
    function cost(uint8 curve, uint256 base, uint256 target, uint256 sold, uint256 count, uint256 beta, uint256 gamma)
        external
        pure
        returns (uint256)
    {
        return TicketPricing.cost(TicketPricing.Curve(curve), base, target, sold, count, beta, gamma);
    }

    /// @notice TicketPricing.nextBase.
    function nextBase(uint256 base, uint256 sold, uint256 target, uint256 floor) external pure returns (uint256) {
        return TicketPricing.nextBase(base, sold, target, floor);
    }

    /// @notice TicketPricing.decay.
    function decay(uint256 base, uint256 rounds, uint256 target, uint256 floor) external pure returns (uint256) {
        return TicketPricing.decay(base, rounds, target, floor);
    }

    /// @notice TicketPricing.expWad.
    function expWad(uint256 x) external pure returns (uint256) {
        return TicketPricing.expWad(x);
    }
}

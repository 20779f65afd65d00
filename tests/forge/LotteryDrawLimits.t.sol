// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {LotteryMarket} from "../../contracts/LotteryMarket.sol";
import {ILotteryMarket} from "../../contracts/interfaces/ILotteryMarket.sol";
import {SplitRule} from "../../contracts/libraries/RevenueSplit.sol";
import {TicketPricing} from "../../contracts/libraries/TicketPricing.sol";
import {LotteryHandler} from "./invariant/LotteryHandler.sol";
import {TestBase} from "./utils/Vm.sol";

/// @title The lottery's deployment checks, chain by chain
/// @notice The draw settings docs/randao-bias.md derives are enforced by block.chainid (vm.chainId here): on
///         Ethereum mainnet and its public testnets a lookahead of at least 128 blocks, a window of at most 2 and
///         at most one re-arm; no limits on local development chains (31337, 1337); every other chain refused.
///         A fuzz test holds every constructor check, chain included, against the invariant handler's model.
contract LotteryDrawLimitsTest is TestBase {
    uint256 internal constant FORGE_CHAIN = 31337;
    uint256[4] internal ethereum = [uint256(1), 11155111, 17000, 560048];
    /// @dev OP Mainnet, Base, Arbitrum One, Polygon PoS, Gnosis, zkSync Era, Scroll, Linea, the retired Goerli.
    uint256[9] internal others = [uint256(10), 8453, 42161, 137, 100, 324, 534352, 59144, 5];

    LotteryHandler internal model;

    function setUp() public {
        model = new LotteryHandler(TicketPricing.Curve.Linear, SplitRule.Reserves, 0);
    }

    /// @dev A configuration every chain with a real RANDAO accepts: mainnet's recommended settings.
    function _mainnetConfig() internal pure returns (LotteryMarket.Config memory c) {
        c.payouts = new address[](2);
        c.payouts[0] = address(0xA0);
        c.payouts[1] = address(0xA1);
        c.reserves = new uint256[](2);
        c.startBlock = 10;
        c.saleBlocks = 300;
        c.challengeBlocks = 100; // the lookahead must exceed it
        c.lookahead = 128;
        c.drawWindow = 2;
        c.targetTickets = 10;
        c.curve = TicketPricing.Curve.Linear;
        c.beta = 1e18;
        c.gamma = 693147180559945309;
        c.priceFloor = 1e12;
        c.maxRearms = 1;
        c.drawBountyBps = 100;
        c.splitRule = SplitRule.Reserves;
    }

    /// @dev Deploys `c` on chain `chainId`; returns the revert data (empty: deployed).
    function _deployOn(uint256 chainId, LotteryMarket.Config memory c) internal returns (bytes memory reason) {
        vm.chainId(chainId);
        try new LotteryMarket(c) returns (LotteryMarket) {
            reason = "";
        } catch (bytes memory why) {
            reason = why;
        }
        vm.chainId(FORGE_CHAIN);
    }

    function _assertReverts(bytes memory reason, bytes memory expected, string memory what) internal pure {
        assertTrue(reason.length != 0, string.concat(what, ": deployed"));
        assertTrue(keccak256(reason) == keccak256(expected), string.concat(what, ": another error"));
    }

    function test_ethereumChainsEnforceTheDocumentedLimits() public {
        for (uint256 k; k < ethereum.length; ++k) {
            uint256 chainId = ethereum[k];
            ILotteryMarket.DrawLimits memory limits = model.market().drawLimits(chainId);
            assertTrue(limits.supported, "Ethereum chains are supported");
            assertEq(limits.minLookahead, 128, "lookahead >= 128 blocks (4 epochs)");
            assertEq(limits.maxDrawWindow, 2, "window <= 2 blocks");
            assertEq(limits.maxRearms, 1, "at most one re-arm");

            LotteryMarket.Config memory c = _mainnetConfig();
            assertEq(_deployOn(chainId, c).length, 0, "the recommended settings deploy");
            c.lookahead = 127;
            _assertReverts(
                _deployOn(chainId, c),
                abi.encodeWithSelector(ILotteryMarket.LookaheadTooShort.selector, 127, 128),
                "lookahead 127"
            );
            c = _mainnetConfig();
            c.drawWindow = 3;
            _assertReverts(
                _deployOn(chainId, c),
                abi.encodeWithSelector(ILotteryMarket.DrawWindowTooWide.selector, 3, 2),
                "window 3"
            );
            c = _mainnetConfig();
            c.maxRearms = 2;
            _assertReverts(
                _deployOn(chainId, c), abi.encodeWithSelector(ILotteryMarket.TooManyRearms.selector, 2, 1), "re-arms 2"
            );
            c = _mainnetConfig();
            c.drawWindow = 1;
            c.maxRearms = 0;
            assertEq(_deployOn(chainId, c).length, 0, "a narrower window and no re-arm deploy");
        }
    }

    function test_localChainsHaveNoLimits() public {
        LotteryMarket.Config memory c = _mainnetConfig();
        (c.saleBlocks, c.challengeBlocks, c.lookahead, c.drawWindow, c.maxRearms) = (3, 3, 4, 50, 9);
        assertEq(_deployOn(31337, c).length, 0, "anvil");
        assertEq(_deployOn(1337, c).length, 0, "eth-tester");
        assertEq(_deployOn(1, c).length != 0 ? 1 : 0, 1, "mainnet refuses the same settings");
    }

    function test_chainsWithoutBeaconRandaoAreRefused() public {
        for (uint256 k; k < others.length; ++k) {
            assertTrue(!model.market().drawLimits(others[k]).supported, "not supported");
            _assertReverts(
                _deployOn(others[k], _mainnetConfig()),
                abi.encodeWithSelector(ILotteryMarket.ChainWithoutRandao.selector, others[k]),
                "refused"
            );
        }
    }

    /// Every constructor check, chain included, as the handler's model predicts it: mainnet's settings with zero
    /// to three fields moved to an edge (so every check is reached, alone or behind another), on a chain from
    /// the table, a local one or any other.
    function testFuzz_deploymentIsCheckedAsModelled(uint256 seed) public {
        LotteryMarket.Config memory c = _mainnetConfig();
        for (uint256 m; m < seed % 4; ++m) {
            _moveToEdge(c, uint256(keccak256(abi.encode(seed, m))));
        }
        uint256 r = (seed >> 128) % 8;
        uint256 chainId = r < 4 ? ethereum[r] : r == 4 ? 31337 : r == 5 ? 1337 : others[(seed >> 136) % 9];
        if (r == 7) chainId = uint64(seed >> 144); // any chain (vm.chainId takes 64 bits)
        bytes memory expected = model.modelConfigError(c, chainId);
        bytes memory reason = _deployOn(chainId, c);
        assertTrue(keccak256(reason) == keccak256(expected), "deployment outcome == model");
    }

    /// @dev Moves one field of `c` to one of its edges (just inside or just outside a limit).
    function _moveToEdge(LotteryMarket.Config memory c, uint256 seed) internal pure {
        uint256 field = seed % 8;
        uint256 k = (seed >> 8) % 4;
        uint256 u32 = type(uint32).max;
        uint256 belowChallenge = c.challengeBlocks == 0 ? 0 : c.challengeBlocks - 1;
        if (field == 0) c.saleBlocks = [0, belowChallenge, c.challengeBlocks, u32 + 1][k];
        else if (field == 1) c.challengeBlocks = [0, c.saleBlocks, c.saleBlocks + 1, c.lookahead][k];
        else if (field == 2) c.lookahead = [127, 128, c.challengeBlocks, u32 + 1][k];
        else if (field == 3) c.drawWindow = [0, 1, 3, u32 + 1][k];
        else if (field == 4) c.maxRearms = [0, 2, 3, u32 + 1][k];
        else if (field == 5) c.drawBountyBps = [0, 9_999, 10_000, 10_001][k];
        else if (field == 6) c.targetTickets = [1, 2, u32 / 2, u32 / 2 + 1][k];
        else c.priceFloor = [0, 1, type(uint96).max, uint256(type(uint96).max) + 1][k];
    }
}

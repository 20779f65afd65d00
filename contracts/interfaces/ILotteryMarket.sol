// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TicketPricing} from "../libraries/TicketPricing.sol";
import {IMarket} from "./IMarket.sol";

/// @title ILotteryMarket
/// @notice Execution tickets per bundle: a bundle's ticket revenue is its value in the clearing, and each sold
///         bundle's sequencer is drawn from RANDAO in proportion to tickets held; losing tickets are refunded.
interface ILotteryMarket is IMarket {
    /// @notice A round's draw: the block from which it is accepted, re-arms used, whether it is drawn, voided or
    ///         finalized, the block it was voided in (0 if not), its seed, which singletons sold (bit i: rollup i)
    ///         and who drew the seed (paid the draw bounty; the zero address until drawn).
    struct Draw {
        uint64 target;
        uint32 rearms;
        bool drawn;
        bool voided;
        bool finalized;
        uint64 voidedAt;
        bytes32 seed;
        uint256 soldSingletons;
        address drawer;
    }

    /// @notice The draw settings a chain needs (docs/randao-bias.md, "Per-chain minimums"): `supported` is false
    ///         where PREVRANDAO is not a beacon-chain RANDAO mix (L2s: the sequencer sets it) or the chain was
    ///         not analysed; otherwise the lookahead must be at least `minLookahead` blocks, the draw window at
    ///         most `maxDrawWindow` blocks and the re-arms at most `maxRearms`.
    struct DrawLimits {
        bool supported;
        uint256 minLookahead;
        uint256 maxDrawWindow;
        uint256 maxRearms;
    }

    /// @notice Emitted when `buyer` buys `count` tickets of `bundle` for `cost`, numbered from `firstTicket`.
    /// @dev Tickets are numbered from 0 per round and bundle: this purchase holds firstTicket to
    ///      firstTicket + count - 1. `cost` is what was charged; any excess sent was credited back.
    event TicketsBought(
        uint256 indexed round,
        uint256 indexed bundle,
        address indexed buyer,
        uint256 count,
        uint256 cost,
        uint256 firstTicket
    );

    /// @notice Emitted when a missed draw window moves `round`'s draw to block `target`, re-arm number `rearms`.
    event DrawRearmed(uint256 indexed round, uint256 target, uint256 rearms);

    /// @notice Emitted when `round` misses its last draw window: it settles with no winner, every ticket refunded.
    event RoundVoided(uint256 indexed round);

    /// @notice Emitted when `drawer` fixes `round`'s randomness to `seed` at block `blockNumber`; it earns the draw
    ///         bounty out of each bundle the round sells.
    event Drawn(uint256 indexed round, bytes32 seed, uint256 blockNumber, address indexed drawer);

    /// @notice Emitted when `bundle`'s base ticket price for `round` is fixed at `base`, by the round's first
    ///         purchase of it.
    event BasePriceFixed(uint256 indexed round, uint256 indexed bundle, uint256 base);

    /// @notice Emitted when `ticket` of `bundle`, held by `winner`, wins the bundle, whose tickets raised `revenue`.
    /// @dev `revenue` is every ticket's cost for the bundle, the winner's included (the winner paid only for its
    ///      own tickets); the drawer's bounty comes out of it (`KeeperPaid`) and the rollups get the rest.
    event LotteryWon(uint256 indexed round, uint256 bundle, address indexed winner, uint256 ticket, uint256 revenue);

    /// @notice Emitted when `buyer` is credited back `amount`, what its tickets of a losing `bundle` cost.
    event Refunded(uint256 indexed round, uint256 indexed bundle, address indexed buyer, uint256 amount);

    /// @notice Thrown when a purchase is of zero tickets.
    error ZeroTickets();

    /// @notice Thrown when a purchase exceeds the `available` tickets of `bundle` (2T per round in all).
    error TicketLimit(uint256 bundle, uint256 available);

    /// @notice Thrown when the tickets cost `cost` but only `paid` was sent.
    error InsufficientPayment(uint256 cost, uint256 paid);

    /// @notice Thrown when `round` is drawn before its `target` block.
    error DrawTooEarly(uint256 round, uint256 target);

    /// @notice Thrown when `round` is drawn a second time.
    error AlreadyDrawn(uint256 round);

    /// @notice Thrown when `round`, voided, is drawn.
    error Voided(uint256 round);

    /// @notice Thrown when `round` is finalized before it is drawn (or voided).
    error NotDrawn(uint256 round);

    /// @notice Thrown when a refund is claimed for `bundle`, which won `round`.
    error BundleWon(uint256 round, uint256 bundle);

    /// @notice Thrown when `buyer` paid nothing, or was refunded already, for `bundle` in `round`.
    error NothingToRefund(uint256 round, uint256 bundle, address buyer);

    /// @notice Thrown when `ticket` of `bundle` was not sold in `round`.
    error UnknownTicket(uint256 round, uint256 bundle, uint256 ticket);

    /// @notice Thrown when `bundle`'s base price is asked for `round`, before `latest`, the latest round it was
    ///         priced in: only that round's base is kept.
    error BasePriceForgotten(uint256 bundle, uint256 round, uint256 latest);

    /// @notice Thrown when a lottery is deployed on chain `chainId`, whose PREVRANDAO is not a beacon-chain RANDAO
    ///         mix or was not analysed (docs/randao-bias.md, "Per-chain minimums").
    error ChainWithoutRandao(uint256 chainId);

    /// @notice Thrown when the draw's `lookahead` is shorter than `minimum`, this chain's minimum: a proposer
    ///         could know, when the sale closes, who proposes the blocks the draw reads.
    error LookaheadTooShort(uint256 lookahead, uint256 minimum);

    /// @notice Thrown when the draw window of `drawWindow` blocks exceeds `maximum`, this chain's maximum: each
    ///         window block is one more seed whoever keeps other draws out of the window can pick from.
    error DrawWindowTooWide(uint256 drawWindow, uint256 maximum);

    /// @notice Thrown when `maxRearms` exceeds `maximum`, this chain's maximum: each re-arm is one more fresh draw
    ///         for whoever can make a window lapse.
    error TooManyRearms(uint256 maxRearms, uint256 maximum);

    /// @notice T, the tickets a bundle is meant to sell per round: the curve rises after 1.5T, sales stop at 2T,
    ///         and base prices move with sales against T.
    function targetTickets() external view returns (uint256);

    /// @notice The price curve past 1.5T tickets.
    function curve() external view returns (TicketPricing.Curve);

    /// @notice The quadratic curve's beta (WAD).
    function beta() external view returns (uint256);

    /// @notice The exponential curve's gamma (WAD).
    function gamma() external view returns (uint256);

    /// @notice The lowest base price a ticket can have.
    function priceFloor() external view returns (uint256);

    /// @notice Blocks from the end of a sale (or a re-arm) to the draw's target block.
    function lookahead() external view returns (uint256);

    /// @notice Blocks from the target during which the draw is accepted.
    function drawWindow() external view returns (uint256);

    /// @notice Missed draw windows re-armed before a round is voided.
    function maxRearms() external view returns (uint256);

    /// @notice The draw bounty, in basis points of each sold bundle's ticket revenue: credited to whoever drew
    ///         the round's seed, the rest to the bundle's rollups.
    function drawBountyBps() external view returns (uint256);

    /// @notice The draw settings chain `chainId` needs (see DrawLimits); the constructor enforces them for
    ///         block.chainid. Local development chains (31337, 1337) have no real RANDAO and no limits.
    function drawLimits(uint256 chainId) external pure returns (DrawLimits memory limits);

    /// @notice Ticket money held for bundles not yet settled or refunded.
    function escrow() external view returns (uint256);

    /// @notice What the tickets of `bundle` raised in `round`: its bid in the clearing.
    function revenueOf(uint256 round, uint256 bundle) external view returns (uint256);

    /// @notice What `buyer` paid for tickets of `bundle` in `round` and has not been refunded.
    function paidBy(uint256 round, uint256 bundle, address buyer) external view returns (uint256);

    /// @notice Buy `count` tickets for `bundle` in `round`, paying exactly their sum along the price curve.
    /// @dev Any excess of msg.value is credited back (withdraw it with withdrawCredit).
    /// @param round The round, which must be in its sale.
    /// @param bundle The bundle (bitmask of rollup indices).
    /// @param count Tickets to buy; at most 2T per bundle and round in all, whoever buys them (there is no
    ///        per-address cap: addresses are free, so it would bind nobody).
    function buy(uint256 round, uint256 bundle, uint256 count) external payable;

    /// @notice What `count` more tickets for `bundle` cost now in `round` (given the tickets already sold).
    function quote(uint256 round, uint256 bundle, uint256 count) external view returns (uint256);

    /// @notice Base ticket price of `bundle` in `round`: what buy charges per ticket up to 1.5T in that round.
    /// @dev A bundle never sold (no round kept tickets of it) is priced where its target T tickets raise its
    ///      rollups' reserves: max(priceFloor, sum of reserves in `round` / T). From the first round that keeps
    ///      tickets of it on, each round q moves it once, EIP-1559 style, by ticketsKept(q, bundle), from round
    ///      q + 2 on: a round's partition is final only after its challenge, which ends before round q + 2's sale
    ///      opens (challengeBlocks <= saleBlocks), so the base of a round on sale never waits on an open
    ///      challenge and is the same at every block of its sale. A round with no tickets kept (none sold, or all
    ///      refunded) is a step down. Tickets bought and refunded thus move nothing: the price is what it would
    ///      be had they never been bought. For a round whose base depends on a round not final yet, the result
    ///      is a projection, counting that round as it stands now.
    /// @param round The latest round `bundle` was priced in, or a later one (earlier ones: BasePriceForgotten).
    function basePrice(uint256 bundle, uint256 round) external view returns (uint256);

    /// @notice Tickets of `bundle` in `round` that move its base price (from round + 2 on): all its tickets if it
    ///         sells in the round's partition (listed, or a singleton sold alone at or above its reserve), none
    ///         if they are refunded (a losing bundle, or a round voided before round + 2's sale opened).
    /// @dev Final once `round`'s challenge is over; before, it counts the round as it stands now.
    function ticketsKept(uint256 round, uint256 bundle) external view returns (uint256);

    /// @notice Tickets sold for `bundle` in `round`.
    function ticketsSold(uint256 round, uint256 bundle) external view returns (uint256);

    /// @notice Fix `round`'s randomness from RANDAO; valid only in the window after the committed target block.
    ///         The caller that fixes the seed is the round's drawer: finalize credits it drawBountyBps of each
    ///         sold bundle's revenue.
    /// @dev Before the target: reverts. After a missed window: re-arms the target `lookahead` blocks ahead, or
    ///      voids the round once maxRearms re-arms are used up, and returns false (no revert, so the change
    ///      sticks); such calls earn nothing, so nobody is paid for letting a window lapse. Otherwise records the
    ///      seed and the drawer and returns true.
    /// @param round A round whose sale has closed.
    /// @return drawn Whether the seed was fixed by this call.
    function draw(uint256 round) external returns (bool drawn);

    /// @notice The block from which `round`'s draw is accepted (for drawWindow blocks).
    function drawTarget(uint256 round) external view returns (uint256);

    /// @notice The winning ticket of `bundle` for `seed` among `sold` tickets: anyone can recompute it.
    function winningTicket(bytes32 seed, uint256 bundle, uint256 sold) external pure returns (uint256);

    /// @notice Holder of ticket `ticket` (0-indexed) of `bundle` in `round`.
    function ticketHolder(uint256 round, uint256 bundle, uint256 ticket) external view returns (address);

    /// @notice The round's draw state: target block, re-arms, whether drawn, voided (and when) and finalized, the
    ///         seed, the singletons sold and the drawer.
    function drawOf(uint256 round) external view returns (Draw memory state);

    /// @notice Settle `round`: draw each winning bundle's sequencer, credit the drawer its bounty and the rollups
    ///         the rest of each sold bundle's revenue. A voided round settles with no winner: every ticket is
    ///         refunded.
    /// @param round A round past its challenge phase whose draw is done (or voided).
    function finalize(uint256 round) external;

    /// @notice Credit back your tickets' cost for a bundle that did not win in finalized `round`.
    function claimRefund(uint256 round, uint256 bundle) external;
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ILotteryMarket} from "./interfaces/ILotteryMarket.sol";
import {BundleMask} from "./libraries/BundleMask.sol";
import {SplitRule} from "./libraries/RevenueSplit.sol";
import {TicketPricing} from "./libraries/TicketPricing.sol";
import {RollupRegistry} from "./market/RollupRegistry.sol";
import {RoundSchedule} from "./market/RoundSchedule.sol";
import {Settlement} from "./market/Settlement.sol";

/// @title LotteryMarket
/// @notice Execution tickets per bundle instead of one highest bid: a bundle's ticket revenue is its value in
///         the clearing (verified by the same partition challenge as the sealed-bid market), and each winning
///         bundle's sequencer is drawn from RANDAO with probability proportional to tickets held. Tickets of
///         losing bundles are refunded; rollups are paid by the revenue split.
/// @dev Round r: sale (the schedule's commit phase) -> challenge, while the draw waits for its target block;
///      settle once both are done. At sale close the round is committed to block saleEnd + lookahead; `draw`
///      works only in [target, target + drawWindow) and re-arms (target = now + lookahead) when called after a
///      missed window. lookahead > challengeBlocks, so the seed is unknown while partitions are proposed.
///      Each re-arm is one more fresh draw an attacker could pick from (docs/randao-bias.md), so re-arms are
///      capped at maxRearms: a window missed once more voids the round and every ticket is refunded.
///      Funds invariant: balance == sum(creditOf) + escrow, to the wei.
contract LotteryMarket is ILotteryMarket, Settlement {
    using BundleMask for uint256;

    /// @notice Deployment parameters; clients pass them as one tuple, in this order.
    struct Config {
        address[] payouts;
        uint256[] reserves;
        uint256 startBlock;
        uint256 saleBlocks;
        uint256 challengeBlocks;
        uint256 lookahead;
        uint256 drawWindow;
        uint256 targetTickets;
        TicketPricing.Curve curve;
        uint256 beta;
        uint256 gamma;
        uint256 priceFloor;
        uint256 perBidderCap;
        uint256 maxRearms;
        SplitRule splitRule;
    }

    /// @dev Pricing memory of one bundle: its base price in `round`, and tickets sold then.
    struct BundlePricing {
        uint96 base;
        uint64 round;
        uint32 sold;
        bool seen;
    }

    /// @dev Tickets (previous end, end] of a bundle belong to `buyer`; ends increase, so lookup is a binary search.
    struct Purchase {
        address buyer;
        uint32 end;
    }

    /// @inheritdoc ILotteryMarket
    uint256 public immutable targetTickets;
    /// @inheritdoc ILotteryMarket
    TicketPricing.Curve public immutable curve;
    /// @inheritdoc ILotteryMarket
    uint256 public immutable beta;
    /// @inheritdoc ILotteryMarket
    uint256 public immutable gamma;
    /// @inheritdoc ILotteryMarket
    uint256 public immutable priceFloor;
    /// @inheritdoc ILotteryMarket
    uint256 public immutable perBidderCap;
    /// @inheritdoc ILotteryMarket
    uint256 public immutable lookahead;
    /// @inheritdoc ILotteryMarket
    uint256 public immutable drawWindow;
    /// @inheritdoc ILotteryMarket
    uint256 public immutable maxRearms;

    /// @inheritdoc ILotteryMarket
    uint256 public escrow;

    mapping(uint256 bundle => BundlePricing) private _pricing;
    mapping(uint256 round => mapping(uint256 bundle => Purchase[])) private _purchases;
    /// @inheritdoc ILotteryMarket
    mapping(uint256 round => mapping(uint256 bundle => uint256)) public revenueOf;
    /// @inheritdoc ILotteryMarket
    mapping(uint256 round => mapping(uint256 bundle => mapping(address buyer => uint256))) public ticketsHeld;
    /// @inheritdoc ILotteryMarket
    mapping(uint256 round => mapping(uint256 bundle => mapping(address buyer => uint256))) public paidBy;
    mapping(uint256 round => Draw) private _draws;

    constructor(Config memory config)
        RoundSchedule(config.startBlock, config.saleBlocks, 0, config.challengeBlocks)
        RollupRegistry(config.payouts, config.reserves)
        Settlement(config.splitRule)
    {
        if (config.targetTickets < 2 || config.targetTickets > type(uint32).max / 2) revert InvalidConfig();
        if (config.lookahead <= config.challengeBlocks || config.lookahead > type(uint32).max) revert InvalidConfig();
        if (config.drawWindow == 0 || config.drawWindow > type(uint32).max) revert InvalidConfig();
        if (config.maxRearms > type(uint32).max) revert InvalidConfig();
        if (config.priceFloor == 0 || config.priceFloor > TicketPricing.MAX_BASE) revert InvalidConfig();
        if (config.beta > TicketPricing.MAX_BETA || config.gamma > TicketPricing.MAX_GAMMA) revert InvalidConfig();
        targetTickets = config.targetTickets;
        curve = config.curve;
        beta = config.beta;
        gamma = config.gamma;
        priceFloor = config.priceFloor;
        perBidderCap = config.perBidderCap;
        lookahead = config.lookahead;
        drawWindow = config.drawWindow;
        maxRearms = config.maxRearms;
    }

    // ---------------------------------------------------------------- sale

    /// @inheritdoc ILotteryMarket
    function buy(uint256 round, uint256 bundle, uint256 count) external payable {
        _requirePhase(round, Phase.Commit);
        if (bundle == 0 || !bundle.within(rollupCount)) revert InvalidBundle(bundle);
        if (count == 0) revert ZeroTickets();
        Purchase[] storage purchases = _purchases[round][bundle];
        uint256 sold = purchases.length == 0 ? 0 : purchases[purchases.length - 1].end;
        if (count > 2 * targetTickets - sold) revert TicketLimit(bundle, 2 * targetTickets - sold);
        uint256 held = ticketsHeld[round][bundle][msg.sender] + count;
        if (perBidderCap != 0 && held > perBidderCap) revert BidderCapReached(bundle, perBidderCap);

        uint256 base = _rollPricing(bundle, round);
        uint256 price = TicketPricing.cost(curve, base, targetTickets, sold, count, beta, gamma);
        if (msg.value < price) revert InsufficientPayment(price, msg.value);

        purchases.push(Purchase(msg.sender, uint32(sold + count)));
        _pricing[bundle].sold += uint32(count);
        ticketsHeld[round][bundle][msg.sender] = held;
        paidBy[round][bundle][msg.sender] += price;
        revenueOf[round][bundle] += price;
        escrow += price;
        emit TicketsBought(round, bundle, msg.sender, count, price, sold);
        if (msg.value > price) _credit(msg.sender, msg.value - price);
    }

    /// @inheritdoc ILotteryMarket
    function quote(uint256 round, uint256 bundle, uint256 count) external view returns (uint256) {
        uint256 sold = ticketsSold(round, bundle);
        if (count > 2 * targetTickets - sold) revert TicketLimit(bundle, 2 * targetTickets - sold);
        return TicketPricing.cost(curve, basePrice(bundle, round), targetTickets, sold, count, beta, gamma);
    }

    /// @inheritdoc ILotteryMarket
    function basePrice(uint256 bundle, uint256 round) public view returns (uint256) {
        BundlePricing memory pricing = _pricing[bundle];
        if (!pricing.seen) return _startingPrice(bundle, round);
        if (round <= pricing.round) return pricing.base;
        uint256 next = TicketPricing.nextBase(pricing.base, pricing.sold, targetTickets, priceFloor);
        return TicketPricing.decay(next, round - pricing.round - 1, targetTickets, priceFloor);
    }

    /// @inheritdoc ILotteryMarket
    function ticketsSold(uint256 round, uint256 bundle) public view returns (uint256) {
        Purchase[] storage purchases = _purchases[round][bundle];
        return purchases.length == 0 ? 0 : purchases[purchases.length - 1].end;
    }

    // ---------------------------------------------------------------- draw

    /// @inheritdoc ILotteryMarket
    function draw(uint256 round) external returns (bool drawn) {
        Draw storage state = _draws[round];
        if (state.drawn) revert AlreadyDrawn(round);
        if (state.voided) revert Voided(round);
        uint256 target = drawTarget(round);
        if (block.number < target) revert DrawTooEarly(round, target);
        if (block.number >= target + drawWindow) {
            if (state.rearms >= maxRearms) {
                state.voided = true;
                emit RoundVoided(round);
                return false;
            }
            uint256 rearmed = block.number + lookahead;
            state.target = uint64(rearmed);
            state.rearms += 1;
            emit DrawRearmed(round, rearmed, state.rearms);
            return false;
        }
        bytes32 seed = keccak256(abi.encode(block.prevrandao, block.chainid, address(this), round));
        state.drawn = true;
        state.seed = seed;
        emit Drawn(round, seed, block.number);
        return true;
    }

    /// @inheritdoc ILotteryMarket
    function drawTarget(uint256 round) public view returns (uint256) {
        uint256 target = _draws[round].target;
        return target != 0 ? target : roundStart(round) + commitBlocks + lookahead;
    }

    /// @inheritdoc ILotteryMarket
    function winningTicket(bytes32 seed, uint256 bundle, uint256 sold) public pure returns (uint256) {
        return uint256(keccak256(abi.encode(seed, bundle))) % sold;
    }

    /// @inheritdoc ILotteryMarket
    function ticketHolder(uint256 round, uint256 bundle, uint256 ticket) public view returns (address) {
        if (ticket >= ticketsSold(round, bundle)) revert UnknownTicket(round, bundle, ticket);
        Purchase[] storage purchases = _purchases[round][bundle];
        uint256 low;
        uint256 high = purchases.length;
        while (low < high) {
            uint256 mid = (low + high) / 2;
            if (purchases[mid].end <= ticket) low = mid + 1;
            else high = mid;
        }
        return purchases[low].buyer;
    }

    /// @inheritdoc ILotteryMarket
    function drawOf(uint256 round) external view returns (Draw memory state) {
        state = _draws[round];
        state.target = uint64(drawTarget(round));
    }

    // ---------------------------------------------------------------- settlement

    /// @inheritdoc ILotteryMarket
    function finalize(uint256 round) external {
        _requirePhase(round, Phase.Settle);
        Draw storage state = _draws[round];
        if (!state.drawn && !state.voided) revert NotDrawn(round);
        if (state.finalized) revert AlreadyFinalized(round);
        state.finalized = true;
        if (state.voided) {
            emit RoundFinalized(round, 0, 0, new uint256[](0));
            return;
        }
        uint256 revenue;
        (state.soldSingletons, revenue) = _settle(round);
        escrow -= revenue;
    }

    /// @inheritdoc ILotteryMarket
    function claimRefund(uint256 round, uint256 bundle) external {
        if (!_draws[round].finalized) revert RoundNotFinalized(round);
        if (_won(round, bundle)) revert BundleWon(round, bundle);
        uint256 amount = paidBy[round][bundle][msg.sender];
        if (amount == 0) revert NothingToRefund(round, bundle, msg.sender);
        paidBy[round][bundle][msg.sender] = 0;
        escrow -= amount;
        emit Refunded(round, bundle, msg.sender, amount);
        _credit(msg.sender, amount);
    }

    // ---------------------------------------------------------------- internals

    /// @dev The winners paid for their tickets already: this only names the winning ticket and its holder. The
    ///      revenue leaves escrow in finalize, all of the round's at once.
    function _collect(uint256 round, uint256 bundle, uint256 revenue) internal override {
        uint256 ticket = winningTicket(_draws[round].seed, bundle, ticketsSold(round, bundle));
        emit LotteryWon(round, bundle, ticketHolder(round, bundle, ticket), ticket, revenue);
    }

    function _winnerOf(uint256 round, uint256 bundle) internal view override returns (address) {
        Draw storage state = _draws[round];
        if (state.voided) return address(0);
        return ticketHolder(round, bundle, winningTicket(state.seed, bundle, ticketsSold(round, bundle)));
    }

    function _settled(uint256 round) internal view override returns (bool finalized, uint256 soldSingletons) {
        Draw storage state = _draws[round];
        return (state.finalized, state.soldSingletons);
    }

    /// @dev Whether `bundle` won in finalized `round`: listed in the partition, or a singleton that sold.
    function _won(uint256 round, uint256 bundle) private view returns (bool) {
        if (_draws[round].voided) return false;
        if (bundle != 0 && bundle & (bundle - 1) == 0) return _draws[round].soldSingletons & bundle != 0;
        uint256[] storage bundles = _keptBundles(round);
        for (uint256 k; k < bundles.length; ++k) {
            if (bundles[k] == bundle) return true;
        }
        return false;
    }

    /// @dev Brings `bundle`'s pricing memory to `round` and returns its base price there.
    function _rollPricing(uint256 bundle, uint256 round) private returns (uint256 base) {
        BundlePricing storage pricing = _pricing[bundle];
        if (pricing.seen && pricing.round == round) return pricing.base;
        base = basePrice(bundle, round);
        pricing.base = uint96(base);
        pricing.round = uint64(round);
        pricing.sold = 0;
        pricing.seen = true;
    }

    function _startingPrice(uint256 bundle, uint256 round) private view returns (uint256) {
        uint256 reserves;
        for (uint256 rest = bundle; rest != 0; rest &= rest - 1) {
            reserves += reserveAt(rest.lowestIndex(), round);
        }
        uint256 start = reserves / targetTickets;
        if (start < priceFloor) return priceFloor;
        return start > TicketPricing.MAX_BASE ? TicketPricing.MAX_BASE : start;
    }

    function _bundleBid(uint256 round, uint256 bundle, address) internal view override returns (uint256) {
        return revenueOf[round][bundle];
    }

    function _requireProposalPhase(uint256 round) internal view override {
        _requirePhase(round, Phase.Challenge);
    }
}

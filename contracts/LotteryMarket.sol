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
///         losing bundles are refunded; whoever draws the seed earns a bounty out of each sold bundle's revenue,
///         and the rollups are paid the rest by the revenue split.
/// @dev Round r: sale (the schedule's commit phase) -> challenge, while the draw waits for its target block;
///      settle once both are done. At sale close the round is committed to block saleEnd + lookahead; `draw`
///      works only in [target, target + drawWindow) and re-arms (target = now + lookahead) when called after a
///      missed window. lookahead > challengeBlocks, so the seed is unknown while partitions are proposed.
///      Each re-arm is one more fresh draw an attacker could pick from (docs/randao-bias.md), so re-arms are
///      capped at maxRearms: a window missed once more voids the round and every ticket is refunded. On chains
///      with a real RANDAO the constructor enforces the lookahead, window and re-arm limits docs/randao-bias.md
///      derives (drawLimits), and refuses chains without one.
///      Base prices move on tickets kept (sold in the final partition), never on refunded ones: otherwise
///      buying 2T tickets of a bundle bound to lose would raise its price 12.5% at no cost. A round's partition
///      is final only when its challenge ends, after the next round's sale has opened, so round q's kept
///      tickets move the base from round q + 2 on (see basePrice).
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
        uint256 maxRearms;
        uint256 drawBountyBps;
        SplitRule splitRule;
    }

    /// @dev Pricing memory of one bundle: its base price in `round`, the latest round it was priced in, and
    ///      whether any round's kept tickets had moved it then (`sold`; until they do, the base is the starting
    ///      price). Rounds up to `round` - 2 have moved the base already; `round` - 1 and `round` have not (their
    ///      partitions were not final when the base was fixed). So besides the current round at most one
    ///      earlier round is pending, and its tickets are still in _purchases.
    struct BundlePricing {
        uint96 base;
        uint64 round;
        bool seen;
        bool sold;
    }

    /// @dev Tickets (previous end, end] of a bundle belong to `buyer`; ends increase, so lookup is a binary search.
    struct Purchase {
        address buyer;
        uint32 end;
    }

    /// @dev Basis points: the draw bounty is drawBountyBps / BPS of a sold bundle's revenue.
    uint256 internal constant BPS = 10_000;

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
    uint256 public immutable lookahead;
    /// @inheritdoc ILotteryMarket
    uint256 public immutable drawWindow;
    /// @inheritdoc ILotteryMarket
    uint256 public immutable maxRearms;
    /// @inheritdoc ILotteryMarket
    uint256 public immutable drawBountyBps;

    /// @inheritdoc ILotteryMarket
    uint256 public escrow;

    mapping(uint256 bundle => BundlePricing) private _pricing;
    // Written through storage references (`purchases.push(...)`), which slither does not see.
    // slither-disable-next-line uninitialized-state
    mapping(uint256 round => mapping(uint256 bundle => Purchase[])) private _purchases;
    /// @inheritdoc ILotteryMarket
    mapping(uint256 round => mapping(uint256 bundle => uint256)) public revenueOf;
    /// @inheritdoc ILotteryMarket
    mapping(uint256 round => mapping(uint256 bundle => mapping(address buyer => uint256))) public paidBy;
    mapping(uint256 round => Draw) private _draws;

    constructor(Config memory config)
        RoundSchedule(config.startBlock, config.saleBlocks, 0, config.challengeBlocks)
        RollupRegistry(config.payouts, config.reserves)
        Settlement(config.splitRule)
    {
        _checkRanges(config);
        _checkDrawLimits(config);
        targetTickets = config.targetTickets;
        curve = config.curve;
        beta = config.beta;
        gamma = config.gamma;
        priceFloor = config.priceFloor;
        lookahead = config.lookahead;
        drawWindow = config.drawWindow;
        maxRearms = config.maxRearms;
        drawBountyBps = config.drawBountyBps;
    }

    /// @dev Reverts InvalidConfig on a parameter out of its range on any chain.
    function _checkRanges(Config memory config) private pure {
        if (config.targetTickets < 2 || config.targetTickets > type(uint32).max / 2) revert InvalidConfig();
        if (config.lookahead <= config.challengeBlocks || config.lookahead > type(uint32).max) revert InvalidConfig();
        if (config.drawWindow == 0 || config.drawWindow > type(uint32).max) revert InvalidConfig();
        if (config.maxRearms > type(uint32).max) revert InvalidConfig();
        if (config.priceFloor == 0 || config.priceFloor > TicketPricing.MAX_BASE) revert InvalidConfig();
        if (config.beta > TicketPricing.MAX_BETA || config.gamma > TicketPricing.MAX_GAMMA) revert InvalidConfig();
        // Base prices wait for a round's partition to be final: round q's challenge must end by the time round
        // q + 2's sale opens, one sale length after it began (see basePrice).
        if (config.challengeBlocks > config.saleBlocks) revert InvalidConfig();
        if (config.drawBountyBps > BPS) revert InvalidConfig();
    }

    /// @dev Reverts unless this chain has a beacon-chain RANDAO and the draw settings are within its limits.
    function _checkDrawLimits(Config memory config) private view {
        DrawLimits memory limits = drawLimits(block.chainid);
        if (!limits.supported) revert ChainWithoutRandao(block.chainid);
        if (config.lookahead < limits.minLookahead) {
            revert LookaheadTooShort(config.lookahead, limits.minLookahead);
        }
        if (config.drawWindow > limits.maxDrawWindow) {
            revert DrawWindowTooWide(config.drawWindow, limits.maxDrawWindow);
        }
        if (config.maxRearms > limits.maxRearms) revert TooManyRearms(config.maxRearms, limits.maxRearms);
    }

    /// @inheritdoc ILotteryMarket
    function drawLimits(uint256 chainId) public pure returns (DrawLimits memory limits) {
        // Local development chains (anvil, ape's eth-tester): no beacon chain behind PREVRANDAO (anvil derives it
        // from the parent hash, eth-tester returns 0), so no setting makes their draw fair and none is asked.
        if (chainId == 31337 || chainId == 1337) {
            return DrawLimits(true, 0, type(uint256).max, type(uint256).max);
        }
        // Ethereum mainnet and its public testnets (Sepolia, Holesky, Hoodi), same numbers so a testnet deployment
        // rehearses mainnet's: 128 blocks (4 epochs) hide who proposes around the target when the sale closes;
        // a window of 2 and one re-arm bound the seeds a free-choice attacker picks from to W * (R + 1) = 4.
        if (chainId == 1 || chainId == 11155111 || chainId == 17000 || chainId == 560048) {
            return DrawLimits(true, 128, 2, 1);
        }
        // Anywhere else PREVRANDAO is not known to be a beacon RANDAO mix (on rollups the sequencer sets it).
        return DrawLimits(false, 0, 0, 0);
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
        // No per-address cap: identities are free, so a cap binds only those who do not split their purchase.

        uint256 base = _rollPricing(bundle, round);
        uint256 price = TicketPricing.cost(curve, base, targetTickets, sold, count, beta, gamma);
        if (msg.value < price) revert InsufficientPayment(price, msg.value);

        purchases.push(Purchase(msg.sender, uint32(sold + count)));
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
    function basePrice(uint256 bundle, uint256 round) public view returns (uint256 base) {
        (base,) = _priceAt(bundle, round);
    }

    /// @inheritdoc ILotteryMarket
    function ticketsKept(uint256 round, uint256 bundle) public view returns (uint256) {
        uint256 sold = ticketsSold(round, bundle);
        if (sold == 0) return 0;
        Draw storage state = _draws[round];
        // A void refunds every ticket; it counts if it came before the base it would move was fixed, when round
        // + 2's sale opened. (A later void is too late: that base was charged already. It needs every draw
        // window missed, against drawers paid the bounty.)
        if (state.voided && state.voidedAt < startBlock + (round + 2) * commitBlocks) return 0;
        return _sells(round, bundle) ? sold : 0;
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
                state.voidedAt = uint64(block.number);
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
        state.drawer = msg.sender;
        emit Drawn(round, seed, block.number, msg.sender);
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
        uint256 low = 0;
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

    /// @dev Each sold bundle pays its ticket revenue; the draw bounty out of it goes to the round's drawer (the
    ///      account whose draw call fixed the seed: re-arm and void calls earn nothing), the rest to its rollups.
    ///      Without the bounty nobody is paid to draw, and holders of losing tickets even gain from a void.
    function _charges(uint256 round, uint256[] memory sold, uint256)
        internal
        view
        override
        returns (Charge[] memory charges)
    {
        charges = _atBids(round, sold);
        address drawer = _draws[round].drawer;
        for (uint256 k; k < charges.length; ++k) {
            charges[k].fee = (charges[k].price * drawBountyBps) / BPS;
            charges[k].keeper = drawer;
        }
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

    /// @dev A voided round sells nothing, whatever partition was proposed before the void.
    function _soldListed(uint256 round) internal view override returns (uint256[] memory) {
        return _draws[round].voided ? new uint256[](0) : _keptBundles(round);
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

    /// @dev Whether `bundle` sells in `round` on its best partition so far (final once the challenge is over), as
    ///      Settlement sells: listed, or a singleton no listed bundle covers whose revenue is non-zero and meets
    ///      the reserve.
    function _sells(uint256 round, uint256 bundle) private view returns (bool) {
        uint256[] storage listed = _keptBundles(round);
        bool single = bundle & (bundle - 1) == 0;
        for (uint256 k; k < listed.length; ++k) {
            if (single) {
                if (listed[k] & bundle != 0) return false; // covered by a listed bundle: its tickets lose
            } else if (listed[k] == bundle) {
                return true;
            }
        }
        if (!single) return false;
        uint256 revenue = revenueOf[round][bundle];
        return revenue != 0 && revenue >= reserveAt(bundle.lowestIndex(), round);
    }

    /// @dev Brings `bundle`'s pricing memory to `round` (the round on sale) and returns its base price there.
    function _rollPricing(uint256 bundle, uint256 round) private returns (uint256 base) {
        BundlePricing storage pricing = _pricing[bundle];
        if (pricing.seen && pricing.round == round) return pricing.base;
        bool sold;
        (base, sold) = _priceAt(bundle, round);
        pricing.base = uint96(base);
        pricing.round = uint64(round);
        pricing.seen = true;
        pricing.sold = sold;
        emit BasePriceFixed(round, bundle, base);
    }

    /// @dev `bundle`'s base price in `round` (see ILotteryMarket.basePrice), and whether kept tickets moved it
    ///      (`sold`): until some round keeps tickets of it, a bundle is priced as never sold, at its starting
    ///      price from that round's reserves, so tickets bought and refunded leave no trace, not even a decay.
    function _priceAt(uint256 bundle, uint256 round) private view returns (uint256 base, bool sold) {
        BundlePricing memory pricing = _pricing[bundle];
        if (!pricing.seen) return (_startingPrice(bundle, round), false);
        if (round < pricing.round) revert BasePriceForgotten(bundle, round, pricing.round);
        (base, sold) = (pricing.base, pricing.sold);
        // The base of `round` has moved by every round up to round - 2; the memory's by the rounds before
        // pricing.round - 1, and of the rounds from there on only pricing.round - 1 and pricing.round sold tickets.
        uint256 q = pricing.round == 0 ? 0 : pricing.round - 1;
        for (; q <= pricing.round && q + 2 <= round; ++q) {
            uint256 kept = ticketsKept(q, bundle);
            if (!sold) {
                if (kept == 0) continue;
                // The first round to keep tickets was priced as never sold: its starting price then.
                (base, sold) = (_startingPrice(bundle, q), true);
            }
            base = TicketPricing.nextBase(base, kept, targetTickets, priceFloor);
        }
        if (!sold) return (_startingPrice(bundle, round), false);
        // The rounds after pricing.round up to round - 2 sold none of it: one step down each.
        if (q + 2 <= round) base = TicketPricing.decay(base, round - 1 - q, targetTickets, priceFloor);
    }

    function _startingPrice(uint256 bundle, uint256 round) private view returns (uint256) {
        uint256 reserves = 0;
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

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {LotteryMarket} from "../../../contracts/LotteryMarket.sol";
import {ICreditLedger} from "../../../contracts/interfaces/ICreditLedger.sol";
import {ILotteryMarket} from "../../../contracts/interfaces/ILotteryMarket.sol";
import {IMarket} from "../../../contracts/interfaces/IMarket.sol";
import {IPartitionChallenge} from "../../../contracts/interfaces/IPartitionChallenge.sol";
import {IRollupRegistry} from "../../../contracts/interfaces/IRollupRegistry.sol";
import {IRoundSchedule} from "../../../contracts/interfaces/IRoundSchedule.sol";
import {SplitRule} from "../../../contracts/libraries/RevenueSplit.sol";
import {TicketPricing} from "../../../contracts/libraries/TicketPricing.sol";
import {PartitionModel} from "../utils/PartitionModel.sol";
import {RejectingPayee} from "../utils/RejectingPayee.sol";
import {ReentrantPayee} from "../utils/ReentrantPayee.sol";
import {Vm} from "../utils/Vm.sol";

/// @title LotteryHandler
/// @notice Drives a LotteryMarket through random sequences of ticket purchases, partition proposals, draws,
///         finalizations, refund claims, credit withdrawals and reserve changes, by four bidders over
///         overlapping rounds, and checks every call against its own model of the market. Adversarial actions
///         too: pump-and-refund (a bundle's whole supply bought to raise its price, refunded when it loses),
///         many identities buying out one bundle (what a per-address cap would have stopped), draws by any
///         account at a chosen block of the window (the drawer earns the bounty), a sniper buying up to the
///         curve's kink, a draw withholder letting windows lapse, actions one block either side of each phase
///         boundary, and two payout addresses that are contracts: one re-enters the market, one rejects ETH.
/// @dev Nothing here calls TicketPricing, RevenueSplit or the market's views to predict an outcome: ticket
///      prices, base prices between rounds (EIP-1559 step on the tickets kept two rounds back, decay, floor,
///      starting price from reserves), reserves, the best partition (PartitionModel: brute force over the 15
///      bundles of 4 rollups), the draw schedule (target, window, re-arms, void), the seed, the winning tickets
///      and their holders, the draw bounty, the revenue split, every refund and which deployments are refused
///      (modelConfigError) are computed from the specs (NatSpec of TicketPricing, ILotteryMarket, Settlement and
///      RevenueSplit; the seed and winning-ticket formulas as seqmarket/protocol/draw.py recomputes them;
///      docs/randao-bias.md's per-chain table) and the model's own books. Every call states beforehand what
///      should happen (success, or which error, with its arguments where the model knows them) and checks
///      afterwards what did happen; any mismatch reverts the handler call, and the invariant tests run with
///      fail_on_revert so that fails the run.
///      Timeline with these constants, s = START + 3r: sale [s, s+3), challenge [s+3, s+6), settle from
///      s+6, draw window [s+7, s+9) (re-armed: [b+4, b+6) for a call at b after a missed window). Round r's
///      kept tickets move the base from round r + 2 on, whose sale opens at s+6, when r's challenge is over.
contract LotteryHandler is PartitionModel {
    // ------------------------------------------------------------------ fixed set-up

    uint256 public constant START = 10;
    uint256 public constant SALE = 3;
    uint256 public constant CHALLENGE = 3;
    uint256 public constant LOOKAHEAD = 4;
    uint256 public constant WINDOW = 2;
    uint256 public constant MAX_REARMS = 1;
    uint256 public constant T = 5; // odd: the flat part ends at floor(1.5T) = 7, 2T = 10
    uint256 public constant BOUNTY_BPS = 333; // odd: the drawer's fee rounds down
    uint256 internal constant BPS = 10_000;
    /// @dev Bidders 0..3 buy in the ordinary actions (3 is rollup 3's payout address); 4..9 are the extra
    ///      identities of manyIdentities.
    uint256 public constant REGULAR = 4;
    uint256 public constant IDENTITIES = 10;
    uint256 public constant FLOOR = 0.01 ether + 1;
    uint256 internal constant WAD = 1e18;
    uint256 public constant BETA = WAD; // quadratic: ends at 2p
    uint256 public constant GAMMA = 693147180559945309; // exponential: ln 2 in WAD, ends at 2p
    uint256 internal constant MAX_BASE = type(uint96).max; // "never above MAX_BASE" (NatSpec)
    uint256 internal constant UNIT = 0.1 ether;
    uint256 internal constant HUGE_RESERVE = type(uint128).max; // largest accepted: starting price capped
    address internal constant SINK = address(0x5151);
    address internal constant KEEPER = address(0xD000); // draws, holds no tickets
    /// @dev The block after round 0's first draw window: the clock runs faster before it (see _begin).
    uint256 internal constant WARM_UP_END = START + SALE + LOOKAHEAD + WINDOW;
    bytes32 internal constant LOTTERY_WON = keccak256("LotteryWon(uint256,uint256,address,uint256,uint256)");
    bytes32 internal constant ROUND_FINALIZED = keccak256("RoundFinalized(uint256,uint256,uint256,uint256[])");
    bytes32 internal constant KEEPER_PAID = keccak256("KeeperPaid(uint256,uint256,address,uint256)");
    bytes32 internal constant BASE_PRICE_FIXED = keccak256("BasePriceFixed(uint256,uint256,uint256)");

    LotteryMarket public immutable market;
    TicketPricing.Curve public immutable curve;
    uint256 internal immutable _salt;

    // ------------------------------------------------------------------ model

    /// @dev One purchase: `count` tickets to bidder `buyer` (index), after those of the earlier purchases.
    struct Lot {
        uint8 buyer;
        uint32 count;
    }

    struct RoundModel {
        uint256 paid; // all ticket payments of the round
        uint256 credited; // credited to rollups when finalized
        uint256 bounty; // credited to the drawer when finalized
        uint256 refunded; // refunds claimed so far
        uint256 target; // draw target once re-armed (0: the scheduled one)
        uint256 rearms;
        uint256 voidBlock; // block of the call that voided it
        address drawer; // who drew the seed
        bool drawn;
        bool voided;
        bool finalized;
        bool proposed; // a proposal was kept
        bytes32 seed;
        uint256 keptValue; // value of the kept proposal
        uint256 soldSingletons;
        uint256 wonBundles; // bit b: bundle b won
        uint256 plan; // 0: not decided; else 1 + windows the draw is meant to miss (3: voided)
    }

    struct Checkpoint {
        uint256 from;
        uint256 reserve;
    }

    mapping(uint256 round => RoundModel) internal _rounds;
    mapping(uint256 round => uint256[]) internal _kept;
    mapping(uint256 round => uint256[16]) internal _sold;
    mapping(uint256 round => uint256[16]) internal _revenue;
    mapping(uint256 round => mapping(uint256 bundle => uint256[IDENTITIES])) internal _paidBy;
    mapping(uint256 round => mapping(uint256 bundle => Lot[])) internal _lots;
    mapping(uint256 rollup => Checkpoint[]) internal _reserves;
    bool[16] internal _seen;
    bool[16] internal _lastSaleLive; // whether kept tickets had moved the base by _lastSaleRound
    uint256[16] internal _lastSaleRound;
    uint256[16] internal _lastSaleBase; // base price in _lastSaleRound, checked against the market there
    mapping(uint256 round => uint256) public valueSeen; // last best-partition value seen per round
    uint256 public nextToDraw; // rounds below are drawn or voided
    uint256 public nextToFinalize; // rounds below are finalized
    uint256[] internal _drawDone; // rounds drawn or voided
    uint256[] internal _voidedRounds;

    // ------------------------------------------------------------------ ghosts read by the invariants

    uint256 public ghostIn; // wei sent into the market (ticket payments and their excess)
    uint256 public ghostOut; // wei withdrawn
    uint256 public modelEscrow; // ticket payments not yet settled or refunded
    uint256 public calls;
    uint256 public paidFinalized; // ticket payments of finalized rounds
    uint256 public bountyTotal; // draw bounties credited, all rounds
    uint256 public refundedTotal; // refunds claimed (finalized rounds only, necessarily)
    uint256 public claimableFinalized; // refunds the model says are still claimable

    // ------------------------------------------------------------------ what a run exercised

    uint256 public ticketsOnCurve; // tickets sold past 1.5T (priced on the curve)
    uint256 public bundlesFilled; // bundles sold out (2T tickets)
    uint256 public overpaid; // purchases whose excess went to credit
    uint256 public baseUp; // a bundle's base rose between its sale rounds
    uint256 public baseDown;
    uint256 public baseAtFloor; // ... and ended at the floor
    uint256 public baseAfterGap; // ... after rounds without a sale (decay)
    uint256 public startAboveFloor; // starting prices set by the reserves, not the floor
    uint256 public startCapped; // starting prices capped at MAX_BASE
    uint256 public optimalKept; // proposals of the brute-force optimum that were kept
    uint256 public worseKept; // valid proposals kept although not optimal
    uint256 public drawsInWindow;
    uint256 public rearmed;
    uint256 public voided;
    uint256 public voidedFinalized;
    uint256 public multiBundlesWon;
    uint256 public singletonsWon;
    uint256 public singletonsWonAtReserve; // singleton revenue exactly its reserve: sold
    uint256 public refundsLostBundle; // refunds of multi-rollup bundles that lost
    uint256 public refundsUnsoldSingleton;
    uint256 public refundsVoided;
    uint256 public totalRevenue; // credited to rollups, all rounds
    uint256 public bountiesPaid; // finalized rounds whose drawer was credited a bounty
    uint256 public bountiesToBidders; // ... whose drawer also held tickets (a bidder or extra identity)
    uint256 public drawsAtWindowStart; // seeds drawn in the first block of the window
    uint256 public drawsAtWindowEnd; // ... in its last block
    uint256 public keptRaisedBase; // a round's kept tickets (over T) raised a later base
    uint256 public refundedNotCounted; // a round whose tickets were all refunded moved a later base down
    uint256 public pumpsIgnored; // ... and that round's supply had been bought out (pump-and-refund)
    uint256 public identitiesBuyouts; // a bundle's whole supply bought by five or more identities
    uint256 public pricedAsNeverSold; // a bundle bought before, all refunded, priced again at its starting price
    uint256 public lateVoidsKept; // a round voided after round + 2's sale opened still keeps its tickets
    uint256 public snipesAtKink; // purchases ending exactly at 1.5T, then one ticket past it, as one would cost
    uint256 public snipesInLastBlock; // ... made in the sale's last block
    uint256 public withheldRearms; // draw windows a withholder let lapse: re-armed, nothing earned
    uint256 public withheldVoids; // ... and voided: every ticket refunded, the withholder neither gained nor lost
    uint256 public reentriesBlocked; // re-entries from a payee's receive hook refused with ReentrantCall
    uint256 public rejectedPayments; // withdrawals to a payee that rejects ETH, refused with nothing lost

    /// @param salt Hashed with every fuzzed argument (but the draw's randomness): forge favours edge values
    ///        (0, 2^256 - 1, small numbers), which would skew the modular choices below (advance(0) would
    ///        always jump past the draw windows); the salt makes campaigns sharing forge's fixed seed (the
    ///        three curves) explore different sequences.
    constructor(TicketPricing.Curve curve_, SplitRule rule, uint256 salt) PartitionModel(rule) {
        curve = curve_;
        _salt = salt;
        for (uint256 i; i < N; ++i) {
            payouts.push(address(uint160(0xA000 + i)));
        }
        // Two payout addresses are contracts: rollup 1's rejects every payment, rollup 2's re-enters the market
        // from its receive hook (see rejectingPayee, reentrantWithdraw).
        payouts[1] = address(new RejectingPayee());
        payouts[2] = address(new ReentrantPayee());
        for (uint256 i; i < N; ++i) {
            accounts.push(payouts[i]);
        }
        for (uint256 i; i < 3; ++i) {
            bidders.push(address(uint160(0xB000 + i)));
            accounts.push(bidders[i]);
        }
        // The fourth bidder is rollup 3's payout address: refunds, excess and revenue share one credit.
        bidders.push(payouts[3]);
        for (uint256 i; i < IDENTITIES - REGULAR; ++i) {
            bidders.push(address(uint160(0xC000 + i)));
            accounts.push(bidders[REGULAR + i]);
        }
        accounts.push(KEEPER);

        // Odd wei in a reserve and in the floor, so divisions round.
        uint256[] memory reserves = new uint256[](N);
        reserves[0] = UNIT / 2;
        reserves[2] = UNIT + 3;
        for (uint256 i; i < N; ++i) {
            _reserves[i].push(Checkpoint(0, reserves[i]));
        }
        LotteryMarket.Config memory config;
        config.payouts = payouts;
        config.reserves = reserves;
        config.startBlock = START;
        config.saleBlocks = SALE;
        config.challengeBlocks = CHALLENGE;
        config.lookahead = LOOKAHEAD;
        config.drawWindow = WINDOW;
        config.targetTickets = T;
        config.curve = curve_;
        config.beta = BETA;
        config.gamma = GAMMA;
        config.priceFloor = FLOOR;
        config.maxRearms = MAX_REARMS;
        config.drawBountyBps = BOUNTY_BPS;
        config.splitRule = rule;
        market = new LotteryMarket(config);
        ReentrantPayee(payable(payouts[2])).setMarket(address(market));
        blockNumber = START;
        vm.roll(START);
    }

    function currentRound() external view returns (uint256) {
        return _currentRound();
    }

    /// @notice The model's books of `round`: payments, rollup credit, the drawer's bounty, refunds claimed,
    ///         bundles won (bit b).
    function booksOf(uint256 round)
        external
        view
        returns (uint256 paid, uint256 credited, uint256 bounty, uint256 refunded, uint256 wonBundles, bool finalized)
    {
        RoundModel storage m = _rounds[round];
        return (m.paid, m.credited, m.bounty, m.refunded, m.wonBundles, m.finalized);
    }

    /// @notice Bundles with tickets sold in `round` (bit b: bundle b).
    function soldMaskOf(uint256 round) external view returns (uint256 mask) {
        for (uint256 bundle = 1; bundle < 16; ++bundle) {
            if (_sold[round][bundle] != 0) mask |= 1 << bundle;
        }
    }

    /// @notice Refunds the model says are still claimable in finalized `round`.
    function claimableOf(uint256 round) public view returns (uint256 claimable) {
        uint256 won = _rounds[round].wonBundles;
        for (uint256 bundle = 1; bundle < 16; ++bundle) {
            if (won & (1 << bundle) != 0) continue;
            for (uint256 b; b < IDENTITIES; ++b) {
                claimable += _paidBy[round][bundle][b];
            }
        }
    }

    // ================================================================== actions (fuzzed entry points)

    /// @notice One to six purchases, mostly in the round on sale, of random bundles and counts.
    function buy(uint256 who, uint256 seed) external {
        (who, seed) = (_mix(who), _mix(seed));
        _begin(seed);
        uint256 count = 1 + seed % 6;
        for (uint256 j; j < count; ++j) {
            _buyOne((who % REGULAR + j) % REGULAR, uint256(keccak256(abi.encode(seed, j))));
        }
        _end();
    }

    /// @notice Pump-and-refund: one bidder buys every ticket left of a bundle in the round on sale (mostly not
    ///         one of the round's hot pair, so it often loses and is refunded in full). Under the old rule its 2T
    ///         tickets raised the base 12.5% at no cost; the model counts only kept tickets, so a refunded pump
    ///         must leave the base where it would be without it (checked at every later purchase).
    function pump(uint256 who, uint256 seed) external {
        (who, seed) = (_mix(who), _mix(seed));
        _begin(seed);
        uint256 round = _currentRound();
        uint256 bundle = (seed >> 8) % 4 == 0 ? _pickBundle(round, seed >> 16) : 1 + (seed >> 16) % 15;
        if (bundle != 0 && bundle >> N == 0) {
            uint256 left = 2 * T - _sold[round][bundle];
            if (left != 0) {
                BuyPlan memory p = _plan(who % REGULAR, round, bundle, left);
                p.value = p.cost;
                _expectPayment(p);
                _execBuy(p, seed);
            }
        }
        _end();
    }

    /// @notice Many identities: the extra identities (and a regular bidder or two) buy a bundle's remaining supply
    ///         one or two tickets at a time, as an entity would to get past a per-address cap. There is none, so
    ///         every purchase goes through; holders and refunds follow each identity.
    function manyIdentities(uint256 seed) external {
        seed = _mix(seed);
        _begin(seed);
        uint256 round = _currentRound();
        uint256 bundle = 1 + (seed >> 8) % 15;
        uint256 buyers;
        for (uint256 j; j < IDENTITIES && _sold[round][bundle] < 2 * T; ++j) {
            uint256 b = j < IDENTITIES - REGULAR ? REGULAR + j : j - (IDENTITIES - REGULAR);
            uint256 left = 2 * T - _sold[round][bundle];
            uint256 count = 1 + (seed >> (16 + j)) % 2;
            BuyPlan memory p = _plan(b, round, bundle, count < left ? count : left);
            p.value = p.cost;
            _expectPayment(p);
            _execBuy(p, seed >> j);
            ++buyers;
        }
        if (buyers >= 5 && _sold[round][bundle] == 2 * T) identitiesBuyouts += 1;
        _end();
    }

    /// @notice Ticket sniper at the curve's kink: in the round on sale (now and then in its last block), a bidder
    ///         buys a bundle's tickets up to exactly floor(1.5T), the last one at the base price, then one more,
    ///         the first on the curve. The curve must rise there, and the two purchases must cost exactly what
    ///         the market quoted for both at once: splitting a purchase at the kink saves nothing.
    function snipe(uint256 who, uint256 seed) external {
        (who, seed) = (_mix(who), _mix(seed));
        _begin(seed);
        uint256 round = _currentRound();
        if (seed % 4 == 0) {
            blockNumber = START + round * SALE + SALE - 1;
            vm.roll(blockNumber);
        }
        uint256 kink = (3 * T) / 2;
        uint256 b = who % REGULAR;
        for (uint256 k; k < 15; ++k) {
            uint256 bundle = 1 + ((seed >> 8) + k) % 15;
            uint256 sold = _sold[round][bundle];
            if (sold >= kink) continue;
            uint256 both = market.quote(round, bundle, kink - sold + 1);
            BuyPlan memory flat = _plan(b, round, bundle, kink - sold);
            flat.value = flat.cost;
            _expectPayment(flat);
            _execBuy(flat, seed);
            BuyPlan memory past = _plan(b, round, bundle, 1);
            past.value = past.cost;
            _expectPayment(past);
            _execBuy(past, seed >> 1);
            _eq("snipe: the tickets up to the kink cost the base price", (kink - sold) * flat.base, flat.cost);
            _le("snipe: the curve rises past the kink", flat.base + 1, past.cost);
            _eq("snipe: split at the kink == quoted at once", both, flat.cost + past.cost);
            snipesAtKink += 1;
            if (blockNumber == START + round * SALE + SALE - 1) snipesInLastBlock += 1;
            break;
        }
        _end();
    }

    /// @notice Draw withholder: a ticket holder who can keep draws out of the window's blocks (their proposer,
    ///         or a briber of its builders; one round in four) lets the oldest round's window lapse, then calls
    ///         draw past it: a re-arm (a fresh window LOOKAHEAD blocks ahead) or, once re-arms are used up, a
    ///         void. Either call returns false and earns nothing. A voided round is finalized and every holder
    ///         refunded in full: nobody's ticket money stays locked, and the withholder gets back exactly what it
    ///         paid.
    function withhold(uint256 who, uint256 seed) external {
        (who, seed) = (_mix(who), _mix(seed));
        _begin(seed);
        while (nextToDraw < _currentRound() && (_rounds[nextToDraw].drawn || _rounds[nextToDraw].voided)) {
            ++nextToDraw;
        }
        uint256 round = nextToDraw;
        // The withholder controls the window's blocks of one round in four (a round-level draw, so the others
        // are drawn as usual and the campaign still settles rounds).
        if (round < _currentRound() && uint256(keccak256(abi.encode(_salt, "withheld", round))) % 4 == 0) {
            uint256 lapse = _target(round) + WINDOW + seed % 2;
            if (blockNumber < lapse) {
                blockNumber = lapse;
                vm.roll(blockNumber);
            }
            address withholder = bidders[who % REGULAR];
            uint256 creditBefore = market.creditOf(withholder);
            uint256 rearmsBefore = _rounds[round].rearms;
            _drawOne(round, keccak256(abi.encode("withheld", seed)), withholder);
            RoundModel storage m = _rounds[round];
            _eq("withhold: the lapse draws nothing", 0, m.drawn ? 1 : 0);
            _eq("withhold: the lapse earns nothing", creditBefore, market.creditOf(withholder));
            _eq("withhold: no drawer", 0, _addr(market.drawOf(round).drawer));
            if (m.voided) {
                withheldVoids += 1;
                _refundVoided(round, who % REGULAR);
            } else {
                _eq("withhold: re-armed once more", rearmsBefore + 1, m.rearms);
                withheldRearms += 1;
            }
        }
        _end();
    }

    /// @dev Finalizes voided `round` and refunds every holder of every bundle; then nothing of the round's ticket
    ///      money is left in escrow, and identity `w` (the withholder) got back exactly what it paid.
    function _refundVoided(uint256 round, uint256 w) internal {
        if (!_rounds[round].finalized) _finalizeOne("finalize", round);
        uint256 paid;
        for (uint256 bundle = 1; bundle < 16; ++bundle) {
            paid += _paidBy[round][bundle][w];
        }
        uint256 creditBefore = market.creditOf(bidders[w]);
        for (uint256 bundle = 1; bundle < 16; ++bundle) {
            for (uint256 b; b < IDENTITIES; ++b) {
                if (_paidBy[round][bundle][b] != 0) _refundOne("withhold: refund", b, round, bundle);
            }
        }
        for (uint256 bundle = 1; bundle < 16; ++bundle) {
            for (uint256 b; b < IDENTITIES; ++b) {
                _eq("withhold: no ticket money left locked", 0, market.paidBy(round, bundle, bidders[b]));
            }
        }
        _eq("withhold: the withholder gets back what it paid", creditBefore + paid, market.creditOf(bidders[w]));
    }

    /// @notice Phase edges: moves the clock to one block before, at or after the next boundary (one comes every
    ///         SALE blocks: a round's sale opens and the previous round's closes, that round's challenge opens and
    ///         the one before's closes, which then settles), and there buys a ticket, proposes the optimum or
    ///         finalizes for a round whose phase opens or closes at that boundary: each succeeds or fails
    ///         (WrongPhase with the phases, or NotDrawn once settling) as the model's schedule says.
    function edge(uint256 who, uint256 seed) external {
        (who, seed) = (_mix(who), _mix(seed));
        _begin(seed);
        uint256 boundary = START + SALE * ((blockNumber - START) / SALE + 1);
        blockNumber = boundary - 1 + seed % 3;
        vm.roll(blockNumber);
        uint256 opens = (boundary - START) / SALE; // the round whose sale opens at the boundary
        uint256 kind = (seed >> 8) % 3;
        uint256 back = kind + (kind < 2 && (seed >> 16) % 2 == 1 ? 1 : 0); // sale 0 or 1, challenge 1 or 2, settle 2
        if (opens >= back) {
            uint256 round = opens - back;
            if (kind == 0) {
                BuyPlan memory p = _plan(who % REGULAR, round, 1 + (seed >> 24) % 15, 1);
                p.value = p.cost;
                _expectPayment(p);
                _execBuy("edgeBuy", p, seed);
            } else if (kind == 1) {
                (, uint256[] memory optimal) = _optimalPartition(round, address(0));
                _proposeOne("edgePropose", round, optimal);
            } else {
                _finalizeOne("edgeFinalize", round);
            }
        }
        _end();
    }

    /// @notice A payee that re-enters: rollup 2's payout address is a contract whose receive hook calls
    ///         withdrawCredit again. The re-entry is refused with ReentrantCall and the outer withdrawal pays
    ///         exactly once: the payee receives its credit, the market's balance drops by exactly that.
    function reentrantWithdraw(uint256 seed) external {
        seed = _mix(seed);
        _begin(seed);
        ReentrantPayee actor = ReentrantPayee(payable(payouts[2]));
        address payable self = payable(address(actor));
        actor.arm(abi.encodeCall(ICreditLedger.withdrawCredit, (self)));
        uint256 credit = market.creditOf(self);
        bytes memory expected = credit == 0 ? _err(ICreditLedger.NothingToWithdraw.selector) : bytes("");
        uint256 received = actor.received();
        uint256 balance = address(market).balance;
        vm.prank(self);
        try market.withdrawCredit(self) {
            _ok("reentrantWithdraw", expected);
            ghostOut += credit;
            _eq("reentrantWithdraw: paid exactly once", received + credit, actor.received());
            _eq("reentrantWithdraw: the market pays out exactly that", balance - credit, address(market).balance);
            _eq("reentrantWithdraw: re-entry went through", 0, actor.reentered() ? 1 : 0);
            _sameError("reentrantWithdraw: re-entry", _err(ICreditLedger.ReentrantCall.selector), actor.blockedWith());
            _eq("reentrantWithdraw: credit left", 0, market.creditOf(self));
            reentriesBlocked += 1;
        } catch (bytes memory reason) {
            _failed("reentrantWithdraw", expected, reason);
            _eq("reentrantWithdraw: refused, nothing paid", received, actor.received());
        }
        actor.arm("");
        _end();
    }

    /// @notice A payee that rejects ETH: rollup 1's payout address is a contract whose receive hook reverts.
    ///         Withdrawing its credit to itself fails as a whole with TransferFailed: the credit stays, the
    ///         market's balance does not move. It can still withdraw to another address (nothing is lost), and
    ///         the other rollups withdraw as usual (pull payments: one payee cannot hold them up).
    function rejectingPayee(uint256 seed) external {
        seed = _mix(seed);
        _begin(seed);
        address payable payee = payable(payouts[1]);
        uint256 credit = market.creditOf(payee);
        bytes memory expected = credit == 0
            ? _err(ICreditLedger.NothingToWithdraw.selector)
            : abi.encodeWithSelector(ICreditLedger.TransferFailed.selector, payee, credit);
        uint256 balance = address(market).balance;
        vm.prank(payee);
        try market.withdrawCredit(payee) {
            _ok("rejectingPayee", expected);
        } catch (bytes memory reason) {
            _failed("rejectingPayee", expected, reason);
        }
        _eq("rejectingPayee: still owed", credit, market.creditOf(payee));
        _eq("rejectingPayee: market balance unchanged", balance, address(market).balance);
        if (credit != 0) {
            rejectedPayments += 1;
            if ((seed >> 8) % 2 == 0) _creditToSink("rejectingPayee: paid elsewhere", payee);
        }
        address other = payouts[(seed >> 16) % 2 == 0 ? 0 : 3];
        if (market.creditOf(other) != 0) _creditToSink("rejectingPayee: others paid", other);
        _end();
    }

    /// @dev `account` withdraws all its credit to SINK, which must succeed and pay exactly that.
    function _creditToSink(string memory action, address account) internal {
        uint256 credit = market.creditOf(account);
        uint256 sinkBefore = SINK.balance;
        vm.prank(account);
        try market.withdrawCredit(payable(SINK)) {
            _ok(action, bytes(""));
        } catch (bytes memory reason) {
            _failed(action, bytes(""), reason); // reverts: a success was expected
        }
        ghostOut += credit;
        _eq(string.concat(action, ": paid"), sinkBefore + credit, SINK.balance);
    }

    /// @notice Proposes the optimal partition (brute force), a valid one (often worse) or a random list.
    function propose(uint256 seed) external {
        seed = _mix(seed);
        _begin(seed);
        uint256 round = _pickRound(1, seed);
        (uint256 optimum, uint256[] memory optimal) = _optimalPartition(round, address(0));
        uint256 mode = (seed >> 8) % 3;
        uint256[] memory bundles =
            mode == 0
            ? optimal
            : mode == 1 ? _disjointBundles(round, seed >> 16, address(0)) : _randomBundles(round, seed >> 16);
        bool kept = _proposeOne("propose", round, bundles);
        if (_phase(round) == IRoundSchedule.Phase.Challenge) {
            (, uint256 value) = market.bestPartition(round);
            // Nothing is worth more than the optimum; after proposing it, it is what is kept.
            _le("propose: kept value <= brute-force optimum", value, optimum);
            if (mode == 0) _eq("propose: optimum kept", optimum, value);
            if (kept && mode == 0) optimalKept += 1;
            if (kept && value < optimum) worseKept += 1;
        }
        _end();
    }

    /// @notice Draws a round: mostly the oldest one due (in its window, or past it: re-arm or void), else a
    ///         random recent one (too early, in or past its window, already drawn or voided). Any account calls.
    function draw(uint256 seed, bytes32 randomness) external {
        seed = _mix(seed);
        _begin(seed);
        _drawOne(_pickDrawRound(seed), randomness, accounts[(seed >> 32) % accounts.length]);
        _end();
    }

    /// @notice Draw timing: any account draws the oldest round still waiting for its seed at the block of its
    ///         window it picks (first, last, or between), moving the clock there when the window is ahead, as a
    ///         drawer choosing among the window's seeds would. It earns the bounty like any drawer; a call past
    ///         the window re-arms or voids and earns nothing.
    function drawAt(uint256 seed, bytes32 randomness) external {
        seed = _mix(seed);
        _begin(seed);
        while (nextToDraw < _currentRound() && (_rounds[nextToDraw].drawn || _rounds[nextToDraw].voided)) {
            ++nextToDraw;
        }
        uint256 round = nextToDraw;
        uint256 offset = (seed >> 8) % WINDOW;
        uint256 drawBlock = _target(round) + offset;
        if (round < _currentRound() && blockNumber < drawBlock) {
            blockNumber = drawBlock;
            vm.roll(blockNumber);
        }
        bool drawn = _drawOne(round, randomness, accounts[(seed >> 32) % accounts.length]);
        if (drawn && blockNumber == _target(round)) drawsAtWindowStart += 1;
        if (drawn && blockNumber == _target(round) + WINDOW - 1) drawsAtWindowEnd += 1;
        _end();
    }

    function finalize(uint256 seed) external {
        seed = _mix(seed);
        _begin(seed);
        while (_rounds[nextToFinalize].finalized) ++nextToFinalize;
        uint256 round = nextToFinalize;
        uint256 mode = seed % 10;
        if (mode < 6) {
            // The oldest round ready to settle, if any.
            for (uint256 r = nextToFinalize; r + 2 <= _currentRound(); ++r) {
                RoundModel storage m = _rounds[r];
                if (!m.finalized && (m.drawn || m.voided) && _phase(r) == IRoundSchedule.Phase.Settle) {
                    round = r;
                    break;
                }
            }
        } else if (mode < 8) {
            round = _pickRound(2, seed >> 8);
        } else if (mode == 8 && finalizedRounds.length != 0) {
            round = finalizedRounds[(seed >> 8) % finalizedRounds.length]; // twice
        }
        _finalizeOne("finalize", round);
        _end();
    }

    /// @notice One to three refund claims, mostly for bundles somebody bought in finalized rounds.
    function claimRefund(uint256 who, uint256 seed) external {
        (who, seed) = (_mix(who), _mix(seed));
        _begin(seed);
        uint256 count = 1 + seed % 3;
        for (uint256 j; j < count; ++j) {
            _claimOne((who % REGULAR + j) % REGULAR, uint256(keccak256(abi.encode(seed, j))));
        }
        _end();
    }

    function withdrawCredit(uint256 who) external {
        who = _mix(who);
        _begin(who);
        address account = accounts[who % accounts.length];
        address to = (who >> 8) % 16 == 0 ? address(0) : SINK;
        uint256 credit = market.creditOf(account);
        bytes memory expected;
        if (to == address(0)) expected = _err(ICreditLedger.ZeroAddress.selector);
        else if (credit == 0) expected = _err(ICreditLedger.NothingToWithdraw.selector);
        uint256 sinkBefore = SINK.balance;
        vm.prank(account);
        try market.withdrawCredit(payable(to)) {
            _ok("withdrawCredit", expected);
            ghostOut += credit;
            _eq("withdrawCredit: paid out", sinkBefore + credit, SINK.balance);
            _eq("withdrawCredit: credit cleared", 0, market.creditOf(account));
        } catch (bytes memory reason) {
            _failed("withdrawCredit", expected, reason);
        }
        _end();
    }

    function setReserve(uint256 rollup, uint256 reserve) external {
        (rollup, reserve) = (_mix(rollup), _mix(reserve));
        _begin(reserve);
        address caller = payouts[rollup % N];
        if (rollup % 10 == 9) caller = bidders[0]; // not the rollup's payout address
        if (rollup % 31 == 30) rollup = N; // no such rollup
        else rollup %= N;
        if (reserve % 17 == 0) {
            reserve = uint256(type(uint128).max) + 1;
        } else if (reserve % 43 == 1) {
            reserve = HUGE_RESERVE;
        } else if (reserve % 3 == 0 && rollup < N) {
            // k tickets of the singleton at its (projected) base price next round: revenue == reserve exactly.
            reserve = (1 + (reserve >> 8) % 4) * modelBase(1 << rollup, _currentRound() + 1);
        } else {
            reserve = (reserve % 4) * UNIT / 4 + (reserve >> 8) % 5;
        }
        bytes memory expected;
        if (rollup >= N) {
            expected = abi.encodeWithSelector(IRollupRegistry.UnknownRollup.selector, rollup);
        } else if (caller != payouts[rollup]) {
            expected = abi.encodeWithSelector(IRollupRegistry.NotRollupPayout.selector, rollup, caller);
        } else if (reserve > type(uint128).max) {
            expected = abi.encodeWithSelector(IRollupRegistry.ReserveTooLarge.selector, reserve);
        }
        vm.prank(caller);
        try market.setReserve(rollup, reserve) {
            _ok("setReserve", expected);
            // Applies from the first round not yet open.
            uint256 from = _currentRound() + 1;
            Checkpoint[] storage history = _reserves[rollup];
            if (history[history.length - 1].from == from) history[history.length - 1].reserve = reserve;
            else history.push(Checkpoint(from, reserve));
            _eq("setReserve: applies from next round", reserve, market.reserveAt(rollup, from));
        } catch (bytes memory reason) {
            _failed("setReserve", expected, reason);
        }
        _end();
    }

    /// @notice Moves the chain on: one block about 30% of the time (so each phase sees several calls of every
    ///         kind), now and then a whole round (no sales) or past every pending draw window.
    function advance(uint256 blocks) external {
        blocks = _mix(blocks);
        _begin(0);
        uint256 r = blocks % 128;
        if (r == 0) blockNumber += LOOKAHEAD + WINDOW;
        else if (r < 3) blockNumber += SALE;
        else if (r < 40) blockNumber += 1;
        vm.roll(blockNumber);
        _end();
    }

    // ================================================================== buy

    struct BuyPlan {
        uint256 b; // bidder index
        address buyer;
        uint256 round;
        uint256 bundle;
        uint256 count;
        uint256 sold; // before
        uint256 base;
        bool live; // kept tickets have moved the base (else: the starting price, as never sold)
        uint256 cost;
        uint256 value;
        bytes expected;
    }

    function _planBuy(uint256 b, uint256 seed) internal view returns (BuyPlan memory p) {
        uint256 round = (seed >> 4) % 3 == 0 ? _pickRound(0, seed) : _currentRound();
        uint256 bundle = _pickBundle(round, seed >> 8);
        uint256 left = 2 * T - (bundle != 0 && bundle >> N == 0 ? _sold[round][bundle] : 0);
        uint256 mode = (seed >> 16) % 64;
        uint256 count;
        if (mode < 3) count = 0;
        else if (mode < 8) count = left + 1 + (seed >> 24) % 3; // beyond 2T
        else if (mode < 14) count = left; // sell out (none left: zero tickets)
        else if (mode == 17) count = type(uint256).max - (seed >> 24) % 2; // absurd
        else count = 1 + (seed >> 24) % 3;
        p = _plan(b, round, bundle, count);

        uint256 pay = (seed >> 32) % 20;
        if (p.cost == 0) p.value = (seed >> 40) % 3 == 0 ? 0 : UNIT; // failing anyway: money must come back
        else if (pay < 2) p.value = p.cost - 1;
        else if (pay == 2) p.value = p.cost / 2;
        else if (pay < 5) p.value = p.cost + 1; // one wei too much
        else if (pay < 7) p.value = p.cost + 1 + (seed >> 40) % UNIT;
        else p.value = p.cost;
        _expectPayment(p);
    }

    /// @dev What buying `count` tickets of `bundle` in `round` as bidder `b` should do (before the payment is
    ///      chosen): the error, or the base price and cost. Any bidder may buy any count up to 2T: no cap.
    function _plan(uint256 b, uint256 round, uint256 bundle, uint256 count) internal view returns (BuyPlan memory p) {
        (p.b, p.buyer, p.round, p.bundle, p.count) = (b, bidders[b], round, bundle, count);
        bool valid = bundle != 0 && bundle >> N == 0;
        if (valid) p.sold = _sold[round][bundle];
        IRoundSchedule.Phase phase = _phase(round);
        if (phase != IRoundSchedule.Phase.Commit) {
            p.expected = abi.encodeWithSelector(
                IRoundSchedule.WrongPhase.selector, round, uint8(IRoundSchedule.Phase.Commit), uint8(phase)
            );
        } else if (!valid) {
            p.expected = abi.encodeWithSelector(IMarket.InvalidBundle.selector, bundle);
        } else if (count == 0) {
            p.expected = _err(ILotteryMarket.ZeroTickets.selector);
        } else if (count > 2 * T - p.sold) {
            p.expected = abi.encodeWithSelector(ILotteryMarket.TicketLimit.selector, bundle, 2 * T - p.sold);
        } else {
            (p.base, p.live) = modelPrice(bundle, round);
            p.cost = modelCost(p.base, p.sold, count);
        }
    }

    function _expectPayment(BuyPlan memory p) internal pure {
        if (p.expected.length == 0 && p.value < p.cost) {
            p.expected = abi.encodeWithSelector(ILotteryMarket.InsufficientPayment.selector, p.cost, p.value);
        }
    }

    function _buyOne(uint256 b, uint256 seed) internal {
        _execBuy(_planBuy(b, seed), seed);
    }

    function _execBuy(BuyPlan memory p, uint256 seed) internal {
        _execBuy("buy", p, seed);
    }

    function _execBuy(string memory action, BuyPlan memory p, uint256 seed) internal {
        if (p.cost != 0) _eq("quote == model cost", p.cost, market.quote(p.round, p.bundle, p.count));
        uint256 creditBefore = market.creditOf(p.buyer);
        uint256 escrowBefore = market.escrow();
        uint256 balanceBefore = address(market).balance;
        vm.deal(p.buyer, p.buyer.balance + p.value);
        vm.prank(p.buyer);
        vm.recordLogs();
        try market.buy{value: p.value}(p.round, p.bundle, p.count) {
            _ok(action, p.expected);
            ghostIn += p.value;
            _eq("buy: balance", balanceBefore + p.value, address(market).balance);
            _eq("buy: escrow takes the cost", escrowBefore + p.cost, market.escrow());
            _eq("buy: excess credited", creditBefore + p.value - p.cost, market.creditOf(p.buyer));
            _checkBaseFixed(p);
            _recordBuy(p);
            _checkAfterBuy(p, seed);
        } catch (bytes memory reason) {
            _failed(action, p.expected, reason);
        }
    }

    /// @dev The round's first purchase of a bundle fixes its base price, and says so; later ones do not.
    function _checkBaseFixed(BuyPlan memory p) internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 fixed_;
        for (uint256 k; k < logs.length; ++k) {
            if (logs[k].emitter != address(market) || logs[k].topics[0] != BASE_PRICE_FIXED) continue;
            fixed_ += 1;
            _eq("BasePriceFixed: round", p.round, uint256(logs[k].topics[1]));
            _eq("BasePriceFixed: bundle", p.bundle, uint256(logs[k].topics[2]));
            _eq("BasePriceFixed: base", p.base, abi.decode(logs[k].data, (uint256)));
        }
        _eq("BasePriceFixed emitted by the round's first purchase only", p.sold == 0 ? 1 : 0, fixed_);
    }

    function _recordBuy(BuyPlan memory p) internal {
        uint256 bundle = p.bundle;
        if (!_seen[bundle]) {
            _seen[bundle] = true;
            if (p.base > FLOOR) startAboveFloor += 1;
            if (p.base == MAX_BASE) startCapped += 1;
        } else if (p.sold == 0 && p.round > _lastSaleRound[bundle]) {
            // First sale of the bundle in this round: how did the base move since its last sale round, and on
            // which rounds' kept tickets?
            uint256 last = _lastSaleRound[bundle];
            uint256 before = _lastSaleBase[bundle];
            if (p.base > before) baseUp += 1;
            if (p.base < before) baseDown += 1;
            if (p.base == FLOOR && before > FLOOR) baseAtFloor += 1;
            if (p.round > last + 1) baseAfterGap += 1;
            if (!p.live) pricedAsNeverSold += 1;
            _countSteps(bundle, last, p.round);
        }
        _lastSaleRound[bundle] = p.round;
        _lastSaleBase[bundle] = p.base;
        _lastSaleLive[bundle] = p.live;
        _lots[p.round][bundle].push(Lot(uint8(p.b), uint32(p.count)));
        uint256 flatEnd = (3 * T) / 2;
        uint256 end = p.sold + p.count;
        if (end > flatEnd) ticketsOnCurve += end - (p.sold > flatEnd ? p.sold : flatEnd);
        if (end == 2 * T) bundlesFilled += 1;
        if (p.value > p.cost) overpaid += 1;
        _sold[p.round][bundle] = end;
        _paidBy[p.round][bundle][p.b] += p.cost;
        _revenue[p.round][bundle] += p.cost;
        _rounds[p.round].paid += p.cost;
        modelEscrow += p.cost;
    }

    /// @dev Counts what the steps taken between a bundle's sale rounds `last` and `next` were made of: rounds
    ///      whose kept tickets (over T) raised it, and rounds with sales all refunded (bought out: a pump).
    function _countSteps(uint256 bundle, uint256 last, uint256 next) internal {
        for (uint256 q = last == 0 ? 0 : last - 1; q <= last && q + 2 <= next; ++q) {
            uint256 kept = modelKept(q, bundle);
            if (kept > T) keptRaisedBase += 1;
            if (_sold[q][bundle] != 0 && kept == 0) {
                refundedNotCounted += 1;
                if (_sold[q][bundle] == 2 * T) pumpsIgnored += 1;
            }
        }
    }

    function _checkAfterBuy(BuyPlan memory p, uint256 seed) internal view {
        uint256 end = p.sold + p.count;
        _eq("buy: ticketsSold", end, market.ticketsSold(p.round, p.bundle));
        _eq("buy: revenueOf", _revenue[p.round][p.bundle], market.revenueOf(p.round, p.bundle));
        _eq("buy: paidBy", _paidBy[p.round][p.bundle][p.b], market.paidBy(p.round, p.bundle, p.buyer));
        _eq("buy: base price", p.base, market.basePrice(p.bundle, p.round));
        // Projected base prices of later rounds: steps on kept tickets as the rounds stand now, then decay.
        uint256 later = p.round + 1 + seed % 3;
        _eq("buy: later base price", modelBase(p.bundle, later), market.basePrice(p.bundle, later));
        // Holders: the first and last new tickets are the buyer's; a random one is the model's.
        _eq("buy: holder of first new ticket", _addr(p.buyer), _addr(market.ticketHolder(p.round, p.bundle, p.sold)));
        _eq("buy: holder of last new ticket", _addr(p.buyer), _addr(market.ticketHolder(p.round, p.bundle, end - 1)));
        uint256 ticket = (seed >> 48) % end;
        _eq(
            "buy: holder of a ticket",
            _addr(_holder(p.round, p.bundle, ticket)),
            _addr(market.ticketHolder(p.round, p.bundle, ticket))
        );
        try market.ticketHolder(p.round, p.bundle, end) {
            revert Mismatch("buy: ticket past the last sold has a holder", 0, 1);
        } catch (bytes memory reason) {
            _sameError(
                "ticketHolder",
                abi.encodeWithSelector(ILotteryMarket.UnknownTicket.selector, p.round, p.bundle, end),
                reason
            );
        }
    }

    // ================================================================== propose

    function _proposeOne(string memory action, uint256 round, uint256[] memory bundles) internal returns (bool kept) {
        bytes memory expected;
        uint256 value;
        uint256 current = _modelBestValue(round);
        (uint256[] memory keptBefore, uint256 before) = market.bestPartition(round);
        _eq("propose: best value before == model", current, before);
        IRoundSchedule.Phase phase = _phase(round);
        if (phase != IRoundSchedule.Phase.Challenge) {
            expected = abi.encodeWithSelector(
                IRoundSchedule.WrongPhase.selector, round, uint8(IRoundSchedule.Phase.Challenge), uint8(phase)
            );
        } else {
            (expected, value) = _judgePartition(round, bundles, address(0));
            if (expected.length == 0 && !_outranks(value, bundles, current, keptBefore)) {
                expected = abi.encodeWithSelector(IPartitionChallenge.NotBetter.selector, value, current);
            }
        }
        try market.propose(round, bundles) returns (uint256 returned) {
            _ok(action, expected);
            _eq("propose: returned value", value, returned);
            RoundModel storage m = _rounds[round];
            m.proposed = true;
            m.keptValue = value;
            _kept[round] = bundles;
            _checkKept(round, "propose: kept");
            kept = true;
        } catch (bytes memory reason) {
            _failed(action, expected, reason);
            _checkKept(round, "propose: failed proposal leaves");
        }
    }

    function _checkKept(uint256 round, string memory what) internal view {
        (uint256[] memory kept, uint256 value) = market.bestPartition(round);
        uint256[] storage model = _kept[round];
        _eq(string.concat(what, " value"), _modelBestValue(round), value);
        _eq(string.concat(what, " bundle count"), model.length, kept.length);
        for (uint256 k; k < kept.length; ++k) {
            _eq(string.concat(what, " bundle"), model[k], kept[k]);
        }
    }

    // ================================================================== draw

    /// @dev The oldest round due for a draw call, its planned missed windows decided on first sight: most
    ///      rounds are drawn in their first window, one in eight misses one (re-armed, then drawn) and one in
    ///      eight misses two (re-armed, then voided: MAX_REARMS = 1). Jumps of the clock add misses.
    function _pickDrawRound(uint256 seed) internal returns (uint256) {
        uint256 current = _currentRound();
        uint256 mode = seed % 20;
        if (mode < 10) {
            while (nextToDraw < current && (_rounds[nextToDraw].drawn || _rounds[nextToDraw].voided)) ++nextToDraw;
            for (uint256 round = nextToDraw; round < current; ++round) {
                RoundModel storage m = _rounds[round];
                if (m.drawn || m.voided) continue;
                if (m.plan == 0) {
                    uint256 r = uint256(keccak256(abi.encode(seed, round))) % 8;
                    m.plan = r < 6 ? 1 : r < 7 ? 2 : 3;
                }
                uint256 target = _target(round);
                if (blockNumber >= target + WINDOW) return round; // missed: re-arm or void
                if (blockNumber >= target && m.rearms + 1 >= m.plan) return round; // in the window
            }
            return nextToDraw; // nothing due: too early
        }
        if (mode < 16) {
            uint256 back = (seed >> 8) % 8;
            uint256 round = current + 1 > back ? current + 1 - back : 0;
            // A round meant to miss this window is left alone (it gets a too-early call instead).
            RoundModel storage m = _rounds[round];
            uint256 target = _target(round);
            bool inWindow = !m.drawn && !m.voided && blockNumber >= target && blockNumber < target + WINDOW;
            return inWindow && m.rearms + 1 < m.plan ? current + 1 : round;
        }
        // Twice (a voided round now and then, however few there are: drawing one must fail with Voided).
        if (mode == 18 && _voidedRounds.length != 0) return _voidedRounds[(seed >> 8) % _voidedRounds.length];
        if (mode < 19 && _drawDone.length != 0) return _drawDone[(seed >> 8) % _drawDone.length];
        if ((seed >> 8) % 4 == 0) return uint256(type(uint64).max) + 1; // beyond the schedule
        return current + (seed >> 16) % 3;
    }

    /// @dev `drawer` calls draw(round); returns whether it drew the seed (and so earns the round's bounty).
    function _drawOne(uint256 round, bytes32 randomness, address drawer) internal returns (bool) {
        RoundModel storage m = _rounds[round];
        bytes memory expected;
        uint256 outcome; // 1 drawn, 2 re-armed, 3 voided
        if (m.drawn) {
            expected = abi.encodeWithSelector(ILotteryMarket.AlreadyDrawn.selector, round);
        } else if (m.voided) {
            expected = abi.encodeWithSelector(ILotteryMarket.Voided.selector, round);
        } else if (round > type(uint64).max) {
            expected = abi.encodeWithSelector(IRoundSchedule.RoundOutOfRange.selector, round);
        } else {
            uint256 target = _target(round);
            if (blockNumber < target) {
                expected = abi.encodeWithSelector(ILotteryMarket.DrawTooEarly.selector, round, target);
            } else if (blockNumber >= target + WINDOW) {
                outcome = m.rearms >= MAX_REARMS ? 3 : 2;
            } else {
                outcome = 1;
            }
        }
        vm.prevrandao(randomness);
        vm.prank(drawer);
        try market.draw(round) returns (bool drawn) {
            _ok("draw", expected);
            _eq("draw: returns whether drawn", outcome == 1 ? 1 : 0, drawn ? 1 : 0);
            if (outcome == 1) {
                m.drawn = true;
                m.drawer = drawer; // only the call that draws the seed is paid
                m.seed = keccak256(abi.encode(randomness, block.chainid, address(market), round));
                drawsInWindow += 1;
                _drawDone.push(round);
            } else if (outcome == 2) {
                m.target = blockNumber + LOOKAHEAD;
                m.rearms += 1;
                rearmed += 1;
            } else {
                m.voided = true;
                m.voidBlock = blockNumber;
                voided += 1;
                _drawDone.push(round);
                _voidedRounds.push(round);
                _checkKeptAfterVoid(round);
            }
            _checkDrawState(round);
        } catch (bytes memory reason) {
            _failed("draw", expected, reason);
            if (round <= type(uint64).max) _checkDrawState(round);
        }
        return outcome == 1 && m.drawer == drawer && expected.length == 0;
    }

    /// @dev A void refunds every ticket, but counts for pricing only if it came before round + 2's sale opened
    ///      (whose base it would move): every bundle's kept tickets, as the model has them, right after a void.
    function _checkKeptAfterVoid(uint256 round) internal {
        bool late;
        for (uint256 bundle = 1; bundle < 16; ++bundle) {
            uint256 kept = modelKept(round, bundle);
            _eq("ticketsKept after a void == model", kept, market.ticketsKept(round, bundle));
            if (kept != 0) late = true;
        }
        if (late) lateVoidsKept += 1;
    }

    function _checkDrawState(uint256 round) internal view {
        RoundModel storage m = _rounds[round];
        ILotteryMarket.Draw memory d = market.drawOf(round);
        _eq("drawOf: target", _target(round), d.target);
        _eq("drawOf: rearms", m.rearms, d.rearms);
        _eq("drawOf: drawn", m.drawn ? 1 : 0, d.drawn ? 1 : 0);
        _eq("drawOf: voided", m.voided ? 1 : 0, d.voided ? 1 : 0);
        _eq("drawOf: finalized", m.finalized ? 1 : 0, d.finalized ? 1 : 0);
        _eq("drawOf: seed", uint256(m.seed), uint256(d.seed));
        _eq("drawOf: sold singletons", m.soldSingletons, d.soldSingletons);
        _eq("drawOf: voided at", m.voidBlock, d.voidedAt);
        _eq("drawOf: drawer", _addr(m.drawer), _addr(d.drawer));
    }

    // ================================================================== finalize

    struct Sale {
        uint256 bundle;
        uint256 revenue;
        uint256 fee; // the drawer's bounty out of the revenue
        uint256 ticket;
        address winner;
    }

    struct Settlement {
        Sale[] sales;
        uint256 count;
        uint256 revenue;
        uint256 fees; // the drawer's bounty, all bundles
        uint256 value;
        uint256 soldSingletons;
        uint256 wonBundles;
        uint256 atReserve;
        uint256[N] shares;
    }

    function _finalizeOne(string memory action, uint256 round) internal {
        RoundModel storage m = _rounds[round];
        bytes memory expected;
        IRoundSchedule.Phase phase = _phase(round);
        if (phase != IRoundSchedule.Phase.Settle) {
            expected = abi.encodeWithSelector(
                IRoundSchedule.WrongPhase.selector, round, uint8(IRoundSchedule.Phase.Settle), uint8(phase)
            );
        } else if (!m.drawn && !m.voided) {
            expected = abi.encodeWithSelector(ILotteryMarket.NotDrawn.selector, round);
        } else if (m.finalized) {
            expected = abi.encodeWithSelector(IMarket.AlreadyFinalized.selector, round);
        }
        Settlement memory s;
        if (expected.length == 0 && m.drawn) s = _expectedSettlement(round);
        uint256[] memory creditBefore = new uint256[](accounts.length);
        for (uint256 k; k < accounts.length; ++k) {
            creditBefore[k] = market.creditOf(accounts[k]);
        }
        uint256 escrowBefore = market.escrow();
        vm.recordLogs(); // (re)starts recording with an empty log
        try market.finalize(round) {
            _ok(action, expected);
            _checkEvents(round, s);
            // Every account's credit moves by its rollup shares plus, for the drawer, the bounty; nobody else's.
            uint256 credited;
            for (uint256 k; k < accounts.length; ++k) {
                uint256 delta = market.creditOf(accounts[k]) - creditBefore[k];
                uint256 expectedDelta = accounts[k] == m.drawer ? s.fees : 0;
                for (uint256 i; i < N; ++i) {
                    if (accounts[k] == payouts[i]) expectedDelta += s.shares[i];
                }
                _eq("finalize: credit (rollup share + bounty)", expectedDelta, delta);
                credited += delta;
            }
            _eq("finalize: rollups and drawer get the revenue", s.revenue, credited);
            _eq("finalize: escrow releases the revenue", escrowBefore - s.revenue, market.escrow());
            modelEscrow -= s.revenue;
            m.finalized = true;
            m.credited = s.revenue - s.fees;
            m.bounty = s.fees;
            m.soldSingletons = s.soldSingletons;
            m.wonBundles = s.wonBundles;
            if (s.fees != 0) bountiesPaid += 1;
            if (s.fees != 0 && _isBidder(m.drawer)) bountiesToBidders += 1;
            bountyTotal += s.fees;
            totalRevenue += s.revenue - s.fees;
            paidFinalized += m.paid;
            claimableFinalized += claimableOf(round);
            finalizedRounds.push(round);
            if (m.voided) voidedFinalized += 1;
            singletonsWonAtReserve += s.atReserve;
            _checkDrawState(round);
            _checkKept(round, "finalize: partition");
            _checkSequencers(round, s);
        } catch (bytes memory reason) {
            _failed(action, expected, reason);
            if (!m.finalized) {
                try market.sequencerOf(round, 0) {
                    revert Mismatch("sequencerOf before finalization", 0, 1);
                } catch (bytes memory why) {
                    _sameError(
                        "sequencerOf", abi.encodeWithSelector(IMarket.RoundNotFinalized.selector, round), why
                    );
                }
            }
        }
    }

    /// @dev What finalize(round) pays, from the model: the kept partition's bundles, then the singletons not
    ///      covered whose revenue is non-zero and meets the reserve; each one's winning ticket
    ///      keccak256(seed, bundle) mod sold and its holder; the drawer's bounty, floor(revenue * BOUNTY_BPS /
    ///      10000); each rollup's share of the rest.
    function _expectedSettlement(uint256 round) internal view returns (Settlement memory s) {
        uint256[] memory sold;
        (sold, s.soldSingletons) = _soldBundles(round, _kept[round]);
        s.sales = new Sale[](sold.length);
        s.value = _modelBestValue(round);
        for (uint256 k; k < sold.length; ++k) {
            _addSale(round, sold[k], s);
            if (s.soldSingletons & sold[k] != 0 && _revenue[round][sold[k]] == modelReserve(_lowest(sold[k]), round)) {
                s.atReserve += 1;
            }
        }
    }

    function _addSale(uint256 round, uint256 bundle, Settlement memory s) internal view {
        uint256 revenue = _revenue[round][bundle];
        uint256 fee = (revenue * BOUNTY_BPS) / BPS;
        uint256 ticket = uint256(keccak256(abi.encode(_rounds[round].seed, bundle))) % _sold[round][bundle];
        s.sales[s.count++] = Sale(bundle, revenue, fee, ticket, _holder(round, bundle, ticket));
        s.revenue += revenue;
        s.fees += fee;
        s.wonBundles |= 1 << bundle;
        uint256[N] memory shares = _split(round, bundle, revenue - fee);
        uint256 sum;
        for (uint256 i; i < N; ++i) {
            s.shares[i] += shares[i];
            sum += shares[i];
        }
        _eq("model: shares sum to the revenue less the bounty", revenue - fee, sum);
    }

    function _isBidder(address account) internal view returns (bool) {
        for (uint256 b; b < IDENTITIES; ++b) {
            if (bidders[b] == account) return true;
        }
        return false;
    }

    function _checkEvents(uint256 round, Settlement memory s) internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 won;
        uint256 paid; // KeeperPaid events: one per sold bundle with a non-zero fee, after its LotteryWon
        bool finalized;
        for (uint256 k; k < logs.length; ++k) {
            Vm.Log memory log = logs[k];
            if (log.emitter != address(market)) continue;
            if (log.topics[0] == LOTTERY_WON) {
                _le("finalize: LotteryWon events", won + 1, s.count);
                Sale memory sale = s.sales[won++];
                _eq("LotteryWon: round", round, uint256(log.topics[1]));
                _eq("LotteryWon: winner", _addr(sale.winner), uint256(log.topics[2]));
                (uint256 bundle, uint256 ticket, uint256 revenue) = abi.decode(log.data, (uint256, uint256, uint256));
                _eq("LotteryWon: bundle", sale.bundle, bundle);
                _eq("LotteryWon: ticket", sale.ticket, ticket);
                _eq("LotteryWon: revenue", sale.revenue, revenue);
            } else if (log.topics[0] == KEEPER_PAID) {
                Sale memory sale = s.sales[won - 1];
                paid += 1;
                _eq("KeeperPaid: round", round, uint256(log.topics[1]));
                _eq("KeeperPaid: drawer", _addr(_rounds[round].drawer), uint256(log.topics[2]));
                (uint256 bundle, uint256 amount) = abi.decode(log.data, (uint256, uint256));
                _eq("KeeperPaid: bundle", sale.bundle, bundle);
                _eq("KeeperPaid: amount", sale.fee, amount);
                _le("KeeperPaid: a fee", 1, amount);
            } else if (log.topics[0] == ROUND_FINALIZED) {
                finalized = true;
                _eq("RoundFinalized: round", round, uint256(log.topics[1]));
                (uint256 value, uint256 revenue,) = abi.decode(log.data, (uint256, uint256, uint256[]));
                _eq("RoundFinalized: value", s.value, value);
                _eq("RoundFinalized: revenue", s.revenue, revenue);
            }
        }
        _eq("finalize: LotteryWon events", s.count, won);
        uint256 fees;
        for (uint256 k; k < s.count; ++k) {
            if (s.sales[k].fee != 0) ++fees;
        }
        _eq("finalize: KeeperPaid events", fees, paid);
        _eq("finalize: RoundFinalized emitted", 1, finalized ? 1 : 0);
    }

    /// @dev sequencerOf agrees with the model: the winner of the sold bundle holding the rollup, else nobody.
    function _checkSequencers(uint256 round, Settlement memory s) internal {
        for (uint256 i; i < N; ++i) {
            address expected;
            for (uint256 k; k < s.count; ++k) {
                if (s.sales[k].bundle & (1 << i) != 0) expected = s.sales[k].winner;
            }
            _eq("sequencerOf", _addr(expected), _addr(market.sequencerOf(round, i)));
        }
        for (uint256 k; k < s.count; ++k) {
            if (s.sales[k].bundle & (s.sales[k].bundle - 1) == 0) singletonsWon += 1;
            else multiBundlesWon += 1;
        }
        // salesOf: the same sales in settlement order, each at its ticket revenue (bid and price); none if voided.
        IMarket.Sale[] memory sales = market.salesOf(round);
        _eq("salesOf: count", s.count, sales.length);
        for (uint256 k; k < sales.length; ++k) {
            _eq("salesOf: bundle", s.sales[k].bundle, sales[k].bundle);
            _eq("salesOf: winner", _addr(s.sales[k].winner), _addr(sales[k].winner));
            _eq("salesOf: bid", s.sales[k].revenue, sales[k].bid);
            _eq("salesOf: price", s.sales[k].revenue, sales[k].price);
        }
    }

    // ================================================================== claimRefund

    function _claimOne(uint256 b, uint256 seed) internal {
        address buyer = bidders[b];
        uint256 round;
        uint256 n = finalizedRounds.length;
        if (n != 0 && seed % 6 != 0) round = finalizedRounds[n - 1 - (seed >> 8) % (n < 6 ? n : 6)];
        else round = _pickRound(2, seed >> 8);
        uint256 bundle = _pickClaimBundle(round, seed >> 16);
        if (bundle != 0 && bundle < 16 && (seed >> 32) % 5 != 0) {
            // Mostly someone who bought the bundle.
            Lot[] storage lots = _lots[round][bundle];
            if (lots.length != 0) b = lots[(seed >> 40) % lots.length].buyer;
            buyer = bidders[b];
        }
        _refundOne("claimRefund", b, round, bundle);
    }

    /// @dev Identity `b` claims its refund for `bundle` in `round`.
    function _refundOne(string memory action, uint256 b, uint256 round, uint256 bundle) internal {
        address buyer = bidders[b];
        RoundModel storage m = _rounds[round];
        uint256 amount = bundle != 0 && bundle < 16 ? _paidBy[round][bundle][b] : 0;
        bytes memory expected;
        if (!m.finalized) {
            expected = abi.encodeWithSelector(IMarket.RoundNotFinalized.selector, round);
        } else if (_won(round, bundle)) {
            expected = abi.encodeWithSelector(ILotteryMarket.BundleWon.selector, round, bundle);
        } else if (amount == 0) {
            expected = abi.encodeWithSelector(ILotteryMarket.NothingToRefund.selector, round, bundle, buyer);
        }
        uint256 creditBefore = market.creditOf(buyer);
        uint256 escrowBefore = market.escrow();
        vm.prank(buyer);
        try market.claimRefund(round, bundle) {
            _ok(action, expected);
            _eq("claimRefund: credited", creditBefore + amount, market.creditOf(buyer));
            _eq("claimRefund: escrow", escrowBefore - amount, market.escrow());
            _eq("claimRefund: paidBy cleared", 0, market.paidBy(round, bundle, buyer));
            _paidBy[round][bundle][b] = 0;
            m.refunded += amount;
            modelEscrow -= amount;
            refundedTotal += amount;
            claimableFinalized -= amount;
            if (m.voided) refundsVoided += 1;
            else if (bundle & (bundle - 1) == 0) refundsUnsoldSingleton += 1;
            else refundsLostBundle += 1;
        } catch (bytes memory reason) {
            _failed(action, expected, reason);
        }
    }

    /// @dev Won in finalized `round`: a bundle of the kept partition, or a singleton that sold; nothing in a
    ///      voided round.
    function _won(uint256 round, uint256 bundle) internal view returns (bool) {
        RoundModel storage m = _rounds[round];
        if (m.voided || bundle == 0) return false;
        if (bundle & (bundle - 1) == 0) return m.soldSingletons & bundle != 0;
        return bundle < 16 && m.wonBundles & (1 << bundle) != 0;
    }

    /// @dev Mostly a bundle with sales in the round, else any mask (including none and out of range).
    function _pickClaimBundle(uint256 round, uint256 seed) internal view returns (uint256) {
        if (seed % 8 != 0) {
            for (uint256 k; k < 16; ++k) {
                uint256 bundle = 1 + ((seed >> 8) + k) % 15;
                if (_sold[round][bundle] != 0) return bundle;
            }
        }
        return (seed >> 8) % 18;
    }

    // ================================================================== model: prices

    /// @notice Reserve of rollup `i` in `round`: the last change that applies from `round` or earlier.
    function modelReserve(uint256 i, uint256 round) public view returns (uint256) {
        Checkpoint[] storage history = _reserves[i];
        uint256 k = history.length - 1; // the first checkpoint is from round 0
        while (history[k].from > round) --k;
        return history[k].reserve;
    }

    /// @notice Starting base price: max(floor, sum of the bundle's reserves / T), at most MAX_BASE.
    function modelStartingPrice(uint256 bundle, uint256 round) public view returns (uint256 price) {
        uint256 reserves;
        for (uint256 i; i < N; ++i) {
            if (bundle & (1 << i) != 0) reserves += modelReserve(i, round);
        }
        price = reserves / T;
        if (price < FLOOR) price = FLOOR;
        if (price > MAX_BASE) price = MAX_BASE;
    }

    /// @notice One EIP-1559 step: p' = p (1 + (sold - T) / T / 8), the change rounded toward zero, kept in
    ///         [floor, MAX_BASE].
    function modelStep(uint256 base, uint256 sold) public pure returns (uint256 next) {
        next = sold >= T ? base + (base * (sold - T)) / (8 * T) : base - (base * (T - sold)) / (8 * T);
        if (next < FLOOR) next = FLOOR;
        if (next > MAX_BASE) next = MAX_BASE;
    }

    function modelBase(uint256 bundle, uint256 round) public view returns (uint256 base) {
        (base,) = modelPrice(bundle, round);
    }

    /// @notice Base price of `bundle` in `round` (its last sale round or later), and whether kept tickets moved
    ///         it (`live`). Until a round K keeps tickets of it, a bundle is priced as never sold: its starting
    ///         price in `round`. After: from its starting price in K, one step per round q from K to round - 2,
    ///         on the tickets q kept (none: a step down). Computed from the base in its last sale round, which
    ///         took the steps up to that round - 2 the same way (and was checked against the market then).
    function modelPrice(uint256 bundle, uint256 round) public view returns (uint256 base, bool live) {
        if (!_seen[bundle]) return (modelStartingPrice(bundle, round), false);
        uint256 last = _lastSaleRound[bundle];
        (base, live) = (_lastSaleBase[bundle], _lastSaleLive[bundle]);
        for (uint256 q = last == 0 ? 0 : last - 1; q + 2 <= round; ++q) {
            // No sales after `last`: nothing can make it live, and steps down stop at the floor.
            if (q > last && (!live || base == FLOOR)) break;
            uint256 kept = q <= last ? modelKept(q, bundle) : 0;
            if (!live) {
                if (kept == 0) continue;
                (base, live) = (modelStartingPrice(bundle, q), true);
            }
            base = modelStep(base, kept);
        }
        if (!live) base = modelStartingPrice(bundle, round);
    }

    /// @notice Tickets of `bundle` kept in `round`: all it sold if it sells on the round's partition (the kept
    ///         proposal's bundles; a singleton no listed bundle covers, with revenue at least its reserve), none
    ///         if it loses or the round was voided before round + 2's sale opened (a later void is too late: the
    ///         base it moves was fixed by then).
    function modelKept(uint256 round, uint256 bundle) public view returns (uint256) {
        uint256 sold = _sold[round][bundle];
        if (sold == 0) return 0;
        RoundModel storage m = _rounds[round];
        if (m.voided && m.voidBlock < START + (round + 2) * SALE) return 0;
        uint256[] storage kept = _kept[round];
        uint256 covered;
        for (uint256 k; k < kept.length; ++k) {
            if (kept[k] == bundle) return sold;
            covered |= kept[k];
        }
        if (_popcount(bundle) != 1 || covered & bundle != 0) return 0;
        return _revenue[round][bundle] >= modelReserve(_lowest(bundle), round) ? sold : 0;
    }

    /// @notice Price of the k-th ticket (1-indexed): p up to 1.5T, then with x = (k - 1.5T) / (0.5T) =
    ///         (2k - 3T) / T: linear p(1 + x), quadratic p(1 + beta x^2), exponential p e^(gamma x), floored.
    function modelTicketPrice(uint256 base, uint256 k) public view returns (uint256) {
        if (2 * k <= 3 * T) return base;
        uint256 d = 2 * k - 3 * T;
        if (curve == TicketPricing.Curve.Linear) return (base * (T + d)) / T;
        if (curve == TicketPricing.Curve.Quadratic) return (base * (WAD * T * T + BETA * d * d)) / (WAD * T * T);
        return (base * _exp((GAMMA * d) / T)) / WAD;
    }

    /// @notice Tickets sold+1 .. sold+count, one by one.
    function modelCost(uint256 base, uint256 sold, uint256 count) public view returns (uint256 total) {
        for (uint256 k = sold + 1; k <= sold + count; ++k) {
            total += modelTicketPrice(base, k);
        }
    }

    /// @dev e^(x / WAD) in WAD by its Taylor series, each term floored (TicketPricing NatSpec).
    function _exp(uint256 x) internal pure returns (uint256 sum) {
        uint256 term = WAD;
        sum = WAD;
        for (uint256 n = 1; term != 0; ++n) {
            term = (term * x) / WAD / n;
            sum += term;
        }
    }

    // ================================================================== model: deployment

    /// @notice What deploying `config` on chain `chainId` should revert with (empty: success), in the order the
    ///         constructors check: the schedule (a sale and a challenge phase, lengths below 2^32, start below
    ///         2^64), then the lottery's ranges (InvalidConfig), challenge no longer than the sale (base prices
    ///         wait for a round's partition to be final two sales later), the bounty at most 100%, and last the
    ///         chain's draw limits from docs/randao-bias.md: Ethereum mainnet, Sepolia, Holesky and Hoodi need a
    ///         lookahead of 128 blocks or more, a window of at most 2 blocks and at most one re-arm; anvil (31337)
    ///         and eth-tester (1337) need nothing; any other chain is refused. Payouts and reserves are assumed
    ///         valid (the registry's own checks are not modelled here).
    function modelConfigError(LotteryMarket.Config memory c, uint256 chainId) public pure returns (bytes memory) {
        uint256 u32 = type(uint32).max;
        if (c.saleBlocks == 0 || c.challengeBlocks == 0) return _err(IRoundSchedule.InvalidSchedule.selector);
        if (c.startBlock > type(uint64).max || c.saleBlocks > u32 || c.challengeBlocks > u32) {
            return _err(IRoundSchedule.InvalidSchedule.selector);
        }
        bool invalid = c.targetTickets < 2 || c.targetTickets > u32 / 2 || c.lookahead <= c.challengeBlocks
            || c.lookahead > u32 || c.drawWindow == 0 || c.drawWindow > u32 || c.maxRearms > u32 || c.priceFloor == 0
            || c.priceFloor > MAX_BASE || c.beta > 8 * WAD || c.gamma > 4 * WAD || c.challengeBlocks > c.saleBlocks
            || c.drawBountyBps > BPS;
        if (invalid) return _err(IMarket.InvalidConfig.selector);
        if (chainId == 31337 || chainId == 1337) return "";
        if (chainId != 1 && chainId != 11155111 && chainId != 17000 && chainId != 560048) {
            return abi.encodeWithSelector(ILotteryMarket.ChainWithoutRandao.selector, chainId);
        }
        if (c.lookahead < 128) {
            return abi.encodeWithSelector(ILotteryMarket.LookaheadTooShort.selector, c.lookahead, 128);
        }
        if (c.drawWindow > 2) return abi.encodeWithSelector(ILotteryMarket.DrawWindowTooWide.selector, c.drawWindow, 2);
        if (c.maxRearms > 1) return abi.encodeWithSelector(ILotteryMarket.TooManyRearms.selector, c.maxRearms, 1);
        return "";
    }

    // ================================================================== model: partitions and tickets

    /// @dev b(B): the bundle's ticket revenue (nobody is excluded: no VCG here).
    function _bid(uint256 round, uint256 bundle, address) internal view override returns (uint256) {
        return _revenue[round][bundle];
    }

    function _reserveOf(uint256 i, uint256 round) internal view override returns (uint256) {
        return modelReserve(i, round);
    }

    /// @dev The kept proposal's value, or the singleton partition's before any.
    function _modelBestValue(uint256 round) internal view returns (uint256 value) {
        if (_rounds[round].proposed) return _rounds[round].keptValue;
        for (uint256 i; i < N; ++i) {
            value += _singletonValue(round, i);
        }
    }

    /// @dev Holder of ticket `ticket` (0-indexed): walk the purchases in order.
    function _holder(uint256 round, uint256 bundle, uint256 ticket) internal view returns (address) {
        Lot[] storage lots = _lots[round][bundle];
        uint256 end;
        for (uint256 k; k < lots.length; ++k) {
            end += lots[k].count;
            if (ticket < end) return bidders[lots[k].buyer];
        }
        revert Mismatch("model: no holder", ticket, end);
    }

    function _target(uint256 round) internal view returns (uint256) {
        uint256 target = _rounds[round].target;
        return target != 0 ? target : START + round * SALE + SALE + LOOKAHEAD;
    }

    // ================================================================== bookkeeping

    function _begin(uint256 seed) internal {
        calls += 1;
        // Time moves on between actions now and then, so rounds advance through their phases. Until round 0's
        // draw window closes it moves faster, one call in three, so that even a short run (depth 50) draws and
        // settles a round.
        if (seed % 128 == 127) blockNumber += 1;
        else if (blockNumber < WARM_UP_END && uint256(keccak256(abi.encode("tick", seed))) % 3 == 0) blockNumber += 1;
        vm.roll(blockNumber);
    }

    /// @dev After every action: phases match the schedule, reserves match the model, and the best partition
    ///      value of the rounds where it can still move (on sale, in challenge) is the model's and never
    ///      decreases (older rounds: checked by the invariant, and when finalized).
    function _end() internal {
        uint256 current = _currentRound();
        for (uint256 round = current > 1 ? current - 1 : 0; round <= current + 1; ++round) {
            _eq("phaseOf", uint256(_phase(round)), uint256(market.phaseOf(round)));
            if (_phase(round) == IRoundSchedule.Phase.NotOpen) continue;
            (, uint256 value) = market.bestPartition(round);
            _eq("best partition value == model", _modelBestValue(round), value);
            _le("partition value never decreases", valueSeen[round], value);
            valueSeen[round] = value;
        }
        for (uint256 i; i < N; ++i) {
            _eq("reserve == model (open round)", modelReserve(i, current), market.reserveAt(i, current));
            _eq("reserve == model (next round)", modelReserve(i, current + 1), market.reserveAt(i, current + 1));
        }
        // One bundle's base price on sale now, and its kept tickets in a recent round.
        uint256 bundle = 1 + calls % 15;
        _eq("basePrice(round on sale) == model", modelBase(bundle, current), market.basePrice(bundle, current));
        uint256 back = current > calls % 4 ? current - calls % 4 : 0;
        _eq("ticketsKept == model", modelKept(back, bundle), market.ticketsKept(back, bundle));
    }

    function _mix(uint256 x) internal view returns (uint256) {
        return uint256(keccak256(abi.encode(_salt, x)));
    }

    function _addr(address a) internal pure returns (uint256) {
        return uint160(a);
    }

    /// @dev The round `age` rounds back from the current one is on sale (0), in challenge (1) or settling (2+),
    ///      which is what _pickRound(age, ...) mostly picks.
    function _currentRound() internal view override returns (uint256) {
        return (blockNumber - START) / SALE;
    }

    /// @dev The schedule, computed independently of RoundSchedule (no reveal phase).
    function _phase(uint256 round) internal view returns (IRoundSchedule.Phase) {
        uint256 s = START + round * SALE;
        if (blockNumber < s) return IRoundSchedule.Phase.NotOpen;
        if (blockNumber < s + SALE) return IRoundSchedule.Phase.Commit;
        if (blockNumber < s + SALE + CHALLENGE) return IRoundSchedule.Phase.Challenge;
        return IRoundSchedule.Phase.Settle;
    }

    /// @dev Purchases concentrate on the round's two hot bundles, a complementary pair (so bundles sell out,
    ///      their base prices rise, they beat their parts, and a partition of one hot bundle is valid but worse
    ///      than one of both), then on a few popular ones, with some on any bundle and a few invalid ones.
    function _pickBundle(uint256 round, uint256 seed) internal view returns (uint256) {
        uint256 r = seed % 40;
        if (r == 0) return 0; // empty
        if (r == 1) return (1 << N) | 1; // out of range
        if (r < 8) return 1 << (r % N); // singletons
        if (r < 24) {
            uint256 pair = uint256(keccak256(abi.encode(_salt, "hot", round))) % 3;
            return [uint256(0x3), 0xC, 0x5, 0xA, 0x6, 0x9][pair * 2 + r % 2];
        }
        if (r < 34) return [uint256(0x3), 0xA, 0xC, 0x7, 0xF][r % 5]; // 0xA: rollups without a reserve
        return 1 + (seed >> 8) % ((1 << N) - 1);
    }
}

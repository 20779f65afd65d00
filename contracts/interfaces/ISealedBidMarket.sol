// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ICollateralVault} from "./ICollateralVault.sol";
import {IMarket} from "./IMarket.sol";
import {IVcgCounterfactuals} from "./IVcgCounterfactuals.sol";

/// @title ISealedBidMarket
/// @notice Sequencers bid sealed (commit-reveal) on bundles of rollups from collateral; winners pay first price
///         or VCG.
interface ISealedBidMarket is IMarket, IVcgCounterfactuals, ICollateralVault {
    /// @notice What winners pay. FirstPrice: their bids. Vcg: W(-i) - (W - b_i) each (see VcgCounterfactuals;
    ///         docs/design.md, departure 3 (VCG payment rule)).
    enum PaymentRule {
        FirstPrice,
        Vcg
    }

    /// @notice A revealed bid. `order` is the commit's position in its round: ties go to the earlier commit,
    ///         a rule fixed before any reveal, so the outcome never depends on who reveals first.
    struct Bid {
        uint128 amount;
        uint64 order;
        address bidder;
    }

    /// @notice A bidder's commits and reveals in a round, whether its collateral was released, what is still
    ///         locked, and the locks of its commitments not opened (forfeited at release).
    struct Participation {
        uint32 commits;
        uint32 reveals;
        bool released;
        uint256 locked;
        uint256 unopened;
    }

    /// @notice A commitment as the market holds it: whether `bidder` posted it in the round (`registered`), whether
    ///         it was opened (`revealed`), the collateral it locks (`lock`, forfeited at release if never opened)
    ///         and its position among the round's commitments (`order`, the tie rule; 0 when not registered).
    struct CommitmentState {
        bool registered;
        bool revealed;
        uint256 lock;
        uint256 order;
    }

    /// @notice Whether a round is finalized, which singletons sold (bit i: rollup i), the revenue collected, and
    ///         forfeited locks released but not yet distributed to the rollups.
    struct RoundResult {
        bool finalized;
        uint256 soldSingletons;
        uint256 revenue;
        uint256 forfeits;
    }

    /// @notice Emitted when `bidder` seals a bid for `round` with `commitment`, locking `lock`; `order` is the
    ///         commit's position in the round (the tie rule).
    /// @dev `lock` is public and at least the hidden amount, not the bid; `order` counts every bidder's commits
    ///      in the round from 0 (see `commitmentState`).
    event Committed(uint256 indexed round, address indexed bidder, bytes32 commitment, uint256 lock, uint256 order);

    /// @notice Emitted when `bidder` opens `commitment`: a bid of `amount` on `bundle` (zero: a decoy).
    /// @dev A revealed bid competes only if it is among the two best from distinct bidders for exactly `bundle`
    ///      (see `topBids`); an amount of zero opens a decoy, which frees the lock and bids nothing.
    event Revealed(uint256 indexed round, address indexed bidder, uint256 bundle, uint256 amount, bytes32 commitment);

    /// @notice Emitted when `bundle` is sold to `winner`, who bid `bid` and pays `price`.
    /// @dev Under VCG `price` is the bundle's share of the winner's VCG payment (at most `bid`), claim bounty
    ///      included (`KeeperPaid`); under first price it equals `bid`. `salesOf` returns the same figures.
    event BundleSold(uint256 indexed round, uint256 bundle, address indexed winner, uint256 bid, uint256 price);

    /// @notice Emitted when `bidder`'s collateral for `round` is released: `unlocked` freed, `forfeited` (the
    ///         locks of its unopened commitments) kept for the round's rollups.
    /// @dev `unlocked` is the round's locks minus the prices paid and minus `forfeited`: what the bidder paid for
    ///      bundles it won left its collateral at finalize already.
    event Released(uint256 indexed round, address indexed bidder, uint256 unlocked, uint256 forfeited);

    /// @notice Emitted when `amount` of forfeited locks of `round` is credited to the rollups, in equal shares.
    event ForfeitsDistributed(uint256 indexed round, uint256 amount);

    /// @notice Thrown when a commitment's `lock` is below `minLock` (what an unopened commitment costs at least).
    error LockBelowMinimum(uint256 lock, uint256 minLock);

    /// @notice Thrown when a commitment's `lock` is 2**128 wei or more.
    error LockTooLarge(uint256 lock);

    /// @notice Thrown when a bidder already has `cap` commitments in `round`.
    error CommitCapReached(uint256 round, uint256 cap);

    /// @notice Thrown when a bidder posts `commitment` a second time in the same round.
    error DuplicateCommitment(bytes32 commitment);

    /// @notice Thrown when an opening matches no commitment of the caller in the round.
    error UnknownCommitment(bytes32 commitment);

    /// @notice Thrown when `commitment` is opened a second time.
    error AlreadyRevealed(bytes32 commitment);

    /// @notice Thrown when a revealed `amount` exceeds the commitment's `lock`.
    error BidExceedsLock(uint256 amount, uint256 lock);

    /// @notice Thrown when `bidder` has no commitment in `round` to release.
    error NothingToRelease(uint256 round, address bidder);

    /// @notice Thrown when `bidder`'s collateral for `round` is released a second time.
    error AlreadyReleased(uint256 round, address bidder);

    /// @notice Thrown when `round` is finalized after its settlement window closed (at block `deadline`): the
    ///         round lapsed, nothing is sold, and every bidder's collateral can be released.
    error RoundLapsed(uint256 round, uint256 deadline);

    /// @notice Thrown when `round` has no released forfeits left to distribute.
    error NoForfeits(uint256 round);

    /// @notice The least collateral a commitment locks, so an unopened one costs at least this much.
    function minLock() external view returns (uint256);

    /// @notice The part of a raised VCG payment credited to whoever holds the winning W(-i) claim, in basis points.
    function claimBountyBps() external view returns (uint256);

    /// @notice Blocks the settle phase waits for `finalize`; after them the round lapses (see `settleDeadline`).
    function settleBlocks() external view returns (uint256);

    /// @notice Held forfeits of every round, released but not yet distributed (part of what the market owes).
    function forfeitsHeld() external view returns (uint256);

    /// @notice How many commitments a bidder may post per round.
    function maxCommitsPerBidder() external view returns (uint256);

    /// @notice What winners pay.
    function paymentRule() external view returns (PaymentRule);

    /// @notice Commitments posted in `round` so far; the next one's tie-break order.
    function commitCount(uint256 round) external view returns (uint256);

    /// @notice Seal a bid for `round`: post its commitment and lock `lock` of your collateral behind it.
    /// @dev msg.value, if any, is deposited first. `lock` is public: lock more than the bid to hide it. A
    ///      commitment left unopened forfeits its whole lock to the round's rollups, so keeping the option not to
    ///      reveal (a ladder of bids, a walk-away) costs at least the bid it would have revealed.
    /// @param round The round, which must be in its commit phase.
    /// @param commitment commitmentOf(round, msg.sender, bundle, amount, salt).
    /// @param lock Collateral locked until the round is final; the revealed amount may not exceed it.
    function commit(uint256 round, bytes32 commitment, uint256 lock) external payable;

    /// @notice Open one of your commitments for `round`; the bid then competes for `bundle`.
    /// @param round The round, which must be in its reveal phase.
    /// @param bundle The bundle bid on (bitmask of rollup indices), as committed.
    /// @param amount The bid in wei, as committed; at most the commitment's lock. Zero opens a decoy.
    /// @param salt The secret salt, as committed.
    function reveal(uint256 round, uint256 bundle, uint256 amount, bytes32 salt) external;

    /// @notice The commitment that seals a bid: binds chain, market, round, bidder, bundle, amount and salt,
    ///         so it can be neither replayed elsewhere nor copied by another bidder.
    function commitmentOf(uint256 round, address bidder, uint256 bundle, uint256 amount, bytes32 salt)
        external
        view
        returns (bytes32);

    /// @notice Settle `round` on its best partition: charge the winners, pay claim bounties, credit the rollups.
    /// @dev Callable by anyone once the challenge phase is over, until `settleDeadline(round)`. Work is bounded
    ///      by the rollup count (8.9M gas at 256 rollups with 256 winners under first price, 12.3M under VCG; see
    ///      the README).
    /// @param round The round, which must be in its settle phase, not finalized and not lapsed.
    function finalize(uint256 round) external;

    /// @notice Unlock `bidder`'s collateral for a finalized or lapsed round; the locks of its unopened
    ///         commitments are forfeited to the round's rollups (see `distributeForfeits`).
    /// @dev Anyone may call it for anyone; it only moves money inside the market.
    function release(uint256 round, address bidder) external;

    /// @notice Credit the rollups, in equal shares (the remainder to rollup 0), the forfeits released so far
    ///         for `round`. Anyone may call it, any number of times.
    function distributeForfeits(uint256 round) external;

    /// @notice The block from which `round` can no longer be finalized and lapses: its bidders' collateral is
    ///         released without any sale, so no round can lock funds for ever.
    function settleDeadline(uint256 round) external view returns (uint256);

    /// @notice The best and second-best revealed bids (from distinct bidders) for exactly `bundle`.
    function topBids(uint256 round, uint256 bundle) external view returns (Bid memory best, Bid memory second);

    /// @notice A bidder's commits, reveals and still-locked collateral in `round`.
    function participationOf(uint256 round, address bidder) external view returns (Participation memory);

    /// @notice The state of `commitment`, posted (or not) by `bidder` for `round`: registered, revealed, its lock and
    ///         its commit order. A bidder that kept its bid's salt checks here that its commit landed and its
    ///         reveal counted, without reading events.
    function commitmentState(uint256 round, address bidder, bytes32 commitment)
        external
        view
        returns (CommitmentState memory state);

    /// @notice Whether `round` is finalized, which singletons sold, and the revenue collected.
    function resultOf(uint256 round) external view returns (RoundResult memory);
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice The market's custom errors by signature, so tests name the error they expect without depending on
///         which contract of the inheritance chain declares it (that moves when contracts are refactored).
///         A selector here that no longer matches the contracts makes the handler's expectations fail loudly.
interface MarketErrors {
    // SealedBidMarket
    error LockBelowPenalty(uint256 lock, uint256 penalty);
    error LockTooLarge(uint256 lock);
    error CommitCapReached(uint256 round, uint256 cap);
    error DuplicateCommitment(bytes32 commitment);
    error UnknownCommitment(bytes32 commitment);
    error AlreadyRevealed(bytes32 commitment);
    error BidExceedsLock(uint256 amount, uint256 lock);
    error InvalidBundle(uint256 bundle);
    error AlreadyFinalized(uint256 round);
    error RoundNotFinalized(uint256 round);
    error NothingToRelease(uint256 round, address bidder);
    error AlreadyReleased(uint256 round, address bidder);
    // LotteryMarket (InvalidBundle, AlreadyFinalized and RoundNotFinalized above)
    error ZeroTickets();
    error TicketLimit(uint256 bundle, uint256 available);
    error BidderCapReached(uint256 bundle, uint256 cap);
    error InsufficientPayment(uint256 cost, uint256 paid);
    error DrawTooEarly(uint256 round, uint256 target);
    error AlreadyDrawn(uint256 round);
    error Voided(uint256 round);
    error NotDrawn(uint256 round);
    error BundleWon(uint256 round, uint256 bundle);
    error NothingToRefund(uint256 round, uint256 bundle, address buyer);
    error UnknownTicket(uint256 round, uint256 bundle, uint256 ticket);
    // PartitionChallenge
    error EmptyBundle(uint256 position);
    error SingletonListed(uint256 bundle);
    error BundleOutOfRange(uint256 bundle);
    error OverlappingBundle(uint256 bundle);
    error NoBidForBundle(uint256 bundle);
    error NotBetter(uint256 value, uint256 best);
    // VcgCounterfactuals
    error VcgDisabled();
    error ZeroBidder();
    // Collateral and credit
    error ZeroAmount();
    error ZeroAddress();
    error NothingToWithdraw();
    error InsufficientUnlocked(uint256 requested, uint256 available);
    // RollupRegistry
    error UnknownRollup(uint256 rollup);
    error NotRollupPayout(uint256 rollup, address caller);
    error ReserveTooLarge(uint256 reserve);
    // RoundSchedule (Phase is an enum: uint8 in the ABI)
    error WrongPhase(uint256 round, uint8 expected, uint8 actual);
    error RoundOutOfRange(uint256 round);
}

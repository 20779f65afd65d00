// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title CollateralVault
/// @notice Holds bidders' collateral and everyone's credits; all money leaves by pull withdrawals.
/// @dev Invariant (checked by the tests to the wei): address(this).balance == sum(collateralOf) + sum(creditOf).
///      lockedOf[b] <= collateralOf[b] always; only collateralOf - lockedOf can be withdrawn.
abstract contract CollateralVault {
    /// @notice Collateral deposited by a bidder and not yet paid out or withdrawn.
    mapping(address bidder => uint256) public collateralOf;
    /// @notice Part of collateralOf backing bids in rounds not yet settled for that bidder.
    mapping(address bidder => uint256) public lockedOf;
    /// @notice Money owed to an account (rollup payouts, penalties), withdrawable at any time.
    mapping(address account => uint256) public creditOf;

    uint256 private _reentrancyStatus = 1;

    event Deposited(address indexed bidder, uint256 amount);
    event CollateralWithdrawn(address indexed bidder, address indexed to, uint256 amount);
    event Credited(address indexed account, uint256 amount);
    event CreditWithdrawn(address indexed account, address indexed to, uint256 amount);

    error ZeroAmount();
    error ZeroAddress();
    error InsufficientUnlocked(uint256 requested, uint256 available);
    error NothingToWithdraw();
    error TransferFailed(address to, uint256 amount);
    error ReentrantCall();

    modifier nonReentrant() {
        if (_reentrancyStatus != 1) revert ReentrantCall();
        _reentrancyStatus = 2;
        _;
        _reentrancyStatus = 1;
    }

    /// @notice Add msg.value to your collateral.
    function deposit() external payable {
        if (msg.value == 0) revert ZeroAmount();
        _deposit(msg.sender, msg.value);
    }

    /// @notice Withdraw `amount` of your unlocked collateral to `to`.
    /// @param amount Wei to withdraw; at most unlockedOf(msg.sender).
    /// @param to Recipient of the transfer.
    function withdrawCollateral(uint256 amount, address payable to) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress();
        uint256 available = unlockedOf(msg.sender);
        if (amount > available) revert InsufficientUnlocked(amount, available);
        collateralOf[msg.sender] -= amount;
        emit CollateralWithdrawn(msg.sender, to, amount);
        _send(to, amount);
    }

    /// @notice Withdraw everything credited to you (rollup revenue, penalties) to `to`.
    /// @param to Recipient of the transfer.
    function withdrawCredit(address payable to) external nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        uint256 amount = creditOf[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        creditOf[msg.sender] = 0;
        emit CreditWithdrawn(msg.sender, to, amount);
        _send(to, amount);
    }

    /// @notice Collateral `bidder` may withdraw now.
    function unlockedOf(address bidder) public view returns (uint256) {
        return collateralOf[bidder] - lockedOf[bidder];
    }

    function _deposit(address bidder, uint256 amount) internal {
        collateralOf[bidder] += amount;
        emit Deposited(bidder, amount);
    }

    function _lock(address bidder, uint256 amount) internal {
        uint256 available = unlockedOf(bidder);
        if (amount > available) revert InsufficientUnlocked(amount, available);
        lockedOf[bidder] += amount;
    }

    function _unlock(address bidder, uint256 amount) internal {
        lockedOf[bidder] -= amount;
    }

    /// @dev Takes `amount` out of `bidder`'s locked collateral; the caller credits it to someone in the same call.
    function _spendLocked(address bidder, uint256 amount) internal {
        lockedOf[bidder] -= amount;
        collateralOf[bidder] -= amount;
    }

    function _credit(address account, uint256 amount) internal {
        creditOf[account] += amount;
        emit Credited(account, amount);
    }

    function _send(address payable to, uint256 amount) private {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }
}

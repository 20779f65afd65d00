"""Participants' decisions: valuation models and bidding strategies, as pure functions of what a
market shows them. They never touch a chain; the round drivers (seqmarket.rounds) carry out their plans."""

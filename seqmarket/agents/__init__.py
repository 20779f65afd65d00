"""Bidder agents: valuation models and strategies. Decisions are pure; chain actions go through a client."""

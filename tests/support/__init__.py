"""Helpers shared by the test folders: hypothesis strategies (pure) and on-chain fixtures."""

"""This folder's tests run on a local chain: the shared on-chain fixtures."""

from tests.support.onchain import *  # noqa: F403

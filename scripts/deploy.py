"""ape run deploy: `seqmarket deploy sealed` as an ape script, one implementation for both.

The same options and the same deployment file: --network is an ape network choice (a live network needs
--account ALIAS and one --payout per rollup), and without it the local testnet at --rpc.
"""

from seqmarket.cli.testnet import deploy_sealed as cli

__all__ = ["cli"]

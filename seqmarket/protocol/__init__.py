"""Mirrors of the contracts, to the wei: each module names the Solidity file it reproduces.

Pure logic: nothing here imports chain code. Clients, agents, the clearing and the simulator use these
mirrors to predict exactly what a contract will compute, and tests hold each mirror against its contract.
"""

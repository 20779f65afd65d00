"""Round drivers: one round of either market carried through every phase on a chain, with the clearing
operator, and the checks that the chain's result equals the off-chain one to the wei."""

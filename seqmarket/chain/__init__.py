"""Chain side: deployment, the market client, commitments. Calls into the pure logic, never the reverse."""

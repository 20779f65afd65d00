"""Chain side: deployment configurations, the market clients and local roles.

Everything here talks to a deployed contract through ape; it calls into the pure layers (protocol,
clearing), never the reverse.
"""

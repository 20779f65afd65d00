"""seqmarket: a market in which rollups sell sequencing slots to sequencers bidding on bundles."""

__version__ = "0.2.0"

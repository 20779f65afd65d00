"""ape's log lines and call traces go to stderr, so a command's stdout carries only its own output (tables
or JSON)."""

from __future__ import annotations

import logging
import sys

from ape.logging import ClickHandler
from ape_ethereum.trace import Trace


def ape_logs_to_stderr() -> None:
    """Point ape's log handler, and the call traces it prints for reverted transactions, at stderr.

    ape 0.8.51 keys its per-level stream table by LogLevel but looks levels up by name, so every line,
    errors included, is echoed to stdout, where it would break a JSON document or a pipe.
    """
    for handler in logging.getLogger("ape").handlers:
        if isinstance(handler, ClickHandler):
            handler.echo_kwargs = {
                level: {"err": True} for level in ("error", "warning", "success", "info", "debug")
            }
    _traces_to_stderr()


def _traces_to_stderr() -> None:
    """ape shows the call trace of a reverted transaction whose revert passed through a sub-call; 0.8.51
    binds ``Trace.show``'s output to the stdout it saw at import."""
    verbose, _ = Trace.show.__defaults__ or (False, None)
    Trace.show.__defaults__ = (verbose, sys.stderr)

"""ape's log lines and call traces go to stderr, so a command's stdout carries only its own output (tables
or JSON)."""

from __future__ import annotations

import logging
import sys
from typing import IO

from ape.logging import ClickHandler, LogLevel, logger
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
    """ape prints the call trace of a reverted transaction or call whose revert passed through a sub-call,
    to the stdout it saw at import (0.8.51). Commands report reverts by their custom error already: show
    the trace on stderr, and only when asked for with -v DEBUG."""
    show = Trace.show

    def show_on_stderr(self: Trace, verbose: bool = False, file: IO[str] | None = None) -> None:
        if logger.level <= LogLevel.DEBUG:
            show(self, verbose=verbose, file=sys.stderr if file is None else file)

    Trace.show = show_on_stderr  # type: ignore[method-assign]


def quiet_ape() -> None:
    """Send ape's lines to stderr and keep only its warnings and errors: a participant's command reports what
    it did in one line of its own, without ape's "Confirmed 0x..." for every transaction."""
    ape_logs_to_stderr()
    logger.set_level(LogLevel.WARNING)

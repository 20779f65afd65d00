"""ape's log lines go to stderr, so a command's stdout carries only its own output (tables or JSON)."""

from __future__ import annotations

import logging

from ape.logging import ClickHandler


def ape_logs_to_stderr() -> None:
    """Point ape's log handler at stderr for every level.

    ape 0.8.51 keys its per-level stream table by LogLevel but looks levels up by name, so every line,
    errors included, is echoed to stdout, where it would break a JSON document or a pipe.
    """
    for handler in logging.getLogger("ape").handlers:
        if isinstance(handler, ClickHandler):
            handler.echo_kwargs = {
                level: {"err": True} for level in ("error", "warning", "success", "info", "debug")
            }

"""Output that survives a pipe: tables that are never cut, and JSON for machines.

At a terminal, rich fits tables to its width and long cells wrap onto more lines instead of ending in
"…". Piped or redirected, there is no width to fit: lines are as wide as their data, so logs, `tee` and
files keep every digit. JSON output writes wei amounts as decimal strings (JSON numbers lose precision
past 2**53 in most readers); its shapes are documented in docs/json.md.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import IO, Any

from rich.console import Console
from rich.table import Table

#: Console width when output is not a terminal: wider than any table, so none is squeezed.
UNBOUNDED = 100_000


def make_console(file: IO[str] | None = None, *, stderr: bool = False) -> Console:
    """A console for reports: fitted to the terminal, or unbounded when piped or redirected."""
    console = Console(file=file, stderr=stderr)
    if console.is_terminal:
        return console
    return Console(file=file, stderr=stderr, width=UNBOUNDED, soft_wrap=True)


def table(title: str, *columns: str, numeric: Iterable[str] = ()) -> Table:
    """A report table whose ``numeric`` columns are right-aligned and whose cells wrap rather than cut."""
    right = set(numeric)
    made = Table(title=title)
    for column in columns:
        made.add_column(column, justify="right" if column in right else "left", overflow="fold")
    return made


def wei(amount: int) -> str:
    """A wei amount as JSON carries it: a decimal string."""
    return str(amount)


def print_json(document: Any, file: IO[str] | None = None) -> None:
    """Write ``document`` as one JSON text (indented, keys in the order given) and a newline."""
    out = file or sys.stdout
    out.write(json.dumps(document, indent=2) + "\n")
    out.flush()

"""Structured log lines of the operator service: one line per event, key=value (for people and grep) or
JSON (for machines), with a UTC timestamp and a level. Pure."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import IO, Any


class Level(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


def _text(value: Any) -> str:
    """A value for a key=value line: quoted when it holds spaces, lists without spaces."""
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_text(v) for v in value) + "]"
    text = str(value)
    return json.dumps(text) if (" " in text or "=" in text or not text) else text


@dataclass
class EventLog:
    """Writes one line per event to ``out`` (default stdout), as key=value or JSON."""

    as_json: bool = False
    out: IO[str] | None = None
    fields: dict[str, Any] = field(default_factory=dict)  # added to every line (market, mode...)

    def emit(self, event: str, level: Level = Level.INFO, **values: Any) -> None:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + f".{int(time.time() * 1000) % 1000:03d}Z"
        record: dict[str, Any] = {"ts": stamp, "level": level.value, "event": event, **self.fields, **values}
        if self.as_json:
            line = json.dumps(record, default=str)
        else:
            line = " ".join(f"{k}={_text(v)}" for k, v in record.items())
        out = self.out or sys.stdout
        out.write(line + "\n")
        out.flush()

    def warning(self, event: str, **values: Any) -> None:
        self.emit(event, Level.WARNING, **values)

    def error(self, event: str, **values: Any) -> None:
        self.emit(event, Level.ERROR, **values)

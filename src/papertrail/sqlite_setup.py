"""Opening SQLite files that several processes may open at the same moment.

SQLite returns BUSY from some statements without calling the connection's busy handler:
the switch to WAL mode, a schema script, a statement that meets another connection's WAL
recovery (after a killed run). So a connection's ``timeout`` does not cover opening a
file that another process is opening or recovering; :func:`set_up` waits that out itself.
Used by every SQLite file we keep (arXiv cache, shard index, fetch ledger, archive index).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

_FIRST_PAUSE = 0.05
_MAX_PAUSE = 1.0


def is_busy(exc: sqlite3.Error) -> bool:
    """Whether ``exc`` says another connection holds the file (worth waiting for)."""
    text = str(exc)
    return "locked" in text or "busy" in text


def retry_while_busy(step: Callable[[], T], timeout: float) -> T:
    """``step()``, run again with backoff while SQLite says busy, for up to ``timeout`` s."""
    deadline = time.monotonic() + timeout
    pause = _FIRST_PAUSE
    while True:
        try:
            return step()
        except sqlite3.OperationalError as exc:
            if not is_busy(exc) or time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, _MAX_PAUSE)


def set_up(conn: sqlite3.Connection, script: str, *, synchronous: str, timeout: float) -> None:
    """WAL mode, the ``synchronous`` level and the schema ``script`` on a new connection,
    retried while another process opens or recovers the same file (module doc)."""

    def step() -> None:
        if conn.in_transaction:  # a script cut short by BUSY may have left one open
            conn.rollback()
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={synchronous}")
        conn.executescript(script)

    retry_while_busy(step, timeout)


__all__ = ["is_busy", "retry_while_busy", "set_up"]

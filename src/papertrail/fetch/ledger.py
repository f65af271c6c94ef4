"""The per-URL ledger: what we last saw of each page, so a re-run costs a 304.

One SQLite row per canonical URL: the validators the server gave (ETag,
Last-Modified), the sha256 of the decoded body, the extractor version the page was
cleaned with, and the last outcome. SQLite because it is one file under ``data/``, safe
across threads (one connection behind a lock) and readable with any SQLite tool.

Crash safety: a page that will get a new record is noted as ``pending:<outcome>`` when
it is fetched, and only :meth:`Ledger.confirm` (called once the batch's shard is
committed) turns that into ``<outcome>``. A pending entry does not count as done, so a
run killed between fetch and commit fetches and writes the page again next time instead
of skipping it as unchanged and losing its record.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .. import sqlite_setup
from ..closing import Closing
from ..errors import StorageError

OK_OUTCOMES = frozenset({"ok", "unchanged", "reloaded"})
PENDING_PREFIX = "pending:"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    canonical_url     TEXT PRIMARY KEY,
    url               TEXT NOT NULL,
    etag              TEXT,
    last_modified     TEXT,
    sha256            TEXT,
    extractor_version TEXT NOT NULL DEFAULT '',
    outcome           TEXT NOT NULL,
    status            INTEGER,
    updated_at        TEXT NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    canonical_url: str
    url: str
    etag: str | None
    last_modified: str | None
    sha256: str | None
    extractor_version: str
    outcome: str  # ok | unchanged | reloaded | failed:<reason> | pending:<ok|reloaded>
    status: int | None
    updated_at: str

    @property
    def succeeded(self) -> bool:
        return self.outcome in OK_OUTCOMES


class Ledger(Closing):
    """Thread-safe SQLite ledger, keyed by canonical URL."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
            # WAL with synchronous=NORMAL: safe on an app crash, no fsync per page
            sqlite_setup.set_up(self._db, _SCHEMA, synchronous="NORMAL", timeout=30)
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"cannot open ledger {self.path}: {exc}", reason="ledger") from exc
        self._lock = threading.Lock()

    def get(self, canonical_url: str) -> LedgerEntry | None:
        with self._lock:
            row = self._db.execute(
                "SELECT canonical_url, url, etag, last_modified, sha256, extractor_version,"
                " outcome, status, updated_at FROM pages WHERE canonical_url = ?",
                (canonical_url,),
            ).fetchone()
        return LedgerEntry(*row) if row else None

    def record_success(
        self,
        canonical_url: str,
        *,
        url: str,
        outcome: str,
        status: int | None,
        etag: str | None,
        last_modified: str | None,
        sha256: str | None,
        extractor_version: str,
    ) -> None:
        """Store a fetched (or unchanged, or reloaded) page's validators and hash."""
        self._write(
            "INSERT INTO pages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(canonical_url) DO UPDATE SET url=excluded.url, etag=excluded.etag,"
            " last_modified=excluded.last_modified, sha256=excluded.sha256,"
            " extractor_version=excluded.extractor_version, outcome=excluded.outcome,"
            " status=excluded.status, updated_at=excluded.updated_at",
            (
                canonical_url,
                url,
                etag,
                last_modified,
                sha256,
                extractor_version,
                outcome,
                status,
                _now(),
            ),
        )

    def confirm(self, canonical_urls: Iterable[str]) -> int:
        """Mark pending pages done: their records are committed. Returns rows changed."""
        keys = [(PENDING_PREFIX, k) for k in dict.fromkeys(canonical_urls)]
        if not keys:
            return 0
        try:
            with self._lock:
                cur = self._db.executemany(
                    "UPDATE pages SET outcome = substr(outcome, length(?1) + 1)"
                    " WHERE canonical_url = ?2 AND outcome LIKE 'pending:%'",
                    keys,
                )
                self._db.commit()
                return cur.rowcount
        except sqlite3.Error as exc:
            raise StorageError(f"cannot write ledger {self.path}: {exc}", reason="ledger") from exc

    def record_failure(self, canonical_url: str, *, url: str, reason: str) -> None:
        """Note a failure; validators and hash of the last good fetch are kept."""
        self._write(
            "INSERT INTO pages (canonical_url, url, outcome, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(canonical_url) DO UPDATE SET outcome=excluded.outcome,"
            " updated_at=excluded.updated_at",
            (canonical_url, url, f"failed:{reason}", _now()),
        )

    def _write(self, sql: str, params: tuple[object, ...]) -> None:
        try:
            with self._lock:
                self._db.execute(sql, params)
                self._db.commit()
        except sqlite3.Error as exc:
            raise StorageError(f"cannot write ledger {self.path}: {exc}", reason="ledger") from exc

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _now() -> str:
    return datetime.now(UTC).isoformat()

"""A persistent SQLite cache of arXiv answers, so an id is asked for once.

Keyed by versionless id: a found paper (its JSON), or the fact that the API did not know
the id (kept for a shorter time: a paper announced tomorrow exists then). Title searches
are cached by their exact query string and page size. WAL mode and a busy timeout make
the file safe for concurrent runs on one machine; entries older than their TTL count as
missing and are asked again.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from .. import sqlite_setup
from ..closing import Closing
from ..errors import StorageError
from ..record import Paper

_DAY = 86400.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS papers (
    id TEXT PRIMARY KEY,
    found INTEGER NOT NULL,
    data TEXT,
    fetched_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS searches (
    query TEXT NOT NULL,
    max_results INTEGER NOT NULL,
    ids TEXT NOT NULL,
    fetched_at REAL NOT NULL,
    PRIMARY KEY (query, max_results)
);
"""


class PaperCache(Closing):
    """Versionless id -> Paper (or "not found"), and query -> result ids, with TTLs."""

    def __init__(
        self,
        path: Path | str,
        *,
        ttl_days: float = 30.0,
        not_found_ttl_days: float = 1.0,
        busy_timeout: float = 30.0,
    ) -> None:
        self.path = Path(path)
        self.ttl = ttl_days * _DAY
        self.not_found_ttl = not_found_ttl_days * _DAY
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.path, timeout=busy_timeout, check_same_thread=False, isolation_level=None
            )
            # Dask workers and parallel runs open one cache at once: wait for each other
            sqlite_setup.set_up(self._db, _SCHEMA, synchronous="FULL", timeout=busy_timeout)
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"arXiv cache {self.path}: {exc}", reason="cache_failed") from exc

    def _run(self, sql: str, params: Iterable[object] = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._db.execute(sql, tuple(params)).fetchall()
            except sqlite3.Error as exc:
                raise StorageError(f"arXiv cache: {exc}", reason="cache_failed") from exc

    def _many(self, sql: str, rows: list[tuple]) -> None:
        with self._lock:
            try:
                with self._db:  # one transaction
                    self._db.execute("BEGIN IMMEDIATE")
                    self._db.executemany(sql, rows)
            except sqlite3.Error as exc:
                raise StorageError(f"arXiv cache: {exc}", reason="cache_failed") from exc

    # --- papers ---------------------------------------------------------------------
    def get_many(self, ids: Iterable[str]) -> tuple[dict[str, Paper], set[str]]:
        """Fresh entries among ``ids``: (found papers by id, ids known not to exist)."""
        wanted = list(dict.fromkeys(ids))
        papers: dict[str, Paper] = {}
        missing: set[str] = set()
        now = time.time()
        for i in range(0, len(wanted), 500):
            part = wanted[i : i + 500]
            marks = ",".join("?" * len(part))
            rows = self._run(
                f"SELECT id, found, data, fetched_at FROM papers WHERE id IN ({marks})", part
            )
            for pid, found, data, fetched_at in rows:
                age = now - fetched_at
                if found and age < self.ttl:
                    papers[pid] = Paper.model_validate_json(data)
                elif not found and age < self.not_found_ttl:
                    missing.add(pid)
        return papers, missing

    def put_papers(self, papers: Iterable[Paper]) -> None:
        now = time.time()
        rows = [(p.arxiv_id, 1, p.model_dump_json(), now) for p in papers]
        if rows:
            self._many("INSERT OR REPLACE INTO papers VALUES (?, ?, ?, ?)", rows)

    def put_not_found(self, ids: Iterable[str]) -> None:
        now = time.time()
        rows = [(i, 0, None, now) for i in ids]
        if rows:
            self._many("INSERT OR REPLACE INTO papers VALUES (?, ?, ?, ?)", rows)

    # --- searches -------------------------------------------------------------------
    def get_search(self, query: str, max_results: int) -> list[Paper] | None:
        """Cached results of a search, or None when absent, stale or incomplete."""
        rows = self._run(
            "SELECT ids, fetched_at FROM searches WHERE query = ? AND max_results = ?",
            (query, max_results),
        )
        if not rows or time.time() - rows[0][1] >= self.ttl:
            return None
        ids: list[str] = json.loads(rows[0][0])
        papers, _ = self.get_many(ids)
        if len(papers) != len(set(ids)):
            return None
        return [papers[i] for i in ids]

    def put_search(self, query: str, max_results: int, papers: list[Paper]) -> None:
        self.put_papers(papers)
        ids = json.dumps([p.arxiv_id for p in papers])
        self._many(
            "INSERT OR REPLACE INTO searches VALUES (?, ?, ?, ?)",
            [(query, max_results, ids, time.time())],
        )

    def close(self) -> None:
        with self._lock:
            self._db.close()

"""The clean output store: versioned, append-only JSONL shards that readers can trust.

Layout under ``clean_dir`` (``data/clean`` by default)::

    articles/YYYY-MM-DD/<run_id>.jsonl[.gz]   good records, one shard per run
    failures/YYYY-MM-DD/<run_id>.jsonl[.gz]   records of inputs that failed, same run
    papers.jsonl                              catalogue of every paper (write_catalogue)
    _index.sqlite                             per-article state, rebuildable from articles/

Versioning (``ArticleRecord.version``), decided per ``article_id``:

- a good record (``record.ok``) of an article never written before gets version 1;
- a good record whose ``text_sha256`` or arXiv ids/papers/not_found differ from the
  article's latest record gets the latest version + 1;
- a good record with the same content is not written (``write`` returns False);
- a failed record (fetch/decode/clean failed) is always written, to ``failures/``, with
  the article's latest good version (0 if none) and never bumps it: a page that is down
  today does not hide or supersede yesterday's text.

So ``articles/**`` holds exactly one row per ``(article_id, version)``, even after any
number of runs, and the current dataset is the row with the highest version per
``article_id`` (see docs/output.md for the pandas/DuckDB queries).

A shard is written under a temporary name, fsynced, and renamed when the run's ``with``
block exits cleanly; an exception removes it. The index is updated in the same SQLite
write transaction as the rename (which also serialises concurrent runs); a crash between
the two is repaired on the next open, because the index ingests any shard it has not seen.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType

from .atomicfile import AtomicFile, write_atomic_lines
from .catalogue import build_catalogue
from .crashpoints import crash_point
from .errors import StorageError
from .record import ArticleRecord
from .settings import Settings
from .shard_index import (
    ARTICLES_DIR,
    FAILURES_DIR,
    INDEX_NAME,
    ArticleState,
    connect,
    index_errors,
    ingest_shard,
    lookup,
    read_shard,
    reconcile,
    shard_paths,
    state_of,
)

__all__ = [
    "OutputStore",
    "RunWriter",
    "iter_current_records",
    "write_catalogue",
]

CATALOGUE_NAME = "papers.jsonl"

_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class OutputStore:
    """The versioned JSONL store under ``clean_dir``; one :class:`RunWriter` per run."""

    def __init__(self, clean_dir: Path, *, gzip: bool = False) -> None:
        self.clean_dir = Path(clean_dir)
        self.gzip = gzip

    # -- runs -------------------------------------------------------------------------
    def open_run(self, run_id: str, *, day: date | None = None) -> RunWriter:
        """A writer for one run's shard (use it as a context manager).

        ``day`` (UTC today by default) picks the ``YYYY-MM-DD`` directory. A ``run_id``
        must be a safe file name; reusing one that already has a shard that day is a
        :class:`StorageError` (``run_exists``), never an overwrite.
        """
        if not _RUN_ID.match(run_id):
            raise StorageError(
                f"run id {run_id!r} is not a safe file name (letters, digits, '.', '_', '-')",
                reason="bad_run_id",
            )
        return RunWriter(self, run_id, day or datetime.now(UTC).date())

    # -- reading ----------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        try:
            self.clean_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"cannot create {self.clean_dir}: {exc}", reason="write_failed"
            ) from exc
        conn = connect(self.clean_dir)
        try:
            with index_errors(self.clean_dir):
                conn.execute("BEGIN IMMEDIATE")
                reconcile(conn, self.clean_dir)
                conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.close()
            raise
        return conn

    def state(self, article_id: str) -> ArticleState | None:
        """The latest committed state of one article, or None if never written."""
        conn = self._connect()
        try:
            return lookup(conn, article_id)
        finally:
            conn.close()

    def known_urls(self) -> set[str]:
        """Every url/final_url/canonical_url of a committed good record (for discovery)."""
        conn = self._connect()
        try:
            return {row[0] for row in conn.execute("SELECT url FROM urls")}
        finally:
            conn.close()

    def latest(self, key: str) -> ArticleRecord | None:
        """The latest good record of an article, by ``article_id`` or any of its URLs."""
        if (
            not (self.clean_dir / INDEX_NAME).exists()
            and not (self.clean_dir / ARTICLES_DIR).is_dir()
        ):
            return None
        conn = self._connect()
        try:
            row = conn.execute("SELECT article_id FROM urls WHERE url=?", (key,)).fetchone()
            state = lookup(conn, row[0] if row else key)
        finally:
            conn.close()
        if state is None:
            return None
        for _, record in read_shard(self.clean_dir / state.shard, only={state.line}):
            return record
        return None

    def latest_failure(self, key: str) -> tuple[Path, ArticleRecord] | None:
        """The latest failure record matching ``key`` (``article_id``, ``url``,
        ``final_url`` or ``canonical_url``) and its shard, for an article with no good
        record.

        Failures are not in the index, which maps good records only (a page down today
        must not hide yesterday's text), so ``failures/`` is read, newest shard first
        (by modification time: a shard is written whole, then renamed); a miss reads
        all of it. Failure records are small and this is only asked when the index has
        no answer.
        """
        newest_first: list[tuple[int, Path]] = []
        for path in shard_paths(self.clean_dir, FAILURES_DIR):
            with contextlib.suppress(FileNotFoundError):  # deleted since it was listed
                newest_first.append((path.stat().st_mtime_ns, path))
        newest_first.sort(reverse=True)
        for _, path in newest_first:
            found = None
            for _, record in read_shard(path):
                if key in {record.article_id, record.url, record.final_url, record.canonical_url}:
                    found = record  # the last line of the shard that matches is its latest
            if found is not None:
                return path, found
        return None

    def rebuild_index(self) -> int:
        """Rebuild the index from the shards alone; returns the number of articles."""
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            for table in ("articles", "urls", "shards", "dirs"):
                conn.execute(f"DELETE FROM {table}")
            reconcile(conn, self.clean_dir, full=True)
            conn.execute("COMMIT")
            count: int = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            return count
        finally:
            conn.close()

    def iter_current_records(self) -> Iterator[ArticleRecord]:
        """The latest version of every article, in shard order."""
        if not (self.clean_dir / ARTICLES_DIR).is_dir():
            return
        conn = self._connect()
        try:
            rows = conn.execute(
                "SELECT shard, line, article_id, version FROM articles ORDER BY shard, line"
            ).fetchall()
        finally:
            conn.close()
        wanted: dict[str, dict[int, tuple[str, int]]] = {}
        for shard, line, article_id, version in rows:
            wanted.setdefault(shard, {})[line] = (article_id, version)
        for shard, lines in wanted.items():
            missing = set(lines.values())
            for n, record in read_shard(self.clean_dir / shard, only=lines):
                if (record.article_id, record.version) == lines[n]:
                    missing.discard(lines[n])
                    yield record
            if missing:  # the shard changed under the index (edited in place): read it all
                for _, record in read_shard(self.clean_dir / shard):
                    if (record.article_id, record.version) in missing:
                        missing.discard((record.article_id, record.version))
                        yield record

    @classmethod
    def from_settings(cls, settings: Settings) -> OutputStore:
        """The store at ``settings.clean_path``, gzipped when ``gzip_output`` is set."""
        return cls(settings.clean_path, gzip=settings.gzip_output)


class RunWriter:
    """Writes one run's records; commits its shards when the ``with`` block exits cleanly.

    Thread-safe: tasks running in threads may share one writer.
    """

    def __init__(self, store: OutputStore, run_id: str, day: date) -> None:
        self.store = store
        self.run_id = run_id
        suffix = ".jsonl.gz" if store.gzip else ".jsonl"
        folder = day.isoformat()
        self.path = store.clean_dir / ARTICLES_DIR / folder / f"{run_id}{suffix}"
        self.failures_path = store.clean_dir / FAILURES_DIR / folder / f"{run_id}{suffix}"
        self.written = 0  # good records written (new or changed)
        self.unchanged = 0  # good records skipped because nothing changed
        self.failed = 0  # failed records written to failures/
        self.committed = False
        self._articles = AtomicFile(self.path, gzip=store.gzip)
        self._failures = AtomicFile(self.failures_path, gzip=store.gzip)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        # article_id -> committed state when first seen in this run (None: new article)
        self._snapshot: dict[str, ArticleState | None] = {}
        # article_id -> state after this run's own writes
        self._latest: dict[str, ArticleState] = {}
        # article_id -> input URL of the record this run wrote for it
        self._urls: dict[str, str] = {}

    # -- context manager ----------------------------------------------------------------
    def __enter__(self) -> RunWriter:
        self._check_free()
        self._conn = self.store._connect()  # reconciles the index and sweeps dead temp files
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                with self._lock, index_errors(self.store.clean_dir):
                    self._commit()
        finally:
            self._articles.abort()
            self._failures.abort()
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _check_free(self) -> None:
        for path in (self.path, self.failures_path):
            if path.exists():
                raise StorageError(
                    f"{path} already exists: run id {self.run_id!r} was used today",
                    reason="run_exists",
                )

    # -- writing ------------------------------------------------------------------------
    def _base(self, article_id: str) -> ArticleState | None:
        if article_id in self._latest:
            return self._latest[article_id]
        if article_id not in self._snapshot:
            assert self._conn is not None, "use the RunWriter as a context manager"
            self._snapshot[article_id] = lookup(self._conn, article_id)
        return self._snapshot[article_id]

    def _article_of(self, url: str) -> str | None:
        assert self._conn is not None
        row = self._conn.execute("SELECT article_id FROM urls WHERE url=?", (url,)).fetchone()
        return row[0] if row else None

    def latest_url(self, article_id: str) -> str | None:
        """The input URL of the article's latest committed record (to explain a skip)."""
        if article_id in self._urls:
            return self._urls[article_id]
        base = self._base(article_id)
        if base is None or not base.shard:
            return None
        for _, record in read_shard(self.store.clean_dir / base.shard, only={base.line}):
            return record.url
        return None

    def write(self, record: ArticleRecord) -> bool:
        """Assign ``record.version`` and stage it; False when the article is unchanged."""
        if self._conn is None:
            raise StorageError("RunWriter.write outside its with-block", reason="not_open")
        with self._lock:
            if self.committed:
                raise StorageError("RunWriter.write after commit", reason="not_open")
            if not record.ok:
                # no canonical URL was learnt, so the id comes from the input URL; file
                # the failure under the article that URL led to last time, if any
                article_id = self._article_of(record.url) or record.article_id
                base = self._base(article_id)
                out = record.model_copy(
                    update={"article_id": article_id, "version": base.version if base else 0}
                )
                self._failures.write_line(out.model_dump_json())
                self.failed += 1
                return True
            base = self._base(record.article_id)
            version = base.version + 1 if base else 1
            out = record.model_copy(update={"version": version})
            new = state_of(out)
            if base is not None and base.same_content(new):
                self.unchanged += 1
                return False
            self._articles.write_line(out.model_dump_json())
            self._latest[record.article_id] = new
            self._urls[record.article_id] = record.url
            self.written += 1
            return True

    # -- commit ---------------------------------------------------------------------------
    def _commit(self) -> None:
        conn = self._conn
        assert conn is not None
        clean_dir = self.store.clean_dir
        self._articles.flush()
        self._failures.flush()
        crash_point("write")
        conn.execute("BEGIN IMMEDIATE")  # serialises commits of concurrent runs
        try:
            reconcile(conn, clean_dir)
            self._check_free()
            if self._articles.tmp is not None and self._raced(conn):
                self._rebase(conn)
            if self._articles.commit() is not None:
                ingest_shard(conn, clean_dir, self.path)
            self._failures.commit()
            conn.execute("COMMIT")
        except sqlite3.Error as exc:  # e.g. "database or disk is full": say what and where
            self._rollback(conn)
            raise StorageError(
                f"{clean_dir / INDEX_NAME}: cannot update the output index: {exc}",
                reason="index_failed",
            ) from exc
        except BaseException:
            self._rollback(conn)
            raise
        self.committed = True
        crash_point("commit")

    @staticmethod
    def _rollback(conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")

    def _raced(self, conn: sqlite3.Connection) -> bool:
        """True when another run committed one of our articles since we looked it up."""
        return any(lookup(conn, aid) != self._snapshot.get(aid) for aid in self._latest)

    def _rebase(self, conn: sqlite3.Connection) -> None:
        """Re-version our staged records against the index as it is now (rare path)."""
        staged = self._articles.tmp
        assert staged is not None
        records = [rec for _, rec in read_shard(staged)]
        self._articles.abort()
        self._articles = AtomicFile(self.path, gzip=self.store.gzip)
        latest: dict[str, ArticleState] = {}
        self.written = 0
        for record in records:
            base = latest.get(record.article_id) or lookup(conn, record.article_id)
            out = record.model_copy(update={"version": base.version + 1 if base else 1})
            new = state_of(out)
            if base is not None and base.same_content(new):
                self.unchanged += 1
                continue
            self._articles.write_line(out.model_dump_json())
            latest[record.article_id] = new
            self.written += 1
        self._latest = latest
        self._articles.flush()


def iter_current_records(clean_dir: Path) -> Iterator[ArticleRecord]:
    """The latest version of every article under ``clean_dir`` (for reprocessing)."""
    return OutputStore(clean_dir).iter_current_records()


def write_catalogue(clean_dir: Path) -> Path:
    """Rewrite ``<clean_dir>/papers.jsonl`` atomically from the current records."""
    clean_dir = Path(clean_dir)
    entries = build_catalogue(iter_current_records(clean_dir))
    return write_atomic_lines(
        clean_dir / CATALOGUE_NAME, [entry.model_dump_json() for entry in entries]
    )

"""The per-article state behind versioning, kept in SQLite and derived from the shards.

The shards under ``<clean_dir>/articles/`` are the truth; this index
(``<clean_dir>/_index.sqlite``) only makes "what is the latest version of article X?"
cheap. It lives beside the shards it describes so that copying or moving ``clean_dir``
keeps them together, and its ``_`` prefix keeps dataset readers from loading it.

Because it is derived, it can always be rebuilt: :func:`reconcile` ingests every shard it
has not seen yet (that is how a crash between a shard's rename and the index update is
repaired) and rebuilds from scratch when a known shard vanished or changed size (a shard
deleted by hand to undo a run) or the database is unreadable. Ingesting is idempotent:
an article's row only moves to a *higher* version.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Container, Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from . import sqlite_setup
from .atomicfile import is_temp_name, remove_orphan, remove_orphans
from .errors import StorageError
from .record import ArticleRecord

INDEX_NAME = "_index.sqlite"
ARTICLES_DIR = "articles"
FAILURES_DIR = "failures"
SHARD_SUFFIXES = (".jsonl", ".jsonl.gz")
_SCHEMA = 2

_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    article_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    text_sha256 TEXT NOT NULL,
    ids_sha256 TEXT NOT NULL,
    shard TEXT NOT NULL,
    line INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS urls (url TEXT PRIMARY KEY, article_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS shards (path TEXT PRIMARY KEY, size INTEGER NOT NULL,
                                   records INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS dirs (path TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL);
"""


@dataclass(frozen=True, slots=True)
class ArticleState:
    """What the store remembers of an article's latest record."""

    version: int
    text_sha256: str
    ids_sha256: str
    shard: str = ""  # path relative to clean_dir
    line: int = 0  # 1-based line in the shard

    def same_content(self, other: ArticleState) -> bool:
        return (self.text_sha256, self.ids_sha256) == (other.text_sha256, other.ids_sha256)


def ids_sha256(record: ArticleRecord) -> str:
    """Hash of what the record says about papers: ids, known metadata, ids arXiv lacks.

    Order-insensitive, so re-finding the same ids in another order is not a change; paper
    metadata is included so deferred enrichment (pending -> done) makes a new version.
    """
    payload = {
        "arxiv": sorted({ref.id for ref in record.arxiv}),
        "papers": sorted(
            (p.model_dump(mode="json") for p in record.papers), key=lambda p: p["arxiv_id"]
        ),
        "not_found": sorted(set(record.not_found)),
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def state_of(record: ArticleRecord, shard: str = "", line: int = 0) -> ArticleState:
    return ArticleState(record.version, record.text_sha256, ids_sha256(record), shard, line)


def read_shard(
    path: Path, only: Container[int] | None = None
) -> Iterator[tuple[int, ArticleRecord]]:
    """Yield ``(line_number, record)`` from a ``.jsonl`` or ``.jsonl.gz`` shard.

    ``only``: the 1-based line numbers wanted; other lines are skipped unparsed.
    """
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if (only is not None and n not in only) or not line.strip():
                    continue
                try:
                    yield n, ArticleRecord.model_validate_json(line)
                except ValidationError as exc:
                    raise StorageError(
                        f"{path}:{n}: not a valid article record: {exc.errors()[0]['msg']}",
                        reason="corrupt_shard",
                    ) from exc
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise StorageError(f"{path}: cannot read shard: {exc}", reason="corrupt_shard") from exc


def shard_paths(clean_dir: Path, subdir: str = ARTICLES_DIR) -> list[Path]:
    """Committed shards, oldest date first (temporary files are never listed)."""
    root = clean_dir / subdir
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.glob("*/*")
        if p.is_file() and not p.name.startswith((".", "_")) and p.name.endswith(SHARD_SUFFIXES)
    )


@contextlib.contextmanager
def index_errors(clean_dir: Path) -> Iterator[None]:
    """SQLite trouble (a lock held past the timeout, a full disk) as a StorageError."""
    try:
        yield
    except sqlite3.Error as exc:
        reason = "index_busy" if sqlite_setup.is_busy(exc) else "index_failed"
        raise StorageError(f"{clean_dir / INDEX_NAME}: {exc}", reason=reason) from exc


def connect(clean_dir: Path) -> sqlite3.Connection:
    """Open (creating if needed) the index; a corrupt or outdated one is recreated.

    Only a database that SQLite says is damaged (or one of another schema) is deleted:
    "locked" or "cannot open" are :class:`StorageError`, since another run may be using
    the index this very moment.
    """
    path = clean_dir / INDEX_NAME
    for attempt in (1, 2):
        conn: sqlite3.Connection | None = None
        try:
            conn = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
            # several batch tasks open the index at once, right after a killed run's WAL
            # recovery too: BUSY there is waited out (sqlite_setup), not a failed run
            sqlite_setup.set_up(conn, _DDL, synchronous="FULL", timeout=60)
            # OR IGNORE: writers opening a new store at once race to stamp it, and the
            # loser's IntegrityError would otherwise read as a damaged index and delete it.
            conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(_SCHEMA),))
            row = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if int(row[0]) != _SCHEMA:
                raise _Outdated(f"index schema {row[0]}, expected {_SCHEMA}")
            return conn
        except sqlite3.OperationalError:  # locked, busy, unreadable: not ours to delete
            if conn is not None:
                conn.close()
            with index_errors(clean_dir):
                raise
        except (sqlite3.DatabaseError, _Outdated) as exc:  # damaged: derived data, rebuild
            if conn is not None:
                with contextlib.suppress(Exception):
                    conn.close()
            if attempt == 2:
                raise StorageError(
                    f"{path}: cannot open index: {exc}", reason="index_failed"
                ) from exc
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(FileNotFoundError):
                    Path(f"{path}{suffix}").unlink()
    raise AssertionError("unreachable")


class _Outdated(Exception):
    """The index was written by another version of this module."""


def lookup(conn: sqlite3.Connection, article_id: str) -> ArticleState | None:
    row = conn.execute(
        "SELECT version, text_sha256, ids_sha256, shard, line FROM articles WHERE article_id=?",
        (article_id,),
    ).fetchone()
    return ArticleState(*row) if row else None


def ingest_shard(conn: sqlite3.Connection, clean_dir: Path, path: Path) -> int:
    """Fold one shard into the index (inside the caller's transaction). Idempotent."""
    rel = path.relative_to(clean_dir).as_posix()
    count = 0
    for line, record in read_shard(path):
        st = state_of(record, rel, line)
        conn.execute(
            """INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT(article_id) DO UPDATE SET
                 version=excluded.version, text_sha256=excluded.text_sha256,
                 ids_sha256=excluded.ids_sha256, shard=excluded.shard, line=excluded.line
               WHERE excluded.version > articles.version""",
            (record.article_id, st.version, st.text_sha256, st.ids_sha256, rel, line),
        )
        for url in {record.url, record.final_url, record.canonical_url} - {None}:
            conn.execute("INSERT OR REPLACE INTO urls VALUES (?, ?)", (url, record.article_id))
        count += 1
    conn.execute(
        "INSERT OR REPLACE INTO shards VALUES (?, ?, ?)", (rel, path.stat().st_size, count)
    )
    return count


# A folder whose mtime is older than this when scanned is trusted to be unchanged while
# its mtime stays the same (guards filesystems with coarse timestamps).
_SETTLE_NS = 2_000_000_000


def _scan(clean_dir: Path, rel_dir: str) -> tuple[dict[str, int], bool]:
    """Shards (relative path -> size) of one folder, sweeping dead writers' temp files.

    The flag is False when a temporary file remains (a live writer, or one too young to
    judge): such a folder must be looked at again next time.
    """
    shards: dict[str, int] = {}
    settled = True
    with os.scandir(clean_dir / rel_dir) as entries:
        for entry in entries:
            name = entry.name
            if is_temp_name(name):
                settled = remove_orphan(Path(entry.path)) and settled
            elif (
                not name.startswith(("_", "."))
                and name.endswith(SHARD_SUFFIXES)
                and entry.is_file()
            ):
                shards[f"{rel_dir}/{name}"] = entry.stat().st_size
    return shards, settled


def _day_dirs(clean_dir: Path) -> dict[str, int]:
    """``articles/<day>`` and ``failures/<day>`` folders with their mtimes (ns)."""
    out: dict[str, int] = {}
    for sub in (ARTICLES_DIR, FAILURES_DIR):
        try:
            with os.scandir(clean_dir / sub) as entries:
                for entry in entries:
                    if entry.is_dir() and not entry.name.startswith((".", "_")):
                        out[f"{sub}/{entry.name}"] = entry.stat().st_mtime_ns
        except FileNotFoundError:
            continue
    return out


def reconcile(conn: sqlite3.Connection, clean_dir: Path, *, full: bool = False) -> None:
    """Bring the index up to date with the shards on disk (inside the caller's transaction).

    Only folders whose mtime changed since they were last scanned are listed (adding,
    renaming or deleting a file changes it), so the cost grows with the number of days
    touched, not the number of shards. Dead writers' temporary files are swept on the way.
    ``full`` lists every folder (``rebuild_index``).
    """
    remove_orphans(clean_dir)  # catalogue temporaries
    now = time.time_ns()
    folders = _day_dirs(clean_dir)
    trusted = {} if full else dict(conn.execute("SELECT path, mtime_ns FROM dirs").fetchall())
    by_dir: dict[str, dict[str, int]] = {}
    for rel, size in conn.execute("SELECT path, size FROM shards"):
        by_dir.setdefault(rel.rpartition("/")[0], {})[rel] = size
    stale = any(folder not in folders for folder in by_dir)  # a whole day deleted
    new: list[str] = []
    for folder, mtime in folders.items():
        if stale:
            break
        if trusted.get(folder) == mtime:
            continue
        on_disk, settled = _scan(clean_dir, folder)
        known = by_dir.get(folder, {})
        if any(on_disk.get(rel) != size for rel, size in known.items()):
            stale = True  # a shard deleted or rewritten by hand
            break
        new += [rel for rel in on_disk if rel not in known and folder.startswith(ARTICLES_DIR)]
        if settled and now - mtime > _SETTLE_NS:
            conn.execute("INSERT OR REPLACE INTO dirs VALUES (?, ?)", (folder, mtime))
        else:
            conn.execute("DELETE FROM dirs WHERE path=?", (folder,))
    if stale:
        for table in ("articles", "urls", "shards", "dirs"):
            conn.execute(f"DELETE FROM {table}")
        reconcile(conn, clean_dir, full=True)
        return
    for rel in sorted(new):
        ingest_shard(conn, clean_dir, clean_dir / rel)

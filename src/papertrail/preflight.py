"""Checks made before a run does any work, so bad input fails fast and leaves nothing.

A run that meets a bad argument, an unwritable output directory or a corrupt SQLite
file half-way through has already fetched pages, appended to the WARC archive and
touched the ledger. Everything here is checked first instead, every problem is reported
(not just the first), and nothing is created: directories that do not exist yet are
judged by their nearest existing ancestor, and the write probe is an anonymous file
that never appears in the directory.
"""

from __future__ import annotations

import contextlib
import sqlite3
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from . import sqlite_setup
from .fetch.archive import INDEX_NAME as ARCHIVE_INDEX
from .inputs import validate_inputs
from .settings import Settings
from .shard_index import INDEX_NAME as OUTPUT_INDEX

__all__ = ["Problem", "check_sqlite", "check_writable", "preflight"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason the run cannot start: a stable code and a message naming the culprit."""

    reason: str
    message: str

    def __str__(self) -> str:
        return f"{self.message} [{self.reason}]"


def check_writable(directory: Path, what: str) -> Problem | None:
    """None when files can be created in ``directory`` (or where it would be made)."""
    probe = Path(directory)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        return Problem("not_a_directory", f"{what} {directory}: {probe} is not a directory")
    try:  # a real write, not os.access: root passes access() on a read-only filesystem
        with tempfile.TemporaryFile(dir=probe):
            pass
    except OSError as exc:
        return Problem("not_writable", f"{what} {directory}: cannot write in {probe}: {exc}")
    return None


def check_sqlite(path: Path, what: str, remedy: str) -> Problem | None:
    """None when ``path`` is absent or a healthy SQLite database; a locked one is fine
    (the run waits for it with its busy timeout)."""
    if not path.exists():
        return None
    if not path.is_file():
        return Problem("corrupt_file", f"{what} {path} is not a file")
    try:
        with contextlib.closing(sqlite3.connect(path, timeout=2)) as db:
            rows = db.execute("PRAGMA quick_check").fetchall()
    except sqlite3.OperationalError as exc:
        if sqlite_setup.is_busy(exc):
            return None
        return Problem("corrupt_file", f"{what} {path} cannot be read ({exc}); {remedy}")
    except sqlite3.DatabaseError as exc:
        return Problem("corrupt_file", f"{what} {path} is corrupt ({exc}); {remedy}")
    if rows != [("ok",)]:
        detail = "; ".join(str(r[0]) for r in rows[:3])
        return Problem("corrupt_file", f"{what} {path} is corrupt ({detail}); {remedy}")
    return None


def preflight(settings: Settings, inputs: Iterable[str] = ()) -> list[Problem]:
    """Every problem that would stop or spoil a run of ``inputs`` with ``settings``."""
    problems: list[Problem] = []
    _, bad = validate_inputs(inputs)
    problems += [Problem(err.reason, f"input {err.message}") for err in bad]
    dirs = {"output directory": settings.clean_path}
    if settings.archive_raw:
        dirs["raw archive directory"] = settings.raw_path
    if settings.skip_unchanged:
        dirs["ledger directory"] = settings.ledger_file.parent
    if settings.enrich:
        dirs["arXiv cache directory"] = settings.arxiv_cache_file.parent
        dirs["arXiv limiter directory"] = settings.arxiv_limiter_file.parent
    for what, directory in dirs.items():
        if problem := check_writable(directory, what):
            problems.append(problem)
    cache = "it is a cache: delete it and the next run rebuilds it"
    rebuilt = "delete it: it is rebuilt from the shards"
    files = [(settings.clean_path / OUTPUT_INDEX, "output index", rebuilt)]
    if settings.skip_unchanged:
        files.append((settings.ledger_file, "fetch ledger", cache))
    if settings.enrich:
        files.append((settings.arxiv_cache_file, "arXiv cache", cache))
    if settings.archive_raw:
        files.append(
            (
                settings.raw_path / ARCHIVE_INDEX,
                "raw archive index",
                "move it aside to start a new one (the WARC files stay readable)",
            )
        )
    for path, what, remedy in files:
        if problem := check_sqlite(path, what, remedy):
            problems.append(problem)
    return problems

"""Disk and storage faults: a full disk while writing, a locked SQLite file. The run
reports the fault, the data already committed stays valid, nothing half-written is left
visible, and the next run (space freed, lock gone) finishes the work.
"""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from papertrail.arxiv.cache import PaperCache
from papertrail.errors import StorageError
from papertrail.output import OutputStore
from papertrail.session import Session
from papertrail.settings import Settings
from papertrail.shard_index import INDEX_NAME
from papertrail.testing.pages import PageServer

from .conftest import article_urls, assert_each_input_has_one_record, audit_store, ingest

pytestmark = pytest.mark.timeout(120)


@contextlib.contextmanager
def small_disk(path: Path, size_kb: int) -> Iterator[Path]:
    """A real filesystem of ``size_kb`` KiB (tmpfs) at ``path``: writes past it get ENOSPC."""
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(path)],
        capture_output=True,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(disk: Path, leave_bytes: int) -> Path:
    """Fill ``disk`` until about ``leave_bytes`` are free; returns the filler file."""
    import os

    filler = disk / "filler.bin"
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    filler.write_bytes(b"\0" * max(0, free - leave_bytes))
    return filler


def visible_temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*.tmp") if not p.name.startswith(".")]


def offline(tmp_path: Path, clean: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data", clean_dir=clean, allow_private=True, per_host_delay=0,
        enrich=False, resolve_titles=False, respect_robots=False,
    )  # fmt: skip


def test_disk_full_while_writing_keeps_committed_data_valid(
    article_server: PageServer, tmp_path: Path
) -> None:
    urls = article_urls(article_server)
    with small_disk(tmp_path / "disk", 1024) as disk:
        clean = disk / "clean"
        settings = offline(tmp_path, clean)
        session = Session(settings)
        try:
            session.run(urls[:2], run_id="first")  # fits
            filler = fill(disk, leave_bytes=24 * 1024)
            with pytest.raises(StorageError) as err:
                session.run(urls, batch_size=1, run_id="second")
            assert err.value.reason in {"write_failed", "index_failed"}
            assert str(clean) in err.value.message  # names where it could not write
            # what was committed before the fault is intact and readable
            audit = audit_store(clean)
            assert len(audit.current) >= 2
            assert not visible_temp_files(clean)

            filler.unlink()  # space comes back: the next run finishes the work
            assert OutputStore(clean).rebuild_index() == len(audit.current)
            summary = session.run(urls, run_id="third")
        finally:
            session.close()
        assert summary.failed == 0
        assert_each_input_has_one_record(clean, urls)


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_cli_reports_a_full_disk_and_resumes(
    article_server: PageServer, run_env: dict[str, str], prefect_server: str, tmp_path: Path
) -> None:
    urls = article_urls(article_server)
    env = dict(run_env, PREFECT_API_URL=prefect_server)
    with small_disk(tmp_path / "disk", 512) as disk:
        clean = disk / "clean"
        filler = fill(disk, leave_bytes=8 * 1024)
        proc = ingest(env, *urls, "--no-enrich", "--out", str(clean), "--batch-size", "2")
        assert proc.returncode == 1, proc.stderr[-3000:]
        assert "error: run stopped:" in proc.stderr and str(clean) in proc.stderr
        audit_store(clean)
        assert not visible_temp_files(clean)
        filler.unlink()
        proc = ingest(env, *urls, "--no-enrich", "--out", str(clean), "--batch-size", "2")
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert_each_input_has_one_record(clean, urls)


@contextlib.contextmanager
def held_lock(path: Path) -> Iterator[None]:
    """Another process's view: a connection holding an EXCLUSIVE lock on ``path``."""
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        db.execute("ROLLBACK")
        db.close()


def test_locked_output_index_waits_then_commits(article_server: PageServer, tmp_path: Path) -> None:
    """A lock held for a while (another run committing) is waited for, not an error."""
    urls = article_urls(article_server)
    clean = tmp_path / "clean"
    settings = offline(tmp_path, clean)
    session = Session(settings)
    try:
        session.run(urls[:1], run_id="first")
        index = clean / INDEX_NAME
        with held_lock(index):
            release = threading.Timer(1.5, lambda: None)
            release.start()
            worker = threading.Thread(target=lambda: session.run(urls, run_id="second"))
            worker.start()
            release.join()
        worker.join(timeout=90)
        assert not worker.is_alive()
    finally:
        session.close()
    assert_each_input_has_one_record(clean, urls)


def test_locked_arxiv_cache_is_reported_and_records_stay_pending(tmp_path: Path) -> None:
    """A cache another process keeps locked: a StorageError with a reason, no corruption."""
    path = tmp_path / "arxiv-cache.sqlite"
    cache = PaperCache(path, busy_timeout=0.3)
    try:
        with held_lock(path), pytest.raises(StorageError) as err:
            cache.put_not_found(["2401.00001"])
        assert err.value.reason == "cache_failed" and "locked" in err.value.message
        cache.put_not_found(["2401.00001"])  # lock gone: works, file intact
        assert cache.get_many(["2401.00001"]) == ({}, {"2401.00001"})
    finally:
        cache.close()


FSIZE_SCRIPT = """
import json, resource, signal, sys
from pathlib import Path
from papertrail.errors import StorageError
from papertrail.session import Session
from papertrail.settings import Settings

data, urls = Path(sys.argv[1]), sys.argv[2:]
settings = Settings(data_dir=data, allow_private=True, per_host_delay=0, enrich=False,
                    resolve_titles=False, respect_robots=False)
session = Session(settings)
session.run(urls[:2], run_id="first")
shard = max(settings.clean_path.rglob("first-*.jsonl"), key=lambda p: p.stat().st_size)
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a kill
limit = 2 * shard.stat().st_size
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
try:
    session.run(urls, batch_size=len(urls), run_id="second")
    print(json.dumps({"error": None}))
except StorageError as exc:
    print(json.dumps({"error": exc.reason, "message": exc.message}))
"""


def test_file_size_limit_while_writing_keeps_committed_data_valid(
    article_server: PageServer, tmp_path: Path
) -> None:
    """The same fault without mounting anything: RLIMIT_FSIZE makes the shard write fail
    with EFBIG in a real subprocess, as a size-limited file would."""
    import json
    import os
    import sys

    from ..conftest import ROOT

    urls = article_urls(article_server)
    data = tmp_path / "data"
    proc = subprocess.run(
        [sys.executable, "-c", FSIZE_SCRIPT, str(data), *urls], cwd=ROOT, capture_output=True,
        text=True, timeout=90, env={"PYTHONPATH": f"{ROOT / 'src'}:{ROOT}", "PATH": "/usr/bin",
                                  "XDG_STATE_HOME": os.environ["XDG_STATE_HOME"]},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["error"] in {"write_failed", "index_failed"}, result
    clean = data / "clean"
    assert len(audit_store(clean).current) == 2  # the first run's records, intact
    assert not visible_temp_files(clean)
    settings = offline(tmp_path, clean)
    session = Session(settings)
    try:
        session.run(urls, run_id="third")
    finally:
        session.close()
    assert_each_input_has_one_record(clean, urls)


OPEN_AND_WRITE = """
import sys, time
from papertrail.arxiv.cache import PaperCache
path, start, n = sys.argv[1], float(sys.argv[2]), sys.argv[3]
time.sleep(max(0.0, start - time.time()))
cache = PaperCache(path, busy_timeout=60)
cache.put_not_found([f"2401.{int(n):05d}"])
cache.close()
"""


def test_processes_opening_a_new_cache_at_once_all_succeed(tmp_path: Path) -> None:
    """Dask workers open one fresh cache together: each waits its turn, none fails."""
    import sys
    import time

    path = tmp_path / "arxiv-cache.sqlite"
    start = time.time() + 2.0  # every process imported and waiting before anyone opens
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_AND_WRITE, str(path), str(start), str(n)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(8)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, "\n".join(errors)
    cache = PaperCache(path)
    try:
        assert len(cache.get_many(f"2401.{n:05d}" for n in range(8))[1]) == 8
    finally:
        cache.close()


OPEN_INDEX = """
import sys, time
from pathlib import Path
from papertrail.shard_index import connect
path, start = Path(sys.argv[1]), float(sys.argv[2])
time.sleep(max(0.0, start - time.time()))
connect(path).close()
"""


KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
from papertrail.shard_index import connect
conn = connect(Path(sys.argv[1]))
conn.execute("PRAGMA wal_autocheckpoint=0")
for n in range(200):
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (f"k{n}", "x" * 2000))
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_processes_opening_a_killed_runs_shard_index_at_once_all_succeed(tmp_path: Path) -> None:
    """A flow's batch tasks open one store's index together (after a killed run, while its
    WAL is being recovered): each waits its turn, none fails with "database is locked"."""
    import sys
    import time

    killed = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(tmp_path)], timeout=60)
    assert killed.returncode == -9  # its WAL is left behind, to be recovered by the next opener
    start = time.time() + 2.0  # every process imported and waiting before anyone opens
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_INDEX, str(tmp_path), str(start)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, "\n".join(errors)


def test_busy_sqlite_steps_are_retried_and_other_errors_are_not() -> None:
    from papertrail.sqlite_setup import retry_while_busy

    calls: list[int] = []

    def busy_twice() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise sqlite3.OperationalError("database is locked")
        return "done"

    assert retry_while_busy(busy_twice, timeout=30) == "done" and len(calls) == 3

    def broken() -> None:
        calls.append(1)
        raise sqlite3.OperationalError("no such table: papers")

    calls.clear()
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        retry_while_busy(broken, timeout=30)
    assert len(calls) == 1  # not a lock: not waited for

    def always_busy() -> None:
        raise sqlite3.OperationalError("database is locked")

    with pytest.raises(sqlite3.OperationalError, match="locked"):
        retry_while_busy(always_busy, timeout=0)

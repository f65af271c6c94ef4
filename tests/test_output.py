"""OutputStore: versioning, atomic shards, crash repair, catalogue (real files, real SQLite)."""

from __future__ import annotations

import json
import threading
from datetime import date
from pathlib import Path

import pytest

from papertrail import output
from papertrail.errors import StorageError
from papertrail.output import OutputStore, iter_current_records, write_catalogue
from papertrail.shard_index import INDEX_NAME, read_shard
from tests.output_helpers import make_record, paper

DAY = date(2026, 11, 23)


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def run(store: OutputStore, run_id: str, records, day: date = DAY) -> tuple[list[bool], Path]:
    with store.open_run(run_id, day=day) as writer:
        results = [writer.write(r) for r in records]
    return results, writer.path


def test_versions_new_unchanged_changed(tmp_path: Path) -> None:
    store = OutputStore(tmp_path)
    res, path = run(store, "r1", [make_record(1, "a", ("2401.00001",)), make_record(2, "b")])
    assert res == [True, True]
    assert path == tmp_path / "articles" / "2026-11-23" / "r1.jsonl"
    assert [r["version"] for r in lines(path)] == [1, 1]

    # same content again (ids in another order count as the same): nothing written
    res, path2 = run(store, "r2", [make_record(1, "a", ("2401.00001",)), make_record(2, "b")])
    assert res == [False, False]
    assert not path2.exists()

    # text change, then paper metadata change (deferred enrichment) each bump the version
    res, path3 = run(store, "r3", [make_record(1, "a2", ("2401.00001",)), make_record(2, "b")])
    assert res == [True, False]
    assert [r["version"] for r in lines(path3)] == [2]
    enriched = make_record(1, "a2", ("2401.00001",), papers=(paper("2401.00001"),))
    res, path4 = run(store, "r4", [enriched])
    assert res == [True]
    assert lines(path4)[0]["version"] == 3
    assert store.state(enriched.article_id).version == 3  # type: ignore[union-attr]


def test_same_article_twice_in_one_run(tmp_path: Path) -> None:
    store = OutputStore(tmp_path)
    res, path = run(store, "r1", [make_record(1, "a"), make_record(1, "a"), make_record(1, "b")])
    assert res == [True, False, True]
    assert [r["version"] for r in lines(path)] == [1, 2]


def test_empty_run_writes_no_shard(tmp_path: Path) -> None:
    store = OutputStore(tmp_path)
    with store.open_run("empty", day=DAY) as writer:
        pass
    assert writer.committed
    assert not (tmp_path / "articles").exists()
    assert not (tmp_path / "failures").exists()


def test_exception_leaves_nothing(tmp_path: Path) -> None:
    store = OutputStore(tmp_path)
    with pytest.raises(RuntimeError), store.open_run("boom", day=DAY) as writer:
        writer.write(make_record(1, "a"))
        writer.write(make_record(2, failed=True))
        raise RuntimeError("flow crashed")
    assert [p for p in tmp_path.rglob("*") if p.is_file() and "jsonl" in p.name] == []
    assert store.state(make_record(1).article_id) is None
    # and the same run id can be used again
    res, path = run(store, "boom", [make_record(1, "a")])
    assert res == [True] and path.exists()


def test_failed_records_go_to_failures_without_bumping(tmp_path: Path) -> None:
    store = OutputStore(tmp_path)
    run(store, "r1", [make_record(1, "a")])
    with store.open_run("r2", day=DAY) as writer:
        assert writer.write(make_record(1, failed=True)) is True
        assert writer.write(make_record(3, failed=True)) is True
    assert not writer.path.exists()
    failures = lines(writer.failures_path)
    assert [(f["url"], f["version"]) for f in failures] == [
        ("https://news.example/1", 1),  # the good version it did not replace
        ("https://news.example/3", 0),  # never had a good record
    ]
    assert writer.failed == 2 and writer.written == 0
    # the good record is still current, and seeing it again is not a change
    res, _ = run(store, "r3", [make_record(1, "a")])
    assert res == [False]
    assert [r.text for r in iter_current_records(tmp_path)] == ["a"]


def test_failure_is_filed_under_the_article_its_url_led_to(tmp_path: Path) -> None:
    store = OutputStore(tmp_path)
    good = make_record(1, "a")
    good.canonical_url = "https://news.example/canonical/1"
    good.article_id = "c" * 16  # as Document.article_id derives it from the canonical URL
    run(store, "r1", [good])
    with store.open_run("r2", day=DAY) as writer:
        writer.write(make_record(1, failed=True))  # id from the input URL: unknown
    (failure,) = lines(writer.failures_path)
    assert (failure["article_id"], failure["version"]) == ("c" * 16, 1)


def test_gzip_shards(tmp_path: Path) -> None:
    store = OutputStore(tmp_path, gzip=True)
    _, path = run(store, "r1", [make_record(1, "a"), make_record(2, "b")])
    assert path.name == "r1.jsonl.gz"
    assert [r.version for _, r in read_shard(path)] == [1, 1]
    res, _ = run(store, "r2", [make_record(1, "a2")])
    assert res == [True]
    assert sorted((r.url, r.version) for r in iter_current_records(tmp_path)) == [
        ("https://news.example/1", 2),
        ("https://news.example/2", 1),
    ]


def test_run_id_reuse_and_bad_id(tmp_path: Path) -> None:
    store = OutputStore(tmp_path)
    run(store, "r1", [make_record(1, "a")])
    with pytest.raises(StorageError) as err, store.open_run("r1", day=DAY):
        pass
    assert err.value.reason == "run_exists"
    with pytest.raises(StorageError) as err:
        store.open_run("../escape")
    assert err.value.reason == "bad_run_id"
    # another day, same run id: a different shard
    res, path = run(store, "r1", [make_record(1, "a2")], day=date(2026, 11, 24))
    assert res == [True] and path.parent.name == "2026-11-24"


def test_crash_between_rename_and_index_update(tmp_path: Path, monkeypatch) -> None:
    """The shard is renamed but the index update never commits: no duplicates later."""
    store = OutputStore(tmp_path)
    run(store, "r1", [make_record(1, "a")])

    def crash(*args, **kwargs):
        raise OSError("power cut")

    monkeypatch.setattr(output, "ingest_shard", crash)  # fault injection after the rename
    with pytest.raises(OSError), store.open_run("r2", day=DAY) as writer:
        writer.write(make_record(1, "a2"))
        writer.write(make_record(2, "b"))
    monkeypatch.undo()
    assert writer.path.exists()  # committed shard, index not told
    res, path3 = run(store, "r3", [make_record(1, "a2"), make_record(2, "b"), make_record(2, "c")])
    assert res == [False, False, True]
    assert [r["version"] for r in lines(path3)] == [2]


def test_index_rebuilds_from_shards(tmp_path: Path) -> None:
    store = OutputStore(tmp_path)
    run(store, "r1", [make_record(1, "a"), make_record(2, "b")])
    _, p2 = run(store, "r2", [make_record(1, "a2")])
    aid = make_record(1).article_id
    assert store.state(aid).version == 2  # type: ignore[union-attr]

    (tmp_path / INDEX_NAME).write_bytes(b"this is not a database" * 100)  # corrupt
    assert store.state(aid).version == 2  # type: ignore[union-attr]
    assert store.rebuild_index() == 2

    p2.unlink()  # undo run r2 by deleting its shard
    assert store.state(aid).version == 1  # type: ignore[union-attr]
    assert store.known_urls() == {"https://news.example/1", "https://news.example/2"}


def test_concurrent_runs_do_not_duplicate_versions(tmp_path: Path) -> None:
    store = OutputStore(tmp_path)
    run(store, "r0", [make_record(1, "a")])
    w1 = store.open_run("w1", day=DAY).__enter__()
    w2 = store.open_run("w2", day=DAY).__enter__()
    assert w1.write(make_record(1, "x")) and w2.write(make_record(1, "y"))
    assert w2.write(make_record(2, "same"))
    assert w1.write(make_record(2, "same"))
    w1.__exit__(None, None, None)
    w2.__exit__(None, None, None)  # rebased: its record 1 becomes v3, record 2 is unchanged
    assert [(r["text"], r["version"]) for r in lines(w1.path)] == [("x", 2), ("same", 1)]
    assert [(r["text"], r["version"]) for r in lines(w2.path)] == [("y", 3)]


def test_threads_share_one_writer(tmp_path: Path) -> None:
    store = OutputStore(tmp_path)
    with store.open_run("t", day=DAY) as writer:
        threads = [
            threading.Thread(
                target=lambda k=k: [writer.write(make_record(k * 50 + i, "t")) for i in range(50)]
            )
            for k in range(4)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    assert writer.written == 200
    assert len(lines(writer.path)) == 200


def test_catalogue(tmp_path: Path) -> None:
    store = OutputStore(tmp_path)
    p = paper("2401.00001", "Known paper")
    run(
        store,
        "r1",
        [
            make_record(1, "a", ("2401.00001", "2401.00002"), papers=(p,)),
            make_record(2, "b", ("2401.00001", "2401.00003")),
            make_record(3, "c", ("2401.00009",)),
        ],
    )
    nf = make_record(2, "b", ("2401.00001", "2401.00003"))
    nf.not_found = ["2401.00003"]
    run(store, "r2", [nf, make_record(3, "c2")])  # article 3 no longer mentions 2401.00009
    path = write_catalogue(tmp_path)
    assert path == tmp_path / "papers.jsonl"
    cat = {e["arxiv_id"]: e for e in lines(path)}
    assert sorted(cat) == ["2401.00001", "2401.00002", "2401.00003"]
    assert cat["2401.00001"]["status"] == "found"
    assert cat["2401.00001"]["title"] == "Known paper"
    assert cat["2401.00001"]["mentions"] == 2
    assert set(cat["2401.00001"]["urls"]) == {"https://news.example/1", "https://news.example/2"}
    assert cat["2401.00002"]["status"] == "pending"
    assert cat["2401.00003"]["status"] == "not_found"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_catalogue_of_empty_store(tmp_path: Path) -> None:
    assert write_catalogue(tmp_path / "clean").read_text() == ""


def test_orphaned_temp_files_are_swept(tmp_path: Path) -> None:
    """A run killed mid-write leaves a temp file; the next run removes it, not a live one's."""
    import os

    store = OutputStore(tmp_path)
    day_dir = tmp_path / "articles" / DAY.isoformat()
    day_dir.mkdir(parents=True)
    dead = day_dir / ".dead.jsonl.1234.tmp"
    dead.write_text('{"half": ')
    os.utime(dead, (1, 1))  # last written long ago, and nobody holds its lock
    with store.open_run("live", day=DAY) as live:
        live.write(make_record(1, "a"))
        (live_tmp,) = day_dir.glob(".live_jsonl.*.tmp")
        os.utime(live_tmp, (1, 1))
        with store.open_run("other", day=DAY):
            pass  # sweeps
        assert not dead.exists()
        assert live_tmp.exists()  # still locked by its writer
    assert sorted(p.name for p in day_dir.iterdir()) == ["live.jsonl"]


def test_unchanged_folders_are_trusted_and_changes_still_seen(tmp_path: Path) -> None:
    """Reconciling skips day folders whose mtime is unchanged, yet sees a new shard."""
    import os
    import sqlite3

    store = OutputStore(tmp_path)
    _, p1 = run(store, "r1", [make_record(1, "a")])
    os.utime(p1.parent, (1_000_000, 1_000_000))  # settled long ago
    store.state("x")
    with sqlite3.connect(tmp_path / INDEX_NAME) as conn:
        assert conn.execute("SELECT path FROM dirs").fetchall() == [("articles/2026-11-23",)]
    # a shard appears without the index being told (another process crashed after rename)
    newer = make_record(1, "a2").model_copy(update={"version": 2})
    (p1.parent / "r2.jsonl").write_text(newer.model_dump_json() + "\n")
    assert store.state(newer.article_id).version == 2  # type: ignore[union-attr]


def test_a_locked_index_is_a_storage_error_and_is_kept(tmp_path: Path, monkeypatch) -> None:
    """Another process holding the index past the timeout: a clear error, nothing deleted."""
    import sqlite3

    from papertrail import shard_index

    store = OutputStore(tmp_path)
    run(store, "r1", [make_record(1, "a")])
    real_connect = sqlite3.connect
    monkeypatch.setattr(  # a short busy timeout, so the test does not wait 60 s
        shard_index.sqlite3, "connect", lambda *a, **k: real_connect(*a, **{**k, "timeout": 0.1})
    )
    holder = real_connect(tmp_path / INDEX_NAME, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError) as err:
            store.state(make_record(1).article_id)
        assert err.value.reason == "index_busy"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    monkeypatch.undo()
    assert store.state(make_record(1).article_id).version == 1  # type: ignore[union-attr]


def test_current_records_survive_a_shard_edited_in_place(tmp_path: Path) -> None:
    """Line numbers in the index are a shortcut, never a reason to drop a record."""
    store = OutputStore(tmp_path)
    _, path = run(store, "r1", [make_record(1, "a"), make_record(2, "b")])
    first, second = path.read_text("utf-8").splitlines()
    path.write_text(f"{second}\n{first}\n", encoding="utf-8")  # same size, lines swapped
    assert sorted(r.text for r in iter_current_records(tmp_path)) == ["a", "b"]

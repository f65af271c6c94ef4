"""Versioning invariants under random runs, aborted runs and lost indexes (hypothesis)."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papertrail.output import OutputStore, iter_current_records
from papertrail.shard_index import INDEX_NAME, read_shard, shard_paths
from tests.output_helpers import make_record


class FlowDied(Exception):
    pass


# one write: (article 0-3, content variant 0-2, failed?)
writes = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2), st.booleans()), max_size=6)
# one run: its writes, whether it crashes before committing, whether the index is lost after
runs = st.lists(st.tuples(writes, st.booleans(), st.booleans()), min_size=1, max_size=6)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs=runs, gz=st.booleans())
def test_versions_stay_unique_contiguous_and_current(runs, gz: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        clean = Path(tmp)
        model: dict[str, tuple[int, str]] = {}  # article_id -> (version, text)
        for n, (ops, crash, lose_index) in enumerate(runs):
            store = OutputStore(clean, gzip=gz)
            pending = dict(model)
            try:
                with store.open_run(f"run-{n}", day=date(2026, 11, 1 + n)) as writer:
                    for article, variant, failed in ops:
                        rec = make_record(article, f"text {variant}", failed=failed)
                        written = writer.write(rec)
                        if failed:
                            assert written
                            continue
                        prev = pending.get(rec.article_id)
                        expect_new = prev is None or prev[1] != rec.text
                        assert written == expect_new
                        if expect_new:
                            pending[rec.article_id] = ((prev[0] if prev else 0) + 1, rec.text)
                    if crash:
                        raise FlowDied  # nothing of this run must remain
            except FlowDied:
                pass
            else:
                model = pending
            if lose_index:
                (clean / INDEX_NAME).unlink(missing_ok=True)

        rows = [rec for path in shard_paths(clean) for _, rec in read_shard(path)]
        keys = [(r.article_id, r.version) for r in rows]
        assert len(keys) == len(set(keys))  # one row per (article_id, version)
        for article_id, (version, _) in model.items():
            assert sorted(v for a, v in keys if a == article_id) == list(range(1, version + 1))
        current = {r.article_id: (r.version, r.text) for r in iter_current_records(clean)}
        assert current == model
        assert not list(clean.rglob("*.tmp"))


def _writer_process(clean: str, worker: int) -> None:
    store = OutputStore(Path(clean))
    for n in range(4):
        with store.open_run(f"w{worker}-{n}", day=date(2026, 11, 23)) as writer:
            for article in range(12):
                writer.write(make_record(article, f"worker {worker} run {n}"))


def test_concurrent_processes_never_share_a_version(tmp_path: Path) -> None:
    """Three processes rewrite the same articles at once: versions stay unique, contiguous."""
    import multiprocessing

    # spawn, not fork: the suite runs servers in threads, and a fork copies their locks.
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer_process, args=(str(tmp_path), w)) for w in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    rows = [rec for path in shard_paths(tmp_path) for _, rec in read_shard(path)]
    keys = [(r.article_id, r.version) for r in rows]
    assert len(keys) == len(set(keys))
    for article_id in {r.article_id for r in rows}:
        versions = sorted(v for a, v in keys if a == article_id)
        assert versions == list(range(1, len(versions) + 1))
    assert len({r.article_id for r in iter_current_records(tmp_path)}) == 12


def test_writers_opening_a_new_store_at_once_never_delete_its_index(tmp_path: Path) -> None:
    """Many threads open a store that does not exist yet: none may see a 'damaged' index."""
    import threading

    from papertrail.shard_index import connect

    errors: list[BaseException] = []
    barrier = threading.Barrier(16)

    def opener() -> None:
        try:
            barrier.wait()
            connect(tmp_path).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []

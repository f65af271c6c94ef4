"""Scale-out: the ingest flow on a local two-worker Dask cluster writes what a local run
writes, with the arXiv rate limit and the per-URL ledger kept across worker processes."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.pipeline.site import Site
from papertrail.record import ArticleRecord
from papertrail.testing.fake_arxiv import FakeArxivAPI

from ..conftest import PYTHON, ROOT
from . import stages

distributed = pytest.importorskip("distributed")
pytest.importorskip("prefect_dask")

pytestmark = pytest.mark.slow

PAGES = 24
INTERVAL = 0.3
VOLATILE = {"fetched_at"}


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """Two worker processes; non-daemonic, so each may start its cleaning workers."""
    import dask

    with (
        dask.config.set({"distributed.worker.daemon": False}),
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=2,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as local,
    ):
        yield local.scheduler_address


def ingest(
    urls: list[str], env: dict[str, str], data: Path, *extra: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    run_env = dict(env, PAPERTRAIL_DATA_DIR=str(data))
    proc = subprocess.run(
        [PYTHON, "-m", "flows.ingest", *urls, "--batch-size", "4", "--json", *extra],
        cwd=ROOT, env=run_env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads(proc.stdout[proc.stdout.index("{") :])
    records = [
        ArticleRecord.model_validate_json(line).model_dump(mode="json", exclude=VOLATILE)
        for shard in sorted((data / "clean").glob("articles/*/*.jsonl"))
        for line in shard.read_text(encoding="utf-8").splitlines()
    ]
    return summary, sorted(records, key=lambda r: r["url"])


@pytest.mark.timeout(300)
def test_dask_run_equals_local_run(
    cluster: str, run_env: dict[str, str], prefect_server: str, tmp_path: Path
) -> None:
    with Site(PAGES) as site, FakeArxivAPI(min_interval=INTERVAL, synthesize=True) as api:
        urls = list(site.urls())
        env = dict(
            run_env,
            PREFECT_API_URL=prefect_server,
            PAPERTRAIL_ARXIV_API_URL=api.url,
            PAPERTRAIL_ARXIV_INTERVAL=str(INTERVAL),
            PAPERTRAIL_ARXIV_CHUNK_SIZE="10",
        )
        local_summary, local = ingest(urls, env, tmp_path / "local", "--no-titles")
        n_local = len(api.requests)
        dask_summary, on_dask = ingest(
            urls, env, tmp_path / "dask", "--no-titles", "--dask-address", cluster
        )
        statuses = [r.status for r in api.requests[n_local:]]

    assert local_summary["pages"] == PAGES and local_summary["failed"] == 0, local_summary
    assert dask_summary["pages"] == PAGES and dask_summary["failed"] == 0, dask_summary
    assert len(on_dask) == PAGES
    for mine, theirs in zip(on_dask, local, strict=True):
        assert mine == theirs, "records (minus fetched_at) equal a local run's"
    assert all(r["enrichment"] == "done" and r["papers"] for r in on_dask), dask_summary
    # six batches enriched from two worker processes, and the fake API (which answers
    # 429 to anyone faster than INTERVAL) never saw the limit broken
    assert len(statuses) >= 6
    assert set(statuses) == {200}, statuses
    # one ledger row per URL, written from both workers without loss
    with sqlite3.connect(tmp_path / "dask" / "ledger.sqlite") as db:
        assert db.execute("SELECT count(*) FROM pages").fetchone()[0] == PAGES
    # the tasks really ran on the cluster's worker processes
    with distributed.Client(cluster) as client:
        per_worker = client.run(stages.sessions_here)
    assert len(per_worker) == 2 and sum(per_worker.values()) >= 1, per_worker

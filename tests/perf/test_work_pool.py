"""Scale-out at flow level: two Prefect workers on one work pool run ingest flow runs
side by side on one data directory; the arXiv limit and the ledger hold across them."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from bench.pipeline.site import Site
from papertrail.testing.fake_arxiv import FakeArxivAPI

from ..conftest import PYTHON, ROOT

pytestmark = pytest.mark.slow

PAGES = 16
INTERVAL = 0.3
POOL = "papertrail"  # the pool named in prefect.yaml
QUIET = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}


@pytest.mark.timeout(400)
def test_two_workers_share_limit_and_ledger(
    prefect_server: str, run_env: dict[str, str], tmp_path: Path
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with Site(PAGES) as site, FakeArxivAPI(min_interval=INTERVAL, synthesize=True) as api:
        urls = list(site.urls())
        env = dict(
            run_env,
            PREFECT_API_URL=prefect_server,
            PAPERTRAIL_ARXIV_API_URL=api.url,
            PAPERTRAIL_ARXIV_INTERVAL=str(INTERVAL),
        )
        subprocess.run(
            [PYTHON, "-m", "prefect", "work-pool", "create", POOL, "--type", "process",
             "--overwrite"],
            cwd=ROOT, env=env, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        subprocess.run(  # the project's own prefect.yaml, as a user deploys it
            [PYTHON, "-m", "prefect", "--no-prompt", "deploy", "--name", "ingest"],
            cwd=ROOT, env=env, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        worker = [PYTHON, "-m", "prefect", "worker", "start", "--pool", POOL, "--limit", "1"]
        workers = [
            subprocess.Popen(worker, cwd=ROOT, env=env, start_new_session=True, **QUIET)
            for _ in range(2)
        ]
        try:
            with temporary_settings({PREFECT_API_URL: prefect_server}):
                halves = [urls[: PAGES // 2], urls[PAGES // 2 :]]
                runs = [
                    run_deployment(
                        "ingest/ingest",
                        parameters={"urls": half, "resolve_titles": False, "batch_size": 4},
                        timeout=0,
                    )
                    for half in halves
                ]
                deadline = time.monotonic() + 300
                with get_client(sync_client=True) as client:
                    while True:
                        states = [client.read_flow_run(r.id).state for r in runs]
                        if all(s is not None and s.is_final() for s in states):
                            break
                        assert time.monotonic() < deadline, states
                        time.sleep(1)
            assert all(s is not None and s.is_completed() for s in states), states
        finally:
            for proc in workers:
                os.killpg(proc.pid, signal.SIGTERM)
            for proc in workers:
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
        statuses = [r.status for r in api.requests]

    data = Path(run_env["PAPERTRAIL_DATA_DIR"])
    lines = [
        line
        for shard in (data / "clean" / "articles").glob("*/*.jsonl")
        for line in shard.read_text(encoding="utf-8").splitlines()
    ]
    assert len(lines) == PAGES, "every page of both flow runs has its one record"
    with sqlite3.connect(data / "ledger.sqlite") as db:
        assert db.execute("SELECT count(*) FROM pages").fetchone()[0] == PAGES
    assert statuses and set(statuses) == {200}, "the arXiv limit held across both workers"

"""Scheduling: ``python -m flows.serve`` creates the deployments on a real Prefect server
and a triggered run of one of them ingests the source's articles."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from papertrail.testing.fake_arxiv import FakeArxivAPI
from papertrail.testing.pages import PageServer

from ..conftest import PYTHON, ROOT

pytestmark = pytest.mark.slow


def test_serve_creates_deployments_and_runs_one(
    prefect_server: str, page_server: PageServer, run_env: dict[str, str], tmp_path: Path
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    sources = tmp_path / "sources.toml"
    sources.write_text(
        f"""
[[source]]
name = "weekly"
kind = "urls"
urls = ["{page_server.url("/roundup.html")}"]
schedule = "0 6 * * 1"
""",
        encoding="utf-8",
    )
    with FakeArxivAPI() as api:
        env = dict(
            run_env,
            PREFECT_API_URL=prefect_server,
            PAPERTRAIL_SOURCES_FILE=str(sources),
            PAPERTRAIL_ARXIV_API_URL=api.url,
        )
        serve = subprocess.Popen(
            [PYTHON, "-m", "flows.serve"], cwd=ROOT, env=env, start_new_session=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        try:
            with temporary_settings({PREFECT_API_URL: prefect_server}):
                names: set[str] = set()
                wanted = {"discover-weekly", "enrich-pending"}
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline and not wanted <= names:
                    with get_client(sync_client=True) as client:
                        names = {d.name for d in client.read_deployments()}
                    time.sleep(1)
                assert wanted <= names, names
                run = run_deployment("discover/discover-weekly", timeout=180)
                assert run.state is not None and run.state.is_completed(), run.state
        finally:
            os.killpg(serve.pid, signal.SIGINT)
            try:
                serve.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(serve.pid, signal.SIGKILL)
    shards = list((Path(run_env["PAPERTRAIL_DATA_DIR"]) / "clean" / "articles").glob("*/*.jsonl"))
    assert shards, "the triggered run wrote the source's article"

"""Crash and resume: a run killed with SIGKILL anywhere loses nothing.

Every test kills a real ``python -m flows.ingest`` subprocess (a crash point that sends
SIGKILL to itself, or ``kill -9`` from outside at random times), checks that what is on
disk is still valid, then runs again and checks that every input has exactly one current
record, no line is corrupt and no ``(article_id, version)`` is duplicated.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from papertrail.crashpoints import ENV as CRASH_ENV
from papertrail.testing.fake_arxiv import FakeArxivAPI
from papertrail.testing.pages import PageServer

from ..conftest import PYTHON, ROOT
from .conftest import article_urls, assert_each_input_has_one_record, audit_store, ingest

pytestmark = pytest.mark.slow

BATCH = ["--batch-size", "2", "--concurrency", "2", "--json"]


@pytest.fixture(scope="module")
def arxiv_api() -> Iterator[FakeArxivAPI]:
    with FakeArxivAPI() as api:
        yield api


@pytest.fixture()
def env(run_env: dict[str, str], prefect_server: str, arxiv_api: FakeArxivAPI) -> dict[str, str]:
    return dict(run_env, PREFECT_API_URL=prefect_server, PAPERTRAIL_ARXIV_API_URL=arxiv_api.url)


def summary_of(proc: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    return json.loads(proc.stdout[proc.stdout.index("{") :])


@pytest.mark.timeout(240)
@pytest.mark.parametrize(
    "point",
    # fetch: the ledger hazard (page noted, record not yet written); clean:3 and enrich
    # mid-pipeline; write:2 a second shard complete under its temporary name while the
    # first may be committed; commit: a shard committed, the ledger not yet told.
    ["fetch", "clean:3", "enrich", "write:2", "commit"],
)
def test_killed_run_resumes_with_one_record_per_input(
    point: str, env: dict[str, str], article_server: PageServer, tmp_path: Path
) -> None:
    urls = article_urls(article_server)
    clean = Path(env["PAPERTRAIL_DATA_DIR"]) / "clean"

    crashed = ingest(dict(env, **{CRASH_ENV: point}), *urls, *BATCH)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr[-3000:]
    audit_store(clean)  # what a killed run left is valid as it stands

    resumed = summary_of(ingest(env, *urls, *BATCH))
    assert resumed["failed"] == 0
    audit = assert_each_input_has_one_record(clean, urls)
    assert all(r.enrichment == "done" for r in audit.current.values())
    if point not in {"fetch", "commit"}:
        return  # a third run (costly) where the ledger's state after the crash matters

    again = summary_of(ingest(env, *urls, *BATCH))
    assert again["records_written"] == 0, again  # nothing new: no duplicate versions
    assert_each_input_has_one_record(clean, urls)


@pytest.mark.timeout(240)
def test_random_outside_kills_then_resume(env: dict[str, str], article_server: PageServer) -> None:
    """kill -9 from outside at seeded random moments, three times, then a full run."""
    urls = article_urls(article_server)
    clean = Path(env["PAPERTRAIL_DATA_DIR"]) / "clean"
    rng = random.Random(9)
    for _ in range(3):
        proc = subprocess.Popen(
            [PYTHON, "-m", "flows.ingest", *urls, *BATCH], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        time.sleep(rng.uniform(1.0, 6.0))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        audit_store(clean)
    summary_of(ingest(env, *urls, *BATCH))
    assert_each_input_has_one_record(clean, urls)

"""Schedules fire by themselves: nobody calls ``run_deployment``.

A real ``prefect server start`` (SQLite), a deployment whose cron schedule is due every
minute, and then only waiting: Prefect's scheduler service must create the run, the
runner (``python -m flows.serve``) or a process worker (``prefect.yaml``) must execute
it, and the source's article must land in the output. Both tests fail when the
scheduler cannot create runs, as with SQLAlchemy 2.1 under Prefect 3.8.8 ("Can't
evaluate bulk DML statement"), which is what pins ``sqlalchemy<2.1``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from papertrail.testing.fake_arxiv import FakeArxivAPI
from papertrail.testing.pages import PageServer

from ..conftest import PYTHON, ROOT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

EVERY_MINUTE = "* * * * *"
# The scheduler's first pass, a minute boundary, the run itself: minutes on a busy machine.
WAIT_FOR_RUN = 420.0


def write_sources(path: Path, name: str, url: str) -> Path:
    path.write_text(
        f'[[source]]\nname = "{name}"\nkind = "urls"\nurls = ["{url}"]\n'
        f'schedule = "{EVERY_MINUTE}"\n',
        encoding="utf-8",
    )
    return path


@contextmanager
def background(args: list[str], env: dict[str, str], log: Path) -> Iterator[None]:
    """A long-running CLI (the runner, a worker) in its own process group."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            args, cwd=ROOT, env=env, start_new_session=True, stdout=out,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    try:
        yield
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


def wait_for_scheduled_run(api_url: str, deployment: str, log: Path) -> Any:
    """The first run of ``deployment`` the scheduler created, once it is final."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName
    from prefect.settings import PREFECT_API_URL, temporary_settings

    deadline = time.monotonic() + WAIT_FOR_RUN
    runs: list[Any] = []
    with temporary_settings({PREFECT_API_URL: api_url}), get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            runs = client.read_flow_runs(
                deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=[deployment]))
            )
            done = [r for r in runs if r.state is not None and r.state.is_final()]
            if done:
                return done[0]
            time.sleep(2)
    tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
    states = [(r.name, r.state_name, r.auto_scheduled) for r in runs]
    pytest.fail(f"no finished run of {deployment} in {WAIT_FOR_RUN:.0f} s: {states}\n{tail}")


def assert_ingested(run: Any, data_dir: Path, url: str) -> None:
    assert run.auto_scheduled, "the run was created by the scheduler, not by hand"
    assert run.state.is_completed(), run.state
    records = [
        json.loads(line)
        for shard in (data_dir / "clean" / "articles").glob("*/*.jsonl")
        for line in shard.read_text(encoding="utf-8").splitlines()
    ]
    mine = [r for r in records if r["url"] == url]
    assert mine, "the scheduled run wrote the source's article"
    assert mine[0]["arxiv"] and mine[0]["text"]


def test_served_deployment_runs_on_its_schedule(
    prefect_server: str, page_server: PageServer, run_env: dict[str, str], tmp_path: Path
) -> None:
    url = page_server.url("/roundup.html")
    sources = write_sources(tmp_path / "sources.toml", "minutely", url)
    log = tmp_path / "serve.log"
    with FakeArxivAPI() as api:
        env = dict(
            run_env,
            PREFECT_API_URL=prefect_server,
            PAPERTRAIL_SOURCES_FILE=str(sources),
            PAPERTRAIL_ARXIV_API_URL=api.url,
        )
        with background([PYTHON, "-m", "flows.serve"], env, log):
            run = wait_for_scheduled_run(prefect_server, "discover-minutely", log)
            status = subprocess.run(
                [PYTHON, "-m", "flows.status", "--json"], cwd=ROOT, env=env,
                capture_output=True, text=True, timeout=120,
            )  # fmt: skip
    assert_ingested(run, Path(run_env["PAPERTRAIL_DATA_DIR"]), url)
    # flows.status reports the run the scheduler made, its counts, and the next one.
    assert status.returncode == 0, status.stderr
    report = json.loads(status.stdout)
    (dep,) = [d for d in report["deployments"] if d["deployment"] == "discover-minutely"]
    assert dep["schedules"] == [f"cron {EVERY_MINUTE}"]
    assert dep["last_run"]["by_schedule"] and dep["last_run"]["state"] == "Completed"
    assert dep["last_run"]["counts"]["records"] >= 1
    assert dep["next_run"] is not None
    (src,) = report["sources"]
    assert src["source"] == "minutely" and src["deployments"] == ["discover-minutely"]


def every_minute_project_file(tmp_path: Path) -> Path:
    """The repo's prefect.yaml with discover-all due every minute (nothing else changed)."""
    project = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    (discover_all,) = [d for d in project["deployments"] if d["name"] == "discover-all"]
    discover_all["schedules"] = [{"cron": EVERY_MINUTE}]
    project["deployments"] = [discover_all]
    path = tmp_path / "prefect.yaml"
    path.write_text(yaml.safe_dump(project, sort_keys=False), encoding="utf-8")
    return path


def test_prefect_yaml_deployment_runs_on_a_worker(
    prefect_server: str, page_server: PageServer, run_env: dict[str, str], tmp_path: Path
) -> None:
    url = page_server.url("/roundup-gbk.html")
    sources = write_sources(tmp_path / "sources.toml", "pooled", url)
    log = tmp_path / "worker.log"
    with FakeArxivAPI() as api:
        env = dict(
            run_env,
            PREFECT_API_URL=prefect_server,
            PAPERTRAIL_SOURCES_FILE=str(sources),
            PAPERTRAIL_ARXIV_API_URL=api.url,
        )
        prefect = [PYTHON, "-m", "prefect", "--no-prompt"]
        # The README's commands: a process pool, `prefect deploy --all` from the repo root.
        subprocess.run(
            [*prefect, "work-pool", "create", "papertrail", "--type", "process",
             "--overwrite"],
            cwd=ROOT, env=env, check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        project_file = every_minute_project_file(tmp_path)
        deployed = subprocess.run(
            [*prefect, "deploy", "--all", "--prefect-file", str(project_file)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert deployed.returncode == 0, deployed.stdout[-2000:] + deployed.stderr[-2000:]
        try:
            with background([*prefect, "worker", "start", "--pool", "papertrail"], env, log):
                run = wait_for_scheduled_run(prefect_server, "discover-all", log)
        finally:  # the server is shared by the session: leave no schedule and no pool
            forget(prefect_server, "discover/discover-all", "papertrail")
    assert_ingested(run, Path(run_env["PAPERTRAIL_DATA_DIR"]), url)


def forget(api: str, deployment: str, pool: str) -> None:
    """Delete a deployment and its work pool, so later tests on the same server see no
    scheduled runs of ours (a worker of theirs on the same pool would run them)."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api}), get_client(sync_client=True) as client:
        client.delete_deployment(client.read_deployment_by_name(deployment).id)
        client.delete_work_pool(pool)

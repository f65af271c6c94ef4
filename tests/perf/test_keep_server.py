"""``--keep-server``: the first run leaves a local Prefect server up, the next reuses it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from flows.server import free_port
from papertrail.testing.pages import PageServer

from ..conftest import PYTHON, ROOT

pytestmark = pytest.mark.slow


@pytest.mark.timeout(300)
def test_keep_server_is_left_up_and_reused(
    page_server: PageServer, run_env: dict[str, str], tmp_path: Path
) -> None:
    home = tmp_path / "prefect-home"
    home.mkdir()
    env = dict(
        run_env,
        PREFECT_HOME=str(home),
        PAPERTRAIL_PREFECT_PORT=str(free_port()),
        PAPERTRAIL_PREFECT_SERVER="background",
    )
    url = page_server.url("/roundup.html")

    def ingest(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [PYTHON, "-m", "flows.ingest", url, "--no-enrich", "--json", *extra],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=240,
        )  # fmt: skip

    def status() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [PYTHON, "-m", "flows.server", "status"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    try:
        first = ingest("--keep-server")
        assert first.returncode == 0, first.stderr[-3000:]
        up = status()
        assert up.returncode == 0, "the server is still up after the run"
        assert "kept up until" in up.stdout, "--keep-server: no idle exit"
        pid = json.loads((home / "papertrail-server.json").read_text())["pid"]
        second = ingest()  # found on its own, no flag needed
        assert second.returncode == 0, second.stderr[-3000:]
        assert json.loads((home / "papertrail-server.json").read_text())["pid"] == pid
    finally:
        subprocess.run(
            [PYTHON, "-m", "flows.server", "stop"], cwd=ROOT, env=env, timeout=60,
            capture_output=True,
        )  # fmt: skip
    assert status().returncode == 1

"""papertrail's local Prefect server: whose server a run attaches to, and that the one it
starts in the background says so, is reused, and stops by itself when idle."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

import pytest

from flows import local_server
from flows.local_server import ServerSettingError, ServerState
from papertrail.testing.pages import PageServer

from ..conftest import PYTHON, ROOT


class _Health(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"true")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def foreign_server() -> Iterator[int]:
    """Someone else's server on a loopback port: it answers ``/api/health`` like Prefect."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield int(httpd.server_address[1])
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = (tmp_path / "prefect-home").resolve()
    home.mkdir()
    monkeypatch.setenv("PREFECT_HOME", str(home))
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("PAPERTRAIL_PREFECT_SERVER", "background")
    return home


def _state(home: Path, port: int, pid: int | None = None) -> ServerState:
    return ServerState(pid or os.getpid(), port, str(home), time.time(), 900.0, "log")


def test_a_foreign_server_on_the_port_is_not_attached_to(
    home: Path, foreign_server: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERTRAIL_PREFECT_PORT", str(foreign_server))
    assert local_server.healthy(local_server.api_url(foreign_server))  # it does answer
    assert local_server.owned_server() is None
    assert local_server.use_running_server() is None
    assert "PREFECT_API_URL" not in os.environ


def test_a_state_file_for_another_home_is_ignored(
    home: Path, foreign_server: int, tmp_path: Path
) -> None:
    other = tmp_path / "other-home"
    other.mkdir()
    local_server.write_state(_state(other, foreign_server))
    (home / local_server.STATE_FILE).write_text(
        (other / local_server.STATE_FILE).read_text(), encoding="utf-8"
    )  # copied over: it names the other home
    assert local_server.owned_server() is None
    assert local_server.use_running_server() is None


def test_a_state_file_whose_process_is_gone_is_ignored(home: Path, foreign_server: int) -> None:
    dead = subprocess.Popen([PYTHON, "-c", "pass"])
    dead.wait()
    local_server.write_state(_state(home, foreign_server, pid=dead.pid))
    assert local_server.owned_server() is None
    up, text = local_server.describe()
    assert not up and "no papertrail server" in text


def test_our_state_file_with_a_live_answering_server_is_attached_to(
    home: Path, foreign_server: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_server.write_state(_state(home, foreign_server))  # this process plays the owner
    assert local_server.use_running_server() == local_server.api_url(foreign_server)
    assert os.environ["PREFECT_API_URL"] == local_server.api_url(foreign_server)
    monkeypatch.delenv("PREFECT_API_URL")


def test_an_api_url_set_by_the_user_wins(
    home: Path, foreign_server: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_server.write_state(_state(home, foreign_server))
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:1/api")
    assert local_server.use_running_server() is None
    assert os.environ["PREFECT_API_URL"] == "http://127.0.0.1:1/api"


def test_an_api_named_in_a_prefect_profile_wins(home: Path, foreign_server: int) -> None:
    local_server.write_state(_state(home, foreign_server))
    (home / "profiles.toml").write_text(
        'active = "team"\n[profiles.team]\nPREFECT_API_URL = "http://127.0.0.1:1/api"\n'
    )
    assert local_server.use_running_server() is None
    assert local_server.start_early() is None  # nothing started either


@pytest.mark.parametrize(
    ("env", "mode"),
    [
        ({}, "background"),
        ({"CI": "true"}, "ephemeral"),
        ({"CI": "true", "PAPERTRAIL_PREFECT_SERVER": "background"}, "background"),
        ({"PAPERTRAIL_PREFECT_SERVER": "ephemeral"}, "ephemeral"),
        ({"PAPERTRAIL_PREFECT_REUSE": "0"}, "ephemeral"),
    ],
)
def test_server_mode(env: dict[str, str], mode: str) -> None:
    assert local_server.server_mode(env) == mode


def test_bad_settings_name_the_variable() -> None:
    with pytest.raises(ServerSettingError, match="PAPERTRAIL_PREFECT_SERVER"):
        local_server.server_mode({"PAPERTRAIL_PREFECT_SERVER": "sometimes"})
    with pytest.raises(ServerSettingError, match="PAPERTRAIL_PREFECT_IDLE_TIMEOUT='soon'"):
        local_server.server_settings({"PAPERTRAIL_PREFECT_IDLE_TIMEOUT": "soon"})
    with pytest.raises(ServerSettingError, match="PAPERTRAIL_PREFECT_PORT='70000'"):
        local_server.server_settings({"PAPERTRAIL_PREFECT_PORT": "70000"})
    assert local_server.server_settings({"PAPERTRAIL_PREFECT_IDLE_TIMEOUT": "0"}).idle_limit is None
    assert local_server.server_settings({}).idle_limit == 900


def test_server_settings_are_documented_and_known() -> None:
    """Every PAPERTRAIL_PREFECT_* variable is in docs/settings.md and not warned about."""
    from papertrail.cli import unknown_variable_warnings
    from papertrail.settings import SERVER_PREFIX, ServerSettings

    doc = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    names = [SERVER_PREFIX + name.upper() for name in ServerSettings.model_fields]
    assert all(f"`{name}`" in doc for name in names)
    assert unknown_variable_warnings(dict.fromkeys(names, "1")) == []
    assert (
        local_server.server_settings({"PAPERTRAIL_PREFECT_WARM_RUNNER": "off"}).warm_runner is False
    )


def test_the_test_suite_never_starts_a_background_server() -> None:
    """conftest makes the embedded server the default for tests and their subprocesses."""
    assert local_server.server_mode() == "ephemeral"


UI_LINE = re.compile(
    r"prefect: ingest run '[\w-]+' reports to (http://127\.0\.0\.1:\d+/api); "
    r"UI: http://127\.0\.0\.1:\d+/runs/flow-run/([0-9a-f-]{36})"
)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_background_server_is_started_announced_reused_by_the_warm_runner_and_stops_idle(
    page_server: PageServer, run_env: dict[str, str], tmp_path: Path
) -> None:
    home = tmp_path / "prefect-home"
    home.mkdir()
    env = dict(
        run_env,
        PREFECT_HOME=str(home),
        PAPERTRAIL_PREFECT_SERVER="background",
        PAPERTRAIL_PREFECT_IDLE_TIMEOUT="20",
    )
    env.pop("PAPERTRAIL_PREFECT_REUSE", None)
    url = page_server.url("/roundup.html")

    def ingest(out: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [PYTHON, "-m", "flows.ingest", url, "--no-enrich", "--json", "--out", out],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    try:
        first = ingest(str(tmp_path / "out1"))
        assert first.returncode == 0, first.stderr[-3000:]
        assert "starting a local Prefect server" in first.stderr
        state = json.loads((home / local_server.STATE_FILE).read_text())
        assert Path(state["home"]) == home.resolve()
        match = UI_LINE.search(first.stderr)
        assert match, first.stderr
        assert match.group(1) == f"http://127.0.0.1:{state['port']}/api"
        with urllib.request.urlopen(f"{match.group(1)}/flow_runs/{match.group(2)}") as resp:
            assert json.load(resp)["state_type"] == "COMPLETED"  # the run went there

        second = ingest(str(tmp_path / "out2"))
        assert second.returncode == 0, second.stderr[-3000:]
        assert "starting" not in second.stderr
        assert UI_LINE.search(second.stderr), second.stderr
        assert json.loads((home / local_server.STATE_FILE).read_text())["pid"] == state["pid"]

        log = (home / local_server.LOG_FILE).read_text(errors="replace")
        assert "warm runner: command started" in log, "the second run went to the runner"
        other = dict(env, PREFECT_LOGGING_LEVEL="ERROR")  # Prefect configured differently:
        third = subprocess.run(  # runs in its own process, still reports to the server
            [PYTHON, "-m", "flows.ingest", url, "--no-enrich", "--json", "--out",
             str(tmp_path / "out3")], cwd=ROOT, env=other, capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip
        assert third.returncode == 0, third.stderr[-3000:]
        assert UI_LINE.search(third.stderr), third.stderr

        status = subprocess.run(
            [PYTHON, "-m", "flows.server", "status"], cwd=ROOT, env=env, capture_output=True,
            text=True, timeout=60,
        )  # fmt: skip
        assert status.returncode == 0 and "stops by itself" in status.stdout, status.stdout
        assert "warm runner: ready" in status.stdout, status.stdout

        # idle: nothing uses it any more, so it stops by itself (generous wait)
        deadline = time.monotonic() + 240
        while local_server.process_alive(state["pid"]) and time.monotonic() < deadline:
            time.sleep(2)
        assert not local_server.process_alive(state["pid"]), "still up long after idle time"
        assert not (home / local_server.STATE_FILE).exists()
    finally:
        subprocess.run(
            [PYTHON, "-m", "flows.server", "stop"], cwd=ROOT, env=env, timeout=90,
            capture_output=True,
        )  # fmt: skip


def test_warm_runner_is_skipped_when_it_could_differ(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The runner is used only for a command that would behave the same in its own
    process: same Prefect configuration, an API URL that is ours, a socket to talk to."""
    from flows import warm_runner

    url = "http://127.0.0.1:9/api"
    base = warm_runner.config_fingerprint(os.environ, Path.cwd(), home)
    other = warm_runner.config_fingerprint(
        {**os.environ, "PREFECT_LOGGING_LEVEL": "DEBUG"}, Path.cwd(), home
    )
    assert base != other, "a PREFECT_* variable changes what Prefect read at import"
    assert warm_runner.try_run(["x"], url, home) is None  # no socket: run in-process
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:8/api")
    warm_runner.socket_path(home).touch()
    assert warm_runner.try_run(["x"], url, home) is None  # another API configured
    monkeypatch.delenv("PREFECT_API_URL")
    monkeypatch.setenv("PAPERTRAIL_PREFECT_WARM_RUNNER", "0")
    assert warm_runner.try_run(["x"], url, home) is None  # turned off
    monkeypatch.delenv("PAPERTRAIL_PREFECT_WARM_RUNNER")
    assert warm_runner.try_run(["x"], url, home) is None  # a socket nobody listens on


def test_a_deep_prefect_home_gets_a_short_private_socket(tmp_path: Path) -> None:
    """A UNIX socket address holds about 100 bytes: a deep PREFECT_HOME must not stop the
    warm runner from binding ("AF_UNIX path too long")."""
    import socket
    import stat

    from flows import warm_runner

    deep = tmp_path.joinpath(*["a-rather-long-directory-name"] * 6)
    path = warm_runner.socket_path(deep)
    assert len(os.fsencode(path)) <= warm_runner.MAX_SOCKET_PATH
    assert path == warm_runner.socket_path(deep) != warm_runner.socket_path(deep / "x")
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(str(path.with_name(f"{path.name}.{os.getpid()}")))
    path.with_name(f"{path.name}.{os.getpid()}").unlink()
    shallow = Path("/home/me/.prefect")
    assert warm_runner.socket_path(shallow) == shallow / warm_runner.SOCKET_FILE

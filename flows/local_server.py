"""papertrail's private local Prefect server: start, find, own, stop (``flows.server``).

Prefect's embedded default starts a temporary API server on every CLI call (its cost:
bench/README.md, "Latency of one command") and forgets its history at exit. So the first
``python -m flows.ingest`` run on a ``PREFECT_HOME`` starts a *private* local server in
the background and says so; later runs report to it until it has been idle for
``PAPERTRAIL_PREFECT_IDLE_TIMEOUT`` seconds (default 900), when it stops itself.
Imported by ``flows/__init__`` before Prefect, so it imports nothing heavier than
pydantic (which Prefect imports anyway). The rules are in ``docs/performance.md``
("The local server").
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from papertrail.cli import describe_settings_error
from papertrail.settings import SERVER_PREFIX, ServerSettings

HOST = "127.0.0.1"
STATE_FILE = "papertrail-server.json"
ACTIVITY_FILE = "papertrail-server.activity"
LOCK_FILE = "papertrail-server.lock"
LOG_FILE = "papertrail-server.log"
START_WAIT = 180.0

Mode = Literal["background", "ephemeral"]


class ServerSettingError(ValueError):
    """A PAPERTRAIL_PREFECT_* variable has a value we cannot use (named in the message)."""


def api_url(port: int) -> str:
    return f"http://{HOST}:{port}/api"


def prefect_home() -> Path:
    """The ``PREFECT_HOME`` this process uses (Prefect's default ``~/.prefect``)."""
    return Path(os.environ.get("PREFECT_HOME") or "~/.prefect").expanduser().resolve()


def server_settings(env: Mapping[str, str] | None = None) -> ServerSettings:
    """The ``PAPERTRAIL_PREFECT_*`` settings (docs/settings.md), or ServerSettingError."""
    try:
        return ServerSettings.from_env(env)
    except ValidationError as exc:
        raise ServerSettingError(describe_settings_error(exc, prefix=SERVER_PREFIX)) from None


def server_mode(env: Mapping[str, str] | None = None) -> Mode:
    """``background`` (the default) or ``ephemeral`` (CI, tests, or asked for)."""
    return server_settings(env).mode(env)


@dataclass(frozen=True)
class ServerState:
    """What ``papertrail-server.json`` records about the server papertrail started."""

    pid: int  # the supervising process (its process group holds the Prefect server)
    port: int
    home: str
    started: float
    idle_timeout: float | None
    log: str

    @property
    def url(self) -> str:
        return api_url(self.port)

    @property
    def ui_url(self) -> str:
        return f"http://{HOST}:{self.port}"


def state_path(home: Path | None = None) -> Path:
    return (home or prefect_home()) / STATE_FILE


def read_state(home: Path | None = None) -> ServerState | None:
    """The state file of ``home``, or None when it is missing or unreadable."""
    try:
        data = json.loads(state_path(home).read_text(encoding="utf-8"))
        return ServerState(**data)
    except (OSError, ValueError, TypeError):
        return None


def write_state(state: ServerState) -> None:
    path = state_path(Path(state.home))
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(state)), encoding="utf-8")
    tmp.replace(path)


def process_alive(pid: int) -> bool:
    """True for a live process of this user (another user's pid is not ours)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def healthy(url: str, timeout: float = 1.0) -> bool:
    """True when a Prefect API answers at ``url`` (loopback only, so this is cheap)."""
    try:
        with urllib.request.urlopen(url + "/health", timeout=timeout) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def owned_server(home: Path | None = None) -> ServerState | None:
    """The server papertrail started for ``home``, if it is alive and answering.

    A state file written for another home (copied, or a home moved) is ignored, and so is
    one whose process is gone or belongs to someone else.
    """
    home = home or prefect_home()
    state = read_state(home)
    if state is None or Path(state.home) != home:
        return None
    if not process_alive(state.pid) or not healthy(state.url):
        return None
    return state


def touch_activity(home: Path | None = None) -> None:
    """Tell the background server a papertrail process is using it (resets its idle clock)."""
    with suppress(OSError):
        (home or prefect_home()).joinpath(ACTIVITY_FILE).touch()


def last_activity(home: Path, since: float) -> float:
    try:
        return max(since, (home / ACTIVITY_FILE).stat().st_mtime)
    except OSError:
        return since


_keepalive_started = threading.Event()
#: The API URL this process attached to (announce_run tells it from an embedded one).
_attached: list[str] = []


def keep_alive(home: Path) -> None:
    """Touch the activity file while this process lives: a long run is not idle time."""
    if _keepalive_started.is_set():
        return
    _keepalive_started.set()
    touch_activity(home)
    state = read_state(home)
    idle = state.idle_timeout if state else None
    every = max(1.0, min(30.0, idle / 3)) if idle else 30.0

    def loop() -> None:
        while True:
            time.sleep(every)
            touch_activity(home)

    threading.Thread(target=loop, name="papertrail-server-keepalive", daemon=True).start()


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def launch(
    port: int, env: Mapping[str, str], log: Path, *, new_session: bool = True
) -> subprocess.Popen[bytes]:
    """Start ``prefect server start`` on 127.0.0.1:``port``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in env.items() if k != "PREFECT_API_URL"}
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", HOST,
             "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
            start_new_session=new_session,
        )  # fmt: skip


def wait_until_healthy(url: str, alive: Callable[[], bool], wait: float, log: Path | str) -> None:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if healthy(url):
            return
        if not alive():
            raise RuntimeError(f"the Prefect server stopped while starting; see {log}")
        time.sleep(0.25)
    raise RuntimeError(f"the Prefect server did not answer within {wait:.0f} s; see {log}")


@contextmanager
def _home_lock(home: Path) -> Iterator[None]:
    """One starter per home: two first runs at once share one server."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / LOCK_FILE, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_server(
    idle: float | None,
    say: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True),
    wait: float = START_WAIT,
) -> ServerState:
    """The server papertrail keeps for this ``PREFECT_HOME``, started in the background if
    there is none (saying so through ``say``). This process keeps it from idling out."""
    home = prefect_home()
    with _home_lock(home):
        state = owned_server(home)
        if state is None:
            state = _start(home, idle, say, wait)
    keep_alive(home)
    return state


def _start(home: Path, idle: float | None, say: Callable[[str], None], wait: float) -> ServerState:
    port = server_settings().port or free_port()
    log = home / LOG_FILE
    stops = f"stops after {idle:.0f} s idle" if idle else "keeps running"
    say(
        f"papertrail: starting a local Prefect server for PREFECT_HOME={home} on "
        f"{HOST}:{port}, once (it {stops}; python -m flows.server status|stop)"
    )
    cmd = [sys.executable, "-m", "flows.server", "supervise", "--port", str(port),
           "--idle", str(idle or 0)]  # fmt: skip
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"},
        )  # fmt: skip
    wait_until_healthy(api_url(port), lambda: proc.poll() is None, wait, log)
    deadline = time.monotonic() + 10
    while (state := read_state(home)) is None or state.pid != proc.pid:
        if time.monotonic() > deadline:
            raise RuntimeError(f"papertrail's server did not write {state_path(home)}")
        time.sleep(0.1)
    return state


def supervise(port: int, idle: float | None, check_every: float | None = None) -> int:
    """Run ``prefect server start`` (and the warm runner) and stop them after ``idle``
    seconds without activity.

    This process leads its own process group (the server and the runner are in it),
    writes the state file once the server answers, and removes it when the server stops
    for any reason.
    """
    home = prefect_home()
    log = home / LOG_FILE
    started = time.time()
    server = launch(port, os.environ, log, new_session=False)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    state = ServerState(os.getpid(), port, str(home), started, idle, str(log))
    runner: subprocess.Popen[bytes] | None = None
    try:
        wait_until_healthy(state.url, lambda: server.poll() is None, START_WAIT, log)
        write_state(state)
        touch_activity(home)
        period = check_every or (min(10.0, max(1.0, idle / 10)) if idle else 10.0)
        runner_started, runner_failures = 0.0, 0
        while True:
            if runner_failures < 3 and (runner is None or runner.poll() is not None):
                if runner is not None and time.monotonic() - runner_started < 60:
                    runner_failures += 1  # died young: after 3, commands run in-process
                runner, runner_started = _launch_runner(home, state.url, log), time.monotonic()
            if stopping.wait(period):
                break
            if server.poll() is not None:
                print(f"prefect server exited with {server.returncode}", flush=True)
                return 1
            quiet_for = time.time() - last_activity(home, started)
            if idle and quiet_for >= idle:
                print(f"idle for {quiet_for:.0f} s: stopping", flush=True)
                break
        return 0
    finally:
        current = read_state(home)
        if current is not None and current.pid == os.getpid():
            with suppress(OSError):
                state_path(home).unlink()
        if runner is not None and runner.poll() is None:
            runner.terminate()
        _stop_child(server)


def _launch_runner(home: Path, url: str, log: Path) -> subprocess.Popen[bytes] | None:
    """The warm runner (``flows.warm_runner``), unless turned off."""
    from . import warm_runner

    if not warm_runner.enabled():
        return None
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "flows.warm_runner", "--home", str(home), "--api-url", url],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, "PREFECT_API_URL": url},
        )  # fmt: skip


def _stop_child(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
    # uvicorn and service processes the Prefect CLI started share our process group
    if os.getpgid(0) == os.getpid():  # only when we lead the group (started detached)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(os.getpid(), signal.SIGTERM)


@contextmanager
def temporary_server(
    env: Mapping[str, str], log: Path, wait: float = START_WAIT
) -> Iterator[tuple[str, int]]:
    """A server on a free loopback port for the duration (tests, benchmarks): (url, pid)."""
    port = free_port()
    url = api_url(port)
    proc = launch(port, env, log)
    try:
        wait_until_healthy(url, lambda: proc.poll() is None, wait, log)
        yield url, proc.pid
    finally:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


def use_running_server() -> str | None:
    """Point this process at papertrail's server for this home, if it is up.

    Called on importing ``flows``, before Prefect is imported (Prefect reads
    ``PREFECT_API_URL`` then). A configured ``PREFECT_API_URL`` always wins; in
    ephemeral mode nothing is attached. Never starts anything.
    """
    if os.environ.get("PREFECT_API_URL"):
        return None
    try:
        if server_mode() == "ephemeral" or _api_maybe_configured():
            return None  # a profile or project file may name an API: Prefect decides
    except ServerSettingError:
        return None  # the CLI reports it
    state = owned_server()
    if state is None:
        return None
    os.environ["PREFECT_API_URL"] = state.url
    _attached.append(state.url)
    return state.url


def _api_maybe_configured() -> bool:
    """A Prefect API may be configured somewhere other than the environment (a profile,
    ``prefect.toml``, ``.env``): then nothing is started before Prefect has said."""
    if os.environ.get("PREFECT_API_URL") or os.environ.get("PREFECT_PROFILE"):
        return True
    for path in (prefect_home() / "profiles.toml", Path(".env"), Path("prefect.toml"),
                 Path("pyproject.toml")):  # fmt: skip
        with suppress(OSError, UnicodeDecodeError):
            text = path.read_text(encoding="utf-8")
            if "PREFECT_API_URL" in text or re.search(r"^\s*\[(tool\.prefect\.)?api\]", text, re.M):
                return True
    return False


class EarlyStart:
    """``ensure_server`` in a thread, so the server starts while the caller imports Prefect
    (about 2 s of a cold run)."""

    def __init__(self, idle: float | None) -> None:
        self._state: ServerState | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(idle,), daemon=True)
        self._thread.start()

    def _run(self, idle: float | None) -> None:
        try:
            self._state = ensure_server(idle)
        except BaseException as exc:  # handed to the caller in result()
            self._error = exc

    def result(self) -> ServerState:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._state is not None
        return self._state


def start_early(keep_server: bool = False) -> EarlyStart | None:
    """Start papertrail's server for this home now, if this run will want it (stdlib only).

    Raises :class:`ServerSettingError` for a bad ``PAPERTRAIL_PREFECT_*`` value.
    """
    config = server_settings()
    if _api_maybe_configured() or (config.mode() == "ephemeral" and not keep_server):
        return None
    return EarlyStart(None if keep_server else config.idle_limit)


@contextmanager
def prefect_api(keep_server: bool = False, early: EarlyStart | None = None) -> Iterator[str | None]:
    """The Prefect API a CLI run reports to, for the duration: the configured one if any;
    else papertrail's server for this home (``early``, or started now); else (ephemeral
    mode) None: Prefect's embedded server for this run only.

    ``keep_server`` starts a server with no idle exit, even in ephemeral mode.
    """
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    configured = get_current_settings().api.url
    if configured:
        yield configured
        return
    if early is None and not keep_server and server_mode() == "ephemeral":
        yield None
        return
    try:
        state = (
            early.result()
            if early
            else ensure_server(None if keep_server else server_settings().idle_limit)
        )
    except (RuntimeError, OSError) as exc:  # a run must not fail for want of a UI
        print(f"papertrail: no local Prefect server ({exc}); this run uses Prefect's "
              "temporary embedded server", file=sys.stderr, flush=True)  # fmt: skip
        yield None
        return
    _attached.append(state.url)
    with temporary_settings(updates={PREFECT_API_URL: state.url}):
        yield state.url


def announce_run() -> None:
    """One line on stderr, from inside a flow run: the API it reports to and its UI page."""
    from prefect.context import FlowRunContext
    from prefect.settings import get_current_settings

    ctx = FlowRunContext.get()
    if ctx is None or ctx.flow is None or ctx.flow_run is None:
        return
    if ctx.flow_run.parent_task_run_id:
        return  # subflows report where their parent does
    settings = get_current_settings()
    api = settings.api.url
    run = f"prefect: {ctx.flow.name} run {ctx.flow_run.name!r}"
    if api and api not in (os.environ.get("PREFECT_API_URL"), *_attached):
        api = None  # the embedded server Prefect started for this process
    if not api:
        line = f"{run} on Prefect's temporary embedded server (no UI; history is lost at exit)"
    else:
        ui = (settings.ui_url or api.removesuffix("/api")).rstrip("/")
        line = f"{run} reports to {api}; UI: {ui}/runs/flow-run/{ctx.flow_run.id}"
        if api in _attached:
            keep_alive(prefect_home())  # a long run of ours is not idle time
    print(line, file=sys.stderr, flush=True)


def stop(home: Path | None = None, wait: float = 60.0) -> bool:
    """Stop the server papertrail started for this home; False when there is none."""
    home = home or prefect_home()
    state = read_state(home)
    if state is None or Path(state.home) != home or not process_alive(state.pid):
        with suppress(OSError):
            state_path(home).unlink()
        return False
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(state.pid, signal.SIGTERM)
    deadline = time.monotonic() + wait
    while process_alive(state.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    return True


def describe(home: Path | None = None) -> tuple[bool, str]:
    """(up, one paragraph) for ``status``."""
    home = home or prefect_home()
    state = read_state(home)
    if state is None or Path(state.home) != home:
        return False, f"no papertrail server for PREFECT_HOME={home}"
    if not process_alive(state.pid):
        return False, f"no papertrail server for PREFECT_HOME={home} (stale state file)"
    up = healthy(state.url)
    lines = [
        f"{state.url}: {'up' if up else 'not answering'} (pid {state.pid}, "
        f"PREFECT_HOME={state.home})",
        f"  UI: {state.ui_url}   log: {state.log}",
    ]
    if state.idle_timeout:
        quiet = time.time() - last_activity(home, state.started)
        left = max(0.0, state.idle_timeout - quiet)
        lines.append(
            f"  stops by itself after {state.idle_timeout:.0f} s idle: idle for {quiet:.0f} s, "
            f"about {left:.0f} s left"
        )
    else:
        lines.append("  kept up until python -m flows.server stop")
    from . import warm_runner

    try:
        runner: Path | None = warm_runner.socket_path(home)
    except OSError:  # its directory is not private: no runner could have bound there
        runner = None
    ready = runner is not None and runner.exists()
    lines.append(f"  warm runner: {f'ready at {runner}' if ready else 'not running'}")
    return up, "\n".join(lines)

"""``python -m flows.server start|stop|status``: a local Prefect API server to keep up.

The embedded default starts a temporary API server on every CLI call (about 9 s here)
and throws its history away at exit. A server kept up between runs makes each
``python -m flows.ingest`` pay only the client start-up, keeps run history, and is what
schedules need (an ephemeral server refuses them). SQLite under ``$PREFECT_HOME``; bound
to 127.0.0.1. The CLIs find it on their own (:func:`use_running_server`).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

from papertrail import cli

HOST = "127.0.0.1"
DEFAULT_PORT = 4200


def _port() -> int:
    return int(os.environ.get("PAPERTRAIL_PREFECT_PORT", DEFAULT_PORT))


def api_url(port: int | None = None) -> str:
    return f"http://{HOST}:{port or _port()}/api"


def _state_dir() -> Path:
    home = os.environ.get("PREFECT_HOME") or str(Path.home() / ".prefect")
    return Path(home)


def pid_file() -> Path:
    return _state_dir() / "papertrail-server.pid"


def healthy(url: str | None = None, timeout: float = 0.5) -> bool:
    """True when a Prefect API answers at ``url`` (loopback only, so this is cheap)."""
    try:
        with urllib.request.urlopen((url or api_url()) + "/health", timeout=timeout) as resp:
            return resp.status == 200
    except OSError:
        return False


def use_running_server() -> str | None:
    """Point this process at a local server if one is up and no API URL is configured.

    Called before Prefect is imported. Set ``PAPERTRAIL_PREFECT_REUSE=0`` to always use
    the embedded ephemeral server.
    """
    if os.environ.get("PREFECT_API_URL") or os.environ.get("PAPERTRAIL_PREFECT_REUSE") == "0":
        return None
    url = api_url()
    if healthy(url, timeout=0.3):
        os.environ["PREFECT_API_URL"] = url
        return url
    return None


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def launch(port: int, env: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start ``prefect server start`` on 127.0.0.1:``port`` in its own session."""
    log.parent.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in env.items() if k != "PREFECT_API_URL"}
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", HOST,
             "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
            start_new_session=True,
        )  # fmt: skip


def wait_until_healthy(url: str, proc: subprocess.Popen[bytes], wait: float, log: Path) -> None:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if healthy(url):
            return
        if proc.poll() is not None:
            raise RuntimeError(f"prefect server exited with {proc.returncode}; see {log}")
        time.sleep(0.5)
    raise RuntimeError(f"prefect server did not answer within {wait:.0f} s; see {log}")


def start(wait: float = 120.0) -> str:
    """The local server on ``PAPERTRAIL_PREFECT_PORT`` (4200), started if it is not up."""
    url = api_url()
    if healthy(url):
        return url
    log = _state_dir() / "papertrail-server.log"
    proc = launch(_port(), os.environ, log)
    pid_file().write_text(str(proc.pid))
    wait_until_healthy(url, proc, wait, log)
    return url


@contextmanager
def temporary_server(
    env: Mapping[str, str], log: Path, wait: float = 180.0
) -> Iterator[tuple[str, int]]:
    """A server on a free loopback port for the duration (tests, benchmarks): (url, pid)."""
    port = free_port()
    url = api_url(port)
    proc = launch(port, env, log)
    try:
        wait_until_healthy(url, proc, wait, log)
        yield url, proc.pid
    finally:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


def stop() -> bool:
    path = pid_file()
    if not path.exists():
        return False
    pid = int(path.read_text().strip() or 0)
    path.unlink()
    try:
        os.killpg(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        return False
    for _ in range(100):
        if not healthy():
            break
        time.sleep(0.1)
    return True


def main(argv: list[str] | None = None) -> int:
    return cli.run(lambda: _main(argv))


def _main(argv: list[str] | None) -> int:
    parser = cli.parser("python -m flows.server", __doc__)
    parser.add_argument("action", choices=["start", "stop", "status"])
    args = parser.parse_args(argv)
    if args.action == "start":
        url = start()
        print(f"Prefect API up at {url} (export PREFECT_API_URL={url} for other tools)")
    elif args.action == "stop":
        print("stopped" if stop() else "no server started by papertrail")
    else:
        up = healthy()
        print(f"{api_url()}: {'up' if up else 'down'}")
        return 0 if up else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

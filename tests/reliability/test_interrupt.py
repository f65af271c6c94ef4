"""Ctrl-C or SIGTERM on ``python -m flows.ingest`` while a page is in flight: the
command ends within seconds (status 130 or 143), leaves no process behind (Prefect's
embedded server included), and the next run writes the page it did not finish.

Before papertrail.interrupts, Ctrl-C waited for the stalled fetch and then, its embedded
server stopped by the same Ctrl-C, retried reporting the crash to it (about two
minutes); SIGTERM waited for the fetch (49 s) and left the embedded server running with
no parent.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ..conftest import PYTHON, ROOT, roundup_html
from .conftest import audit_store, ingest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]


class StallingSite:
    """One article whose response waits until :attr:`release` is set; :attr:`arrived` is
    set when a request for it comes in (robots.txt answers 404 at once)."""

    def __init__(self) -> None:
        self.arrived = threading.Event()
        self.release = threading.Event()
        site = self
        page = roundup_html().encode("utf-8")

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return

            def do_GET(self) -> None:
                if self.path == "/robots.txt":
                    self.send_error(404)
                    return
                site.arrived.set()
                site.release.wait(300)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/weekly.html"


@pytest.fixture()
def site() -> Iterator[StallingSite]:
    site = StallingSite()
    thread = threading.Thread(target=site.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.release.set()
        site.httpd.shutdown()
        site.httpd.server_close()


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize(
    ("how", "status", "said"),
    [
        ("ctrl-c", 130, "papertrail: stopping"),  # a terminal: SIGINT to the whole group
        ("kill", 143, "terminated"),  # kill PID, a service manager, a CI time limit
    ],
)
def test_a_signal_ends_a_run_at_once_and_the_next_run_finishes_it(
    site: StallingSite,
    run_env: dict[str, str],
    prefect_server: str,
    how: str,
    status: int,
    said: str,
) -> None:
    env = dict(run_env, PAPERTRAIL_ENRICH="false", PAPERTRAIL_FETCH_TIMEOUT="250")
    proc = subprocess.Popen(
        [PYTHON, "-m", "flows.ingest", site.url],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,  # a terminal's foreground job: Ctrl-C reaches the group
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    try:
        assert site.arrived.wait(240), "the page was never requested"
        if how == "ctrl-c":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            os.kill(proc.pid, signal.SIGTERM)
        _, stderr = proc.communicate(timeout=90)  # it took about two minutes before
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == status, stderr[-2000:]
    assert said in stderr
    # the embedded server and the cleaning workers go too (SIGTERM used to leave the
    # server running with no parent)
    deadline = time.monotonic() + 60
    while group_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not group_alive(proc.pid), "a process of the stopped run is still running"

    site.release.set()  # the page answers now: the next run writes it
    again = ingest(dict(env, PREFECT_API_URL=prefect_server), site.url)  # no server start
    assert again.returncode == 0, again.stderr[-2000:]
    audit = audit_store(Path(env["PAPERTRAIL_DATA_DIR"]) / "clean")
    assert len(audit.current_for(site.url)) == 1

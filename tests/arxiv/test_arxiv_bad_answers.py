"""An arXiv API (or a proxy in front of it) whose answer httpx cannot read as a response:
a redirect loop, a redirect to a target it cannot follow, a body its Content-Encoding
does not describe, a body that never ends. Each used to escape ``get_papers`` (which
promises never to raise for API trouble) and take the whole batch down with it; the
endless body first filled memory (4.8 GB in two tries of 10 s on loopback)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from papertrail.arxiv.transport import MAX_ANSWER_BYTES
from papertrail.session import Session
from papertrail.settings import Settings

pytestmark = pytest.mark.timeout(120)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CHUNK = b"<!-- " + b"x" * (1024 * 1024) + b" -->"


@contextmanager
def bad_api() -> Iterator[tuple[str, dict[str, int], dict[str, int]]]:
    """Loopback API misbehaving by path; counts requests and body bytes per path."""
    sent: dict[str, int] = {}
    hits: dict[str, int] = {}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            return

        def _count(self, n: int) -> None:
            with lock:
                key = self.path.split("?")[0]
                sent[key] = sent.get(key, 0) + n

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            self._count(0)
            with lock:
                hits[path] = hits.get(path, 0) + 1
            if path in {"/loop", "/js"}:
                self.send_response(302)
                self.send_header("Location", "/loop" if path == "/loop" else "javascript:x")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif path == "/gzip":
                body = b"<feed>not gzip</feed>"
                self.send_response(200)
                self.send_header("Content-Type", "application/atom+xml")
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:  # endless: a feed opening, then comments until the client hangs up
                self.send_response(200)
                self.send_header("Content-Type", "application/atom+xml")
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(b"<feed xmlns='http://www.w3.org/2005/Atom'>")
                try:
                    for _ in range(4 * MAX_ANSWER_BYTES // len(CHUNK)):
                        self.wfile.write(CHUNK)
                        self._count(len(CHUNK))
                except OSError:
                    pass
                self.close_connection = True

        do_POST = do_GET

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", sent, hits
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/loop", "arxiv_bad_answer"), ("/js", "arxiv_bad_answer"),
     ("/gzip", "arxiv_bad_answer"), ("/endless", "arxiv_too_large")],
)  # fmt: skip
def test_an_unreadable_api_answer_leaves_the_batch_pending_not_lost(
    tmp_path: Path, path: str, reason: str
) -> None:
    page = str(FIXTURES / "pages" / "roundup.html")
    with bad_api() as (base, sent, hits):
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            data_dir=tmp_path / "data",
            arxiv_api_url=base + path,
            arxiv_interval=0,
            arxiv_retries=2,
            arxiv_backoff=0.01,
            arxiv_timeout=60,
            resolve_titles=False,
            resolve_descriptions=False,
            process_workers=0,
        )
        session = Session(settings)
        try:
            summary = session.run([page])
        finally:
            session.close()
    assert summary.records_written == 1
    (shard,) = (tmp_path / "data" / "clean" / "articles").glob("*/*.jsonl")
    (record,) = [json.loads(line) for line in shard.read_text(encoding="utf-8").splitlines()]
    assert record["enrichment"] == "pending" and record["papers"] == []
    assert len(record["arxiv"]) == 4  # the ids stay, for flows.enrich to complete
    assert [(e["stage"], e["reason"]) for e in record["errors"]] == [("enrich", reason)]
    if path == "/endless":
        assert sent[path] <= MAX_ANSWER_BYTES + 8 * len(CHUNK)  # refused, not read to the end
    if path != "/loop":  # (a loop is one request per hop)
        assert hits[path] == 1, "no use asking again at once"

"""Skip unchanged pages: conditional GET answered 304, same content hash, and a new
extractor version re-cleaning from the archive without touching the network."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from papertrail.document import Document
from papertrail.errors import FetchError
from papertrail.fetch import Fetcher, Ledger, RawArchive
from papertrail.record import StageError
from papertrail.settings import Settings
from papertrail.testing.hostile import HostileServer

SettingsFactory = Callable[..., Settings]
pytestmark = pytest.mark.timeout(30)


def _fetch(settings: Settings, url: str, version: str = "v1", *, commit: bool = True) -> Document:
    """Fetch once; ``commit`` stands for the batch's shard being committed (Session.write
    confirms the ledger only then)."""
    with Fetcher(settings, extractor_version=version) as fetcher:
        doc = fetcher.fetch(Document(url=url))
        if commit:
            fetcher.confirm([doc])
        return doc


def _captures(settings: Settings) -> int:
    with RawArchive(settings.raw_path) as archive:
        return len(archive)


def test_conditional_get_304_makes_no_new_record(
    server: HostileServer, make_settings: SettingsFactory
) -> None:
    settings = make_settings()
    url = server.url("/etag/a")
    first = _fetch(settings, url)
    assert first.status == 200 and first.skipped is None
    second = _fetch(settings, url)
    assert second.status == 304
    assert second.skipped == "unchanged"
    assert second.raw is None
    requests = server.requests("/etag/a")
    assert len(requests) == 2
    assert "If-None-Match" not in requests[0].headers
    assert requests[1].headers["If-None-Match"] == '"a-v1"'
    assert requests[1].headers["If-Modified-Since"]
    assert _captures(settings) == 1
    with Ledger(settings.ledger_file) as ledger:
        entry = ledger.get(url)
    assert entry is not None and entry.outcome == "unchanged" and entry.etag == '"a-v1"'


def test_changed_page_is_fetched_and_archived_again(
    server: HostileServer, make_settings: SettingsFactory
) -> None:
    settings = make_settings()
    url = server.url("/etag/b")
    _fetch(settings, url)
    server.set_version("b", 2)
    doc = _fetch(settings, url)
    assert doc.status == 200 and doc.skipped is None
    assert b"etag b v2" in (doc.raw or b"")
    assert _captures(settings) == 2


def test_same_hash_without_validators_is_unchanged(
    server: HostileServer, make_settings: SettingsFactory
) -> None:
    settings = make_settings()
    url = server.url("/page/no-etag")
    assert _fetch(settings, url).skipped is None
    again = _fetch(settings, url)
    assert again.status == 200 and again.skipped == "unchanged"
    assert _captures(settings) == 1


def test_new_extractor_version_reloads_from_archive_without_network(
    server: HostileServer, make_settings: SettingsFactory
) -> None:
    settings = make_settings()
    url = server.url("/etag/c")
    first = _fetch(settings, url, version="v1")
    n = len(server.log)
    again = _fetch(settings, url, version="v2")
    assert len(server.log) == n  # not a single request, not even robots.txt
    assert again.skipped is None
    assert (again.raw, again.status, again.headers, again.final_url, again.content_type) == (
        first.raw,
        first.status,
        first.headers,
        first.final_url,
        first.content_type,
    )
    # and with v2 recorded, the next run is a plain conditional GET again
    assert _fetch(settings, url, version="v2").skipped == "unchanged"


def test_failure_is_recorded_and_keeps_validators(
    server: HostileServer, make_settings: SettingsFactory
) -> None:
    settings = make_settings(fetch_retries=0)
    url = server.url("/etag/d")
    _fetch(settings, url)
    with Ledger(settings.ledger_file) as ledger:
        ledger.record_failure(url, url=url, reason="http_500")
        entry = ledger.get(url)
    assert entry is not None and entry.outcome == "failed:http_500" and entry.etag == '"d-v1"'
    # after a failure the page is fetched in full again, not conditionally
    assert _fetch(settings, url).status == 200


def test_failed_fetch_lands_in_ledger(
    server: HostileServer, make_settings: SettingsFactory
) -> None:
    settings = make_settings(fetch_retries=0)
    url = server.url("/status/404")
    with pytest.raises(FetchError):
        _fetch(settings, url)
    with Ledger(settings.ledger_file) as ledger:
        entry = ledger.get(url)
    assert entry is not None and entry.outcome == "failed:http_404"


def test_skip_unchanged_off_always_fetches(
    server: HostileServer, make_settings: SettingsFactory
) -> None:
    settings = make_settings(skip_unchanged=False)
    url = server.url("/etag/e")
    _fetch(settings, url)
    doc = _fetch(settings, url)
    assert doc.status == 200 and doc.skipped is None
    assert not settings.ledger_file.exists()


def test_page_whose_record_was_not_committed_is_fetched_again(
    server: HostileServer, make_settings: SettingsFactory
) -> None:
    """Killed between fetch and commit: the ledger must not count the page as done."""
    settings = make_settings()
    url = server.url("/etag/f")
    _fetch(settings, url, commit=False)
    with Ledger(settings.ledger_file) as ledger:
        entry = ledger.get(url)
    assert entry is not None and entry.outcome == "pending:ok" and not entry.succeeded
    again = _fetch(settings, url)
    assert again.status == 200 and again.skipped is None and again.raw
    assert "If-None-Match" not in server.requests("/etag/f")[-1].headers
    assert _fetch(settings, url).skipped == "unchanged"  # committed now: a 304 next time


def test_a_page_that_failed_after_fetching_is_refetched_next_run(
    server: HostileServer, make_settings: SettingsFactory
) -> None:
    settings = make_settings()
    url = server.url("/etag/f")
    with Fetcher(settings, extractor_version="v1") as fetcher:
        doc = fetcher.fetch(Document(url=url))
        doc.errors.append(
            StageError(stage="clean", reason="time_limit", message="the cleaner failed downstream")
        )
        fetcher.confirm([doc])  # the batch was committed, this page as a failure
    again = _fetch(settings, url)
    assert again.status == 200 and again.skipped is None
    assert "If-None-Match" not in server.requests("/etag/f")[-1].headers


def test_duplicate_share_links_in_one_batch_are_deduplicated(
    server: HostileServer, make_settings: SettingsFactory
) -> None:
    """Two share links of one page (tracking parameters differ): the second is unchanged."""
    settings = make_settings()
    first = _fetch(settings, server.url("/page/dup?utm_source=a"))
    second = _fetch(settings, server.url("/page/dup?from=timeline"))
    assert first.skipped is None and second.skipped == "unchanged"


def test_last_modified_alone_gives_304(
    server: HostileServer, make_settings: SettingsFactory
) -> None:
    settings = make_settings()
    url = server.url("/lastmod/a")
    assert _fetch(settings, url).status == 200
    again = _fetch(settings, url)
    assert (again.status, again.skipped) == (304, "unchanged")
    last = server.requests("/lastmod/a")[-1]
    assert "If-None-Match" not in last.headers and last.headers["If-Modified-Since"]
    server.set_version("a", 2)
    assert _fetch(settings, url).skipped is None


def test_validators_holding_non_ascii_bytes_go_back_as_sent(
    make_settings: Callable[..., Settings],
) -> None:
    """A server whose ETag holds UTF-8 bytes (one made from a Chinese file name) and
    whose Last-Modified is localised: the first run was fine, the next conditional GET
    failed before it was sent (httpx encodes header values as ASCII), so the page failed
    every other run. The validators now go back byte for byte, and the server's 304
    makes the page unchanged."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from pathlib import Path

    from papertrail.session import Session

    etag = 'W/"论文周报-15"'.encode()
    modified = "星期一, 15 4月 2024".encode()
    html = (Path(__file__).parents[1] / "fixtures" / "pages" / "roundup.html").read_bytes()
    seen: list[tuple[bytes | None, bytes | None]] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            return

        def do_GET(self) -> None:
            if self.path == "/robots.txt":
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            raw = {k.lower(): v.encode("latin-1") for k, v in self.headers.items()}
            seen.append((raw.get("if-none-match"), raw.get("if-modified-since")))
            fresh = raw.get("if-none-match") == etag
            body = b"" if fresh else html
            self.send_response(304 if fresh else 200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("ETag", etag.decode("latin-1"))  # the bytes as they are
            self.send_header("Last-Modified", modified.decode("latin-1"))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/weekly.html"
    summaries = []
    try:
        for _ in range(3):
            session = Session(make_settings(enrich=False, process_workers=0))
            try:
                summaries.append(session.run([url]))
            finally:
                session.close()
    finally:
        server.shutdown()
        server.server_close()
    assert [(s.pages, s.unchanged, s.failed) for s in summaries] == [
        (1, 0, 0),
        (0, 1, 0),
        (0, 1, 0),
    ]
    assert seen == [(None, None), (etag, modified), (etag, modified)]

"""Every misbehaviour ends in a fetched document or a recorded failure with a clear
reason, and the rest of the batch goes on."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from papertrail.decode import decode
from papertrail.document import Document
from papertrail.errors import FetchError
from papertrail.fetch import Fetcher
from papertrail.record import StageError
from papertrail.settings import Settings
from papertrail.testing.hostile import HostileServer, charset_text

SettingsFactory = Callable[..., Settings]

pytestmark = pytest.mark.timeout(60)

# path -> expected failure reason (None: fetched)
CASES: dict[str, str | None] = {
    "/page/plain": None,
    "/gzip/zipped": None,
    "/text/plain": None,
    "/slow?delay=30": "timeout",  # silent past fetch_timeout
    "/trickle?chunks=300&interval=0.1": "timeout",  # 30 s of body: past fetch_deadline
    "/trickle-headers?interval=0.1": "timeout",  # headers alone take 30 s
    "/fail/a?times=1": None,
    "/fail/b?times=1&status=429&retry_after=0": None,
    "/fail/c?times=1&status=503": None,
    "/fail/d?times=99": "http_500",
    "/reset/a?times=1": None,
    "/reset/b?times=-1": "connection_error",
    "/endless": "too_large",
    "/bomb?mb=20": "decompression_bomb",
    "/redirect/loop/a": "redirect_loop",
    "/redirect/chain/2": None,
    "/redirect/chain/30": "too_many_redirects",
    "/redirect/to?location=http://169.254.169.254/latest/meta-data/": "blocked_address",
    "/redirect/to?location=ftp://example.org/x": "blocked_scheme",
    "/binary": "binary_content",
    "/pdf": "unsupported_content_type",
    "/status/404": "http_404",
    "/private/secret": "robots_disallowed",
}


def test_batch_of_misbehaviours(server: HostileServer, make_settings: SettingsFactory) -> None:
    # Timeouts far from the good pages' loopback answer (a busy machine is slow too)
    # and far from the bad routes' 30 s: the batch takes about 2 * fetch_timeout.
    settings = make_settings(
        fetch_timeout=4.0, fetch_deadline=8.0, fetch_retries=1, per_host_concurrency=8
    )
    # Hosts answering 429/503 are slowed down: give them their own host name so the
    # slowdown shows the rest of the batch is not held back by it.
    docs = [
        Document(url=server.url(path, host="localhost" if "status=" in path else None))
        for path in CASES
    ]
    with Fetcher(settings, extractor_version="v1") as fetcher:
        out = list(fetcher.fetch_many(docs))
    assert sorted(id(d) for d in out) == sorted(id(d) for d in docs)  # each exactly once
    for doc in out:
        path = "/" + doc.url.split("/", 3)[3]
        expected = CASES[path]
        if expected is None:
            assert not doc.errors, (path, doc.errors)
            assert doc.status == 200 and doc.raw, path
        else:
            assert [e.reason for e in doc.errors] == [expected], (path, doc.errors)
            assert doc.errors[0].stage == "fetch" and doc.errors[0].message
            assert doc.raw is None, path


def test_retries_are_bounded(server: HostileServer, make_settings: SettingsFactory) -> None:
    with Fetcher(make_settings(fetch_retries=3)) as fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch(Document(url=server.url("/fail/bounded?times=99")))
    assert info.value.reason == "http_500"
    assert len(server.requests("/fail/bounded")) == 4


def test_500_then_200_costs_two_requests(server: HostileServer, fetcher: Fetcher) -> None:
    doc = fetcher.fetch(Document(url=server.url("/fail/once?times=1")))
    assert doc.status == 200
    assert len(server.requests("/fail/once")) == 2


def test_4xx_is_not_retried(server: HostileServer, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError) as info:
        fetcher.fetch(Document(url=server.url("/status/410")))
    assert info.value.reason == "http_410"
    assert len(server.requests("/status/410")) == 1


def test_retry_after_is_honoured(server: HostileServer, fetcher: Fetcher) -> None:
    doc = fetcher.fetch(Document(url=server.url("/fail/ra?times=1&status=429&retry_after=1")))
    assert doc.status == 200
    first, second = server.requests("/fail/ra")
    assert second.time - first.time >= 1.0 - 0.25  # server-side log times carry jitter


def test_retry_after_too_long_gives_up_at_once(
    server: HostileServer, make_settings: SettingsFactory
) -> None:
    with Fetcher(make_settings(max_retry_after=5)) as fetcher, pytest.raises(FetchError) as info:
        fetcher.fetch(Document(url=server.url("/fail/long?times=1&status=503&retry_after=3600")))
    assert info.value.reason == "http_503"
    assert len(server.requests("/fail/long")) == 1


def test_429_slows_the_host_down(server: HostileServer, fetcher: Fetcher) -> None:
    host = "127.0.0.1"
    before = fetcher.gate.delay_for(host)
    fetcher.fetch(Document(url=server.url("/fail/slow?times=1&status=429&retry_after=0")))
    assert fetcher.gate.delay_for(host) > before


def test_connection_reset_then_success(server: HostileServer, fetcher: Fetcher) -> None:
    doc = fetcher.fetch(Document(url=server.url("/reset/once?times=1")))
    assert doc.status == 200
    assert len(server.requests("/reset/once")) == 2


def test_redirect_records_final_url(server: HostileServer, fetcher: Fetcher) -> None:
    doc = fetcher.fetch(Document(url=server.url("/redirect/chain/3")))
    assert doc.final_url == server.url("/page/chain-end")
    assert doc.url == server.url("/redirect/chain/3")


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("javascript:alert(1)", "blocked_scheme"),
        ("data:text/html,<p>hi</p>", "blocked_scheme"),
        ("mailto:editor@example.org", "blocked_scheme"),
        ("http://[::1/x", "bad_redirect"),
    ],
)
def test_a_redirect_httpx_cannot_follow_is_refused_once_with_its_reason(
    server: HostileServer, make_settings: SettingsFactory, location: str, reason: str
) -> None:
    """httpx builds the next request of a redirect even when told not to follow it, and
    raised on these targets before the fetcher saw the answer: a refused scheme ended as
    ``internal_InvalidURL``, a malformed target as ``connection_error`` asked 1 + retries
    times. The fetcher follows redirects itself, so each is now refused by its own
    checks, after one request."""
    path = "/redirect/to?" + urlencode({"location": location})
    with Fetcher(make_settings(fetch_retries=2), extractor_version="v1") as fetcher:
        (doc,) = fetcher.fetch_many([Document(url=server.url(path))])
    assert [(e.stage, e.reason) for e in doc.errors] == [("fetch", reason)], doc.errors
    assert location in doc.errors[0].message
    assert len(server.requests("/redirect/to")) == 1


def test_a_url_httpx_refuses_to_build_is_a_bad_url(
    server: HostileServer, make_settings: SettingsFactory
) -> None:
    """A URL over httpx's length limit passes the input checks; it was
    ``internal_InvalidURL``, now ``bad_url``, and nothing is sent."""
    url = server.url("/page/" + "a" * 70_000)
    with Fetcher(make_settings(), extractor_version="v1") as fetcher:
        (doc,) = fetcher.fetch_many([Document(url=url)])
    assert [(e.stage, e.reason) for e in doc.errors] == [("fetch", "bad_url")], doc.errors
    assert server.requests("/page/") == []


@pytest.mark.parametrize("codec", ["gbk", "gb18030", "big5", "utf-8-sig"])
@pytest.mark.parametrize("declare", ["header", "meta", "none", "wrong"])
def test_charsets_decode_after_fetch(
    server: HostileServer, fetcher: Fetcher, codec: str, declare: str
) -> None:
    doc = fetcher.fetch(Document(url=server.url(f"/charset/{codec}?declare={declare}")))
    decode(doc)
    assert doc.markup is not None
    assert charset_text(codec) in doc.markup, (codec, declare, doc.encoding)
    assert "\ufffd" not in doc.markup


def test_fetch_many_passes_failed_and_skipped_documents_through(
    server: HostileServer, fetcher: Fetcher
) -> None:
    failed = Document(url="not a url")
    failed.errors.append(StageError(stage="input", reason="bad_input", message="not a URL"))
    skipped = Document(url=server.url("/page/skip"))
    skipped.skipped = "duplicate"
    good = Document(url=server.url("/page/good"))

    def stream() -> Iterator[Document]:  # a generator: consumed lazily, not listed first
        yield from (failed, skipped, good)

    out = list(fetcher.fetch_many(stream()))
    assert sorted(map(id, out)) == sorted(map(id, (failed, skipped, good)))
    assert good.status == 200 and "fetch" in good.timings
    assert skipped.raw is None and [e.stage for e in failed.errors] == ["input"]
    assert not server.requests("/page/skip")


def test_local_file_errors_are_recorded(fetcher: Fetcher, tmp_path: Path) -> None:
    gone = Document(url=(tmp_path / "gone.html").as_uri(), kind="html_file")
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (fetcher.settings.max_bytes + 1))
    too_big = Document(url=big.as_uri(), kind="text_file")
    list(fetcher.fetch_many([gone, too_big]))
    assert [e.reason for e in gone.errors] == ["file_not_found"]
    assert [e.reason for e in too_big.errors] == ["too_large"]


def test_a_gzip_body_cut_short_is_refused_and_the_good_version_stays(
    make_settings: SettingsFactory,
) -> None:
    """A gzip body cut short (a proxy or CDN dropping the end, Content-Length matching
    what it sent) decoded to part of the page with no error: the run wrote it as a new
    current version of the article with the end of its text missing. It is now
    ``fetch:bad_encoding`` and the good version stays current."""
    import gzip

    from papertrail.session import Session
    from papertrail.testing.pages import Page, PageServer

    html = (Path(__file__).parents[1] / "fixtures" / "pages" / "roundup.html").read_bytes()
    zipped = gzip.compress(html)
    settings = make_settings(enrich=False, process_workers=0)
    with PageServer() as server:
        url = server.url("/weekly")
        for body in (zipped, zipped[: len(zipped) * 2 // 3]):  # whole, then cut short
            server.add("/weekly", Page(body, headers=(("Content-Encoding", "gzip"),)))
            session = Session(settings)
            try:
                session.run([url])
            finally:
                session.close()
    records = [
        json.loads(line)
        for shard in sorted(settings.clean_path.glob("articles/*/*.jsonl"))
        for line in shard.read_text(encoding="utf-8").splitlines()
    ]
    assert [r["version"] for r in records] == [1]
    (failures,) = settings.clean_path.glob("failures/*/*.jsonl")
    (failed,) = [json.loads(line) for line in failures.read_text(encoding="utf-8").splitlines()]
    assert [(e["stage"], e["reason"]) for e in failed["errors"]] == [("fetch", "bad_encoding")]
    assert "cut short" in failed["errors"][0]["message"]

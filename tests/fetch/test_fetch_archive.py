"""The WARC archive: exact bytes and headers, readable by any WARC tool, rotated files,
an index, and ``reprocess`` giving back the very documents the fetch produced."""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from papertrail.document import Document
from papertrail.fetch import Fetcher, RawArchive, archived_documents
from papertrail.inputs import make_document
from papertrail.settings import Settings
from papertrail.testing.hostile import HostileServer, page_html

SettingsFactory = Callable[..., Settings]
pytestmark = pytest.mark.timeout(30)
FIELDS = ("url", "kind", "raw", "status", "headers", "final_url", "content_type", "fetched_at")
WARC_NAME = re.compile(r"^papertrail-\d{14}-\d{5}\.warc\.gz$")


def _fields(doc: Document) -> tuple[object, ...]:
    return tuple(getattr(doc, f) for f in FIELDS)


def _fetch_all(settings: Settings, docs: list[Document]) -> list[Document]:
    with Fetcher(settings, extractor_version="v1") as fetcher:
        return list(fetcher.fetch_many(docs))


def test_round_trip_reprocess_gives_identical_documents(
    server: HostileServer, make_settings: SettingsFactory, tmp_path: Path
) -> None:
    page = tmp_path / "local.html"
    page.write_text(page_html("local"), encoding="utf-8")
    text = tmp_path / "notes.txt"
    text.write_bytes("纯文本 arXiv:1706.03762".encode())
    settings = make_settings()
    docs = [
        Document(url=server.url("/page/one")),
        Document(url=server.url("/gzip/two")),
        Document(url=server.url("/charset/gbk?declare=none")),
        Document(url=server.url("/redirect/chain/2")),
        Document(url=server.url("/status/404")),  # failures are not archived
        make_document(str(page)),
        make_document(str(text)),
    ]
    fetched = {d.url: d for d in _fetch_all(settings, docs) if not d.errors}
    assert len(fetched) == 6
    replayed = list(archived_documents(settings))
    assert {d.url for d in replayed} == set(fetched)
    for doc in replayed:
        assert _fields(doc) == _fields(fetched[doc.url]), doc.url
    # the order is the order URLs were first archived, stable across calls
    assert [d.url for d in replayed] == [d.url for d in archived_documents(settings)]


def test_records_hold_the_exact_bytes_as_sent(
    server: HostileServer, make_settings: SettingsFactory
) -> None:
    settings = make_settings()
    (doc,) = _fetch_all(settings, [Document(url=server.url("/gzip/exact"))])
    warcs = sorted(settings.raw_path.glob("*.warc.gz"))
    assert len(warcs) == 1 and WARC_NAME.match(warcs[0].name)
    with open(warcs[0], "rb") as fh:
        records = [
            (r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r, r.raw_stream.read())
            for r in ArchiveIterator(fh)
        ]
    types = [t for t, *_ in records]
    assert types == ["warcinfo", "response", "request"]
    _, target, response, payload = records[1]
    assert target == doc.final_url
    assert response.http_headers.get_header("Content-Encoding") == "gzip"
    assert payload == gzip.compress(page_html("exact").encode("utf-8"), mtime=0)  # still gzip
    assert gzip.decompress(payload) == doc.raw
    _, _, request, _ = records[2]
    assert request.http_headers.get_header("User-Agent") == settings.effective_user_agent
    assert request.rec_headers.get_header("WARC-Concurrent-To") == response.rec_headers.get_header(
        "WARC-Record-ID"
    )


def test_files_rotate_and_every_capture_is_indexed(
    server: HostileServer, make_settings: SettingsFactory
) -> None:
    settings = make_settings(warc_max_bytes=1)
    docs = [Document(url=server.url(f"/page/r{i}")) for i in range(3)]
    _fetch_all(settings, docs)
    warcs = sorted(settings.raw_path.glob("*.warc.gz"))
    assert len(warcs) == 3 and all(WARC_NAME.match(p.name) for p in warcs)
    with RawArchive(settings.raw_path) as archive:
        captures = archive.captures()
        assert {c.warc_file for c in captures} == {p.name for p in warcs}
        for c in captures:
            assert archive.load(c.url) is not None


def test_load_matches_by_canonical_url(
    server: HostileServer, make_settings: SettingsFactory
) -> None:
    settings = make_settings()
    url = server.url("/page/canon?b=2&a=1")
    _fetch_all(settings, [Document(url=url)])
    with RawArchive(settings.raw_path) as archive:
        doc = archive.load(server.url("/page/canon?a=1&utm_source=x&b=2#top"))
    assert doc is not None and doc.url == url


def test_reprocess_without_archive_yields_nothing(make_settings: SettingsFactory) -> None:
    assert list(archived_documents(make_settings())) == []


def test_local_files_are_resource_records(make_settings: SettingsFactory, tmp_path: Path) -> None:
    path = tmp_path / "a.htm"
    path.write_bytes(b"<html><body>local</body></html>")
    settings = make_settings()
    (doc,) = _fetch_all(settings, [make_document(str(path))])
    assert (doc.status, doc.content_type, doc.kind) == (200, "text/html", "html_file")
    (warc,) = settings.raw_path.glob("*.warc.gz")
    with open(warc, "rb") as fh:
        resources = [r for r in ArchiveIterator(fh) if r.rec_type == "resource"]
    assert len(resources) == 1
    assert resources[0].rec_headers.get_header("WARC-Target-URI") == doc.url


def test_a_url_with_non_ascii_characters_is_fetched_archived_and_replayed(
    server: HostileServer, make_settings: SettingsFactory
) -> None:
    """An address pasted from a browser keeps its Chinese path or query. The page was
    fetched, then warcio refused the non-ASCII request line and the page was lost
    (``fetch:internal_UnicodeEncodeError``, on every run). The WARC request line is now
    the request-target as sent: percent-encoded, like the server saw it."""
    settings = make_settings()
    urls = [server.url("/page/论文解读.html"), server.url("/page/search?q=大模型")]
    fetched = _fetch_all(settings, [Document(url=u) for u in urls])
    assert [d.errors for d in fetched] == [[], []]
    assert all(d.raw for d in fetched)
    replayed = {d.url: d for d in archived_documents(settings)}
    assert set(replayed) == set(urls)
    for doc in fetched:
        assert _fields(replayed[doc.url]) == _fields(doc)
    (warc,) = settings.raw_path.glob("*.warc.gz")
    with open(warc, "rb") as fh:
        lines = [
            f"{r.http_headers.protocol} {r.http_headers.statusline}"
            for r in ArchiveIterator(fh)
            if r.rec_type == "request"
        ]
    sent = [r.path for r in server.requests("/page/")]
    assert sorted(lines) == sorted(f"GET {path} HTTP/1.1" for path in sent)
    assert all(line.isascii() for line in lines)


@pytest.mark.parametrize("damage", ["cut", "overwritten"])
def test_a_damaged_capture_comes_back_as_a_failure_and_the_rest_replay(
    server: HostileServer, make_settings: SettingsFactory, damage: str
) -> None:
    """A WARC file cut short read back as a shorter page with no error (reprocess then
    wrote it as a new version); overwritten bytes raised warcio's ``ArchiveLoadFailed``
    out of the archive and stopped the replay. Both are now a document failed with
    ``fetch:archive_unreadable`` naming the file, and the other captures replay."""
    settings = make_settings(warc_max_bytes=1)  # one file per capture
    urls = [server.url(f"/page/d{i}") for i in range(3)]
    fetched = {d.url: d for d in _fetch_all(settings, [Document(url=u) for u in urls])}
    with Fetcher(settings, extractor_version="v1") as fetcher:
        fetcher.confirm(fetched.values())  # as after a committed write
    with RawArchive(settings.raw_path) as archive:
        victim = archive.latest(urls[1])
    assert victim is not None
    path = settings.raw_path / victim.warc_file
    data = path.read_bytes()
    if damage == "cut":
        path.write_bytes(data[: victim.offset + victim.length // 2])
    else:
        path.write_bytes(data[: victim.offset] + b"GARBAGE" * 40 + data[victim.offset + 280 :])
    replayed = {d.url: d for d in archived_documents(settings)}
    assert set(replayed) == set(urls)
    (error,) = replayed[urls[1]].errors
    assert (error.stage, error.reason) == ("fetch", "archive_unreadable")
    assert victim.warc_file in error.message and replayed[urls[1]].raw is None
    for url in (urls[0], urls[2]):
        assert _fields(replayed[url]) == _fields(fetched[url])
    # a new extractor re-cleans archived pages without fetching; this one is fetched again
    asked = len(server.requests("/page/d1"))
    with Fetcher(settings, extractor_version="v2") as fetcher:
        (again,) = fetcher.fetch_many([Document(url=urls[1])])
    assert not again.errors and again.raw == fetched[urls[1]].raw
    assert len(server.requests("/page/d1")) == asked + 1

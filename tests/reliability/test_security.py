"""Security: SSRF refused by default, output paths never taken from untrusted input,
XML from the API parsed without entity expansion, a password in a URL sent but never kept.

Non-loopback targets are only ever answered by ``httpx.MockTransport`` (the network is
replaced, our code is not), so no packet leaves 127.0.0.1.
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from papertrail.arxiv.feed import parse_feed
from papertrail.document import Document
from papertrail.errors import ArxivResponseError, BlockedAddress, FetchError, StorageError
from papertrail.fetch import Fetcher, Requester
from papertrail.output import OutputStore
from papertrail.record import ArticleRecord
from papertrail.session import Session
from papertrail.settings import Settings
from papertrail.testing.hostile import HostileServer
from papertrail.testing.pages import Page, PageServer

from ..conftest import FIXTURES
from .conftest import article_page, ingest

pytestmark = pytest.mark.timeout(60)


def settings_for(tmp_path: Path, **extra: object) -> Settings:
    base: dict[str, object] = {
        "data_dir": tmp_path / "data", "per_host_delay": 0, "fetch_retries": 0,
        "respect_robots": False,
    }  # fmt: skip
    return Settings(**{**base, **extra})  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


def loopback_aliases(server: HostileServer) -> list[str]:
    """127.0.0.1 spelled as a literal, a DNS name, a decimal, hex, IPv4-mapped IPv6."""
    p = server.port
    return [
        server.url("/page/a"),
        f"http://localhost:{p}/page/b",
        f"http://2130706433:{p}/page/c",
        f"http://0x7f.0.0.1:{p}/page/d",
        f"http://[::ffff:127.0.0.1]:{p}/page/e",
    ]


def test_loopback_in_any_spelling_is_refused_by_default(
    hostile: HostileServer, tmp_path: Path
) -> None:
    before = len(hostile.requests())
    with Fetcher(settings_for(tmp_path)) as fetcher:
        for url in loopback_aliases(hostile):
            with pytest.raises(BlockedAddress) as err:
                fetcher.fetch(Document(url=url))
            assert err.value.reason == "blocked_address", url
    assert len(hostile.requests()) == before, "not one request reached the server"


def redirecting(location: str, seen: list[str]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.host == "news.example":
            return httpx.Response(302, headers={"Location": location})
        body = httpx.ByteStream(b"<p>internal page</p>")
        return httpx.Response(200, headers={"Content-Type": "text/html"}, stream=body)

    return httpx.MockTransport(answer)


@pytest.mark.parametrize("allow_private", [False, True])
@pytest.mark.parametrize(
    "location",
    ["http://127.0.0.1/admin", "http://169.254.169.254/latest/meta-data/", "http://[::1]/",
     "http://10.0.0.5/", "http://192.168.1.1/router", "http://[fd00:ec2::254]/",
     "file:///etc/passwd", "gopher://127.0.0.1:25/"],
)  # fmt: skip
def test_redirects_to_internal_targets_are_refused(
    tmp_path: Path, location: str, allow_private: bool
) -> None:
    seen: list[str] = []
    settings = settings_for(tmp_path, allow_private=allow_private)
    metadata = "169.254.169.254" in location or "fd00:ec2::254" in location
    scheme = not location.startswith("http")
    with Fetcher(settings, transport=redirecting(location, seen)) as fetcher:
        doc = Document(url="http://news.example/article")
        if allow_private and not (metadata or scheme):
            fetcher.fetch(doc)  # an intranet deployment may opt in; metadata never
            return
        with pytest.raises(BlockedAddress) as err:
            fetcher.fetch(doc)
    assert err.value.reason in {"blocked_address", "blocked_scheme"}
    assert seen == ["http://news.example/article"], "the internal target was never asked"


@pytest.mark.parametrize(
    "run_id", ["../escape", "a/b", "/abs", ".hidden", "", "x" * 200, "run\x00id", "ｒｕｎ"]
)
def test_run_ids_that_are_not_safe_file_names_are_refused(tmp_path: Path, run_id: str) -> None:
    store = OutputStore(tmp_path / "clean")
    with pytest.raises(StorageError) as err:
        store.open_run(run_id)
    assert err.value.reason == "bad_run_id"
    assert not (tmp_path / "clean").exists()


def test_no_file_name_comes_from_a_url(hostile: HostileServer, tmp_path: Path) -> None:
    """Hostile URL paths (traversal, encoded slashes, NUL) never shape a path on disk."""
    urls = [
        hostile.url("/page/../../../../tmp/evil.html"),
        hostile.url("/page/%2e%2e%2f%2e%2e%2fetc%2fpasswd"),
        hostile.url("/page/x%00.jsonl"),
        hostile.url("/page/" + "a" * 300),
    ]
    settings = settings_for(tmp_path, allow_private=True, enrich=False, resolve_titles=False)
    session = Session(settings)
    try:
        summary = session.run(urls, run_id="run-1")
    finally:
        session.close()
    assert summary.records_written == len(urls)
    data = settings.data_dir.resolve()
    created = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert created and all(p.resolve().is_relative_to(data) for p in created)
    for path in created:
        assert not {"evil", "passwd", "aaaa"} & set(path.name.split(".")), path


ATOM = sorted((FIXTURES / "arxiv" / "atom").glob("id_1605.08386_*.xml"))[0].read_bytes()
_, BODY = ATOM.split(b"?>", 1)
LOL = b"".join(
    b'<!ENTITY l%d "%s">' % (i, (b"&l%d;" % (i - 1)) * 10 if i else b"lol") for i in range(10)
)
HOSTILE_FEEDS = {
    "billion-laughs": b"<!DOCTYPE feed ["
    + LOL
    + b"]>"
    + BODY.replace(b"<title>", b"<title>&l9;", 1),
    "external-entity": b'<!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
    + BODY.replace(b"<summary>", b"<summary>&x;", 1),
    "external-dtd": b'<!DOCTYPE feed SYSTEM "http://127.0.0.1:9/evil.dtd">' + BODY,
    "parameter-entity": b'<!DOCTYPE feed [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>' + BODY,
}


@pytest.mark.slow
def test_a_password_in_a_url_is_sent_but_never_stored_or_logged(
    run_env: dict[str, str], tmp_path: Path
) -> None:
    """``http://user:pw@host/``: the password went into the record's ``url``, its errors,
    the WARC (target URI and the Authorization header), the ledger, the indexes, the logs
    and Prefect's database (the flow run's parameters). It is still sent, as httpx sends
    it (Basic auth, percent-decoded), to that origin only; every stored or printed form of
    the URL is without the userinfo."""
    password = "s3cret p@ss"  # as typed in the URL: s3cret%20p%40ss
    basic = "Basic " + base64.b64encode(f"alice:{password}".encode()).decode()
    with PageServer() as server:
        base = server.base_url
        other = base.replace("127.0.0.1", "localhost")  # another origin, same server
        server.add("/article.html", Page(article_page(0), "text/html; charset=utf-8"))
        server.add("/moved.html", Page(b"", None, 302, (("Location", f"{other}/away.html"),)))
        server.add("/away.html", Page(article_page(1), "text/html; charset=utf-8"))
        with_pw = base.replace("http://", "http://alice:s3cret%20p%40ss@")
        urls = [f"{with_pw}/{name}.html" for name in ("article", "missing", "moved")]
        proc = ingest(run_env, *urls, "--no-enrich", "--verbose")
        sent = {r.path: r.headers.get("Authorization") for r in server.requests}
    assert proc.returncode == 1, proc.stderr[-3000:]  # /missing.html: a 404
    assert sent["/article.html"] == basic and sent["/missing.html"] == basic
    assert sent["/moved.html"] == basic and sent["/away.html"] is None  # not to localhost
    assert sent["/robots.txt"] is None

    data = Path(run_env["PAPERTRAIL_DATA_DIR"])
    kept = [proc.stdout, proc.stderr]
    # and Prefect's database (with its WAL), where the flow run's parameters are kept
    prefect_db = list(Path(run_env["PREFECT_HOME"]).glob("*.db*"))
    assert prefect_db, "the run reported to the Prefect database in PREFECT_HOME"
    for path in [*data.rglob("*"), *prefect_db]:
        if path.is_file():
            raw = path.read_bytes()
            kept.append((gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("latin-1"))
    for secret in ("s3cret", "p%40ss", basic.split()[1], "alice"):
        assert not [text for text in kept if secret in text], secret
    records = [
        ArticleRecord.model_validate_json(line)
        for shard in data.glob("clean/*/*/*.jsonl")
        for line in shard.read_text(encoding="utf-8").splitlines()
    ]
    assert sorted(r.url for r in records) == sorted(
        f"{base}/{n}.html" for n in ("article", "missing", "moved")
    )
    assert any(r.final_url == f"{other}/away.html" for r in records)
    assert "Authorization: Basic [redacted]" in "".join(kept)  # the WARC says auth was sent


def test_the_fixture_feed_parses() -> None:
    assert parse_feed(ATOM).papers


@pytest.mark.parametrize("name", sorted(HOSTILE_FEEDS))
def test_api_xml_with_entities_is_refused_unexpanded(name: str) -> None:
    with pytest.raises(ArxivResponseError) as err:
        parse_feed(b"<?xml version='1.0' encoding='UTF-8'?>\n" + HOSTILE_FEEDS[name])
    assert err.value.reason == "arxiv_malformed_feed"
    assert "lollol" not in err.value.message and "root:" not in err.value.message


def test_discovery_s_own_requester_sends_a_password_and_keeps_it_out_of_urls_and_errors(
    tmp_path: Path,
) -> None:
    """``Requester.get_resource`` (a feed or sitemap for discovery, also reachable without
    a Fetcher) splits the credentials off as pages do: sent, never in a URL or an error."""
    basic = "Basic " + base64.b64encode(b"alice:s3cret").decode()
    settings = Settings(data_dir=tmp_path, allow_private=True, per_host_delay=0.0, fetch_retries=0)
    with PageServer() as server:
        server.add("/feed.xml", Page(b"<rss/>", "application/rss+xml"))
        with_pw = server.base_url.replace("http://", "http://alice:s3cret@")
        requester = Requester(settings)
        try:
            ex = requester.get_resource(f"{with_pw}/feed.xml", max_bytes=1 << 20)
            with pytest.raises(FetchError) as failure:
                requester.get_resource(f"{with_pw}/gone.xml", max_bytes=1 << 20)
        finally:
            requester.close()
        sent = {r.path: r.headers.get("Authorization") for r in server.requests}
    assert ex.body == b"<rss/>" and "s3cret" not in ex.url and "alice" not in ex.url
    assert sent["/feed.xml"] == basic and sent["/gone.xml"] == basic
    assert "s3cret" not in str(failure.value) and "alice" not in str(failure.value)

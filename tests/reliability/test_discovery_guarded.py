"""Discovery goes through the guarded, polite fetcher, like article pages (issue 15):
private addresses refused (the source, a feed a page advertises, a sitemap-index child),
robots.txt honoured, a trickling feed ended by the deadline, each feed archived in the
WARC, and one malformed link skipped and counted instead of ending the pass."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from papertrail.discover import discover_detailed
from papertrail.errors import BlockedAddress, FetchError, RobotsDisallowed
from papertrail.fetch import Fetcher, Requester
from papertrail.settings import Settings
from papertrail.sources import FeedSource, ListingSource, SitemapSource
from papertrail.testing.hostile import HostileServer
from papertrail.testing.pages import Page, PageServer
from tests.route_server import route_server

pytestmark = pytest.mark.timeout(90)

SettingsFor = Callable[..., Settings]


@pytest.fixture
def settings_for(tmp_path: Path) -> SettingsFor:
    def make(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "data_dir": tmp_path / "data",
            "allow_private": True,
            "per_host_delay": 0.0,
            "fetch_retries": 0,
            "fetch_timeout": 10.0,
        }
        return Settings(_env_file=None, **(values | overrides))  # type: ignore[arg-type]

    return make


def feed(url: str) -> FeedSource:
    return FeedSource(name="f", kind="feed", url=url)  # type: ignore[call-arg]


def sitemap(url: str) -> SitemapSource:
    return SitemapSource(name="s", kind="sitemap", url=url)  # type: ignore[call-arg]


RSS = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
    "<item><link>{0}/news/1.html</link></item><item><link>{0}/news/2.html</link></item>"
    "</channel></rss>"
)


def test_a_loopback_feed_is_refused_without_allow_private(settings_for: SettingsFor) -> None:
    with route_server() as srv:
        url = srv.add("/rss.xml", RSS.format(srv.base), content_type="application/rss+xml")
        settings = settings_for(allow_private=False)
        with Requester(settings) as http, pytest.raises(BlockedAddress):
            discover_detailed(feed(url), http)
        assert srv.requests == []  # not even robots.txt: refused before any request


def _site(routes: dict[str, tuple[str, str]], seen: list[str]) -> httpx.MockTransport:
    """A public-looking site answered by a mock (no DNS): path -> (content type, body)."""

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        ctype, body = routes.get(request.url.path, ("text/plain", ""))
        status = 200 if request.url.path in routes else 404
        content = httpx.ByteStream(body.encode("utf-8"))  # streamed, as from a socket
        return httpx.Response(status, headers={"content-type": ctype}, stream=content)

    return httpx.MockTransport(answer)


def test_an_advertised_feed_or_a_child_sitemap_on_a_private_address_is_refused(
    settings_for: SettingsFor,
) -> None:
    seen: list[str] = []
    routes = {
        "/": ("text/html", '<html><head><link rel="alternate" type="application/rss+xml" '
                           'href="http://169.254.169.254/latest/feed.xml"></head></html>'),
        "/sitemap.xml": ("application/xml",
                         '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                         "<sitemap><loc>http://10.0.0.7/private.xml</loc></sitemap>"
                         "<sitemap><loc>http://site.example/public.xml</loc></sitemap>"
                         "</sitemapindex>"),
        "/public.xml": ("application/xml",
                        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                        "<url><loc>http://site.example/a</loc></url></urlset>"),
    }  # fmt: skip
    settings = settings_for(allow_private=False)
    with Requester(settings, transport=_site(routes, seen)) as http:
        with pytest.raises(BlockedAddress):
            discover_detailed(feed("http://site.example/"), http)
        found = discover_detailed(sitemap("http://site.example/sitemap.xml"), http)
    assert found.urls == ["http://site.example/a"]
    assert any("10.0.0.7" in w and "blocked_address" in w for w in found.warnings)
    assert not [u for u in seen if "169.254" in u or "10.0.0.7" in u]


def test_robots_txt_is_honoured_for_feeds(settings_for: SettingsFor) -> None:
    with HostileServer() as srv:  # its robots.txt disallows /private/
        with Requester(settings_for()) as http, pytest.raises(RobotsDisallowed):
            discover_detailed(feed(srv.url("/private/feed.xml")), http)
        assert srv.requests("/robots.txt") and not srv.requests("/private/")


def test_a_trickling_feed_ends_at_the_fetch_deadline(settings_for: SettingsFor) -> None:
    settings = settings_for(fetch_timeout=3.0, fetch_deadline=5.0)
    with HostileServer() as srv, Requester(settings) as http:
        start = time.monotonic()
        with pytest.raises(FetchError) as info:
            discover_detailed(feed(srv.url("/trickle-headers?interval=1")), http)
        assert info.value.reason == "timeout"
        assert time.monotonic() - start < 5.0 + 10.0  # the headers alone take ~290 s


def test_feeds_fetched_for_discovery_are_archived(settings_for: SettingsFor) -> None:
    with route_server() as srv:
        url = srv.add("/rss.xml", RSS.format(srv.base), content_type="application/rss+xml")
        with Fetcher(settings_for()) as fetcher:
            found = discover_detailed(feed(url), fetcher)
            assert len(found.urls) == 2
            assert fetcher.archive is not None
            assert url in {c.url for c in fetcher.archive.captures()}


@pytest.mark.parametrize("kind", ["sitemap", "listing"])
def test_one_malformed_link_is_skipped_and_counted(settings_for: SettingsFor, kind: str) -> None:
    with route_server() as srv:
        b = srv.base
        if kind == "sitemap":
            body = (
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{b}/a</loc></url><url><loc>http://[::1</loc></url>"
                f"<url><loc>{b}/b</loc></url></urlset>"
            )
            url = srv.add("/sitemap.xml", body, content_type="application/xml")
            source: SitemapSource | ListingSource = sitemap(url)
        else:
            body = f'<html><body><a href="{b}/a">a</a><a href="http://[::1">x</a>'
            body += f'<a href="{b}/b">b</a></body></html>'
            url = srv.add("/list.html", body, content_type="text/html; charset=utf-8")
            source = ListingSource(name="l", kind="listing", url=url, link_pattern=r"/[ab]$")
        with Requester(settings_for()) as http:
            found = discover_detailed(source, http)
    assert found.urls == [f"{b}/a", f"{b}/b"]
    assert found.invalid == 1
    assert any("http://[::1" in w for w in found.warnings)


def test_discovery_requests_are_spaced_per_host(settings_for: SettingsFor) -> None:
    """robots.txt, a sitemap index and its children: one host, so per_host_delay apart
    (lower bounds only, with an allowance for the server's own log jitter)."""
    delay, jitter = 0.6, 0.25
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    with PageServer() as srv:
        children = "".join(f"<sitemap><loc>{srv.url(f'/s{i}.xml')}</loc></sitemap>" for i in (1, 2))
        index = srv.add(
            "/index.xml", Page(f"<sitemapindex {ns}>{children}</sitemapindex>".encode())
        )
        for i in (1, 2):
            body = f"<urlset {ns}><url><loc>{srv.url(f'/a{i}')}</loc></url></urlset>"
            srv.add(f"/s{i}.xml", Page(body.encode(), "application/xml"))
        with Requester(settings_for(per_host_delay=delay)) as http:
            found = discover_detailed(sitemap(index), http)
        times = sorted(r.time for r in srv.requests)
    assert found.urls == [srv.url("/a1"), srv.url("/a2")]
    assert srv.requests[0].path == "/robots.txt" and len(times) == 4
    assert all(b - a >= delay - jitter for a, b in itertools.pairwise(times))

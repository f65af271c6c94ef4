"""Discovery against real HTTP on loopback: feeds, sitemaps, listing pages, URL lists."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest

from papertrail.discover import discover, discover_detailed
from papertrail.errors import DiscoveryError, FetchError, HTTPStatusError, TooLargeError
from papertrail.fetch import Requester
from papertrail.output import OutputStore
from papertrail.settings import Settings
from papertrail.sources import FeedSource, ListingSource, SitemapSource, UrlsSource
from tests.output_helpers import make_record
from tests.route_server import RouteServer, route_server

pytestmark = pytest.mark.timeout(30)

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>AI 日报</title><link>{base}/</link>
<item><title>一</title><link>{base}/news/1.html</link></item>
<item><title>二</title><link>/news/2.html#comments</link></item>
<item><title>dup</title><link>{base}/news/1.html</link></item>
<item><title>三</title><guid isPermaLink="true">{base}/news/3.html</guid></item>
<item><title>about</title><link>{base}/about</link></item>
<item><title>四</title><link>{base}/news/4.html</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{base}/blog/">
<title>Blog</title><id>urn:x</id><updated>2026-11-20T00:00:00Z</updated>
<entry><title>A</title><id>urn:a</id><updated>2026-11-20T00:00:00Z</updated>
  <link rel="alternate" href="posts/a.html"/></entry>
<entry><title>B</title><id>urn:b</id><updated>2026-11-19T00:00:00Z</updated>
  <link rel="alternate" type="text/html" href="{base}/blog/posts/b.html"/></entry>
</feed>"""

URLSET = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{items}
</urlset>"""


def urlset(*locs: tuple[str, str | None]) -> str:
    items = "".join(
        f"<url><loc>{loc}</loc>{f'<lastmod>{lm}</lastmod>' if lm else ''}</url>" for loc, lm in locs
    )
    return URLSET.format(items=items)


@pytest.fixture
def server() -> Iterator[RouteServer]:
    with route_server() as srv:
        yield srv


def loopback_settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp_path / "data",
        "allow_private": True,
        "per_host_delay": 0.0,
        "fetch_retries": 0,
        "fetch_timeout": 10.0,
    }
    return Settings(_env_file=None, **(values | overrides))  # type: ignore[arg-type]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Requester]:
    """Discovery's requests go through the same guarded requester as pages."""
    with Requester(loopback_settings(tmp_path)) as c:
        yield c


def feed(url: str, **kw: object) -> FeedSource:
    return FeedSource(name="f", kind="feed", url=url, **kw)  # type: ignore[arg-type]


def test_rss_feed_order_dedupe_fragments_patterns(server: RouteServer, client) -> None:
    b = server.base
    url = server.add("/rss.xml", RSS.format(base=b), content_type="application/rss+xml")
    got = discover(feed(url, link_pattern=r"/news/"), client, seen=lambda u: False)
    assert got == [f"{b}/news/1.html", f"{b}/news/2.html", f"{b}/news/3.html", f"{b}/news/4.html"]

    detail = discover_detailed(
        feed(url, link_pattern=r"/news/", max_new=2), client, seen={f"{b}/news/1.html"}.__contains__
    )
    assert detail.urls == [f"{b}/news/2.html", f"{b}/news/3.html"]
    assert (detail.seen, detail.filtered, detail.capped) == (1, 0, True)


def test_atom_feed_relative_links_and_redirect(server: RouteServer, client) -> None:
    server.add("/atom.xml", ATOM.format(base=server.base), content_type="application/atom+xml")
    old = server.add("/old-feed", status=301, location="/atom.xml")
    assert discover(feed(old), client) == [
        f"{server.base}/blog/posts/a.html",
        f"{server.base}/blog/posts/b.html",
    ]


def test_feed_source_pointing_at_the_site_uses_its_advertised_feed(
    server: RouteServer, client
) -> None:
    server.add("/feeds/all.xml", RSS.format(base=server.base))
    home = server.add(
        "/",
        "<!DOCTYPE html><html><head><title>AI 日报</title>"
        '<link rel="alternate" type="application/rss+xml" href="/feeds/all.xml">'
        "</head><body>home</body></html>",
        content_type="text/html; charset=utf-8",
    )
    detail = discover_detailed(feed(home, max_new=2), client)
    assert detail.urls == [f"{server.base}/news/1.html", f"{server.base}/news/2.html"]
    assert detail.fetched == [home, f"{server.base}/feeds/all.xml"]
    assert "using the feed it links to" in detail.warnings[0]


def test_empty_but_valid_feed(server: RouteServer, client) -> None:
    url = server.add("/empty.xml", '<rss version="2.0"><channel><title>x</title></channel></rss>')
    assert discover(feed(url), client) == []


@pytest.mark.parametrize(
    "body",
    [
        "<html><body><p>This is a web page, not a feed</p></body></html>",
        "\x00\x01 binary junk",
    ],
)
def test_malformed_feed_is_a_clear_error(server: RouteServer, client, body: str) -> None:
    url = server.add("/bad.xml", body, content_type="application/xml")
    with pytest.raises(DiscoveryError) as err:
        discover(feed(url), client)
    assert err.value.reason == "bad_feed" and url in str(err.value)


def test_truncated_feed_is_recovered_with_a_warning(server: RouteServer, client) -> None:
    url = server.add("/cut.xml", "<rss><channel><item><link>http://x.example/1</link></item")
    detail = discover_detailed(feed(url), client)
    assert detail.urls == ["http://x.example/1"]
    assert len(detail.warnings) == 1 and "not well-formed" in detail.warnings[0]


def test_http_errors(server: RouteServer, client) -> None:
    with pytest.raises(HTTPStatusError) as err:
        discover(feed(server.url("/missing")), client)
    assert err.value.reason == "http_404"
    with pytest.raises(FetchError) as err2:
        discover(feed("http://127.0.0.1:9/feed"), client)  # nothing listens on port 9
    # robots.txt is asked first, like for any page: no answer means "disallowed" (RFC 9309)
    assert err2.value.reason == "robots_unreachable"
    url = server.add("/big.xml", "x" * 5000)
    with pytest.raises(TooLargeError):
        discover(feed(url), client, max_bytes=1000)


def sitemap(url: str, **kw: object) -> SitemapSource:
    return SitemapSource(name="s", kind="sitemap", url=url, **kw)  # type: ignore[arg-type]


def test_sitemap_index_gz_children_lazy_and_broken_child(server: RouteServer, client) -> None:
    b = server.base
    server.add(
        "/sm-1.xml.gz",
        gzip.compress(urlset((f"{b}/a/1", None), ("/a/2", None)).encode()),
        content_type="application/x-gzip",
    )
    server.add("/sm-broken.xml", "<urlset><url><loc>oops", content_type="application/xml")
    server.add("/sm-3.xml", urlset((f"{b}/a/3", None), (f"{b}/a/1", None)))
    index = server.add(
        "/sitemap_index.xml",
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<sitemap><loc>/sm-1.xml.gz</loc></sitemap>"
        f"<sitemap><loc>{b}/sm-broken.xml</loc></sitemap>"
        "<sitemap><loc>/sm-3.xml</loc></sitemap></sitemapindex>",
    )
    detail = discover_detailed(sitemap(index), client)
    assert detail.urls == [f"{b}/a/1", f"{b}/a/2", f"{b}/a/3"]
    assert len(detail.warnings) == 1 and "bad_sitemap" in detail.warnings[0]

    server.requests.clear()
    assert discover(sitemap(index, max_new=2), client) == [f"{b}/a/1", f"{b}/a/2"]
    assert server.requests == ["/sitemap_index.xml", "/sm-1.xml.gz"]  # children read lazily


def test_sitemap_index_whose_children_all_fail(server: RouteServer, client) -> None:
    index = server.add(
        "/idx.xml", "<sitemapindex><sitemap><loc>/gone.xml</loc></sitemap></sitemapindex>"
    )
    with pytest.raises(DiscoveryError) as err:
        discover(sitemap(index), client)
    assert err.value.reason == "bad_sitemap" and "http_404" in str(err.value)


def test_sitemap_newest_first_and_pattern(server: RouteServer, client) -> None:
    b = server.base
    url = server.add(
        "/sitemap.xml",
        urlset(
            (f"{b}/2024/01/old", "2024-01-02"),
            (f"{b}/tag/ai", "2026-11-22"),
            (f"{b}/2026/11/new", "2026-11-22T08:00:00+08:00"),
            (f"{b}/2025/06/mid", "2025-06-01T00:00:00Z"),
            (f"{b}/2023/01/undated", None),
        ),
    )
    got = discover(sitemap(url, newest_first=True, link_pattern=r"/\d{4}/\d{2}/"), client)
    assert got == [
        f"{b}/2026/11/new",
        f"{b}/2025/06/mid",
        f"{b}/2024/01/old",
        f"{b}/2023/01/undated",
    ]


def test_sitemap_forms_text_and_feed(server: RouteServer, client) -> None:
    b = server.base
    text = server.add("/sitemap.txt", f"{b}/t/1\n\n{b}/t/2\n", content_type="text/plain")
    assert discover(sitemap(text), client) == [f"{b}/t/1", f"{b}/t/2"]
    rss = server.add("/rss-as-sitemap.xml", RSS.format(base=b))
    assert discover(sitemap(rss, max_new=1), client) == [f"{b}/news/1.html"]


@pytest.mark.parametrize(
    "body",
    [
        "<urlset><url><loc>http://x/1</loc></url>",  # unclosed
        '<?xml version="1.0"?><html><body>hi</body></html>',  # wrong root
        "this is not a sitemap\nat all",
        b"\x1f\x8b\x08\x00garbage",  # corrupt gzip
    ],
)
def test_malformed_sitemaps(server: RouteServer, client, body: str | bytes) -> None:
    url = server.add("/sitemap.xml", body)
    with pytest.raises(DiscoveryError) as err:
        discover(sitemap(url), client)
    assert err.value.reason == "bad_sitemap"


def test_sitemap_entities_are_not_expanded(server: RouteServer, client, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{server.base}/p/&x;</loc></url><url><loc>{server.base}/p/ok</loc></url>"
        "</urlset>"
    )
    url = server.add("/xxe.xml", body)
    got = discover(sitemap(url), client)
    assert not any("TOPSECRET" in u for u in got)
    assert f"{server.base}/p/ok" in got


def test_sitemap_gzip_bomb_is_capped(server: RouteServer, client) -> None:
    url = server.add("/bomb.xml.gz", gzip.compress(b"<" + b" " * 2_000_000))
    with pytest.raises(TooLargeError):
        discover(sitemap(url), client, max_bytes=100_000)


LISTING = """<html><head><meta charset="gbk"><title>人工智能</title></head><body>
<nav><a href="/">首页</a><a href="/ai/">AI</a></nav>
<ul>
<li><a href="/ai/20261122/101.html">大模型推理新进展</a></li>
<li><a href="./102.html#top">多模态</a></li>
<li><a href=" 103.html ">剪枝</a></li>
<li><a href="/ai/20261122/101.html">重复</a></li>
<li><a href="javascript:void(0)">分享</a></li>
<li><a href="https://other.example/ai/20261122/999.html">外站</a></li>
<li><a href="//cdn.example/ai/20261122/998.html">协议相对</a></li>
</ul>
<a href="/ai/20261122/104.html?share=wechat">分享版</a>
</body></html>"""


def test_listing_page_links(server: RouteServer, client) -> None:
    b = server.base
    url = server.add("/ai/20261122/", LISTING.encode("gbk"), content_type="text/html; charset=gbk")
    src = ListingSource(
        name="l",
        kind="listing",
        url=url,
        link_pattern=r"/ai/\d{8}/\d+\.html",
        exclude_pattern=r"[?&]share=",
    )
    assert discover(src, client) == [
        f"{b}/ai/20261122/101.html",
        f"{b}/ai/20261122/102.html",
        f"{b}/ai/20261122/103.html",
        "https://other.example/ai/20261122/999.html",
        "http://cdn.example/ai/20261122/998.html",  # protocol-relative: the page's scheme
    ]


def test_listing_pattern_matching_nothing_is_reported(server: RouteServer, client) -> None:
    url = server.add("/list2", LISTING.encode("gbk"), content_type="text/html")
    src = ListingSource(name="l", kind="listing", url=url, link_pattern=r"/news/\d+")
    detail = discover_detailed(src, client)
    assert detail.urls == [] and detail.filtered == detail.found == 8
    assert "matched the source's patterns" in detail.warnings[0]


def test_listing_base_href(server: RouteServer, client) -> None:
    html = '<html><head><base href="/section/"></head><body><a href="p/1.html">x</a></body></html>'
    url = server.add("/list", html, content_type="text/html")
    src = ListingSource(name="l", kind="listing", url=url, link_pattern=r"\.html$")
    assert discover(src, client) == [f"{server.base}/section/p/1.html"]


def test_urls_source_inline_and_file(tmp_path: Path, client) -> None:
    (tmp_path / "list.txt").write_text(
        "# seeds\nhttps://a.example/1\nhttps://a.example/2#x\n\nhttps://a.example/1\nnot a url\n",
        encoding="utf-8",
    )
    src = UrlsSource(
        name="u",
        kind="urls",
        urls=["https://a.example/0"],
        file=tmp_path / "list.txt",
        max_new=10,
    )
    got = discover(src, client, seen={"https://a.example/0"}.__contains__)
    # a bad line is passed on, so the ingest flow records an input error for it
    assert got == ["https://a.example/1", "https://a.example/2", "not a url"]
    (tmp_path / "list.txt").unlink()
    with pytest.raises(DiscoveryError) as err:
        discover(src, client)
    assert err.value.reason == "bad_url_list"


def test_ledger_from_output_store(tmp_path: Path, client) -> None:
    """The output store's known URLs are the `seen` filter that makes runs incremental."""
    store = OutputStore(tmp_path)
    with store.open_run("r1") as writer:
        writer.write(make_record(1, "a"))
        writer.write(make_record(2, failed=True))  # failed: not ingested, tried again
    src = UrlsSource(
        name="u",
        kind="urls",
        urls=[f"https://news.example/{i}" for i in (1, 2, 3)],
    )
    assert discover(src, client, seen=store.known_urls().__contains__) == [
        "https://news.example/2",
        "https://news.example/3",
    ]

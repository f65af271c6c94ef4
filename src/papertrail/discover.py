"""Discovery: from a source (feed, sitemap, listing page, URL list) to new article URLs.

:func:`discover` returns the URLs in the order the source gives them (feeds: newest
first on most sites; sitemaps: file order, or newest ``<lastmod>`` first), absolute,
without ``#fragments``, deduplicated, filtered by the source's patterns and by ``seen``
(the ledger: URLs already ingested), and capped at ``max_new``. Sitemap indexes are read
lazily: a child sitemap is only fetched while more URLs are needed.

Parsing uses the libraries that know the formats' dark corners: feedparser for RSS/Atom
(encodings, ``xml:base``, RSS 0.9x-2.0, Atom 0.3/1.0, RDF), lxml for sitemaps (with
entities and network access off: a sitemap is untrusted XML), selectolax for listing
pages. Malformed input raises :class:`~papertrail.errors.DiscoveryError` with a stable
reason (``bad_feed``, ``bad_sitemap``, ``bad_listing``); one malformed link (say
``http://[::1``) is skipped and counted in :attr:`Discovery.invalid`, the rest goes on.

Every feed, sitemap and listing page is requested through a
:class:`~papertrail.fetch.Requester` (or a :class:`~papertrail.fetch.Fetcher`, which also
archives it in the WARC): the same SSRF checks, robots.txt, per-host politeness,
retries and total deadline as article pages. HTTP trouble raises the
:class:`~papertrail.errors.FetchError` family, as in the fetch stage.
"""

from __future__ import annotations

import contextlib
import logging
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import urldefrag, urljoin, urlsplit

import feedparser
from lxml import etree
from selectolax.lexbor import LexborHTMLParser

from .decode import decode_bytes
from .errors import DiscoveryError, FetchError, TooLargeError
from .fetch.exchange import Exchange
from .sources import (
    FeedSource,
    ListingSource,
    SitemapSource,
    Source,
    UrlsSource,
    read_url_lines,
)

__all__ = ["DEFAULT_MAX_BYTES", "Discovery", "ResourceGetter", "discover", "discover_detailed"]

log = logging.getLogger(__name__)

# The sitemap protocol caps a file at 50 MB uncompressed; feeds and pages are far smaller.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
MAX_SITEMAP_DEPTH = 3  # index -> sitemap is the protocol; tolerate one more level
_FEED_ROOTS = {"rss", "feed", "RDF"}
INVALID_EXAMPLES = 3  # malformed links quoted in the warnings; the rest only counted


class ResourceGetter(Protocol):
    """What discovery fetches through: ``Requester`` or ``Fetcher`` (which archives)."""

    def get_resource(self, url: str, *, max_bytes: int) -> Exchange: ...


@dataclass(slots=True)
class Discovery:
    """What one discovery pass found, for run reports."""

    source: str
    urls: list[str] = field(default_factory=list)  # the result: new URLs, capped
    found: int = 0  # distinct candidate URLs looked at
    seen: int = 0  # dropped: already ingested
    filtered: int = 0  # dropped: link_pattern / exclude_pattern / not http(s)
    invalid: int = 0  # dropped: not a parseable URL (e.g. "http://[::1")
    capped: bool = False  # stopped on reaching max_new (more may be left)
    fetched: list[str] = field(default_factory=list)  # feed/sitemap/page URLs requested
    warnings: list[str] = field(default_factory=list)  # e.g. a broken child sitemap


@dataclass(slots=True)
class _Fetched:
    url: str
    final_url: str
    content: bytes
    content_type: str | None


def discover(
    source: Source,
    client: ResourceGetter,
    *,
    seen: Callable[[str], bool] = lambda url: False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[str]:
    """New article URLs of ``source`` (see the module docstring for the rules)."""
    return discover_detailed(source, client, seen=seen, max_bytes=max_bytes).urls


def discover_detailed(
    source: Source,
    client: ResourceGetter,
    *,
    seen: Callable[[str], bool] = lambda url: False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Discovery:
    """Like :func:`discover`, with the counts and warnings a run report needs."""
    result = Discovery(source=source.name)
    done: set[str] = set()
    for raw in _candidates(source, client, result, max_bytes):
        try:
            url = _clean(raw)
        except ValueError as exc:  # one malformed link must not end the pass
            result.invalid += 1
            if result.invalid <= INVALID_EXAMPLES:
                result.warnings.append(f"skipped a malformed link {raw!r} ({exc})")
            continue
        if url is None or url in done:
            continue
        done.add(url)
        result.found += 1
        if not (isinstance(source, UrlsSource) or _is_http(url)) or not source.accepts(url):
            result.filtered += 1
            continue
        if seen(url):
            result.seen += 1
            continue
        result.urls.append(url)
        if len(result.urls) >= source.max_new:
            result.capped = True  # stop reading (and fetching child sitemaps) here
            break
    if result.found and result.filtered == result.found:
        # the usual sign of a site redesign or a wrong pattern: say so in the run report
        result.warnings.append(
            f"none of the {result.found} URLs found matched the source's patterns"
        )
    return result


# -- candidates, per kind ------------------------------------------------------------------


def _candidates(
    source: Source, client: ResourceGetter, result: Discovery, max_bytes: int
) -> Iterator[str]:
    if isinstance(source, UrlsSource):
        yield from source.urls
        if source.file is not None:
            yield from _read_url_file(source.file)
        return
    page = _fetch(client, source.url, max_bytes)
    result.fetched.append(source.url)
    if isinstance(source, FeedSource):
        yield from _feed_links(_autodiscover(page, client, result, max_bytes), result)
    elif isinstance(source, ListingSource):
        yield from _listing_links(page)
    elif isinstance(source, SitemapSource):
        entries = _sitemap_entries(page, client, result, max_bytes, depth=0, visited=set())
        if source.newest_first:
            yield from (loc for loc, _ in _newest_first(list(entries)))
        else:
            yield from (loc for loc, _ in entries)


def _read_url_file(path: Path) -> list[str]:
    try:
        return read_url_lines(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise DiscoveryError(f"{path}: cannot read URL list: {exc}", reason="bad_url_list") from exc


def _feed_links(page: _Fetched, result: Discovery | None = None) -> Iterator[str]:
    parsed = feedparser.parse(
        page.content,
        response_headers={
            "content-location": page.final_url,
            "content-type": page.content_type or "application/xml",
        },
    )
    why = parsed.get("bozo_exception") or "no RSS/Atom root element"
    if not parsed.entries and (parsed.bozo or not parsed.version):
        raise DiscoveryError(f"{page.url}: not a readable RSS/Atom feed: {why}", reason="bad_feed")
    if parsed.bozo and result is not None:
        # feedparser's loose parser recovered entries from a broken feed: use them, say so
        result.warnings.append(f"{page.url}: feed is not well-formed ({why})")
    for entry in parsed.entries:
        link = entry.get("link")
        if not link:
            alternates = [ln.get("href") for ln in entry.get("links", []) if ln.get("href")]
            link = alternates[0] if alternates else None
        if not link and entry.get("id", "").startswith(("http://", "https://")):
            link = entry["id"]  # RSS <guid isPermaLink="true"> with no <link>
        if link:
            yield _absolute(page.final_url, link.strip())


_FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml"}


def _autodiscover(
    page: _Fetched, client: ResourceGetter, result: Discovery, max_bytes: int
) -> _Fetched:
    """The feed an HTML page advertises (``<link rel=alternate type=application/rss+xml>``)
    when a ``feed`` source points at the site instead of its feed; else the page itself."""
    head = page.content[:2048].lstrip().lower()
    if not (head.startswith((b"<!doctype html", b"<html")) or b"<head" in head):
        return page
    markup, _ = decode_bytes(page.content, page.content_type)
    for link in LexborHTMLParser(markup).css("link[href]"):
        attrs = link.attributes
        rel = (attrs.get("rel") or "").lower().split()
        kind = (attrs.get("type") or "").lower().strip()
        if "alternate" in rel and kind in _FEED_TYPES and attrs.get("href"):
            try:
                feed_url = urljoin(page.final_url, (attrs.get("href") or "").strip())
            except ValueError:
                continue  # a malformed advertised feed: look for another
            result.warnings.append(f"{page.url} is a web page; using the feed it links to")
            result.fetched.append(feed_url)
            return _fetch(client, feed_url, max_bytes)
    return page


def _listing_links(page: _Fetched) -> Iterator[str]:
    markup, _ = decode_bytes(page.content, page.content_type)
    try:
        tree = LexborHTMLParser(markup)
    except Exception as exc:  # selectolax raises bare errors on pathological input
        raise DiscoveryError(f"{page.url}: cannot parse page: {exc}", reason="bad_listing") from exc
    base = page.final_url
    base_el = tree.css_first("base[href]")
    if base_el is not None and (href := base_el.attributes.get("href")):
        with contextlib.suppress(ValueError):  # a malformed <base>: the page's own URL
            base = urljoin(page.final_url, href.strip())
    for anchor in tree.css("a[href]"):
        href = (anchor.attributes.get("href") or "").strip()
        if href and not href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            yield _absolute(base, href)


# -- sitemaps ------------------------------------------------------------------------------

_XML_PARSER_ARGS = {
    "resolve_entities": False,  # no XXE, no billion laughs
    "no_network": True,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


def _sitemap_entries(
    page: _Fetched,
    client: ResourceGetter,
    result: Discovery,
    max_bytes: int,
    *,
    depth: int,
    visited: set[str],
) -> Iterator[tuple[str, datetime | None]]:
    """``(loc, lastmod)`` pairs of a sitemap, following an index's children lazily."""
    visited.add(page.final_url)
    data = _gunzip(page, max_bytes)
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<"):
        yield from ((u, None) for u in _text_sitemap(page, data))
        return
    try:
        root = etree.fromstring(data, etree.XMLParser(**_XML_PARSER_ARGS))
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError(
            f"{page.url}: malformed sitemap XML: {exc}", reason="bad_sitemap"
        ) from exc
    name = etree.QName(root).localname
    if name in _FEED_ROOTS:  # search engines accept RSS/Atom as sitemaps; so do we
        yield from ((u, None) for u in _feed_links(page, result))
        return
    if name == "urlset":
        for loc, lastmod in _locs(root, "url"):
            yield _absolute(page.final_url, loc), lastmod
        return
    if name != "sitemapindex":
        raise DiscoveryError(
            f"{page.url}: root element <{name}> is not <urlset> or <sitemapindex>",
            reason="bad_sitemap",
        )
    if depth >= MAX_SITEMAP_DEPTH:
        raise DiscoveryError(f"{page.url}: sitemap indexes nested too deep", reason="bad_sitemap")
    children = [_absolute(page.final_url, loc) for loc, _ in _locs(root, "sitemap")]
    failures: list[str] = []
    for child_url in children:
        if child_url in visited:
            continue
        try:
            child = _fetch(client, child_url, max_bytes)
            result.fetched.append(child_url)
            yield from _sitemap_entries(
                child, client, result, max_bytes, depth=depth + 1, visited=visited
            )
        except (FetchError, DiscoveryError) as exc:
            # one broken child must not hide the others; the run report shows it
            msg = f"{child_url}: {exc.reason}: {exc.message}"
            log.warning("skipping child sitemap %s", msg)
            result.warnings.append(msg)
            failures.append(msg)
    if children and len(failures) == len(children):
        raise DiscoveryError(
            f"{page.url}: every child sitemap failed ({failures[0]})", reason="bad_sitemap"
        )


def _locs(root: etree._Element, item: str) -> Iterator[tuple[str, datetime | None]]:
    for el in root:
        if not isinstance(el.tag, str) or etree.QName(el).localname != item:
            continue
        loc = lastmod = None
        for child in el:
            if not isinstance(child.tag, str):
                continue
            tag = etree.QName(child).localname
            if tag == "loc":
                loc = (child.text or "").strip()
            elif tag == "lastmod":
                lastmod = _parse_date((child.text or "").strip())
        if loc:
            yield loc, lastmod


def _text_sitemap(page: _Fetched, data: bytes) -> list[str]:
    """The protocol's plain-text form: one URL per line, nothing else."""
    lines = [ln.strip() for ln in data.decode("utf-8", errors="replace").splitlines()]
    urls = [ln for ln in lines if ln]
    if not urls or not all(_is_http(u) for u in urls):
        raise DiscoveryError(
            f"{page.url}: neither an XML sitemap nor a plain list of URLs", reason="bad_sitemap"
        )
    return urls


def _gunzip(page: _Fetched, max_bytes: int) -> bytes:
    """Inflate a ``.gz`` sitemap (httpx already undid Content-Encoding), within the cap."""
    if not page.content.startswith(b"\x1f\x8b"):
        return page.content
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(page.content, max_bytes + 1)
    except zlib.error as exc:
        raise DiscoveryError(f"{page.url}: corrupt gzip: {exc}", reason="bad_sitemap") from exc
    if len(data) > max_bytes:
        raise TooLargeError(f"{page.url}: sitemap inflates past {max_bytes} bytes")
    return data


def _parse_date(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _newest_first(
    entries: Iterable[tuple[str, datetime | None]],
) -> list[tuple[str, datetime | None]]:
    """Newest ``lastmod`` first; entries without one keep file order, after the dated ones."""
    oldest = datetime.min.replace(tzinfo=UTC)
    return sorted(entries, key=lambda e: (e[1] is not None, e[1] or oldest), reverse=True)


# -- HTTP ------------------------------------------------------------------------------------


def _fetch(client: ResourceGetter, url: str, max_bytes: int) -> _Fetched:
    """GET ``url`` through the guarded fetcher; FetchError family on failure (a
    malformed URL included: it is refused like any other bad fetch)."""
    try:
        ex = client.get_resource(url, max_bytes=max_bytes)
    except ValueError as exc:
        raise FetchError(f"{url!r}: not a valid URL ({exc})", reason="bad_url") from exc
    return _Fetched(url, ex.url, ex.body, ex.header("content-type"))


# -- URLs ------------------------------------------------------------------------------------


def _is_http(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def _absolute(base: str, href: str) -> str:
    """``href`` resolved against ``base``; a link too malformed to resolve is returned
    as it is, for :func:`_clean` to refuse and the pass to count."""
    try:
        return urljoin(base, href)
    except ValueError:
        return href


def _clean(url: str) -> str | None:
    """Strip whitespace and the ``#fragment`` (same article); None when empty.
    ``ValueError`` for a URL that cannot be parsed (``http://[::1``)."""
    url = url.strip()
    if not url:
        return None
    return urldefrag(url).url if _is_http(url) else url

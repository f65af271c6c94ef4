"""Page metadata that holds on Chinese pages.

trafilatura's metadata is the base; we fix what it gets wrong on these pages: it drops
any author without a space (every Chinese name), misses the publish time WeChat keeps in
a script variable (``var ct = "1712345678"``), keeps the " | site name" suffix when
``og:title`` is absent, and reads no ``<meta>`` the parser left in ``<body>``.
"""

from __future__ import annotations

import contextlib
import copy
import re
from datetime import UTC, datetime

from htmldate import find_date
from lxml import etree
from trafilatura.metadata import examine_meta, extract_meta_json, extract_sitename, extract_title

from ..document import Metadata
from .links import join_url

_TITLE_SEPARATORS = re.compile(r"\s+[|｜\-–—_·»:]\s+|\s*[|｜_]\s*|\s+-\s*|\s*(?:——|--+)\s*")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_LATIN = re.compile(r"[A-Za-z]")
# Script variables holding a Unix publish time (``var ct = "1712345678"``). One regex per
# name, each starting with its literal name: the regex engine then jumps from one
# occurrence of the name to the next (0.9 ms a page over the corpora). A regex starting
# with the alternation of names tried it at every position (3-10 ms on a 100-300 kB page);
# one for the value first (``= "1712345678"``), then its name, stopped at every "=" and
# ":" of the page's scripts and styles (1.4 ms).
_TIMESTAMP_NAMES = ("ct", "publish_time", "create_time", "pubtime", "publishTime", "createTime")
_TIMESTAMPS = tuple(
    re.compile(rf"""{name}\s*[=:]\s*["']?(\d{{10}})(?!\d)""") for name in _TIMESTAMP_NAMES
)
# The <meta> elements naming an author, in order of trust
_AUTHOR_META = (
    ("name", "author"),
    ("property", "article:author"),
    ("property", "og:article:author"),
)
# A Chinese personal name is 2-4 characters (a dot joins transliterated names).
_NAME = r"[\u3400-\u9fff][\u3400-\u9fff·]{1,4}(?![\u3400-\u9fff])"
_AUTHOR_LINE = re.compile(
    rf"(?:(?:作者|撰文|文)\s*[:：/／]|记者)\s*({_NAME}(?:[、\s]{{1,2}}{_NAME}){{0,3}})"
)
_AUTHOR_KEYS = ("作者", "文", "记者")  # every _AUTHOR_LINE match holds one
# Starts with a literal so the regex engine can skip ahead to "var": with a leading \b (or a
# lookbehind) it tried every position of the page (0.7 ms a page on zh-wced, 0.03 without).
_JS_AUTHOR = re.compile(r"""var\s+author\s*=\s*["']([^"'<>]{2,40})["']""")
# Elements whose id or class holds "author" or "byline", or rel="author", in page order.
# Asked of the attributes (a union of the elements owning a matching one), not of every
# element: half the cost of //*[contains(@id, 'author') or ...], same elements.
_AUTHOR_ELEMENT = etree.XPath(
    "//@id[contains(., 'author')]/.. | //@class[contains(., 'author') or contains(., 'byline')]/.."
    " | //@rel[. = 'author']/.."
)


def strip_site_suffix(title: str, sitename: str | None) -> str:
    """ "Article – Site" -> "Article": drop the part that names the site, keep the longest."""
    title = " ".join(title.split())
    parts = [p.strip() for p in _TITLE_SEPARATORS.split(title) if p.strip()]
    if len(parts) < 2:
        return title
    if sitename:
        site = sitename.strip().lower()
        rest = [p for p in parts if p.lower() != site and site not in p.lower()]
        if rest and len(rest) < len(parts):
            parts = rest
    # The article title is the longest segment: site and section names are short.
    return max(parts, key=len) if len(parts) > 1 else parts[0]


def detect_lang(text: str, declared: str | None = None) -> str | None:
    """Language from the characters of the text; the page's own declaration breaks ties."""
    sample = text[:5000]
    cjk, kana = len(_CJK.findall(sample)), len(_KANA.findall(sample))
    hangul, latin = len(_HANGUL.findall(sample)), len(_LATIN.findall(sample))
    if kana > 20 and kana * 5 > cjk:
        return "ja"
    if hangul > max(cjk, latin // 4, 20):
        return "ko"
    if cjk > 20 and cjk * 3 > latin:
        return "zh"
    if declared:
        return declared.split("-")[0].split("_")[0].lower() or None
    return "en" if latin > 50 else None


def _first(tree: etree._Element, xpaths: tuple[str, ...]) -> str | None:
    for xp in xpaths:
        for value in tree.xpath(xp):
            value = " ".join(str(value).split())
            if value:
                return value
    return None


def _script_date(html: str) -> str | None:
    """The first publish-time variable of the page (a name, not the end of a longer one)."""
    first: tuple[int, str] | None = None
    for pattern in _TIMESTAMPS:
        for m in pattern.finditer(html):
            before = html[m.start() - 1 : m.start()]
            if before.isalnum() or before == "_":  # "product_ct = ...", not "ct = ..."
                continue
            if first is None or m.start() < first[0]:
                first = (m.start(), m.group(1))
            break
    if first is None:
        return None
    return datetime.fromtimestamp(int(first[1]), tz=UTC).date().isoformat()


_PAGE_METAS = etree.XPath("/html/head/meta | /html/body//meta[@content][@property or @name]")


def _page_metas(tree: etree._Element) -> etree._Element:
    """A page holding only a ``<head>`` of the page's ``<meta>`` tags, wherever they sit.

    libxml2 ends ``<head>`` at the first element it does not expect there, and every tag
    after it lands in ``<body>`` (seen on Next.js and news-site pages: ``og:title``,
    ``author``, ``og:site_name`` all there). trafilatura reads ``//head/meta`` only, so
    the title fell to its heading heuristics (a LessWrong post was titled by its vote
    count, "Ω 48"). Of the ``<body>``'s tags only those naming a page property
    (``property``/``name``) count: a microdata ``itemprop`` belongs to the element around
    it. Copies: the page's own tree, which extraction reads next, is left as it is.
    """
    page = etree.Element("html")
    head = etree.SubElement(page, "head")
    for meta in _PAGE_METAS(tree):
        copied = copy.copy(meta)  # (an attribute name the parser let through stays valid)
        copied.tail = None
        head.append(copied)
    return page


def _meta_author(tree: etree._Element) -> str | None:
    """The first non-empty author <meta> of the most trusted kind (one walk over <meta>)."""
    found: dict[tuple[str, str], str] = {}
    for meta in tree.iter("meta"):
        for source in _AUTHOR_META:
            attribute, name = source
            if source in found or meta.get(attribute) != name:
                continue
            if value := " ".join((meta.get("content") or "").split()):
                found[source] = value
    return next((found[source] for source in _AUTHOR_META if source in found), None)


def _is_url(value: str) -> bool:
    """Sites put profile URLs in article:author; a URL is not a name."""
    return value.startswith(("http://", "https://", "www."))


# What sites put where a name goes: labels of the byline box and placeholder accounts.
_NOT_NAMES = frozenset(
    {
        "author", "authors", "about the author", "about the authors", "topic author",
        "admin", "administrator", "editor", "editors", "our editors", "staff", "guest",
        "anonymous", "unknown", "sign in", "log in", "login", "by", "作者", "佚名", "匿名",
        "管理员", "小编", "编辑",
    }
)  # fmt: skip
_BY_PREFIX = re.compile(r"^(?:(?:text|words|written|posted|story)\s+)?by\s+", re.IGNORECASE)


def _as_name(value: str | None) -> str | None:
    """``value`` as an author name, or None when it cannot be one: a URL (sites put profile
    URLs in ``article:author``), a number (an account id), or a label or placeholder account
    ("Sign In", "About the Author", "admin"). A leading "By"/"Text by" goes."""
    if not value:
        return None
    name = _BY_PREFIX.sub("", " ".join(value.split()))
    if _is_url(name) or not any(c.isalpha() for c in name):
        return None
    return None if name.lower().rstrip(":：") in _NOT_NAMES else name


def _author(tree: etree._Element, html: str, traf_author: str | None) -> str | None:
    if found := _as_name(traf_author):
        return found
    if found := _as_name(_meta_author(tree)):
        return found
    # The XPath visits every id, class and rel of the page (0.7 ms); the values it looks for
    # must appear in the markup, which a substring search tells in microseconds.
    by_attribute = "author" in html or "byline" in html
    for el in _AUTHOR_ELEMENT(tree)[:5] if by_attribute else ():
        name = " ".join("".join(el.itertext()).split())
        short = 2 <= len(name) <= 20 and not any(c in name for c in "：:|/")
        if short and (found := _as_name(name)):
            return found
    for m in _JS_AUTHOR.finditer(html):
        before = html[m.start() - 1 : m.start()]
        if not (before.isalnum() or before in ("_", "$")):  # "var", not "myvar"
            if found := _as_name(m.group(1)):
                return found
            break
    text = visible_text(tree)  # built only when nothing else named one
    # the regex has no literal to skip ahead by: a page without its keywords is not searched
    if any(key in text for key in _AUTHOR_KEYS) and (line := _AUTHOR_LINE.search(text)):
        return " ".join(line.group(1).split())
    return None


def visible_text(tree: etree._Element) -> str:
    """The page's body text, for bylines (scripts and styles are gone after the pre-pass)."""
    body = tree.find(".//body")
    return " ".join(body.itertext()) if body is not None else ""


def _date(html: str, htmldate_found: str | None) -> str | None:
    """The script variable first: WeChat's <em id="publish_time"> is filled by JavaScript."""
    return _script_date(html) or htmldate_found


def extract_page_metadata(
    tree: etree._Element, html: str, url: str | None, body_text: str
) -> Metadata:
    """Metadata of a parsed (pruned) page; ``html`` is the original markup (script
    variables), ``body_text`` the article (language)."""
    # trafilatura's extract_metadata costs half as much as the extraction itself (author and
    # "metainfo" heuristics that drop Chinese names anyway); its cheap parts are used here:
    # <meta> tags, JSON-LD, title heuristics, and htmldate without the extensive search
    # (dateparser over free text: 30x the cost, and a guess).
    meta = examine_meta(_page_metas(tree))
    with contextlib.suppress(Exception):  # malformed JSON-LD is common; the rest still counts
        meta = extract_meta_json(tree, meta)
    meta.title = meta.title or extract_title(tree)
    meta.sitename = meta.sitename or extract_sitename(tree)
    if meta.author and " " not in meta.author and not _CJK.search(meta.author):
        meta.author = None  # a handle or id ("L_104485"), not a name
    try:
        meta.date = find_date(tree, url=url, extensive_search=False, original_date=True)
    except (ValueError, TypeError):
        meta.date = None
    sitename = meta.sitename or None
    title = meta.title or _first(tree, ("//title/text()",))
    canonical = _first(
        tree, ("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content")
    )
    if canonical and url:
        canonical = join_url(url, canonical)  # None when malformed: the page's own URL
    declared = _first(tree, ("/html/@lang", "//meta[@http-equiv='content-language']/@content"))
    return Metadata(
        title=strip_site_suffix(title, sitename) if title else None,
        author=_author(tree, html, meta.author),
        published=_date(html, meta.date),
        sitename=sitename,
        lang=detect_lang(body_text, declared),
        canonical_url=canonical,
    )

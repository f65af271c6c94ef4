"""Page metadata that holds on Chinese pages.

trafilatura's metadata is the base; we fix what it gets wrong on these pages: it drops
any author without a space (every Chinese name), misses the publish time WeChat keeps in
a script variable (``var ct = "1712345678"``), and keeps the " | site name" suffix when
``og:title`` is absent.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urljoin

from lxml import etree
from trafilatura.metadata import extract_metadata

from ..document import Metadata

_TITLE_SEPARATORS = re.compile(r"\s+[|｜\-–—_·»:]\s+|\s*[|｜_]\s*|\s+-\s*|\s*——\s*")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_LATIN = re.compile(r"[A-Za-z]")
_SCRIPT_TIMESTAMP = re.compile(
    r"""\b(?:var\s+)?(?:ct|publish_time|create_time|pubtime|publishTime|createTime)\s*[=:]\s*"""
    r"""["']?(\d{10})(?!\d)""",
)
_AUTHOR_META = (
    "//meta[@name='author']/@content",
    "//meta[@property='article:author']/@content",
    "//meta[@property='og:article:author']/@content",
)
_AUTHOR_LINE = re.compile(r"(?:作者|文|撰文|记者)\s*[:：|/／]\s*([\u3400-\u9fff·]{2,8}(?:[、,，\s]+[\u3400-\u9fff·]{2,8}){0,3})")
_JS_AUTHOR = re.compile(r"""\bvar\s+(?:author|nickname)\s*=\s*["']([^"'<>]{2,40})["']""")


def strip_site_suffix(title: str, sitename: str | None) -> str:
    """"Article – Site" -> "Article": drop the part that names the site, keep the longest."""
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
    m = _SCRIPT_TIMESTAMP.search(html)
    if not m:
        return None
    return datetime.fromtimestamp(int(m.group(1)), tz=UTC).date().isoformat()


def _author(tree: etree._Element, html: str, traf_author: str | None, text: str) -> str | None:
    if traf_author:
        return traf_author
    if found := _first(tree, _AUTHOR_META):
        return found
    if m := _JS_AUTHOR.search(html):
        return m.group(1).strip()
    if m := _AUTHOR_LINE.search(text[:2000]):
        return m.group(1)
    return None


def _date(html: str, htmldate_found: str | None) -> str | None:
    """The script variable first: WeChat's <em id="publish_time"> is filled by JavaScript."""
    return _script_date(html) or htmldate_found


def extract_page_metadata(
    tree: etree._Element, html: str, url: str | None, page_text: str, body_text: str
) -> Metadata:
    """Metadata of a parsed page; ``page_text`` is all visible text, ``body_text`` the article."""
    # htmldate's extensive search (dateparser over free text) costs 30x the rest of the page
    # and guesses; markup, URL and script variables are what we trust.
    meta = extract_metadata(tree, default_url=url, extensive=False)
    sitename = meta.sitename or None
    title = meta.title or _first(tree, ("//title/text()",))
    canonical = _first(tree, ("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"))
    if canonical and url:
        canonical = urljoin(url, canonical)
    declared = _first(tree, ("/html/@lang", "//meta[@http-equiv='content-language']/@content"))
    return Metadata(
        title=strip_site_suffix(title, sitename) if title else None,
        author=_author(tree, html, meta.author, page_text),
        published=_date(html, meta.date),
        sitename=sitename,
        lang=detect_lang(body_text, declared),
        canonical_url=canonical,
    )

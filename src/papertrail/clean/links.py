"""The article's region of the DOM: where its links, printed ids and headings are read.

Which papers an article cites must not depend on how strict the body-text extractor was
on one paragraph: trafilatura in precision mode drops a paragraph that is only a link
(``<p><a href="https://arxiv.org/abs/...">...</a></p>`` after ``<p>论文链接：</p>``). So
links and printed ids are read from the DOM: the container the cleaner chose
(:func:`.container.choose_container`, on the pre-pass's pruned page) minus the chrome that
can still sit inside it (navigation, comment threads, share bars, related/recommended
lists, sidebar widgets, a "推荐阅读" list at the end of a WeChat post), and
:func:`keep_link_lines` makes sure the link lines stay in the text.

A chrome-looking element that holds most of the region's prose is the article itself
(a theme that wraps posts in ``class="content share-wrap"``), so it is never cut.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin

from lxml import etree
from trafilatura.utils import RE_FILTER

from ..document import Link
from .container import _prose
from .rules import PAPERISH, class_id_reason

# Tags that are chrome wherever they sit (a <header> inside the region is the article's).
_CHROME_TAGS = frozenset({"nav", "aside", "footer", "form", "button", "select", "textarea"})
_SKIP = frozenset({"script", "style", "noscript", "template", "iframe", "object", "svg"})
# The label that opens a list of other posts; everything after it in its parent is chrome.
_LIST_LABEL = re.compile(
    r"[#【\[]?\s*(?:(?:相关|推荐|往期|热门|延伸|更多|精彩)(?:阅读|文章|推荐|回顾|精选|好文|帖子|"
    r"新闻|内容)|猜你喜欢)\s*[】\]]?\s*[:：]?|(?:related|recommended|popular)\s+"
    r"(?:posts?|articles?|reading)\s*:?|you may also like\s*:?",
    re.IGNORECASE,
)
_LABEL_MAX = 20
_HIDDEN = re.compile(r"display\s*:\s*none", re.IGNORECASE)
# The region holds this share of the page's prose (as the container does).
_REGION_SHARE = 0.9
# Below these the region would be one paragraph: its parent is the article.
_ONE_BLOCK = frozenset({"p", "li", "span", "font", "b", "strong"})
# A chrome-looking element holding this share of the region's prose is the article.
_ARTICLE_SHARE = 0.5
BLOCK_TAGS = frozenset(
    {
        "p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "tr",
        "td", "th", "table", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6",
        "figure", "figcaption", "header", "br", "hr",
    }
)  # fmt: skip
_INNER_BLOCKS = BLOCK_TAGS - {"br"}
# Elements whose ``cite`` attribute names the source of what they quote.
_CITING = frozenset({"blockquote", "q"})
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_EMPHASIS = frozenset({"strong", "b"})
_MAX_HEADING = 80
_SENTENCE_END = tuple("。！？!?；;，,…")
_NOT_HEADING_END = (*_SENTENCE_END, ":", "：")
# A heading opens a section: the block after it holds this much text outside links.
_OPENS = 30
# Anchor texts that name a paper link line: "PDF", "Code", "项目地址"...
_LINE_LABEL = re.compile(
    r"(?:pdf|paper|code|github|project(?:\s*page)?|arxiv|demo|website|homepage|link|"
    r"论文|代码|项目|地址|链接|主页|原文|下载)[\w\s:：/-]{0,12}",
    re.IGNORECASE,
)
# The heading of an article's reference list (numbering, "#" and a colon allowed).
_REFERENCES = re.compile(
    r"[#\d.\s]*(?:references?(?:\s*(?:&|and)\s*sources?)?|sources?|bibliography|works cited|"
    r"citations?|further reading|参考(?:文献|资料|链接|阅读)?|引用(?:文献)?|相关论文|论文链接)"
    r"\s*[:：]?",
    re.IGNORECASE,
)
_URLISH = re.compile(r"(?:https?://|www\.)\S+|\S+\.\S+/\S*", re.IGNORECASE)


@dataclass(slots=True)
class Region:
    """What the article's region of the page says, read before text extraction."""

    text: str = ""  # visible text, blocks on their own lines
    links: list[Link] = field(default_factory=list)  # <a href> targets, absolute, in order
    headings: list[str] = field(default_factory=list)  # section headings, in order


def _classes(el: etree._Element) -> list[str]:
    names = (el.get("class") or "").split()
    if ident := el.get("id"):
        names.append(ident)
    return names


def _own_text(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


def _looks_chrome(el: etree._Element) -> bool:
    if el.tag in _CHROME_TAGS:
        return True
    if _HIDDEN.search(el.get("style") or "") or el.get("hidden") is not None:
        return True
    return any(class_id_reason(name) is not None for name in _classes(el))


def _list_label_cuts(region: etree._Element) -> list[etree._Element]:
    """Everything after a "推荐阅读" / "Related posts" label, at the label's block level."""
    cut: list[etree._Element] = []
    for el in region.iter(*BLOCK_TAGS - {"br", "hr"}, "strong", "b", "span"):
        # a label is one short text node, alone or in one inline child: skip the rest
        # without joining their text (that would be quadratic in the nesting depth)
        if el is region or len(el) > 1 or len((el.text or "").strip()) > _LABEL_MAX:
            continue
        if not _LIST_LABEL.fullmatch(_own_text(el)):
            continue
        # climb to the outermost block that holds nothing but the label
        block = el
        while (parent := block.getparent()) is not None and parent is not region:
            if _own_text(parent) != _own_text(el):
                break
            block = parent
        cut.append(block)
        cut.extend(block.itersiblings())
    return cut


def chrome_in(
    region: etree._Element, totals: dict[etree._Element, int] | None = None
) -> set[etree._Element]:
    """Every element inside ``region`` that is chrome or inside chrome (see module doc).

    ``totals``: prose per element (:func:`.container._prose`) when the caller has it.
    """
    if totals is None or region not in totals:
        totals = {}
        _prose(region, totals)
    limit = _ARTICLE_SHARE * max(totals.get(region, 0), 1)
    # as in the pre-pass: inside code, class names are syntax tokens (hljs-comment)
    in_code = {el for code in region.iter("pre", "code") for el in code.iter()}
    roots = [
        el
        for el in region.iterdescendants()
        if isinstance(el.tag, str)
        and el not in in_code
        and _looks_chrome(el)
        and totals.get(el, 0) < limit
    ]
    roots += [el for el in _list_label_cuts(region) if totals.get(el, 0) < limit]
    inside: set[etree._Element] = set()
    for root in roots:
        if root not in inside:
            inside.update(root.iter())
    return inside


def article_region(tree: etree._Element) -> etree._Element | None:
    """The element the cleaner treats as the article (see :func:`region_and_prose`)."""
    return region_and_prose(tree)[0]


def region_and_prose(
    tree: etree._Element,
) -> tuple[etree._Element | None, dict[etree._Element, int]]:
    """The article's region and the prose per element (for :func:`chrome_in`).

    The region is the container :func:`.container.choose_container` picks, by the same
    descent (the smallest element holding 90% of the page's prose). Where the cleaner
    gives up and keeps the whole page (the article is most of it, so narrowing saves
    little; or too little prose to judge) the region is still that element: a sidebar
    next to a long article is not the article's either.
    """
    totals: dict[etree._Element, int] = {}
    body = tree.find("body")
    if body is None:
        return None, totals
    total = _prose(body, totals)
    node = body
    while total:
        best = max((c for c in node if c in totals), key=totals.__getitem__, default=None)
        if best is None or totals[best] < _REGION_SHARE * total:
            break
        node = best
    if node is not body and node.tag in _ONE_BLOCK:
        # one block holds it all: its heading and siblings may belong to the article too
        node = node.getparent() if node.getparent() is not None else node
    return node, totals


def read_region(
    region: etree._Element, base: str | None, chrome: set[etree._Element] | None = None
) -> Region:
    """Visible text, links and headings of ``region``, chrome left out."""
    chrome = chrome_in(region) if chrome is None else chrome
    parts: list[str] = []
    links: list[Link] = []
    headings: list[str] = []

    def walk(el: etree._Element) -> None:
        if not isinstance(el.tag, str) or el.tag in _SKIP or el in chrome:
            return
        block = el.tag in BLOCK_TAGS
        if block:
            parts.append("\n")
        if el.tag in _HEADINGS or _is_emphasis_line(el):
            heading = _own_text(el)
            if heading:
                headings.append(heading)
        if el.tag == "a" and (href := absolute_url(el.get("href"), base)):
            links.append(Link(href=href, text=_own_text(el)))
        elif el.tag in _CITING and (href := absolute_url(el.get("cite"), base)):
            links.append(Link(href=href))  # <blockquote cite="...">: the quote's source
        parts.append(el.text or "")
        for child in el:
            walk(child)
            parts.append(child.tail or "")
        if block:
            parts.append("\n")

    walk(region)
    lines = (" ".join(line.split()) for line in "".join(parts).splitlines())
    return Region(text="\n".join(line for line in lines if line), links=links, headings=headings)


def _is_emphasis_line(el: etree._Element) -> bool:
    """``<p><strong>Heading</strong></p>``: a block holding nothing but bold text."""
    if el.tag not in ("p", "section", "div") or len(el) != 1 or el[0].tag not in _EMPHASIS:
        return False
    return not (el.text or "").strip() and not (el[0].tail or "").strip()


def absolute_url(href: str | None, base: str | None) -> str | None:
    """A link target as an absolute http(s) URL, or None: empty, a fragment,
    ``javascript:``/``mailto:``, another scheme, or a target no URL parser accepts.
    Schemes are case-insensitive (``HTTPS://ARXIV.ORG/ABS/...`` is a link)."""
    href = (href or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:")):
        return None
    joined = join_url(base, href)
    return joined if joined and joined[:8].lower().startswith(_WEB) else None


_WEB = ("http://", "https://")


def link_base(tree: etree._Element, url: str | None) -> str | None:
    """What the page's relative links resolve against: its ``<base href>`` (itself
    resolved against the page's URL), else the URL. A roundup page that sets
    ``<base href="https://arxiv.org/">`` and links ``abs/2403.19928`` cites that paper."""
    head = tree.find("head")
    for el in head.iter("base") if head is not None else ():
        href = (el.get("href") or "").strip()
        if href:
            joined = join_url(url, href)
            return joined if joined and joined[:8].lower().startswith(_WEB) else url
    return url


def join_url(base: str | None, href: str) -> str | None:
    """``href`` made absolute against ``base``; None for a target no URL parser accepts
    (``http://[::1``, a broken IPv6 host): one such link used to raise out of the clean
    stage and fail the whole page (``clean:parse_failed``)."""
    return _join(base, href) if base else _join(href, "")


@lru_cache(maxsize=8192)
def _join(base: str, href: str) -> str | None:
    """urljoin, cached: a page repeats its link targets (menus, tags) many times."""
    try:
        return urljoin(base, href)
    except ValueError:
        return None


def _leaf_blocks(region: etree._Element) -> list[etree._Element]:
    """Blocks with no block inside them (``<br>`` aside), in document order; one pass."""
    blocks = [el for el in region.iter(*_INNER_BLOCKS - {"br"})]
    inner: set[etree._Element] = set()
    for el in blocks:
        parent = el.getparent()
        while parent is not None and parent.tag not in _INNER_BLOCKS:
            parent = parent.getparent()
        if parent is not None:
            inner.add(parent)
    return [el for el in blocks if el not in inner]


def keep_link_lines(region: etree._Element, chrome: set[etree._Element] | None = None) -> int:
    """Unwrap the ``<a>`` of link-only lines so the extractor keeps them as text.

    A block whose text is all link text, each anchor a URL or a short label ("PDF",
    "Code", "项目地址"), is a link line of the article: as a link, precision mode drops it
    (link density 1); as plain text it stays, and ``论文链接：`` is followed by its URL.
    A loose ``<section>``/``<div>`` line citing a paper becomes a paragraph for the same
    reason. Returns how many anchors were unwrapped.
    """
    chrome = chrome_in(region) if chrome is None else chrome
    unwrapped = 0
    for block in _leaf_blocks(region):
        if block in chrome:
            continue
        if block.tag in ("section", "div") and _cites_paper(block):
            # trafilatura recovers paragraphs, not a loose section (WeChat's
            # "论文地址：https://arxiv.org/..." line): as a paragraph the line stays
            block.tag = "p"
        anchors = [a for a in block.iter("a") if a.get("href")]
        if not anchors:
            continue
        labels = [_own_text(a) for a in anchors]
        rest = "".join(_own_text(block).split())
        for label in labels:
            rest = rest.replace("".join(label.split()), "", 1)
        if len(rest) > 12 or not all(label and _is_line_anchor(label) for label in labels):
            continue
        for a, label in zip(anchors, labels, strict=True):
            # as text, in place (the href was read before this); trafilatura drops a line
            # reading only "PDF" or "Google" as a share button, but keeps inline code
            a.tag = "code" if RE_FILTER.match(label) else "span"
            for attr in list(a.attrib):
                del a.attrib[attr]
            unwrapped += 1
    return unwrapped


def keep_reference_lists(region: etree._Element, chrome: set[etree._Element] | None = None) -> int:
    """Unwrap the ``<a>`` of a list under a "References" / "参考文献" heading.

    An article's reference list is its own text (and, on our pages, where its papers are
    named), but each item is one link titled by the work it cites: as links, precision
    mode drops the whole list (link density 1). As plain text it stays, and a paper's
    title there is where its id points. Returns how many anchors were unwrapped.
    """
    chrome = chrome_in(region) if chrome is None else chrome
    unwrapped = 0
    for block in list(region.iter("ul", "ol")):
        if block in chrome:
            continue
        label = block.getprevious()
        if label is None or label in chrome:
            continue
        if label.tag not in _HEADINGS and not _is_emphasis_line(label):
            continue
        if not _REFERENCES.fullmatch(_own_text(label)):
            continue
        for a in list(block.iter("a")):
            a.tag = "span"
            a.attrib.clear()
            unwrapped += 1
    return unwrapped


def mark_headings(region: etree._Element, chrome: set[etree._Element] | None = None) -> int:
    """Make each section heading of the region a bold ``<p>``.

    Editors write a roundup item's heading as ``<h2>`` or, WeChat's above all, as a bold
    ``<section>``; when trafilatura recognises no article container it recovers only
    paragraphs (not sections, divs, or even ``<h2>``), so the heading a paper's item is
    named by was lost. As a bold paragraph it is kept either way. Only a heading that
    opens a section (prose follows it) is changed: a bold label over a list of links
    ("消费热点") stays as it was. Returns how many blocks were changed.
    """
    chrome = chrome_in(region) if chrome is None else chrome
    renamed = 0
    for block in list(region.iter("section", "div", *_HEADINGS[1:])):
        if block in chrome:
            continue
        is_heading = block.tag in _HEADINGS
        if not is_heading and not _is_emphasis_line(block):
            continue
        heading = _own_text(block)
        if not heading or len(heading) > _MAX_HEADING or heading.endswith(_NOT_HEADING_END):
            continue
        following = block.getnext()
        if following is None or following in chrome or _unlinked_chars(following) < _OPENS:
            continue  # a bold label over a list of links ("消费热点") opens no section
        if is_heading:  # <h2>text</h2> -> <p><strong>text</strong></p>
            strong = block.makeelement("strong", {})
            strong.text, block.text = block.text, None
            for child in list(block):
                strong.append(child)
            block.append(strong)
            block.attrib.clear()
        block.tag = "p"
        renamed += 1
    return renamed


def _unlinked_chars(el: etree._Element) -> int:
    total = len("".join("".join(el.itertext()).split()))
    return total - sum(len("".join("".join(a.itertext()).split())) for a in el.iter("a"))


def _cites_paper(block: etree._Element) -> bool:
    """Cheap test: an arXiv-like URL, id or DOI in the block's text or link targets."""
    hrefs = " ".join(a.get("href") or "" for a in block.iter("a"))
    return bool(PAPERISH.search(hrefs) or PAPERISH.search("".join(block.itertext())))


def _is_line_anchor(text: str) -> bool:
    return bool(_URLISH.fullmatch(text) or _LINE_LABEL.fullmatch(text))

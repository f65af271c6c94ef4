"""Main-content extraction with trafilatura, options chosen by measurement.

See ``docs/cleaning.md`` for the figures behind :data:`TRAFILATURA_OPTIONS`: precision
mode wins on both corpora once the pre-pass has run; links are asked for because we need
them (they do not change what text is kept); tables stay (papers' result tables are
article text); formatting off (markdown marks would pollute the text).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from trafilatura import bare_extraction
from trafilatura.utils import load_html
from trafilatura.xml import xmltotxt

from ..document import Link

TRAFILATURA_OPTIONS: dict[str, Any] = {
    "favor_precision": True,
    "include_links": True,
    "include_tables": True,
    "include_formatting": False,
    "include_comments": False,
    "include_images": False,
    "with_metadata": False,
    "deduplicate": False,
}


@dataclass(slots=True)
class MainContent:
    text: str
    links: list[Link]
    # True when the output is a small share of the page's prose: trafilatura settled on a
    # title or teaser box (seen after pruning changed its choice); the caller retries.
    missed_prose: bool = False


def _links(body: etree._Element, base: str | None) -> list[Link]:
    links: list[Link] = []
    seen: set[str] = set()
    for ref in body.iter("ref"):
        target = (ref.get("target") or "").strip()
        if not target or target.startswith(("#", "javascript:", "mailto:")):
            continue
        href = urljoin(base, target) if base else target
        if not href.startswith(("http://", "https://")) or href in seen:
            continue
        seen.add(href)
        links.append(Link(href=href, text=" ".join("".join(ref.itertext()).split())))
    return links


# A table whose cells are mostly link text, or hold blocks, lays out the page.
_DATA_TABLE_MAX_LINK_DENSITY = 0.5
_DATA_CELL_MAX_CHARS = 300
_BLOCK_TAGS = ("table", "form")
_TABLE_PARTS = ("table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption")


def _text_len(el: etree._Element) -> int:
    return len("".join("".join(el.itertext()).split()))


def _is_layout_table(table: etree._Element) -> bool:
    """Old portals lay whole pages out in tables; real data tables are grids of short cells."""
    if next(table.iterdescendants(*_BLOCK_TAGS), None) is not None:
        return True  # a table or form inside: layout (checked first: it is cheap)
    rows = table.findall(".//tr")
    if len(rows) < 2 or max(len(r.findall("td")) + len(r.findall("th")) for r in rows) < 2:
        return True
    if any(_text_len(cell) > _DATA_CELL_MAX_CHARS for cell in table.iter("td", "th")):
        return True
    total = _text_len(table)
    linked = sum(_text_len(a) for a in table.iter("a"))
    return total == 0 or linked > _DATA_TABLE_MAX_LINK_DENSITY * total


def untable_layout(tree: etree._Element) -> int:
    """Turn layout tables into divs so trafilatura judges each cell as a block.

    Kept as tables, their rows come out as ``| cell | cell |`` lines mixing menus,
    ads and the article. Returns how many tables were converted.
    """
    layout = [t for t in tree.iter("table") if _is_layout_table(t)]
    parts = [
        el
        for table in layout
        for el in table.iter(*_TABLE_PARTS)
        if el is table or (el.tag != "table" and _owner(el) is table)
    ]
    for el in parts:
        el.tag = "div"
    return len(layout)


def _owner(el: etree._Element) -> etree._Element | None:
    return next(el.iterancestors("table"), None)


# Prose: an element whose own text (not its children's) is at least this long.
_PROSE_BLOCK_CHARS = 60
# A small output (a title, a teaser box) under this share of the page's prose means
# trafilatura missed the article. Longer outputs are trusted: retries on those mostly add
# teaser lists (measured on both corpora).
_SMALL_OUTPUT = 500
_MIN_PROSE_SHARE = 0.5


_INLINE = frozenset({"b", "strong", "i", "em", "u", "span", "font", "small", "big", "sup", "sub"})


def prose_chars(tree: etree._Element) -> int:
    """Characters of sentence-length text blocks on the page (own text, not links)."""
    total = 0
    for el in tree.iter("p", "div", "td", "section", "li", "blockquote"):
        own = (el.text or "") + "".join(
            (child.tail or "") + ((child.text or "") if child.tag in _INLINE else "")
            for child in el
        )
        length = len("".join(own.split()))
        if length >= _PROSE_BLOCK_CHARS:
            total += length
    return total


def _run(tree: etree._Element, url: str | None, options: dict[str, Any]) -> MainContent:
    result = bare_extraction(tree, url=url, **options)
    body = getattr(result, "body", None)
    if body is None:
        return MainContent("", [])
    links = _links(body, url)
    etree.strip_tags(body, "ref")
    return MainContent(xmltotxt(body, include_formatting=False), links)


def extract_main(html: str | etree._Element, url: str | None, **overrides: Any) -> MainContent:
    """The article body of ``html`` (markup, or a parsed tree it may consume) as text
    lines plus the links inside it."""
    options = {**TRAFILATURA_OPTIONS, **overrides}
    tree = load_html(html) if isinstance(html, str) else html
    if tree is None:
        return MainContent("", [])
    untable_layout(tree)
    prose = prose_chars(tree)
    main = _run(tree, url, options)
    chars = len("".join(main.text.split()))
    main.missed_prose = chars < _SMALL_OUTPUT and chars < _MIN_PROSE_SHARE * prose
    return main

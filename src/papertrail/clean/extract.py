"""Main-content extraction with trafilatura, options chosen by measurement.

See ``docs/cleaning.md`` for the figures behind :data:`TRAFILATURA_OPTIONS`: precision
mode wins on both corpora once the pre-pass has run; links are asked for because we need
them (they do not change what text is kept); tables stay (papers' result tables are
article text); formatting off (markdown marks would pollute the text).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree
from trafilatura import bare_extraction
from trafilatura.xml import xmltotxt

from ..document import Link
from .container import narrow
from .links import absolute_url, link_base
from .tree import load_tree

TRAFILATURA_OPTIONS: dict[str, Any] = {
    "favor_precision": True,
    "fast": False,  # the full cascade; extract_main tries fast mode first
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
        href = absolute_url(ref.get("target"), base)
        if not href or href in seen:
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
    layout = {t for t in tree.iter("table") if _is_layout_table(t)}
    if not layout:
        return 0
    # One pass: each row and cell belongs to its nearest table (renaming as we go would
    # change what "nearest table" means for the elements after it).
    parts = [
        el for el in tree.iter(*_TABLE_PARTS) if (el if el.tag == "table" else _owner(el)) in layout
    ]
    prose_cells = sorted(
        ((sum(runs), i) for i, el in enumerate(parts) if (runs := _prose_runs(el))), reverse=True
    )
    # One article typed into a cell: its lines become paragraphs. Several cells of comparable
    # prose are a listing (blog archive, forum thread): trafilatura's own choice stands.
    if prose_cells and (len(prose_cells) == 1 or prose_cells[1][0] * 2 < prose_cells[0][0]):
        _wrap_runs(parts[prose_cells[0][1]])
    for el in parts:
        el.tag = "div"
    return len(layout)


# A layout cell holding this much text of its own (outside child blocks and links), one
# line of it sentence-length, is the article typed straight into the cell, lines split by <br>.
_LOOSE_PROSE_CHARS = 200
_INLINE_RUN = frozenset(
    {"a", "b", "strong", "i", "em", "u", "span", "font", "small", "big", "sup", "sub", "br"}
)


def _loose_runs(cell: etree._Element) -> list[int]:
    """Lengths of the <br>-separated runs of text sitting directly in ``cell`` or in its
    inline children, link text left out (a list of linked titles is not prose)."""
    runs = [len("".join((cell.text or "").split()))]
    for child in cell:
        if child.tag == "br" or child.tag not in _INLINE_RUN:
            runs.append(0)
        elif child.tag != "a":
            runs[-1] += len("".join("".join(child.itertext()).split()))
        runs[-1] += len("".join((child.tail or "").split()))
    return runs


def _prose_runs(el: etree._Element) -> list[int] | None:
    """The loose-text runs of a cell that holds prose typed straight into it, else None."""
    if el.tag not in ("td", "th"):
        return None
    runs = _loose_runs(el)
    return runs if sum(runs) >= _LOOSE_PROSE_CHARS and max(runs) >= _PROSE_BLOCK_CHARS else None


def _wrap_runs(cell: etree._Element) -> None:
    """Wrap each <br>-separated run of loose text and inline elements in a <p>.

    trafilatura reads a <div> holding bare text and <br> as one opaque block (or drops it
    when the page also has real paragraphs); as paragraphs it judges each line as text.
    """
    children = list(cell)
    text, cell.text = cell.text, None
    for child in children:
        cell.remove(child)
    run = etree.SubElement(cell, "p")
    run.text = text

    def new_run() -> etree._Element:
        return etree.SubElement(cell, "p")

    for child in children:
        tail, child.tail = child.tail, None
        if child.tag == "br":
            run = new_run()
        elif child.tag in _INLINE_RUN:
            run.append(child)
        else:  # a block: stays as it is, between runs
            cell.append(child)
            run = new_run()
        if tail:
            if len(run):
                run[-1].tail = (run[-1].tail or "") + tail
            else:
                run.text = (run.text or "") + tail
    for para in cell.findall("p"):
        if not len(para) and not (para.text or "").strip():
            cell.remove(para)


def paragraph_divs(tree: etree._Element) -> int:
    """Make a <div> that holds only a sentence-length run of text and inline elements a <p>.

    Old pages (and layout cells turned into divs) write paragraphs as divs. When trafilatura
    recognises no article container it recovers only <p>, <table>, <code> and quotes, so
    such a page came back empty from its main extractor (a second, full run was needed) and
    lost headings. readability makes the same move (its DIV_TO_P step).
    """
    changed = 0
    for div in tree.iter("div"):
        if any(child.tag not in _INLINE_RUN for child in div):
            continue
        runs = _loose_runs(div)
        if max(runs) >= _PROSE_BLOCK_CHARS:
            div.tag = "p"
            changed += 1
    return changed


def _owner(el: etree._Element) -> etree._Element | None:
    return next(el.iterancestors("table"), None)


# Prose: an element whose own text (not its children's) is at least this long.
_PROSE_BLOCK_CHARS = 60
# A small output (a title, a teaser box) under this share of the page's prose means
# trafilatura missed the article. Longer outputs are trusted: retries on those mostly add
# teaser lists (measured on both corpora).
_SMALL_OUTPUT = 500
_MIN_PROSE_SHARE = 0.5
# A fast-mode output shorter than this runs the full cascade: trafilatura's own
# min_extracted_size, below which it calls an extraction short and asks jusText. Every page
# where the cascade changed the result (16 of 250) came back under it in fast mode.
_FAST_TRUSTED = 250


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


def _run(
    tree: etree._Element, url: str | None, options: dict[str, Any], base: str | None
) -> MainContent:
    """trafilatura on ``tree``; its links resolved against ``base`` (:func:`.links.link_base`
    of the whole page: a narrowed tree has no ``<head>``, so no ``<base>``)."""
    result = bare_extraction(tree, url=url, **options)
    body = getattr(result, "body", None)
    if body is None:
        return MainContent("", [])
    links = _links(body, base)
    etree.strip_tags(body, "ref")
    text = xmltotxt(body, include_formatting=False)
    comments = getattr(result, "commentsbody", None)
    if options.get("include_comments") and comments is not None and len(comments):
        # trafilatura keeps comments (a thread's replies) apart from the body; extract()
        # prints them after it, and so do we
        links += [link for link in _links(comments, base) if link not in links]
        etree.strip_tags(comments, "ref")
        text = "\n".join(t for t in (text, xmltotxt(comments, include_formatting=False)) if t)
    return MainContent(text, links)


PLAIN_OPTIONS: dict[str, Any] = {
    **TRAFILATURA_OPTIONS,
    "favor_precision": False,
    "include_comments": True,  # trafilatura's default: a thread's replies, a product's reviews
    # Asking for links changes what trafilatura keeps (link-heavy blocks judged otherwise:
    # a collection page came out three times as long); links are read off the page below.
    "include_links": False,
}


def _links_in_text(tree: etree._Element, text: str, base: str | None) -> list[Link]:
    """The page's links whose anchor text is printed in ``text``, in page order, once each."""
    flat = " ".join(text.split())
    links: list[Link] = []
    seen: set[str] = set()
    for a in tree.iter("a"):
        if not a.get("href"):
            continue
        label = " ".join("".join(a.itertext()).split())
        if not label or label not in flat:  # tested first: urljoin costs more
            continue
        href = absolute_url(a.get("href"), base)
        if href and href not in seen:
            seen.add(href)
            links.append(Link(href=href, text=label))
    return links


def extract_plain(html: str | etree._Element, url: str | None, **overrides: Any) -> MainContent:
    """trafilatura's default extraction of the whole page, and the links printed in it."""
    tree = load_tree(html) if isinstance(html, str) else html
    if tree is None:
        return MainContent("", [])
    base = link_base(tree, url)
    main = _run(tree, url, {**PLAIN_OPTIONS, **overrides}, base)
    main.links = _links_in_text(tree, main.text, base)
    return main


def extract_main(
    html: str | etree._Element,
    url: str | None,
    *,
    whole_page: bool = False,
    cascade_below: int | None = None,
    **overrides: Any,
) -> MainContent:
    """The article body of ``html`` (markup, or a parsed tree) as text lines plus the links
    inside it.

    trafilatura runs in fast mode first: its fallback extractors (readability, then jusText)
    cost as much as the main extractor and change the result only when the main one comes
    back short. Below :data:`_FAST_TRUSTED` characters the full cascade runs, which is what
    trafilatura itself would have returned (measured: half the extraction time, no page
    lost on either corpus; see docs/cleaning.md). Unless ``whole_page``, trafilatura sees
    only the article container :func:`.container.narrow` chooses.
    """
    options = {**TRAFILATURA_OPTIONS, **overrides}
    trusted = _FAST_TRUSTED if cascade_below is None else cascade_below
    tree = load_tree(html) if isinstance(html, str) else html
    if tree is None:
        return MainContent("", [])
    base = link_base(tree, url)  # before narrowing drops the <head>
    untable_layout(tree)
    if not whole_page:
        tree = narrow(tree)
    main = _run(tree, url, {**options, "fast": True}, base)  # bare_extraction copies the tree
    chars = len("".join(main.text.split()))
    if chars < trusted and paragraph_divs(tree):
        main = _run(tree, url, {**options, "fast": True}, base)
        chars = len("".join(main.text.split()))
    if chars < trusted and not options.get("fast"):
        main = _run(tree, url, options, base)
        chars = len("".join(main.text.split()))
    main.missed_prose = chars < _SMALL_OUTPUT and chars < _MIN_PROSE_SHARE * prose_chars(tree)
    return main

"""The clean stage: article text, in-article links and metadata from a page.

HTML (``doc.kind`` "http" / "html_file"): selectolax pre-pass (:mod:`.prepass`, rules in
:mod:`.rules`) -> article container by prose density (:mod:`.container`) -> trafilatura
(:mod:`.extract`) -> line post-filter (:mod:`.lines`).
Text (``"text_file"``): block classification (:mod:`.textmode`) -> the same line filter.
Everything here is a pure function of its inputs (no global state), so pages can be
cleaned in a process pool under a time limit.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from lxml import etree
from selectolax.lexbor import LexborHTMLParser

from ..document import Document, Link, Metadata
from ..errors import ExtractError
from .behaviour import Behaviour, behaviour_for
from .blocks import select as select_blocks
from .extract import extract_main, extract_plain, untable_layout
from .guard import defuse
from .lines import LineFilter, drop_repeated_lines, filter_lines, merge_in_order
from .links import (
    Region,
    chrome_in,
    keep_link_lines,
    keep_reference_lists,
    link_base,
    mark_headings,
    read_region,
    region_and_prose,
)
from .metadata import detect_lang, extract_page_metadata
from .pagetype import classify_tree
from .prepass import keep_paper_targets, prepass
from .rules import TARGET_HINT
from .second import justext_paragraphs
from .textmeta import text_metadata
from .textmode import extract_text
from .tree import load_tree
from .wechat import source_link

# Bump whenever rules or options change output: the fetch ledger re-cleans archived pages.
EXTRACTOR_VERSION = "clean-1.13"

# Pruned markup larger than this (characters) is extracted without trafilatura's fallbacks.
FAST_EXTRACTION_ABOVE = 2_000_000
# Below this share of the page's <p> text the output lost the article: whole-page fallback.
# Chosen on the tuning part (0.1-0.3 all scored alike there; 0.4 began to cost zh pages).
MIN_PARAGRAPH_SHARE = 0.2
PLAIN = Behaviour(plain=True)
_SPACE = re.compile(r"\s+")
# A retry must find this much more text to replace the first extraction.
_RETRY_GAIN = 1.5
_URL = re.compile(r"https?://[^\s<>\"'，。、；）)】」]+")
_URL_TRAILING = ".,;:!?"
# Languages the block model never saw (no spaces between words: its counts mean nothing).
CJK_LANGS = frozenset({"zh", "ja", "ko"})


@dataclass(slots=True)
class Extraction:
    """What cleaning one page produced."""

    text: str
    links: list[Link] = field(default_factory=list)
    meta: Metadata = field(default_factory=Metadata)
    stats: Counter[str] = field(default_factory=Counter)  # drops per pre-pass/line rule
    region: Region | None = None  # HTML only: the article's region of the DOM, read
    page_type: str = "article"  # see :mod:`.pagetype`


def printed_links(text: str) -> list[Link]:
    """The http(s) URLs printed in ``text``, in order, once each."""
    links: list[Link] = []
    seen: set[str] = set()
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_URL_TRAILING)
        if url not in seen:
            seen.add(url)
            links.append(Link(href=url, text=url))
    return links


def clean_html(
    html: str, url: str | None = None, *, behaviour: Behaviour | None = None
) -> Extraction:
    """Article text, in-article links (absolute) and metadata of an HTML page.

    The page type (:mod:`.pagetype`) picks the :class:`.Behaviour` unless one is given."""
    result = _clean_html(html, url, behaviour)
    source = source_link(html)  # WeChat's "阅读原文": a link no element holds
    if source is not None and all(link.href != source.href for link in result.links):
        result.links.append(source)
    return result


def _clean_html(html: str, url: str | None, behaviour: Behaviour | None) -> Extraction:
    html = defuse(html)  # bound nesting and attributes: both parsers are quadratic in them
    page_type = "article"
    parsed = LexborHTMLParser(html)
    chosen = behaviour is not None
    if behaviour is None:
        page_type = classify_tree(parsed, url)
        behaviour = behaviour_for(page_type)
    if behaviour.plain:
        plain = _clean_plain(_with_paper_targets(html), url, behaviour, page_type)
        if behaviour.select_blocks and plain.meta.lang not in CJK_LANGS:
            selected = select_blocks(parsed, page_type, plain.text)
            if selected is not None:
                plain.text = selected
                plain.stats["blocks:selected"] += 1
        if behaviour.second_extractor:
            lines = plain.text.splitlines()
            merged = merge_in_order(lines, justext_paragraphs(html))
            plain.stats["line:second_extractor"] += len(merged) - len(lines)
            plain.text = "\n".join(merged)
        if behaviour.drop_repeats:
            plain.text, repeated = drop_repeated_lines(plain.text)
            plain.stats["line:repeated"] += repeated
        if chosen or _nonspace(plain.text):
            return plain
        # The model's whole-page path found nothing (a bare page of one paragraph, which
        # trafilatura's own cascade drops): the article rules may still find the text.
        behaviour = behaviour_for("article")
    return _clean_rules(parsed, html, url, behaviour, page_type)


def _clean_rules(
    parsed: LexborHTMLParser, html: str, url: str | None, behaviour: Behaviour, page_type: str
) -> Extraction:
    """Our rules: the pre-pass, the container, trafilatura inside it, the line filter."""
    page_prose = paragraph_chars(parsed)  # before the pre-pass, which prunes `parsed`
    pruned = prepass(parsed, hints=behaviour.hints, skip=behaviour.skip_rules, source=html)
    tree = load_tree(pruned.html)
    # Metadata first: extraction consumes the tree. The pruned page is the better source:
    # without menus and sidebars the first byline in the text is the article's.
    meta = extract_page_metadata(tree, html, url, "") if tree is not None else Metadata()
    region = _read_article_region(tree, url) if tree is not None else None
    # On very large pages trafilatura's fallback comparison (readability, jusText) is
    # superlinear (a 110,000-paragraph page: 50 s of 53) and adds nothing: skip it there,
    # and the retries below with it.
    fast = {"fast": True} if len(pruned.html) > FAST_EXTRACTION_ABOVE else {}
    options = {**behaviour.options, **fast}
    main = extract_main(
        tree if tree is not None else pruned.html,
        url,
        whole_page=not behaviour.container,
        **options,
    )
    # trafilatura settled on a title or teaser box: retry without precision mode, then on
    # the unpruned page (pruning can change which container it picks), whole: our choice of
    # container may be what went wrong.
    for retry_html, overrides in ((pruned.html, {"favor_precision": False}), (html, {})):
        if fast or not main.missed_prose:
            break
        retry = extract_main(retry_html, url, whole_page=True, **{**behaviour.options, **overrides})
        if len(retry.text) > _RETRY_GAIN * len(main.text):
            main = retry
    raw_lines = main.text.splitlines()
    lines = filter_lines(raw_lines) if behaviour.line_filter else LineFilter(kept=raw_lines)
    text = "\n".join(lines.kept)
    stats: Counter[str] = Counter({f"prepass:{k}": v for k, v in pruned.removed.items()})
    stats.update({f"line:{k}": v for k, v in lines.stats.items()})
    links = _article_links(region, main.links, text)
    meta.lang = detect_lang(text, meta.lang)  # meta.lang so far: what the page declared
    if not fast and _nonspace(text) < MIN_PARAGRAPH_SHARE * page_prose:
        # Most of the page's paragraphs are gone: pruning or the container cut the article
        # (seen on modern pages). trafilatura's own cascade on the whole page then does better.
        whole = _clean_plain(html, url, PLAIN, page_type)
        if _nonspace(whole.text) > _nonspace(text):
            whole.stats["fallback:plain"] += 1
            return whole
    return Extraction(
        text=text, links=links, meta=meta, stats=stats, region=region, page_type=page_type
    )


def _nonspace(text: str) -> int:
    return len(_SPACE.sub("", text))


def paragraph_chars(tree: LexborHTMLParser) -> int:
    """Characters of text in the page's <p> elements: the article is most of them."""
    return sum(_nonspace(node.text(deep=True)) for node in tree.css("p"))


def _with_paper_targets(html: str) -> str:
    """``html`` with the papers it cites outside links made links (as the pre-pass does on
    the rules path); unchanged, not even reserialised, where there are none."""
    if not TARGET_HINT.search(html):
        return html
    tree = LexborHTMLParser(html)  # a second parse: the page type's features read `parsed`
    # no source: the search above is the one keep_paper_targets would make
    return (tree.html or html) if keep_paper_targets(tree) else html


def _clean_plain(html: str, url: str | None, behaviour: Behaviour, page_type: str) -> Extraction:
    """trafilatura's own cascade on the whole page (:func:`.extract.extract_plain`)."""
    tree = load_tree(html)
    meta = extract_page_metadata(tree, html, url, "") if tree is not None else Metadata()
    # As on the rules path: the papers cited come from the article's region only, and its
    # link lines and section headings are marked so that trafilatura keeps them.
    region = _read_article_region(tree, url) if tree is not None else None
    fast = {"fast": True} if len(html) > FAST_EXTRACTION_ABOVE else {}
    main = extract_plain(
        tree if tree is not None else html,
        url,
        **{**behaviour.options, **fast},
    )
    raw_lines = main.text.splitlines()
    lines = filter_lines(raw_lines) if behaviour.line_filter else LineFilter(kept=raw_lines)
    text = "\n".join(lines.kept)
    stats: Counter[str] = Counter({f"line:{k}": v for k, v in lines.stats.items()})
    links = _article_links(region, main.links, text)
    meta.lang = detect_lang(text, meta.lang)
    return Extraction(
        text=text, links=links, meta=meta, stats=stats, region=region, page_type=page_type
    )


def _article_links(region: Region | None, extracted: list[Link], text: str) -> list[Link]:
    """The article's links: the region's (anchors, then URLs printed in it), whatever the
    extractor kept; without a region, the extractor's links and the URLs in its text."""
    anchors, printed_in = (region.links, region.text) if region is not None else (extracted, text)
    hrefs = {link.href for link in anchors}
    return anchors + [link for link in printed_links(printed_in) if link.href not in hrefs]


def _read_article_region(tree: etree._Element, url: str | None) -> Region | None:
    """Links, text and headings of the article's region, read before extraction; its link
    lines and bold headings are then marked in ``tree`` so trafilatura keeps them (see
    :mod:`.links`)."""
    base = link_base(tree, url)  # before untable_layout, which may restructure the page
    untable_layout(tree)  # as extract_main does first: the container is chosen after it
    element, prose = region_and_prose(tree)
    if element is None:
        return None
    chrome = chrome_in(element, prose)
    region = read_region(element, base, chrome)
    keep_link_lines(element, chrome)
    keep_reference_lists(element, chrome)
    mark_headings(element, chrome)
    return region


def clean_text(text: str) -> Extraction:
    """Article text, printed URLs and printed metadata of a page already rendered to text."""
    lines = filter_lines(extract_text(text))
    body = "\n".join(lines.kept)
    meta = text_metadata(text, lines.kept)
    stats: Counter[str] = Counter({f"line:{k}": v for k, v in lines.stats.items()})
    return Extraction(text=body, links=printed_links(body), meta=meta, stats=stats)


def clean(doc: Document) -> Document:
    """Stage: ``doc.markup`` -> ``doc.meta``, ``doc.text``, ``doc.links``."""
    if not doc.markup or not doc.markup.strip():
        raise ExtractError("nothing to clean: empty markup", reason="empty_input")
    try:
        if doc.kind == "text_file":
            result = clean_text(doc.markup)
        else:
            result = clean_html(doc.markup, doc.final_url or doc.url)
    except (etree.LxmlError, ValueError, RecursionError) as exc:  # markup no parser can read
        raise ExtractError(f"page could not be parsed: {exc}", reason="parse_failed") from exc
    if not result.text.strip():
        raise ExtractError("no article text found on the page", reason="empty_text")
    doc.meta = result.meta
    doc.text = result.text
    doc.links = result.links
    doc.region_text = result.region.text if result.region is not None else None
    doc.headings = result.region.headings if result.region is not None else []
    doc.extractor_version = EXTRACTOR_VERSION
    doc.page_type = result.page_type if doc.kind != "text_file" else None
    return doc


__all__ = ["EXTRACTOR_VERSION", "Extraction", "clean", "clean_html", "clean_text", "printed_links"]

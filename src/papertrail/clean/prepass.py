"""DOM pre-pass with selectolax (lexbor) before trafilatura.

trafilatura loses on precision, not recall, on Chinese portal pages: it keeps menus,
share bars, related lists and footers that sit next to a short article. Removing that
furniture first, with the rules in :mod:`papertrail.clean.rules`, leaves it less to get
wrong and less to parse (lexbor is several times faster than lxml at this).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .rules import (
    DROP_SELECTORS,
    EMBED_TAGS,
    EMBED_TARGETS,
    MAIN_HINTS,
    PROTECTED_TAGS,
    RAW_TARGET_TAGS,
    TARGET_BEFORE_TAGS,
    TARGET_HINT,
    TARGET_SKIP_ATTRS,
    TARGET_SKIP_TAGS,
    class_id_reason,
)

# A guarded rule spares an element holding this much text that is not link text.
_TEXT_CHARS = 150
# A main-content hint is trusted when it holds at least this many characters.
_MIN_HINT_CHARS = 80
_SPACE = re.compile(r"\s+")
_IN_CODE = "pre, code, pre [class], pre [id], code [class], code [id]"
_HIDDEN_STYLE = re.compile(r"visibility\s*:\s*hidden|opacity\s*:\s*0(?![.\d])", re.I)
# A URL inside a script, a JSON prop or free text: with a scheme, scheme-relative, or a
# bare arXiv host; it ends at a quote, a bracket, a space or a backslash.
_URL_IN_VALUE = re.compile(
    r"(?:https?:)?//[^\s'\"<>()\\`]+|\b(?:www\.|export\.)?arxiv\.org/[^\s'\"<>()\\`]+", re.I
)
_URL_END = ".,;:!?"
_SCRIPTED = re.compile(r"\s*javascript:", re.I)


@dataclass(slots=True)
class Prepass:
    """The pruned page and what was removed."""

    html: str
    main_hint: str | None = None  # the hint selector the body was narrowed to, if any
    removed: Counter[str] = field(default_factory=Counter)


def _text_len(node: LexborNode) -> int:
    return len(_SPACE.sub("", node.text(deep=True, separator=" ")))


def looks_like_text(node: LexborNode) -> bool:
    """Much prose that is not link text: what chrome never is and an article always is."""
    total = _text_len(node)
    if total < _TEXT_CHARS:
        return False
    linked = sum(_text_len(a) for a in node.css("a"))
    return total - linked >= _TEXT_CHARS


def keep_paper_targets(tree: LexborHTMLParser, source: str | None = None) -> int:
    """Make every paper the page names outside an ``<a href>`` an empty link where it
    stands (:func:`_keep_paper_embeds`, :func:`_keep_paper_targets`), so the region
    reader finds it whatever the extractor keeps. ``source``: the page's HTML when known,
    to skip the walk of every attribute on a page that names no paper at all. Returns how
    many links were made."""
    if tree.body is None:
        return 0
    made = _keep_paper_embeds(tree)
    if source is None or TARGET_HINT.search(source):
        made += _keep_paper_targets(tree)
    return made


def _keep_paper_embeds(tree: LexborHTMLParser) -> int:
    """An embedded viewer showing a paper (``<iframe src="https://arxiv.org/pdf/...">``,
    a PDF.js viewer's ``?file=``) cites it, as a link would. The embed is removed as a
    widget, so it becomes an empty link to its target where it stood: no text for the
    extractor, a link for the region reader."""
    made = 0
    for node in tree.css(", ".join(EMBED_TAGS)):
        attrs = node.attributes
        target = next((t for name in EMBED_TARGETS if (t := attrs.get(name))), None)
        if target and TARGET_HINT.search(target):
            link = tree.create_node("a")
            link.attrs["href"] = target
            node.replace_with(link)
            made += 1
    return made


def paper_urls(value: str) -> list[str]:
    """The URLs in an attribute's value or a raw text that look like a paper's, in order:
    ``window.open('https://arxiv.org/pdf/2401.00001')``, a JSON prop with escaped slashes,
    ``arxiv.org/abs/...`` without a scheme (given one)."""
    value = value.replace("\\/", "/")
    urls = []
    for match in _URL_IN_VALUE.finditer(value):
        url = match.group().rstrip(_URL_END)
        if TARGET_HINT.search(url):
            urls.append(url if "//" in url else f"https://{url}")
    return urls


def _keep_paper_targets(tree: LexborHTMLParser) -> int:
    """A paper named only outside an ``<a href>`` is cited all the same: a button or a card
    with ``onclick="window.open('...')"``, ``data-href``, ``<area href>``, a
    ``javascript:`` link, a fallback in ``<noscript>``, a BibTeX ``<textarea>``. Each such
    target becomes an empty link (no text for the extractor, a link for the region
    reader) inside its element, so that it stays or goes with it: a card's link is the
    card's, a share bar's is chrome. Where the element holds no content of the page's own
    (a button, a ``<noscript>``, a link) the link goes just before it, with its class."""
    body = tree.body
    if body is None:
        return 0
    found: list[tuple[LexborNode, list[str]]] = []
    for node in body.css(", ".join(RAW_TARGET_TAGS)):
        if urls := paper_urls(node.html or ""):
            found.append((node, urls))
    for node in body.traverse():
        tag = node.tag
        if tag is None or tag in TARGET_SKIP_TAGS or tag.startswith("-"):
            continue
        attrs = node.attributes
        own = attrs.get("href") if tag == "a" else None  # an ordinary link, read as one
        urls = []
        for name, value in attrs.items():
            if not value or name in TARGET_SKIP_ATTRS or not TARGET_HINT.search(value):
                continue
            if name == "href" and own is not None and not _SCRIPTED.match(value):
                continue
            urls.extend(url for url in paper_urls(value) if url != own)
        if urls:
            found.append((node, urls))
    for node, urls in found:
        place = _outermost_link(node, body)
        before = place is not node or node.tag in TARGET_BEFORE_TAGS
        for url in reversed(urls) if not before else urls:
            link = tree.create_node("a")
            link.attrs["href"] = url
            if not before:
                node.insert_child(link) if node.child is None else node.child.insert_before(link)
                continue
            if cls := place.attributes.get("class"):
                link.attrs["class"] = cls
            place.insert_before(link)
    return sum(len(urls) for _, urls in found)


def _outermost_link(node: LexborNode, body: LexborNode) -> LexborNode:
    """``node``, or the outermost ``<a>`` around it: a link put inside a link would be
    split from it when the page is parsed again."""
    place, parent = node, node.parent
    while parent is not None and parent.mem_id != body.mem_id:
        if parent.tag == "a":
            place = parent
        parent = parent.parent
    return place


def _drop_selectors(tree: LexborHTMLParser, removed: Counter[str], skip: frozenset[str]) -> None:
    for rule in DROP_SELECTORS:
        if rule.reason in skip:
            continue
        for node in tree.css(rule.selector):
            if rule.guarded and looks_like_text(node):
                continue
            node.decompose()
            removed[rule.reason] += 1


def _class_id_reason(node: LexborNode, skip: frozenset[str]) -> str | None:
    attrs = node.attributes
    names = (attrs.get("class") or "").split()
    if ident := attrs.get("id"):
        names.append(ident)
    for name in names:
        reason = class_id_reason(name)
        if reason is not None and reason not in skip:
            return reason
    return None


def _drop_class_id(tree: LexborHTMLParser, removed: Counter[str], skip: frozenset[str]) -> None:
    body = tree.body
    if body is None:
        return
    doomed: list[tuple[LexborNode, str]] = []
    doomed_ids: set[int] = set()
    # Inside code, class names are a syntax highlighter's tokens (hljs-comment, token
    # comment, pl-c): a code comment is article text, not a comment section.
    in_code = {node.mem_id for node in body.css(_IN_CODE)}
    for node in body.css("[class], [id]"):  # document order: ancestors first
        if node.tag in PROTECTED_TAGS or node.mem_id in in_code:
            continue
        reason = _class_id_reason(node, skip)
        if reason is None or _has_ancestor_in(node, doomed_ids):
            continue
        if looks_like_text(node):
            continue
        doomed.append((node, reason))
        doomed_ids.add(node.mem_id)
    for node, reason in doomed:
        node.decompose()
        removed[reason] += 1


def _has_ancestor_in(node: LexborNode, ids: set[int]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.mem_id in ids:
            return True
        parent = parent.parent
    return False


def _unhide(node: LexborNode) -> None:
    """Pages hide the body until scripts run (WeChat); we are the script."""
    style = node.attributes.get("style")
    if style and _HIDDEN_STYLE.search(style):
        node.attrs["style"] = _HIDDEN_STYLE.sub("", style)


def _narrow_to_hint(tree: LexborHTMLParser) -> tuple[str, str] | None:
    for rule in MAIN_HINTS:
        matches = tree.css(rule.selector)
        if len(matches) == 1 and _text_len(matches[0]) >= _MIN_HINT_CHARS:
            _unhide(matches[0])
            return rule.selector, matches[0].html or ""
    return None


def prepass(
    html: str | LexborHTMLParser,
    *,
    hints: bool = True,
    skip: frozenset[str] = frozenset(),
    source: str | None = None,
) -> Prepass:
    """Remove page furniture; narrow to a conventional article container when present
    (and ``hints``). Rules whose reason is in ``skip`` are not applied: what is furniture
    depends on the page type (a thread's replies are its content). Papers cited outside
    links are kept as links first (:func:`keep_paper_targets`; ``source``: the page's
    HTML, when ``html`` is already parsed)."""
    tree = LexborHTMLParser(html) if isinstance(html, str) else html  # modified in place
    source = html if isinstance(html, str) else source
    removed: Counter[str] = Counter()
    keep_paper_targets(tree, source)
    _drop_selectors(tree, removed, skip)
    head = tree.head.html if tree.head is not None else ""
    hint = _narrow_to_hint(tree) if hints else None
    if hint is not None:
        selector, body_html = hint
        narrowed = LexborHTMLParser(f"<html>{head}<body>{body_html}</body></html>")
        _drop_class_id(narrowed, removed, skip)
        return Prepass(narrowed.html or "", selector, removed)
    _drop_class_id(tree, removed, skip)
    return Prepass(tree.html or "", None, removed)

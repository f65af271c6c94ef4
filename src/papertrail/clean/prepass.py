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
    PAPERISH,
    PROTECTED_TAGS,
    class_id_reason,
)

# A guarded rule spares an element holding this much text that is not link text.
_TEXT_CHARS = 150
# A main-content hint is trusted when it holds at least this many characters.
_MIN_HINT_CHARS = 80
_SPACE = re.compile(r"\s+")
_IN_CODE = "pre, code, pre [class], pre [id], code [class], code [id]"
_HIDDEN_STYLE = re.compile(r"visibility\s*:\s*hidden|opacity\s*:\s*0(?![.\d])", re.I)


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


def _keep_paper_embeds(tree: LexborHTMLParser) -> None:
    """An embedded viewer showing a paper (``<iframe src="https://arxiv.org/pdf/...">``,
    a PDF.js viewer's ``?file=``) cites it, as a link would. The embed is removed as a
    widget, so it becomes an empty link to its target where it stood: no text for the
    extractor, a link for the region reader."""
    for node in tree.css(", ".join(EMBED_TAGS)):
        attrs = node.attributes
        target = next((t for name in EMBED_TARGETS if (t := attrs.get(name))), None)
        if target and PAPERISH.search(target):
            link = tree.create_node("a")
            link.attrs["href"] = target
            node.replace_with(link)


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
    html: str | LexborHTMLParser, *, hints: bool = True, skip: frozenset[str] = frozenset()
) -> Prepass:
    """Remove page furniture; narrow to a conventional article container when present
    (and ``hints``). Rules whose reason is in ``skip`` are not applied: what is furniture
    depends on the page type (a thread's replies are its content)."""
    tree = LexborHTMLParser(html) if isinstance(html, str) else html  # modified in place
    removed: Counter[str] = Counter()
    _keep_paper_embeds(tree)
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

"""A forum thread's posts, put back where trafilatura kept only some of them.

trafilatura keeps a thread's replies when it takes them for comments; on many forum
engines it does not, and keeps one post or a few (Discourse's crawler view: often the last
post only; XenForo and Stack Exchange: the opening post and a reply or two). The thread is
found here as the page's largest group of sibling elements built alike (same tag, class
and ``id`` without its digits: ``post_1``, ``post_2``) whose names say "post" ("post",
"message", "answer", "reply", "comment", "topic", "thread" in class or id; schema.org's
``DiscussionForumPosting`` and ``Comment``) and whose members hold a post's worth of text.
When trafilatura's text holds under half of those posts' tokens, the page's text becomes
trafilatura's lines outside the posts followed by every post in page order.

The same when the article path took a thread for an article: its text is then one post.
Thresholds chosen on the tuning part of wcxb-dev (docs/cleaning.md): pages typed forum
0.741 -> 0.787, Discourse threads from 0.4-0.6 to 0.9 and more.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .blocks import segment

# Not the posts' text: scripts, styles and the controls, menus and reply forms around them.
_SKIP = "script, style, template, svg, form, nav, header, footer, aside, button, select, textarea"
_POSTY = re.compile(r"post|message|answer|reply|comment|topic|thread", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
# A word, or one CJK character (Chinese posts are short in characters, not in content).
_CJK = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")
MIN_POSTS = 2
# A group's median member holds this many tokens: posts, not bylines or vote bars.
MIN_POST_TOKENS = 17
# trafilatura's text holding this share of the posts' words or more stands as it is.
MIN_COVERED = 0.5
# The article path's text lies this much inside one post: it took a thread for an article.
MIN_ONE_POST = 0.5
# Characters of member text read while looking for the thread (nested groups read the same
# text again): beyond it the search stops with what it found, so no page is quadratic here.
_TEXT_BUDGET = 20_000_000
# Lines times characters of trafilatura's text: up to this each line is looked for inside
# the text; beyond it, among the text's lines.
_SCAN_BUDGET = 200_000_000


def _signature(node: LexborNode) -> tuple[str, str, str]:
    """How a post is built: its tag, class and id without digits (a thread's first post can
    lack the ``itemprop="comment"`` of the replies, so schema.org names are not part of it)."""
    attrs = node.attributes
    return (node.tag or "", attrs.get("class") or "", _DIGITS.sub("", attrs.get("id") or ""))


def _names(signature: tuple[str, str, str], members: list[LexborNode]) -> str:
    """The words a group is named by: class, id, and its members' schema.org names."""
    words = list(signature[1:])
    for member in members:
        attrs = member.attributes
        words += [attrs.get("itemprop") or "", attrs.get("itemtype") or ""]
    return " ".join(words)


def _lines(node: LexborNode) -> list[str]:
    """The post's text, one line per block (a paragraph, a list item), as trafilatura
    writes it."""
    return [block.text for block in segment(LexborHTMLParser(node.html or ""))]


def posts(page: str | LexborHTMLParser) -> list[list[str]] | None:
    """The thread's posts (each as its text lines) in page order, or None when the page
    has no group of elements that looks like one. Given a parsed tree (not markup), the
    controls are cut out of that tree: pass one nothing else will read."""
    tree = LexborHTMLParser(page) if isinstance(page, str) else page
    for node in tree.css(_SKIP):
        node.decompose()
    body = tree.body
    if body is None:
        return None
    best: tuple[int, list[LexborNode]] | None = None
    budget = _TEXT_BUDGET
    for node in body.traverse():
        if budget <= 0:
            break
        groups: dict[tuple[str, str, str], list[LexborNode]] = defaultdict(list)
        for child in node.iter():  # elements only
            groups[_signature(child)].append(child)
        for signature, members in groups.items():
            if len(members) < MIN_POSTS or not _POSTY.search(_names(signature, members)):
                continue
            texts = [m.text(deep=True) for m in members]
            budget -= sum(map(len, texts))
            sizes = sorted(len(_TOKEN.findall(text)) for text in texts)
            if sizes[len(sizes) // 2] < MIN_POST_TOKENS:
                continue
            if best is None or sum(sizes) > best[0]:
                best = (sum(sizes), members)
    return [_lines(m) for m in best[1]] if best is not None else None


def _tokens(text: str) -> Counter[str]:
    return Counter(_TOKEN.findall(text.lower()))


def _covered(text: Counter[str], of: Counter[str]) -> float:
    """The share of ``of``'s tokens that ``text`` holds."""
    return sum((text & of).values()) / max(1, sum(of.values()))


def one_post_of(found: list[list[str]], text: str) -> bool:
    """Whether ``text`` is one post of the thread ``found`` and misses the rest: a thread
    the article path took for an article (it keeps the opening post, or one answer)."""
    have = _tokens(text)
    if not have:
        return False
    inside = [_tokens(" ".join(post)) for post in found]
    return (
        max(_covered(post, have) for post in inside) >= MIN_ONE_POST
        and _covered(have, sum(inside, Counter())) < MIN_COVERED
    )


def complete(html: str, text: str, found: list[list[str]] | None = None) -> str | None:
    """``text`` with the thread's posts (``found``, else read from ``html``) put back, or
    None when the page has no thread or the text already holds half of its words."""
    found = posts(html) if found is None else found
    if not found:
        return None
    post_lines = [line for post in found for line in post]
    if _covered(_tokens(text), _tokens(" ".join(post_lines))) >= MIN_COVERED:
        return None
    # trafilatura's lines that are not the posts' (a question above its answers, a title)
    # come first, then every post in page order
    inside = "\n".join(post_lines)
    own = [line for line in text.splitlines() if line.strip()]
    if len(own) * len(inside) <= _SCAN_BUDGET:
        outside = [line for line in own if " ".join(line.split()) not in inside]
    else:  # each substring test scans every post: whole lines only on huge threads
        known = set(post_lines)
        outside = [line for line in own if " ".join(line.split()) not in known]
    return "\n".join([*outside, *post_lines])

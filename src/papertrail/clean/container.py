"""Choose the article container ourselves, so trafilatura works on a few kB, not the page.

On most Chinese portal pages trafilatura recognises no article container and prunes the
whole page twice (its main pass, then its wild-text recovery). A density rule finds the
container on any page: the smallest element that still holds most of the page's prose
(text runs of sentence length that are not link text). Menus, link lists and footers hold
little of it; the article holds nearly all. When no element is clearly it (too little
prose, or the choice is most of the page anyway) the page is left whole.
"""

from __future__ import annotations

from lxml import etree
from trafilatura.xpaths import BODY_XPATH

# A run of text this long (non-space characters) is prose; shorter ones are labels and menus.
_PROSE_RUN = 25
# The container must hold this share of the page's prose...
_SHARE = 0.9
# ...and the page this much prose: below it there is too little to judge by.
_MIN_PROSE = 300
# A container holding more than this share of the page's elements saves too little work.
_MAX_SIZE_SHARE = 0.7
_SKIP = frozenset({"script", "style", "noscript", "template"})


# Inside these every run counts: a data table's or a code block's cells are short but are
# article text (layout tables are divs by now).
_SHORT_RUNS_COUNT = frozenset({"table", "pre", "code"})


def _run_len(text: str | None, short_ok: bool) -> int:
    if not text:
        return 0
    length = len("".join(text.split()))
    return length if short_ok or length >= _PROSE_RUN else 0


def _prose(el: etree._Element, totals: dict[etree._Element, int], short_ok: bool = False) -> int:
    """Prose characters under ``el`` (link text left out), recorded for every element."""
    if not isinstance(el.tag, str) or el.tag in _SKIP:
        return 0
    in_link = el.tag == "a"
    inner_ok = short_ok or el.tag in _SHORT_RUNS_COUNT
    total = 0 if in_link else _run_len(el.text, inner_ok)
    for child in el:
        total += _prose(child, totals, inner_ok) if not in_link else 0
        total += _run_len(child.tail, inner_ok)
    totals[el] = total
    return total


def choose_container(tree: etree._Element) -> etree._Element | None:
    """The smallest element holding :data:`_SHARE` of the page's prose, or None if unsure."""
    body = tree.find("body")
    if body is None:
        return None
    totals: dict[etree._Element, int] = {}
    total = _prose(body, totals)
    if total < _MIN_PROSE:
        return None
    node = body
    while True:
        best = max((c for c in node if c in totals), key=totals.__getitem__, default=None)
        if best is None or totals[best] < _SHARE * total:
            break
        node = best
    if node is body or node.tag in ("p", "li", "span", "font", "b", "strong"):
        # one block holds it all: its heading and siblings may belong to the article too
        node = node.getparent() if node is not body else body
    if node is body or node is None:
        return None
    size = sum(1 for _ in node.iter())
    if size > _MAX_SIZE_SHARE * len(totals):
        return None
    return node


def narrow(tree: etree._Element) -> etree._Element:
    """A new document holding only the chosen container (moved, not copied), or ``tree``."""
    node = choose_container(tree)
    if node is None:
        return tree
    root = tree.makeelement("html", {})
    body = etree.SubElement(root, "body")
    node.tail = None
    if any(expr(node) for expr in BODY_XPATH):
        body.append(node)  # trafilatura finds the article's own element inside: its pick
    else:
        # Nothing inside is named like an article body (its element, if the page had one,
        # was an ancestor, now cut away): trafilatura would fall back to recovering loose
        # text, which loses headings, lists and whole sections. Marked as the article body,
        # the container is taken whole.
        frame = etree.SubElement(body, "div", {"itemprop": "articleBody"})
        frame.append(node)
    return root

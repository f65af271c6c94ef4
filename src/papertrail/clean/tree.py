"""Parse a page into the lxml tree trafilatura and htmldate work on, faster.

trafilatura's ``load_html`` parses with ``lxml.html.HTMLParser``, whose element classes
are chosen by a Python method (``HtmlElementClassLookup.lookup``) each time lxml hands
Python an element: about 9,000 calls a page across our reading of the tree, trafilatura's
extraction and htmldate's date search. Here every element is an ``HtmlElement`` chosen in
C (lxml's ``ElementDefaultClassLookup``); only the form classes (``FormElement``,
``InputElement``...) go, and nothing we run uses them. The rest is trafilatura's own
preparation (the same repairs, the same parser options and fallbacks), so the tree is the
one ``load_html`` would build.
"""

from __future__ import annotations

from lxml import etree
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlEntity,
    HtmlProcessingInstruction,
    fromstring,
)
from trafilatura.utils import is_dubious_html, repair_faulty_html

_PARSER = etree.HTMLParser(
    collect_ids=False,
    default_doctype=False,
    encoding="utf-8",
    remove_comments=True,
    remove_pis=True,
)
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=HtmlElement,
        comment=HtmlComment,
        pi=HtmlProcessingInstruction,
        entity=HtmlEntity,
    )
)


def load_tree(html: str) -> HtmlElement | None:
    """The page as trafilatura's ``load_html`` would parse it, or None when it is not HTML."""
    beginning = html[:50].lower()
    html = repair_faulty_html(html, beginning)
    tree: HtmlElement | None = None
    from_bytes = False
    try:
        tree = fromstring(html, parser=_PARSER)
    except ValueError:  # a str with an encoding declaration: lxml wants bytes then
        tree, from_bytes = _from_bytes(html), True
    except etree.LxmlError:  # "Document is empty" and the like: the bytes try below
        tree = None
    if (tree is None or len(tree) < 1) and not from_bytes:
        tree = _from_bytes(html)
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        return None  # not HTML at all (trafilatura's rejection test)
    return tree


def _from_bytes(html: str) -> HtmlElement | None:
    try:
        return fromstring(html.encode("utf8", "surrogatepass"), parser=_PARSER)
    except (etree.LxmlError, ValueError):
        return None

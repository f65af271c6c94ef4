"""The class/id rules as one cached matcher: the same answer as reading the rules in order."""

from __future__ import annotations

from papertrail.clean.extract import _links_in_text
from papertrail.clean.rules import COMMENTS_REASON, DROP_CLASS_ID, class_id_reason
from papertrail.clean.tree import load_tree

TOKENS = (
    *("main-nav", "Navbar", "breadcrumbs", "comment-list", "post_comments", "Disqus"),
    *("pagination", "author-box", "font-size", "newsletter", "share-bar", "content"),
    *("article-body", "entry-content", "sidebar", "nav", "menu_top", "respond", "x"),
)


def _first_rule(token: str) -> str | None:
    return next((r.reason for r in DROP_CLASS_ID if r.pattern.fullmatch(token)), None)


def test_cached_matcher_names_the_first_matching_rule() -> None:
    for token in TOKENS:
        assert class_id_reason(token) == _first_rule(token), token
        assert class_id_reason(token) == class_id_reason(token)  # cached, same answer
    assert class_id_reason("comment-list") == COMMENTS_REASON
    assert class_id_reason("content") is None


def test_links_in_text_are_those_whose_label_is_printed() -> None:
    html = """<html><body><p>Read <a href="/abs/1">the paper</a> and
    <a href="https://example.org/code">its code</a>.</p>
    <div><a href="/menu">Menu item</a><a href="#top">the paper</a>
    <a href="/abs/1">the paper</a></div></body></html>"""
    tree = load_tree(html)
    links = _links_in_text(tree, "Read the paper and its code.", "https://example.org/a/")
    assert [(link.href, link.text) for link in links] == [
        ("https://example.org/abs/1", "the paper"),
        ("https://example.org/code", "its code"),
    ]

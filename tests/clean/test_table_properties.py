"""Rewriting layout tables and div paragraphs moves text into new elements, never loses it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from papertrail.clean.extract import paragraph_divs, untable_layout
from papertrail.clean.tree import load_tree

_WORDS = st.text(alphabet="研究团队提出方法模型数据测试结果。，abc ", min_size=0, max_size=90)
_PIECE = st.one_of(
    _WORDS,
    st.just("<br>"),
    _WORDS.map(lambda t: f"<b>{t}</b>"),
    _WORDS.map(lambda t: f"<a href='/x'>{t}</a>"),
    _WORDS.map(lambda t: f"<div>{t}</div>"),
    _WORDS.map(lambda t: f"<!-- {t} -->"),
)
_CELL = st.lists(_PIECE, max_size=12).map("".join)


def _text(tree: etree._Element) -> str:
    body = tree.find(".//body")
    return "".join("".join(body.itertext()).split()) if body is not None else ""


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_CELL, min_size=1, max_size=3), min_size=1, max_size=4))
def test_layout_rewrites_keep_every_character(rows: list[list[str]]) -> None:
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    tree = load_tree(f"<html><body><table>{body}</table><div>{rows[0][0]}</div></body></html>")
    if tree is None:  # nothing parseable (e.g. only whitespace)
        return
    before = _text(tree)
    untable_layout(tree)
    paragraph_divs(tree)
    assert _text(tree) == before

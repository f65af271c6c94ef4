"""``load_tree`` builds the tree trafilatura's ``load_html`` builds, with C-chosen classes.

The clean stage parses with its own parser only to make lxml's element proxies cheaper
(docs/cleaning.md); anything else that differed from trafilatura's loader would change
what is extracted. Checked here on every page template and on the inputs the loader
treats specially (an XML declaration, a doctype, fragments, no markup at all).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from papertrail.clean import clean_html
from papertrail.clean.tree import load_tree
from papertrail.decode import decode_bytes
from papertrail.testing.article_templates import TEMPLATES, content_type, render

SEED = next((Path(__file__).parent.parent / "fixtures" / "seeds").glob("002_*.txt"))
EDGE_CASES = [
    '<?xml version="1.0" encoding="utf-8"?><html><body><p>x</p></body></html>',
    "<!DOCTYPE html><html><body><p>x</p><form><input name=q></form></body></html>",
    "<html><body><!-- a comment --><p>x</p><?php echo 1 ?></body></html>",
    "<html/>",
    "<html><body>\x00\x01 control characters</body></html>",
    "<p>a fragment, no html element</p>",
    "plain words",
    "",
    "   ",
]


def _same(html: str) -> None:
    theirs, ours = load_html(html), load_tree(html)
    assert (theirs is None) == (ours is None)
    if theirs is not None and ours is not None:
        assert etree.tostring(ours, encoding="unicode") == etree.tostring(
            theirs, encoding="unicode"
        )
        assert all(isinstance(el, HtmlElement) for el in ours.iter() if isinstance(el.tag, str))


@pytest.mark.parametrize("html", EDGE_CASES)
def test_edge_cases_parse_as_trafilatura_parses_them(html: str) -> None:
    _same(html)


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_template_pages_parse_as_trafilatura_parses_them(template: str) -> None:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    html = decode_bytes(render(template, lines), content_type(template))[0]
    _same(html)
    # and the stage's text is what it is with trafilatura's loader
    assert clean_html(html).text.strip()

"""A second extractor's paragraphs, for page types where one extractor misses text.

On threads trafilatura's default drops whole replies (a post whose markup reads like a
sidebar or a signature block); jusText, which trafilatura itself falls back on, judges
each paragraph by its length, link density and stop words instead, and keeps many of
them. Its paragraphs that trafilatura lacks are merged back in page order
(:func:`.lines.merge_in_order`), then repeated lines go (:mod:`.behaviour` measures it).
"""

from __future__ import annotations

import justext
from justext.core import JustextError
from lxml.etree import ParserError

# jusText's own default thresholds. English stop words: the corpora's threads are English;
# on a page in another language few paragraphs pass, so little or nothing is added.
_STOPLIST = frozenset(justext.get_stoplist("English"))


def justext_paragraphs(html: str) -> list[str]:
    """The paragraphs jusText does not take for boilerplate, in page order ([] when it
    cannot parse the page: the first extractor's text stands alone)."""
    try:
        paragraphs = justext.justext(html, _STOPLIST)
    except (JustextError, ParserError, ValueError):
        return []
    return [p.text for p in paragraphs if not p.is_boilerplate]

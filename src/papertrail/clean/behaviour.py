"""How the clean stage treats a page of a given type, as data.

What is furniture depends on the page: a thread's replies are its content (on an article
they are a comment section), a listing's cards are all items (on an article, teasers), and
trafilatura's precision mode, right for a short story inside a portal template, cuts
listings and threads down to one block. Each :class:`Behaviour` field names one step of
the HTML path; :data:`BY_TYPE` gives the behaviour of each page type, chosen on the tuning
part of the shared corpora (figures in ``bench/README.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class Behaviour:
    # trafilatura's own cascade on the page as it is (no pre-pass, container or fast-first
    # shortcut): what measured best on every non-article type of the tuning part.
    plain: bool = False
    hints: bool = True  # narrow to a conventional article-body element ([itemprop=articleBody])
    skip_rules: frozenset[str] = frozenset()  # pre-pass rules (by reason) not applied
    container: bool = True  # narrow to the prose-density container before trafilatura
    options: dict[str, Any] = field(default_factory=dict)  # trafilatura overrides
    line_filter: bool = True  # the line post-filter of :mod:`.lines`
    # plain path only: the text is the blocks :mod:`.blocks`' model selects, trafilatura's
    # output one of its features (not on Chinese, Japanese or Korean text: trained on none)
    select_blocks: bool = False
    # plain path only: drop a line repeating an earlier one (:func:`.lines.drop_repeated_lines`)
    drop_repeats: bool = False
    # plain path only: add jusText's paragraphs that trafilatura missed (:mod:`.second`)
    second_extractor: bool = False


ARTICLE = Behaviour()
# Measured on the tuning part of wcxb-dev (word F1; bench/README.md): for every other type
# trafilatura's own cascade on the whole page beat our pre-pass + container + precision
# mode (forum 0.70 vs 0.39, listing 0.59 vs 0.50, documentation 0.90 vs 0.82, ...), and the
# line filter cost documentation 0.06 (it drops short code lines and API headings).
# Listings too: the rules path without precision mode scored 0.637 on them with the
# in-sample page types, but with out-of-fold types (what an unseen page gets) it cost the
# service, product and documentation pages taken for listings more than it gained (tuning
# wcxb-dev 0.804 vs 0.805), and on the held-out part it was 0.495 vs trafilatura's 0.555.
_WHOLE_PAGE = Behaviour(plain=True, line_filter=False)
# Listings, service and collection pages: trafilatura's default drops items and feature
# blocks that are mostly link text (a card that is one big link reads as a menu). There
# the block model (:mod:`.blocks`) picks the text, trafilatura's output among its features
# (clean-1.7). Tuning part, out of fold, page types out of fold too
# (bench/extraction/train_blocks.py --cv): wcxb-dev 0.817 -> 0.834, listing 0.597 -> 0.681,
# service 0.754 -> 0.811, collection 0.567 -> 0.624; en-scrapinghub 0.971 -> 0.970.
# Products lost by it (0.634 -> 0.628), forums and documentation too (0.703 -> 0.614 and
# 0.911 -> 0.880 with the first features): they stay without. clean-1.6 merged in
# trafilatura's recall reading here instead (a second run): with the model it added nothing.
_SELECTED = Behaviour(plain=True, line_filter=False, select_blocks=True)
# Products: trafilatura's comments (reviews, Q&A boxes) are not the product's text: without
# them tuning products 0.628 -> 0.634 (out-of-fold types 0.629 -> 0.633); forums need them.
_PRODUCT = Behaviour(plain=True, line_filter=False, options={"include_comments": False})
# Repeated lines (clean-1.11): on threads and product pages a line that repeats an earlier
# one is a copy (a reply quoting the post above, a carousel's cloned slide, a variant
# picker printed twice). Tuning part, by our page type: forum 0.741 -> 0.754, product
# 0.634 -> 0.640; held out (read afterwards) forum 0.724 -> 0.741, product 0.658 -> 0.662.
# Listing, service and collection pages gained on tuning (+0.015, +0.011, +0.003) but not
# held out (listing 0.819 -> 0.813, service -0.009, collection -0.021 when all three had
# it: a price, a "Learn more" or a rating on every card is in their gold each time), so
# they keep every line; documentation lost on tuning (0.904 -> 0.892: a repeated line of
# code) and articles gained nothing.
BY_TYPE: dict[str, Behaviour] = {
    "article": ARTICLE,
    "forum": replace(_WHOLE_PAGE, second_extractor=True, drop_repeats=True),
    "documentation": _WHOLE_PAGE,
    "product": replace(_PRODUCT, drop_repeats=True),
    **{t: _SELECTED for t in ("listing", "service", "collection")},
}


def behaviour_for(page_type: str) -> Behaviour:
    return BY_TYPE.get(page_type, ARTICLE)

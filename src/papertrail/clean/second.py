"""A second extractor's paragraphs, for page types where one extractor misses text.

On threads trafilatura's default drops whole replies (a post whose markup reads like a
sidebar or a signature block); jusText, which trafilatura itself falls back on, judges
each paragraph by its length, link density and stop words instead, and keeps many of
them. Its paragraphs that trafilatura lacks are merged back in page order
(:func:`.lines.merge_in_order`), then repeated lines go (:mod:`.behaviour` measures it).

jusText's own context pass looks for each short paragraph's nearest good or bad
neighbour by walking the list, so a thread of many short replies took quadratic time
(a 1 MB page of 5,000 one-line posts: 22 s). :func:`revise` gives the same classes from
one sweep each way; jusText's parsing and per-paragraph classification are used as they
are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import justext
from justext.core import (
    GOOD_OR_BAD,
    MAX_HEADING_DISTANCE_DEFAULT,
    JustextError,
    ParagraphMaker,
    classify_paragraphs,
    html_to_dom,
    preprocessor,
)
from lxml.etree import ParserError

# jusText's own default thresholds. English stop words: the corpora's threads are English;
# on a page in another language few paragraphs pass, so little or nothing is added.
_STOPLIST = frozenset(justext.get_stoplist("English"))
_NEARGOOD = GOOD_OR_BAD | {"neargood"}


def justext_paragraphs(html: str) -> list[str]:
    """The paragraphs jusText does not take for boilerplate, in page order ([] when it
    cannot parse the page: the first extractor's text stands alone)."""
    try:
        dom = preprocessor(html_to_dom(html, "utf-8", None, "replace"))
        paragraphs = ParagraphMaker.make_paragraphs(dom)
    except (JustextError, ParserError, ValueError):
        return []
    classify_paragraphs(paragraphs, _STOPLIST)
    revise(paragraphs)
    return [p.text for p in paragraphs if p.class_type == "good"]


def _nearest(classes: Sequence[str], wanted: set[str], step: int) -> list[str]:
    """For each index, the class of the nearest paragraph before it (``step`` 1) or after
    it (``step`` -1) whose class is in ``wanted``; "bad" past the edge, as jusText."""
    out = ["bad"] * len(classes)
    last = "bad"
    order = range(len(classes)) if step == 1 else range(len(classes) - 1, -1, -1)
    for i in order:
        out[i] = last
        if classes[i] in wanted:
            last = classes[i]
    return out


def revise(
    paragraphs: Sequence[Any], max_heading_distance: int = MAX_HEADING_DISTANCE_DEFAULT
) -> None:
    """jusText's ``revise_paragraph_classification``, in linear time (module doc)."""
    for i, paragraph in enumerate(paragraphs):  # good headings (bounded by distance)
        paragraph.class_type = paragraph.cf_class
        if paragraph.heading and paragraph.class_type == "short":
            _near_good_heading(paragraphs, i, max_heading_distance, "neargood")
    # short paragraphs take their class from their nearest good/bad neighbours
    classes = [p.class_type for p in paragraphs]
    prev, after = _nearest(classes, GOOD_OR_BAD, 1), _nearest(classes, GOOD_OR_BAD, -1)
    prev_any, after_any = _nearest(classes, _NEARGOOD, 1), _nearest(classes, _NEARGOOD, -1)
    for i, paragraph in enumerate(paragraphs):
        if classes[i] != "short":
            continue
        if prev[i] == after[i]:
            paragraph.class_type = prev[i]
        elif (prev[i] == "bad" and prev_any[i] == "neargood") or (
            after[i] == "bad" and after_any[i] == "neargood"
        ):
            paragraph.class_type = "good"
        else:
            paragraph.class_type = "bad"
    # near-good ones are bad only between two bad ones; those before are already revised
    after = _nearest([p.class_type for p in paragraphs], GOOD_OR_BAD, -1)
    last = "bad"
    for i, paragraph in enumerate(paragraphs):
        if paragraph.class_type == "neargood":
            paragraph.class_type = "bad" if last == after[i] == "bad" else "good"
        if paragraph.class_type in GOOD_OR_BAD:
            last = paragraph.class_type
    for i, paragraph in enumerate(paragraphs):  # more good headings
        if paragraph.heading and paragraph.class_type == "bad" and paragraph.cf_class != "bad":
            _near_good_heading(paragraphs, i, max_heading_distance, "good")


def _near_good_heading(paragraphs: Sequence[Any], i: int, limit: int, promote: str) -> None:
    """A heading with a good paragraph within ``limit`` characters after it is promoted."""
    distance = 0
    for j in range(i + 1, len(paragraphs)):
        if distance > limit:
            return
        if paragraphs[j].class_type == "good":
            paragraphs[i].class_type = promote
            return
        distance += len(paragraphs[j].text)

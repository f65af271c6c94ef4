"""Roundup items: an article's text cut into sections, one per heading.

A roundup presents each paper as an item: a heading (often the paper's Chinese title),
a few summary paragraphs, its links. :func:`segment` cuts cleaned text into such items and
:func:`item_at` finds the one an offset (an arXiv ref's span) falls in, so a record can
pair every paper with its summary.

Headings come from the page when it marks them (``<h2>``, a paragraph that is all bold;
:attr:`papertrail.document.Document.headings`) and otherwise from the text itself: a
numbered line (``1.华为新研究：…``, ``三、…``), a Markdown ``#`` line, or a short line with no
closing punctuation followed by a longer paragraph. Text before the first heading is the
article's lead, not an item.

The API is three names (:class:`Item`, :func:`segment`, :func:`item_at`), all pure
functions of the text: callers that have their own idea of where items start (a digest
without headings) pass ``headings`` explicitly.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["Item", "item_at", "segment"]

_NUMBERED = re.compile(
    r"\s*(?:[(（]?\d{1,2}[.、．)）]|[一二三四五六七八九十]{1,3}[、.．]|第[一二三四五六七八九十\d]{1,3}[篇章节部])"
    r"\s*\S"
)
_MARKDOWN = re.compile(r"\s*#{1,6}\s+\S")
# A line ending like a sentence or a label ("论文链接：") is not a heading.
_SENTENCE_END = tuple("。！？!?；;，,…")
_CLOSING = (*_SENTENCE_END, ":", "：")
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
# A heading is a line; longer than this it is a paragraph that happens to be numbered.
_MAX_HEADING = 80
# An unnumbered heading is short and its next line at least this much longer.
_MAX_PLAIN_HEADING = 40
_PARAGRAPH_RATIO = 1.5
# At least this many headings before the text counts as sectioned: one heading-like line
# in an essay is a caption or a slogan, not a roundup.
_MIN_HEADINGS = 2


@dataclass(frozen=True, slots=True)
class Item:
    """One section: its heading line, the lines under it, and where it is in the text."""

    heading: str
    text: str  # the lines after the heading, "\n"-joined
    span: tuple[int, int]  # [start, end) in the segmented text, heading line included


def _is_heading(line: str, following: str | None) -> bool:
    line = line.strip()
    if not line or len(line) > _MAX_HEADING or _URL.search(line) or line.endswith(_CLOSING):
        return False
    if _NUMBERED.match(line) or _MARKDOWN.match(line):
        return True
    return (
        len(line) <= _MAX_PLAIN_HEADING
        and following is not None
        and len(following.strip()) >= _PARAGRAPH_RATIO * len(line)
        and following.strip().endswith((*_SENTENCE_END, "."))
    )


def segment(text: str, headings: Iterable[str] | None = None) -> list[Item]:
    """The items of ``text`` in order; ``[]`` when it has fewer than two headings.

    ``headings``: heading texts the page marked up; lines equal to one of them (spaces
    ignored) open items. When fewer than two lines match, headings are recognised in the
    text instead (see module doc).
    """
    lines = text.split("\n")
    starts: list[int] = []
    offset = 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    marked = {"".join(h.split()) for h in headings or () if h.strip()}
    opening = [i for i, line in enumerate(lines) if "".join(line.split()) in marked]
    if len(opening) < _MIN_HEADINGS:
        following: list[str | None] = [None] * len(lines)  # the next non-empty line
        after: str | None = None
        for i in range(len(lines) - 1, -1, -1):
            following[i] = after
            if lines[i].strip():
                after = lines[i]
        opening = [i for i, line in enumerate(lines) if _is_heading(line, following[i])]
    if len(opening) < _MIN_HEADINGS:
        return []
    items: list[Item] = []
    for n, i in enumerate(opening):
        stop = opening[n + 1] if n + 1 < len(opening) else len(lines)
        body = [line for line in lines[i + 1 : stop] if line.strip()]
        end = starts[stop - 1] + len(lines[stop - 1])
        items.append(Item(lines[i].strip(), "\n".join(body), (starts[i], end)))
    return items


def item_at(items: Sequence[Item], offset: int) -> Item | None:
    """The item whose span holds ``offset``; None in the lead or past the text."""
    index = bisect_right(items, offset, key=lambda item: item.span[0]) - 1
    if index < 0 or offset >= items[index].span[1]:
        return None
    return items[index]

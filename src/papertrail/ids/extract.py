"""``find_ids``: every arXiv paper an article points to, from its text and its links.

Order of the passes matters: site URLs and DOIs claim their spans first, then every other
URL and foreign DOI is masked (an id inside a GitHub path or an Elsevier DOI is not the
article's), then ``arXiv:`` citations, old-style ids, archive-prefixed ids, and last bare
numbers, which need context (:mod:`papertrail.ids.context`).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import unquote

from ..document import Link
from ..record import ArxivRef, FoundBy
from .context import has_arxiv_context
from .normalize import normalize
from .patterns import (
    ARCHIVE_PREFIXED,
    BARE_NEW,
    CITATION,
    FOREIGN_URL,
    OLD_STYLE,
    SITE_PATTERNS,
    SLASH_DIGITS,
)
from .scheme import OLD_ARCHIVES, ArxivId, from_match

_URL_TAIL = re.compile(r"[^\s<>\"'\u0080-\uffff]*")
_URL_TRAILING = ".,;:!?)]}'\""
# How far past the previous anchor a non-paper link's anchor is looked for (characters):
# bounded, so a page with 40,000 links stays linear.
_NEAR = 2000


@dataclass(frozen=True, slots=True)
class Mention:
    """One place an id was found, before deduplication."""

    arxiv_id: ArxivId
    found_by: FoundBy
    span: tuple[int, int] | None  # in the caller's text; None for a link target
    url: str | None
    order: tuple[float, int]  # position in the document, for merging links and text


class _Spans:
    """Disjoint claimed/masked spans, with O(log n) overlap tests.

    Spans from one ``finditer`` never overlap each other, so each pass adds to
    ``pending`` and :meth:`flush` merges them in once; a page with 40,000 URLs stays
    linear instead of quadratic.
    """

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.pending: list[tuple[int, int]] = []

    def overlaps(self, span: tuple[int, int]) -> bool:
        # Disjoint spans sorted by start are sorted by end too: the last one starting
        # before span's end is the only one that can reach into it.
        j = bisect_left(self.starts, span[1]) - 1
        return j >= 0 and self.ends[j] > span[0]

    def add(self, span: tuple[int, int]) -> None:
        self.pending.append(span)

    def flush(self) -> None:
        if self.pending:
            merged = sorted([*zip(self.starts, self.ends, strict=True), *self.pending])
            self.starts = [a for a, _ in merged]
            self.ends = [b for _, b in merged]
            self.pending = []


def _printed_url(norm: str, start: int, end: int) -> str:
    """The whole URL printed at ``norm[start:end]``, including ?query/#fragment."""
    tail = _URL_TAIL.match(norm, end)
    stop = tail.end() if tail else end
    return norm[start:stop].rstrip(_URL_TRAILING)


def text_mentions(text: str, *, today: date) -> list[Mention]:
    """Every valid id mentioned in ``text``, in order, spans in ``text``'s offsets."""
    norm = normalize(text)
    s = norm.text
    taken = _Spans()
    found: list[Mention] = []

    def add(m: re.Match[str], found_by: FoundBy, *, url: bool = False) -> None:
        arxiv_id = from_match(m, today)
        if arxiv_id is None or taken.overlaps(m.span()):
            return
        taken.add(m.span())
        span = norm.source_span(*m.span())
        printed = _printed_url(s, m.start(), m.end()) if url else None
        found.append(Mention(arxiv_id, found_by, span, printed, (span[0], 0)))

    lower = s.lower()
    for site in SITE_PATTERNS:
        if site.keyword in lower:
            for m in site.regex.finditer(s):
                add(m, site.found_by, url=site.found_by != "doi")
            taken.flush()
    for m in FOREIGN_URL.finditer(s):
        if not taken.overlaps(m.span()):
            taken.add(m.span())
    taken.flush()
    text_patterns = [CITATION] if "arxiv" in lower else []
    if SLASH_DIGITS.search(s):
        text_patterns += [OLD_STYLE, ARCHIVE_PREFIXED]
    for regex in text_patterns:
        for m in regex.finditer(s):
            prefix = m.groupdict().get("prefix")
            if prefix is None or prefix.lower() in OLD_ARCHIVES:
                add(m, "text")
        taken.flush()
    lead, tail = len(s) - len(s.lstrip()), len(s.rstrip())
    for m in BARE_NEW.finditer(s):
        alone = m.start() == lead and m.end() == tail
        if has_arxiv_context(s, m.start(), m.end(), alone=alone):
            add(m, "text")
    found.sort(key=lambda x: x.order)
    return found


def link_ids(href: str, *, today: date) -> list[tuple[ArxivId, FoundBy]]:
    """Ids in one link target (only arXiv-family URLs and arXiv DOIs count), read as text
    is (:func:`.normalize.normalize`): ``abs/２４０３.１９９２８`` in an href is 2403.19928,
    not an id of full-width digits."""
    href = href.strip()
    for candidate in dict.fromkeys(normalize(c).text for c in (href, unquote(href))):
        hits: list[tuple[int, ArxivId, FoundBy]] = []
        for site in SITE_PATTERNS:
            for m in site.regex.finditer(candidate):
                if (arxiv_id := from_match(m, today)) is not None:
                    hits.append((m.start(), arxiv_id, site.found_by))
        if hits:
            hits.sort(key=lambda h: h[0])
            return [(arxiv_id, found_by) for _, arxiv_id, found_by in hits]
    return []


def link_mentions(text: str, links: Iterable[Link], *, today: date) -> list[Mention]:
    """Ids in link targets, placed where their anchor text appears in ``text`` if it does."""
    found: list[Mention] = []
    cursor = 0
    for index, link in enumerate(links):
        ids = link_ids(link.href, today=today)
        anchor = link.text.strip()
        if not ids:  # not a paper, but its anchor moves the cursor when it is close by
            if len(anchor) >= 2 and (at := text.find(anchor, cursor, cursor + _NEAR)) >= 0:
                cursor = at + 1
            continue
        position: float = math.inf
        span: tuple[int, int] | None = None
        if len(anchor) >= 2:
            # Links come in document order: look after the previous anchor (of any link:
            # a "PDF" of a project page is not the paper's "PDF") first.
            at = text.find(anchor, cursor)
            at = text.find(anchor) if at < 0 else at
            if at >= 0:
                position, cursor, span = at, at + 1, (at, at + len(anchor))
        for arxiv_id, found_by in ids:
            found.append(Mention(arxiv_id, found_by, span, link.href, (position, 1 + index)))
    return found


class _Finder:
    """Substring searches with a total budget, so relocating thousands of ids on a huge
    page stays linear: past the budget, spans are left None rather than searched for."""

    def __init__(self, budget: int) -> None:
        self.budget = budget

    def find(self, hay: str, needle: str, start: int = 0) -> int:
        if self.budget <= 0:
            return -1
        at = hay.find(needle, start)
        self.budget -= (at if at >= 0 else len(hay)) - start
        return at


# A region line this long is distinctive enough to align the region with the text.
_ANCHOR_LINE = 10


def _line_starts(text: str) -> dict[str, list[int]]:
    """Where each distinctive line of ``text`` starts (stripped line -> offsets)."""
    starts: dict[str, list[int]] = {}
    offset = 0
    for line in text.split("\n"):
        key = line.strip()
        if len(key) >= _ANCHOR_LINE:
            starts.setdefault(key, []).append(offset)
        offset += len(line) + 1
    return starts


def _aligned_lines(source: str, text: str) -> tuple[list[int], list[int]]:
    """Starts of the source lines that occur once in the source and once in ``text``, in
    order, and where they are in the text: a monotonic map from the region to the
    extracted text (as patience diff aligns; a repeated line could pair with the wrong
    copy, since the extractor drops some copies)."""
    in_source, in_text = _line_starts(source), _line_starts(text)
    pairs = sorted(
        (at[0], in_text[key][0])
        for key, at in in_source.items()
        if len(at) == 1 and len(in_text.get(key, ())) == 1
    )
    starts: list[int] = []
    places: list[int] = []
    for start, place in pairs:
        if not places or place > places[-1]:  # keep the map monotonic
            starts.append(start)
            places.append(place)
    return starts, places


def relocate(mentions: list[Mention], source: str, text: str) -> list[Mention]:
    """Spans in ``source`` moved to the same characters in ``text`` (None when ``text``
    does not have them there); order stays ``source``'s.

    The source's lines that the text kept align the two: a mention is looked for in the
    text between the places of the kept lines around it, so the third "PDF" anchor is
    never taken for the first when the extractor dropped a repeated line.
    """
    finder = _Finder(budget=20 * (len(source) + len(text)) + 1_000_000)
    starts, places = _aligned_lines(source, text)
    moved: list[Mention] = []
    for mention in mentions:
        span = None
        if mention.span is not None and mention.span[1] > mention.span[0]:
            needle = source[mention.span[0] : mention.span[1]]
            k = bisect_left(starts, mention.span[0] + 1) - 1  # last line starting at/before
            low = places[k] if k >= 0 else 0
            high = places[k + 1] if k + 1 < len(places) else len(text)
            at = finder.find(text, needle, low)
            if at >= 0 and at + len(needle) <= high:
                span = (at, at + len(needle))
        moved.append(replace(mention, span=span))
    return moved


def merge(mentions: Iterable[Mention]) -> list[ArxivRef]:
    """One ref per base id, in order of first mention; later mentions fill gaps only."""
    refs: dict[str, ArxivRef] = {}
    for mention in sorted(mentions, key=lambda x: x.order):
        ref = refs.get(mention.arxiv_id.id)
        if ref is None:
            refs[mention.arxiv_id.id] = ArxivRef(
                id=mention.arxiv_id.id,
                version=mention.arxiv_id.version,
                found_by=mention.found_by,
                span=mention.span,
                url=mention.url,
            )
            continue
        if ref.version is None and mention.arxiv_id.version is not None:
            ref.version = mention.arxiv_id.version
        if ref.url is None and mention.url is not None:
            ref.url = mention.url
        if ref.span is None and mention.span is not None:
            ref.span = mention.span
    return list(refs.values())


def find_ids(
    text: str,
    links: Iterable[Link] = (),
    *,
    today: date | None = None,
    region: str | None = None,
) -> list[ArxivRef]:
    """Canonical arXiv ids referenced by ``text`` and ``links``, deduplicated by base id.

    ``today`` bounds the newest acceptable ``yymm`` (an id from a future month is not
    real yet); it defaults to the current date. ``region``: the visible text of the
    article's region of an HTML page (:mod:`papertrail.clean.links`); when given, ids are
    looked for there instead of in ``text`` (the extractor may have dropped a line that
    cites one), and spans point to the same characters in ``text`` where it has them.
    """
    today = today or date.today()
    source = text if region is None else region
    mentions = [*text_mentions(source, today=today), *link_mentions(source, links, today=today)]
    if region is not None:
        mentions = relocate(mentions, region, text)
    return merge(mentions)

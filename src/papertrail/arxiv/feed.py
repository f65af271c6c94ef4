"""Atom answers of the arXiv API -> :class:`~papertrail.record.Paper`, or a clear error.

The ``arxiv`` package's parser (``arxiv._feed.parse``, lxml with ``recover=True``) turns
entries into ``arxiv.Result`` well, in both the 2026 and the older feed format, so we use
it for that. But it returns an *empty success* for a truncated body and silently skips
the entries of an error feed, so before handing it the bytes we parse them strictly and
look for error entries ourselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import arxiv
from arxiv import _feed
from lxml import etree

from ..errors import ArxivResponseError
from ..record import Paper
from .identifiers import split_entry_id

_ATOM = "{http://www.w3.org/2005/Atom}"
_NS = {"atom": _ATOM[1:-1]}


@dataclass(slots=True)
class FeedPage:
    """One page of results: papers in feed order, and the API's total count."""

    papers: list[Paper]
    total: int
    start: int
    entries: int


def _strict_root(content: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError as exc:
        ends = content.rstrip().endswith(b"</feed>")
        reason = "arxiv_malformed_feed" if ends else "arxiv_truncated"
        raise ArxivResponseError(f"unreadable Atom feed ({exc})", reason=reason) from exc
    if root is None or root.tag != f"{_ATOM}feed":
        raise ArxivResponseError("answer is not an Atom feed", reason="arxiv_malformed_feed")
    if root.getroottree().docinfo.doctype:
        # The API never sends one; a DOCTYPE can only declare entities (XXE, billion
        # laughs). They are never expanded (resolve_entities=False); refuse the answer too.
        raise ArxivResponseError("answer declares a DOCTYPE", reason="arxiv_malformed_feed")
    return root


def error_message(content: bytes) -> str | None:
    """The text of an error feed (``<entry><title>Error</title>``), else None."""
    try:
        root = _strict_root(content)
    except ArxivResponseError:
        return None
    for entry in root.iterfind("atom:entry", _NS):
        entry_id = entry.findtext("atom:id", "", _NS)
        if "/api/errors" in entry_id or entry.findtext("atom:title", "", _NS) == "Error":
            return entry.findtext("atom:summary", "", _NS).strip() or entry_id
    return None


def result_to_paper(result: arxiv.Result) -> Paper:
    """Every ``Paper`` field from an ``arxiv.Result``; the id without its version."""
    parsed = split_entry_id(result.entry_id)
    if parsed is None:
        raise ArxivResponseError(
            f"entry id {result.entry_id!r} is not an arXiv id", reason="arxiv_malformed_feed"
        )
    pdf = result.pdf_url.replace("http://", "https://", 1) if result.pdf_url else None
    return Paper(
        arxiv_id=parsed.id,
        version=parsed.version,
        title=" ".join(result.title.split()),
        authors=[" ".join(a.name.split()) for a in result.authors],
        abstract=" ".join(result.summary.split()),
        categories=list(result.categories),
        primary_category=result.primary_category or (result.categories or [None])[0],
        published=result.published,
        updated=result.updated,
        doi=result.doi,
        journal_ref=result.journal_ref,
        comment=result.comment,
        abs_url=f"https://arxiv.org/abs/{parsed.id}",
        pdf_url=pdf,
    )


def parse_feed(content: bytes) -> FeedPage:
    """Papers of a results feed. Raises ``ArxivResponseError`` for anything else.

    Reasons: ``arxiv_truncated`` (body cut short), ``arxiv_malformed_feed`` (not Atom, or
    an entry the parser had to drop), ``arxiv_error_feed`` (the API's own error answer).
    """
    root = _strict_root(content)
    if (message := error_message(content)) is not None:
        raise ArxivResponseError(f"arXiv API error: {message}", reason="arxiv_error_feed")
    n_entries = len(root.findall("atom:entry", _NS))
    parsed = _feed.parse(bytes(content))
    if parsed.malformed or len(parsed.results) != n_entries:
        raise ArxivResponseError(
            f"{n_entries - len(parsed.results)} of {n_entries} entries unreadable",
            reason="arxiv_malformed_feed",
        )
    return FeedPage(
        papers=[result_to_paper(r) for r in parsed.results],
        total=parsed.header.total_results,
        start=parsed.header.start_index,
        entries=n_entries,
    )

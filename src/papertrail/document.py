"""``Document``: the one type that flows between stages.

Each stage takes a Document and returns it, filling in its own fields. A stage that fails
records a :class:`~papertrail.record.StageError` on the document instead of raising past
the stage boundary (see :func:`papertrail.pipeline.run_stage`), so one bad input never
sinks a run. At the end :meth:`Document.to_record` turns it into the output record.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from .items import item_at, segment
from .record import (
    ArticleRecord,
    ArxivRef,
    EnrichmentStatus,
    Paper,
    PaperItem,
    StageError,
    UnresolvedTitle,
)
from .urls import canonical_url

InputKind = Literal["http", "html_file", "text_file"]


@dataclass(slots=True)
class Link:
    """A link target in the main content, with its anchor text."""

    href: str
    text: str = ""


@dataclass(slots=True)
class Metadata:
    title: str | None = None
    author: str | None = None
    published: str | None = None
    sitename: str | None = None
    lang: str | None = None
    canonical_url: str | None = None


@dataclass(slots=True)
class Document:
    """An article on its way through the pipeline."""

    url: str
    kind: InputKind = "http"
    # (user, password) from the input URL's userinfo, which ``url`` no longer holds
    # (inputs.split_userinfo): sent with the request, never stored, logged or shown
    auth: tuple[str, str] | None = field(default=None, repr=False)
    # fetch
    raw: bytes | None = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    final_url: str | None = None
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    content_type: str | None = None
    # decode
    encoding: str | None = None
    markup: str | None = None  # decoded HTML, or the rendered text of a .txt input
    # clean
    meta: Metadata = field(default_factory=Metadata)
    text: str = ""
    links: list[Link] = field(default_factory=list)
    # HTML pages: visible text of the article's region of the DOM (where ids are looked
    # for, see papertrail.clean.links) and its section headings; None for text input.
    region_text: str | None = None
    headings: list[str] = field(default_factory=list)
    extractor_version: str = ""
    page_type: str | None = None  # article, forum, listing, ... (clean.pagetype)
    # ids, titles, enrich
    arxiv: list[ArxivRef] = field(default_factory=list)
    unresolved: list[UnresolvedTitle] = field(default_factory=list)
    papers: list[Paper] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    enrichment: EnrichmentStatus = "none"
    # bookkeeping
    errors: list[StageError] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    skipped: str | None = None  # reason the document was left out of output (e.g. unchanged)
    note: str | None = None  # for the user: why (e.g. same article as an earlier URL)

    @property
    def failed(self) -> bool:
        """True once a stage that produces the text has failed: later stages skip it."""
        return any(e.stage in {"input", "fetch", "decode", "clean"} for e in self.errors)

    @property
    def identity_url(self) -> str:
        """The URL that names the article: its declared canonical URL, else the URL it
        was fetched at, in :func:`~papertrail.urls.canonical_url` form, so ``page``,
        ``page#section`` and ``page?utm_source=x`` are one article (as the fetch ledger
        and the archive already treat them)."""
        url = self.meta.canonical_url or self.url
        try:
            return canonical_url(url)
        except ValueError:  # no URL parser accepts it ("http://[::1"): it names itself
            return url

    @property
    def article_id(self) -> str:
        return hashlib.sha256(self.identity_url.encode("utf-8")).hexdigest()[:16]

    def _arxiv_with_items(self, text: str) -> list[ArxivRef]:
        """The refs, each with the roundup item its first mention sits in."""
        items = segment(text, self.headings) if self.arxiv else []
        refs: list[ArxivRef] = []
        for ref in self.arxiv:
            item = item_at(items, ref.span[0]) if ref.span is not None and items else None
            paper_item = PaperItem(heading=item.heading, text=item.text) if item else None
            refs.append(ref.model_copy(update={"item": paper_item}))
        return refs

    def to_record(self) -> ArticleRecord:
        text = self.text or ""
        return ArticleRecord(
            article_id=self.article_id,
            url=self.url,
            final_url=self.final_url,
            canonical_url=self.identity_url,
            fetched_at=self.fetched_at,
            status=self.status,
            content_type=self.content_type,
            encoding=self.encoding,
            title=self.meta.title,
            author=self.meta.author,
            published=self.meta.published,
            sitename=self.meta.sitename,
            lang=self.meta.lang,
            page_type=self.page_type,
            text=text,
            text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            arxiv=self._arxiv_with_items(text),
            unresolved=list(self.unresolved),
            papers=list(self.papers),
            not_found=list(self.not_found),
            enrichment=self.enrichment,
            extractor_version=self.extractor_version,
            errors=list(self.errors),
        )


__all__ = [
    "Document",
    "Link",
    "Metadata",
]

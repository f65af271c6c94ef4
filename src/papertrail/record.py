"""The output record: one JSON line per input, documented in ``docs/schema.md``.

These pydantic models are the contract with downstream projects. ``schema_version``
changes whenever a field is renamed, removed or changes meaning; adding an optional field
bumps the minor number only. ``docs/record.schema.json`` is generated from
:class:`ArticleRecord` (``python -m papertrail.schema``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.3"

FoundBy = Literal[
    "link",  # an <a href> target (or a URL printed in text) on arxiv.org
    "text",  # an ``arXiv:`` citation or a bare id with arXiv context in the text
    "doi",  # a 10.48550/arXiv.<id> DOI
    "title",  # a paper named only by its title, resolved through the arXiv search API
    "description",  # a paper only described (digest without links), found by its clues
    "huggingface",  # huggingface.co/papers/<id>
    "alphaxiv",  # alphaxiv.org/abs/<id>
    "ar5iv",  # ar5iv.org / ar5iv.labs.arxiv.org
    "semanticscholar",  # semanticscholar.org/arxiv/<id>
    "paperscool",  # papers.cool/arxiv/<id>
]

PageType = Literal[
    "article", "forum", "listing", "collection", "product", "service", "documentation"
]

EnrichmentStatus = Literal[
    "done",  # every id was answered (found or not_found)
    "pending",  # not asked yet (offline run, --no-enrich, or the API was down)
    "partial",  # some ids answered, others still pending
    "none",  # nothing to enrich
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PaperItem(_Model):
    """The roundup item a paper belongs to: the section of the article it is cited from."""

    heading: str = Field(description="The section's heading line (often the paper's title).")
    text: str = Field(description="The section's lines under the heading, newline-joined.")


class DescriptionEvidence(_Model):
    """What a described paper's arXiv record agreed on with the description."""

    name: str = Field(description="The system name the description gives, found in the paper.")
    name_in: Literal["title", "abstract", "title_part", "abstract_part"] = Field(
        description="Where the name was found (``_part``: its distinctive first part only)."
    )
    terms: list[str] = Field(default_factory=list, description="Translated key terms matched.")
    numbers: list[str] = Field(default_factory=list, description="Numbers matched (66.31, 30%).")


class ArxivRef(_Model):
    """One arXiv paper the article refers to, deduplicated by base id."""

    id: str = Field(description="Canonical versionless id: '2307.09288' or 'hep-th/9901001'.")
    version: int | None = Field(None, description="Version number when the article gave one.")
    found_by: FoundBy = Field(description="How the first mention was found.")
    span: tuple[int, int] | None = Field(
        None, description="[start, end) character offsets of the first mention in `text`."
    )
    url: str | None = Field(None, description="Link target the id came from, if any.")
    score: float | None = Field(
        None,
        description="Title similarity (found_by=title), description score (found_by=description).",
    )
    evidence: str | None = Field(None, description="Why a title or description match was accepted.")
    matched: DescriptionEvidence | None = Field(
        None, description="found_by=description: the name, terms and numbers that agreed."
    )
    item: PaperItem | None = Field(
        None,
        description="The article section the paper is cited from (its heading and "
        "paragraphs): a (paper, summary) pair. None when the text has no sections, or "
        "the paper is cited in the lead before the first heading. Since 1.1.",
    )


class UnresolvedTitle(_Model):
    """A paper title (or described paper) with no safe arXiv match (never guessed)."""

    title: str = Field(description="The title candidate as printed (source=description: the name).")
    span: tuple[int, int] | None = Field(None, description="Offsets of the candidate in `text`.")
    best_id: str | None = Field(None, description="Closest arXiv result, rejected.")
    best_score: float | None = Field(None, description="Similarity of that closest result.")
    reason: str = Field(
        description=(
            "no_results | below_threshold | ambiguous | search_failed; source=description "
            "also: name_not_in_paper | no_agreement | deferred | item_limit"
        )
    )
    source: Literal["title", "description"] = Field(
        "title", description="title: a printed title; description: a paper only described."
    )
    detail: str | None = Field(None, description="Why the best candidate was refused.")


class Paper(_Model):
    """arXiv metadata for one referenced paper (latest version known)."""

    arxiv_id: str = Field(description="Versionless arXiv id.")
    version: int | None = Field(None, description="Latest version number known.")
    title: str = Field(description="Title as arXiv gives it (whitespace normalised).")
    authors: list[str] = Field(description="Author names in arXiv's order.")
    abstract: str = Field(description="Abstract (whitespace normalised).")
    categories: list[str] = Field(description="All arXiv categories, e.g. ['cs.CL', 'cs.LG'].")
    primary_category: str | None = Field(None, description="Primary arXiv category.")
    published: datetime | None = Field(None, description="First version's submission time.")
    updated: datetime | None = Field(None, description="Latest version's submission time.")
    doi: str | None = Field(None, description="Journal DOI when the authors gave one.")
    journal_ref: str | None = Field(None, description="Journal reference, if any.")
    comment: str | None = Field(None, description="Authors' comment (pages, venue...).")
    abs_url: str = Field(description="https://arxiv.org/abs/<id> page.")
    pdf_url: str | None = Field(None, description="PDF link.")


class StageError(_Model):
    """A stage that failed for this input. The record is written all the same."""

    stage: str = Field(
        description="fetch | decode | clean | ids | titles | describe | enrich | write"
    )
    reason: str = Field(description="Stable short code, e.g. http_404, timeout, too_large.")
    message: str = Field(description="Human-readable detail.")


class ArticleRecord(_Model):
    """One input (URL or local file) and everything papertrail learned from it."""

    schema_version: str = Field(SCHEMA_VERSION, description="Record format version (MAJOR.MINOR).")
    article_id: str = Field(description="Stable id: sha256 of canonical_url, 16 hex chars.")
    url: str = Field(description="The input as fetched; file:// URL for a local file.")
    final_url: str | None = Field(None, description="URL after redirects.")
    canonical_url: str | None = Field(
        None,
        description="The URL that names the article: <link rel=canonical> (or og:url), else the"
        " URL fetched; normal form (no fragment or tracking parameters). article_id hashes it.",
    )
    fetched_at: datetime = Field(description="When the bytes were obtained (UTC).")
    status: int | None = Field(None, description="HTTP status (200 for local files).")
    content_type: str | None = Field(None, description="Content-Type header as served.")
    encoding: str | None = Field(None, description="Charset the bytes were decoded with.")
    title: str | None = Field(None, description="Article title, without a ' | site' suffix.")
    author: str | None = Field(None, description="Author(s) as printed, Chinese names included.")
    published: str | None = Field(None, description="Publication date, ISO 8601 (YYYY-MM-DD).")
    sitename: str | None = Field(None, description="Name of the publishing site.")
    lang: str | None = Field(None, description="BCP 47 language code, e.g. 'zh', 'en'.")
    page_type: PageType | None = Field(
        None,
        description=(
            "What kind of page the text came from (chooses what is kept: a thread keeps its "
            "replies, a listing every item). None for text inputs."
        ),
    )
    text: str = Field("", description="Article body, paragraphs separated by newlines.")
    text_sha256: str = Field(description="sha256 of `text` (UTF-8), hex.")
    arxiv: list[ArxivRef] = Field(
        default_factory=list,
        description="Papers referred to, once each, in order of first mention.",
    )
    unresolved: list[UnresolvedTitle] = Field(
        default_factory=list, description="Paper titles found in the text with no safe arXiv match."
    )
    papers: list[Paper] = Field(
        default_factory=list, description="arXiv metadata of the `arxiv` ids, same order."
    )
    not_found: list[str] = Field(
        default_factory=list, description="Ids the arXiv API does not know."
    )
    enrichment: EnrichmentStatus = Field(
        "none", description="Whether `papers` is complete: done, partial, pending or none."
    )
    extractor_version: str = Field(description="Version of the cleaning rules that made `text`.")
    errors: list[StageError] = Field(
        default_factory=list, description="Stages that failed for this input, with reasons."
    )
    version: int = Field(
        default=1,
        ge=0,
        description=(
            "Article version, assigned by the output store: 1 for a new article, +1 each "
            "time its `text_sha256` or its arXiv ids/papers/not_found change; an unchanged "
            "article gets no new record. Records of failed inputs (not `ok`) are written "
            "to `failures/` and carry the last good version (0 if none), never a new one."
        ),
    )

    @property
    def ok(self) -> bool:
        """A record is ok when no stage before enrichment failed."""
        return not any(e.stage in {"fetch", "decode", "clean", "input"} for e in self.errors)

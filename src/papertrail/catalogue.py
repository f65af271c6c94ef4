"""``papers.jsonl``: one line per arXiv paper, with the articles that mention it.

Built from the *current* version of every article, so a paper an article no longer
mentions drops out, and rewritten whole (atomically) rather than appended: it is a view,
and a view that can only grow would keep stale links forever.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from .record import ArticleRecord, Paper

PaperStatus = Literal["found", "not_found", "pending"]


class CatalogueEntry(BaseModel):
    """One arXiv paper seen in the current records."""

    model_config = ConfigDict(extra="forbid")

    arxiv_id: str = Field(description="Canonical versionless arXiv id.")
    status: PaperStatus = Field(
        description="found: metadata below; not_found: arXiv does not know it; "
        "pending: not looked up yet."
    )
    title: str | None = Field(None, description="The paper's title when known.")
    paper: Paper | None = Field(None, description="arXiv metadata (newest fetch wins).")
    article_ids: list[str] = Field(description="Articles whose current version mention it.")
    urls: list[str] = Field(description="Their URLs, in the same order as article_ids.")
    mentions: int = Field(description="Number of articles mentioning it.")
    first_seen: datetime = Field(description="Earliest fetched_at among those articles.")
    last_seen: datetime = Field(description="Latest fetched_at among those articles.")


class _Mention(NamedTuple):
    fetched_at: datetime
    article_id: str
    url: str


def build_catalogue(records: Iterable[ArticleRecord]) -> list[CatalogueEntry]:
    """Group current records by the papers they mention; sorted by arXiv id."""
    # Keep only what an entry needs of each mention, not the record: the records (texts
    # included) stream through, so memory grows with mentions, not with the store.
    refs: dict[str, list[_Mention]] = {}
    papers: dict[str, tuple[datetime, Paper]] = {}
    not_found: set[str] = set()
    for record in records:
        ids = {ref.id for ref in record.arxiv} | {p.arxiv_id for p in record.papers}
        ids |= set(record.not_found)
        mention = _Mention(record.fetched_at, record.article_id, record.url)
        for arxiv_id in ids:
            refs.setdefault(arxiv_id, []).append(mention)
        for found in record.papers:
            seen = papers.get(found.arxiv_id)
            if seen is None or record.fetched_at > seen[0]:
                papers[found.arxiv_id] = (record.fetched_at, found)
        not_found.update(record.not_found)
    entries = []
    for arxiv_id in sorted(refs):
        mentioning = sorted(refs[arxiv_id], key=lambda r: (r.fetched_at, r.article_id))
        known = papers.get(arxiv_id)
        paper = known[1] if known else None
        status: PaperStatus = (
            "found" if paper else "not_found" if arxiv_id in not_found else "pending"
        )
        entries.append(
            CatalogueEntry(
                arxiv_id=arxiv_id,
                status=status,
                title=paper.title if paper else None,
                paper=paper,
                article_ids=[r.article_id for r in mentioning],
                urls=[r.url for r in mentioning],
                mentions=len(mentioning),
                first_seen=mentioning[0].fetched_at,
                last_seen=mentioning[-1].fetched_at,
            )
        )
    return entries

"""Building ArticleRecords for output-store tests."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from papertrail.record import ArticleRecord, ArxivRef, Paper, StageError


def paper(arxiv_id: str, title: str = "A paper") -> Paper:
    return Paper(
        arxiv_id=arxiv_id,
        title=title,
        authors=["A. Author"],
        abstract="Abstract.",
        categories=["cs.CL"],
        abs_url=f"https://arxiv.org/abs/{arxiv_id}",
    )


def make_record(
    n: int,
    text: str = "body",
    ids: tuple[str, ...] = (),
    *,
    papers: tuple[Paper, ...] = (),
    failed: bool = False,
    fetched_at: datetime | None = None,
) -> ArticleRecord:
    url = f"https://news.example/{n}"
    body = "" if failed else text
    return ArticleRecord(
        article_id=hashlib.sha256(url.encode()).hexdigest()[:16],
        url=url,
        fetched_at=fetched_at or datetime(2026, 11, 23, 5, n % 60, tzinfo=UTC),
        status=503 if failed else 200,
        text=body,
        text_sha256=hashlib.sha256(body.encode()).hexdigest(),
        arxiv=[ArxivRef(id=i, found_by="text") for i in ids],
        papers=list(papers),
        extractor_version="test-1",
        errors=[StageError(stage="fetch", reason="http_503", message="down")] if failed else [],
    )

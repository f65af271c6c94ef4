"""Described papers left ``deferred`` (enrichment off, or arXiv down) resolved later.

``python -m flows.enrich`` calls :func:`complete_deferred` on the current records before
completing their enrichment: the record's own text and date are read again, exactly as
the ingest run would have, so a deferred page ends with the same papers.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..arxiv.stage import has_deferred
from ..document import Document, Metadata
from ..record import ArticleRecord
from .resolver import DescriptionResolver, Search


def complete_deferred(
    records: Iterable[ArticleRecord], search: Search, *, grace_days: int = 3
) -> list[ArticleRecord]:
    """Records with deferred described papers, resolved as far as the API allows.

    Records without any come back unchanged (the same object), so callers can tell
    which changed with ``new is not old``.
    """
    resolver = DescriptionResolver(search, grace_days=grace_days)
    out: list[ArticleRecord] = []
    for rec in records:
        if not has_deferred(rec.unresolved):
            out.append(rec)
            continue
        doc = Document(
            url=rec.url,
            text=rec.text,
            meta=Metadata(published=rec.published, lang=rec.lang),
            arxiv=list(rec.arxiv),
            papers=list(rec.papers),
            unresolved=[u for u in rec.unresolved if u.source != "description"],
        )
        resolver.resolve(doc)
        update = {"arxiv": doc.arxiv, "papers": doc.papers, "unresolved": doc.unresolved}
        out.append(rec.model_copy(update=update))
    return out


__all__ = ["complete_deferred"]

"""arXiv identifiers in web articles: find them, validate them, canonicalise them.

- :func:`find_ids` over an article's text and link targets;
- :func:`parse_id` to validate one string;
- :func:`extract_ids`, the pipeline stage (fills ``Document.arxiv``);
- ``python -m papertrail.ids`` for ad-hoc use (see ``docs/identifiers.md``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..document import Document
from .extract import find_ids, link_ids
from .scheme import OLD_ARCHIVES, ArxivId, base_id, parse_id


def extract_ids(doc: Document) -> Document:
    """Stage: ``doc.text`` and ``doc.links`` (and, for HTML, the article's region of the
    page) -> ``doc.arxiv`` (today = the real date)."""
    today = datetime.now(UTC).date()
    doc.arxiv = find_ids(doc.text, doc.links, today=today, region=doc.region_text)
    return doc


__all__ = ["OLD_ARCHIVES", "ArxivId", "base_id", "extract_ids", "find_ids", "link_ids", "parse_id"]

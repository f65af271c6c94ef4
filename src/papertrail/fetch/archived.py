"""Rebuild fetched Documents from the raw archive, with no network.

This is how a better cleaner or id finder is applied to everything already fetched:
the WARC records hold the exact bytes and headers, so unchanged code gives identical
records and changed code is the only difference.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..document import Document
from ..settings import Settings
from .archive import INDEX_NAME, RawArchive


def archived_documents(settings: Settings) -> Iterator[Document]:
    """The newest capture of every archived URL, as fetched Documents (raw, status,
    headers, final_url, content_type, fetched_at), in the order URLs were first archived.
    An empty or missing archive yields nothing."""
    if not (settings.raw_path / INDEX_NAME).exists():
        return
    with RawArchive(
        settings.raw_path,
        max_file_bytes=settings.warc_max_bytes,
        max_body_bytes=settings.max_bytes,
    ) as archive:
        yield from archive.iter_archive()

"""Fetching: polite, bounded, retried HTTP GETs, a WARC archive of every page, and a
ledger that lets unchanged pages cost a 304. No Prefect in here: flows call these.

Public surface: :class:`Fetcher`, :class:`Requester` (the one checked, polite request,
also used by discovery), :func:`make_client` and :func:`total_deadline` (the one HTTP
client factory, also used by the arXiv client), :class:`RawArchive`, :class:`Ledger`,
:func:`archived_documents`, :func:`canonical_url`, :func:`check_url`.
"""

from ..urls import canonical_url
from .archive import Capture, RawArchive
from .archived import archived_documents
from .client import classify_failure, make_client, total_deadline
from .fetcher import Fetcher
from .ledger import Ledger, LedgerEntry
from .request import Requester
from .safety import check_url

__all__ = [
    "Capture",
    "Fetcher",
    "Ledger",
    "LedgerEntry",
    "RawArchive",
    "Requester",
    "archived_documents",
    "canonical_url",
    "check_url",
    "classify_failure",
    "make_client",
    "total_deadline",
]

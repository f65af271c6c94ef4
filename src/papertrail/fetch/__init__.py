"""Fetching: polite, bounded, retried HTTP GETs, a WARC archive of every page, and a
ledger that lets unchanged pages cost a 304. No Prefect in here: flows call these.

Public surface: :class:`Fetcher`, :class:`RawArchive`, :class:`Ledger`,
:func:`reprocess`, :func:`canonical_url`, :func:`check_url`.
"""

from .archive import Capture, RawArchive
from .fetcher import Fetcher
from .ledger import Ledger, LedgerEntry
from .reprocess import reprocess
from .safety import check_url
from .urls import canonical_url

__all__ = [
    "Capture",
    "Fetcher",
    "Ledger",
    "LedgerEntry",
    "RawArchive",
    "canonical_url",
    "check_url",
    "reprocess",
]

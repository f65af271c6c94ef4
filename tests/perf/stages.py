"""Stages for the time-limit tests: importable by worker processes (they pickle by name)."""

from __future__ import annotations

import os
import time

from papertrail.document import Document


def upper(doc: Document) -> Document:
    doc.text = (doc.markup or "").upper()
    return doc


def stall_on_marker(doc: Document) -> Document:
    """Never returns on a page containing STALL: stands in for a pathological page."""
    if "STALL" in (doc.markup or ""):
        while True:
            time.sleep(0.05)
    return upper(doc)


def die_on_marker(doc: Document) -> Document:
    """Kills its own process on a page containing DIE (a segfault, an OOM kill)."""
    if "DIE" in (doc.markup or ""):
        os._exit(3)
    return upper(doc)


def sessions_here() -> int:
    """How many papertrail sessions this process built (run on Dask workers)."""
    from papertrail import session

    return len(session._sessions)

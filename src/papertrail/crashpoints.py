"""Test-only crash points: a real process death at a named place in a run.

Reliability tests prove that a run killed anywhere loses nothing. Killing from outside
at random times cannot aim at the narrow windows that matter (after a page is fetched
but before its record is committed), so the code marks those places with
:func:`crash_point`. Nothing happens unless ``PAPERTRAIL_TEST_CRASH_AT`` is set, which
only tests do; then the process sends itself SIGKILL: no ``finally``, no ``atexit``,
no flush, exactly like ``kill -9`` or a power cut.

``PAPERTRAIL_TEST_CRASH_AT`` is ``NAME`` (die the first time NAME is reached) or
``NAME:N`` (the N-th time). Names in use: ``fetch`` (a page fetched and noted in the
ledger), ``clean`` / ``ids`` / ``titles`` (before that stage runs on a page), ``enrich``
(before a batch asks the arXiv API), ``write`` (a shard complete on disk under its
temporary name, not yet renamed), ``commit`` (a shard renamed and indexed, the ledger
not yet told).
"""

from __future__ import annotations

import os
import signal
import threading

ENV = "PAPERTRAIL_TEST_CRASH_AT"

_counts: dict[str, int] = {}
_lock = threading.Lock()


def crash_point(name: str) -> None:
    """SIGKILL this process here if the environment asks for it (tests only)."""
    spec = os.environ.get(ENV)
    if not spec:
        return
    target, _, nth = spec.partition(":")
    if target != name:
        return
    with _lock:
        _counts[name] = _counts.get(name, 0) + 1
        hit = _counts[name] == (int(nth) if nth.isdigit() else 1)
    if hit:
        os.kill(os.getpid(), signal.SIGKILL)

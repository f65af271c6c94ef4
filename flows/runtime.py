"""The per-process papertrail session the flows' tasks share.

Tasks receive only settings (small, picklable), and look up the process's session: in
threads that is one session for the whole run (shared politeness, limiter, caches); on
Dask or worker processes, one per process, rebuilt from the same settings.
"""

from __future__ import annotations

from papertrail.session import Session, session_for
from papertrail.settings import Settings

from .arxiv_limit import make_limiter

#: Artifact key of a run's counts (pages, records, failed...), read by ``flows.status``.
RUN_COUNTS = "run-counts"


def session(settings: Settings) -> Session:
    return session_for(settings, limiter_factory=make_limiter)

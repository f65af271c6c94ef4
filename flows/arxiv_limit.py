"""The arXiv request limiter for flows: a Prefect global rate limit when a server exists.

arXiv's "one request every three seconds" is for all of a user's machines together.
When runs are distributed (workers on several machines) only a limit kept by the Prefect
API server can hold it, so :class:`PrefectRateLimiter` takes a slot of the global
concurrency limit ``arxiv-api`` (limit 1, one slot decaying per interval) before every
request. With no server configured (``PREFECT_API_URL`` unset: a local run) the library's
machine-wide :class:`~papertrail.arxiv.FileLimiter` is used instead.

Both are :class:`~papertrail.arxiv.Limiter`: pass the result of :func:`make_limiter` to
``ArxivClient(settings, limiter=...)``.
"""

from __future__ import annotations

import time

from prefect.client.orchestration import get_client
from prefect.concurrency.sync import rate_limit
from prefect.settings import get_current_settings

from papertrail.arxiv import SAFETY_MARGIN, Limiter, local_limiter
from papertrail.settings import Settings

LIMIT_NAME = "arxiv-api"


def ensure_limit(interval: float, name: str = LIMIT_NAME) -> None:
    """Create or update the global limit: one slot, freed ``interval`` seconds after use.

    A limit that does not exist throttles nothing (and raises nothing unless strict),
    so it is created in code rather than left to a manual setup step.
    """
    with get_client(sync_client=True) as client:
        client.upsert_global_concurrency_limit_by_name(
            name, limit=1, slot_decay_per_second=1.0 / interval
        )


class PrefectRateLimiter:
    """A Prefect global rate limit (cross-machine), then the local file limiter.

    The local limiter adds sub-second precision and the safety margin on this machine;
    the server's limit (which frees a slot only after whole decay periods) keeps
    machines apart.
    """

    def __init__(self, settings: Settings, name: str = LIMIT_NAME) -> None:
        self.name = name
        self.local = local_limiter(settings)
        ensure_limit(settings.arxiv_interval + SAFETY_MARGIN, name)

    def acquire(self) -> float:
        start = time.monotonic()
        rate_limit(self.name, occupy=1, strict=True)
        self.local.acquire()
        return time.monotonic() - start

    def release(self) -> None:
        self.local.release()


def prefect_server_configured() -> bool:
    return bool(get_current_settings().api.url)


def make_limiter(settings: Settings) -> Limiter:
    """The Prefect limit when a server is configured, the local file limiter otherwise."""
    if settings.arxiv_interval > 0 and prefect_server_configured():
        return PrefectRateLimiter(settings)
    return local_limiter(settings)

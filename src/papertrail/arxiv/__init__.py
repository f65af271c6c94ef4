"""arXiv enrichment: metadata for the ids an article mentions, as arXiv asks to be used.

One batched, cached, rate-limited client (:class:`ArxivClient`), the batch stage
:func:`enrich`, and :func:`complete_records` for enrichment deferred by an outage or an
offline run. No Prefect here: ``flows/arxiv_limit.py`` adapts a Prefect global rate limit
to the :class:`Limiter` protocol.
"""

from ..record import Paper
from .cache import PaperCache
from .client import ArxivClient, Lookup
from .feed import FeedPage, parse_feed
from .identifiers import base_id
from .limiter import SAFETY_MARGIN, FileLimiter, Limiter, local_limiter
from .stage import complete_records, enrich, needs_enrichment
from .stats import ArxivStats

__all__ = [
    "SAFETY_MARGIN",
    "ArxivClient",
    "ArxivStats",
    "FeedPage",
    "FileLimiter",
    "Limiter",
    "Lookup",
    "Paper",
    "PaperCache",
    "base_id",
    "complete_records",
    "enrich",
    "local_limiter",
    "needs_enrichment",
    "parse_feed",
]

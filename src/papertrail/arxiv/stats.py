"""Counters for one client's use of the arXiv API (what the run summary reports)."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(slots=True)
class ArxivStats:
    """What enrichment cost: every HTTP request, retry and second spent waiting."""

    requests: int = 0  # HTTP requests sent, retries included
    ids_asked: int = 0  # ids sent in id_list requests (each id once per chunk)
    searches: int = 0  # search_query calls that went to the API
    cache_hits: int = 0  # ids and searches answered from the cache
    retries: int = 0  # requests repeated after 429/5xx/timeout/bad body
    rate_limited: int = 0  # 429 answers received
    seconds_waited: float = 0.0  # limiter spacing plus retry backoff

    def as_dict(self) -> dict[str, int | float]:
        d = asdict(self)
        d["seconds_waited"] = round(self.seconds_waited, 3)
        return d

"""``ArxivClient``: arXiv metadata for many ids in as few requests as the API allows.

Ids are validated and reduced to their versionless form, answered from the cache when
possible, and the rest asked in chunks of ``arxiv_chunk_size`` with ``max_results`` equal
to the chunk (the API silently cuts an id list at ``max_results``). Answers are matched
to ids by id, never by position: the API drops unknown ids and does not keep order.
Once the API is unavailable (retries exhausted) the remaining chunks are not tried in
this call: their ids go to ``failed`` and enrichment stays pending for a later run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

import httpx

from ..closing import Closing
from ..errors import ArxivError, ArxivResponseError, ArxivUnavailable, InputError, StorageError
from ..ids import parse_id
from ..record import Paper
from ..settings import Settings
from .cache import PaperCache
from .limiter import Limiter, local_limiter
from .stats import ArxivStats
from .transport import ApiTransport

log = logging.getLogger(__name__)

MAX_PAGE = 2000  # the API's largest page


@dataclass(slots=True)
class Lookup:
    """The answer for a set of ids, keyed by versionless id (``failed``: as given)."""

    papers: dict[str, Paper] = field(default_factory=dict)
    not_found: set[str] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)  # id -> reason code


class ArxivClient(Closing):
    """The one way papertrail talks to arXiv: batched, cached, spaced, retried.

    Safe to share between threads (calls are serialised); in another process, make
    another client: the limiter file and the cache are shared through the data dir.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.BaseTransport | None = None,
        limiter: Limiter | None = None,
        cache: PaperCache | None = None,
    ) -> None:
        self.settings = settings
        self.stats = ArxivStats()
        self.limiter = limiter or local_limiter(settings)
        self._own_cache = cache is None
        self.cache = cache or PaperCache(
            settings.arxiv_cache_file,
            ttl_days=settings.arxiv_cache_ttl_days,
            not_found_ttl_days=settings.arxiv_not_found_ttl_days,
        )
        self._session = ApiTransport(settings, self.limiter, self.stats, transport=transport)
        # Requests are serialised by the limiter anyway; one call at a time per client
        # also keeps threads sharing a client from asking for the same id twice.
        self._lock = threading.RLock()

    def close(self) -> None:
        self._session.close()
        if self._own_cache:
            self.cache.close()

    # --- ids ------------------------------------------------------------------------
    def get_papers(self, ids: Iterable[str]) -> Lookup:
        """Papers for ``ids``. Never raises for API trouble: see ``Lookup.failed``."""
        with self._lock:
            return self._get_papers(ids)

    def _get_papers(self, ids: Iterable[str]) -> Lookup:
        out = Lookup()
        wanted: list[str] = []
        for raw in ids:
            parsed = parse_id(raw)
            if parsed is None:
                out.failed[raw] = "malformed_id"
            else:
                wanted.append(parsed.id)
        wanted = list(dict.fromkeys(wanted))
        cached, cached_missing = self.cache.get_many(wanted)
        out.papers.update(cached)
        out.not_found |= cached_missing
        self.stats.cache_hits += len(cached) + len(cached_missing)
        todo = [i for i in wanted if i not in cached and i not in cached_missing]
        size = self.settings.arxiv_chunk_size
        down: ArxivError | None = None
        for start in range(0, len(todo), size):
            chunk = todo[start : start + size]
            if down is not None:
                out.failed.update(dict.fromkeys(chunk, down.reason))
                continue
            try:
                self._ask_chunk(chunk, out)
            except ArxivUnavailable as exc:
                log.warning(
                    "arXiv API unavailable (%s): %d ids left pending", exc.reason, len(todo) - start
                )
                down = exc
                out.failed.update(dict.fromkeys(chunk, exc.reason))
            except ArxivError as exc:
                out.failed.update(dict.fromkeys(chunk, exc.reason))
        return out

    def _ask_chunk(self, chunk: list[str], out: Lookup) -> None:
        self.stats.ids_asked += len(chunk)
        page = self._session.query(
            {
                "search_query": "",
                "id_list": ",".join(chunk),
                "start": "0",
                # Never below the ids sent: the API silently cuts an id list there.
                "max_results": str(max(len(chunk), self.settings.arxiv_chunk_size)),
            }
        )
        asked = set(chunk)
        got = {p.arxiv_id: p for p in page.papers if p.arxiv_id in asked}
        if len(page.papers) > len(got):
            log.warning("arXiv API returned %d unasked entries", len(page.papers) - len(got))
        if page.total > len(page.papers):
            raise ArxivResponseError(
                f"feed says {page.total} results but holds {len(page.papers)}",
                reason="arxiv_short_page",
            )
        missing = asked - got.keys()
        try:
            self.cache.put_papers(got.values())
            self.cache.put_not_found(missing)
        except StorageError as exc:  # the answer is still good; it is just not kept
            log.warning("arXiv cache not written: %s", exc.message)
        out.papers.update(got)
        out.not_found |= missing

    # --- search ---------------------------------------------------------------------
    def search(self, query: str, max_results: int = 10) -> list[Paper]:
        """Results of a raw ``search_query`` (e.g. ``ti:"..."``), best first, cached.

        Raises ``ArxivError`` subclasses when the API cannot answer.
        """
        with self._lock:
            return self._search(query, max_results)

    def _search(self, query: str, max_results: int) -> list[Paper]:
        if not query.strip():
            raise InputError("empty arXiv search query", reason="arxiv_empty_query")
        if not 1 <= max_results <= MAX_PAGE:
            raise InputError(f"max_results must be 1..{MAX_PAGE}", reason="arxiv_bad_max_results")
        if (hit := self.cache.get_search(query, max_results)) is not None:
            self.stats.cache_hits += 1
            return hit
        self.stats.searches += 1
        page = self._session.query(
            {
                "search_query": query,
                "start": "0",
                "max_results": str(max_results),
                "sortBy": "relevance",
                "sortOrder": "descending",
            }
        )
        if len(page.papers) < min(page.total, max_results):
            raise ArxivResponseError(
                f"search page holds {len(page.papers)} of {min(page.total, max_results)}",
                reason="arxiv_short_page",
            )
        papers = list({p.arxiv_id: p for p in page.papers}.values())
        try:
            self.cache.put_search(query, max_results, papers)
        except StorageError as exc:
            log.warning("arXiv cache not written: %s", exc.message)
        return papers

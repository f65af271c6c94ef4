"""A run's long-lived parts (HTTP client, arXiv client, output store) and its stages.

``Session`` is the plain-Python way to run papertrail, and what the Prefect flows call
inside their tasks: the flows add orchestration, never logic. Keeping one session per
process (see :func:`session_for`) lets per-host politeness, the arXiv rate limiter and
the caches span every batch of a run, whether tasks run in threads or on Dask workers.
"""

from __future__ import annotations

import atexit
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from .decode import decode
from .document import Document
from .errors import InputError
from .pipeline import run_stage
from .settings import Settings
from .summary import RunSummary, table_rows
from .timelimit import PageProcessor, default_workers

StageList = list[tuple[str, Callable[[Document], Document]]]
T = TypeVar("T")


def new_run_id() -> str:
    """Sortable, unique run id: UTC timestamp plus a random suffix."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def document_for(arg: str) -> Document:
    """A Document for one input; a bad input becomes a document with an input error."""
    from .inputs import make_document, storable

    try:
        return make_document(arg)
    except InputError as exc:
        doc = Document(url=storable(arg))  # a non-UTF-8 argument must not crash the write
        doc.add_error("input", exc.reason, exc.message)
        return doc


class Session:
    """Everything one run (or one worker process) needs, built once from settings."""

    def __init__(
        self,
        settings: Settings,
        *,
        arxiv_transport: Any = None,
        fetch_transport: Any = None,
        arxiv_limiter: Any = None,
    ) -> None:
        from .arxiv import ArxivClient
        from .clean import EXTRACTOR_VERSION, clean
        from .fetch import Fetcher
        from .ids import extract_ids
        from .output import OutputStore
        from .titles import TitleResolver

        self.settings = settings
        self.extractor_version = EXTRACTOR_VERSION
        self.fetcher = Fetcher(
            settings, transport=fetch_transport, extractor_version=EXTRACTOR_VERSION
        )
        self.arxiv = ArxivClient(settings, transport=arxiv_transport, limiter=arxiv_limiter)
        self.resolver = TitleResolver(self.arxiv.search)
        self.output = OutputStore.from_settings(settings)
        self.stages: StageList = [("decode", decode), ("clean", clean), ("ids", extract_ids)]
        self._processor: PageProcessor | None = None
        self._processor_lock = threading.Lock()

    @property
    def processor(self) -> PageProcessor:
        """Worker processes for the per-page stages, started on first use."""
        with self._processor_lock:
            if self._processor is None:
                workers = self.settings.process_workers
                self._processor = PageProcessor(
                    self.stages,
                    workers=default_workers() if workers is None else workers,
                    time_limit=self.settings.page_time_limit,
                )
                atexit.register(self._processor.close)
            return self._processor

    # --- stages over batches ------------------------------------------------------------
    def fetch(self, docs: list[Document]) -> list[Document]:
        """Fetch a batch politely; every input comes back, failed ones with their error.

        The cleaning workers start meanwhile, so their start-up hides behind the network.
        """
        self.processor.warm_up()
        todo = [d for d in docs if not d.failed]
        by_id = {id(d): d for d in self.fetcher.fetch_many(todo)}
        return [by_id.get(id(d), d) for d in docs]

    def process(self, docs: list[Document]) -> list[Document]:
        """Decode, clean and find ids: CPU work, on worker processes (one per core), each
        page under ``page_time_limit`` (see :mod:`papertrail.timelimit`)."""
        return self.processor.process(docs)

    def link(self, docs: list[Document]) -> list[Document]:
        """Resolve titles, then enrich every id of the batch in as few requests as possible."""
        from .arxiv import enrich

        if self.settings.resolve_titles and self.settings.enrich:
            docs = [run_stage("titles", self.resolver.resolve, d) for d in docs]
        live = [d for d in docs if not d.failed and not d.skipped]
        start = time.perf_counter()
        enrich(live, self.arxiv)  # with enrichment off, only the cache answers
        if live:
            share = (time.perf_counter() - start) / len(live)
            for d in live:
                d.timings["enrich"] = d.timings.get("enrich", 0.0) + share
        return docs

    def write(self, docs: list[Document], run_id: str) -> tuple[list[str], int]:
        """Write the batch's records to its own shard, atomically; returns (paths, count).

        An article whose content did not change since its last record is marked
        ``skipped="unchanged"`` and gets no new record.
        """
        with self.output.open_run(run_id) as writer:
            for doc in docs:
                if not doc.skipped and not writer.write(doc.to_record()):
                    doc.skipped = "unchanged"
        self.fetcher.confirm(docs)  # only now may the ledger count these pages as done
        paths = [
            str(path)
            for path, count in (
                (writer.path, writer.written),
                (writer.failures_path, writer.failed),
            )
            if count
        ]
        return paths, writer.written + writer.failed

    def catalogue(self) -> str:
        from .output import write_catalogue

        return str(write_catalogue(self.settings.clean_path))

    def run_batch(self, inputs: list[str], shard: str) -> BatchOutcome:
        """One batch through every stage, returning only what a run keeps of it.

        The documents (raw bytes, text) are dropped here, so a run's memory does not grow
        with its size: only the summary counts and one small row per input remain.
        """
        docs = self.link(self.process(self.fetch([document_for(a) for a in inputs])))
        paths, count = self.write(docs, shard)
        return BatchOutcome.of(docs, paths, count)

    # --- whole runs without an orchestrator (baseline for benchmarks, library users) ----
    def run(
        self,
        inputs: Iterable[str],
        *,
        batch_size: int = 100,
        run_id: str | None = None,
        concurrency: int = 1,
    ) -> RunSummary:
        """The whole run as plain function calls: batches one after another, or up to
        ``concurrency`` at once in threads (the same sliding window the ingest flow uses,
        so the two can be compared like for like)."""
        run_id = run_id or new_run_id()
        summary = RunSummary(run_id=run_id)
        start = time.perf_counter()
        shards = (
            (batch, f"{run_id}-{n:05d}") for n, batch in enumerate(batched(inputs, batch_size))
        )
        if concurrency <= 1:
            for batch, shard in shards:
                self.run_batch(batch, shard).add_to(summary)
        else:
            with ThreadPoolExecutor(max_workers=concurrency) as pool:
                in_flight: deque[Future[BatchOutcome]] = deque()
                for batch, shard in shards:
                    in_flight.append(pool.submit(self.run_batch, batch, shard))
                    if len(in_flight) > concurrency:
                        in_flight.popleft().result().add_to(summary)
                while in_flight:
                    in_flight.popleft().result().add_to(summary)
        if summary.records_written:
            summary.add_output(self.catalogue())
        summary.arxiv = self.arxiv.stats.as_dict()
        summary.wall_seconds = time.perf_counter() - start
        return summary

    def close(self) -> None:
        for part in (self.fetcher, self.arxiv, self._processor):
            close = getattr(part, "close", None)
            if close is not None:
                close()


@dataclass(slots=True)
class BatchOutcome:
    """What a run keeps of one batch: its summary (counts, output paths) and one small
    row per input for the run's table artifact."""

    summary: RunSummary
    rows: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, docs: list[Document], paths: list[str], count: int) -> BatchOutcome:
        summary = RunSummary(records_written=count)
        for doc in docs:
            summary.add(doc)
        for path in paths:
            summary.add_output(path)
        return cls(summary=summary, rows=table_rows(docs))

    def add_to(self, total: RunSummary) -> None:
        """Fold this batch into the run's summary."""
        total.merge(self.summary)


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


_sessions: dict[str, Session] = {}
_sessions_lock = threading.Lock()


def session_for(
    settings: Settings, limiter_factory: Callable[[Settings], Any] | None = None
) -> Session:
    """The process's session for these settings (created on first use).

    ``limiter_factory`` builds the arXiv limiter (the flows pass one that uses a Prefect
    global rate limit when a server is configured); the library default is the
    machine-wide file limiter.
    """
    key = settings.model_dump_json()
    with _sessions_lock:
        if key not in _sessions:
            limiter = limiter_factory(settings) if limiter_factory else None
            _sessions[key] = Session(settings, arxiv_limiter=limiter)
        return _sessions[key]

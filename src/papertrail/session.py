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
from collections.abc import Callable, Container, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from .decode import decode
from .document import Document
from .errors import InputError
from .pipeline import StageList, add_time, record_failure, run_stage
from .settings import Settings
from .summary import RunSummary, table_rows
from .timelimit import PageProcessor, default_workers

T = TypeVar("T")
R = TypeVar("R", covariant=True)


class Pending(Protocol[R]):
    """A submitted piece of work: a ``concurrent.futures.Future`` or a Prefect future."""

    def result(self) -> R: ...


def windowed(items: Iterable[T], submit: Callable[[T], Pending[R]], width: int) -> Iterator[R]:
    """Results of ``submit(item)`` for every item, in order, with at most ``width``
    submitted and not yet collected: the sliding window every run shape uses, so memory
    stays flat however many items a run has and plain runs compare like for like with
    orchestrated ones."""
    in_flight: deque[Pending[R]] = deque()
    for item in items:
        in_flight.append(submit(item))
        if len(in_flight) > width:
            yield in_flight.popleft().result()
    while in_flight:
        yield in_flight.popleft().result()


def shards_of(inputs: Iterable[T], run_id: str, batch_size: int) -> Iterator[tuple[list[T], str]]:
    """Batches of ``inputs`` with the shard id each is written under."""
    for n, batch in enumerate(batched(inputs, batch_size)):
        yield batch, f"{run_id}-{n:05d}"


def new_run_id() -> str:
    """Sortable, unique run id: UTC timestamp plus a random suffix."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def document_for(arg: str) -> Document:
    """A Document for one input; a bad input becomes a document with an input error."""
    from .inputs import make_document, split_userinfo, storable

    try:
        return make_document(arg)
    except InputError as exc:
        # a non-UTF-8 argument must not crash the write; a password must not be stored
        url = split_userinfo(arg.strip())[0] if "@" in arg else arg
        doc = Document(url=storable(url))
        record_failure(doc, "input", exc)
        return doc


def first_sightings(inputs: Iterable[str], repeats: list[Document]) -> Iterator[str]:
    """``inputs`` less those naming a page already given in this run, in another
    spelling or not (the same URL twice, ``#fragment``, tracking parameters, a password,
    the host's case: :func:`~papertrail.urls.canonical_url`): the page is fetched once,
    not once per spelling. Each repeat becomes a document in ``repeats``, skipped with a
    note naming the first, so the run still accounts for every input. Lazy: a run's
    inputs are never all held, only one key per page."""
    from .inputs import split_userinfo
    from .urls import canonical_url

    seen: dict[str, str] = {}
    for arg in inputs:
        key: str | None = None
        with suppress(ValueError, TypeError, AttributeError):  # bad input: its own record
            bare = split_userinfo(arg.strip())[0]
            if bare[:8].lower().startswith(("http://", "https://")):  # files: as given
                key = canonical_url(bare)
        if key is None or key not in seen:
            if key is not None:
                seen[key] = bare
            yield arg
            continue
        doc = document_for(arg)
        doc.skipped = "repeated"
        doc.note = f"{doc.url}: same page as {seen[key]}, given earlier in this run (fetched once)"
        repeats.append(doc)


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
        from .describe import DescriptionResolver
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
        self.describer = DescriptionResolver(
            self.arxiv.search, grace_days=settings.describe_grace_days
        )
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
        """Resolve titles, then described papers, then enrich every id of the batch in as
        few requests as possible. With enrichment off, described papers are only noted
        (``deferred``) for ``python -m flows.enrich``."""
        from .arxiv import enrich

        if self.settings.resolve_titles and self.settings.enrich:
            docs = [run_stage("titles", self.resolver.resolve, d) for d in docs]
        if self.settings.resolve_descriptions:
            describe = self.describer.resolve if self.settings.enrich else self.describer.defer
            docs = [run_stage("describe", describe, d) for d in docs]
        live = [d for d in docs if not d.failed and not d.skipped]
        start = time.perf_counter()
        enrich(live, self.arxiv)  # with enrichment off, only the cache answers
        if live:
            share = (time.perf_counter() - start) / len(live)
            for d in live:
                add_time(d, "enrich", share)
        return docs

    def write(self, docs: list[Document], shard: str) -> tuple[list[str], int]:
        """Write the batch's records to its own shard, atomically; returns (paths, count).

        An article whose content did not change since its last record is marked
        ``skipped="unchanged"`` and gets no new record.
        """
        with self.output.open_run(shard) as writer:
            for doc in docs:
                if not doc.skipped and not writer.write(doc.to_record()):
                    doc.skipped = "unchanged"
                    doc.note = same_article_note(doc, writer.latest_url(doc.article_id))
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
        return self.finish_batch(self.fetch([document_for(a) for a in inputs]), shard)

    def finish_batch(self, docs: list[Document], shard: str) -> BatchOutcome:
        """Process, link and write documents already fetched (or read from the archive)."""
        docs = self.link(self.process(docs))
        paths, count = self.write(docs, shard)
        return BatchOutcome.of(docs, paths, count)

    def archived(self) -> Iterator[Document]:
        """The newest capture of every archived URL, as fetched documents (no network)."""
        from .fetch import archived_documents

        return archived_documents(self.settings)

    def complete_pending(self) -> dict[str, Any]:
        """Complete records whose enrichment (or description search) is pending, writing
        each completed one as a new version in a shard of its own; still-pending records
        stay as they are."""
        from .arxiv import complete_records, needs_enrichment
        from .describe.deferred import complete_deferred

        pending = [r for r in self.output.iter_current_records() if needs_enrichment(r)]
        described = (
            complete_deferred(
                pending, self.arxiv.search, grace_days=self.settings.describe_grace_days
            )
            if self.settings.resolve_descriptions
            else pending
        )
        completed = complete_records(described, self.arxiv)
        changed = [new for old, new in zip(pending, completed, strict=True) if new is not old]
        written, path = 0, None
        if changed:
            with self.output.open_run(new_run_id() + "-enrich") as writer:
                for record in changed:
                    written += writer.write(record)
            if writer.written:
                path = str(writer.path)
                self.catalogue()
        return {
            "pending_before": len(pending),
            "records_written": written,
            "still_pending": sum(1 for r in completed if needs_enrichment(r)),
            "output": path,
            "arxiv": self.arxiv.stats.as_dict(),
        }

    # --- discovery ------------------------------------------------------------------
    def discovery_sources(self, names: Iterable[str] = ()) -> list[str]:
        """The named sources (default: every enabled one); an unknown name raises
        ``ConfigError`` here, before any request."""
        from .sources import load_sources

        catalogue = load_sources(self.settings.sources_file)
        wanted = list(names) or [s.name for s in catalogue.enabled]
        for name in wanted:
            catalogue.get(name)
        return wanted

    def discover(self, name: str, known: Container[str] | None = None) -> dict[str, Any]:
        """One source's new article URLs (not in ``known``, default: the output's URLs) as
        a report row. Discovery goes through the page fetcher (SSRF checks, robots.txt,
        politeness, deadline, WARC archive); a source that fails gives its error in the
        row instead of raising, so one broken feed never sinks the others."""
        from .discover import discover_detailed
        from .errors import PapertrailError
        from .sources import load_sources

        known = self.output.known_urls() if known is None else known
        try:
            source = load_sources(self.settings.sources_file).get(name)
            found = discover_detailed(source, self.fetcher, seen=known.__contains__)
        except PapertrailError as exc:
            return {"source": name, "urls": [], "error": f"{exc.reason}: {exc.message}"}
        return {
            "source": name,
            "urls": found.urls,
            "found": found.found,
            "seen": found.seen,
            "invalid": found.invalid,
            "warnings": list(found.warnings),
            "error": None,
        }

    # --- whole runs without an orchestrator (baseline for benchmarks, library users) ----
    def run(
        self,
        inputs: Iterable[str],
        *,
        batch_size: int = 100,
        run_id: str | None = None,
        concurrency: int = 1,
    ) -> RunSummary:
        """The whole run as plain function calls: up to ``concurrency`` batches at once in
        threads, through the same sliding window (:func:`windowed`) as the ingest flow."""
        run_id = run_id or new_run_id()
        summary = RunSummary(run_id=run_id)
        start = time.perf_counter()
        width = max(1, concurrency)
        repeats: list[Document] = []
        with ThreadPoolExecutor(max_workers=width) as pool:
            submit = lambda s: pool.submit(self.run_batch, *s)  # noqa: E731
            shards = shards_of(first_sightings(inputs, repeats), run_id, batch_size)
            for outcome in windowed(shards, submit, width):
                outcome.add_to(summary)
        for doc in repeats:
            summary.add(doc)
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


def same_article_note(doc: Document, earlier: str | None) -> str | None:
    """Why an input that was never written before made no record: its canonical URL
    names an article already written from another URL (say which)."""
    if earlier is None or earlier == doc.url:
        return None
    return (
        f"{doc.url}: unchanged, same article as {earlier} "
        f"(canonical URL {doc.identity_url}, article_id {doc.article_id})"
    )


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


_sessions: dict[tuple[str, Any], Session] = {}
_sessions_lock = threading.Lock()


def session_for(
    settings: Settings, limiter_factory: Callable[[Settings], Any] | None = None
) -> Session:
    """The process's session for these settings (created on first use).

    ``limiter_factory`` builds the arXiv limiter (the flows pass one that uses a Prefect
    global rate limit when a server is configured); the library default is the
    machine-wide file limiter.
    """
    # A different limiter factory is a different session, never silently the first one.
    key = (settings.model_dump_json(), limiter_factory)
    with _sessions_lock:
        if key not in _sessions:
            limiter = limiter_factory(settings) if limiter_factory else None
            _sessions[key] = Session(settings, arxiv_limiter=limiter)
        return _sessions[key]


__all__ = [
    "BatchOutcome",
    "Pending",
    "Session",
    "batched",
    "document_for",
    "first_sightings",
    "new_run_id",
    "same_article_note",
    "session_for",
    "shards_of",
    "windowed",
]

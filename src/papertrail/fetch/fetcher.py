"""The Fetcher: one polite, bounded, archived HTTP GET per Document.

The request itself (SSRF checks, robots.txt, politeness, retries, redirects, deadline)
is :class:`~papertrail.fetch.request.Requester`'s; per-host concurrency is
:func:`~papertrail.fetch.dispatch.dispatch_by_key`'s. What is left here is what makes a
page fetch more than a GET: the ledger (conditional GET, unchanged pages), the WARC
archive, and local files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import httpx

from ..closing import Closing
from ..crashpoints import crash_point
from ..document import Document
from ..errors import FetchError, HTTPStatusError, StorageError, TooLargeError
from ..inputs import split_userinfo
from ..pipeline import boundary
from ..settings import Settings
from ..urls import canonical_url, host_key
from .archive import RawArchive
from .dispatch import dispatch_by_key
from .exchange import Exchange, headers_dict
from .ledger import PENDING_PREFIX, Ledger
from .request import Requester

LOCAL_TYPES = {"html_file": "text/html", "text_file": "text/plain"}


class Fetcher(Closing):
    """Fetch Documents politely; a context manager that owns its HTTP client.

    ``archive``/``ledger`` default to the ones under ``settings.data_dir`` (switched off
    by ``archive_raw``/``skip_unchanged``). ``transport`` is httpx's seam for tests; with
    an ``httpx.MockTransport`` host names are not resolved (the mock answers, not DNS).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.BaseTransport | None = None,
        extractor_version: str = "",
        archive: RawArchive | None = None,
        ledger: Ledger | None = None,
    ) -> None:
        self.settings = settings
        self.extractor_version = extractor_version
        self._owned: list[RawArchive | Ledger] = []
        if archive is None and settings.archive_raw:
            archive = RawArchive(
                settings.raw_path,
                max_file_bytes=settings.warc_max_bytes,
                max_body_bytes=settings.max_bytes,
            )
            self._owned.append(archive)
        if ledger is None and settings.skip_unchanged:
            ledger = Ledger(settings.ledger_file)
            self._owned.append(ledger)
        self.archive = archive
        self.ledger = ledger
        self.requester = Requester(settings, transport=transport)
        self.gate = self.requester.gate

    # --- one document ----------------------------------------------------------------
    def fetch(self, doc: Document) -> Document:
        """Fill ``raw, status, headers, final_url, content_type, fetched_at``; archive it.

        Sets ``doc.skipped = "unchanged"`` when the ledger shows the page is the one
        already processed with this extractor version. Raises FetchError subclasses.
        """
        if doc.kind != "http":
            return self._read_local(doc)
        canon = canonical_url(doc.url)
        try:
            return self._fetch_http(doc, canon)
        except FetchError as exc:
            if isinstance(exc, HTTPStatusError):
                doc.status = exc.status
            if self.ledger is not None:
                self.ledger.record_failure(canon, url=doc.url, reason=exc.reason)
            raise

    def _fetch_http(self, doc: Document, canon: str) -> Document:
        entry = self.ledger.get(canon) if self.ledger is not None else None
        known = entry is not None and entry.succeeded
        same_version = (
            known and entry is not None and entry.extractor_version == (self.extractor_version)
        )
        if known and not same_version and self.archive is not None:
            try:
                archived = self.archive.load(doc.url)
            except StorageError:  # a damaged capture: fetch the page again instead
                archived = None
            if archived is not None:  # only the extractor changed: re-clean, no refetch
                _copy_fetch_fields(archived, doc)
                self._note_success(canon, doc, PENDING_PREFIX + "reloaded", entry_sha=None)
                return doc
        conditional: dict[str, str] = {}
        if same_version and entry is not None:
            if entry.etag:
                conditional["If-None-Match"] = entry.etag
            if entry.last_modified:
                conditional["If-Modified-Since"] = entry.last_modified
        ex = self.requester.get(doc.url, conditional, auth=doc.auth)
        doc.status = ex.status
        doc.headers = headers_dict(ex.headers)
        doc.final_url = ex.url
        doc.fetched_at = ex.fetched_at
        if ex.status == 304:
            doc.skipped = "unchanged"
            self._note_success(canon, doc, "unchanged", entry_sha=entry.sha256 if entry else None)
            return doc
        doc.raw = ex.body
        doc.content_type = ex.header("content-type")
        if same_version and entry is not None and entry.sha256 == ex.sha256:
            doc.skipped = "unchanged"
        elif self.archive is not None:
            self.archive.store_response(doc.url, ex)
        outcome = doc.skipped or PENDING_PREFIX + "ok"  # done only once its record is committed
        self._note_success(canon, doc, outcome, entry_sha=ex.sha256)
        return doc

    def confirm(self, docs: Iterable[Document]) -> None:
        """Tell the ledger these documents' records are committed (see ledger.py).

        Call after the batch's shard is committed, never before: a page noted as done
        whose record was lost to a crash would be skipped as unchanged forever. A page
        that failed after fetching (decode, clean) stays pending too, so the next run
        fetches and processes it again instead of skipping it as unchanged.
        """
        if self.ledger is None:
            return
        self.ledger.confirm(canonical_url(d.url) for d in docs if d.kind == "http" and not d.failed)

    def _note_success(self, canon: str, doc: Document, outcome: str, entry_sha: str | None) -> None:
        if self.ledger is None:
            return
        previous = self.ledger.get(canon)
        sha = entry_sha
        if sha is None and doc.raw is not None:
            sha = _sha256(doc.raw)
        if sha is None and previous is not None:
            sha = previous.sha256
        self.ledger.record_success(
            canon,
            url=doc.url,
            outcome=outcome,
            status=doc.status,
            etag=doc.headers.get("etag") or (previous.etag if previous else None),
            last_modified=doc.headers.get("last-modified")
            or (previous.last_modified if previous else None),
            sha256=sha,
            extractor_version=self.extractor_version,
        )

    def _read_local(self, doc: Document) -> Document:
        parts = urlsplit(doc.url)
        path = Path(url2pathname(parts.path)) if parts.scheme == "file" else Path(doc.url)
        try:
            size = path.stat().st_size
            if size > self.settings.max_bytes:
                raise TooLargeError(f"{path}: {size} bytes, over {self.settings.max_bytes}")
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise FetchError(f"{path}: no such file", reason="file_not_found") from exc
        except OSError as exc:
            raise FetchError(f"{path}: {exc}", reason="file_unreadable") from exc
        doc.raw = data
        doc.status = 200
        doc.headers = {}
        doc.final_url = doc.url
        doc.content_type = LOCAL_TYPES.get(doc.kind, "text/plain")
        doc.fetched_at = datetime.now(UTC)
        if self.archive is not None:
            self.archive.store_resource(
                doc.url,
                data,
                kind=doc.kind,
                content_type=doc.content_type,
                fetched_at=doc.fetched_at,
            )
        return doc

    def get_resource(self, url: str, *, max_bytes: int) -> Exchange:
        """A feed, sitemap or listing page for discovery, requested like a page and
        archived in the WARC like one (no ledger: sources are read on every pass). A
        password in ``url`` is sent, not archived (see ``inputs.split_userinfo``)."""
        ex = self.requester.get_resource(url, max_bytes=max_bytes)
        if self.archive is not None:
            self.archive.store_response(split_userinfo(url)[0], ex)
        return ex

    # --- many documents --------------------------------------------------------------
    def fetch_many(self, docs: Iterable[Document]) -> Iterator[Document]:
        """Fetch concurrently; yields every input document exactly once, in completion
        order. Failures are recorded on the document (stage "fetch"), never raised.

        At most ``per_host_concurrency`` documents of one host are in flight (local
        files: up to ``global_concurrency``); failed or skipped documents pass through.
        """
        s = self.settings

        def key(doc: Document) -> str | None:
            if doc.failed or doc.skipped:
                return None
            return host_key(doc.url) if doc.kind == "http" else ""

        yield from dispatch_by_key(
            docs,
            key=key,
            work=self._fetch_recorded,
            per_key=lambda k: s.global_concurrency if k == "" else s.per_host_concurrency,
            total=s.global_concurrency,
            thread_name="fetch",
        )

    def _fetch_recorded(self, doc: Document) -> Document:
        """:meth:`fetch` at a stage boundary: errors land on the document."""
        with boundary(doc, "fetch"):  # one document must not stop the batch
            self.fetch(doc)
            crash_point("fetch")
        return doc

    # --- lifecycle -------------------------------------------------------------------
    def close(self) -> None:
        self.requester.close()
        for owned in self._owned:
            owned.close()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _copy_fetch_fields(src: Document, dst: Document) -> None:
    dst.raw = src.raw
    dst.status = src.status
    dst.headers = dict(src.headers)
    dst.final_url = src.final_url
    dst.content_type = src.content_type
    dst.fetched_at = src.fetched_at

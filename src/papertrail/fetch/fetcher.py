"""The Fetcher: one polite, bounded, archived HTTP GET per Document.

Order of checks for each hop (first request, every redirect): scheme and address
(SSRF), robots.txt (once per origin, Crawl-delay applied), per-host slot and spacing,
then the request itself with retries. Redirects are followed by hand so every hop gets
all of these, and so loops are caught. Bodies are streamed with a size cap and a bomb
guard, kept raw for the WARC archive and decoded for the Document.
"""

from __future__ import annotations

import hashlib
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.request import url2pathname

import httpx

from ..closing import Closing
from ..crashpoints import crash_point
from ..document import Document
from ..errors import (
    BlockedAddress,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    RedirectError,
    TooLargeError,
)
from ..pipeline import boundary
from ..settings import Settings
from .archive import RawArchive
from .exchange import Exchange, headers_dict
from .ledger import PENDING_PREFIX, Ledger
from .limits import (
    ACCEPT_ENCODING,
    ACCEPT_HEADER,
    check_content_type,
    check_not_binary,
    read_body,
)
from .politeness import HostGate
from .retry import SLOWDOWN_STATUSES, backoff_delay, is_retryable_status, parse_retry_after
from .robots import RobotsCache
from .safety import check_peer, check_scheme, check_url
from .urls import canonical_url, host_key

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ROBOTS_MAX_REDIRECTS = 5  # RFC 9309: follow at least five
LOCAL_TYPES = {"html_file": "text/html", "text_file": "text/plain"}
READ_AHEAD = 1000  # documents taken from the input iterable before any is yielded


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
        self._resolve = not isinstance(transport, httpx.MockTransport)
        self._client = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(settings.fetch_timeout),
            follow_redirects=False,
            trust_env=settings.use_env_proxy,
            limits=httpx.Limits(
                max_connections=settings.global_concurrency * 2,
                max_keepalive_connections=settings.global_concurrency,
            ),
            headers={
                "User-Agent": settings.effective_user_agent,
                "Accept": ACCEPT_HEADER,
                "Accept-Encoding": ACCEPT_ENCODING,
            },
        )
        self.gate = HostGate(
            per_host_concurrency=settings.per_host_concurrency,
            per_host_delay=settings.per_host_delay,
            global_concurrency=settings.global_concurrency,
            max_delay=settings.max_host_delay,
        )
        self.robots = (
            RobotsCache(self._get_robots, settings.effective_user_agent)
            if settings.respect_robots
            else None
        )

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
            archived = self.archive.load(doc.url)
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
        ex = self._get(doc.url, conditional)
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

    # --- HTTP ------------------------------------------------------------------------
    def _get(self, url: str, conditional: dict[str, str]) -> Exchange:
        """GET with redirects followed by hand: every hop checked, loops refused."""
        seen = {urldefrag(url).url}
        current = url
        for _ in range(self.settings.max_redirects + 1):
            ex = self._request(current, conditional)
            if ex.status in REDIRECT_STATUSES:
                location = ex.header("location")
                if not location:
                    raise HTTPStatusError(
                        f"{current}: HTTP {ex.status} without Location", status=ex.status
                    )
                target = urldefrag(urljoin(current, location.strip())).url
                check_scheme(target)
                if target in seen:
                    raise RedirectError(
                        f"{url}: redirect loop ({current} -> {target})", reason="redirect_loop"
                    )
                seen.add(target)
                current = target
                continue
            if ex.status == 304 and conditional:
                return ex
            if not 200 <= ex.status < 300:
                raise HTTPStatusError(f"{current}: HTTP {ex.status}", status=ex.status)
            return ex
        raise RedirectError(
            f"{url}: more than {self.settings.max_redirects} redirects",
            reason="too_many_redirects",
        )

    def _request(self, url: str, conditional: dict[str, str]) -> Exchange:
        """One hop: safety, robots, politeness, then up to 1 + fetch_retries tries."""
        s = self.settings
        check_url(url, allow_private=s.allow_private, resolve=self._resolve)
        host = host_key(url)
        if self.robots is not None and (delay := self.robots.check(url)):
            self.gate.set_crawl_delay(host, delay)
        failure: FetchError = FetchError(f"{url}: not tried")
        for attempt in range(s.fetch_retries + 1):
            tries = f"after {attempt + 1} tries"
            try:
                with self.gate.slot(host):
                    ex = self._exchange(url, conditional)
            except (httpx.TimeoutException, FetchTimeout) as exc:
                failure = FetchTimeout(f"{url}: timed out {tries} ({exc or type(exc).__name__})")
            except httpx.TransportError as exc:
                reason = (
                    "connect_failed" if isinstance(exc, httpx.ConnectError) else "connection_error"
                )
                failure = FetchError(f"{url}: {type(exc).__name__}: {exc} ({tries})", reason=reason)
            else:
                if not is_retryable_status(ex.status):
                    if ex.status < 400:
                        self.gate.recover(host)
                    return ex
                if ex.status in SLOWDOWN_STATUSES:
                    self.gate.slow_down(host)
                failure = HTTPStatusError(f"{url}: HTTP {ex.status} {tries}", status=ex.status)
                wait_for = parse_retry_after(ex.header("retry-after"))
                if wait_for is not None:
                    if wait_for > s.max_retry_after:
                        raise HTTPStatusError(
                            f"{url}: HTTP {ex.status} with Retry-After {wait_for:.0f}s,"
                            f" over max_retry_after={s.max_retry_after:.0f}s",
                            status=ex.status,
                        )
                    self.gate.defer(host, wait_for)
            if attempt < s.fetch_retries:
                time.sleep(backoff_delay(attempt, base=s.retry_backoff, cap=s.retry_backoff_max))
        raise failure

    def _exchange(
        self,
        url: str,
        extra_headers: dict[str, str],
        *,
        timeout: float | None = None,
        check_type: bool = True,
    ) -> Exchange:
        """Send one GET and read the response within the limits; never follows redirects."""
        s = self.settings
        deadline = time.monotonic() + s.fetch_deadline
        request = self._client.build_request(
            "GET", url, headers=extra_headers, timeout=timeout or s.fetch_timeout
        )
        fetched_at = datetime.now(UTC)
        response = self._client.send(request, stream=True)
        try:
            stream = response.extensions.get("network_stream")
            if stream is not None:
                check_peer(url, stream.get_extra_info("server_addr"), allow_private=s.allow_private)
            ex = Exchange(
                url=url,
                status=response.status_code,
                reason=response.reason_phrase,
                http_version=response.http_version,
                headers=_pairs(response.headers.raw),
                request_headers=_pairs(request.headers.raw),
                fetched_at=fetched_at,
            )
            if 200 <= ex.status < 300:
                if check_type:
                    check_content_type(ex.header("content-type"), url)
                ex.raw_body, ex.body = read_body(
                    response.iter_raw(),
                    content_encoding=ex.header("content-encoding"),
                    max_bytes=s.max_bytes,
                    max_ratio=s.max_compression_ratio,
                    deadline=deadline,
                    url=url,
                )
                if check_type:
                    check_not_binary(ex.body, url)
            return ex
        finally:
            response.close()

    def _get_robots(self, robots_url: str) -> tuple[int, bytes]:
        """Fetch robots.txt: one try, short timeout, redirects checked like any hop."""
        s = self.settings
        current = robots_url
        for hop in range(ROBOTS_MAX_REDIRECTS + 1):
            try:
                check_url(current, allow_private=s.allow_private, resolve=self._resolve)
            except BlockedAddress:
                if hop == 0:
                    raise
                return 404, b""  # a redirect we will not follow: robots.txt unavailable
            try:
                with self.gate.slot(host_key(current)):
                    ex = self._exchange(current, {}, timeout=s.robots_timeout, check_type=False)
            except httpx.TimeoutException as exc:
                raise FetchTimeout(f"{current}: timed out") from exc
            except httpx.TransportError as exc:
                raise FetchError(f"{current}: {exc}", reason="connection_error") from exc
            location = ex.header("location")
            if ex.status in REDIRECT_STATUSES and location:
                current = urljoin(current, location.strip())
                continue
            return ex.status, ex.body
        return 404, b""  # RFC 9309: too many redirects -> treat as unavailable (4xx)

    # --- many documents --------------------------------------------------------------
    def fetch_many(self, docs: Iterable[Document]) -> Iterator[Document]:
        """Fetch concurrently; yields every input document exactly once, in completion
        order. Failures are recorded on the document (stage "fetch"), never raised.

        Work is dispatched per host: at most ``per_host_concurrency`` documents of one
        host are in flight, so a long queue for one slow site never holds every thread
        while other sites wait.
        """
        limit = self.settings.per_host_concurrency
        source = iter(docs)
        exhausted = False
        pending: dict[str, deque[Document]] = {}
        queued = 0
        in_flight: dict[Future[Document], str] = {}
        per_host: dict[str, int] = {}
        pool = ThreadPoolExecutor(self.settings.global_concurrency, thread_name_prefix="fetch")
        try:
            while True:
                while not exhausted and queued < READ_AHEAD:
                    doc = next(source, None)
                    if doc is None:
                        exhausted = True
                        break
                    if doc.failed or doc.skipped:
                        yield doc
                        continue
                    key = host_key(doc.url) if doc.kind == "http" else ""
                    pending.setdefault(key, deque()).append(doc)
                    queued += 1
                for key in list(pending):
                    queue = pending[key]
                    cap = self.settings.global_concurrency if key == "" else limit
                    while (
                        queue
                        and per_host.get(key, 0) < cap
                        and len(in_flight) < self.settings.global_concurrency
                    ):
                        future = pool.submit(self._fetch_recorded, queue.popleft())
                        in_flight[future] = key
                        per_host[key] = per_host.get(key, 0) + 1
                        queued -= 1
                    if not queue:
                        del pending[key]
                if not in_flight:
                    if exhausted and not pending:
                        return
                    continue
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    key = in_flight.pop(future)
                    per_host[key] -= 1
                    yield future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _fetch_recorded(self, doc: Document) -> Document:
        """:meth:`fetch` at a stage boundary: errors land on the document."""
        with boundary(doc, "fetch"):  # one document must not stop the batch
            self.fetch(doc)
            crash_point("fetch")
        return doc

    # --- lifecycle -------------------------------------------------------------------
    def close(self) -> None:
        self._client.close()
        for owned in self._owned:
            owned.close()


def _pairs(raw: Iterable[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _copy_fetch_fields(src: Document, dst: Document) -> None:
    dst.raw = src.raw
    dst.status = src.status
    dst.headers = dict(src.headers)
    dst.final_url = src.final_url
    dst.content_type = src.content_type
    dst.fetched_at = src.fetched_at

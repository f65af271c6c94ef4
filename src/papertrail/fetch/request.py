"""One checked, polite, retried, bounded GET: what every page, robots.txt, feed, sitemap
and listing request goes through.

Order of checks for each hop (first request, every redirect): scheme and address
(SSRF), robots.txt (once per origin, Crawl-delay applied), per-host slot and spacing,
then the request itself with retries. Redirects are followed by hand so every hop gets
all of these, and so loops are caught. Each try is bounded as a whole by
``fetch_deadline`` (connect, headers and body: see :mod:`.client`); a try cut short by
the deadline is not retried, since the next one would take as long. Bodies are streamed
with a size cap and a bomb guard.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urldefrag, urljoin

import httpx

from ..closing import Closing
from ..errors import (
    BlockedAddress,
    DeadlineExceeded,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    RedirectError,
)
from ..inputs import split_userinfo
from ..settings import Settings
from ..urls import host_key
from .client import fetch_failure, make_client, total_deadline
from .exchange import Exchange
from .limits import ACCEPT_ENCODING, ACCEPT_HEADER, check_content_type, check_not_binary, read_body
from .politeness import HostGate
from .retry import SLOWDOWN_STATUSES, backoff_delay, is_retryable_status, parse_retry_after
from .robots import MAX_ROBOTS_BYTES, RobotsCache, origin_of
from .safety import check_peer, check_scheme, check_url

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ROBOTS_MAX_REDIRECTS = 5  # RFC 9309: follow at least five


class Requester(Closing):
    """Owns the HTTP client, the per-host gate and the robots.txt cache of one run.

    ``transport`` is httpx's seam for tests; with an ``httpx.MockTransport`` host names
    are not resolved (the mock answers, not DNS).
    """

    def __init__(self, settings: Settings, *, transport: httpx.BaseTransport | None = None):
        self.settings = settings
        self._resolve = not isinstance(transport, httpx.MockTransport)
        self._client = make_client(
            transport=transport,
            timeout=httpx.Timeout(settings.fetch_timeout),
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
        self._client.event_hooks = {"response": [_hide_location_from_httpx]}
        self.gate = HostGate(
            per_host_concurrency=settings.per_host_concurrency,
            per_host_delay=settings.per_host_delay,
            global_concurrency=settings.global_concurrency,
            max_delay=settings.max_host_delay,
        )
        self.robots = (
            RobotsCache(self.get_robots, settings.effective_user_agent)
            if settings.respect_robots
            else None
        )

    def get(
        self,
        url: str,
        conditional: dict[str, str] | None = None,
        *,
        pages_only: bool = True,
        max_bytes: int | None = None,
        auth: tuple[str, str] | None = None,
    ) -> Exchange:
        """GET ``url`` with redirects followed by hand: every hop checked, loops refused.

        ``pages_only`` refuses anything but HTML/XHTML/text (feeds and sitemaps pass
        False); ``max_bytes`` defaults to ``settings.max_bytes``. A 304 is returned only
        for a ``conditional`` request; any other non-2xx final answer raises. ``auth``
        (user, password) is sent as Basic auth to ``url``'s origin only, as httpx does
        (a redirect elsewhere does not get it); robots.txt is asked without it.
        """
        conditional = conditional or {}
        seen = {urldefrag(url).url}
        current = url
        for _ in range(self.settings.max_redirects + 1):
            hop_auth = auth if auth and origin_of(current) == origin_of(url) else None
            ex = self._request(current, conditional, pages_only, max_bytes, hop_auth)
            if ex.status in REDIRECT_STATUSES:
                location = ex.header("location")
                if not location:
                    raise HTTPStatusError(
                        f"{current}: HTTP {ex.status} without Location", status=ex.status
                    )
                target = _join(current, location, url)
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

    def get_resource(self, url: str, *, max_bytes: int) -> Exchange:
        """A feed, sitemap or listing page: any content type, up to ``max_bytes``. A
        password in ``url`` is sent as Basic auth and kept out of the exchange's URL and
        every error message (``inputs.split_userinfo``), as for pages."""
        url, auth = split_userinfo(url)
        return self.get(url, pages_only=False, max_bytes=max_bytes, auth=auth)

    def _request(
        self,
        url: str,
        conditional: dict[str, str],
        pages_only: bool,
        max_bytes: int | None,
        auth: tuple[str, str] | None = None,
    ) -> Exchange:
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
                    ex = self._exchange(url, conditional, pages_only, max_bytes, auth=auth)
            except DeadlineExceeded:
                raise  # as slow again at once: the ledger retries the page on a later run
            except (httpx.TimeoutException, httpx.TransportError, FetchTimeout) as exc:
                failure = fetch_failure(exc, url, tries=tries)
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
        pages_only: bool,
        max_bytes: int | None,
        *,
        timeout: float | None = None,
        truncate: bool = False,
        auth: tuple[str, str] | None = None,
    ) -> Exchange:
        """Send one GET and read the response, all within ``fetch_deadline``."""
        s = self.settings
        with total_deadline(s.fetch_deadline) as deadline:
            try:
                return self._send(
                    url, extra_headers, pages_only, max_bytes, timeout, deadline.at, truncate, auth
                )
            except (httpx.TimeoutException, FetchTimeout) as exc:
                if deadline.hit or deadline.remaining() <= 0:
                    raise fetch_failure(exc, url, deadline=deadline) from exc
                raise

    def _send(
        self,
        url: str,
        extra_headers: dict[str, str],
        pages_only: bool,
        max_bytes: int | None,
        timeout: float | None,
        deadline: float,
        truncate: bool = False,
        auth: tuple[str, str] | None = None,
    ) -> Exchange:
        s = self.settings
        # Validators (ETag, Last-Modified) go back byte for byte as the server sent them:
        # they were read as latin-1 (_pairs), and httpx encodes str values as ASCII, so
        # an ETag holding UTF-8 bytes failed every conditional request.
        headers = [
            (k.encode("ascii"), v.encode("latin-1", "replace")) for k, v in extra_headers.items()
        ]
        try:
            request = self._client.build_request(
                "GET", url, headers=headers, timeout=timeout or s.fetch_timeout
            )
        except (httpx.InvalidURL, ValueError) as exc:  # IDNAError is a UnicodeError
            raise FetchError(f"{url}: not a valid URL ({exc})", reason="bad_url") from exc
        fetched_at = datetime.now(UTC)
        response = self._client.send(
            request, stream=True, auth=httpx.BasicAuth(*auth) if auth else None
        )
        try:
            stream = response.extensions.get("network_stream")
            if stream is not None:
                check_peer(url, stream.get_extra_info("server_addr"), allow_private=s.allow_private)
            ex = Exchange(
                url=url,
                status=response.status_code,
                reason=response.reason_phrase,
                http_version=response.http_version,
                headers=_pairs(response.extensions.get(_RAW_HEADERS, response.headers.raw)),
                request_headers=_redacted(_pairs(request.headers.raw)),
                fetched_at=fetched_at,
            )
            if 200 <= ex.status < 300:
                if pages_only:
                    check_content_type(ex.header("content-type"), url)
                ex.raw_body, ex.body = read_body(
                    response.iter_raw(),
                    content_encoding=ex.header("content-encoding"),
                    max_bytes=max_bytes or s.max_bytes,
                    max_ratio=s.max_compression_ratio,
                    deadline=deadline,
                    url=url,
                    truncate=truncate,
                )
                if pages_only:
                    check_not_binary(ex.body, url)
            return ex
        finally:
            response.close()

    def get_robots(self, robots_url: str) -> tuple[int, bytes]:
        """Fetch robots.txt: one try, short timeout, redirects checked like any hop.

        The body is read up to one byte past ``MAX_ROBOTS_BYTES`` whatever ``max_bytes``
        says (that byte tells :class:`RobotsCache` it was cut): RFC 9309 §2.5 has a
        crawler parse at least 500 KiB and ignore the rest, so a long file is not a
        reason to refuse the site, and a short page cap must not shorten the rules.
        """
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
                    ex = self._exchange(
                        current,
                        {},
                        False,
                        MAX_ROBOTS_BYTES + 1,
                        timeout=s.robots_timeout,
                        truncate=True,
                    )
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                raise fetch_failure(exc, current) from exc
            location = ex.header("location")
            if ex.status in REDIRECT_STATUSES and location:
                try:
                    current = _join(current, location, robots_url)
                except RedirectError:
                    return 404, b""
                continue
            return ex.status, ex.body
        return 404, b""  # RFC 9309: too many redirects -> treat as unavailable (4xx)

    def close(self) -> None:
        self._client.close()


_RAW_HEADERS = "papertrail_raw_headers"


def _hide_location_from_httpx(response: httpx.Response) -> None:
    """httpx builds the next request of every redirect even when it is not to follow it,
    and raises on a ``Location`` it cannot build one from (``javascript:``, a bad IDN
    label, an overlong URL), before we see the answer: a refused scheme became an
    internal error, a malformed target a transport error retried like a dropped
    connection. Redirects are followed by hand (:func:`_join`, ``check_scheme``), so
    httpx is shown no ``Location``; the headers as sent are kept for the exchange."""
    if response.status_code in REDIRECT_STATUSES and "location" in response.headers:
        response.extensions[_RAW_HEADERS] = list(response.headers.raw)
        del response.headers["location"]


def _join(current: str, location: str, origin: str) -> str:
    """The absolute target of a ``Location``; a malformed one is a redirect error."""
    try:
        return urldefrag(urljoin(current, location.strip())).url
    except ValueError as exc:
        raise RedirectError(
            f"{origin}: malformed redirect target {location!r} ({exc})", reason="bad_redirect"
        ) from exc


def _pairs(raw: Iterable[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw]


def _redacted(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The request headers as archived: an ``Authorization`` value (base64 of the
    password) is replaced, keeping the scheme so the WARC still says auth was sent."""
    return [
        (k, f"{v.partition(' ')[0]} [redacted]" if k.lower() == "authorization" else v)
        for k, v in headers
    ]

"""One polite HTTP conversation with the arXiv query API.

Why not the ``arxiv`` package's ``Client``: it spaces requests per client object only,
sends them with no timeout, retries any non-200 at once (no backoff, no Retry-After),
and returns an empty result for an error feed or a cut body. Here every request:

1. waits for the shared :class:`~papertrail.arxiv.limiter.Limiter` (retries too);
2. goes over one keep-alive connection, bounded as a whole (connect, headers, body) by
   ``arxiv_timeout``: an API that trickles its answer cannot hold a run;
3. on a timeout, a network error, 429, 5xx or an unreadable body, is retried up to
   ``arxiv_retries`` times after ``arxiv_backoff * 2**n`` seconds with jitter, or after
   ``Retry-After`` when the server says so (capped at ``arxiv_backoff_max``);
4. ends in a parsed :class:`~papertrail.arxiv.feed.FeedPage` or an ``ArxivError``.

Long id lists go as a form POST (the API accepts both) so no chunk size can hit HTTP 414.
"""

from __future__ import annotations

import logging
import random
import time
from email.utils import parsedate_to_datetime

import httpx

from ..errors import ArxivError, ArxivResponseError, ArxivUnavailable, PapertrailError
from ..fetch.client import classify_failure, make_client, total_deadline
from ..settings import Settings
from .feed import FeedPage, error_message, parse_feed
from .limiter import Limiter, ReleasingLimiter
from .stats import ArxivStats

log = logging.getLogger(__name__)

MAX_GET_URL = 2000  # longer queries are POSTed
# A full chunk (2,000 ids) of ordinary entries is a few MB; author lists of thousands of
# names can make one entry 100 kB. Nothing a real answer needs comes near this.
MAX_ANSWER_BYTES = 64 * 1024 * 1024


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds (delta-seconds or an HTTP date), None if absent/bad."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class ApiTransport:
    """Sends query parameters to the API and returns parsed pages, politely."""

    def __init__(
        self,
        settings: Settings,
        limiter: Limiter,
        stats: ArxivStats,
        *,
        transport: httpx.BaseTransport | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.limiter = limiter
        self.stats = stats
        self._rng = rng or random.Random()
        t = settings.arxiv_timeout
        self._http = make_client(
            transport=transport,
            timeout=httpx.Timeout(t, connect=min(t, 10.0)),
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            headers={"User-Agent": settings.effective_user_agent},
            trust_env=True,  # as before: arXiv is public, an environment proxy is fine
            follow_redirects=True,
        )

    def close(self) -> None:
        self._http.close()

    def query(self, params: dict[str, str]) -> FeedPage:
        """One logical request, retried as needed. Raises ``ArxivError`` subclasses."""
        attempts = self.settings.arxiv_retries + 1
        last: ArxivError | None = None
        for attempt in range(attempts):
            if attempt:
                self.stats.retries += 1
            self.stats.seconds_waited += self._acquire()
            self.stats.requests += 1
            try:
                return self._once(params)
            except _Retryable as exc:
                last = exc.error
                if attempt + 1 < attempts:
                    self._sleep(self._backoff(attempt, exc.retry_after))
        assert last is not None
        raise last

    def _acquire(self) -> float:
        try:
            return self.limiter.acquire()
        except PapertrailError:
            raise
        except Exception as exc:  # e.g. a Prefect limit that cannot be reached
            msg = f"rate limiter failed: {type(exc).__name__}: {exc}"
            raise ArxivUnavailable(msg, reason="arxiv_limiter_failed") from exc

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        base = self.settings.arxiv_backoff * 2**attempt
        wait = base * (0.5 + self._rng.random() / 2)  # "equal jitter"
        if retry_after is not None:
            wait = max(wait, retry_after)
        return min(wait, self.settings.arxiv_backoff_max)

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            log.info("arXiv API: retrying in %.1f s", seconds)
            time.sleep(seconds)
            self.stats.seconds_waited += seconds

    def _once(self, params: dict[str, str]) -> FeedPage:
        try:
            answer = self._send(params)
        finally:
            if isinstance(self.limiter, ReleasingLimiter):
                self.limiter.release()
        return self._read(*answer)

    def _send(self, params: dict[str, str]) -> tuple[int, httpx.Headers, bytes]:
        """Status, headers and body (at most ``MAX_ANSWER_BYTES``) of one request."""
        url = self.settings.arxiv_api_url
        with total_deadline(self.settings.arxiv_timeout) as deadline:
            try:
                if len(str(httpx.URL(url, params=params))) <= MAX_GET_URL:
                    request = self._http.build_request("GET", url, params=params)
                else:
                    request = self._http.build_request("POST", url, data=params)
                resp = self._http.send(request, stream=True)
                try:
                    return resp.status_code, resp.headers, _read_capped(resp)
                finally:
                    resp.close()
            except httpx.TransportError as exc:
                failure = classify_failure(exc, deadline)
                if failure.is_timeout:
                    cut = failure.kind == "deadline"
                    what = "no complete answer within" if cut else "timed out after"
                    msg = f"arXiv API: {what} arxiv_timeout={self.settings.arxiv_timeout:g}s"
                    err = ArxivUnavailable(f"{msg} ({failure.detail})", reason="arxiv_timeout")
                else:
                    msg = f"arXiv API unreachable: {failure.detail}"
                    err = ArxivUnavailable(msg, reason="arxiv_unreachable")
                raise _Retryable(err) from exc
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                # a redirect loop or a target httpx cannot follow, a body its
                # Content-Encoding does not describe: no use asking again at once
                raise ArxivUnavailable(
                    f"arXiv API: unusable answer ({type(exc).__name__}: {exc})",
                    reason="arxiv_bad_answer",
                ) from exc

    def _read(self, status: int, headers: httpx.Headers, content: bytes) -> FeedPage:
        if status == 429 or status >= 500:
            if status == 429:
                self.stats.rate_limited += 1
            reason = "arxiv_rate_limited" if status == 429 else f"arxiv_http_{status}"
            err = ArxivUnavailable(f"arXiv API answered HTTP {status}", reason=reason)
            raise _Retryable(err, retry_after_seconds(headers.get("Retry-After")))
        if status != 200:
            text = content[:200].decode("utf-8", "replace")
            detail = error_message(content) or text
            reason = "arxiv_error_feed" if status == 400 else f"arxiv_http_{status}"
            raise ArxivResponseError(f"arXiv API answered HTTP {status}: {detail}", reason=reason)
        try:
            return parse_feed(content)
        except ArxivResponseError as exc:
            raise _Retryable(exc) from exc


def _read_capped(resp: httpx.Response) -> bytes:
    """The decoded body, refused past ``MAX_ANSWER_BYTES``: an API (or a proxy in front
    of it) that never stops sending filled memory until the deadline (gigabytes a minute
    on a fast link) and could take the whole run down with it."""
    parts: list[bytes] = []
    size = 0
    for chunk in resp.iter_bytes():
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise ArxivUnavailable(
                f"arXiv API: answer over {MAX_ANSWER_BYTES} bytes, refused",
                reason="arxiv_too_large",
            )
        parts.append(chunk)
    return b"".join(parts)


class _Retryable(Exception):
    """Internal: a failure worth another try (carries the error to raise at the end)."""

    def __init__(self, error: ArxivError, retry_after: float | None = None) -> None:
        super().__init__(error.message)
        self.error = error
        self.retry_after = retry_after

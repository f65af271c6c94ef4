"""The papertrail exception tree.

Every failure a stage can meet is a :class:`PapertrailError` with a short, stable
``reason`` code (``"http_404"``, ``"timeout"``, ``"robots_disallowed"``...). Reasons are
what run summaries count and what records store, so they must not contain free text.

    PapertrailError
    ├── InputError            bad URL, unknown scheme, missing local file
    ├── ConfigError           invalid settings or sources file
    ├── FetchError            anything between asking for a page and holding its bytes
    │   ├── HTTPStatusError       final answer was not 2xx (or 304 handled elsewhere)
    │   ├── FetchTimeout          connect/read timed out after retries
    │   │   └── DeadlineExceeded      the whole request outlived fetch_deadline (not retried)
    │   ├── TooLargeError         body or decompressed body over the cap
    │   ├── UnsupportedContent    not HTML, XHTML or plain text
    │   ├── RobotsDisallowed      robots.txt forbids our User-Agent
    │   ├── BlockedAddress        private/loopback/link-local target refused (SSRF)
    │   └── RedirectError         too many redirects, or a loop
    ├── DecodeError           bytes could not be read as text
    ├── ExtractError          cleaning failed or exceeded its time limit
    │   ├── PageTimeLimit         one page took longer than page_time_limit
    │   └── WorkerDied            the worker process cleaning a page died
    ├── DiscoveryError        a feed, sitemap or listing page could not be read
    ├── ArxivError            the arXiv API could not be used
    │   ├── ArxivUnavailable      network errors, 429/5xx after retries
    │   └── ArxivResponseError    error feed, truncated or malformed body
    └── StorageError          output, cache or archive could not be written
"""

from __future__ import annotations


class PapertrailError(Exception):
    """Base class: every error papertrail raises on purpose."""

    reason: str = "error"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.reason


class InputError(PapertrailError):
    reason = "bad_input"


class ConfigError(PapertrailError):
    reason = "bad_config"


class FetchError(PapertrailError):
    reason = "fetch_failed"


class HTTPStatusError(FetchError):
    def __init__(self, message: str, *, status: int, reason: str | None = None) -> None:
        super().__init__(message, reason=reason or f"http_{status}")
        self.status = status


class FetchTimeout(FetchError):
    reason = "timeout"


class DeadlineExceeded(FetchTimeout):
    """The whole request (connect, headers, body) outlived ``fetch_deadline``. Not
    retried at once: another try would take as long; the page is tried on a later run."""


class TooLargeError(FetchError):
    reason = "too_large"


class UnsupportedContent(FetchError):
    reason = "unsupported_content_type"


class RobotsDisallowed(FetchError):
    reason = "robots_disallowed"


class BlockedAddress(FetchError):
    reason = "blocked_address"


class RedirectError(FetchError):
    reason = "redirect_error"


class DecodeError(PapertrailError):
    reason = "decode_failed"


class ExtractError(PapertrailError):
    reason = "extract_failed"


class PageTimeLimit(ExtractError):
    """A page exceeded ``page_time_limit``; its worker was stopped and replaced."""

    reason = "time_limit"


class WorkerDied(ExtractError):
    """The process cleaning a page died (out of memory, a crash in a C extension)."""

    reason = "worker_died"


class DiscoveryError(PapertrailError):
    """A source's feed, sitemap or listing page is malformed (reason: bad_feed, ...)."""

    reason = "discovery_failed"


class ArxivError(PapertrailError):
    reason = "arxiv_failed"


class ArxivUnavailable(ArxivError):
    reason = "arxiv_unavailable"


class ArxivResponseError(ArxivError):
    reason = "arxiv_bad_response"


class StorageError(PapertrailError):
    reason = "storage_failed"


__all__ = [
    "ArxivError",
    "ArxivResponseError",
    "ArxivUnavailable",
    "BlockedAddress",
    "ConfigError",
    "DeadlineExceeded",
    "DecodeError",
    "DiscoveryError",
    "ExtractError",
    "FetchError",
    "FetchTimeout",
    "HTTPStatusError",
    "InputError",
    "PageTimeLimit",
    "PapertrailError",
    "RedirectError",
    "RobotsDisallowed",
    "StorageError",
    "TooLargeError",
    "UnsupportedContent",
]

"""The one way papertrail makes an HTTP client, bounds a request in time, and reads its
failures: pages, robots.txt, discovery and the arXiv API all go through here.

httpx's timeouts are per operation (connect, one read, one write): a server that sends
its headers or body one byte a second never trips them. :func:`total_deadline` adds the
missing bound. Clients made by :func:`make_client` talk through a network stream that
looks at the deadline of the request in progress before every connect, read and write,
and never waits past it, so connect, headers and body together end by the deadline.
The deadline lives in a context variable: each thread (or task) has its own.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal

import httpcore
import httpx

from ..errors import DeadlineExceeded, FetchError, FetchTimeout

__all__ = [
    "Deadline",
    "HttpFailure",
    "classify_failure",
    "fetch_failure",
    "make_client",
    "total_deadline",
]


@dataclass(slots=True)
class Deadline:
    """A monotonic instant a request must be over by; ``hit`` once it cut one short."""

    at: float
    seconds: float
    hit: bool = False

    def remaining(self) -> float:
        return self.at - time.monotonic()


_current: ContextVar[Deadline | None] = ContextVar("papertrail_http_deadline", default=None)


@contextmanager
def total_deadline(seconds: float) -> Iterator[Deadline]:
    """Every network operation of clients from :func:`make_client` inside this block
    ends by ``seconds`` from now (raising httpx's timeout errors past it)."""
    deadline = Deadline(time.monotonic() + seconds, seconds)
    token = _current.set(deadline)
    try:
        yield deadline
    finally:
        _current.reset(token)


def _bounded(timeout: float | None, exc: type[Exception]) -> float | None:
    """``timeout`` shortened to what is left of the current deadline."""
    deadline = _current.get()
    if deadline is None:
        return timeout
    left = deadline.remaining()
    if left <= 0:
        deadline.hit = True
        raise exc(f"total deadline of {deadline.seconds:g}s reached")
    if timeout is None or left < timeout:
        deadline.hit = True  # if this wait times out, the deadline is why
        return left
    return timeout


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, bounded, local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.connect_unix_socket(path, bounded, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's own transport, its connections wrapped to honour :func:`total_deadline`.

    httpx has no public seam for the network backend, so the pool's backend is wrapped
    after construction (httpcore >= 1.0 keeps it in ``_network_backend``).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        pool = self._pool
        inner = getattr(pool, "_network_backend", None)
        if inner is None:  # pragma: no cover - an httpcore that moved the attribute
            raise RuntimeError("httpcore changed: cannot bound requests by a total deadline")
        pool._network_backend = _DeadlineBackend(inner)


def make_client(
    *,
    timeout: httpx.Timeout,
    headers: dict[str, str],
    transport: httpx.BaseTransport | None = None,
    limits: httpx.Limits | None = None,
    trust_env: bool = False,
    follow_redirects: bool = False,
) -> httpx.Client:
    """An ``httpx.Client`` whose requests honour :func:`total_deadline`.

    ``transport`` replaces the network (tests pass an ``httpx.MockTransport``; the
    deadline then applies only where the caller checks it). With ``trust_env`` the
    proxies named by the environment are used; their connections are bounded by the
    per-operation timeouts and the body deadline only.
    """
    limits = limits or httpx.Limits()
    if transport is None:
        transport = DeadlineTransport(limits=limits)
    return httpx.Client(
        transport=transport,
        timeout=timeout,
        limits=limits,
        headers=headers,
        trust_env=trust_env,
        follow_redirects=follow_redirects,
    )


# --- failures -----------------------------------------------------------------------------

FailureKind = Literal["deadline", "timeout", "connect_failed", "connection_error"]


@dataclass(frozen=True, slots=True)
class HttpFailure:
    """What went wrong with a request, independent of who asked."""

    kind: FailureKind
    detail: str

    @property
    def is_timeout(self) -> bool:
        return self.kind in {"deadline", "timeout"}


def classify_failure(exc: BaseException, deadline: Deadline | None = None) -> HttpFailure:
    """Sort an httpx (or papertrail timeout) error into one of four kinds.

    A timeout is ``deadline`` when the request's total deadline cut it short: the whole
    exchange took too long, and trying again at once would take as long.
    """
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, DeadlineExceeded):
        return HttpFailure("deadline", detail)
    if isinstance(exc, httpx.TimeoutException | FetchTimeout):
        if deadline is not None and (deadline.hit or deadline.remaining() <= 0):
            return HttpFailure("deadline", detail)
        return HttpFailure("timeout", detail)
    if isinstance(exc, httpx.ConnectError):
        return HttpFailure("connect_failed", detail)
    return HttpFailure("connection_error", detail)


def fetch_failure(
    exc: BaseException, url: str, *, deadline: Deadline | None = None, tries: str = ""
) -> FetchError:
    """The :class:`FetchError` for a failed page (or robots.txt, feed, sitemap) request."""
    failure = classify_failure(exc, deadline)
    suffix = f" ({tries})" if tries else ""
    if failure.kind == "deadline":
        limit = f" of {deadline.seconds:g}s" if deadline is not None else ""
        return DeadlineExceeded(
            f"{url}: no complete answer within the fetch deadline{limit}{suffix}"
        )
    if failure.kind == "timeout":
        return FetchTimeout(f"{url}: timed out{suffix} ({failure.detail})")
    return FetchError(f"{url}: {failure.detail}{suffix}", reason=failure.kind)

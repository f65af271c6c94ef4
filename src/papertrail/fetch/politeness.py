"""Per-host politeness: at most N requests in flight to a host, request starts spaced by
the host's delay, a global cap, and a slowdown once a host says 429/503 (doubling per
refusal, easing off by a quarter step per success, so a host that recovers is not
crawled at a crawl forever).

Spacing is by reservation: each request books the next free start time for its host and
sleeps until then, so the gap between any two starts to one host is at least the delay
however many threads share it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

MAX_SLOWDOWN = 16.0
RECOVERY_STEP = 2**0.25
# Bookings are spaced a little wider than the delay, so the spacing still holds as the
# server sees it when one request's connection set-up takes longer than the next one's.
SPACING_MARGIN = 0.05
SPACING_MARGIN_MAX = 0.05  # seconds
MIN_SLOWDOWN_STEP = 0.1  # seconds: a host with no delay still backs off after a 429


@dataclass
class _Host:
    slots: threading.BoundedSemaphore
    delay: float
    next_free: float = 0.0
    slowdown: float = 1.0
    lock: threading.Lock = field(default_factory=threading.Lock)


class HostGate:
    """Admission control for requests, keyed by host name."""

    def __init__(
        self,
        *,
        per_host_concurrency: int,
        per_host_delay: float,
        global_concurrency: int,
        max_delay: float,
    ) -> None:
        self._per_host = per_host_concurrency
        self._delay = per_host_delay
        self._max_delay = max_delay
        self._global = threading.BoundedSemaphore(global_concurrency)
        self._hosts: dict[str, _Host] = {}
        self._lock = threading.Lock()

    def _host(self, host: str) -> _Host:
        with self._lock:
            state = self._hosts.get(host)
            if state is None:
                state = _Host(threading.BoundedSemaphore(self._per_host), self._delay)
                self._hosts[host] = state
            return state

    def delay_for(self, host: str) -> float:
        """The spacing currently applied to ``host`` (delay, Crawl-delay, slowdown)."""
        state = self._host(host)
        with state.lock:
            return self._effective(state)

    def _effective(self, state: _Host) -> float:
        base = state.delay
        if state.slowdown > 1:
            base = max(base, MIN_SLOWDOWN_STEP)
        delay = base * state.slowdown
        return min(self._max_delay, delay) if self._max_delay > 0 else delay

    def set_crawl_delay(self, host: str, seconds: float) -> None:
        """Apply a robots.txt ``Crawl-delay`` (never below the configured delay)."""
        state = self._host(host)
        with state.lock:
            cap = self._max_delay if self._max_delay > 0 else seconds
            state.delay = max(self._delay, min(seconds, cap))

    def slow_down(self, host: str) -> None:
        """Double the spacing for ``host`` (after a 429 or 503), up to the cap."""
        state = self._host(host)
        with state.lock:
            state.slowdown = min(MAX_SLOWDOWN, state.slowdown * 2)

    def recover(self, host: str) -> None:
        """A success: undo a quarter of one slowdown step (4 successes halve it)."""
        state = self._host(host)
        with state.lock:
            state.slowdown = max(1.0, state.slowdown / RECOVERY_STEP)

    def defer(self, host: str, seconds: float) -> None:
        """No request to ``host`` starts in the next ``seconds`` (Retry-After)."""
        state = self._host(host)
        with state.lock:
            state.next_free = max(state.next_free, time.monotonic() + seconds)

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        """Hold one of ``host``'s slots and a global one; returns at the booked start."""
        state = self._host(host)
        with state.slots, self._global:
            with state.lock:
                now = time.monotonic()
                start = max(now, state.next_free)
                delay = self._effective(state)
                state.next_free = start + delay + min(SPACING_MARGIN_MAX, delay * SPACING_MARGIN)
            if start > now:
                time.sleep(start - now)
            yield

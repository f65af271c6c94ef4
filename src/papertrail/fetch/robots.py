"""robots.txt, fetched once per origin per run and honoured (RFC 9309, parsed by
protego: longest-match rules, wildcards, ``Crawl-delay``).

Outcomes follow the RFC: 2xx -> parse; 4xx -> no rules (all allowed); 5xx, 429 or no
answer -> "unreachable", everything on that origin is disallowed for this run. The fetch
has its own short timeout and no retries: one slow robots.txt must not stall a batch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from ..errors import PapertrailError, RobotsDisallowed

MAX_ROBOTS_BYTES = 500 * 1024  # RFC 9309 §2.5: parse at least 500 KiB (Google's limit too)


@dataclass(frozen=True, slots=True)
class RobotsAnswer:
    """What an origin's robots.txt said: parsed rules, or "no rules", or unreachable."""

    rules: Protego | None
    unreachable: str | None = None  # why, when robots.txt could not be read


# (robots_url) -> (status, body); raises PapertrailError on network failure.
RobotsGetter = Callable[[str], tuple[int, bytes]]


def robots_text(body: bytes) -> str:
    """The part of a robots.txt we parse: all of it up to ``MAX_ROBOTS_BYTES``; past that,
    the first ``MAX_ROBOTS_BYTES`` less the line the cut falls in (RFC 9309 §2.5 lets the
    rest be ignored; a rule cut short could mean more than it says: ``Disallow: /``
    left of ``Disallow: /drafts/``, ``Allow: /`` left of ``Allow: /public/``)."""
    if len(body) > MAX_ROBOTS_BYTES:
        body = body[:MAX_ROBOTS_BYTES]
        body = body[: max(body.rfind(b"\n"), body.rfind(b"\r")) + 1]
    return body.decode("utf-8", errors="replace")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


class RobotsCache:
    """Per-origin robots.txt answers; concurrent callers for one origin wait for one fetch."""

    def __init__(self, getter: RobotsGetter, user_agent: str) -> None:
        self._get = getter
        self._agent = user_agent
        self._answers: dict[str, RobotsAnswer] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def answer(self, url: str) -> RobotsAnswer:
        origin = origin_of(url)
        with self._lock:
            lock = self._locks.setdefault(origin, threading.Lock())
        with lock:
            if origin not in self._answers:
                self._answers[origin] = self._fetch(origin)
            return self._answers[origin]

    def _fetch(self, origin: str) -> RobotsAnswer:
        try:
            status, body = self._get(f"{origin}/robots.txt")
        except PapertrailError as exc:
            return RobotsAnswer(None, f"robots.txt unreachable ({exc.reason}: {exc.message})")
        if 200 <= status < 300:
            text = robots_text(body)
            return RobotsAnswer(Protego.parse(text))
        if status == 429 or status >= 500:
            return RobotsAnswer(None, f"robots.txt answered HTTP {status}")
        return RobotsAnswer(None)

    def check(self, url: str) -> float | None:
        """Raise :class:`RobotsDisallowed` if ``url`` may not be fetched; else return the
        origin's ``Crawl-delay`` for us (None when it sets none)."""
        ans = self.answer(url)
        if ans.unreachable:
            raise RobotsDisallowed(
                f"{url}: {ans.unreachable}; RFC 9309 says assume disallowed",
                reason="robots_unreachable",
            )
        if ans.rules is None:
            return None
        if not ans.rules.can_fetch(url, self._agent):
            raise RobotsDisallowed(f"{url}: disallowed by robots.txt for {self._agent!r}")
        return ans.rules.crawl_delay(self._agent)

"""One HTTP request and its response as they went over the wire (body still
content-encoded), plus the decoded body: what the archive stores and the fetcher fills a
Document from."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

HeaderPairs = list[tuple[str, str]]


def headers_dict(pairs: HeaderPairs) -> dict[str, str]:
    """``Document.headers``: lower-case names, repeated headers joined with ", " in order.

    Built the same way when fetching and when reading the archive, so a reprocessed
    document carries identical headers."""
    out: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


def header(pairs: HeaderPairs, name: str) -> str | None:
    return headers_dict(pairs).get(name.lower())


@dataclass(slots=True)
class Exchange:
    url: str  # the URL this request went to (the last hop, after redirects)
    status: int
    reason: str = ""
    http_version: str = "HTTP/1.1"
    headers: HeaderPairs = field(default_factory=list)
    raw_body: bytes = b""  # as sent: still gzip/deflate if Content-Encoding says so
    body: bytes = b""  # decoded
    request_headers: HeaderPairs = field(default_factory=list)
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    def header(self, name: str) -> str | None:
        return header(self.headers, name)

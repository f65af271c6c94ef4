"""What we agree to read: accepted content types, a streamed size cap, a decompression
bomb guard, and a sniff for binary files served as text.

Bodies are read raw (still content-encoded, as the server sent them: that is what the
archive keeps) and decoded here in bounded pieces, so neither a huge body nor a small
gzip that inflates to gigabytes is ever held in memory.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterable

from ..errors import DeadlineExceeded, FetchError, TooLargeError, UnsupportedContent

ACCEPTED_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
ACCEPT_HEADER = "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1"
ACCEPT_ENCODING = "gzip, deflate"
BOMB_CHECK_AFTER = 1024 * 1024  # ratios of small bodies say nothing
_BINARY_MAGIC = (
    b"%PDF-",
    b"\x89PNG",
    b"GIF87a",
    b"GIF89a",
    b"\xff\xd8\xff",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"Rar!",
    b"7z\xbc\xaf",
    b"RIFF",
    b"\x7fELF",
    b"OggS",
)
_TEXT_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def check_content_type(content_type: str | None, url: str) -> None:
    """Refuse anything but HTML, XHTML and plain text. A missing type is let through
    (sniffed after reading): many small sites omit it."""
    mime = media_type(content_type)
    if mime and mime not in ACCEPTED_TYPES:
        raise UnsupportedContent(f"{url}: content type {mime!r} is not HTML, XHTML or text")


def check_not_binary(body: bytes, url: str) -> None:
    """Refuse a binary file (PDF, image, archive, executable) whatever its label says."""
    head = body[:1024]
    if head.startswith(_TEXT_BOMS):
        return
    if head.startswith(_BINARY_MAGIC) or b"\x00" in head:
        raise UnsupportedContent(f"{url}: binary content served as text", reason="binary_content")


class _Decoder:
    """Incremental Content-Encoding decoder (identity, gzip, deflate) with output caps."""

    def __init__(self, encoding: str, url: str) -> None:
        tokens = [t.strip().lower() for t in encoding.split(",") if t.strip()]
        tokens = [t for t in tokens if t != "identity"]
        if len(tokens) > 1 or (tokens and tokens[0] not in {"gzip", "x-gzip", "deflate"}):
            raise UnsupportedContent(
                f"{url}: content encoding {encoding!r} not supported",
                reason="unsupported_encoding",
            )
        self.kind = tokens[0] if tokens else "identity"
        self._z: zlib._Decompress | None = None
        if self.kind in {"gzip", "x-gzip"}:
            self._z = zlib.decompressobj(zlib.MAX_WBITS | 16)
        self._deflate_probe = self.kind == "deflate"

    @property
    def encoded(self) -> bool:
        return self.kind != "identity"

    @property
    def cut_short(self) -> bool:
        """Bytes were fed but the compressed stream never reached its end: the body was
        cut (zlib returns what it has without an error)."""
        return self._z is not None and not self._z.eof

    def feed(self, data: bytes, room: int) -> bytes:
        """Decode ``data``, producing at most ``room + 1`` bytes (one more says "over")."""
        if not self.encoded:
            return data
        if self._deflate_probe:
            self._deflate_probe = False
            try:  # RFC says zlib-wrapped; some servers send raw deflate
                self._z = zlib.decompressobj()
                return self._inflate(data, room)
            except zlib.error:
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._inflate(data, room)

    def _inflate(self, data: bytes, room: int) -> bytes:
        assert self._z is not None
        out = []
        produced = 0
        while data and produced <= room:
            piece = self._z.decompress(data, room + 1 - produced)
            out.append(piece)
            produced += len(piece)
            if not self._z.eof:
                data = self._z.unconsumed_tail
                continue
            data = self._z.unused_data
            if not data or self.kind == "deflate":
                break
            self._z = zlib.decompressobj(zlib.MAX_WBITS | 16)  # a further gzip member
        return b"".join(out)


def decode_content(raw: bytes, encoding: str | None, *, max_bytes: int, url: str = "") -> bytes:
    """Decode an archived, still content-encoded body (the same decoder the fetcher uses)."""
    dec = _Decoder(encoding or "", url)
    try:
        body = dec.feed(raw, max_bytes)
    except zlib.error as exc:
        raise FetchError(f"{url}: corrupt {dec.kind} body: {exc}", reason="bad_encoding") from exc
    if len(body) > max_bytes:
        raise TooLargeError(f"{url}: decoded body over {max_bytes} bytes", reason="too_large")
    return body


def read_body(
    chunks: Iterable[bytes],
    *,
    content_encoding: str | None,
    max_bytes: int,
    max_ratio: float,
    deadline: float,
    url: str,
    truncate: bool = False,
) -> tuple[bytes, bytes]:
    """Read a streamed body: returns (raw bytes as sent, decoded bytes).

    Raises :class:`TooLargeError` (``too_large``) past ``max_bytes`` of either,
    ``decompression_bomb`` when decoding inflates past ``max_ratio`` or the cap, and
    :class:`FetchTimeout` when the whole body is not in by ``deadline`` (monotonic).
    With ``truncate`` (robots.txt: RFC 9309 lets a crawler ignore what lies past its
    limit) reading stops at ``max_bytes`` of either instead, and the first ``max_bytes``
    decoded bytes are returned; the connection is dropped with the rest unread.
    """
    dec = _Decoder(content_encoding or "", url)
    raw: list[bytes] = []
    out: list[bytes] = []
    raw_n = out_n = 0
    for chunk in chunks:
        if time.monotonic() > deadline:
            raise DeadlineExceeded(f"{url}: body not complete before the deadline")
        raw.append(chunk)
        raw_n += len(chunk)
        if raw_n > max_bytes and not truncate:
            raise TooLargeError(f"{url}: body over {max_bytes} bytes, aborted")
        try:
            piece = dec.feed(chunk, max_bytes - out_n)
        except zlib.error as exc:
            raise FetchError(
                f"{url}: corrupt {dec.kind} body: {exc}", reason="bad_encoding"
            ) from exc
        out.append(piece)
        out_n += len(piece)
        if truncate and (out_n >= max_bytes or raw_n > max_bytes):
            return b"".join(raw), b"".join(out)[:max_bytes]
        if dec.encoded and (
            out_n > max_bytes or (out_n > BOMB_CHECK_AFTER and out_n > max_ratio * raw_n)
        ):
            raise TooLargeError(
                f"{url}: decompression bomb ({raw_n} bytes inflating past {out_n})",
                reason="decompression_bomb",
            )
        if out_n > max_bytes:
            raise TooLargeError(f"{url}: body over {max_bytes} bytes, aborted")
    if dec.cut_short:
        raise FetchError(
            f"{url}: {dec.kind} body cut short ({raw_n} bytes end mid-stream)",
            reason="bad_encoding",
        )
    return b"".join(raw), b"".join(out)

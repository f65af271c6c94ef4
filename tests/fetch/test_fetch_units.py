"""Pure helpers: backoff bounds, Retry-After parsing, body decoding and its guards."""

from __future__ import annotations

import gzip
import random
import time
import zlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from papertrail.errors import BlockedAddress, FetchError, FetchTimeout, TooLargeError
from papertrail.fetch import canonical_url
from papertrail.fetch.limits import check_content_type, check_not_binary, read_body
from papertrail.fetch.retry import backoff_delay, parse_retry_after
from papertrail.fetch.safety import check_peer


@given(st.integers(min_value=0, max_value=20))
def test_backoff_is_bounded_and_grows(attempt: int) -> None:
    rng = random.Random(attempt)
    step = min(30.0, 1.0 * 2**attempt)
    delay = backoff_delay(attempt, base=1.0, cap=30.0, rng=rng)
    assert step / 2 <= delay <= step


def test_retry_after_forms() -> None:
    now = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)
    assert parse_retry_after("120", now=now) == 120
    assert parse_retry_after(" 1.5 ", now=now) == 1.5
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(later, now=now) == pytest.approx(90)
    past = format_datetime(now - timedelta(days=1), usegmt=True)
    assert parse_retry_after(past, now=now) == 0
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None) is None


def _read(chunks: list[bytes], encoding: str | None, **kw: float) -> bytes:
    raw, body = read_body(
        iter(chunks),
        content_encoding=encoding,
        max_bytes=int(kw.get("max_bytes", 1_000_000)),
        max_ratio=kw.get("max_ratio", 100.0),
        deadline=kw.get("deadline", time.monotonic() + 60),
        url="u",
    )
    assert raw == b"".join(chunks)
    return body


def _split(data: bytes, n: int = 7) -> list[bytes]:
    return [data[i : i + n] for i in range(0, len(data), n)]


PAGE = "<html><body>正文 arXiv:2307.09288</body></html>".encode() * 20


def test_decodings() -> None:
    assert _read(_split(PAGE), None) == PAGE
    assert _read(_split(PAGE), "identity") == PAGE
    assert _read(_split(gzip.compress(PAGE)), "gzip") == PAGE
    assert _read(_split(gzip.compress(PAGE) + gzip.compress(PAGE)), "x-gzip") == PAGE * 2
    assert _read(_split(zlib.compress(PAGE)), "deflate") == PAGE
    raw_deflate = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    data = raw_deflate.compress(PAGE) + raw_deflate.flush()
    assert _read(_split(data), "deflate") == PAGE


def test_decoding_failures() -> None:
    with pytest.raises(FetchError) as info:
        _read([b"not gzip at all"], "gzip")
    assert info.value.reason == "bad_encoding"
    with pytest.raises(FetchError) as info:
        _read([b"x"], "br")
    assert info.value.reason == "unsupported_encoding"


def test_size_cap_and_bomb() -> None:
    with pytest.raises(TooLargeError) as info:
        _read([b"x" * 600, b"x" * 600], None, max_bytes=1000)
    assert info.value.reason == "too_large"
    bomb = gzip.compress(b"\0" * 5_000_000)
    with pytest.raises(TooLargeError) as info:
        _read(_split(bomb, 1024), "gzip", max_bytes=10_000_000)
    assert info.value.reason == "decompression_bomb"
    with pytest.raises(TooLargeError) as info:  # inflating past the cap whatever the ratio
        _read([gzip.compress(PAGE * 100)], "gzip", max_bytes=10_000, max_ratio=1e9)
    assert info.value.reason == "decompression_bomb"


def test_deadline() -> None:
    with pytest.raises(FetchTimeout):
        _read([b"a", b"b"], None, deadline=time.monotonic() - 1)


def test_content_types() -> None:
    for ok in ("text/html", "TEXT/HTML; charset=gbk", "application/xhtml+xml", "text/plain", None):
        check_content_type(ok, "u")
    for bad in ("application/pdf", "image/png", "application/json", "text/css"):
        with pytest.raises(FetchError) as info:
            check_content_type(bad, "u")
        assert info.value.reason == "unsupported_content_type"


def test_binary_sniff() -> None:
    check_not_binary(PAGE, "u")
    check_not_binary("\ufeffhello".encode("utf-16"), "u")
    for bad in (b"%PDF-1.4 ...", b"\x89PNG\r\n", b"PK\x03\x04zip", b"<html>\x00\x01"):
        with pytest.raises(FetchError) as info:
            check_not_binary(bad, "u")
        assert info.value.reason == "binary_content"


def test_peer_check_catches_rebinding() -> None:
    check_peer("http://x/", ("93.184.216.34", 80), allow_private=False)
    with pytest.raises(BlockedAddress):
        check_peer("http://x/", ("127.0.0.1", 80), allow_private=False)
    with pytest.raises(BlockedAddress):
        check_peer("http://x/", ("::ffff:10.0.0.1", 80, 0, 0), allow_private=False)
    check_peer("http://x/", ("127.0.0.1", 80), allow_private=True)


_segment = st.text(alphabet="abcxyz019_-", min_size=1, max_size=6)


@given(
    st.lists(st.tuples(_segment, _segment), max_size=6),
    st.sampled_from(["example.org", "mp.weixin.qq.com", "EXAMPLE.org:8080"]),
)
def test_canonical_url_properties(params: list[tuple[str, str]], host: str) -> None:
    query = "&".join(f"{k}={v}" for k, v in params)
    url = f"https://{host}/s/path?{query}#frag"
    once = canonical_url(url)
    assert canonical_url(once) == once
    assert "#" not in once and "utm_" not in once
    shuffled = f"https://{host}/s/path?{'&'.join(f'{k}={v}' for k, v in reversed(params))}"
    if len({k for k, _ in params}) == len(params):  # order only matters for repeated keys
        assert canonical_url(shuffled) == once

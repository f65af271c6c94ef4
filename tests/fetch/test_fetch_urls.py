"""Canonical URLs: one identity per article whatever the share link looked like."""

from __future__ import annotations

import pytest

from papertrail.fetch import canonical_url
from papertrail.urls import host_key

CASES = [
    ("https://example.org/a#section-2", "https://example.org/a"),
    ("HTTPS://Example.ORG:443/a", "https://example.org/a"),
    ("http://example.org:80", "http://example.org/"),
    ("http://example.org:8080/a", "http://example.org:8080/a"),
    ("https://example.org/a?utm_source=x&utm_medium=y&id=3", "https://example.org/a?id=3"),
    ("https://example.org/a?b=2&a=1", "https://example.org/a?a=1&b=2"),
    ("https://news.example.cn/x.html?spm=a1.b2&from=timeline", "https://news.example.cn/x.html"),
    ("https://example.org/a?fbclid=1&gclid=2&UTM_Campaign=3", "https://example.org/a"),
    ("https://example.org/a?q=", "https://example.org/a?q="),
    (
        "https://mp.weixin.qq.com/s?__biz=MzA3&mid=2650&idx=1&sn=abc&chksm=ff&scene=21#wechat_redirect",
        "https://mp.weixin.qq.com/s?__biz=MzA3&mid=2650&idx=1",
    ),
    (
        "https://mp.weixin.qq.com/s?idx=1&mid=2650&__biz=MzA3&sn=abc",
        "https://mp.weixin.qq.com/s?__biz=MzA3&mid=2650&idx=1",
    ),
    ("https://mp.weixin.qq.com/s?sn=abc&scene=1", "https://mp.weixin.qq.com/s?sn=abc"),
    (
        "https://mp.weixin.qq.com/s/AbCdEf123?from=groupmessage",
        "https://mp.weixin.qq.com/s/AbCdEf123",
    ),
    ("file:///tmp/a.html#x", "file:///tmp/a.html"),
    ("http://[::1]:8000/a", "http://[::1]:8000/a"),
]


@pytest.mark.parametrize(("url", "expected"), CASES)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_canonical_url_is_idempotent() -> None:
    for url, _ in CASES:
        once = canonical_url(url)
        assert canonical_url(once) == once


def test_host_key() -> None:
    assert host_key("https://Example.org:8443/x") == "example.org"
    assert host_key("file:///tmp/x.html") == ""

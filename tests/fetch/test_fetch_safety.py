"""SSRF: refuse private, loopback, link-local and metadata targets and non-http(s)
schemes by default, on every hop, before any byte is sent."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from papertrail.document import Document
from papertrail.errors import BlockedAddress
from papertrail.fetch import Fetcher, check_url
from papertrail.settings import Settings
from papertrail.testing.hostile import HostileServer

SettingsFactory = Callable[..., Settings]
pytestmark = pytest.mark.timeout(30)

REFUSED = [
    "http://127.0.0.1/",
    "http://127.1.2.3:8080/x",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://[::1]/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://localhost/",
]


@pytest.mark.parametrize("url", REFUSED)
def test_private_targets_refused_by_default(url: str) -> None:
    with pytest.raises(BlockedAddress) as info:
        check_url(url, allow_private=False)
    assert info.value.reason == "blocked_address"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://x/", "x"])
def test_non_http_schemes_refused(url: str) -> None:
    with pytest.raises(BlockedAddress) as info:
        check_url(url, allow_private=True)
    assert info.value.reason == "blocked_scheme"


def test_public_literal_allowed() -> None:
    check_url("http://93.184.216.34/", allow_private=False)


def test_allow_private_still_refuses_metadata() -> None:
    check_url("http://127.0.0.1:8000/", allow_private=True)
    check_url("http://192.168.1.1/", allow_private=True)
    with pytest.raises(BlockedAddress):
        check_url("http://169.254.169.254/", allow_private=True)


def test_default_settings_refuse_the_loopback_server(
    server: HostileServer, make_settings: SettingsFactory
) -> None:
    with Fetcher(make_settings(allow_private=False)) as fetcher:
        with pytest.raises(BlockedAddress):
            fetcher.fetch(Document(url=server.url("/page/x")))
        with pytest.raises(BlockedAddress):
            fetcher.fetch(Document(url=server.url("/page/x", host="localhost")))
    assert server.log == []  # not even robots.txt


def test_redirect_into_loopback_is_refused(
    server: HostileServer, make_settings: SettingsFactory
) -> None:
    """A public page (answered by a mock transport) redirects to the real loopback server:
    the hop is refused before a request is made."""
    target = server.url("/page/secret")

    def public_site(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(302, headers={"Location": target})

    settings = make_settings(allow_private=False)
    transport = httpx.MockTransport(public_site)
    with Fetcher(settings, transport=transport) as fetcher:
        docs = list(fetcher.fetch_many([Document(url="https://public.example/article")]))
    assert [e.reason for e in docs[0].errors] == ["blocked_address"]
    assert server.log == []


def test_redirect_to_file_scheme_is_refused(make_settings: SettingsFactory) -> None:
    def site(request: httpx.Request) -> httpx.Response:
        return httpx.Response(301, headers={"Location": "file:///etc/passwd"})

    transport = httpx.MockTransport(site)
    with Fetcher(make_settings(), transport=transport) as f, pytest.raises(BlockedAddress) as info:
        f.fetch(Document(url="https://public.example/a"))
    assert info.value.reason == "blocked_scheme"

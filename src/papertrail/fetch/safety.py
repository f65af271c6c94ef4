"""SSRF guard: papertrail fetches URLs it is handed, so it must not be turned against
the machine it runs on or the network behind it.

Every hop (first request, each redirect, robots.txt) is checked before it is sent:
scheme http(s) only, and every address the host resolves to must be public unless
``allow_private`` is set. The connected peer is checked again after connecting, which
closes the DNS-rebinding gap between our lookup and the one httpx makes.
Cloud metadata addresses stay refused even with ``allow_private``: no intranet page
lives there.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from ..errors import BlockedAddress, FetchError

ALLOWED_SCHEMES = frozenset({"http", "https"})
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def address_refusal(ip: IPAddress, *, allow_private: bool) -> str | None:
    """Why ``ip`` may not be contacted, or None when it may."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if ip.is_unspecified or ip.is_multicast:
        return "an unspecified or multicast address"
    if allow_private or ip.is_global:
        return None
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private:
        return "a private address"
    return "a reserved address"


def check_scheme(url: str) -> None:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise BlockedAddress(
            f"refused {url!r}: scheme {scheme or '(none)'!r} is not http(s)",
            reason="blocked_scheme",
        )


def check_url(url: str, *, allow_private: bool, resolve: bool = True) -> None:
    """Raise :class:`BlockedAddress` unless ``url`` is http(s) to an allowed address.

    ``resolve=False`` checks only literal IP hosts (used when a test transport, not the
    network, answers requests).
    """
    check_scheme(url)
    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        raise FetchError(f"refused {url!r}: no host", reason="bad_url")
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    elif not resolve:
        return
    else:
        addresses = _resolve(host, parts.port)
    for ip in addresses:
        if why := address_refusal(ip, allow_private=allow_private):
            raise BlockedAddress(f"refused {url!r}: {host} is {why} ({ip})")


def check_peer(url: str, peer: object, *, allow_private: bool) -> None:
    """Check the address a connection actually reached (``server_addr`` of the stream)."""
    if not isinstance(peer, tuple) or not peer:
        return
    try:
        ip = ipaddress.ip_address(str(peer[0]).split("%")[0])
    except ValueError:
        return
    if why := address_refusal(ip, allow_private=allow_private):
        raise BlockedAddress(f"refused {url!r}: connected to {why} ({ip})")


def _resolve(host: str, port: int | None) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port or 0, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve {host!r}: {exc}", reason="dns_failed") from exc
    out: list[IPAddress] = []
    for *_, sockaddr in infos:
        try:
            out.append(ipaddress.ip_address(str(sockaddr[0]).split("%")[0]))
        except ValueError:
            continue
    if not out:
        raise FetchError(f"cannot resolve {host!r}: no addresses", reason="dns_failed")
    return out

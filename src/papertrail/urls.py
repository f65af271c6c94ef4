"""Canonical URLs: one key per article, so the ledger and the archive dedupe reposts.

Shares of the same page differ only in fragments, tracking parameters and parameter order;
WeChat articles carry a dozen per-reader parameters around the few that name the article.
The canonical form is for identity only: pages are always fetched at the URL given.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Parameters that say who shared a link or how it was clicked, never which page it is.
TRACKING_PARAMS = frozenset(
    {
        "spm",
        "from",
        "scm",
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "isappinstalled",
        "share_source",
        "share_medium",
        "share_token",
        "wxfrom",
        "wx_header",
        "timestamp",
    }
)
TRACKING_PREFIXES = ("utm_",)
# WeChat (mp.weixin.qq.com/s?...): these name the article; everything else is per-reader.
WECHAT_HOST = "mp.weixin.qq.com"
WECHAT_IDENTITY = ("__biz", "mid", "idx")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking_param(name: str) -> bool:
    key = name.lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """The identity of ``url``: lower-case scheme and host, no default port, no fragment,
    no tracking parameters, remaining parameters sorted; WeChat articles reduced to
    ``__biz``/``mid``/``idx`` (or ``sn`` when those are missing).

    Non-http(s) URLs (``file:``) only lose their fragment.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        return urlunsplit((scheme, parts.netloc, parts.path, parts.query, ""))
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    path = parts.path or "/"
    params = parse_qsl(parts.query, keep_blank_values=True)
    if host == WECHAT_HOST:
        params = _wechat_identity(params)
    else:
        params = sorted(p for p in params if not is_tracking_param(p[0]))
    return urlunsplit((scheme, netloc, path, urlencode(params), ""))


def _wechat_identity(params: list[tuple[str, str]]) -> list[tuple[str, str]]:
    values = dict(params)
    if all(values.get(k) for k in WECHAT_IDENTITY):
        return [(k, values[k]) for k in WECHAT_IDENTITY]
    if values.get("sn"):
        return [("sn", values["sn"])]
    # Short links (/s/<token>) name the article in the path; the query is per-reader.
    return []


def host_key(url: str) -> str:
    """The politeness key of ``url``: its lower-case host name ("" for local files)."""
    return (urlsplit(url).hostname or "").rstrip(".").lower()

"""A misbehaving HTTP server on 127.0.0.1, for reliability tests and benchmarks.

Each route is one way real sites go wrong. Knobs are query parameters; counters are per
``key`` path segment so tests do not share state. Every request is logged (monotonic
time, method, path, headers) so tests can assert counts and spacing, never wall time.

Routes::

    /robots.txt                    the server's ``robots_txt`` (404 when None;
                                   ``robots_status`` other than 200 answers that)
    /page/<any>                    a small UTF-8 HTML article (also /private/<any>)
    /gzip/<any>                    the same, gzip-encoded
    /text/<any>                    text/plain
    /slow?delay=S                  headers only after S seconds
    /trickle?chunks=N&interval=S   a body sent a byte-chunk at a time
    /trickle-headers?interval=S    the status line and headers one byte every S seconds
                                   (default 1), then a page; at most 120 s in all
    /fail/<key>?times=N&status=C&retry_after=R
                                   C (default 500) N times, then 200; Retry-After: R
    /reset/<key>?times=N           TCP reset N times (N<0: always), then 200
    /endless                       a chunked body that never ends
    /bomb?mb=M                     gzip of M MB of zeros (Content-Encoding: gzip)
    /charset/<codec>?declare=D     CHARSET_TEXT encoded in codec (gbk, gb18030, big5,
                                   utf-8-sig, utf-8); D: header | meta | none | wrong
    /redirect/loop/<n>             /redirect/loop/a <-> /redirect/loop/b
    /redirect/chain/<n>            n hops, then a page
    /redirect/to?location=L        302 to L (e.g. a refused address)
    /etag/<key>                    ETag + Last-Modified; 304 on a matching conditional
                                   GET; ``set_version(key, v)`` changes the page
    /lastmod/<key>                 Last-Modified only; 304 on If-Modified-Since
    /binary                        PNG bytes labelled text/html
    /pdf                           application/pdf
    /status/<code>                 that status, with a short body
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import struct
import threading
import time
import zlib
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

from .served import QuietHTTPServer, Served

CHARSET_TEXT = "大模型推理论文速递：arXiv:2307.09288 提出了新的方法。繁體測試：機器學習與語言模型。"
# Big5 has no simplified characters: Big5 pages are in traditional script.
BIG5_TEXT = "大型語言模型論文速遞：arXiv:2307.09288 提出了新的方法。機器學習與語言模型。"


def charset_text(codec: str) -> str:
    """The text ``/charset/<codec>`` serves (what a correct decode must give back)."""
    return BIG5_TEXT if codec.lower().startswith("big5") else CHARSET_TEXT


PAGE_TEMPLATE = (
    "<!doctype html><html><head><title>{title}</title></head><body><article>"
    "<h1>{title}</h1><p>{body}</p></article></body></html>"
)
DEFAULT_ROBOTS = "User-agent: *\nDisallow: /private/\n"
_FIXED_LAST_MODIFIED = "Mon, 02 Nov 2026 10:00:00 GMT"


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    time: float  # time.monotonic() when the request line was read
    method: str
    path: str  # path and query, as sent
    headers: dict[str, str]


def page_html(title: str, body: str = CHARSET_TEXT) -> str:
    return PAGE_TEMPLATE.format(title=title, body=body)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def handle(self) -> None:
        # the client gave up: that is what several routes provoke
        with contextlib.suppress(ConnectionResetError, BrokenPipeError, TimeoutError):
            super().handle()

    def do_GET(self) -> None:
        owner = self.server.owner
        owner._enter(self)
        try:
            self._dispatch()
        finally:
            owner._leave()

    def _dispatch(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        segments = [s for s in parts.path.split("/") if s]
        route = segments[0] if segments else ""
        handler = getattr(self, f"_r_{route.replace('.', '_').replace('-', '_')}", None)
        try:
            if handler is None:
                self._send(404, b"not found", "text/plain")
            else:
                handler(segments[1:], query)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    # --- plumbing --------------------------------------------------------------------
    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str | None = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status == 304:
            self.end_headers()
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _page(self, title: str) -> None:
        self._send(200, page_html(title).encode("utf-8"))

    def _reset(self) -> None:
        """Abort the connection with a TCP RST (SO_LINGER 0), no response at all."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    # --- routes ----------------------------------------------------------------------
    def _r_robots_txt(self, _: list[str], __: dict[str, str]) -> None:
        robots = self.server.owner.robots_txt
        if self.server.owner.robots_status != 200:
            self._send(self.server.owner.robots_status, b"robots broken", "text/plain")
        elif robots is None:
            self._send(404, b"no robots here", "text/plain")
        else:
            self._send(200, robots.encode("utf-8"), "text/plain")

    def _r_page(self, rest: list[str], _: dict[str, str]) -> None:
        self._page("/".join(rest) or "page")

    _r_private = _r_page

    def _r_gzip(self, rest: list[str], _: dict[str, str]) -> None:
        body = gzip.compress(page_html("/".join(rest) or "gzip").encode("utf-8"), mtime=0)
        self._send(200, body, "text/html; charset=utf-8", {"Content-Encoding": "gzip"})

    def _r_text(self, rest: list[str], _: dict[str, str]) -> None:
        self._send(200, CHARSET_TEXT.encode("utf-8"), "text/plain; charset=utf-8")

    def _r_slow(self, _: list[str], q: dict[str, str]) -> None:
        time.sleep(float(q.get("delay", "2")))
        self._page("slow")

    def _r_trickle(self, _: list[str], q: dict[str, str]) -> None:
        chunks, interval = int(q.get("chunks", "20")), float(q.get("interval", "0.2"))
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(chunks))
        self.end_headers()
        for _chunk in range(chunks):
            self.wfile.write(b"x")
            self.wfile.flush()
            time.sleep(interval)

    def _r_trickle_headers(self, _: list[str], q: dict[str, str]) -> None:
        interval = float(q.get("interval", "1"))
        body = page_html("trickled headers").encode("utf-8")
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            + "X-Padding: "
            + "z" * 200
            + "\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n"
        ).encode("ascii")
        self.close_connection = True
        stop = time.monotonic() + 120
        for i in range(len(head)):
            if time.monotonic() > stop or self.server.owner._stopping.is_set():
                return
            self.wfile.write(head[i : i + 1])
            self.wfile.flush()
            time.sleep(interval)
        self.wfile.write(body)

    def _r_fail(self, rest: list[str], q: dict[str, str]) -> None:
        n = self.server.owner._count("fail/" + "/".join(rest))
        if n <= int(q.get("times", "1")):
            headers = {"Retry-After": q["retry_after"]} if "retry_after" in q else {}
            self._send(int(q.get("status", "500")), b"try again later", "text/plain", headers)
        else:
            self._page("recovered")

    def _r_reset(self, rest: list[str], q: dict[str, str]) -> None:
        n = self.server.owner._count("reset/" + "/".join(rest))
        times = int(q.get("times", "1"))
        if times < 0 or n <= times:
            self._reset()
        else:
            self._page("after reset")

    def _r_endless(self, _: list[str], __: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"<p>" + b"endless " * 1000 + b"</p>"
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        deadline = time.monotonic() + 60  # never truly endless: tests must not leak threads
        while time.monotonic() < deadline and not self.server.owner._stopping.is_set():
            self.wfile.write(frame)
        self.close_connection = True

    def _r_bomb(self, _: list[str], q: dict[str, str]) -> None:
        body = self.server.owner._bomb(int(q.get("mb", "100")))
        self._send(200, body, "text/html", {"Content-Encoding": "gzip"})

    def _r_charset(self, rest: list[str], q: dict[str, str]) -> None:
        codec = rest[0] if rest else "utf-8"
        declare = q.get("declare", "header")
        label = {"utf-8-sig": "utf-8"}.get(codec, codec)
        meta = f'<meta charset="{label}">' if declare == "meta" else ""
        html = f"<!doctype html><html><head>{meta}<title>charset</title></head><body>"
        html += f"<p>{charset_text(codec)}</p>" * 20 + "</body></html>"
        body = html.encode(codec)
        ctype = {
            "header": f"text/html; charset={label}",
            "wrong": "text/html; charset=utf-8" if label != "utf-8" else "text/html; charset=gbk",
        }.get(declare, "text/html")
        self._send(200, body, ctype)

    def _r_redirect(self, rest: list[str], q: dict[str, str]) -> None:
        kind = rest[0] if rest else ""
        if kind == "loop":
            nxt = "/redirect/loop/b" if rest[1:2] == ["a"] else "/redirect/loop/a"
        elif kind == "chain":
            n = int(rest[1]) if len(rest) > 1 else 0
            nxt = f"/redirect/chain/{n - 1}" if n > 0 else "/page/chain-end"
        elif kind == "to":
            nxt = q.get("location", "/page/to")
        else:
            self._send(404, b"unknown redirect", "text/plain")
            return
        self._send(302, b"", None, {"Location": nxt})

    def _r_etag(self, rest: list[str], _: dict[str, str]) -> None:
        key = "/".join(rest)
        version = self.server.owner._versions.get(key, 1)
        etag = f'"{key}-v{version}"'
        last_modified = _FIXED_LAST_MODIFIED if version == 1 else formatdate(usegmt=True)
        headers = {"ETag": etag, "Last-Modified": last_modified}
        if self.headers.get("If-None-Match") == etag:
            self._send(304, b"", None, headers)
            return
        body = page_html(f"etag {key} v{version}").encode("utf-8")
        self._send(200, body, "text/html; charset=utf-8", headers)

    def _r_lastmod(self, rest: list[str], _: dict[str, str]) -> None:
        """Last-Modified only (no ETag): 304 when If-Modified-Since is not older."""
        key = "/".join(rest)
        version = self.server.owner._versions.get(key, 1)
        stamp = 1_793_613_600 + version  # 2026-11-02, one second later per version
        last_modified = formatdate(stamp, usegmt=True)
        since = self.headers.get("If-Modified-Since")
        if since and parsedate_to_datetime(since).timestamp() >= stamp:
            self._send(304, b"", None, {"Last-Modified": last_modified})
            return
        body = page_html(f"lastmod {key} v{version}").encode("utf-8")
        self._send(200, body, "text/html; charset=utf-8", {"Last-Modified": last_modified})

    def _r_binary(self, _: list[str], __: dict[str, str]) -> None:
        self._send(200, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "text/html")

    def _r_pdf(self, _: list[str], __: dict[str, str]) -> None:
        self._send(200, b"%PDF-1.7\n" + b"0" * 1000, "application/pdf")

    def _r_status(self, rest: list[str], _: dict[str, str]) -> None:
        code = int(rest[0]) if rest else 500
        self._send(code, f"status {code}".encode(), "text/plain")


class _Server(QuietHTTPServer):
    allow_reuse_address = True
    block_on_close = False
    owner: HostileServer


class HostileServer(Served):
    """Context manager: ``with HostileServer() as srv: srv.url("/fail/a?times=1")``."""

    default_robots: ClassVar[str] = DEFAULT_ROBOTS

    def __init__(self, robots_txt: str | None = DEFAULT_ROBOTS, host: str = "127.0.0.1") -> None:
        self.robots_txt = robots_txt
        self.robots_status = 200  # set to 5xx to make robots.txt unreachable (RFC 9309)
        self.log: list[LoggedRequest] = []
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._versions: dict[str, int] = {}
        self._bombs: dict[int, bytes] = {}
        self._stopping = threading.Event()
        self._in_flight = 0
        self.max_in_flight = 0  # most requests being answered at once (concurrency tests)
        self._server = _Server((host, 0), _Handler)
        self._server.owner = self
        self.port = self._server.server_address[1]
        self.base = f"http://{host}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str, *, host: str | None = None) -> str:
        """Absolute URL for ``path``; ``host="localhost"`` gives a second host name for
        the same server (a different politeness key and robots.txt origin)."""
        base = f"http://{host}:{self.port}" if host else self.base
        return base + (path if path.startswith("/") else "/" + path)

    def set_version(self, key: str, version: int) -> None:
        with self._lock:
            self._versions[key] = version

    def requests(self, prefix: str = "") -> list[LoggedRequest]:
        with self._lock:
            return [r for r in self.log if r.path.startswith(prefix)]

    def _enter(self, handler: BaseHTTPRequestHandler) -> None:
        entry = LoggedRequest(
            time.monotonic(), handler.command, handler.path, dict(handler.headers.items())
        )
        with self._lock:
            self.log.append(entry)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _count(self, key: str) -> int:
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + 1
            return self._counts[key]

    def _bomb(self, mb: int) -> bytes:
        with self._lock:
            if mb not in self._bombs:
                zeros = b"\0" * (1024 * 1024)
                comp = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
                parts = [comp.compress(zeros) for _ in range(mb)]
                self._bombs[mb] = b"".join([*parts, comp.flush()])
            return self._bombs[mb]

    def start(self) -> HostileServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def main() -> None:
    """``python -m papertrail.testing.hostile``: serve on 127.0.0.1 until interrupted."""
    with HostileServer() as server:
        print(f"hostile server on {server.base} (Ctrl-C to stop)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            server._stopping.wait()


if __name__ == "__main__":
    main()

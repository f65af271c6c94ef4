"""A small threaded HTTP server on 127.0.0.1 serving fixture pages.

Routes are declared as data (:class:`Page`: bytes, content type, extra headers, status),
so a test builds exactly the response it needs, byte for byte, including pages whose
header charset is missing or wrong. A directory can be served too (``add_directory``),
with content types from the file extension and no charset, like many real servers.

    python -m papertrail.testing.pages DIR [--port N]   # serve DIR until killed
"""

from __future__ import annotations

import argparse
import mimetypes
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from .served import QuietHTTPServer, Served


@dataclass(frozen=True, slots=True)
class Page:
    body: bytes
    content_type: str | None = "text/html; charset=utf-8"
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class LoggedRequest:
    time: float
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)


class PageServer(Served):
    """Serve :class:`Page` objects by path. Use as a context manager."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.routes: dict[str, Page] = {}
        self.requests: list[LoggedRequest] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                return

            def do_GET(self) -> None:
                with server._lock:
                    server.requests.append(
                        LoggedRequest(time.monotonic(), "GET", self.path, dict(self.headers))
                    )
                page = server.routes.get(self.path.split("#")[0])
                if page is None:
                    page = Page(b"<h1>404</h1>", "text/html", status=404)
                self.send_response(page.status)
                if page.content_type:
                    self.send_header("Content-Type", page.content_type)
                for name, value in page.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(page.body)))
                self.end_headers()
                self.wfile.write(page.body)

            do_HEAD = do_GET

        self._httpd = QuietHTTPServer((host, port), Handler)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        assert isinstance(host, str)  # an AF_INET server: bytes only for AF_UNIX
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def add(self, path: str, page: Page) -> str:
        self.routes[path] = page
        return self.url(path)

    def add_directory(self, directory: Path, prefix: str = "/") -> list[str]:
        urls = []
        for file in sorted(p for p in Path(directory).rglob("*") if p.is_file()):
            rel = file.relative_to(directory).as_posix()
            ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            urls.append(self.add(prefix + rel, Page(file.read_bytes(), ctype)))
        return urls

    def start(self) -> PageServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = PageServer(port=args.port)
    urls = server.add_directory(args.directory)
    server.start()
    print(server.base_url, flush=True)
    for url in urls:
        print(url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()

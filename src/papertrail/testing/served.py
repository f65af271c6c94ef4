"""One definition of "``with server:`` starts it and stops it" for the loopback servers,
and the HTTP server class they share."""

from __future__ import annotations

import sys
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self


class QuietHTTPServer(ThreadingHTTPServer):
    """A threaded HTTP server that does not print a traceback when a client hangs up.

    Clients close connections early all the time (a fetch that stops at its size cap, a
    keep-alive connection dropped); ``socketserver`` printed each as "Exception occurred
    during processing of request" on stderr, which failed a test that checks a command
    prints nothing there whenever it landed in that test's capture."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


class Served:
    """Mixin: ``start()`` returns the server, ``stop()`` shuts it; ``with`` does both."""

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
